//! Command-line parsing and dispatch. The single contact point between flags
//! and the library.

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    0
}
