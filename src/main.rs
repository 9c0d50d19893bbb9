//! The `rulewire` command line. Everything here is about flags; the engine
//! lives in the library and never sees a clap type.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
