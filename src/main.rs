//! The `policy-search` binary: parse the command line, run the command, map
//! the outcome to an exit code. The work is in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // An empty POLICY_SEARCH_INDEX counts as unset, as `${VAR:-default}` in
    // a shell (clap would take it for an empty --index).
    if std::env::var_os("POLICY_SEARCH_INDEX").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("POLICY_SEARCH_INDEX");
    }
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            // The library's errors carry their cause in their message; other
            // errors show their chain.
            match err.downcast_ref::<policy_search::Error>() {
                Some(e) => {
                    let hint = e
                        .hint()
                        .map(|h| format!(" (hint: {h})"))
                        .unwrap_or_default();
                    eprintln!("policy-search: error: {e}{hint}");
                }
                None => eprintln!("policy-search: error: {err:#}"),
            }
            ExitCode::from(policy_search::app::ExitStatus::Error.code())
        }
    }
}
