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
//! databases written before they existed), chunks `runs/<i>` and `row_notes/<i>` (the provenance
//! rows packed, `model::Rows`), `nodes/<i>`, `edges/<i>` (`write::PackedEdge`) (big-endian `i`),
//! each value = CRC-32 (4 bytes, big-endian) + the LZ4-compressed postcard bytes (their length
//! first) of a `Vec` of up to `CHUNK` records; the graph's open index (`open_index` and its
//! chunks, `index.rs`; absent in generations written before it existed); and last `manifest`
//! (the generation, its label and the number of chunks of each kind), so a generation that
//! sled recovered only in part is seen as damaged, never read as complete.
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
    CatalogItem, Dataset, Edge, EdgeKind, EdgeParts, Figure, Listing, Node, PartSink,
    PlaceCoverage, Rows, StoredRun, SystemEntry, TemplateFile,
};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Version of the stored records. Bump it when a stored type changes.
///
/// 2 (2026-12-07): provenance rows stored as runs (`runs/<i>`) and notes (`row_notes/<i>`)
/// instead of one record a row (`rows/<i>`), edges with `from` and `row` as differences
/// (`write::PackedEdge`) and their IN_SYSTEM payloads beside them in the chunk, every value's
/// postcard bytes compressed (LZ4, `write::encode`).
pub const SCHEMA_VERSION: u32 = 2;
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

/// Why the store failed. Its text is in the language chosen for the run
/// ([`crate::lang::current`]; [`StoreError::render`] for a given one).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    InUse(PathBuf),
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    NotFound(PathBuf),
    NotAFolder(PathBuf),
    ForeignFolder(PathBuf),
    Empty(PathBuf),
    Encode(String),
    Corrupt {
        path: PathBuf,
        what: String,
    },
    NoSpace {
        path: PathBuf,
        needed: u64,
        free: u64,
    },
    ImportStalled {
        path: PathBuf,
        what: String,
    },
    ReadOnly {
        path: PathBuf,
        what: String,
    },
    Sled {
        path: PathBuf,
        source: sled::Error,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl StoreError {
    /// The message in `lang`. The details inside `Corrupt`, `ImportStalled` and `ReadOnly`
    /// were written in the run's language when the error was made.
    pub fn render(&self, lang: crate::lang::Lang) -> String {
        use crate::tr;
        match self {
            StoreError::InUse(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "数据库 {p} 正被另一个 chainkb 进程使用",
                    "database {p} is in use by another chainkb process"
                )
            }
            StoreError::SchemaVersion {
                path,
                found,
                expected,
            } if found < expected => {
                let path = path.display();
                tr!(
                    lang,
                    "数据库 {path} 是较早的 chainkb 写的（数据版本 {found}，这个 chainkb 读取版本 {expected}）：请把数据重新导入它（chainkb import 数据文件夹 --db {path}），或使用写它的那个 chainkb",
                    "database {path} was written by an older chainkb (schema version {found}; this chainkb reads version {expected}): import the data into it again (chainkb import DATA_FOLDER --db {path}), or use the chainkb that wrote it"
                )
            }
            StoreError::SchemaVersion {
                path,
                found,
                expected,
            } => {
                let path = path.display();
                tr!(
                    lang,
                    "数据库 {path} 的数据版本是 {found}，而这个 chainkb 读取版本 {expected}：请使用与之相符的 chainkb，或把数据导入一个新数据库（chainkb import DIR --db 新路径）",
                    "database {path} has schema version {found}, but this chainkb reads version {expected}: use a chainkb that matches it, or import the data into a new database (chainkb import DIR --db NEW_PATH)"
                )
            }
            StoreError::NotFound(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "{p} 处没有数据库（用 chainkb import DIR --db {p} 新建）",
                    "no database at {p} (create one with: chainkb import DIR --db {p})"
                )
            }
            StoreError::NotAFolder(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "数据库路径 {p} 是文件，不是文件夹：请给一个文件夹名（chainkb 会创建它）",
                    "database path {p} is a file, not a folder: choose a folder name (chainkb creates it)"
                )
            }
            StoreError::ForeignFolder(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "{p} 里有其他文件，不是 chainkb 数据库：请为数据库选一个新的或空的文件夹",
                    "{p} holds other files and is not a chainkb database: choose a new or empty folder for the database"
                )
            }
            StoreError::Empty(p) => {
                let p = p.display();
                tr!(
                    lang,
                    "数据库 {p} 还没有数据（用 chainkb import DIR --db {p} 导入）",
                    "database {p} holds no data yet (load some with: chainkb import DIR --db {p})"
                )
            }
            StoreError::Encode(e) => tr!(
                lang,
                "无法把数据编码存储：{e}（chainkb 的缺陷，请报告）",
                "cannot encode the data for storage: {e} (a bug in chainkb: please report it)"
            ),
            StoreError::Corrupt { path, what } => {
                let path = path.display();
                tr!(
                    lang,
                    "数据库 {path} 已损坏：{what}。未做任何改动；恢复办法：重新导入数据（chainkb import DIR --db {path}），它会替换损坏的这一代",
                    "database {path} is damaged: {what}. Nothing was changed; to recover, import the data again (chainkb import DIR --db {path}), which replaces the damaged generation"
                )
            }
            StoreError::NoSpace { path, needed, free } => {
                let path = path.display();
                let needed = needed / 1_000_000 + 1;
                let free = free / 1_000_000;
                tr!(
                    lang,
                    "可用空间不足，无法导入到 {path}：约需 {needed} MB，现有 {free} MB。未做任何改动，原有数据完好。请腾出空间后重新导入",
                    "not enough free space for the import into {path}: it needs about {needed} MB, and {free} MB are free. Nothing was changed: the previous data is intact. Free some space and import again"
                )
            }
            StoreError::ImportStalled { path, what } => {
                let path = path.display();
                tr!(
                    lang,
                    "向 {path} 的导入已停止：{what}。原有数据完好；下一个打开该数据库的命令会删除这次未完成的导入",
                    "the import into {path} stopped: {what}. The previous data is intact; the partial import is removed by the next command that opens the database"
                )
            }
            StoreError::ReadOnly { path, what } => {
                let path = path.display();
                tr!(
                    lang,
                    "数据库 {path} 无法修改：{what}",
                    "database {path} cannot be changed: {what}"
                )
            }
            StoreError::Sled { path, source } => {
                let path = path.display();
                tr!(lang, "数据库 {path}：{source}", "database {path}: {source}")
            }
            StoreError::Io { path, source } => {
                let path = path.display();
                tr!(lang, "数据库 {path}：{source}", "database {path}: {source}")
            }
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(crate::lang::messages()))
    }
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

/// A fixed message in the run's language ([`crate::lang::current`]).
fn say(zh: &str, en: &str) -> String {
    crate::lang::messages().pick(zh, en).to_string()
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
    /// Chunks of row runs and of row notes (`model::Rows`).
    runs: u32,
    row_notes: u32,
    nodes: u32,
    edges: u32,
}

mod index;
mod layout;
mod legacy;
mod read;
#[cfg(test)]
mod tests;
mod write;

use index::*;
use layout::*;
use read::*;
pub use read::{Lean, StoredEdges};
use write::*;

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
        // An import replaces the whole generation, so it may replace one an older chainkb
        // wrote; nothing else reads or writes a schema it does not know.
        if let Some(c) = &current
            && c.schema != SCHEMA_VERSION
            && !(create && c.schema < SCHEMA_VERSION)
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
            let g = c.generation;
            return Err(store.corrupt(crate::tr!(
                crate::lang::messages(),
                "CURRENT 指向第 {g} 代，而它的文件夹 g{g} 不见了",
                "CURRENT names generation {g}, and its folder g{g} is missing"
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
                        what: say(
                            "指明当前这一代的文件 CURRENT 不见了",
                            "the file CURRENT, which names the live generation, is missing",
                        ),
                    });
                }
                return Ok(None);
            }
            Err(source) => return Err(StoreError::Io { path: file, source }),
        };
        let text = String::from_utf8(text).map_err(|_| StoreError::Corrupt {
            path: path.to_path_buf(),
            what: say("CURRENT 不是文本", "CURRENT is not text"),
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
            return Err(StoreError::Encode(crate::tr!(
                crate::lang::messages(),
                "`{name}` 不能用作数据库里的文件夹名",
                "`{name}` cannot name a folder of the database"
            )));
        }
        Ok(self.path.join(name))
    }

    /// `Ok` for a store opened for writing (it holds the exclusive lock); writing through one
    /// opened for reading is a bug in chainkb, said as such.
    pub(super) fn must_be_writable(&self) -> Result<(), StoreError> {
        if self.writable {
            return Ok(());
        }
        Err(StoreError::ReadOnly {
            path: self.path.clone(),
            what: say(
                "它是以只读方式打开的（chainkb 的缺陷，请报告）",
                "it was opened for reading (a bug in chainkb: please report it)",
            ),
        })
    }

    /// `side_dir`, created if missing (and the database folder fsynced); only for a store opened
    /// for writing, which holds the exclusive lock.
    pub fn make_side_dir(&self, name: &str) -> Result<PathBuf, StoreError> {
        let dir = self.side_dir(name)?;
        self.must_be_writable()?;
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
                Some(at) => crate::tr!(
                    crate::lang::messages(),
                    "sled 在日志中发现损坏的数据（位于 {at:?}）",
                    "sled found damaged data in its log (at {at:?})"
                ),
                None => say(
                    "sled 在日志中发现损坏的数据",
                    "sled found damaged data in its log",
                ),
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
}
