//! OCR of scanned pages through the `tesseract` command, when it is
//! installed: the page's image goes in as PNG on stdin, its text comes out
//! on stdout. Tesseract is a separate, optional program (Debian's
//! `tesseract-ocr`), so the build stays pure Rust and a machine without it
//! indexes everything else and says which pages it could not read.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::ExtractError;

/// Environment variable naming the tesseract program (default `tesseract`).
pub const TESSERACT_VAR: &str = "POLICY_SEARCH_TESSERACT";
/// Longest one page may take: a full page at 300 dpi takes 1–3 s.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);
/// Most text kept from one page: a dense page is ~5 KB.
const MAX_PAGE_TEXT: u64 = 1 << 20;

/// The OCR engine: how to run tesseract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ocr {
    program: PathBuf,
}

impl Ocr {
    /// Tesseract, if it runs here: `$POLICY_SEARCH_TESSERACT`, else
    /// `tesseract` on the PATH.
    pub fn find() -> Option<Ocr> {
        let program = std::env::var_os(TESSERACT_VAR)
            .filter(|p| !p.is_empty())
            .map_or_else(|| PathBuf::from("tesseract"), PathBuf::from);
        Ocr::at(program)
    }

    /// The tesseract at `program`, taken on trust: one that [`Ocr::find`]
    /// found in a parent process.
    pub fn assumed(program: PathBuf) -> Ocr {
        Ocr { program }
    }

    /// The program run.
    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// The tesseract at `program`, if it runs.
    fn at(program: PathBuf) -> Option<Ocr> {
        let runs = Command::new(&program)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        runs.then_some(Ocr { program })
    }

    /// The text of a page image (PNG bytes), as tesseract reads it.
    pub fn read_png(&self, png: &[u8]) -> Result<String, ExtractError> {
        let failed = |why: String| ExtractError::Corrupt(format!("OCR failed: {why}"));
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| failed(format!("cannot start {}: {e}", self.program.display())))?;
        // Feed and drain on their own threads: tesseract may write before it
        // has read everything, and either pipe could fill.
        let mut stdin = child.stdin.take();
        let image = png.to_vec();
        let feeder = std::thread::spawn(move || {
            if let Some(pipe) = stdin.as_mut() {
                let _ = pipe.write_all(&image);
            }
        });
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(pipe) = stdout {
                let _ = pipe.take(MAX_PAGE_TEXT).read_to_end(&mut text);
            }
            text
        });
        let status = match child.wait_timeout(PAGE_TIMEOUT) {
            Ok(Some(status)) => status,
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = (feeder.join(), reader.join());
                return Err(ExtractError::Limit(crate::limits::out_of_time_reason(
                    PAGE_TIMEOUT,
                )));
            }
        };
        let _ = feeder.join();
        let text = reader.join().unwrap_or_default();
        if !status.success() {
            return Err(failed(format!("tesseract exited with {status}")));
        }
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

/// Pages as a reader writes them: `3`, `1–4, 9`.
pub fn page_ranges(pages: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let start = pages[i];
        let mut end = start;
        while i + 1 < pages.len() && pages[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        out.push(if end > start {
            format!("{start}–{end}")
        } else {
            start.to_string()
        });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_written_as_ranges() {
        assert_eq!(page_ranges(&[]), "");
        assert_eq!(page_ranges(&[3]), "3");
        assert_eq!(page_ranges(&[1, 2, 3, 4, 9]), "1–4, 9");
        assert_eq!(page_ranges(&[1, 3, 4]), "1, 3–4");
    }

    #[test]
    fn a_missing_program_is_not_found() {
        assert_eq!(Ocr::at(PathBuf::from("/nonexistent/tesseract")), None);
    }
}
