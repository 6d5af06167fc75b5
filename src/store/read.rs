//! Reading a generation: its manifest, every record decoded and checked against its CRC, and damage reported as damage.

use super::*;
use crate::graph::OpenIndex;

impl Store {
    /// Open a generation's sled database. A reader may find another reader loading it (sled
    /// locks its files while open), and waits for it.
    pub(super) fn open_sled(&self, dir: &Path) -> Result<sled::Db, StoreError> {
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

    pub(super) fn load_live(&self, through_copy: bool) -> Result<(Dataset, Meta), StoreError> {
        if self.is_legacy() {
            return self.legacy_load();
        }
        self.read_live(through_copy, |s, source| s.load_from(source))
    }

    /// Read the live dataset with its edges left in their stored chunks (checksummed, still
    /// compressed: a fraction of the decoded edges' memory), for a reader that decodes them a
    /// part at a time, such as the graph's build ([`StoredEdges`]). The dataset's `edges` and
    /// `systems` are empty; the edges' IN_SYSTEM payloads come with their parts.
    ///
    /// With them comes the generation's open index (`graph::OpenIndex`), which the graph opens
    /// from; `None` for a generation written before imports wrote one.
    pub fn load_lean(&self) -> Result<Lean, StoreError> {
        if self.is_legacy() {
            let (mut ds, meta) = self.legacy_load()?;
            let edges = StoredEdges::Decoded {
                edges: std::mem::take(&mut ds.edges),
                systems: std::mem::take(&mut ds.systems),
            };
            return Ok(Lean {
                ds,
                edges,
                index: None,
                meta,
            });
        }
        let ((ds, edges, index), meta) =
            self.read_live(false, |s, source| s.load_lean_from(source))?;
        Ok(Lean {
            ds,
            edges,
            index,
            meta,
        })
    }

    /// Read the live generation with `read`, through a copy in the temporary folder when asked
    /// or when the database is on read-only media.
    fn read_live<T>(
        &self,
        through_copy: bool,
        read_source: impl Fn(&Store, &Source) -> Result<T, StoreError>,
    ) -> Result<(T, Meta), StoreError> {
        let Some(current) = &self.current() else {
            return Err(StoreError::Empty(self.path.clone()));
        };
        let meta = Meta {
            generation: current.generation,
            label: current.label.clone(),
        };
        let dir = generation_dir(&self.path, current.generation);
        let read = |dir: &Path| {
            catching_sled_panics(&say("读取数据", "reading the data"), &self.path, || {
                let source = Source::folder(self, dir)?;
                read_source(self, &source)
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
    pub(super) fn read_through_copy<T>(
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
    pub(super) fn load_from(&self, source: &Source) -> Result<Dataset, StoreError> {
        let manifest = source.with(|db| self.read_manifest(db, None))?;
        let ds = self.load_tree(source, Some(&manifest), true)?;
        self.check_counts(&ds, &manifest)?;
        let edges = ds.edges.len().div_ceil(CHUNK);
        if edges != manifest.edges as usize {
            return Err(incomplete(&self.path, "edges", manifest.edges, edges));
        }
        Ok(ds)
    }

    /// [`Store::load_from`] with the edges kept as their stored chunks (`load_lean`).
    fn load_lean_from(
        &self,
        source: &Source,
    ) -> Result<(Dataset, StoredEdges, Option<OpenIndex>), StoreError> {
        let manifest = source.with(|db| self.read_manifest(db, None))?;
        let ds = self.load_tree(source, Some(&manifest), false)?;
        self.check_counts(&ds, &manifest)?;
        let index = self.read_index(&|k| source.get(k), ds.nodes.len())?;
        let mut chunks = Vec::with_capacity(manifest.edges as usize);
        for i in 0..manifest.edges as usize {
            // Kept as sled hands it over (its own buffer), checked now, its CRC skipped later.
            let v = self.read_chunk(source, "edges/", i)?;
            checked_body(&self.path, &format!("edges/{i}"), &v)?;
            chunks.push(v);
        }
        let edges = StoredEdges::Chunks {
            path: self.path.clone(),
            chunks,
        };
        Ok((ds, edges, index))
    }

    /// Every kind of record but the edges came back in as many chunks as were written.
    fn check_counts(&self, ds: &Dataset, manifest: &Manifest) -> Result<(), StoreError> {
        let counts = [
            ("runs", ds.rows.run_count(), manifest.runs),
            ("row_notes", ds.rows.with_notes(), manifest.row_notes),
            ("nodes", ds.nodes.len(), manifest.nodes),
        ];
        for (what, records, chunks) in counts {
            let read = records.div_ceil(CHUNK);
            if read != chunks as usize {
                return Err(incomplete(&self.path, what, chunks, read));
            }
        }
        Ok(())
    }

    /// An import's read-back of the generation at `dir`: every value decodes and the manifest
    /// matches, one chunk at a time (a second copy of the whole dataset would double the
    /// import's memory), with the database opened again for every `RELEASE_CHUNKS` chunks
    /// (see `RELEASE_BYTES`: else every value read stays in memory).
    pub(super) fn verify_written(
        &self,
        dir: &Path,
        manifest: &Manifest,
        nodes: usize,
    ) -> Result<(), StoreError> {
        {
            // One handle at a time: sled locks its files while one is open.
            let db = &self.open_sled(dir)?;
            self.read_manifest(db, Some(manifest))?;
            let get = |key: &str| -> Result<sled::IVec, StoreError> {
                db.get(key)
                    .map_err(|e| self.sled(e))?
                    .ok_or_else(|| self.corrupt(missing(key)))
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
                            .ok_or_else(|| self.corrupt(missing(&name)))?;
                        decode(&name, &v)
                    })
                })
        };
        check("runs/", manifest.runs, &|k, v| {
            self.decode::<Vec<StoredRun>>(k, v).map(drop)
        })?;
        check("row_notes/", manifest.row_notes, &|k, v| {
            self.decode::<Vec<(u32, Box<str>)>>(k, v).map(drop)
        })?;
        check("nodes/", manifest.nodes, &|k, v| {
            self.decode::<Vec<Node>>(k, v).map(drop)
        })?;
        check("edges/", manifest.edges, &|k, v| {
            decode_edges(&self.path, k, checked_body(&self.path, k, v)?).map(drop)
        })?;
        // The open index, for the dataset's nodes (a fraction of the dataset: read through one
        // handle).
        let db = &self.open_sled(dir)?;
        self.read_index(&|k| db.get(k).map_err(|e| self.sled(e)), nodes)?
            .ok_or_else(|| self.corrupt(missing("open_index")))?;
        Ok(())
    }

    /// The generation's manifest, checked against `CURRENT` (reading) or against what the
    /// import wrote (`expected`).
    pub(super) fn read_manifest(
        &self,
        db: &sled::Tree,
        expected: Option<&Manifest>,
    ) -> Result<Manifest, StoreError> {
        let manifest: Manifest = match db.get("manifest").map_err(|e| self.sled(e))? {
            Some(v) => self.decode("manifest", &v)?,
            None => {
                return Err(self.corrupt(say(
                    "当前这一代不完整（缺少最后一条记录 manifest：sled 只恢复了其中一部分）",
                    "the live generation is incomplete (its last record, the manifest, is missing: \
                     sled recovered only part of it)",
                )));
            }
        };
        if let Some(current) = &self.current()
            && expected.is_none()
            && (manifest.generation != current.generation || manifest.label != current.label)
        {
            let (cg, cl, mg, ml) = (
                current.generation,
                &current.label,
                manifest.generation,
                &manifest.label,
            );
            return Err(self.corrupt(crate::tr!(
                crate::lang::messages(),
                "CURRENT 指向第 {cg} 代（{cl}），而其文件夹里是第 {mg} 代（{ml}）",
                "CURRENT names generation {cg} ({cl}), and its folder holds generation {mg} ({ml})"
            )));
        }
        if let Some(expected) = expected
            && &manifest != expected
        {
            return Err(self.corrupt(say(
                "导入的 manifest 读回后不一致",
                "the import's manifest reads back differently",
            )));
        }
        Ok(manifest)
    }

    /// Decode the records of one generation from a sled tree (a generation's database, or a
    /// layout-1 generation tree).
    ///
    /// With the generation's `manifest`, chunks are read by number, a batch at a time, so that
    /// only one batch of encoded values is in memory beside the decoded records; without it
    /// (layout 1), by scanning their prefix.
    pub(super) fn load_tree(
        &self,
        source: &Source,
        manifest: Option<&Manifest>,
        with_edges: bool,
    ) -> Result<Dataset, StoreError> {
        let get = |key: &str| -> Result<sled::IVec, StoreError> {
            source
                .get(key.as_bytes())?
                .ok_or_else(|| self.corrupt(missing(key)))
        };
        let optional = |key: &str| source.get(key.as_bytes());
        let files: Vec<String> = self.decode("files", &get("files")?)?;
        let templates: Vec<TemplateFile> = self.decode("templates", &get("templates")?)?;
        let sources: Vec<Box<str>> = self.decode("sources", &get("sources")?)?;
        // Added within schema 1 as a key of its own: a database written before has none (and
        // an older chainkb ignores it), so neither needs a new schema version.
        let public_functions: Vec<(u32, Box<str>)> = match optional("public_functions")? {
            Some(v) => self.decode("public_functions", &v)?,
            None => Vec::new(),
        };
        // Likewise `coverage` (what each place's enterprise data covers): absent, no place
        // states one.
        let coverage: Vec<(u32, PlaceCoverage)> = match optional("coverage")? {
            Some(v) => self.decode("coverage", &v)?,
            None => Vec::new(),
        };
        // Likewise `figures` and `catalog` (figures stated for places and systems; systems and
        // catalogs item by item): absent, a document states none.
        let figures: Vec<Figure> = match optional("figures")? {
            Some(v) => self.decode("figures", &v)?,
            None => Vec::new(),
        };
        let catalog: Vec<CatalogItem> = match optional("catalog")? {
            Some(v) => self.decode("catalog", &v)?,
            None => Vec::new(),
        };
        // Likewise `listings` (source tables' enterprise listings): absent, there are none.
        let listings: Vec<Listing> = match optional("listings")? {
            Some(v) => self.decode("listings", &v)?,
            None => Vec::new(),
        };
        let runs: Vec<StoredRun> = self.load_chunks(source, "runs/", manifest.map(|m| m.runs))?;
        let notes: Vec<(u32, Box<str>)> =
            self.load_chunks(source, "row_notes/", manifest.map(|m| m.row_notes))?;
        let rows = Rows::from_stored(runs, notes)
            .map_err(|e| self.undecodable("runs/, row_notes/", &e))?;
        let nodes: Vec<Node> = self.load_chunks(source, "nodes/", manifest.map(|m| m.nodes))?;
        // Each chunk is read straight into edges and joined to the list a batch at a time, so
        // neither the wide stored form nor a second copy of the edges exists at once.
        let (mut edges, mut systems) = (Vec::new(), Vec::new());
        if with_edges {
            let count = manifest.map(|m| m.edges);
            let _ =
                edges.try_reserve_exact(count.map_or(0, |c| (c as usize).saturating_mul(CHUNK)));
            self.for_each_batch(
                source,
                "edges/",
                count,
                |key, v| decode_edges(&self.path, key, checked_body(&self.path, key, v)?),
                |batch| {
                    for (part, part_systems) in batch {
                        let offset = edges.len() as u32;
                        systems.extend(part_systems.into_iter().map(|(i, s)| (offset + i, s)));
                        edges.extend(part);
                    }
                },
            )?;
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

    pub(super) fn load_chunks<T: DeserializeOwned + Send>(
        &self,
        source: &Source,
        prefix: &str,
        count: Option<u32>,
    ) -> Result<Vec<T>, StoreError> {
        // Sized first (the manifest's chunks hold at most `CHUNK` records each) and filled a
        // batch at a time: collecting every chunk before joining them held the records twice
        // (160 MB more for 2 M nodes), and growing by doubling up to half again unused.
        // A manifest is checksummed, but a count no import wrote must not abort the reading:
        // failing to reserve only costs the growth.
        let mut out = Vec::new();
        let _ = out.try_reserve_exact(count.map_or(0, |c| (c as usize).saturating_mul(CHUNK)));
        self.for_each_batch(
            source,
            prefix,
            count,
            |key, v| self.decode::<Vec<T>>(key, v),
            |batch| {
                for part in batch {
                    out.extend(part);
                }
            },
        )?;
        out.shrink_to_fit();
        Ok(out)
    }

    /// Decode the chunks under `prefix` in parallel with `decode` (key, stored value), handing
    /// each batch of decoded chunks to `sink` in key (= record) order as soon as it is decoded.
    /// Chunk numbers must run 0, 1, 2 … without a hole: `count` of them (read by number,
    /// `READ_BATCH` at a time), or as many as a scan finds.
    fn for_each_batch<U: Send>(
        &self,
        source: &Source,
        prefix: &str,
        count: Option<u32>,
        decode_one: impl Fn(&str, &[u8]) -> Result<U, StoreError> + Sync,
        mut sink: impl FnMut(Vec<U>),
    ) -> Result<(), StoreError> {
        let decode = |batch: &[(usize, sled::IVec)]| -> Result<Vec<U>, StoreError> {
            batch
                .par_iter()
                .map(|(i, v)| decode_one(&format!("{prefix}{i}"), v))
                .collect()
        };
        let Some(count) = count else {
            let raw: Vec<(usize, sled::IVec)> = source
                .scan_prefix(prefix)?
                .into_iter()
                .enumerate()
                .map(|(expected, (k, v))| {
                    let idx = k
                        .get(prefix.len()..)
                        .and_then(|b| b.try_into().ok())
                        .map(u32::from_be_bytes);
                    if idx == Some(expected as u32) {
                        Ok((expected, v))
                    } else {
                        Err(self.corrupt(missing(&format!("{prefix}{expected}"))))
                    }
                })
                .collect::<Result<_, _>>()?;
            sink(decode(&raw)?);
            return Ok(());
        };
        // Read batch k + 1 from sled on this thread while rayon's threads decode batch k.
        let count = count as usize;
        let mut decoding: Option<Vec<(usize, sled::IVec)>> = None;
        let mut next = 0;
        while next < count || decoding.is_some() {
            let mut decoded = None;
            let read = rayon::in_place_scope(|scope| {
                if let Some(batch) = &decoding {
                    scope.spawn(|_| decoded = Some(decode(batch)));
                }
                let end = (next + READ_BATCH).min(count);
                (next..end)
                    .map(|i| Ok((i, self.read_chunk(source, prefix, i)?)))
                    .collect::<Result<Vec<_>, StoreError>>()
            });
            if let Some(d) = decoded {
                sink(d?);
            }
            let read = read?;
            next += read.len();
            decoding = (!read.is_empty()).then_some(read);
        }
        Ok(())
    }

    /// Chunk `i` under `prefix`, which must be there.
    fn read_chunk(
        &self,
        source: &Source,
        prefix: &str,
        i: usize,
    ) -> Result<sled::IVec, StoreError> {
        source
            .get(&chunk_key(prefix, i))?
            .ok_or_else(|| self.corrupt(missing(&format!("{prefix}{i}"))))
    }

    /// A record that decoded but holds what no import writes (`what` says what, in English:
    /// a detail for a bug report).
    pub(super) fn undecodable(&self, key: &str, what: &str) -> StoreError {
        undecodable(&self.path, key, what)
    }

    pub(super) fn decode<T: DeserializeOwned>(&self, key: &str, v: &[u8]) -> Result<T, StoreError> {
        decode_body(&self.path, key, checked_body(&self.path, key, v)?)
    }

    /// Read every record of the live generation (`check --store`): sled only notices damage
    /// when damaged data is read. It reads a copy, so that checking never changes the database
    /// (sled's recovery truncates a damaged log where it opens it).
    pub fn verify(&self) -> Result<usize, StoreError> {
        if self.is_legacy() {
            let (ds, _) = self.legacy_load()?;
            return Ok(ds.rows.len() + ds.nodes.len() + ds.edges.len());
        }
        let ((ds, index), _) = self.read_live(true, |s, source| {
            let ds = s.load_from(source)?;
            let index = s.read_index(&|k| source.get(k), ds.nodes.len())?;
            Ok((ds, index))
        })?;
        // The index must also be the dataset's: what the graph would open from.
        if let Some(index) = index
            && index != OpenIndex::of(&ds)
        {
            return Err(self.corrupt(say(
                "打开索引（open_index）与数据不符",
                "the open index (open_index) does not match the data",
            )));
        }
        Ok(ds.rows.len() + ds.nodes.len() + ds.edges.len())
    }

    /// The bytes the database folder holds on disk.
    #[cfg(test)]
    pub(super) fn disk_bytes(&self) -> u64 {
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
    pub(super) fn with_live_sled<T>(&self, f: impl FnOnce(&sled::Db) -> T) -> T {
        let g = self.current().expect("a live generation").generation;
        let db = self
            .open_sled(&generation_dir(&self.path, g))
            .expect("open the live generation");
        f(&db)
    }
}

/// Chunks decoded together (in parallel) while a generation is read.
const READ_BATCH: usize = 32;

/// The sled database a generation is read through. A generation's folder is opened again after
/// every `RELEASE_BYTES` read: sled keeps a value stored as a blob (most node chunks) in its
/// cache without counting it, so one handle held the whole encoded generation in memory beside
/// the decoded records until the read ended (issue 16: the open's peak). A layout-1 tree is
/// read through the handle it comes from.
pub(super) struct Source<'a> {
    store: &'a Store,
    /// The generation's folder, when the handle is ours to reopen.
    dir: Option<&'a Path>,
    tree: std::cell::RefCell<Option<sled::Tree>>,
    /// Bytes read through the current handle.
    read: std::cell::Cell<u64>,
    /// How many times the handle was opened (1 for a layout-1 tree).
    pub(super) opens: std::cell::Cell<u32>,
}

impl<'a> Source<'a> {
    pub(super) fn folder(store: &'a Store, dir: &'a Path) -> Result<Source<'a>, StoreError> {
        let db = store.open_sled(dir)?;
        Ok(Source {
            store,
            dir: Some(dir),
            tree: std::cell::RefCell::new(Some((*db).clone())),
            read: std::cell::Cell::new(0),
            opens: std::cell::Cell::new(1),
        })
    }

    pub(super) fn tree(store: &'a Store, tree: &sled::Tree) -> Source<'a> {
        Source {
            store,
            dir: None,
            tree: std::cell::RefCell::new(Some(tree.clone())),
            read: std::cell::Cell::new(0),
            opens: std::cell::Cell::new(1),
        }
    }

    /// Run `f` on the open handle.
    pub(super) fn with<T>(
        &self,
        f: impl FnOnce(&sled::Tree) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = self.tree.borrow_mut();
        if slot.is_none()
            && let Some(dir) = self.dir
        {
            *slot = Some((*self.store.open_sled(dir)?).clone());
            self.opens.set(self.opens.get() + 1);
        }
        match slot.as_ref() {
            Some(tree) => f(tree),
            None => Err(self.store.corrupt(say(
                "这一代的数据库没有打开",
                "the generation's database is not open",
            ))),
        }
    }

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
        let v = self.with(|t| t.get(key).map_err(|e| self.store.sled(e)))?;
        let read = self.read.get() + v.as_ref().map_or(0, |v| v.len() as u64);
        self.read.set(read);
        if read >= RELEASE_BYTES && self.dir.is_some() {
            // Dropped before the next `get` opens it again (sled locks its files while open).
            self.tree.borrow_mut().take();
            self.read.set(0);
        }
        Ok(v)
    }

    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(sled::IVec, sled::IVec)>, StoreError> {
        self.with(|t| {
            t.scan_prefix(prefix)
                .collect::<Result<_, _>>()
                .map_err(|e| self.store.sled(e))
        })
    }
}

/// A stored value's body (compressed record), once its checksum holds.
pub(super) fn checked_body<'v>(
    path: &Path,
    key: &str,
    v: &'v [u8],
) -> Result<&'v [u8], StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
    };
    if v.len() < 4 {
        return Err(corrupt(crate::tr!(
            crate::lang::messages(),
            "记录 {key} 被截断",
            "record {key} is truncated"
        )));
    }
    let (crc, body) = v.split_at(4);
    let want = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if crc32fast::hash(body) != want {
        return Err(corrupt(crate::tr!(
            crate::lang::messages(),
            "记录 {key} 校验不符",
            "record {key} fails its checksum"
        )));
    }
    Ok(body)
}

/// The record in a checked body.
fn decode_body<T: DeserializeOwned>(path: &Path, key: &str, body: &[u8]) -> Result<T, StoreError> {
    let body = decompress(body).map_err(|e| undecodable(path, key, &e))?;
    postcard::from_bytes(&body).map_err(|e| undecodable(path, key, &e.to_string()))
}

/// A stored edge chunk's body (after its CRC) as edges and their payloads.
fn decode_edges(path: &Path, key: &str, body: &[u8]) -> Result<EdgeChunk, StoreError> {
    let bytes = decompress(body).map_err(|e| undecodable(path, key, &e))?;
    edges_from_bytes(&bytes).map_err(|e| undecodable(path, key, &e))
}

/// "record KEY cannot be decoded: WHAT", in the run's language.
fn undecodable(path: &Path, key: &str, what: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what: crate::tr!(
            crate::lang::messages(),
            "记录 {key} 无法解码：{what}",
            "record {key} cannot be decoded: {what}"
        ),
    }
}

/// "the live generation is incomplete: N chunks of WHAT were written and M read back".
fn incomplete(path: &Path, what: &str, chunks: u32, read: usize) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what: crate::tr!(
            crate::lang::messages(),
            "当前这一代不完整：写入了 {chunks} 块 {what}，读回 {read} 块",
            "the live generation is incomplete: {chunks} chunk(s) of {what} were written and {read} read back"
        ),
    }
}

/// What [`Store::load_lean`] reads: the dataset without its edges, the edges in their stored
/// chunks, the open index (if the generation has one) and the generation's label.
pub struct Lean {
    pub ds: Dataset,
    pub edges: StoredEdges,
    pub index: Option<OpenIndex>,
    pub meta: Meta,
}

/// A generation's edges as `Store::load_lean` hands them over: their stored chunks, decoded a
/// batch at a time each time they are walked (`EdgeParts`), or (a layout-1 database) already
/// decoded.
pub enum StoredEdges {
    Chunks {
        path: PathBuf,
        /// Each chunk's value (CRC, then the body), checked, in chunk order.
        chunks: Vec<sled::IVec>,
    },
    Decoded {
        edges: Vec<Edge>,
        systems: Vec<(u32, SystemEntry)>,
    },
}

impl StoredEdges {
    /// Bytes held (the compressed chunks, or the decoded edges).
    pub fn heap_bytes(&self) -> usize {
        match self {
            StoredEdges::Chunks { chunks, .. } => chunks.iter().map(|c| c.len()).sum(),
            StoredEdges::Decoded { edges, .. } => edges.len() * size_of::<Edge>(),
        }
    }
}

impl EdgeParts for StoredEdges {
    type Error = StoreError;

    fn for_each_part(&self, f: &mut PartSink) -> Result<(), StoreError> {
        let (path, chunks) = match self {
            StoredEdges::Chunks { path, chunks } => (path, chunks),
            StoredEdges::Decoded { edges, systems } => {
                f(edges, systems);
                return Ok(());
            }
        };
        let last = chunks.len().saturating_sub(1);
        let mut batch_edges: Vec<Edge> = Vec::with_capacity(READ_BATCH * CHUNK);
        let mut batch_systems = Vec::new();
        for (b, batch) in chunks.chunks(READ_BATCH).enumerate() {
            let decoded: Vec<EdgeChunk> = batch
                .par_iter()
                .enumerate()
                .map(|(k, body)| {
                    let i = b * READ_BATCH + k;
                    let key = format!("edges/{i}");
                    // Checked at load: at least the 4 bytes of its CRC.
                    let part = decode_edges(path, &key, body.get(4..).unwrap_or(&[]))?;
                    // Every chunk but the last is full: else records went missing.
                    let n = part.0.len();
                    if (i < last && n != CHUNK) || (i == last && (n == 0 || n > CHUNK)) {
                        let read = (last * CHUNK + n).div_ceil(CHUNK);
                        return Err(incomplete(path, "edges", chunks.len() as u32, read));
                    }
                    Ok(part)
                })
                .collect::<Result<_, _>>()?;
            // One part per batch, not per chunk: the graph's fill hands every part to two
            // threads, and 4,096 edges are too few to be worth waking the second one for.
            batch_edges.clear();
            batch_systems.clear();
            for (edges, systems) in decoded {
                let offset = batch_edges.len() as u32;
                batch_systems.extend(systems.into_iter().map(|(i, s)| (offset + i, s)));
                batch_edges.extend(edges);
            }
            f(&batch_edges, &batch_systems);
        }
        Ok(())
    }
}

/// "record KEY is missing", in the run's language.
pub(super) fn missing(key: &str) -> String {
    crate::tr!(
        crate::lang::messages(),
        "记录 {key} 缺失",
        "record {key} is missing"
    )
}
