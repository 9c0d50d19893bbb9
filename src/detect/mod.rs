//! detect: to be written.
