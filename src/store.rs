//! The store of record: a sled database holding one `Dataset` per *generation*. The only module
//! that touches sled.
//!
//! Layout: tree `meta` holds `schema_version`, `generation` (the live one) and `importing` (a
//! generation being written). Each generation lives in its own tree `g<N>`, with keys
//! `files`, `templates`, `sources`, `public_functions` and `coverage` (optional: absent in
//! databases written before they existed), and chunks `rows/<i>`, `nodes/<i>`, `edges/<i>` (big-endian `i`), each
//! value = CRC-32 (4 bytes, big-endian) + postcard bytes of a `Vec` of up to `CHUNK` records.
//!
//! An import writes a new generation tree, flushes it, then switches `generation` in one atomic
//! batch and flushes again (and fsyncs the directory). A crash before the switch leaves the old
//! generation live and the `importing` marker behind; the next open reports it and drops the
//! partial tree.

use crate::model::{Dataset, Edge, EdgeKind, Node, PlaceCoverage, Row, SystemEntry, TemplateFile};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Version of the on-disk layout. Bump it when the layout or a stored type changes.
pub const SCHEMA_VERSION: u32 = 1;
/// sled's page cache: modest, since the graph keeps its own copy of everything in memory.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// How many times, 20 ms apart, opening retries a database whose lock is held (see `open`).
const LOCK_RETRIES: u32 = 10;
/// Records per stored value.
const CHUNK: usize = 4096;

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
    #[error("database {path} is damaged: {what} (re-import the data with chainkb import)")]
    Corrupt { path: PathBuf, what: String },
    #[error("database {path}: {source}")]
    Sled { path: PathBuf, source: sled::Error },
    #[error("database {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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

pub struct Store {
    db: sled::Db,
    path: PathBuf,
}

fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

impl Store {
    /// Open (or with `create`, create) the database at `path`.
    pub fn open(path: &Path, create: bool) -> Result<(Store, OpenReport), StoreError> {
        let is_db = path.join("conf").exists() || path.join("db").exists();
        if path.exists() && !path.is_dir() {
            return Err(StoreError::NotAFolder(path.to_path_buf()));
        }
        if !is_db {
            if !create {
                return Err(StoreError::NotFound(path.to_path_buf()));
            }
            // sled would put its files next to whatever the folder holds (`--db .` in a data
            // folder); a new database gets a folder of its own.
            let holds_files = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some());
            if holds_files {
                return Err(StoreError::ForeignFolder(path.to_path_buf()));
            }
        }
        let open = || {
            sled::Config::new()
                .path(path)
                .cache_capacity(CACHE_BYTES)
                // Every write path flushes explicitly; without sled's background flusher no
                // thread outlives the handle for long, so dropping a Store releases the file
                // lock (another process may open the database right after).
                .flush_every_ms(None)
                .open()
        };
        // sled 0.34 wraps the failed file lock in an `Io` error whose kind is not always
        // `WouldBlock`; its text is stable across 0.34.x.
        let is_lock = |e: &sled::Error| {
            matches!(e, sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock"))
        };
        // A handle dropped in this process may keep the lock for a few milliseconds while
        // sled's threads wind down (measured: 5 in 150 runs of the store tests failed to reopen
        // at once), so the lock is retried briefly before the database is called in use.
        let mut tries = 0;
        let db = loop {
            match open() {
                Err(e) if is_lock(&e) && tries < LOCK_RETRIES => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if is_lock(&e) => return Err(StoreError::InUse(path.to_path_buf())),
                Err(e) => {
                    return Err(StoreError::Sled {
                        path: path.to_path_buf(),
                        source: e,
                    });
                }
                Ok(db) => break db,
            }
        };
        let store = Store {
            db,
            path: path.to_path_buf(),
        };
        let meta = store.meta_tree()?;
        match meta.get("schema_version").map_err(|e| store.sled(e))? {
            Some(v) => {
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
            None => {
                meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())
                    .map_err(|e| store.sled(e))?;
                store.flush()?;
            }
        }
        let mut report = OpenReport::default();
        if let Some(g) = meta.get("importing").map_err(|e| store.sled(e))? {
            let g = be_u64(&g).ok_or_else(|| store.corrupt("meta/importing is not a number"))?;
            report.interrupted_import = Some(g);
            store
                .db
                .drop_tree(Self::tree_name(g))
                .map_err(|e| store.sled(e))?;
            meta.remove("importing").map_err(|e| store.sled(e))?;
            store.flush()?;
        }
        Ok((store, report))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sled(&self, e: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source: e,
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn meta_tree(&self) -> Result<sled::Tree, StoreError> {
        self.db.open_tree("meta").map_err(|e| self.sled(e))
    }

    fn tree_name(generation: u64) -> String {
        format!("g{generation}")
    }

    /// Flush sled's files and fsync the directory, so new files survive a power cut.
    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| self.sled(e))?;
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        std::fs::File::open(&self.path)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok(())
    }

    /// The live generation, if any data has been imported.
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        let meta = self.meta_tree()?;
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
        // Encode everything before writing: a value that cannot be encoded stops the import
        // before anything is written.
        let encoded = (|| -> Result<Values, postcard::Error> {
            let mut values = vec![
                (b"files".to_vec(), encode(&ds.files)?),
                (b"templates".to_vec(), encode(&ds.templates)?),
                (b"sources".to_vec(), encode(&ds.sources)?),
                (b"public_functions".to_vec(), encode(&ds.public_functions)?),
                (b"coverage".to_vec(), encode(&ds.coverage)?),
            ];
            values.extend(chunks("rows/", &ds.rows)?);
            values.extend(chunks("nodes/", &ds.nodes)?);
            values.extend(chunks("edges/", &stored_edges(ds))?);
            Ok(values)
        })();
        let values = encoded.map_err(|e| StoreError::Encode(e.to_string()))?;
        let meta = self.meta_tree()?;
        let old = self.meta()?.map(|m| m.generation);
        let generation = old.unwrap_or(0) + 1;
        let name = Self::tree_name(generation);
        // A stale tree of that name (from an interrupted import) must not leak into this one.
        self.db.drop_tree(&name).map_err(|e| self.sled(e))?;
        meta.insert("importing", &generation.to_be_bytes())
            .map_err(|e| self.sled(e))?;
        self.flush()?;

        let tree = self.db.open_tree(&name).map_err(|e| self.sled(e))?;

        let half = values.len() / 2;
        let total = values.len() as u64;
        for (i, (k, v)) in values.into_iter().enumerate() {
            tree.insert(k, v).map_err(|e| self.sled(e))?;
            progress(i as u64 + 1, total);
            if i == half {
                fault_injection_pause(&self.db);
            }
        }
        self.flush()?;

        // The switch: one atomic batch on `meta`.
        let mut batch = sled::Batch::default();
        batch.insert("generation", &generation.to_be_bytes());
        batch.insert("label", label.as_bytes());
        batch.remove("importing");
        meta.apply_batch(batch).map_err(|e| self.sled(e))?;
        self.flush()?;

        if let Some(old) = old {
            self.db
                .drop_tree(Self::tree_name(old))
                .map_err(|e| self.sled(e))?;
            self.flush()?;
        }
        Ok(Meta {
            generation,
            label: label.to_string(),
        })
    }

    /// Read the live dataset, verifying every record's checksum.
    pub fn load(&self) -> Result<(Dataset, Meta), StoreError> {
        let Some(meta) = self.meta()? else {
            return Err(StoreError::Empty(self.path.clone()));
        };
        let tree = self
            .db
            .open_tree(Self::tree_name(meta.generation))
            .map_err(|e| self.sled(e))?;
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
        let rows: Vec<Row> = self.load_chunks(&tree, "rows/")?;
        let nodes: Vec<Node> = self.load_chunks(&tree, "nodes/")?;
        // Each chunk is split as it is decoded, so the wide stored form never exists for all
        // edges at once.
        let parts: Vec<EdgeChunk> = self.load_chunks_with(&tree, "edges/", split_edges)?;
        let mut edges = Vec::with_capacity(parts.iter().map(|(e, _)| e.len()).sum());
        let mut systems = Vec::new();
        for (part, part_systems) in parts {
            let offset = edges.len() as u32;
            systems.extend(part_systems.into_iter().map(|(i, s)| (offset + i, s)));
            edges.extend(part);
        }
        Ok((
            Dataset {
                files,
                rows,
                sources,
                nodes,
                edges,
                systems,
                templates,
                public_functions,
                coverage,
            },
            meta,
        ))
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
    /// results are in key (= record) order.
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
        raw.par_iter()
            .map(|(k, v)| {
                let key = String::from_utf8_lossy(&k[..prefix.len()]).into_owned();
                let idx = k
                    .get(prefix.len()..)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_be_bytes)
                    .unwrap_or(u32::MAX);
                self.decode(&format!("{key}{idx}"), v).map(&convert)
            })
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

    /// Read every record of the live generation (for `check --db`): sled only notices damage
    /// when damaged data is read.
    pub fn verify(&self) -> Result<usize, StoreError> {
        let (ds, _) = self.load()?;
        Ok(ds.rows.len() + ds.nodes.len() + ds.edges.len())
    }

    /// Test support: write a raw meta value (e.g. a future schema version).
    #[doc(hidden)]
    pub fn set_meta_raw(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.meta_tree()?
            .insert(key, value)
            .map_err(|e| self.sled(e))?;
        self.flush()
    }
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

fn stored_edges(ds: &Dataset) -> Vec<StoredEdgeRef<'_>> {
    let mut systems = ds.systems.iter().peekable();
    ds.edges
        .iter()
        .enumerate()
        .map(|(i, e)| StoredEdge {
            kind: e.kind,
            from: e.from,
            to: e.to,
            row: e.row,
            system: systems.next_if(|(at, _)| *at == i as u32).map(|(_, s)| s),
        })
        .collect()
}

/// Stored (key, value) pairs, ready to insert.
type Values = Vec<(Vec<u8>, Vec<u8>)>;

/// CRC-32 (big-endian) followed by the postcard bytes.
fn encode<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, postcard::Error> {
    let body = postcard::to_stdvec(v)?;
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

fn chunks<T: Serialize + Sync>(prefix: &str, items: &[T]) -> Result<Values, postcard::Error> {
    items
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(i, c)| {
            let mut k = prefix.as_bytes().to_vec();
            k.extend_from_slice(&(i as u32).to_be_bytes());
            Ok((k, encode(c)?))
        })
        .collect()
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
        // the old generation's tree is gone
        assert!(!store.db.tree_names().iter().any(|n| &n[..] == b"g1"));
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
        assert_eq!(postcard::to_stdvec(&stored_edges(&ds)).unwrap(), old_bytes);
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
        store
            .db
            .open_tree("g1")
            .unwrap()
            .remove("public_functions")
            .unwrap();
        let (back, _) = store.load().unwrap();
        assert!(back.public_functions.is_empty());
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
        store
            .db
            .open_tree("g1")
            .unwrap()
            .remove("coverage")
            .unwrap();
        let (back, _) = store.load().unwrap();
        assert!(back.coverage.is_empty());
        assert_eq!(back.nodes, ds.nodes);
    }

    #[test]
    fn a_flipped_byte_is_reported_as_damage() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), true).unwrap();
        store.import(&tiny(10), "t").unwrap();
        let tree = store.db.open_tree("g1").unwrap();
        let mut k = b"nodes/".to_vec();
        k.extend_from_slice(&0u32.to_be_bytes());
        let mut v = tree.get(&k).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0xFF;
        tree.insert(&k, v).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("fails its checksum"), "{err}");
    }

    #[test]
    fn an_unknown_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), true).unwrap();
            store
                .set_meta_raw("schema_version", &99u32.to_be_bytes())
                .unwrap();
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
}
