//! An import: a new generation written value by value, read back, and switched live through `CURRENT`; and the stored form of each value (keys, chunks, CRC + postcard).

use super::*;

impl Store {
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
        self.must_be_writable()?;
        // Sized before anything is written (a value that cannot be encoded stops the import
        // here); encoded as it is written, a few values at a time.
        let parts = parts(ds);
        let sizes: Vec<usize> = parts
            .par_iter()
            .map(|p| p.size(ds))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Encode(e.to_string()))?;
        // What the graph opens from besides the data (`graph::OpenIndex`), encoded now: a
        // fraction of the dataset's size.
        let index = encode_index(&crate::graph::OpenIndex::of(ds))
            .map_err(|e| StoreError::Encode(e.to_string()))?;
        let index_bytes: u64 = index.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum();
        let old = self.meta()?.map(|m| m.generation);
        let generation = old.unwrap_or(0) + 1;
        let manifest = Manifest {
            generation,
            label: label.to_string(),
            runs: ds.rows.run_count().div_ceil(CHUNK) as u32,
            row_notes: ds.rows.with_notes().div_ceil(CHUNK) as u32,
            nodes: ds.nodes.len().div_ceil(CHUNK) as u32,
            edges: ds.edges.len().div_ceil(CHUNK) as u32,
        };
        let encoded_bytes: u64 = sizes.iter().map(|&n| n as u64).sum::<u64>() + index_bytes;
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
        let written = self.write_generation(&partial, ds, &parts, index, &manifest, progress);
        let verified = written.and_then(|()| {
            // Opening it again lets sled's recovery write its snapshot now, while the import
            // may still write; and every record is read back before it goes live.
            catching_sled_panics(
                &say("回读导入的数据", "reading back the import"),
                &self.path,
                || self.verify_written(&partial, &manifest, ds.nodes.len()),
            )
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
    pub(super) fn explain_write_error(&self, e: StoreError, needed: u64) -> StoreError {
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

    /// Write a generation's sled database at `dir`: every part of `ds`, then the `extra`
    /// records (the open index), then the manifest, flushed. This thread encodes the parts a few at a time and hands them to a writing
    /// thread that owns the sled database: sled blocks for good when the disk fills under it,
    /// so the writing is given up (with `ImportStalled`) when it makes no progress while the
    /// disk is full.
    pub(super) fn write_generation(
        &self,
        dir: &Path,
        ds: &Dataset,
        parts: &[Part],
        mut extra: Vec<KeyValue>,
        manifest: &Manifest,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(), StoreError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::mpsc::{RecvTimeoutError, TrySendError};
        const BATCH: usize = 16;
        let total = (parts.len() + extra.len()) as u64;
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
                    what: {
                        let kb = free_bytes(&self.path).unwrap_or(0) / 1000;
                        crate::tr!(
                            crate::lang::messages(),
                            "磁盘已满（剩 {kb} KB），数据库无法增长",
                            "the disk is full ({kb} KB free) and the database cannot grow"
                        )
                    },
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
                pending.append(&mut extra);
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
                                    what: say("写入线程提前结束", "the writing thread ended early"),
                                }),
                            };
                        }
                    }
                }
            }
        }
        if parts.is_empty() {
            for value in extra {
                let _ = values_tx.send(value);
            }
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
                        what: say(
                            "写入线程结束时没有给出结果",
                            "the writing thread ended without a result",
                        ),
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
}

/// A stored key and its value.
pub(super) type KeyValue = (Vec<u8>, Vec<u8>);

/// Decodes one stored chunk (named by its key) and drops it: an import's read-back.
pub(super) type ChunkCheck<'a> = dyn Fn(&str, &[u8]) -> Result<(), StoreError> + Sync + 'a;

/// One stored value of a dataset, before it is encoded: a whole small table, or one chunk of
/// rows, nodes or edges. An import encodes them a few at a time as it writes them, so the
/// encoded form of the whole dataset never exists in memory at once.
#[derive(Debug, Clone, Copy)]
pub(super) enum Part {
    Files,
    Templates,
    Sources,
    PublicFunctions,
    Coverage,
    Figures,
    Catalog,
    Listings,
    Runs(usize),
    RowNotes(usize),
    Nodes(usize),
    Edges(usize),
}

/// Every stored value of `ds` but the manifest, in writing order.
pub(super) fn parts(ds: &Dataset) -> Vec<Part> {
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
    out.extend((0..ds.rows.run_count().div_ceil(CHUNK)).map(Part::Runs));
    out.extend((0..ds.rows.with_notes().div_ceil(CHUNK)).map(Part::RowNotes));
    out.extend((0..ds.nodes.len().div_ceil(CHUNK)).map(Part::Nodes));
    out.extend((0..ds.edges.len().div_ceil(CHUNK)).map(Part::Edges));
    out
}

pub(super) fn chunk_key(prefix: &str, i: usize) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.extend_from_slice(&(i as u32).to_be_bytes());
    k
}

pub(super) fn chunk_of<T>(items: &[T], i: usize) -> &[T] {
    let start = (i * CHUNK).min(items.len());
    &items[start..(start + CHUNK).min(items.len())]
}

impl Part {
    pub(super) fn key(self) -> Vec<u8> {
        match self {
            Part::Files => b"files".to_vec(),
            Part::Templates => b"templates".to_vec(),
            Part::Sources => b"sources".to_vec(),
            Part::PublicFunctions => b"public_functions".to_vec(),
            Part::Coverage => b"coverage".to_vec(),
            Part::Figures => b"figures".to_vec(),
            Part::Catalog => b"catalog".to_vec(),
            Part::Listings => b"listings".to_vec(),
            Part::Runs(i) => chunk_key("runs/", i),
            Part::RowNotes(i) => chunk_key("row_notes/", i),
            Part::Nodes(i) => chunk_key("nodes/", i),
            Part::Edges(i) => chunk_key("edges/", i),
        }
    }

    /// The stored value: CRC-32 and postcard bytes.
    pub(super) fn encode(self, ds: &Dataset) -> Result<Vec<u8>, postcard::Error> {
        match self {
            Part::Files => encode(&ds.files),
            Part::Templates => encode(&ds.templates),
            Part::Sources => encode(&ds.sources),
            Part::PublicFunctions => encode(&ds.public_functions),
            Part::Coverage => encode(&ds.coverage),
            Part::Figures => encode(&ds.figures),
            Part::Catalog => encode(&ds.catalog),
            Part::Listings => encode(&ds.listings),
            Part::Runs(i) => encode(&ds.rows.stored_runs(i * CHUNK..(i + 1) * CHUNK)),
            Part::RowNotes(i) => encode(chunk_of(ds.rows.stored_notes(), i)),
            Part::Nodes(i) => encode(chunk_of(&ds.nodes, i)),
            Part::Edges(i) => encode(&packed_edges(ds, i * CHUNK, chunk_of(&ds.edges, i))),
        }
    }

    /// The stored value's size in bytes, without encoding it.
    pub(super) fn size(self, ds: &Dataset) -> Result<usize, postcard::Error> {
        let body = match self {
            Part::Files => postcard::experimental::serialized_size(&ds.files),
            Part::Templates => postcard::experimental::serialized_size(&ds.templates),
            Part::Sources => postcard::experimental::serialized_size(&ds.sources),
            Part::PublicFunctions => postcard::experimental::serialized_size(&ds.public_functions),
            Part::Coverage => postcard::experimental::serialized_size(&ds.coverage),
            Part::Figures => postcard::experimental::serialized_size(&ds.figures),
            Part::Catalog => postcard::experimental::serialized_size(&ds.catalog),
            Part::Listings => postcard::experimental::serialized_size(&ds.listings),
            Part::Runs(i) => postcard::experimental::serialized_size(
                &ds.rows.stored_runs(i * CHUNK..(i + 1) * CHUNK),
            ),
            Part::RowNotes(i) => {
                postcard::experimental::serialized_size(chunk_of(ds.rows.stored_notes(), i))
            }
            Part::Nodes(i) => postcard::experimental::serialized_size(chunk_of(&ds.nodes, i)),
            Part::Edges(i) => postcard::experimental::serialized_size(&packed_edges(
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
pub(super) fn encode_dataset(ds: &Dataset) -> Result<Vec<KeyValue>, postcard::Error> {
    parts(ds)
        .into_iter()
        .map(|p| Ok((p.key(), p.encode(ds)?)))
        .collect()
}

/// An edge as stored (schema 2): its kind, its `from` and `row` as differences from the
/// previous edge's in the chunk (the first's from 0), and `to` as it is. Edges come in data
/// order: a supply file's lines run from one firm, row after row, so `from` and `row` take a
/// byte each and a 10 M-edge supply network half the bytes of schema 1's record.
#[derive(Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq)]
pub(super) struct PackedEdge {
    pub(super) kind: EdgeKind,
    pub(super) from: i64,
    pub(super) to: u32,
    pub(super) row: i64,
}

/// One chunk of edges as stored: the packed edges and the IN_SYSTEM payloads by index within
/// the chunk. Written borrowing the payloads, read owning them.
pub(super) type PackedChunk<S> = (Vec<PackedEdge>, Vec<(u32, S)>);

/// One chunk of edges, and the system payloads of its edges by index within the chunk.
pub(super) type EdgeChunk = (Vec<Edge>, Vec<(u32, SystemEntry)>);

/// A stored chunk's edges in memory, or why they cannot be (a difference that leads outside
/// the numbers a node or row can have, a payload for an edge the chunk does not hold): the
/// generic way, through postcard's `PackedEdge`s, against which the tests hold
/// [`edges_from_bytes`], which every reader uses.
#[cfg(test)]
pub(super) fn unpack_edges(chunk: PackedChunk<SystemEntry>) -> Result<EdgeChunk, String> {
    let (packed, systems) = chunk;
    let mut at = Unpacking::default();
    let edges = packed
        .iter()
        .enumerate()
        .map(|(i, p)| at.edge(i, p.kind, p.from, p.to, p.row))
        .collect::<Result<Vec<Edge>, String>>()?;
    check_payloads(&edges, &systems)?;
    Ok((edges, systems))
}

/// A chunk's `from` and `row` so far, as its edges are undone from their differences.
#[derive(Default)]
struct Unpacking {
    from: i64,
    row: i64,
}

impl Unpacking {
    /// Edge `i` of the chunk from its stored fields.
    #[inline]
    fn edge(
        &mut self,
        i: usize,
        kind: EdgeKind,
        from: i64,
        to: u32,
        row: i64,
    ) -> Result<Edge, String> {
        self.from = self.from.saturating_add(from);
        self.row = self.row.saturating_add(row);
        match (u32::try_from(self.from), u32::try_from(self.row)) {
            (Ok(from), Ok(row)) => Ok(Edge {
                kind,
                from,
                to,
                row,
            }),
            _ => Err(format!(
                "edge {i} of the chunk has from {}, row {}",
                self.from, self.row
            )),
        }
    }
}

/// Payloads keyed by edges in order, each an edge the chunk holds.
fn check_payloads(edges: &[Edge], systems: &[(u32, SystemEntry)]) -> Result<(), String> {
    if let Some(w) = systems.windows(2).find(|w| w[0].0 >= w[1].0) {
        return Err(format!("system payloads out of order at edge {}", w[1].0));
    }
    if let Some((at, _)) = systems.last()
        && *at as usize >= edges.len()
    {
        return Err(format!(
            "a system payload for edge {at}, past the chunk's end"
        ));
    }
    Ok(())
}

/// A stored edge chunk's postcard bytes, read straight into edges: the same as
/// `unpack_edges(postcard::from_bytes(bytes)?)` (a test holds them equal), without a serde
/// visit and a `PackedEdge` per edge. Opening reads every edge of the database through this:
/// at 2 M firms and 10 M supply edges, the generic path was a sixth of the open's time.
///
/// postcard writes a `Vec` as its length and its items; a unit enum as its variant index; an
/// `i64` zig-zagged; every integer as a LEB128 varint. The payloads that follow are few and
/// read by postcard.
pub(super) fn edges_from_bytes(bytes: &[u8]) -> Result<EdgeChunk, String> {
    let mut r = Varints { bytes, at: 0 };
    let len = r.u64().ok_or("the edge count is cut short")?;
    // Each edge takes at least four bytes: a damaged count must not reserve gigabytes.
    let len = usize::try_from(len)
        .ok()
        .filter(|&l| l <= bytes.len() / 4)
        .ok_or_else(|| format!("{len} edges in {} bytes", bytes.len()))?;
    let kinds = edge_kinds();
    let mut at = Unpacking::default();
    let mut edges = Vec::with_capacity(len);
    for i in 0..len {
        let cut = || format!("edge {i} of the chunk is cut short");
        let kind = r.u64().ok_or_else(cut)?;
        let kind = usize::try_from(kind)
            .ok()
            .and_then(|k| kinds.get(k).copied())
            .ok_or_else(|| format!("edge {i} of the chunk has kind {kind}"))?;
        let from = r.i64().ok_or_else(cut)?;
        let to = r
            .u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(cut)?;
        let row = r.i64().ok_or_else(cut)?;
        edges.push(at.edge(i, kind, from, to, row)?);
    }
    let (systems, _): (Vec<(u32, SystemEntry)>, _) =
        postcard::take_from_bytes(&bytes[r.at..]).map_err(|e| e.to_string())?;
    check_payloads(&edges, &systems)?;
    Ok((edges, systems))
}

/// Edge kinds by the variant index postcard stores (serde's: the order of declaration), found
/// by encoding each kind once.
fn edge_kinds() -> &'static [EdgeKind] {
    static KINDS: std::sync::OnceLock<Vec<EdgeKind>> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let mut kinds: Vec<(u8, EdgeKind)> = EdgeKind::ALL
            .iter()
            .map(|&k| match postcard::to_stdvec(&k).as_deref() {
                Ok([index]) => (*index, k),
                other => unreachable!("a unit variant encodes as one byte, not {other:?}"),
            })
            .collect();
        kinds.sort_unstable_by_key(|&(i, _)| i);
        debug_assert!(kinds.iter().enumerate().all(|(n, &(i, _))| n == i as usize));
        kinds.into_iter().map(|(_, k)| k).collect()
    })
}

/// LEB128 varints read from a byte slice (postcard's integers).
struct Varints<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Varints<'_> {
    /// An unsigned varint of at most ten bytes that fits 64 bits.
    #[inline]
    fn u64(&mut self) -> Option<u64> {
        // Most numbers of an edge chunk (differences, kinds) take one byte.
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        if b < 0x80 {
            return Some(u64::from(b));
        }
        let mut v = u64::from(b & 0x7f);
        let mut shift = 7;
        while shift < 64 {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            // The tenth byte holds bit 63 only.
            if shift == 63 && b > 1 {
                return None;
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
        None
    }

    /// A zig-zagged signed varint.
    #[inline]
    fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }
}

/// The edges `edges` of `ds`, the first at index `first`, as stored (with their payloads).
pub(super) fn packed_edges<'a>(
    ds: &'a Dataset,
    first: usize,
    edges: &[Edge],
) -> PackedChunk<&'a SystemEntry> {
    // `systems` is sorted by edge index.
    let start = ds.systems.partition_point(|(at, _)| (*at as usize) < first);
    let systems = ds.systems[start..]
        .iter()
        .take_while(|(at, _)| (*at as usize) < first + edges.len())
        .map(|(at, s)| (*at - first as u32, s))
        .collect();
    let (mut from, mut row) = (0i64, 0i64);
    let packed = edges
        .iter()
        .map(|e| {
            let p = PackedEdge {
                kind: e.kind,
                from: i64::from(e.from) - from,
                to: e.to,
                row: i64::from(e.row) - row,
            };
            (from, row) = (i64::from(e.from), i64::from(e.row));
            p
        })
        .collect();
    (packed, systems)
}

/// A stored value (schema 2): CRC-32 (big-endian) of the rest, then the postcard bytes'
/// length (4 bytes, little-endian) and the postcard bytes compressed as one LZ4 block. At 2 M
/// firms the node chunks take a third of their postcard size (the ids repeat their prefixes);
/// the checksum covers the compressed bytes, so damage is found before anything is
/// decompressed.
pub(super) fn encode<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, postcard::Error> {
    let body = lz4_flex::block::compress_prepend_size(&postcard::to_stdvec(v)?);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// The largest postcard body a stored value may claim (a chunk is at most about 1 MB): a
/// damaged length that passes the checksum never makes a reader allocate gigabytes.
pub(super) const MAX_VALUE_BYTES: usize = 256 * 1024 * 1024;

/// The postcard bytes of a stored value's body (after its CRC), or what is wrong with it.
pub(super) fn decompress(body: &[u8]) -> Result<Vec<u8>, String> {
    let Some((len, block)) = body.split_first_chunk::<4>() else {
        return Err("no length".into());
    };
    let len = u32::from_le_bytes(*len) as usize;
    if len > MAX_VALUE_BYTES {
        return Err(format!("a length of {len} bytes"));
    }
    let out = lz4_flex::block::decompress(block, len).map_err(|e| e.to_string())?;
    if out.len() != len {
        return Err(format!("{} bytes where {len} were stated", out.len()));
    }
    Ok(out)
}

/// Test hook for the crash-safety test: with `CHAINKB_FAULT_PAUSE_IMPORT` set, an import
/// flushes what it has written so far, says so on stderr, and waits to be killed.
pub(super) fn fault_injection_pause(db: &sled::Db) {
    if std::env::var_os("CHAINKB_FAULT_PAUSE_IMPORT").is_some() {
        let _ = db.flush();
        eprintln!("chainkb: fault injection: import paused half-way");
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}
