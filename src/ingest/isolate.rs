//! Extraction in a child process, so a parser that crashes, hangs or runs
//! away with memory on one damaged file costs that file, not the run.
//!
//! The parent runs `EXE extract-worker --format NAME PATH`; the child
//! extracts and prints one JSON [`WorkerOutput`] on stdout. The parent waits
//! at most the file timeout, then kills it. The child's stdin is a pipe the
//! parent never writes to: when the parent dies, even by SIGKILL, the pipe
//! closes and the child ends too ([`parent_gone`]).

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use crate::extract::{self, ExtractError, ExtractOptions, Extracted, Format};

/// The hidden subcommand the child runs.
pub const WORKER_COMMAND: &str = "extract-worker";
/// Its flag to end when its stdin closes (see [`parent_gone`]).
pub const EXIT_WITH_STDIN: &str = "--exit-with-stdin";
/// Its flag for the most memory it may take, in bytes.
pub const MAX_MEMORY: &str = "--max-memory";
/// Its flag naming the OCR program to read scanned pages with.
pub const OCR_PROGRAM: &str = "--ocr-program";

/// What the child reports.
#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerOutput {
    /// The extraction.
    Ok(Extracted),
    /// Why extraction failed: an error kind and its message.
    Err {
        /// `encrypted`, `empty`, `binary`, `limit`, `encoding` or `corrupt`.
        kind: String,
        /// The error's message.
        message: String,
    },
}

/// Runs in the child: extracts `path` and writes the JSON result to `out`.
pub fn worker_main(
    format: Format,
    path: &Path,
    opts: &ExtractOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let output = match extract::extract_file(format, path, opts) {
        Ok(e) => WorkerOutput::Ok(e),
        Err(e) => {
            let kind = match e {
                ExtractError::Encrypted => "encrypted",
                ExtractError::Empty => "empty",
                ExtractError::Binary => "binary",
                ExtractError::Limit(_) => "limit",
                ExtractError::Encoding => "encoding",
                ExtractError::Scanned(_) => "scanned",
                ExtractError::Io(_) | ExtractError::Corrupt(_) => "corrupt",
            };
            WorkerOutput::Err {
                kind: kind.to_string(),
                message: e.to_string(),
            }
        }
    };
    serde_json::to_writer(&mut *out, &output)?;
    out.flush()
}

/// Blocks until the parent that started this worker is gone (its end of
/// our stdin closed); the worker then exits rather than run on unowned.
pub fn parent_gone() {
    let mut sink = [0u8; 64];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
}

/// Limits the memory this process may take (its data segment and
/// anonymous mappings) to `bytes`: past it, allocation fails and the
/// worker aborts, which the parent reports as the file needing too much.
pub fn limit_memory(bytes: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(not(unix))]
    let _ = bytes;
    Ok(())
}

/// Extracts `path` in a child process running `exe`, within `timeout` and
/// `memory` bytes.
pub fn extract_in_child(
    exe: &Path,
    format: Format,
    path: &Path,
    timeout: Duration,
    memory: u64,
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    let mut child = spawn(exe, format, path, memory, opts)?;
    // Held open until the child is done (waiting would close it): its
    // closing tells the child that we are gone.
    let _lifeline = child.stdin.take();
    // Read on other threads so a large output cannot fill a pipe and stall
    // the child while we wait on it. Of stderr, only the start is kept.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let stderr = child.stderr.take().expect("stderr is piped");
    let errors = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.take(4096).read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let Some(status) = child.wait_timeout(timeout)? else {
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        return Err(ExtractError::Limit(crate::limits::out_of_time_reason(
            timeout,
        )));
    };
    let output = reader
        .join()
        .map_err(|_| ExtractError::Corrupt("extractor output lost".to_string()))??;
    if !status.success() {
        return Err(crashed(status, &errors.join().unwrap_or_default(), memory));
    }
    read_output(&output)
}

/// Starts a child process extracting `path`, its stdio piped.
fn spawn(
    exe: &Path,
    format: Format,
    path: &Path,
    memory: u64,
    opts: &ExtractOptions,
) -> Result<Child, ExtractError> {
    let mut cmd = Command::new(exe);
    cmd.arg(WORKER_COMMAND)
        .arg("--format")
        .arg(format.name())
        .arg(EXIT_WITH_STDIN)
        .arg(MAX_MEMORY)
        .arg(memory.to_string());
    if let Some(ocr) = &opts.ocr {
        cmd.arg(OCR_PROGRAM).arg(ocr.program());
    }
    cmd.arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ExtractError::Corrupt(format!("cannot start the extractor: {e}")))
}

/// Why a child that did not succeed failed: out of `memory` if its
/// `errors` (the start of its stderr) say so, else a crash.
fn crashed(status: std::process::ExitStatus, errors: &str, memory: u64) -> ExtractError {
    if errors.contains("memory allocation") {
        return ExtractError::Limit(crate::limits::out_of_memory_reason(memory));
    }
    ExtractError::Corrupt(format!("extractor crashed ({status})"))
}

/// The extraction a child reported on its stdout.
fn read_output(output: &[u8]) -> Result<Extracted, ExtractError> {
    match serde_json::from_slice::<WorkerOutput>(output) {
        Ok(WorkerOutput::Ok(e)) => Ok(e),
        Ok(WorkerOutput::Err { kind, message }) => Err(match kind.as_str() {
            "encrypted" => ExtractError::Encrypted,
            "empty" => ExtractError::Empty,
            "binary" => ExtractError::Binary,
            "encoding" => ExtractError::Encoding,
            "limit" => ExtractError::Limit(message),
            "scanned" => ExtractError::Scanned(message),
            _ => ExtractError::Corrupt(message),
        }),
        Err(e) => Err(ExtractError::Corrupt(format!(
            "extractor output unreadable: {e}"
        ))),
    }
}
