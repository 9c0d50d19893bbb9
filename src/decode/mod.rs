//! decode: to be written.
