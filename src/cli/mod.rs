//! The command line: flag parsing, the plan built from flags, and dispatch.
//!
//! This module is the single contact point between flags and the library:
//! no clap type ever reaches `rule`, `decode`, `flow` or `detect`. Errors are
//! printed here and mapped to exit codes: 0 success, 1 a failed check
//! (`--strict` with rule errors), 2 a fatal error (bad flags, unreadable
//! file, missing log directory).

mod args;
mod bench;
mod check_rules;
mod live_run;
mod monitor;
mod report;
mod run;

use clap::Parser;

use args::{Cli, Command};

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Report(args) => report::run(&args),
        Command::CheckRules(args) => check_rules::run(&args),
        Command::Bench(args) => bench::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("rulewire: error: {msg}");
            2
        }
    }
}
