//! The store of record: a database folder holding the live `Dataset` as one sled database per
//! *generation*, the file `CURRENT` that names the live one, and `LOCK`. The only module that
//! touches sled.
//!
//! Layout (version 2):
//!
//! ```text
//! DB/LOCK       file lock (flock(2); LockFileEx on Windows): shared while a command reads, exclusive while one imports
//! DB/CURRENT    "chainkb-store 2", schema, generation, label, and a CRC of those lines
//! DB/g<N>/      a sled database written once by an import and only read afterwards
//! DB/journal/  the planning journal, DB/snapshots/ its snapshots: side folders (`side_dir`) that
//!               imports keep and the removal of left-overs never touches (module `journal`)
//! ```
//!
//! A generation's sled database holds the keys `files`, `templates`, `sources`,
//! `public_functions`, `coverage`, `figures`, `catalog` and `listings` (optional: absent in
//! databases written before they existed), chunks `rows/<i>`, `nodes/<i>`, `edges/<i>`
//! (big-endian `i`),
//! each value = CRC-32 (4 bytes, big-endian) + postcard bytes of a `Vec` of up to `CHUNK`
//! records, and last `manifest` (the generation, its label and the number of chunks of each
//! kind), so a generation that sled recovered only in part is seen as damaged, never read as
//! complete.
//!
//! An import writes `g<N+1>.partial/`, flushes it, closes it, opens it again (sled's recovery
//! writes its snapshot then, so that later opens for reading find nothing to write) and reads
//! every record back; then it renames the folder to `g<N+1>/`, replaces `CURRENT` (write a
//! temporary file, fsync, rename, fsync the folder) and deletes `g<N>/`. A crash at any point
//! leaves `CURRENT` naming a complete generation; folders it does not name are left-overs that
//! the next open removes. So the folder holds one generation, two while an import runs, and
//! replaced imports are reclaimed at once.
//!
//! Reading never changes the database: a generation is opened in place only after its import
//! made sled's state final (opening it writes nothing; test `reading_writes_nothing`), `check
//! --store` reads a copy, and a database on read-only media is read through a copy in the
//! temporary folder. Damage is reported as damage; there is no fallback to older data.
//!
//! Databases of layout 1 (one sled database at the folder's root, with a tree per generation)
//! are still read, and the next import converts them.

use crate::model::{
    CatalogItem, Dataset, Edge, EdgeKind, Figure, Listing, Node, PlaceCoverage, Row, SystemEntry,
    TemplateFile,
};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Version of the stored records. Bump it when a stored type changes.
pub const SCHEMA_VERSION: u32 = 1;
/// Version of the folder layout (see the module header).
pub const LAYOUT_VERSION: u32 = 2;
/// sled's page cache: modest, since the graph keeps its own copy of everything in memory.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// How many bytes an import writes before it closes and reopens the database. sled keeps a
/// value it stores as a blob (a chunk over 128 KiB: most node chunks) in its cache but counts
/// it there as a few bytes, so `CACHE_BYTES` never pages such values out: without reopening,
/// the whole generation stayed in memory until the import ended (≈ 380 MB over the loading's
/// peak at 2 M enterprises with a 10 M-edge supply network; issue 13.7). Small in unit tests, so
/// that their imports reopen it many times.
const RELEASE_BYTES: u64 = if cfg!(test) { 16 * 1024 } else { CACHE_BYTES };

/// How many chunks an import's read-back reads before it reopens the database, for the same
/// reason (a chunk is at most about 1 MB).
const RELEASE_CHUNKS: usize = if cfg!(test) { 2 } else { 64 };
/// How many times, 20 ms apart, opening retries a database whose lock is held (see `open`).
const LOCK_RETRIES: u32 = 10;
/// How long a reader waits for sled's own lock on a generation that another reader is loading.
const READ_LOCK_WAIT_MS: u64 = 30_000;
/// Records per stored value.
const CHUNK: usize = 4096;
/// Free space an import needs besides its data: sled's log segments (512 KiB each; a
/// generation's log holds one or two), its snapshot and `CURRENT`.
const IMPORT_SPACE_MARGIN: u64 = 2 * 1024 * 1024;
/// Measured: a generation's folder is its encoded values plus about 1 MiB of log (the shipped
/// data: 0.69 MB; `gen --enterprises 20000`: 4.9 MB, of which 3.8 MB are the values, kept by
/// sled as blob files). An import asks for the values plus a quarter, plus the margin; should
/// that be too little, the import stops with a clear error when the disk fills.
const IMPORT_SPACE_QUARTERS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {0} is in use by another chainkb process")]
    InUse(PathBuf),
    #[error(
        "database {path} has schema version {found}, but this chainkb reads version {expected}: \
         use a chainkb that matches it, or import the data into a new database (chainkb import DIR --db NEW_PATH)"
    )]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("no database at {0} (create one with: chainkb import DIR --db {0})")]
    NotFound(PathBuf),
    #[error("database path {0} is a file, not a folder: choose a folder name (chainkb creates it)")]
    NotAFolder(PathBuf),
    #[error(
        "{0} holds other files and is not a chainkb database: choose a new or empty folder for the database"
    )]
    ForeignFolder(PathBuf),
    #[error("database {0} holds no data yet (load some with: chainkb import DIR --db {0})")]
    Empty(PathBuf),
    #[error("cannot encode the data for storage: {0} (a bug in chainkb: please report it)")]
    Encode(String),
    #[error(
        "database {path} is damaged: {what}. Nothing was changed; to recover, import the data again \
         (chainkb import DIR --db {path}), which replaces the damaged generation"
    )]
    Corrupt { path: PathBuf, what: String },
    #[error(
        "not enough free space for the import into {path}: it needs about {} MB, and {} MB are free. \
         Nothing was changed: the previous data is intact. Free some space and import again",
        .needed / 1_000_000 + 1,
        .free / 1_000_000
    )]
    NoSpace {
        path: PathBuf,
        needed: u64,
        free: u64,
    },
    #[error(
        "the import into {path} stopped: {what}. The previous data is intact; the partial import is \
         removed by the next command that opens the database"
    )]
    ImportStalled { path: PathBuf, what: String },
    #[error("database {path} cannot be changed: {what}")]
    ReadOnly { path: PathBuf, what: String },
    #[error("database {path}: {source}")]
    Sled { path: PathBuf, source: sled::Error },
    #[error("database {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl crate::error::Blamed for StoreError {
    fn blame(&self) -> crate::error::Blame {
        use crate::error::Blame;
        match self {
            // A path that is no database (yet), or one that holds nothing to read.
            StoreError::NotFound(_)
            | StoreError::NotAFolder(_)
            | StoreError::ForeignFolder(_)
            | StoreError::Empty(_) => Blame::Input,
            StoreError::InUse(_)
            | StoreError::ReadOnly { .. }
            | StoreError::NoSpace { .. }
            | StoreError::ImportStalled { .. } => Blame::Environment,
            // sled and I/O errors inside the database folder: its files cannot be trusted
            // (a file deleted or damaged under it), as with a failed checksum.
            StoreError::SchemaVersion { .. }
            | StoreError::Corrupt { .. }
            | StoreError::Sled { .. }
            | StoreError::Io { .. } => Blame::Data,
            StoreError::Encode(_) => Blame::Bug,
        }
    }
}

/// What `open` found that the user should hear about.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// An import of this generation was interrupted; its partial data was discarded.
    pub interrupted_import: Option<u64>,
}

/// Facts about the live generation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub generation: u64,
    /// Where the data came from (a folder, or `bundled:<hash>`).
    pub label: String,
}

impl Meta {
    /// The data version as hand-outs show it: `LABEL（第 N 代）`.
    pub fn version(&self) -> String {
        format!("{}（第 {} 代）", self.label, self.generation)
    }
}

/// How the folder is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `CURRENT` and one sled database per generation (or nothing yet).
    Generations,
    /// Layout 1: one sled database at the folder's root.
    Legacy,
}

pub struct Store {
    path: PathBuf,
    layout: Layout,
    /// Held for the life of the store: shared for readers, exclusive for a writer.
    _lock: Option<File>,
    writable: bool,
    /// What `CURRENT` says; an import through this store replaces it.
    current: std::sync::RwLock<Option<Current>>,
}

/// The contents of `CURRENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Current {
    schema: u32,
    generation: u64,
    label: String,
}

/// The last record of a generation: what a complete one holds.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
struct Manifest {
    generation: u64,
    label: String,
    rows: u32,
    nodes: u32,
    edges: u32,
}

fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

fn generation_dir(path: &Path, generation: u64) -> PathBuf {
    path.join(format!("g{generation}"))
}

fn partial_dir(path: &Path, generation: u64) -> PathBuf {
    path.join(format!("g{generation}.partial"))
}

/// `g<N>` or `g<N>.partial` → (N, partial).
fn parse_generation_name(name: &str) -> Option<(u64, bool)> {
    let rest = name.strip_prefix('g')?;
    let (digits, partial) = match rest.strip_suffix(".partial") {
        Some(d) => (d, true),
        None => (rest, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, partial))
}

impl Current {
    fn to_text(&self) -> String {
        let body = format!(
            "chainkb-store {LAYOUT_VERSION}\nschema {}\ngeneration {}\nlabel {}\n",
            self.schema,
            self.generation,
            self.label.replace(['\n', '\r'], " ")
        );
        let crc = crc32fast::hash(body.as_bytes());
        format!("{body}crc {crc:08x}\n")
    }

    fn parse(text: &str) -> Result<Current, String> {
        let Some(at) = text.rfind("crc ") else {
            return Err("CURRENT has no checksum line".into());
        };
        let (body, crc_line) = text.split_at(at);
        let want = u32::from_str_radix(crc_line.trim_start_matches("crc ").trim(), 16)
            .map_err(|_| "CURRENT's checksum line is not a number".to_string())?;
        if crc32fast::hash(body.as_bytes()) != want {
            return Err("CURRENT fails its checksum".into());
        }
        let mut lines = body.lines();
        let mut field = |name: &str| -> Result<String, String> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' ').or(Some("")))
                .map(str::to_string)
                .ok_or_else(|| format!("CURRENT has no `{name}` line where one belongs"))
        };
        let layout: u32 = field("chainkb-store")?
            .parse()
            .map_err(|_| "CURRENT's layout version is not a number".to_string())?;
        if layout != LAYOUT_VERSION {
            return Err(format!(
                "CURRENT has layout version {layout}, and this chainkb reads version {LAYOUT_VERSION}"
            ));
        }
        let schema = field("schema")?
            .parse()
            .map_err(|_| "CURRENT's schema version is not a number".to_string())?;
        let generation = field("generation")?
            .parse()
            .map_err(|_| "CURRENT's generation is not a number".to_string())?;
        let label = field("label")?;
        Ok(Current {
            schema,
            generation,
            label,
        })
    }
}

/// Take `LOCK` shared (readers) or exclusive (a writer), retrying briefly: a handle dropped in
/// this process, or a reader that is just finishing, may hold it for a few milliseconds.
/// `None` when the lock file can be neither opened nor created: read-only media, where no
/// writer can be at work either.
fn take_lock(path: &Path, exclusive: bool) -> Result<Option<File>, StoreError> {
    let lock_path = path.join("LOCK");
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
    {
        Ok(f) => f,
        Err(e) if !exclusive => match File::open(&lock_path) {
            Ok(f) => f,
            Err(_) if is_read_only_error(&e) => return Ok(None),
            Err(_) => {
                return Err(StoreError::Io {
                    path: lock_path,
                    source: e,
                });
            }
        },
        Err(e) if is_read_only_error(&e) => {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                what: format!("it is on read-only media ({e})"),
            });
        }
        Err(e) => {
            return Err(StoreError::Io {
                path: lock_path,
                source: e,
            });
        }
    };
    for _ in 0..=LOCK_RETRIES {
        // std's file locks: flock(2) on Linux (as before), LockFileEx on Windows.
        let taken = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match taken {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(StoreError::Io {
                    path: lock_path,
                    source: err,
                });
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(StoreError::InUse(path.to_path_buf()))
}

fn is_read_only_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::PermissionDenied
        || e.kind() == std::io::ErrorKind::ReadOnlyFilesystem
        || (cfg!(unix) && e.raw_os_error() == Some(libc::EROFS))
}

/// fsync a folder, so that files created, renamed or removed in it survive a power cut.
#[cfg(not(windows))]
fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

/// On Windows a folder cannot be opened as a file (`File::open` is refused with "Access
/// denied"); NTFS journals its metadata, and the files in it are synced one by one.
#[cfg(windows)]
fn sync_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Free bytes for an unprivileged writer on the filesystem holding `path` (not measured on
/// Windows: the free-space check before an import is skipped there).
#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// Free bytes for an unprivileged writer on the filesystem holding `path`.
#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path and `st` is written by statvfs on success.
    let rc = unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let st = unsafe { st.assume_init() };
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Bytes held by the files below `path`.
#[cfg(test)]
fn folder_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Copy a folder tree (a generation, to read it somewhere sled may write).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let dir = base.join(format!("chainkb-read-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(Scratch(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free name for a scratch folder"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `f`, turning a panic inside sled (it panics on some damage, e.g. a deleted file:
/// "cannot find pid … in view_for_key") into a damage report instead of a crash.
fn catching_sled_panics<T>(
    what: &str,
    path: &Path,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    // The default hook would print the panic as if chainkb had a bug; this one is reported.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                what: format!("sled failed while {what} ({message})"),
            })
        }
    }
}

/// Open a sled database this process has just closed: sled drops its file lock when the last of
/// its internal handles goes, which can be a moment after `drop(db)` returns, so a lock error
/// here is waited out (up to `READ_LOCK_WAIT_MS`) rather than failing the import.
fn reopen_sled(path: &Path) -> Result<sled::Db, sled::Error> {
    let started = std::time::Instant::now();
    loop {
        match sled_config(path).open() {
            Err(e)
                if is_sled_lock(&e)
                    && started.elapsed().as_millis() < READ_LOCK_WAIT_MS as u128 =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        // Every write path flushes explicitly; without sled's background flusher no thread
        // outlives the handle, so dropping it releases sled's file lock at once.
        .flush_every_ms(None)
}

/// sled 0.34 wraps a failed file lock in an `Io` error whose kind is not always `WouldBlock`;
/// its text is stable across 0.34.x.
fn is_sled_lock(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io)
        if io.kind() == std::io::ErrorKind::WouldBlock
            || io.to_string().contains("could not acquire lock"))
}

impl Store {
    /// Open the database at `path` for reading, or with `create` for an import (creating the
    /// folder if it is missing). Readers share the database; an import excludes everyone.
    pub fn open(path: &Path, create: bool) -> Result<(Store, OpenReport), StoreError> {
        if path.exists() && !path.is_dir() {
            return Err(StoreError::NotAFolder(path.to_path_buf()));
        }
        let layout = Self::layout_of(path, create)?;
        let mut report = OpenReport::default();
        if layout == Layout::Legacy {
            return Self::open_legacy(path, create);
        }
        if create {
            std::fs::create_dir_all(path).map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let lock = take_lock(path, create)?;
        let current = Self::read_current(path)?;
        if let Some(c) = &current
            && c.schema != SCHEMA_VERSION
        {
            return Err(StoreError::SchemaVersion {
                path: path.to_path_buf(),
                found: c.schema,
                expected: SCHEMA_VERSION,
            });
        }
        let store = Store {
            path: path.to_path_buf(),
            layout,
            _lock: lock,
            writable: create,
            current: std::sync::RwLock::new(current),
        };
        // Found now, removed by `remove_leftovers` once the caller has said so: an open killed
        // in between reports it again rather than never.
        report.interrupted_import = store.leftovers(false);
        if let Some(c) = &store.current()
            && !generation_dir(path, c.generation).is_dir()
        {
            return Err(store.corrupt(format!(
                "CURRENT names generation {}, and its folder g{} is missing",
                c.generation, c.generation
            )));
        }
        Ok((store, report))
    }

    /// Which layout the folder at `path` has; refuses a folder that holds something else.
    fn layout_of(path: &Path, create: bool) -> Result<Layout, StoreError> {
        if path.join("CURRENT").exists() {
            return Ok(Layout::Generations);
        }
        // Before CURRENT exists, layout 1's files win: an interrupted conversion (LOCK and a
        // partial generation beside them) still reads the layout-1 data.
        if path.join("conf").exists() || path.join("db").exists() {
            return Ok(Layout::Legacy);
        }
        if path.join("LOCK").exists() {
            return Ok(Layout::Generations);
        }
        let entries: Vec<String> = std::fs::read_dir(path)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let ours = |n: &String| parse_generation_name(n).is_some() || n == "CURRENT.tmp";
        if !entries.is_empty() && entries.iter().all(ours) {
            // Generations without CURRENT: a first import that was interrupted, or damage.
            return Ok(Layout::Generations);
        }
        if !create && entries.is_empty() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        if !entries.is_empty() {
            // sled would put its files next to whatever the folder holds (`--db .` in a data
            // folder); a database gets a folder of its own.
            return Err(if create {
                StoreError::ForeignFolder(path.to_path_buf())
            } else {
                StoreError::NotFound(path.to_path_buf())
            });
        }
        Ok(Layout::Generations)
    }

    fn read_current(path: &Path) -> Result<Option<Current>, StoreError> {
        let file = path.join("CURRENT");
        let text = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Generations without CURRENT: the first import never switched (then only
                // partial folders exist) — or CURRENT was lost, which is damage.
                let complete = std::fs::read_dir(path)
                    .map(|d| {
                        d.flatten().any(|e| {
                            parse_generation_name(&e.file_name().to_string_lossy())
                                .is_some_and(|(_, partial)| !partial)
                        })
                    })
                    .unwrap_or(false);
                if complete {
                    return Err(StoreError::Corrupt {
                        path: path.to_path_buf(),
                        what: "the file CURRENT, which names the live generation, is missing"
                            .into(),
                    });
                }
                return Ok(None);
            }
            Err(source) => return Err(StoreError::Io { path: file, source }),
        };
        let text = String::from_utf8(text).map_err(|_| StoreError::Corrupt {
            path: path.to_path_buf(),
            what: "CURRENT is not text".into(),
        })?;
        Current::parse(&text)
            .map(Some)
            .map_err(|what| StoreError::Corrupt {
                path: path.to_path_buf(),
                what,
            })
    }

    /// Remove generation folders that `CURRENT` does not name (left by an interrupted import, or
    /// by a crash between the switch and the removal of the replaced generation), after `open`
    /// reported them. Nobody writes while any `Store` holds the lock, so a folder not named is
    /// not being written; on read-only media they stay.
    pub fn remove_leftovers(&self) {
        self.leftovers(true);
    }

    /// The generation folders `CURRENT` does not name: returns the interrupted import's
    /// generation, if one is among them; with `remove`, removes them all.
    fn leftovers(&self, remove: bool) -> Option<u64> {
        let live = self.current().map(|c| c.generation);
        let mut interrupted = None;
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return None;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "CURRENT.tmp" {
                if remove {
                    let _ = std::fs::remove_file(entry.path());
                }
                continue;
            }
            let Some((g, partial)) = parse_generation_name(&name) else {
                continue;
            };
            if Some(g) == live && !partial {
                continue;
            }
            if partial || live.is_none_or(|l| g > l) {
                interrupted = Some(interrupted.map_or(g, |i: u64| i.max(g)));
            }
            if remove {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        if remove && interrupted.is_some() {
            let _ = sync_dir(&self.path);
        }
        interrupted
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A folder of the database for what outlives imports (`journal/`, `snapshots/`): its name
    /// is never a generation's, so the removal of left-overs never touches it. The path only
    /// (the folder may not exist; `make_side_dir` creates it). Only the module that owns the
    /// folder reads or writes inside it.
    pub fn side_dir(&self, name: &str) -> Result<PathBuf, StoreError> {
        let reserved = [
            "LOCK",
            "CURRENT",
            "CURRENT.tmp",
            "conf",
            "db",
            "blobs",
            "snap",
        ];
        if name.is_empty()
            || name.contains(['/', '\\', '.'])
            || reserved.contains(&name)
            || name.starts_with("snap.")
            || parse_generation_name(name).is_some()
        {
            return Err(StoreError::Encode(format!(
                "`{name}` cannot name a folder of the database"
            )));
        }
        Ok(self.path.join(name))
    }

    /// `side_dir`, created if missing (and the database folder fsynced); only for a store opened
    /// for writing, which holds the exclusive lock.
    pub fn make_side_dir(&self, name: &str) -> Result<PathBuf, StoreError> {
        let dir = self.side_dir(name)?;
        if !self.writable {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                what: "it was opened for reading (a bug in chainkb: please report it)".into(),
            });
        }
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).map_err(|e| self.io(e))?;
            sync_dir(&self.path).map_err(|e| self.io(e))?;
        }
        Ok(dir)
    }

    /// Whether this store was opened for writing (it holds the exclusive lock).
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// Layout 1, until an import through this store converts it.
    fn is_legacy(&self) -> bool {
        self.layout == Layout::Legacy && self.current().is_none()
    }

    fn current(&self) -> Option<Current> {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_current(&self, current: Current) {
        match self.current.write() {
            Ok(mut c) => *c = Some(current),
            Err(poisoned) => *poisoned.into_inner() = Some(current),
        }
    }

    fn sled(&self, e: sled::Error) -> StoreError {
        match e {
            sled::Error::Corruption { at, .. } => self.corrupt(match at {
                Some(at) => format!("sled found damaged data in its log (at {at:?})"),
                None => "sled found damaged data in its log".to_string(),
            }),
            e => StoreError::Sled {
                path: self.path.clone(),
                source: e,
            },
        }
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    /// The live generation, if any data has been imported.
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        if self.is_legacy() {
            return self.legacy_meta();
        }
        Ok(self.current().map(|c| Meta {
            generation: c.generation,
            label: c.label.clone(),
        }))
    }

    /// Replace the stored dataset with `ds`, atomically: either the whole new dataset is live
    /// afterwards, or (on error or crash) the previous one still is.
    pub fn import(&self, ds: &Dataset, label: &str) -> Result<Meta, StoreError> {
        self.import_with_progress(ds, label, &|_, _| {})
    }

    /// `import`, calling `progress(values written, values in all)` as records are written.
    pub fn import_with_progress(
        &self,
        ds: &Dataset,
        label: &str,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Meta, StoreError> {
        if !self.writable {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                what: "it was opened for reading (a bug in chainkb: please report it)".into(),
            });
        }
        // Sized before anything is written (a value that cannot be encoded stops the import
        // here); encoded as it is written, a few values at a time.
        let parts = parts(ds);
        let sizes: Vec<usize> = parts
            .par_iter()
            .map(|p| p.size(ds))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Encode(e.to_string()))?;
        let old = self.meta()?.map(|m| m.generation);
        let generation = old.unwrap_or(0) + 1;
        let manifest = Manifest {
            generation,
            label: label.to_string(),
            rows: ds.rows.len().div_ceil(CHUNK) as u32,
            nodes: ds.nodes.len().div_ceil(CHUNK) as u32,
            edges: ds.edges.len().div_ceil(CHUNK) as u32,
        };
        let encoded_bytes: u64 = sizes.iter().map(|&n| n as u64).sum();
        let needed = encoded_bytes * IMPORT_SPACE_QUARTERS / 4 + IMPORT_SPACE_MARGIN;
        if let Some(free) = free_bytes(&self.path)
            && free < needed
        {
            return Err(StoreError::NoSpace {
                path: self.path.clone(),
                needed,
                free,
            });
        }

        let partial = partial_dir(&self.path, generation);
        self.remove_leftovers();
        let written = self.write_generation(&partial, ds, &parts, &manifest, progress);
        let verified = written.and_then(|()| {
            // Opening it again lets sled's recovery write its snapshot now, while the import
            // may still write; and every record is read back before it goes live.
            catching_sled_panics("reading back the import", &self.path, || {
                self.verify_written(&partial, &manifest)
            })
        });
        if let Err(e) = verified {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(self.explain_write_error(e, needed));
        }
        let live = generation_dir(&self.path, generation);
        std::fs::rename(&partial, &live).map_err(|e| self.io(e))?;
        sync_dir(&self.path).map_err(|e| self.io(e))?;

        // The switch: CURRENT is replaced in one rename.
        let current = Current {
            schema: SCHEMA_VERSION,
            generation,
            label: label.to_string(),
        };
        let tmp = self.path.join("CURRENT.tmp");
        let switched = (|| -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(current.to_text().as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, self.path.join("CURRENT"))?;
            sync_dir(&self.path)
        })();
        if let Err(e) = switched {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_dir_all(&live);
            return Err(self.explain_write_error(self.io(e), needed));
        }

        self.set_current(current);
        // The replaced data is reclaimed at once (layout 1's files too, after a conversion).
        if let Some(old) = old {
            let _ = std::fs::remove_dir_all(generation_dir(&self.path, old));
        }
        if self.layout == Layout::Legacy {
            // Idempotent: after the first conversion there is nothing left to remove.
            self.remove_legacy_files();
        }
        let _ = sync_dir(&self.path);
        Ok(Meta {
            generation,
            label: label.to_string(),
        })
    }

    /// A write error on a full disk says so, with the space the import needs.
    fn explain_write_error(&self, e: StoreError, needed: u64) -> StoreError {
        let full = match &e {
            StoreError::Io { source, .. } => source.kind() == std::io::ErrorKind::StorageFull,
            StoreError::Sled {
                source: sled::Error::Io(io),
                ..
            } => io.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        };
        match (full, free_bytes(&self.path)) {
            (true, Some(free)) => StoreError::NoSpace {
                path: self.path.clone(),
                needed,
                free,
            },
            _ => e,
        }
    }

    /// Write a generation's sled database at `dir`: every part of `ds`, then the manifest,
    /// flushed. This thread encodes the parts a few at a time and hands them to a writing
    /// thread that owns the sled database: sled blocks for good when the disk fills under it,
    /// so the writing is given up (with `ImportStalled`) when it makes no progress while the
    /// disk is full.
    fn write_generation(
        &self,
        dir: &Path,
        ds: &Dataset,
        parts: &[Part],
        manifest: &Manifest,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(), StoreError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::mpsc::{RecvTimeoutError, TrySendError};
        const BATCH: usize = 16;
        let total = parts.len() as u64;
        let written = std::sync::Arc::new(AtomicU64::new(0));
        let (values_tx, values_rx) = std::sync::mpsc::sync_channel::<KeyValue>(BATCH);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Result<(), StoreError>>();
        let dir_owned = dir.to_path_buf();
        let store_path = self.path.clone();
        let written_by_writer = written.clone();
        let half = parts.len() / 2;
        let writer = move || {
            let sled_err = |e| StoreError::Sled {
                path: store_path.clone(),
                source: e,
            };
            let result = (|| {
                let mut db = sled_config(&dir_owned).open().map_err(sled_err)?;
                // Bytes written since the database was opened (see `RELEASE_BYTES`).
                let mut held = 0u64;
                for (i, (k, v)) in values_rx.into_iter().enumerate() {
                    held += (k.len() + v.len()) as u64;
                    db.insert(k, v).map_err(sled_err)?;
                    written_by_writer.fetch_add(1, Ordering::Relaxed);
                    if i == half {
                        fault_injection_pause(&db);
                    }
                    if held >= RELEASE_BYTES {
                        db.flush().map_err(sled_err)?;
                        drop(db);
                        db = reopen_sled(&dir_owned).map_err(sled_err)?;
                        held = 0;
                    }
                }
                db.flush().map_err(sled_err)?;
                drop(db);
                sync_dir(&dir_owned).map_err(|source| StoreError::Io {
                    path: dir_owned.clone(),
                    source,
                })
            })();
            let _ = done_tx.send(result);
        };
        std::thread::Builder::new()
            .name("chainkb-import".into())
            .spawn(writer)
            .map_err(|e| self.io(e))?;

        // Gives up when nothing was written for a while on a full disk.
        let mut stalled_since = None::<(u64, std::time::Instant)>;
        let mut stalled = || -> Option<StoreError> {
            let now = written.load(Ordering::Relaxed);
            progress(now, total);
            let full = free_bytes(&self.path).is_some_and(|f| f < IMPORT_SPACE_MARGIN / 4);
            match stalled_since {
                Some((at, since)) if at == now && full => (since.elapsed()
                    >= std::time::Duration::from_secs(3))
                .then(|| StoreError::ImportStalled {
                    path: self.path.clone(),
                    what: format!(
                        "the disk is full ({} KB free) and the database cannot grow",
                        free_bytes(&self.path).unwrap_or(0) / 1000
                    ),
                }),
                _ => {
                    stalled_since = Some((now, std::time::Instant::now()));
                    None
                }
            }
        };
        let manifest_value = encode(manifest).map_err(|e| StoreError::Encode(e.to_string()))?;
        let mut pending = Vec::with_capacity(BATCH + 1);
        for batch in parts.chunks(BATCH) {
            let encoded: Vec<KeyValue> = batch
                .par_iter()
                .map(|p| Ok((p.key(), p.encode(ds)?)))
                .collect::<Result<_, postcard::Error>>()
                .map_err(|e| StoreError::Encode(e.to_string()))?;
            pending.extend(encoded);
            if std::ptr::eq(batch.as_ptr_range().end, parts.as_ptr_range().end) {
                pending.push((b"manifest".to_vec(), manifest_value.clone()));
            }
            for value in pending.drain(..) {
                let mut value = value;
                loop {
                    match values_tx.try_send(value) {
                        Ok(()) => break,
                        Err(TrySendError::Full(v)) => {
                            value = v;
                            if let Some(e) = stalled() {
                                return Err(e);
                            }
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        }
                        // The writer ended early: its result says why.
                        Err(TrySendError::Disconnected(_)) => {
                            return match done_rx.recv() {
                                Ok(Err(e)) => Err(e),
                                _ => Err(StoreError::ImportStalled {
                                    path: self.path.clone(),
                                    what: "the writing thread ended early".into(),
                                }),
                            };
                        }
                    }
                }
            }
        }
        if parts.is_empty() {
            let _ = values_tx.send((b"manifest".to_vec(), manifest_value));
        }
        drop(values_tx);
        loop {
            match done_rx.recv_timeout(std::time::Duration::from_millis(200)) {
                Ok(result) => {
                    progress(total, total);
                    return result;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(StoreError::ImportStalled {
                        path: self.path.clone(),
                        what: "the writing thread ended without a result".into(),
                    });
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(e) = stalled() {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Open a generation's sled database. A reader may find another reader loading it (sled
    /// locks its files while open), and waits for it.
    fn open_sled(&self, dir: &Path) -> Result<sled::Db, StoreError> {
        let started = std::time::Instant::now();
        loop {
            match sled_config(dir).open() {
                Ok(db) => return Ok(db),
                Err(e)
                    if is_sled_lock(&e)
                        && started.elapsed().as_millis() < READ_LOCK_WAIT_MS as u128 =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if is_sled_lock(&e) => return Err(StoreError::InUse(self.path.clone())),
                Err(e) => return Err(self.sled(e)),
            }
        }
    }

    /// Read the live dataset, verifying every record's checksum and that the generation is
    /// complete.
    pub fn load(&self) -> Result<(Dataset, Meta), StoreError> {
        self.load_live(false)
    }

    fn load_live(&self, through_copy: bool) -> Result<(Dataset, Meta), StoreError> {
        if self.is_legacy() {
            return self.legacy_load();
        }
        let Some(current) = &self.current() else {
            return Err(StoreError::Empty(self.path.clone()));
        };
        let meta = Meta {
            generation: current.generation,
            label: current.label.clone(),
        };
        let dir = generation_dir(&self.path, current.generation);
        let read = |dir: &Path| {
            catching_sled_panics("reading the data", &self.path, || {
                let db = self.open_sled(dir)?;
                let ds = self.load_from(&db)?;
                Ok(ds)
            })
        };
        let ds = if through_copy {
            self.read_through_copy(&dir, read)?
        } else {
            match read(&dir) {
                Err(StoreError::Sled {
                    source: sled::Error::Io(io),
                    ..
                }) if is_read_only_error(&io) => self.read_through_copy(&dir, read)?,
                other => other?,
            }
        };
        Ok((ds, meta))
    }

    /// Read a generation from a copy in the temporary folder: sled may write while it opens a
    /// database (its recovery), which must not touch the original.
    fn read_through_copy<T>(
        &self,
        dir: &Path,
        read: impl Fn(&Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let scratch = Scratch::new().map_err(|e| self.io(e))?;
        let copy = scratch.0.join("g");
        copy_tree(dir, &copy).map_err(|e| StoreError::Io {
            path: scratch.0.clone(),
            source: e,
        })?;
        read(&copy)
    }

    /// Decode a generation's records, checking them against its manifest.
    fn load_from(&self, db: &sled::Db) -> Result<Dataset, StoreError> {
        let manifest = self.read_manifest(db, None)?;
        let ds = self.load_tree(db)?;
        let counts = [
            ("rows", ds.rows.len(), manifest.rows),
            ("nodes", ds.nodes.len(), manifest.nodes),
            ("edges", ds.edges.len(), manifest.edges),
        ];
        for (what, records, chunks) in counts {
            if records.div_ceil(CHUNK) != chunks as usize {
                return Err(self.corrupt(format!(
                    "the live generation is incomplete: {chunks} chunk(s) of {what} were written and {} read back",
                    records.div_ceil(CHUNK)
                )));
            }
        }
        Ok(ds)
    }

    /// An import's read-back of the generation at `dir`: every value decodes and the manifest
    /// matches, one chunk at a time (a second copy of the whole dataset would double the
    /// import's memory), with the database opened again for every `RELEASE_CHUNKS` chunks
    /// (see `RELEASE_BYTES`: else every value read stays in memory).
    fn verify_written(&self, dir: &Path, manifest: &Manifest) -> Result<(), StoreError> {
        {
            // One handle at a time: sled locks its files while one is open.
            let db = &self.open_sled(dir)?;
            self.read_manifest(db, Some(manifest))?;
            let get = |key: &str| -> Result<sled::IVec, StoreError> {
                db.get(key)
                    .map_err(|e| self.sled(e))?
                    .ok_or_else(|| self.corrupt(format!("record {key} is missing")))
            };
            self.decode::<Vec<String>>("files", &get("files")?)?;
            self.decode::<Vec<TemplateFile>>("templates", &get("templates")?)?;
            self.decode::<Vec<Box<str>>>("sources", &get("sources")?)?;
            self.decode::<Vec<(u32, Box<str>)>>("public_functions", &get("public_functions")?)?;
            self.decode::<Vec<(u32, PlaceCoverage)>>("coverage", &get("coverage")?)?;
            self.decode::<Vec<Figure>>("figures", &get("figures")?)?;
            self.decode::<Vec<CatalogItem>>("catalog", &get("catalog")?)?;
            self.decode::<Vec<Listing>>("listings", &get("listings")?)?;
        }
        let check = |prefix: &str, chunks: u32, decode: &ChunkCheck| {
            (0..chunks as usize)
                .step_by(RELEASE_CHUNKS)
                .try_for_each(|first| {
                    let db = &self.open_sled(dir)?;
                    let last = (first + RELEASE_CHUNKS).min(chunks as usize);
                    (first..last).into_par_iter().try_for_each(|i| {
                        let key = chunk_key(prefix, i);
                        let name = format!("{prefix}{i}");
                        let v = db
                            .get(&key)
                            .map_err(|e| self.sled(e))?
                            .ok_or_else(|| self.corrupt(format!("record {name} is missing")))?;
                        decode(&name, &v)
                    })
                })
        };
        check("rows/", manifest.rows, &|k, v| {
            self.decode::<Vec<Row>>(k, v).map(drop)
        })?;
        check("nodes/", manifest.nodes, &|k, v| {
            self.decode::<Vec<Node>>(k, v).map(drop)
        })?;
        check("edges/", manifest.edges, &|k, v| {
            self.decode::<Vec<StoredEdgeOwned>>(k, v).map(drop)
        })?;
        Ok(())
    }

    /// The generation's manifest, checked against `CURRENT` (reading) or against what the
    /// import wrote (`expected`).
    fn read_manifest(
        &self,
        db: &sled::Db,
        expected: Option<&Manifest>,
    ) -> Result<Manifest, StoreError> {
        let manifest: Manifest = match db.get("manifest").map_err(|e| self.sled(e))? {
            Some(v) => self.decode("manifest", &v)?,
            None => {
                return Err(self.corrupt(
                    "the live generation is incomplete (its last record, the manifest, is missing: \
                     sled recovered only part of it)",
                ));
            }
        };
        if let Some(current) = &self.current()
            && expected.is_none()
            && (manifest.generation != current.generation || manifest.label != current.label)
        {
            return Err(self.corrupt(format!(
                "CURRENT names generation {} ({}), and its folder holds generation {} ({})",
                current.generation, current.label, manifest.generation, manifest.label
            )));
        }
        if let Some(expected) = expected
            && &manifest != expected
        {
            return Err(self.corrupt("the import's manifest reads back differently"));
        }
        Ok(manifest)
    }

    /// Decode the records of one generation from a sled tree (a generation's database, or a
    /// layout-1 generation tree).
    fn load_tree(&self, tree: &sled::Tree) -> Result<Dataset, StoreError> {
        let get = |key: &str| -> Result<Vec<u8>, StoreError> {
            tree.get(key)
                .map_err(|e| self.sled(e))?
                .map(|v| v.to_vec())
                .ok_or_else(|| self.corrupt(format!("record {key} is missing")))
        };
        let files: Vec<String> = self.decode("files", &get("files")?)?;
        let templates: Vec<TemplateFile> = self.decode("templates", &get("templates")?)?;
        let sources: Vec<Box<str>> = self.decode("sources", &get("sources")?)?;
        // Added within schema 1 as a key of its own: a database written before has none (and
        // an older chainkb ignores it), so neither needs a new schema version.
        let public_functions: Vec<(u32, Box<str>)> =
            match tree.get("public_functions").map_err(|e| self.sled(e))? {
                Some(v) => self.decode("public_functions", &v)?,
                None => Vec::new(),
            };
        // Likewise `coverage` (what each place's enterprise data covers): absent, no place
        // states one.
        let coverage: Vec<(u32, PlaceCoverage)> =
            match tree.get("coverage").map_err(|e| self.sled(e))? {
                Some(v) => self.decode("coverage", &v)?,
                None => Vec::new(),
            };
        // Likewise `figures` and `catalog` (figures stated for places and systems; systems and
        // catalogs item by item): absent, a document states none.
        let figures: Vec<Figure> = match tree.get("figures").map_err(|e| self.sled(e))? {
            Some(v) => self.decode("figures", &v)?,
            None => Vec::new(),
        };
        let catalog: Vec<CatalogItem> = match tree.get("catalog").map_err(|e| self.sled(e))? {
            Some(v) => self.decode("catalog", &v)?,
            None => Vec::new(),
        };
        // Likewise `listings` (source tables' enterprise listings): absent, there are none.
        let listings: Vec<Listing> = match tree.get("listings").map_err(|e| self.sled(e))? {
            Some(v) => self.decode("listings", &v)?,
            None => Vec::new(),
        };
        let rows: Vec<Row> = self.load_chunks(tree, "rows/")?;
        let nodes: Vec<Node> = self.load_chunks(tree, "nodes/")?;
        // Each chunk is split as it is decoded, so the wide stored form never exists for all
        // edges at once.
        let parts: Vec<EdgeChunk> = self.load_chunks_with(tree, "edges/", split_edges)?;
        let mut edges = Vec::with_capacity(parts.iter().map(|(e, _)| e.len()).sum());
        let mut systems = Vec::new();
        for (part, part_systems) in parts {
            let offset = edges.len() as u32;
            systems.extend(part_systems.into_iter().map(|(i, s)| (offset + i, s)));
            edges.extend(part);
        }
        Ok(Dataset {
            files,
            rows,
            sources,
            nodes,
            edges,
            systems,
            templates,
            public_functions,
            coverage,
            figures,
            catalog,
            listings,
            prospects: Vec::new(),
        })
    }

    fn load_chunks<T: DeserializeOwned + Send>(
        &self,
        tree: &sled::Tree,
        prefix: &str,
    ) -> Result<Vec<T>, StoreError> {
        let parts = self.load_chunks_with(tree, prefix, |chunk: Vec<T>| chunk)?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Decode the chunks under `prefix` in parallel, passing each through `convert`; the
    /// results are in key (= record) order. Chunk numbers must run 0, 1, 2 … without a hole.
    fn load_chunks_with<T: DeserializeOwned, U: Send>(
        &self,
        tree: &sled::Tree,
        prefix: &str,
        convert: impl Fn(Vec<T>) -> U + Sync,
    ) -> Result<Vec<U>, StoreError> {
        let raw: Vec<(sled::IVec, sled::IVec)> = tree
            .scan_prefix(prefix)
            .collect::<Result<_, _>>()
            .map_err(|e| self.sled(e))?;
        for (expected, (k, _)) in raw.iter().enumerate() {
            let idx = k
                .get(prefix.len()..)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes);
            if idx != Some(expected as u32) {
                return Err(self.corrupt(format!("record {prefix}{expected} is missing")));
            }
        }
        raw.par_iter()
            .enumerate()
            .map(|(i, (_, v))| self.decode(&format!("{prefix}{i}"), v).map(&convert))
            .collect()
    }

    fn decode<T: DeserializeOwned>(&self, key: &str, v: &[u8]) -> Result<T, StoreError> {
        if v.len() < 4 {
            return Err(self.corrupt(format!("record {key} is truncated")));
        }
        let (crc, body) = v.split_at(4);
        let want = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(body) != want {
            return Err(self.corrupt(format!("record {key} fails its checksum")));
        }
        postcard::from_bytes(body)
            .map_err(|e| self.corrupt(format!("record {key} cannot be decoded: {e}")))
    }

    /// Read every record of the live generation (`check --store`): sled only notices damage
    /// when damaged data is read. It reads a copy, so that checking never changes the database
    /// (sled's recovery truncates a damaged log where it opens it).
    pub fn verify(&self) -> Result<usize, StoreError> {
        let (ds, _) = self.load_live(true)?;
        Ok(ds.rows.len() + ds.nodes.len() + ds.edges.len())
    }

    /// The bytes the database folder holds on disk.
    #[cfg(test)]
    fn disk_bytes(&self) -> u64 {
        folder_bytes(&self.path)
    }

    /// Test support: rewrite one field of `CURRENT` (`schema`, `label`), keeping it valid.
    #[doc(hidden)]
    pub fn set_current_raw(&self, field: &str, value: &str) -> Result<(), StoreError> {
        let mut current = self
            .current()
            .ok_or_else(|| StoreError::Empty(self.path.clone()))?;
        match field {
            "schema" => current.schema = value.parse().unwrap_or(u32::MAX),
            "label" => current.label = value.to_string(),
            other => return Err(self.corrupt(format!("no CURRENT field {other}"))),
        }
        std::fs::write(self.path.join("CURRENT"), current.to_text()).map_err(|e| self.io(e))?;
        self.set_current(current);
        Ok(())
    }

    /// Test support: run `f` on the live generation's sled database.
    #[cfg(test)]
    fn with_live_sled<T>(&self, f: impl FnOnce(&sled::Db) -> T) -> T {
        let g = self.current().expect("a live generation").generation;
        let db = self
            .open_sled(&generation_dir(&self.path, g))
            .expect("open the live generation");
        f(&db)
    }

    // ---- layout 1: one sled database at the folder's root (chainkb before layout 2) ----

    /// A layout-1 database is read in place as before (sled's own lock excludes a second
    /// process), and converted by the next import.
    fn open_legacy(path: &Path, create: bool) -> Result<(Store, OpenReport), StoreError> {
        // Readers rely on sled's own lock, as layout 1 did (a LOCK file made by a reader would
        // not tell a layout-1 chainkb anything); an import takes LOCK as in layout 2.
        let lock = if create { take_lock(path, true)? } else { None };
        let store = Store {
            path: path.to_path_buf(),
            layout: Layout::Legacy,
            _lock: lock,
            writable: create,
            current: std::sync::RwLock::new(None),
        };
        // The schema version is checked on open, as layout 1 did.
        let db = store.open_legacy_sled()?;
        if let Some(v) = db
            .open_tree("meta")
            .map_err(|e| store.sled(e))?
            .get("schema_version")
            .map_err(|e| store.sled(e))?
        {
            let found = v
                .as_ref()
                .try_into()
                .map(u32::from_be_bytes)
                .map_err(|_| store.corrupt("meta/schema_version is not a 4-byte number"))?;
            if found != SCHEMA_VERSION {
                return Err(StoreError::SchemaVersion {
                    path: path.to_path_buf(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
        }
        Ok((store, OpenReport::default()))
    }

    fn open_legacy_sled(&self) -> Result<sled::Db, StoreError> {
        catching_sled_panics("opening the database", &self.path, || {
            self.open_sled(&self.path)
        })
    }

    fn legacy_meta(&self) -> Result<Option<Meta>, StoreError> {
        let db = self.open_legacy_sled()?;
        let meta = db.open_tree("meta").map_err(|e| self.sled(e))?;
        let Some(g) = meta.get("generation").map_err(|e| self.sled(e))? else {
            return Ok(None);
        };
        let generation =
            be_u64(&g).ok_or_else(|| self.corrupt("meta/generation is not a number"))?;
        let label = meta
            .get("label")
            .map_err(|e| self.sled(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        Ok(Some(Meta { generation, label }))
    }

    fn legacy_load(&self) -> Result<(Dataset, Meta), StoreError> {
        let Some(meta) = self.legacy_meta()? else {
            return Err(StoreError::Empty(self.path.clone()));
        };
        catching_sled_panics("reading the data", &self.path, || {
            let db = self.open_legacy_sled()?;
            let tree = db
                .open_tree(format!("g{}", meta.generation))
                .map_err(|e| self.sled(e))?;
            Ok((self.load_tree(&tree)?, meta))
        })
    }

    /// After a conversion, layout 1's files go (the new generation is live by then).
    fn remove_legacy_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let legacy =
                matches!(name.as_str(), "conf" | "db" | "blobs") || name.starts_with("snap.");
            if legacy {
                let _ = if entry.path().is_dir() {
                    std::fs::remove_dir_all(entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
            }
        }
    }
}

/// A stored key and its value.
type KeyValue = (Vec<u8>, Vec<u8>);

/// Decodes one stored chunk (named by its key) and drops it: an import's read-back.
type ChunkCheck<'a> = dyn Fn(&str, &[u8]) -> Result<(), StoreError> + Sync + 'a;

/// One stored value of a dataset, before it is encoded: a whole small table, or one chunk of
/// rows, nodes or edges. An import encodes them a few at a time as it writes them, so the
/// encoded form of the whole dataset never exists in memory at once.
#[derive(Debug, Clone, Copy)]
enum Part {
    Files,
    Templates,
    Sources,
    PublicFunctions,
    Coverage,
    Figures,
    Catalog,
    Listings,
    Rows(usize),
    Nodes(usize),
    Edges(usize),
}

/// Every stored value of `ds` but the manifest, in writing order.
fn parts(ds: &Dataset) -> Vec<Part> {
    let mut out = vec![
        Part::Files,
        Part::Templates,
        Part::Sources,
        Part::PublicFunctions,
        Part::Coverage,
        Part::Figures,
        Part::Catalog,
        Part::Listings,
    ];
    out.extend((0..ds.rows.len().div_ceil(CHUNK)).map(Part::Rows));
    out.extend((0..ds.nodes.len().div_ceil(CHUNK)).map(Part::Nodes));
    out.extend((0..ds.edges.len().div_ceil(CHUNK)).map(Part::Edges));
    out
}

fn chunk_key(prefix: &str, i: usize) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.extend_from_slice(&(i as u32).to_be_bytes());
    k
}

fn chunk_of<T>(items: &[T], i: usize) -> &[T] {
    let start = (i * CHUNK).min(items.len());
    &items[start..(start + CHUNK).min(items.len())]
}

impl Part {
    fn key(self) -> Vec<u8> {
        match self {
            Part::Files => b"files".to_vec(),
            Part::Templates => b"templates".to_vec(),
            Part::Sources => b"sources".to_vec(),
            Part::PublicFunctions => b"public_functions".to_vec(),
            Part::Coverage => b"coverage".to_vec(),
            Part::Figures => b"figures".to_vec(),
            Part::Catalog => b"catalog".to_vec(),
            Part::Listings => b"listings".to_vec(),
            Part::Rows(i) => chunk_key("rows/", i),
            Part::Nodes(i) => chunk_key("nodes/", i),
            Part::Edges(i) => chunk_key("edges/", i),
        }
    }

    /// The stored value: CRC-32 and postcard bytes.
    fn encode(self, ds: &Dataset) -> Result<Vec<u8>, postcard::Error> {
        match self {
            Part::Files => encode(&ds.files),
            Part::Templates => encode(&ds.templates),
            Part::Sources => encode(&ds.sources),
            Part::PublicFunctions => encode(&ds.public_functions),
            Part::Coverage => encode(&ds.coverage),
            Part::Figures => encode(&ds.figures),
            Part::Catalog => encode(&ds.catalog),
            Part::Listings => encode(&ds.listings),
            Part::Rows(i) => encode(chunk_of(&ds.rows, i)),
            Part::Nodes(i) => encode(chunk_of(&ds.nodes, i)),
            Part::Edges(i) => encode(&stored_edges(ds, i * CHUNK, chunk_of(&ds.edges, i))),
        }
    }

    /// The stored value's size in bytes, without encoding it.
    fn size(self, ds: &Dataset) -> Result<usize, postcard::Error> {
        let body = match self {
            Part::Files => postcard::experimental::serialized_size(&ds.files),
            Part::Templates => postcard::experimental::serialized_size(&ds.templates),
            Part::Sources => postcard::experimental::serialized_size(&ds.sources),
            Part::PublicFunctions => postcard::experimental::serialized_size(&ds.public_functions),
            Part::Coverage => postcard::experimental::serialized_size(&ds.coverage),
            Part::Figures => postcard::experimental::serialized_size(&ds.figures),
            Part::Catalog => postcard::experimental::serialized_size(&ds.catalog),
            Part::Listings => postcard::experimental::serialized_size(&ds.listings),
            Part::Rows(i) => postcard::experimental::serialized_size(chunk_of(&ds.rows, i)),
            Part::Nodes(i) => postcard::experimental::serialized_size(chunk_of(&ds.nodes, i)),
            Part::Edges(i) => postcard::experimental::serialized_size(&stored_edges(
                ds,
                i * CHUNK,
                chunk_of(&ds.edges, i),
            )),
        }?;
        Ok(4 + body + self.key().len())
    }
}

/// Every stored (key, value) of a dataset but the manifest (for tests that build a database by
/// hand).
#[cfg(test)]
fn encode_dataset(ds: &Dataset) -> Result<Vec<KeyValue>, postcard::Error> {
    parts(ds)
        .into_iter()
        .map(|p| Ok((p.key(), p.encode(ds)?)))
        .collect()
}

/// An edge as stored: the in-memory [`Edge`] with its IN_SYSTEM payload inline (the layout of
/// schema version 1, when `Edge` held the payload itself).
#[derive(Serialize, serde::Deserialize)]
struct StoredEdge<S> {
    kind: EdgeKind,
    from: u32,
    to: u32,
    row: u32,
    system: Option<S>,
}

/// Written borrowing the payload; read owning it, boxed (rarely present, so it stays small).
type StoredEdgeRef<'a> = StoredEdge<&'a SystemEntry>;
type StoredEdgeOwned = StoredEdge<Box<SystemEntry>>;

/// One chunk of edges, and the system payloads of its edges by index within the chunk.
type EdgeChunk = (Vec<Edge>, Vec<(u32, SystemEntry)>);

fn split_edges(chunk: Vec<StoredEdgeOwned>) -> EdgeChunk {
    let mut systems = Vec::new();
    let edges = chunk
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            if let Some(sys) = s.system {
                systems.push((i as u32, *sys));
            }
            Edge {
                kind: s.kind,
                from: s.from,
                to: s.to,
                row: s.row,
            }
        })
        .collect();
    (edges, systems)
}

/// The edges `edges` of `ds`, the first at index `first`, as stored (with their payloads).
fn stored_edges<'a>(ds: &'a Dataset, first: usize, edges: &[Edge]) -> Vec<StoredEdgeRef<'a>> {
    // `systems` is sorted by edge index.
    let start = ds.systems.partition_point(|(at, _)| (*at as usize) < first);
    let mut systems = ds.systems[start..].iter().peekable();
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| StoredEdge {
            kind: e.kind,
            from: e.from,
            to: e.to,
            row: e.row,
            system: systems
                .next_if(|(at, _)| *at as usize == first + i)
                .map(|(_, s)| s),
        })
        .collect()
}

/// CRC-32 (big-endian) followed by the postcard bytes.
fn encode<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, postcard::Error> {
    let body = postcard::to_stdvec(v)?;
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Test hook for the crash-safety test: with `CHAINKB_FAULT_PAUSE_IMPORT` set, an import
/// flushes what it has written so far, says so on stderr, and waits to be killed.
fn fault_injection_pause(db: &sled::Db) {
    if std::env::var_os("CHAINKB_FAULT_PAUSE_IMPORT").is_some() {
        let _ = db.flush();
        eprintln!("chainkb: fault injection: import paused half-way");
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attrs, Kind};

    fn tiny(n: usize) -> Dataset {
        Dataset::segments_only(n)
    }

    #[test]
    fn import_then_load_round_trips_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let (store, report) = Store::open(dir.path(), true).unwrap();
        assert_eq!(report, OpenReport::default());
        let ds = tiny(CHUNK * 2 + 3);
        store.import(&ds, "t").unwrap();
        let (back, meta) = store.load().unwrap();
        assert_eq!(back, ds);
        assert_eq!(meta.generation, 1);
        let ds2 = tiny(5);
        store.import(&ds2, "t2").unwrap();
        let (back, meta) = store.load().unwrap();
        assert_eq!(back, ds2);
        assert_eq!(meta.generation, 2);
        // the old generation's folder is gone
        assert!(!dir.path().join("g1").exists());
        assert!(dir.path().join("g2").is_dir());
    }

    /// Edges across chunk boundaries, a few carrying an industry-system payload: the payloads
    /// come back on the right edges (their index is rebuilt from each chunk's offset).
    #[test]
    fn edges_and_their_system_payloads_round_trip_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        let mut ds = tiny(3);
        let n = CHUNK * 2 + 5;
        for i in 0..n {
            ds.edges.push(Edge {
                kind: if i % 1000 == 7 {
                    EdgeKind::InSystem
                } else {
                    EdgeKind::Supplies
                },
                from: (i % 3) as u32,
                to: ((i + 1) % 3) as u32,
                row: (i % 3) as u32,
            });
            if i % 1000 == 7 || i == CHUNK || i == n - 1 {
                ds.systems.push((
                    i as u32,
                    SystemEntry {
                        system: format!("体系{i}").into(),
                        class: "主导".into(),
                        target_revenue_yi: Some(i as f64),
                    },
                ));
            }
        }
        store.import(&ds, "t").unwrap();
        let (back, _) = store.load().unwrap();
        assert_eq!(back, ds);
        assert_eq!(
            back.edge_system(CHUNK as u32).map(|s| &*s.system),
            Some(&*format!("体系{CHUNK}"))
        );
        assert_eq!(back.edge_system(8), None);
    }

    /// The in-memory types were made smaller without changing what is stored: records written
    /// by earlier versions of schema 1 still decode, and new records are byte-identical.
    #[test]
    fn stored_records_keep_the_schema_1_layout() {
        use serde::Deserialize;
        // The schema-1 shapes as they were declared.
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct OldEdge {
            kind: EdgeKind,
            from: u32,
            to: u32,
            row: u32,
            system: Option<Box<SystemEntry>>,
        }
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct OldRow {
            file: u32,
            line: u32,
            source: u32,
            notes: Option<Box<str>>,
        }
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        enum OldAttrs {
            Region {
                level: Box<str>,
            },
            Park {
                kind: Box<str>,
                area_km2: Option<f64>,
            },
        }
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct OldNode {
            kind: Kind,
            id: Box<str>,
            display_name: Option<Box<str>>,
            aliases: Vec<Box<str>>,
            attrs: OldAttrs,
            row: u32,
        }
        let entry = SystemEntry {
            system: "231".into(),
            class: "主导".into(),
            target_revenue_yi: Some(630.0),
        };
        let old = OldEdge {
            kind: EdgeKind::InSystem,
            from: 1,
            to: 2,
            row: 3,
            system: Some(Box::new(entry.clone())),
        };
        let ds = Dataset {
            edges: vec![Edge {
                kind: EdgeKind::InSystem,
                from: 1,
                to: 2,
                row: 3,
            }],
            systems: vec![(0, entry)],
            ..Default::default()
        };
        let old_bytes = postcard::to_stdvec(&vec![&old]).unwrap();
        assert_eq!(
            postcard::to_stdvec(&stored_edges(&ds, 0, &ds.edges)).unwrap(),
            old_bytes
        );
        let back: Vec<StoredEdgeOwned> = postcard::from_bytes(&old_bytes).unwrap();
        assert_eq!(back[0].system.as_deref(), old.system.as_deref());

        let old = OldRow {
            file: 1,
            line: 2,
            source: 3,
            notes: Some("表内重复".into()),
        };
        let new = Row {
            file: 1,
            line: 2,
            source: 3,
            notes: Some(Box::new("表内重复".into())),
        };
        assert_eq!(
            postcard::to_stdvec(&new).unwrap(),
            postcard::to_stdvec(&old).unwrap()
        );

        let old = OldNode {
            kind: Kind::Park,
            id: "研和片区".into(),
            display_name: None,
            aliases: vec!["研和".into()],
            attrs: OldAttrs::Park {
                kind: "片区".into(),
                area_km2: Some(20.42),
            },
            row: 4,
        };
        let new = Node {
            kind: Kind::Park,
            id: "研和片区".into(),
            display_name: None,
            aliases: Box::new(["研和".into()]),
            attrs: Attrs::Park(Box::new(crate::model::ParkAttrs {
                kind: "片区".into(),
                area_km2: Some(20.42),
            })),
            row: 4,
        };
        let bytes = postcard::to_stdvec(&old).unwrap();
        assert_eq!(postcard::to_stdvec(&new).unwrap(), bytes);
        assert_eq!(postcard::from_bytes::<Node>(&bytes).unwrap(), new);
    }

    /// `public_functions` came after the first databases: one written without the key opens
    /// with none, and one written with it gives them back.
    #[test]
    fn public_functions_round_trip_and_are_optional() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        let mut ds = tiny(3);
        ds.public_functions = vec![(1, "疾病预防控制机构".into())];
        store.import(&ds, "t").unwrap();
        let (back, _) = store.load().unwrap();
        assert_eq!(back.public_function(1), Some("疾病预防控制机构"));
        assert_eq!(back, ds);
        store.with_live_sled(|db| db.remove("public_functions").unwrap());
        let (back, _) = store.load().unwrap();
        assert!(back.public_functions.is_empty());
        assert_eq!(back.nodes, ds.nodes);
    }

    /// `figures` and `catalog` are keys of their own like `coverage`: no schema version.
    #[test]
    fn figures_and_catalog_round_trip_and_are_optional() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        let mut ds = tiny(3);
        ds.figures = vec![Figure {
            place: 0,
            system: "体系".into(),
            industry: Some(1),
            measure: "主营业务收入目标".into(),
            value: Some(630.0),
            unit: "亿元".into(),
            year: Some(2025),
            text: "力争到2025年，实现主营业务收入630亿元".into(),
            row: 0,
        }];
        ds.catalog = vec![CatalogItem {
            place: 0,
            system: "目录".into(),
            industry: 1,
            industry_no: Some(1),
            number: Some(2),
            heading: "花卉".into(),
            item: "花卉电商".into(),
            models: vec![2].into(),
            row: 1,
        }];
        store.import(&ds, "t").unwrap();
        let (back, _) = store.load().unwrap();
        assert_eq!(back, ds);
        store.with_live_sled(|db| {
            db.remove("figures").unwrap();
            db.remove("catalog").unwrap();
        });
        let (back, _) = store.load().unwrap();
        assert!(back.figures.is_empty() && back.catalog.is_empty());
        assert_eq!(back.nodes, ds.nodes);
    }

    /// `coverage` is a key of its own like `public_functions`: no schema version for it.
    #[test]
    fn coverage_round_trips_and_is_optional() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        let mut ds = tiny(3);
        ds.coverage = vec![(
            0,
            crate::model::PlaceCoverage {
                coverage: crate::model::Coverage::None,
                source: "doc.txt:1".into(),
            },
        )];
        store.import(&ds, "t").unwrap();
        let (back, _) = store.load().unwrap();
        assert_eq!(back, ds);
        store.with_live_sled(|db| db.remove("coverage").unwrap());
        let (back, _) = store.load().unwrap();
        assert!(back.coverage.is_empty());
        assert_eq!(back.nodes, ds.nodes);
    }

    /// `listings` is a key of its own like `coverage`: no schema version for it.
    #[test]
    fn listings_round_trip_and_are_optional() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        let mut ds = tiny(3);
        ds.listings = vec![Listing {
            table: "表5".into(),
            industry: 0,
            field: Some(1),
            enterprise: None,
            written: Listing::NONE.into(),
            row: 2,
        }];
        store.import(&ds, "t").unwrap();
        let (back, _) = store.load().unwrap();
        assert_eq!(back, ds);
        store.with_live_sled(|db| db.remove("listings").unwrap());
        let (back, _) = store.load().unwrap();
        assert!(back.listings.is_empty());
        assert_eq!(back.nodes, ds.nodes);
    }

    #[test]
    fn a_flipped_byte_is_reported_as_damage() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(10), "t").unwrap();
        store.with_live_sled(|db| {
            let mut k = b"nodes/".to_vec();
            k.extend_from_slice(&0u32.to_be_bytes());
            let mut v = db.get(&k).unwrap().unwrap().to_vec();
            let last = v.len() - 1;
            v[last] ^= 0xFF;
            db.insert(&k, v).unwrap();
            db.flush().unwrap();
        });
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("fails its checksum"), "{err}");
    }

    #[test]
    fn an_unknown_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(2), "t").unwrap();
        }
        {
            let (store, _) = Store::open(dir.path(), false).unwrap();
            store.set_current_raw("schema", "99").unwrap();
        }
        let err = Store::open(dir.path(), false).err().unwrap().to_string();
        assert!(err.contains("schema version 99"), "{err}");
        assert!(err.contains("reads version 1"), "{err}");
    }

    #[test]
    fn a_missing_database_is_not_created_by_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope");
        let err = Store::open(&path, false).err().unwrap().to_string();
        assert!(err.contains("no database at"), "{err}");
        assert!(!path.exists());
    }
    /// Every file below `dir` with its bytes, to see whether anything was written.
    fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else if e.file_name() != "LOCK" {
                    out.push((e.path(), std::fs::read(e.path()).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    /// Opening and reading a database, and checking it, change no byte of it: so a read on a
    /// full disk cannot destroy it.
    #[test]
    fn reading_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(CHUNK + 10), "a").unwrap();
            store.import(&tiny(50), "b").unwrap();
        }
        let before = files_of(dir.path());
        for _ in 0..3 {
            let (store, report) = Store::open(dir.path(), false).unwrap();
            assert_eq!(report, OpenReport::default());
            let (ds, meta) = store.load().unwrap();
            assert_eq!(ds, tiny(50));
            assert_eq!(meta.label, "b");
            assert_eq!(store.verify().unwrap(), 50 + 50);
        }
        assert!(
            before == files_of(dir.path()),
            "a read changed the database"
        );
    }

    /// Replaced imports are reclaimed: after many imports the folder holds one generation.
    #[test]
    fn repeated_imports_do_not_grow_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(CHUNK * 2), "first").unwrap();
        let first = store.disk_bytes();
        for i in 0..12 {
            store
                .import(&tiny(CHUNK * 2), &format!("again {i}"))
                .unwrap();
        }
        let last = store.disk_bytes();
        assert!(
            last <= first * 2,
            "{first} bytes after one import, {last} after 13"
        );
        let gens: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| parse_generation_name(&e.file_name().to_string_lossy()).is_some())
            .collect();
        assert_eq!(gens.len(), 1);
    }

    /// A damaged byte anywhere in the live generation's files is reported as damage or read
    /// back right; the previous data is never served instead (it is gone once the new one is
    /// live), and checking changes nothing.
    #[test]
    fn damage_in_the_last_import_is_never_a_silent_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let (new, old) = (tiny(CHUNK + 7), tiny(3));
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&old, "old").unwrap();
            store.import(&new, "new").unwrap();
        }
        let db_file = dir.path().join("g2").join("db");
        let pristine = std::fs::read(&db_file).unwrap();
        let mut damaged = 0;
        for step in 1..24 {
            let at = pristine.len() * step / 24;
            let mut bytes = pristine.clone();
            bytes[at] ^= 0x5A;
            std::fs::write(&db_file, &bytes).unwrap();
            let (store, _) = Store::open(dir.path(), false).unwrap();
            let before = files_of(dir.path());
            let checked = store.verify();
            assert!(
                before == files_of(dir.path()),
                "check --store changed the database"
            );
            match store.load() {
                Ok((ds, meta)) => {
                    assert_eq!(ds, new, "byte {at}: other data served");
                    assert_eq!(meta.label, "new");
                    assert!(checked.is_ok());
                }
                Err(StoreError::Corrupt { .. } | StoreError::Sled { .. }) => {
                    damaged += 1;
                    assert!(checked.is_err(), "byte {at}: load fails, check passes");
                }
                Err(e) => panic!("byte {at}: {e}"),
            }
        }
        // Most of the file is record data (the chunks are incompressible): damage is seen.
        assert!(damaged > 0);
    }

    #[test]
    fn a_lost_or_damaged_current_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(4), "t").unwrap();
        }
        let current = dir.path().join("CURRENT");
        let text = std::fs::read_to_string(&current).unwrap();
        std::fs::write(&current, text.replace("generation 1", "generation 7")).unwrap();
        let err = Store::open(dir.path(), false).err().unwrap().to_string();
        assert!(err.contains("CURRENT fails its checksum"), "{err}");
        std::fs::remove_file(&current).unwrap();
        let err = Store::open(dir.path(), false).err().unwrap().to_string();
        assert!(
            err.contains("CURRENT, which names the live generation, is missing"),
            "{err}"
        );
        assert!(
            dir.path().join("g1").is_dir(),
            "damage is reported, not cleaned up"
        );
    }

    #[test]
    fn a_deleted_file_inside_a_generation_is_damage_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(CHUNK * 3), "t").unwrap();
        }
        for entry in std::fs::read_dir(dir.path().join("g1")).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("snap.") || name == "db" {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        let (store, _) = Store::open(dir.path(), false).unwrap();
        assert!(store.load().is_err());
        assert!(store.verify().is_err());
    }

    /// An import killed before its switch leaves a partial folder: the next open says so and
    /// removes it; the previous data is live.
    #[test]
    fn a_partial_import_is_reported_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(4), "t").unwrap();
        }
        std::fs::create_dir(dir.path().join("g2.partial")).unwrap();
        std::fs::write(dir.path().join("g2.partial").join("db"), b"half").unwrap();
        // Reported until it is removed (an open killed before the removal reports it again).
        let (store, report) = Store::open(dir.path(), false).unwrap();
        assert_eq!(report.interrupted_import, Some(2));
        drop(store);
        let (store, report) = Store::open(dir.path(), false).unwrap();
        assert_eq!(report.interrupted_import, Some(2));
        store.remove_leftovers();
        assert!(!dir.path().join("g2.partial").exists());
        assert_eq!(store.load().unwrap().0, tiny(4));
        drop(store);
        let (_, report) = Store::open(dir.path(), false).unwrap();
        assert_eq!(report, OpenReport::default());
    }

    /// Readers share a database; an import waits for none of them and is refused.
    #[test]
    fn readers_share_and_an_import_excludes() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store.import(&tiny(4), "t").unwrap();
        }
        let (a, _) = Store::open(dir.path(), false).unwrap();
        let (b, _) = Store::open(dir.path(), false).unwrap();
        assert_eq!(a.load().unwrap().0, b.load().unwrap().0);
        assert!(matches!(
            Store::open(dir.path(), true),
            Err(StoreError::InUse(_))
        ));
        drop((a, b));
        let (w, _) = Store::open(dir.path(), true).unwrap();
        assert!(matches!(
            Store::open(dir.path(), false),
            Err(StoreError::InUse(_))
        ));
        drop(w);
    }

    /// A database of layout 1 (one sled database, a tree per generation) is read, and the next
    /// import converts it to layout 2, reclaiming its files.
    #[test]
    fn a_layout_1_database_is_read_and_converted_by_the_next_import() {
        let dir = tempfile::tempdir().unwrap();
        let old = tiny(CHUNK + 2);
        {
            let db = sled_config(dir.path()).open().unwrap();
            let meta = db.open_tree("meta").unwrap();
            meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())
                .unwrap();
            meta.insert("generation", &3u64.to_be_bytes()).unwrap();
            meta.insert("label", "legacy").unwrap();
            let tree = db.open_tree("g3").unwrap();
            for (k, v) in encode_dataset(&old).unwrap() {
                tree.insert(k, v).unwrap();
            }
            db.flush().unwrap();
        }
        {
            let (store, _) = Store::open(dir.path(), false).unwrap();
            let (ds, meta) = store.load().unwrap();
            assert_eq!(ds, old);
            assert_eq!((meta.generation, meta.label.as_str()), (3, "legacy"));
        }
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(5), "new").unwrap();
        drop(store);
        assert!(!dir.path().join("db").exists() && !dir.path().join("conf").exists());
        let (store, _) = Store::open(dir.path(), false).unwrap();
        let (ds, meta) = store.load().unwrap();
        assert_eq!(ds, tiny(5));
        assert_eq!(meta.generation, 4);
    }

    #[test]
    fn current_round_trips_and_refuses_other_layouts() {
        let c = Current {
            schema: 1,
            generation: 12,
            label: "data/a data/b".into(),
        };
        assert_eq!(Current::parse(&c.to_text()), Ok(c.clone()));
        let other = c.to_text().replace("chainkb-store 2", "chainkb-store 3");
        let body = &other[..other.rfind("crc ").unwrap()];
        let other = format!("{body}crc {:08x}\n", crc32fast::hash(body.as_bytes()));
        assert!(
            Current::parse(&other)
                .unwrap_err()
                .contains("layout version 3")
        );
    }
}
