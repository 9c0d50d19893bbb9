//! rule: to be written.
