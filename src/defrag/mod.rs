//! defrag: to be written.
