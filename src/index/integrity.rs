//! Is an index whole? Its files checked (JSON, footers, checksums, the
//! commit payload) and the damaged one named; tantivy's errors and panics on
//! damaged data turned into one [`Error::Damaged`].
//!
//! Checksums take a read of every byte of the index, so commands do not
//! check before reading: they check when reading failed, to tell damage from
//! other failures and to name the file. `status --verify` checks everything.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};
use tantivy::index::SegmentComponent;
use tantivy::{Index, IndexMeta, TantivyError};

use crate::error::{Error, Result};
use crate::index::{self, statistics, storage, MANAGED_FILE, META_FILE};

/// One file of an index, checked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileCheck {
    /// File name within the index directory.
    pub file: String,
    /// Its size in bytes (`None` if it is missing).
    pub bytes: Option<u64>,
    /// What was checked.
    pub checked: String,
    /// What is wrong with it; `None` if it passed.
    pub problem: Option<String>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The index directory.
    pub index: PathBuf,
    /// Segments in the last commit.
    pub segments: usize,
    /// Every file checked, in the order checked.
    pub files: Vec<FileCheck>,
    /// Whether everything passed.
    pub sound: bool,
    /// The first problem found, as [`Error::Damaged`] gives it.
    pub problem: Option<String>,
}

impl Verification {
    /// [`Error::Damaged`] if a check failed.
    pub fn into_result(self) -> Result<Self> {
        match &self.problem {
            None => Ok(self),
            Some(reason) => Err(Error::Damaged {
                path: self.index.clone(),
                reason: reason.clone(),
            }),
        }
    }

    fn fail(&mut self, reason: String) {
        self.sound = false;
        self.problem.get_or_insert(reason);
    }

    fn push(&mut self, check: FileCheck) {
        if let Some(problem) = &check.problem {
            self.fail(format!("{} {problem}", check.file));
        }
        self.files.push(check);
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "index:    {}", self.index.display())?;
        let width = self.files.iter().map(|c| c.file.len()).max().unwrap_or(0);
        for c in &self.files {
            let bytes = c.bytes.map_or("-".to_string(), |b| b.to_string());
            let result = match &c.problem {
                None => "ok".to_string(),
                Some(p) => format!("DAMAGED: {p}"),
            };
            writeln!(
                f,
                "  {:<width$}  {bytes:>10} bytes  {}: {result}",
                c.file, c.checked
            )?;
        }
        match &self.problem {
            None => writeln!(
                f,
                "result:   sound ({} files, {} segments)",
                self.files.len(),
                self.segments
            ),
            Some(p) => writeln!(f, "result:   damaged: {p}"),
        }
    }
}

/// What each segment's files must hold; the delete file only when it has deletes.
const COMPONENTS: [SegmentComponent; 6] = [
    SegmentComponent::Postings,
    SegmentComponent::Positions,
    SegmentComponent::Terms,
    SegmentComponent::Store,
    SegmentComponent::FastFields,
    SegmentComponent::FieldNorms,
];

/// Checks every file of the index in `dir`: `meta.json` and `.managed.json`
/// parse, the commit payload is ours and of this format, each segment file
/// of the last commit is present with an intact footer and checksum, and the
/// segments open. Damage is reported in the [`Verification`], not as an
/// error; errors are for what is not damage (no index, no permission, an
/// index of another version).
pub fn verify(dir: &Path) -> Result<Verification> {
    match index::locate(dir) {
        // Found damaged (no meta.json): the checks below say so.
        Ok(()) | Err(Error::Damaged { .. }) => {}
        Err(e) => return Err(e),
    }
    let mut v = Verification {
        index: dir.to_path_buf(),
        segments: 0,
        files: Vec::new(),
        sound: true,
        problem: None,
    };
    check_json_files(&mut v, dir)?;
    if !v.sound {
        return Ok(v);
    }
    let Some((index, metas)) = check_commit(&mut v, dir)? else {
        return Ok(v);
    };
    let mut segments = metas.segments.clone();
    segments.sort_by_key(|s| s.id().uuid_string());
    v.segments = segments.len();
    for segment in &segments {
        let mut components: Vec<SegmentComponent> = COMPONENTS.to_vec();
        if segment.has_deletes() {
            components.push(SegmentComponent::Delete);
        }
        for component in components {
            let check = segment_file(&index, dir, &segment.relative_path(component))?;
            v.push(check);
        }
    }
    if v.sound {
        check_segments_open(&mut v, dir, &index)?;
    }
    if v.sound {
        check_statistics(&mut v, dir, &index);
    }
    Ok(v)
}

/// `meta.json` and `.managed.json` parse as what tantivy wrote.
fn check_json_files(v: &mut Verification, dir: &Path) -> Result<()> {
    let meta = json_file(dir, META_FILE, "JSON", |bytes| {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .filter(|m| m.get("segments").is_some_and(|s| s.is_array()))
            .map(|_| ())
            .ok_or("is not valid index metadata")
    })?;
    v.push(meta);
    if dir.join(MANAGED_FILE).symlink_metadata().is_ok() {
        let managed = json_file(dir, MANAGED_FILE, "JSON", |bytes| {
            serde_json::from_str::<Vec<PathBuf>>(&String::from_utf8_lossy(bytes))
                .map(|_| ())
                .map_err(|_| "is not a valid list of files")
        })?;
        v.push(managed);
    }
    Ok(())
}

/// The index opens and its last commit is ours, of this format; `None`
/// (with the damage recorded) if not.
fn check_commit(v: &mut Verification, dir: &Path) -> Result<Option<(Index, IndexMeta)>> {
    let index = match storage::open_directory(dir).and_then(Index::open) {
        Ok(index) => index,
        Err(e) => {
            if let Some(err) = environmental(dir, &e) {
                return Err(err);
            }
            v.fail(format!("{META_FILE} cannot be opened ({})", short(&e)));
            return Ok(None);
        }
    };
    let metas = index.load_metas().map_err(Error::from)?;
    match storage::check_format(dir, &index, &metas) {
        Ok((_, info)) => {
            if let Some(first) = v.files.first_mut() {
                first.checked = format!(
                    "JSON, commit payload (format {}, {})",
                    info.format,
                    index::format_utc(info.updated)
                );
            }
            Ok(Some((index, metas)))
        }
        Err(Error::Damaged { reason, .. }) => {
            if let Some(first) = v.files.first_mut() {
                first.problem = reason.strip_prefix(META_FILE).map(|r| r.trim().to_string());
            }
            v.fail(reason);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Every file is as written; the segments must also open.
fn check_segments_open(v: &mut Verification, dir: &Path, index: &Index) -> Result<()> {
    let opened = catch_unwind(AssertUnwindSafe(|| {
        index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map(|reader: tantivy::IndexReader| reader.searcher().segment_readers().len())
    }));
    match opened {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            if let Some(err) = environmental(dir, &e) {
                return Err(err);
            }
            v.fail(format!("its segments cannot be opened ({})", short(&e)));
        }
        Err(_) => v.fail("its segments cannot be opened".to_string()),
    }
    Ok(())
}

/// The recorded document statistics, if any: described, never a problem
/// (queries count them again when the record does not hold).
fn check_statistics(v: &mut Verification, dir: &Path, index: &Index) {
    let Ok(reader) = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
    else {
        return;
    };
    let reader: tantivy::IndexReader = reader;
    if let Some(checked) = statistics::describe(dir, &reader.searcher()) {
        let name = statistics::STATISTICS_FILE;
        v.push(FileCheck {
            file: name.to_string(),
            bytes: std::fs::metadata(dir.join(name)).ok().map(|m| m.len()),
            checked,
            problem: None,
        });
    }
}

/// Reads and checks one of tantivy's JSON files; errors other than damage
/// (permission, I/O) end the verification.
fn json_file(
    dir: &Path,
    name: &str,
    checked: &str,
    parse: impl FnOnce(&[u8]) -> std::result::Result<(), &'static str>,
) -> Result<FileCheck> {
    let path = dir.join(name);
    let mut check = FileCheck {
        file: name.to_string(),
        bytes: None,
        checked: checked.to_string(),
        problem: None,
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            check.problem = Some("is missing".to_string());
        }
        Err(e) => return Err(Error::io(path, e)),
        Ok(m) if !m.is_file() => check.problem = Some("is not a regular file".to_string()),
        Ok(m) => {
            check.bytes = Some(m.len());
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            check.problem = parse(&bytes).err().map(str::to_string);
        }
    }
    Ok(check)
}

/// Checks one segment file: present, a regular file, footer intact and of
/// this tantivy format, checksum right.
fn segment_file(index: &Index, dir: &Path, name: &Path) -> Result<FileCheck> {
    let path = dir.join(name);
    let mut check = FileCheck {
        file: name.to_string_lossy().into_owned(),
        bytes: None,
        checked: "footer, checksum".to_string(),
        problem: None,
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            check.problem = Some("is missing".to_string());
            return Ok(check);
        }
        Err(e) => return Err(Error::io(path, e)),
        Ok(m) if !m.is_file() => {
            check.problem = Some("is not a regular file".to_string());
            return Ok(check);
        }
        Ok(m) => check.bytes = Some(m.len()),
    }
    let read = |r: std::result::Result<bool, OpenReadError>| -> Result<Option<String>> {
        match r {
            Ok(true) => Ok(None),
            Ok(false) => Ok(Some("fails its checksum".to_string())),
            Err(OpenReadError::IoError { io_error, .. }) if is_environmental(&io_error) => {
                Err(Error::io(&path, copy_io(&io_error)))
            }
            Err(OpenReadError::FileDoesNotExist(_)) => Ok(Some("is missing".to_string())),
            Err(_) => Ok(Some("is truncated or its footer is damaged".to_string())),
        }
    };
    let directory = index.directory();
    check.problem = read(tantivy::directory::Directory::open_read(directory, name).map(|_| true))?;
    if check.problem.is_none() {
        check.problem = read(directory.validate_checksum(name))?;
    }
    Ok(check)
}

/// Checks that a stored document's bytes hold together as tantivy's binary
/// document encoding: every type known, every length and count within the
/// bytes. tantivy reserves memory for a length before reading what it
/// counts, so a damaged length would abort the process on an allocation of
/// exabytes; checked first, it is an error instead.
pub fn check_stored_doc(bytes: &[u8]) -> std::result::Result<(), &'static str> {
    let mut r = Bytes(bytes);
    let fields = r.count()?;
    for _ in 0..fields {
        r.take(4)?; // field id
        stored_value(&mut r, 0)?;
    }
    Ok(())
}

/// Nesting of arrays and objects beyond which a stored value is damage
/// (ours are flat).
const MAX_STORED_DEPTH: usize = 32;

// tantivy's type codes of stored values (not public in tantivy).
const TEXT_CODE: u8 = 0;
const U64_CODE: u8 = 1;
const I64_CODE: u8 = 2;
const HIERARCHICAL_FACET_CODE: u8 = 3;
const BYTES_CODE: u8 = 4;
const DATE_CODE: u8 = 5;
const F64_CODE: u8 = 6;
const EXT_CODE: u8 = 7;
const BOOL_CODE: u8 = 9;
const IP_CODE: u8 = 10;
const NULL_CODE: u8 = 11;
const ARRAY_CODE: u8 = 12;
const OBJECT_CODE: u8 = 13;
const TOK_STR_EXT_CODE: u8 = 0;

fn stored_value(r: &mut Bytes<'_>, depth: usize) -> std::result::Result<(), &'static str> {
    match r.byte()? {
        TEXT_CODE | HIERARCHICAL_FACET_CODE | BYTES_CODE => {
            let len = r.count()?;
            r.take(len)?;
        }
        U64_CODE | I64_CODE | F64_CODE | DATE_CODE => r.take(8)?,
        BOOL_CODE => r.take(1)?,
        IP_CODE => r.take(16)?,
        NULL_CODE => {}
        EXT_CODE => match r.byte()? {
            TOK_STR_EXT_CODE => {
                let len = r.count()?;
                r.take(len)?;
            }
            _ => return Err("has a value of an unknown type"),
        },
        ARRAY_CODE | OBJECT_CODE if depth < MAX_STORED_DEPTH => {
            let items = r.count()?;
            for _ in 0..items {
                stored_value(r, depth + 1)?;
            }
        }
        _ => return Err("has a value of an unknown type"),
    }
    Ok(())
}

/// A cursor over a stored document's bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> std::result::Result<u8, &'static str> {
        let (&b, rest) = self.0.split_first().ok_or("ends early")?;
        self.0 = rest;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> std::result::Result<(), &'static str> {
        let n = usize::try_from(n).ok().filter(|&n| n <= self.0.len());
        self.0 = &self.0[n.ok_or("has a length past its end")?..];
        Ok(())
    }

    /// A length or count (tantivy's variable-length integer, the last byte
    /// marked by its top bit); each thing counted takes a byte at least, so
    /// it cannot exceed the bytes left.
    fn count(&mut self) -> std::result::Result<u64, &'static str> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 != 0 {
                return if value <= self.0.len() as u64 {
                    Ok(value)
                } else {
                    Err("has a length past its end")
                };
            }
        }
        Err("has a malformed length")
    }
}

/// Why the index in `dir` is damaged, if it is; `None` if every check
/// passes or it cannot be checked. Never panics.
pub fn diagnose(dir: &Path) -> Option<String> {
    catch_unwind(|| verify(dir).ok().and_then(|v| v.problem))
        .ok()
        .flatten()
}

/// Turns an error met while using the index in `dir` into the error to
/// report: tantivy's errors on damaged data become [`Error::Damaged`] naming
/// the file; errors of the environment (permission, full disk) become
/// [`Error::Io`] naming the path.
pub fn explain(dir: &Path, err: Error) -> Error {
    match err {
        Error::Tantivy(e) => from_tantivy(dir, e),
        other => other,
    }
}

/// [`explain`] for a tantivy error.
pub fn from_tantivy(dir: &Path, e: TantivyError) -> Error {
    if let Some(err) = environmental(dir, &e) {
        return err;
    }
    // tantivy passes some I/O errors on as text (its indexing threads') or
    // re-wrapped without their kind: the operating system's error is in the
    // text as "(os error N)". A thread's failure may come with no text at
    // all; on a disk with no space left, that is the likely cause.
    let io = os_error_in(&e.to_string()).or_else(|| {
        matches!(e, TantivyError::ErrorInThread(_))
            .then(|| fs4::available_space(dir).is_ok_and(|free| free == 0))
            .filter(|&full| full)
            .map(|_| std::io::Error::from(std::io::ErrorKind::StorageFull))
    });
    if let Some(io) = io.filter(is_environmental) {
        return Error::io(dir, io);
    }
    if let Some(reason) = diagnose(dir) {
        return Error::Damaged {
            path: dir.to_path_buf(),
            reason,
        };
    }
    match e {
        TantivyError::DataCorruption(_)
        | TantivyError::DeserializeError(_)
        | TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_)) => Error::Damaged {
            path: dir.to_path_buf(),
            reason: short(&e),
        },
        TantivyError::OpenReadError(OpenReadError::IoError { ref io_error, .. })
            if matches!(
                io_error.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            Error::Damaged {
                path: dir.to_path_buf(),
                reason: short(&e),
            }
        }
        TantivyError::IoError(ref io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            Error::Damaged {
                path: dir.to_path_buf(),
                reason: short(&e),
            }
        }
        TantivyError::IncompatibleIndex(_)
        | TantivyError::OpenReadError(OpenReadError::IncompatibleIndex(_)) => {
            Error::IncompatibleIndex {
                path: dir.to_path_buf(),
                found: "files of another tantivy format".to_string(),
            }
        }
        other => Error::Tantivy(other),
    }
}

/// The error of the environment (no permission, a full or read-only disk)
/// inside a tantivy error, as [`Error::Io`] naming the file.
pub fn environmental(dir: &Path, e: &TantivyError) -> Option<Error> {
    let (io, file): (&std::io::Error, Option<&Path>) = match e {
        TantivyError::IoError(io) => (io, None),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath })
        | TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => {
            (io_error, Some(filepath))
        }
        TantivyError::LockFailure(LockError::IoError(io), _) => (io, None),
        TantivyError::OpenDirectoryError(
            tantivy::directory::error::OpenDirectoryError::IoError { io_error, .. },
        ) => (io_error, None),
        _ => return None,
    };
    is_environmental(io).then(|| {
        let path = match file {
            Some(f) if f.is_absolute() => f.to_path_buf(),
            Some(f) => dir.join(f),
            None => dir.to_path_buf(),
        };
        Error::io(path, copy_io(io))
    })
}

/// The operating system's error named in a message ("… (os error 28)").
fn os_error_in(text: &str) -> Option<std::io::Error> {
    let (_, rest) = text.rsplit_once("(os error ")?;
    let code = rest.split(')').next()?.parse::<i32>().ok()?;
    Some(std::io::Error::from_raw_os_error(code))
}

/// Failures that say nothing about the index's bytes.
fn is_environmental(io: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        io.kind(),
        PermissionDenied
            | StorageFull
            | ReadOnlyFilesystem
            | QuotaExceeded
            | FileTooLarge
            | OutOfMemory
    )
}

/// An owned copy of a shared I/O error, keeping the operating system's message.
fn copy_io(io: &std::io::Error) -> std::io::Error {
    match io.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(io.kind(), io.to_string()),
    }
}

/// A tantivy error in a few words, for a reason that fits on one line.
fn short(e: &TantivyError) -> String {
    let text = match e {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
            format!(
                "{} is missing",
                p.file_name().unwrap_or_default().to_string_lossy()
            )
        }
        other => other.to_string(),
    };
    clip(&text)
}

/// At most one line of 120 characters.
fn clip(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

/// A panic hook, as `std::panic::take_hook` returns it.
pub type PanicHook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// A panic hook installed for a while: it is handed the hook it replaced
/// (to pass panics on to, or not), which is put back when this is dropped.
/// Scoped hooks nest; each must be dropped on the thread that installed it,
/// innermost first.
pub struct ScopedHook {
    previous: Arc<PanicHook>,
}

impl ScopedHook {
    /// Installs `hook` in place of the current panic hook.
    pub fn install(hook: impl Fn(&PanicHookInfo<'_>, &PanicHook) + Sync + Send + 'static) -> Self {
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| hook(info, &chained)));
        ScopedHook { previous }
    }
}

impl Drop for ScopedHook {
    fn drop(&mut self) {
        let previous = Arc::clone(&self.previous);
        std::panic::set_hook(Box::new(move |info| previous(info)));
    }
}

/// A panic seen by [`QuietPanics`].
#[derive(Debug, Clone)]
struct Caught {
    message: String,
    location: String,
}

/// While installed, panic messages stay off stderr (the command reports the
/// failure itself) and the first is kept.
struct QuietPanics {
    _hook: ScopedHook,
    first: Arc<Mutex<Option<Caught>>>,
}

impl QuietPanics {
    fn install() -> Self {
        let first: Arc<Mutex<Option<Caught>>> = Arc::default();
        let keep = Arc::clone(&first);
        let hook = ScopedHook::install(move |info, _previous| {
            let message = panic_text(info.payload()).unwrap_or_default();
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            if let Ok(mut first) = keep.lock() {
                first.get_or_insert(Caught { message, location });
            }
        });
        QuietPanics { _hook: hook, first }
    }

    fn first(&self) -> Option<Caught> {
        self.first.lock().ok().and_then(|c| c.clone())
    }
}

/// Runs a command on the index in `dir`: its errors go through [`explain`],
/// and a panic (tantivy reading damaged data) becomes [`Error::Damaged`]
/// naming the damaged file, or [`Error::Internal`] if the panic was ours and
/// the index checks out.
pub fn guard<T>(dir: &Path, command: impl FnOnce() -> Result<T>) -> Result<T> {
    let quiet = QuietPanics::install();
    let outcome = catch_unwind(AssertUnwindSafe(command));
    let result = match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(explain(dir, e)),
        Err(_) => Err(explain_panic(dir, quiet.first())),
    };
    drop(quiet);
    result
}

fn explain_panic(dir: &Path, caught: Option<Caught>) -> Error {
    if let Some(reason) = diagnose(dir) {
        return Error::Damaged {
            path: dir.to_path_buf(),
            reason,
        };
    }
    let caught = caught.unwrap_or(Caught {
        message: "a panic".to_string(),
        location: String::new(),
    });
    // The files check out, but a dependency (tantivy and the crates it
    // reads with) failed reading them: damage that no checksum covers
    // (meta.json has none). Our own code's locations are relative paths.
    if !caught.location.starts_with("src/") && index::exists(dir) {
        return Error::Damaged {
            path: dir.to_path_buf(),
            reason: format!("it cannot be read ({})", clip(&caught.message)),
        };
    }
    Error::Internal(clip(&format!("{} at {}", caught.message, caught.location)))
}

/// The message a panic was raised with, if it was text.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Tests that replace the process's panic hook run one at a time.
    static HOOKS: Mutex<()> = Mutex::new(());

    fn io(kind: std::io::ErrorKind) -> Arc<std::io::Error> {
        Arc::new(std::io::Error::from(kind))
    }

    #[test]
    fn permission_denied_reading_metadata_names_the_file() {
        let e = TantivyError::OpenReadError(OpenReadError::IoError {
            io_error: io(std::io::ErrorKind::PermissionDenied),
            filepath: PathBuf::from(".managed.json"),
        });
        let err = from_tantivy(Path::new("idx"), e);
        match &err {
            Error::Io { path, source } => {
                assert_eq!(path, Path::new("idx/.managed.json"));
                assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("permission denied"), "{err}");
        assert!(err.hint().unwrap().contains("permission"));
        // As the operating system reports it.
        let e = TantivyError::OpenReadError(OpenReadError::IoError {
            // EACCES
            io_error: Arc::new(std::io::Error::from_raw_os_error(13)),
            filepath: PathBuf::from("meta.json"),
        });
        let err = from_tantivy(Path::new("idx"), e);
        assert_eq!(
            err.to_string(),
            "idx/meta.json: Permission denied (os error 13)"
        );
    }

    #[test]
    fn full_disk_anywhere_in_tantivy_is_storage_full() {
        let full = || std::io::Error::from_raw_os_error(28);
        for e in [
            TantivyError::IoError(Arc::new(full())),
            TantivyError::OpenWriteError(OpenWriteError::IoError {
                io_error: Arc::new(full()),
                filepath: PathBuf::from("abc.idx"),
            }),
            TantivyError::LockFailure(LockError::IoError(Arc::new(full())), None),
            // As tantivy's indexing threads report it: text.
            TantivyError::InternalError(full().to_string()),
            // Re-wrapped without its kind.
            TantivyError::IoError(Arc::new(std::io::Error::other(full().to_string()))),
        ] {
            let err = from_tantivy(Path::new("idx"), e);
            let Error::Io { source, .. } = &err else {
                panic!("{err:?}");
            };
            assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
            assert!(err.to_string().contains("No space left on device"), "{err}");
            assert!(err.hint().unwrap().contains("disk is full"));
        }
    }

    #[test]
    fn corruption_where_nothing_can_be_checked_is_still_damage() {
        let dir = tempfile::tempdir().unwrap();
        let e =
            TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only("bad block"));
        let err = from_tantivy(dir.path(), e);
        assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
        assert!(err.hint().unwrap().contains("--rebuild"));
    }

    #[test]
    fn a_panic_under_guard_is_an_error_and_hooks_come_back() {
        let _one = HOOKS.lock().unwrap_or_else(|e| e.into_inner());
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        let original = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }));
        let dir = tempfile::tempdir().unwrap();
        let r: Result<()> = guard(dir.path(), || panic!("boom"));
        match r {
            Err(Error::Internal(m)) => assert!(m.contains("boom"), "{m}"),
            other => panic!("{other:?}"),
        }
        // Nested: the inner guard's hook gives way to the outer's, then ours.
        let r: Result<()> = guard(dir.path(), || {
            let inner: Result<()> = guard(dir.path(), || panic!("inner"));
            assert!(inner.is_err());
            let passing = ScopedHook::install(|info, previous| previous(info));
            drop(passing);
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(CALLS.load(Ordering::SeqCst), 0, "guards kept panics quiet");
        let _ = catch_unwind(|| panic!("after"));
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            1,
            "the hook set before is back"
        );
        std::panic::set_hook(original);
    }

    #[test]
    fn stored_documents_are_checked_before_tantivy_reads_them() {
        use tantivy::schema::{Schema, STORED, STRING, TEXT};
        use tantivy::{doc, Index, IndexWriter};
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let id = builder.add_u64_field("id", STORED);
        let tag = builder.add_text_field("tag", STRING | STORED);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(
                doc!(text => "integrated care boards", id => 7u64, tag => "a", tag => "b"),
            )
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let store = searcher.segment_reader(0).get_store_reader(1).unwrap();
        let bytes = store.get_document_bytes(0).unwrap().as_slice().to_vec();
        assert_eq!(check_stored_doc(&bytes), Ok(()));
        // Every truncation, and every length made huge, is refused.
        for cut in 0..bytes.len() {
            assert!(check_stored_doc(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut huge = bytes.clone();
        // The first field's text length: after the field count (1 byte), the
        // field id (4) and the type code (1).
        huge.splice(6..7, [0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x81]);
        assert_eq!(check_stored_doc(&huge), Err("has a length past its end"));
        let mut unknown = bytes.clone();
        unknown[5] = 99;
        assert_eq!(
            check_stored_doc(&unknown),
            Err("has a value of an unknown type")
        );
        // Any bytes at all: an answer, never a panic.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..10_000 {
            let mut junk = bytes.clone();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x % junk.len() as u64) as usize;
            junk[at] = (x >> 32) as u8;
            let _ = check_stored_doc(&junk);
        }
    }

    #[test]
    fn long_reasons_are_clipped_to_one_line() {
        let long = format!("{}\nsecond line", "x".repeat(300));
        let c = clip(&long);
        assert_eq!(c.chars().count(), 121);
        assert!(!c.contains('\n'));
    }
}
