//! The `policy-search` binary: parse the command line, run the command, map
//! the outcome to an exit code. The work is in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            let hint = err
                .downcast_ref::<policy_search::Error>()
                .and_then(|e| e.hint())
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default();
            eprintln!("policy-search: error: {err:#}{hint}");
            ExitCode::from(policy_search::app::ExitStatus::Error.code())
        }
    }
}
