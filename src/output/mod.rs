//! output: to be written.
