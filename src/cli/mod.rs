//! The command line: clap definitions ([`args`]) and the command handlers
//! ([`commands`]) that call the library and write its results.

mod args;
mod commands;

pub use args::{run, Cli};
pub use commands::ExitStatus;
