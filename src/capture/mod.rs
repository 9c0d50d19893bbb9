//! capture: to be written.
