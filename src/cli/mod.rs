//! The command line: clap definitions ([`args`]), the command handlers
//! ([`commands`]) that call the library and write its results, and how an
//! `index` run shows on stderr ([`progress`]), and `index --watch` ([`watch`]).

mod args;
mod commands;
mod config;
mod location;
mod progress;
mod resident;
mod watch;

pub use args::{run, Cli};
pub use commands::ExitStatus;
