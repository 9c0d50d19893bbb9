//! flow: to be written.
