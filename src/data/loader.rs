//! The loader's state while data files are read: positions and references still in text form,
//! pending edges and records, ids by kind, the chunked vectors a large file fills, the problems
//! found and the files that could not be read; and the methods the readers call to add nodes,
//! rows and edges and to report problems.

use super::{resolve, seeds, text};
use crate::model::{Dataset, EdgeKind, Kind, Row, SystemEntry};
use std::collections::{HashMap, HashSet};

/// A position in an input file (index into `Loader::display`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pos {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

/// A reference still in text form, with the kinds it may name.
#[derive(Clone, Debug)]
pub(crate) struct Ref {
    pub text: String,
    pub pos: Pos,
    pub allowed: &'static [Kind],
}

#[derive(Clone, Debug)]
pub(crate) enum End {
    Node(u32),
    Ref(Ref),
}

/// An edge whose ends are resolved after every file has been read, as stored (20 bytes: there
/// is one per edge, millions in a large data folder).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub kind: EdgeKind,
    pub from: Slot,
    pub to: Slot,
    pub row: u32,
    /// Index into `Loader::systems` plus one; 0 for none.
    pub system: u32,
}

/// A pending edge's end as stored: a node's index, or (top bit set) an index into
/// `Loader::refs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot(u32);

impl Slot {
    const REF: u32 = 1 << 31;

    fn node(n: u32) -> Slot {
        debug_assert!(n < Slot::REF);
        Slot(n)
    }

    pub fn as_node(self) -> Option<u32> {
        (self.0 & Slot::REF == 0).then_some(self.0)
    }

    pub fn as_ref(self) -> Option<u32> {
        (self.0 & Slot::REF != 0).then_some(self.0 & !Slot::REF)
    }
}

/// A reference of a pending edge: its text and allowed kinds (an index into
/// `Loader::ref_keys`, shared by every reference with the same text and kinds) and its position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefAt {
    pub key: u32,
    pub pos: Pos,
}

/// (kind, id) → node index, holding only the indexes (4 bytes a node rather than a copy of
/// every id): a node's kind and id are read from the nodes it indexes, which never change
/// either for an index once added (`Loader::add_node` replaces a node by one with its id).
#[derive(Default)]
pub(crate) struct Ids {
    table: hashbrown::HashTable<u32>,
    hasher: std::hash::RandomState,
}

impl Ids {
    fn hash(&self, kind: Kind, id: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one((kind, id))
    }

    pub fn get(&self, nodes: &[crate::model::Node], kind: Kind, id: &str) -> Option<u32> {
        self.table
            .find(self.hash(kind, id), |&i| {
                nodes
                    .get(i as usize)
                    .is_some_and(|n| n.kind == kind && &*n.id == id)
            })
            .copied()
    }

    /// Index node `i` (not necessarily in `nodes` yet) as `key`; an index already there for
    /// the key is replaced.
    pub fn insert(&mut self, nodes: &[crate::model::Node], key: (Kind, &str), i: u32) {
        let (kind, id) = key;
        let hash = self.hash(kind, id);
        let same = |&j: &u32| {
            nodes
                .get(j as usize)
                .is_some_and(|n| n.kind == kind && &*n.id == id)
        };
        if let Some(slot) = self.table.find_mut(hash, same) {
            *slot = i;
            return;
        }
        let hasher = &self.hasher;
        self.table.insert_unique(hash, i, |&j| {
            use std::hash::BuildHasher;
            nodes
                .get(j as usize)
                .map_or(0, |n| hasher.hash_one((n.kind, &*n.id)))
        });
    }
}

/// A list kept in chunks of at most `CHUNK` items: growing it never copies (nor holds twice)
/// what it has, and it can be consumed chunk by chunk, freeing each after use.
pub(crate) struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunks<T> {
    /// 2 M items: 40 MB of 20-byte pending edges, beyond glibc's largest mmap threshold, so a
    /// chunk's memory goes back to the system when it is dropped.
    const CHUNK: usize = 1 << 21;

    pub fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < Self::CHUNK => c.push(item),
            _ => {
                let mut c = Vec::with_capacity(if self.chunks.is_empty() {
                    0
                } else {
                    Self::CHUNK
                });
                c.push(item);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Item `i` (every chunk but the last holds exactly `CHUNK` items).
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / Self::CHUNK)?.get(i % Self::CHUNK)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let all: Vec<Vec<T>> = std::mem::take(&mut self.chunks);
        self.len = 0;
        for c in all {
            for item in c {
                if keep(&item) {
                    self.push(item);
                }
            }
        }
    }

    /// The chunks in order, to be consumed.
    pub fn into_chunks(self) -> Vec<Vec<T>> {
        self.chunks
    }
}

/// A figure whose place and industry are resolved after every file has been read.
#[derive(Clone, Debug)]
pub(crate) struct PendingFigure {
    pub place: Ref,
    pub industry: Option<Ref>,
    pub figure: crate::model::Figure,
}

/// A catalog item whose place, industry and models are resolved after every file is read.
#[derive(Clone, Debug)]
pub(crate) struct PendingItem {
    pub place: Ref,
    pub industry: Ref,
    pub models: Vec<Ref>,
    pub item: crate::model::CatalogItem,
}

/// A source table's listing whose references are resolved after every file has been read.
#[derive(Clone, Debug)]
pub(crate) struct PendingListing {
    pub table: Box<str>,
    pub industry: Ref,
    pub field: Option<Ref>,
    pub enterprise: Option<Ref>,
    pub written: Box<str>,
    pub row: u32,
}

/// A problem while it is being collected: where, what, and what decides whether it is shown.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub pos: Pos,
    pub message: String,
    /// The file as a whole could not be read: shown first (and, in a file read only to resolve
    /// references, when something asked about was not checked because of it: `Unreadable`).
    pub fatal: bool,
    /// Other files the problem is about (the other definition of a duplicate id, the files of a
    /// cycle's segments): a problem is shown when any of its files was asked about.
    pub related: Vec<u32>,
}

/// A data file whose content could not be read (not decodable, not valid TOML/CSV, no usable
/// header, or a name that says nothing about what it holds), or a template table that defines
/// nothing because of a problem reported in it (a `[chain]` or `[[segment]]` without a usable
/// `id`, a misspelt table name): references that fail to resolve only because their target
/// may be defined in it are not reported; they are counted here.
pub(crate) struct Unreadable {
    /// Index into `Loader::problems` of the problem that says why the file (or table) could not
    /// be read.
    pub problem: usize,
    /// The kinds of node the file would define.
    pub kinds: &'static [Kind],
    /// The words of the file (cells, quoted strings), exact and normalized, when its bytes could
    /// be had at all: a reference counts as "possibly defined there" only if its text is one
    /// of them. `None`: nothing is known of the content, so any name of `kinds` may be there.
    pub words: Option<(HashSet<String>, HashSet<String>)>,
    /// References not checked because of this file.
    pub refs: usize,
    /// Segments named in this file whose chain membership and links were not checked.
    pub segments: usize,
    /// Whether any of those references or segments is in a file asked about.
    pub affects_asked: bool,
}

impl Unreadable {
    /// Whether a node of `kind` named `text` may be defined in this file.
    pub fn may_define(&self, kind: Kind, text: &str) -> bool {
        self.kinds.contains(&kind)
            && match &self.words {
                None => true,
                Some((exact, normalized)) => {
                    exact.contains(text.trim())
                        || normalized.contains(&crate::names::normalize(text))
                }
            }
    }
}

/// Accumulates a dataset and its problems while files are read.
#[derive(Default)]
pub(crate) struct Loader {
    pub ds: Dataset,
    /// Paths as the user gave them, parallel to `ds.files`, for messages.
    pub display: Vec<String>,
    pub pending: Chunks<Pending>,
    /// The references of pending edges (`Slot::as_ref`).
    pub refs: Chunks<RefAt>,
    /// Distinct (reference text, allowed kinds) of `refs`, resolved once each.
    pub ref_keys: Vec<(Box<str>, &'static [Kind])>,
    /// Reference text → its (allowed kinds, index into `ref_keys`).
    pub ref_index: HashMap<Box<str>, Vec<(&'static [Kind], u32)>>,
    /// IN_SYSTEM payloads of pending edges (`Pending::system`).
    pub systems: Vec<SystemEntry>,
    /// The row of the last pending edge, and whether a pending edge ever came with an earlier
    /// row than the one before it (else the edges of a row are consecutive, and a repeated fact
    /// is looked for among its row's edges only).
    pub last_row: u32,
    pub rows_unordered: bool,
    pub pending_figures: Vec<PendingFigure>,
    pub pending_items: Vec<PendingItem>,
    pub pending_listings: Vec<PendingListing>,
    pub problems: Vec<Problem>,
    pub unreadable: Vec<Unreadable>,
    /// Template files whose `[chain]` table gave no chain (its problem is reported there): their
    /// segments are not reported again as belonging to no chain.
    pub chainless: HashSet<u32>,
    /// Segments with a SUPPLIES edge whose other end was not checked (see `Unreadable`): whether
    /// they are orphans cannot be told.
    pub unsure_links: HashSet<u32>,
    /// Names (exact and normalized) in `[[supplies]]` entries that were left out because of a
    /// problem reported in them (`form = "甲"` for `from`): the segments they name are not
    /// reported again as orphans.
    pub dropped_links: HashSet<String>,
    /// Rows of definitions left out for a duplicate id that was kept from a later file (see
    /// `add_node`): their pending edges are dropped.
    pub dropped_rows: HashSet<u32>,
    /// Per file, whether it was asked about (rather than read only to resolve references);
    /// files beyond its length were asked about.
    pub asked: Vec<bool>,
    /// (kind, id) → node index, filled as nodes are added.
    pub ids: Ids,
    /// Node index → position of its id, for messages about the node.
    pub node_pos: Vec<Pos>,
    /// Source text → index into `ds.sources`.
    pub source_ids: HashMap<Box<str>, u32>,
    /// (file, data rows read) for each CSV file whose rows could be read.
    pub rows_read: Vec<(u32, usize)>,
}

impl Loader {
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.error_about(pos, message, Vec::new());
    }

    /// A problem that also concerns `related` files (see `Problem::related`).
    pub fn error_about(&mut self, pos: Pos, message: impl Into<String>, related: Vec<u32>) {
        self.problems.push(Problem {
            pos,
            message: message.into(),
            fatal: false,
            related,
        });
    }

    /// The file `pos.file` could not be read as a whole: report why, and remember what it would
    /// have defined (`kinds`) and, when its bytes are known, the words in it.
    pub fn unreadable(
        &mut self,
        pos: Pos,
        message: impl Into<String>,
        kinds: &'static [Kind],
        bytes: Option<&[u8]>,
    ) {
        self.problems.push(Problem {
            pos,
            message: message.into(),
            fatal: true,
            related: Vec::new(),
        });
        self.unreadable.push(Unreadable {
            problem: self.problems.len() - 1,
            kinds,
            words: bytes.map(text::words),
            refs: 0,
            segments: 0,
            affects_asked: false,
        });
    }

    /// The table a problem (`problems[problem]`) is about defines no node, but it was meant to
    /// define a node of one of `kinds` by one of `names`: references to those names are counted
    /// there, not reported as unknown.
    pub fn undefined(&mut self, problem: usize, kinds: &'static [Kind], names: Vec<String>) {
        let names: HashSet<String> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        let normalized = names.iter().map(|n| crate::names::normalize(n)).collect();
        self.unreadable.push(Unreadable {
            problem,
            kinds,
            words: Some((names, normalized)),
            refs: 0,
            segments: 0,
            affects_asked: false,
        });
    }

    /// Whether a `[[supplies]]` entry that was left out names `name` (see `dropped_links`).
    pub fn in_dropped_link(&self, name: &str) -> bool {
        self.dropped_links.contains(name.trim())
            || self.dropped_links.contains(&crate::names::normalize(name))
    }

    /// If a file that could not be read may define a node of one of `kinds` named `text`,
    /// count a check not made there (for something in file `from`) and return true.
    pub fn not_checked(&mut self, kinds: &[Kind], text: &str, from: u32, segment: bool) -> bool {
        let asked = self.is_asked(from);
        let Some(u) = self
            .unreadable
            .iter_mut()
            .find(|u| kinds.iter().any(|&k| u.may_define(k, text)))
        else {
            return false;
        };
        if segment {
            u.segments += 1;
        } else {
            u.refs += 1;
        }
        u.affects_asked |= asked;
        true
    }

    pub fn is_asked(&self, file: u32) -> bool {
        self.asked.get(file as usize).copied().unwrap_or(true)
    }

    pub fn add_row(&mut self, file: u32, line: u32, source: &str, notes: &str) -> u32 {
        let notes = notes.trim();
        let text = source.trim();
        let source = match self.source_ids.get(text) {
            Some(&i) => i,
            None => {
                let i = self.ds.sources.len() as u32;
                self.ds.sources.push(text.into());
                self.source_ids.insert(text.into(), i);
                i
            }
        };
        self.ds.rows.push(Row {
            file,
            line,
            source,
            notes: (!notes.is_empty()).then(|| Box::new(notes.into())),
        });
        (self.ds.rows.len() - 1) as u32
    }

    /// Add a node unless its id is taken by a definition that is kept over it; returns the
    /// node's index if this definition is kept (the caller then adds its edges).
    ///
    /// Of two definitions of one id the one kept is, in this order: in a file read only to
    /// resolve references rather than in a file asked about (the data relied on stays as it
    /// is, the new file is the one at fault); in a curated file rather than a machine-made
    /// `candidates*` file; read first. The other is reported as the duplicate, and its aliases
    /// and edges are left out, so that references resolve as they would without it.
    pub fn add_node(&mut self, node: crate::model::Node, pos: Pos) -> Option<u32> {
        let Some(first) = self.ids.get(&self.ds.nodes, node.kind, &node.id) else {
            let i = self.ds.nodes.len() as u32;
            self.ids.insert(&self.ds.nodes, (node.kind, &node.id), i);
            self.ds.nodes.push(node);
            self.node_pos.push(pos);
            return Some(i);
        };
        let first_pos = self.node_pos[first as usize];
        let rank = |ld: &Loader, file: u32| (ld.is_asked(file), ld.is_candidates(file));
        if rank(self, pos.file) >= rank(self, first_pos.file) {
            let first_file = self.display[first_pos.file as usize].clone();
            let (kind, id, line) = (node.kind, &node.id, first_pos.line);
            let zh = kind.label_zh();
            let message = crate::msg!(
                "{zh}编号 `{id}` 重复（首次定义于 {first_file}:{line}）",
                "duplicate {kind} id `{id}` (first defined at {first_file}:{line})"
            );
            self.error_about(pos, message, vec![first_pos.file]);
            return None;
        }
        // The new definition is kept in the place of the first, whose edges are dropped.
        let why = if self.is_asked(first_pos.file) && !self.is_asked(pos.file) {
            crate::msg!(
                "在为解析引用而读的数据里，保留的是那一处",
                "in the data read to resolve references, which is kept"
            )
        } else {
            crate::msg!(
                "保留的是那一处：企业文件优先于候选企业文件",
                "which is kept: an enterprises file takes precedence over a candidates file"
            )
        };
        let old = std::mem::replace(&mut self.ds.nodes[first as usize], node);
        self.node_pos[first as usize] = pos;
        // Its edges are those of its row (dropped as they are resolved: a firm repeated in a
        // large candidates file must not cost a pass over every edge)…
        self.dropped_rows.insert(old.row);
        if old.kind == Kind::Chain {
            // …and, for a chain, those of the segments of its template, which is left without
            // a chain, as reported here.
            let is_old = |e: Slot| e.as_node() == Some(first);
            self.pending.retain(|p| !is_old(p.from) && !is_old(p.to));
            self.chainless.insert(first_pos.file);
            for t in &mut self.ds.templates {
                if t.chain == Some(first) {
                    t.chain = None;
                }
            }
        }
        let file = self.display[pos.file as usize].clone();
        let (kind, id, line) = (old.kind, &old.id, pos.line);
        let zh = kind.label_zh();
        let message = crate::msg!(
            "{zh}编号 `{id}` 重复（{file}:{line} 也有定义，{why}）",
            "duplicate {kind} id `{id}` (also defined at {file}:{line}, {why})"
        );
        self.error_about(first_pos, message, vec![pos.file]);
        // The caller adds the kept definition's edges as those of a new node.
        Some(first)
    }

    /// Whether `file` is a machine-made candidates file (`seeds/candidates*.csv`).
    fn is_candidates(&self, file: u32) -> bool {
        self.ds.files.get(file as usize).is_some_and(|name| {
            let stem = name.trim_start_matches("seeds/").trim_end_matches(".csv");
            name.starts_with("seeds/")
                && seeds::SeedKind::from_file_stem(stem) == Ok(seeds::SeedKind::Candidates)
        })
    }

    pub fn pend(&mut self, kind: EdgeKind, from: End, to: End, row: u32) {
        self.pend_system(kind, from, to, row, None);
    }

    /// A pending edge, with the IN_SYSTEM payload of a `systems` row.
    ///
    /// A reference that names the id of a node (of the first kind it may name) already known is
    /// stored as that node: ids are never taken back nor moved to another index, so `resolve`
    /// would find the same node. Not for a chain (whose edges are dropped when a later
    /// definition replaces it, `add_node`), nor when both ends would be one node (the self-edge
    /// is reported at the reference).
    pub fn pend_system(
        &mut self,
        kind: EdgeKind,
        from: End,
        to: End,
        row: u32,
        system: Option<SystemEntry>,
    ) {
        let (from, to) = match (self.known(&from), self.known(&to)) {
            (Some(a), Some(b)) if a != b => (Slot::node(a), Slot::node(b)),
            _ => (self.slot(from), self.slot(to)),
        };
        let system = match system {
            Some(s) => {
                self.systems.push(s);
                self.systems.len() as u32
            }
            None => 0,
        };
        if row < self.last_row {
            self.rows_unordered = true;
        }
        self.last_row = row;
        self.pending.push(Pending {
            kind,
            from,
            to,
            row,
            system,
        });
    }

    /// The node an end names for certain already (see `pend_system`).
    fn known(&self, e: &End) -> Option<u32> {
        match e {
            End::Node(n) => Some(*n),
            End::Ref(r) => resolve::by_id(self, &r.text, r.allowed)
                .filter(|&n| self.ds.nodes[n as usize].kind != Kind::Chain),
        }
    }

    fn slot(&mut self, e: End) -> Slot {
        match e {
            End::Node(n) => Slot::node(n),
            End::Ref(r) => {
                let key = self.intern(r.text, r.allowed);
                self.refs.push(RefAt { key, pos: r.pos });
                Slot(Slot::REF | (self.refs.len() - 1) as u32)
            }
        }
    }

    fn intern(&mut self, text: String, allowed: &'static [Kind]) -> u32 {
        if let Some(keys) = self.ref_index.get(text.as_str())
            && let Some(&(_, k)) = keys.iter().find(|(a, _)| *a == allowed)
        {
            return k;
        }
        let k = self.ref_keys.len() as u32;
        self.ref_keys.push((text.as_str().into(), allowed));
        self.ref_index
            .entry(text.into_boxed_str())
            .or_default()
            .push((allowed, k));
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_order_and_index_across_chunk_ends() {
        let n = Chunks::<u32>::CHUNK * 2 + 5;
        let mut c = Chunks::default();
        for i in 0..n as u32 {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        for i in [0, 1, Chunks::<u32>::CHUNK - 1, Chunks::<u32>::CHUNK, n - 1] {
            assert_eq!(c.get(i), Some(&(i as u32)));
        }
        assert_eq!(c.get(n), None);
        c.retain(|&i| i % 3 == 0);
        assert_eq!(c.len(), n.div_ceil(3));
        let last = n.div_ceil(3) - 1;
        assert_eq!(c.get(last), Some(&(3 * last as u32)));
        let all: Vec<u32> = c.into_chunks().into_iter().flatten().collect();
        assert!(all.iter().enumerate().all(|(k, &i)| i == 3 * k as u32));
    }

    #[test]
    fn a_reference_to_a_known_id_is_stored_as_its_node_but_not_a_self_edge() {
        let mut ld = Loader::default();
        let node = |id: &str| {
            crate::model::Node::new(
                Kind::Enterprise,
                id.into(),
                crate::model::Attrs::Industry,
                0,
            )
        };
        let a = ld.add_node(node("甲"), Pos::default()).unwrap();
        let b = ld.add_node(node("乙"), Pos::default()).unwrap();
        let r = |t: &str| {
            End::Ref(Ref {
                text: t.into(),
                pos: Pos::default(),
                allowed: &[Kind::Enterprise],
            })
        };
        ld.pend(EdgeKind::SuppliesTo, r(" 甲"), r("enterprise:乙"), 0);
        ld.pend(EdgeKind::SuppliesTo, r("甲"), r("甲"), 1);
        ld.pend(EdgeKind::SuppliesTo, r("甲"), r("丙"), 2);
        ld.pend(EdgeKind::SuppliesTo, r("丙"), r("丙"), 3);
        let p: Vec<Pending> = ld.pending.into_chunks().into_iter().flatten().collect();
        assert_eq!((p[0].from.as_node(), p[0].to.as_node()), (Some(a), Some(b)));
        assert!(p[1].from.as_ref().is_some() && p[1].to.as_ref().is_some());
        assert!(p[2].from.as_ref().is_some() && p[2].to.as_ref().is_some());
        // Texts are kept once per (text, kinds).
        assert_eq!(ld.refs.len(), 6);
        assert_eq!(ld.ref_keys.len(), 2);
    }
}
