//! The `tfc` binary: parse the command line and hand over to `tfc::cli`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tfc::cli::run(tfc::cli::Cli::parse())
}
