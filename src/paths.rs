//! How files are named. Inside the index a file is its canonical absolute
//! path, kept byte for byte (two names that differ only in bytes that are not
//! UTF-8 stay two files, and the index means the same files whatever folder
//! a later run starts from). People see paths relative to the working
//! directory when they lie under it, and absolute otherwise, with any bytes
//! that are not UTF-8 shown as U+FFFD.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The bytes of a path, losslessly: the key a file is indexed under.
#[cfg(unix)]
pub fn to_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

/// The bytes of a path, losslessly: the key a file is indexed under.
#[cfg(not(unix))]
pub fn to_bytes(path: &Path) -> Vec<u8> {
    // Windows paths are UTF-16 that may be ill-formed; WTF-8 keeps them.
    path.as_os_str().as_encoded_bytes().to_vec()
}

/// The path whose bytes [`to_bytes`] gave.
#[cfg(unix)]
pub fn from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// The path whose bytes [`to_bytes`] gave.
#[cfg(not(unix))]
pub fn from_bytes(bytes: &[u8]) -> PathBuf {
    // SAFETY: the bytes come from `as_encoded_bytes` on this platform.
    PathBuf::from(unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(bytes) })
}

/// The working directory, canonical, read once per process.
fn working_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
    })
    .as_deref()
}

/// How an absolute path stored in the index is shown: relative to the
/// working directory when it lies below it, else as stored.
pub fn shown(stored: &str) -> String {
    match working_dir().and_then(|cwd| relative_to(stored, cwd)) {
        Some(rel) => rel.to_string(),
        None => stored.to_string(),
    }
}

/// The stored names a shown name may stand for: itself (an absolute path,
/// or a record id of a JSON Lines file) and, when relative, the path below
/// the working directory that [`shown`] made it from.
pub fn stored_candidates(shown_name: &str) -> Vec<String> {
    let mut out = vec![shown_name.to_string()];
    if !Path::new(shown_name).is_absolute() {
        if let Some(cwd) = working_dir().and_then(Path::to_str) {
            let sep = std::path::MAIN_SEPARATOR;
            let joined = if cwd.ends_with(sep) {
                format!("{cwd}{shown_name}")
            } else {
                format!("{cwd}{sep}{shown_name}")
            };
            out.push(joined);
        }
    }
    out
}

fn relative_to<'a>(stored: &'a str, dir: &Path) -> Option<&'a str> {
    let dir = dir.to_str()?;
    let rest = stored.strip_prefix(dir)?;
    if dir.ends_with(std::path::MAIN_SEPARATOR) {
        return (!rest.is_empty()).then_some(rest);
    }
    rest.strip_prefix(std::path::MAIN_SEPARATOR)
        .filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_relative_only_below_the_directory() {
        let dir = Path::new("/home/a/work");
        assert_eq!(relative_to("/home/a/work/x/y.txt", dir), Some("x/y.txt"));
        assert_eq!(relative_to("/home/a/workshop/y.txt", dir), None);
        assert_eq!(relative_to("/home/a/work", dir), None);
        assert_eq!(relative_to("/etc/y.txt", Path::new("/")), Some("etc/y.txt"));
    }

    #[cfg(unix)]
    #[test]
    fn bytes_round_trip_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let a = PathBuf::from(std::ffi::OsStr::from_bytes(b"/d/a\xff.txt"));
        let b = PathBuf::from(std::ffi::OsStr::from_bytes(b"/d/a\xfe.txt"));
        assert_ne!(to_bytes(&a), to_bytes(&b));
        assert_eq!(from_bytes(&to_bytes(&a)), a);
        assert_eq!(a.to_string_lossy(), b.to_string_lossy());
    }
}
