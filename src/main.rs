//! The `policy-search` binary: parse the command line, run the command, map
//! the outcome to an exit code. The work is in the library.

mod cli;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use policy_search::terminal::visible;

fn main() -> ExitCode {
    // An empty POLICY_SEARCH_INDEX counts as unset, as `${VAR:-default}` in
    // a shell (clap would take it for an empty --index).
    if std::env::var_os("POLICY_SEARCH_INDEX").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("POLICY_SEARCH_INDEX");
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    if cli.indexes() {
        limit_malloc_arenas();
    }
    if cli.queries() {
        keep_freed_memory();
    }
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
                    eprintln!("policy-search: error: {}", visible(&format!("{e}{hint}")));
                }
                None => eprintln!("policy-search: error: {}", visible(&format!("{err:#}"))),
            }
            ExitCode::from(cli::ExitStatus::Error.code())
        }
    }
}

/// Caps glibc's malloc arenas at one per core while indexing, unless
/// `MALLOC_ARENA_MAX` says otherwise. glibc makes up to eight per core for
/// threads that allocate at once, and memory freed in one stays mapped
/// there: indexing 1 GB on two cores peaked at 616–705 MB with the default
/// and 512 MB with two arenas, in the same time (`docs/benchmarks.md`).
/// Not for `serve`, whose memory it did not lower.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a malloc tunable; no thread has been
        // started yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Lets glibc's malloc keep the memory a query frees, for the next query
/// or until the process ends, unless `GLIBC_TUNABLES` says otherwise. By
/// default a block of more than 128 KiB (a ranking's per-document arrays,
/// a segment's passage map) is mapped for itself and unmapped when freed,
/// and the top of the heap is given back past 128 KiB free: each is page
/// faults to map it again, and with the segments read on several threads
/// each unmapping interrupts them all. Side by side at 1 GB, queries took
/// 5–8% less time at the median (`docs/benchmarks.md`). Not for `index`,
/// whose peak memory is bounded, nor `serve`, whose memory was measured
/// flat as it is.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        // SAFETY: mallopt only sets malloc tunables; no thread has been
        // started yet. The mapping threshold is glibc's largest (32 MiB).
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        }
    }
}

/// Help and version as clap prints them; a command-line mistake as one
/// line, like every other error, with the usage as its hint.
fn usage_error(err: clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        err.exit();
    }
    let text = err.render().to_string();
    let mut message = Vec::new();
    let mut usage = None;
    for line in text.lines().map(str::trim) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if line.starts_with("For more information") || line.is_empty() {
            continue;
        } else if usage.is_none() {
            message.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let hint = usage.map_or_else(
        || "see `policy-search --help`".to_string(),
        |u| format!("usage: {u}; see --help"),
    );
    let line = format!("{} (hint: {hint})", message.join(" "));
    eprintln!("policy-search: error: {}", visible(&line));
    ExitCode::from(cli::ExitStatus::Error.code())
}
