//! Data folders: reading `graphs/*.toml` and `seeds/*.csv` into a checked `Dataset`, reporting
//! every problem as `file:line:column: message`, and writing a `Dataset` back (export).
//!
//! Reading runs in three passes: parse every file into nodes and *pending* edges whose ends are
//! still text; resolve each reference by id, name, alias or normalized name; then validate the
//! whole (duplicate ids, cycles, orphans). Problems never stop a pass: `check` must report all.
//!
//! One problem must not hide others nor bury them under problems it causes. A template is read
//! key by key (an unknown key is one problem, not an unreadable file). A file that cannot be read
//! at all (`Unreadable`) is reported first, and a reference that fails only because its target
//! may be defined in such a file is counted there instead of being reported as unknown.
//!
//! `load` reads a file or a `graphs`/`seeds` folder as part of its data folder (else of the
//! current data folder, else of the bundled data: `context_of`): the other files are read too so
//! that references resolve, but only the problems of the files asked about are listed, with one
//! line for the rest.
//!
//! Which files are read and in which context is in `files`. This file is still over 800 lines
//! (the loader's state — ids, chunks, unreadable files — and the passes that drive it): it was
//! left whole while the loader's memory use was being changed in parallel; splitting the
//! loader out is the next step.

pub mod encoding;
mod error;
mod export;
mod files;
mod resolve;
mod seeds;
mod templates;
pub mod text;

use crate::model::{Dataset, EdgeKind, Kind, Row, SystemEntry};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

pub use error::DataError;
pub use export::export;
pub use files::{
    Context, Input, collect_files, context_of, default_context, is_data_folder, load_files,
    read_input,
};
use files::{read_bytes, shown_dir};
pub use resolve::Resolver;
pub use seeds::SeedKind;

/// Whether quoted cells of the seed-file column `col` may hold line breaks (`notes` only).
pub fn seeds_multi_line(col: &str) -> bool {
    seeds::MULTI_LINE.contains(&col)
}
use text::CsvText;
pub use text::Encoding;

/// One problem found in a data folder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diag {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

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

/// The result of reading a data folder: the dataset (as far as it could be built) and every
/// problem: first the files that could not be read at all, then the rest sorted by file and
/// position.
pub struct Loaded {
    pub dataset: Dataset,
    pub diags: Vec<Diag>,
    /// Lines to show that are not problems: what references were resolved against when files
    /// beyond those asked about were read (see `load`).
    pub notes: Vec<String>,
    /// How many files were asked about, when files beyond them were read to resolve references
    /// (`None`: every file read was asked about).
    pub checked: Option<usize>,
    /// Data rows read per CSV file asked about (the path as given, the count), in file order,
    /// so that `check` and `import` can show them: a file that lost rows shows it.
    pub rows_read: Vec<(String, usize)>,
}

impl Loaded {
    pub fn is_ok(&self) -> bool {
        self.diags.is_empty()
    }

    /// The line `check` prints when there is no problem: `ok: 65 files, 1347 nodes, 3412
    /// edges, 0 problems`, or, when a context was read, `ok: 1 file checked (65 read), …`
    /// (the nodes and edges are those of all files read).
    pub fn summary(&self) -> String {
        let ds = &self.dataset;
        let lang = crate::lang::messages();
        let read = ds.files.len();
        let files = match (self.checked, lang) {
            (Some(n), crate::lang::Lang::Zh) => format!("检查了 {n} 个文件（读了 {read} 个）"),
            (Some(n), crate::lang::Lang::En) => {
                format!(
                    "{n} file{} checked ({read} read)",
                    if n == 1 { "" } else { "s" }
                )
            }
            (None, _) => crate::tr!(lang, "{read} 个文件", "{read} files"),
        };
        let (nodes, edges, problems) = (ds.nodes.len(), ds.edges.len(), self.diags.len());
        crate::tr!(
            lang,
            "正常：{files}，{nodes} 个节点，{edges} 条边，{problems} 个问题",
            "ok: {files}, {nodes} nodes, {edges} edges, {problems} problems"
        )
    }

    /// One line per CSV file asked about, `  seeds/parks.csv: 41 data rows`, printed under the
    /// summary of `check` and `import`: rows swallowed or left out show as a smaller count.
    pub fn rows_lines(&self) -> Vec<String> {
        self.rows_read
            .iter()
            .map(|(file, n)| {
                let rows = if *n == 1 { "row" } else { "rows" };
                crate::msg!("  {file}：{n} 行数据", "  {file}: {n} data {rows}")
            })
            .collect()
    }
}

/// What kind of data a file holds, from its place and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Template,
    Seed(seeds::SeedKind),
}

/// Read and check in-memory files, as one whole: every reference must resolve among them.
pub fn load_inputs(files: Vec<Input>, encoding: Encoding) -> Loaded {
    let ld = read_all(files, Vec::new(), encoding);
    finish(ld, None)
}

/// The kinds of node a file of `kind` defines.
fn kinds_of(kind: FileKind) -> &'static [Kind] {
    match kind {
        FileKind::Template => &[Kind::Chain, Kind::Segment],
        FileKind::Seed(k) => k.node_kinds(),
    }
}

/// Every kind a seed file may define, for a file whose name does not say which.
const SEED_KINDS: &[Kind] = &[
    Kind::Region,
    Kind::Park,
    Kind::Industry,
    Kind::Enterprise,
    Kind::Project,
];

/// The three passes over `files` (in this order; their rows keep it).
fn read_all(files: Vec<Input>, asked: Vec<bool>, encoding: Encoding) -> Loader {
    let mut ld = Loader {
        asked,
        ..Loader::default()
    };
    // Canonical name → the first file of that name.
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut texts: Vec<(u32, FileKind, CsvText)> = Vec::new();
    for Input {
        name,
        display,
        bytes,
        path,
    } in files
    {
        let file = ld.ds.files.len() as u32;
        ld.ds.files.push(name.clone());
        ld.display.push(display);
        let at_start = Pos {
            file,
            line: 1,
            col: 1,
        };
        let kind = if name.starts_with("graphs/") {
            Ok(FileKind::Template)
        } else {
            let stem = name.trim_start_matches("seeds/").trim_end_matches(".csv");
            seeds::SeedKind::from_file_stem(stem).map(FileKind::Seed)
        };
        let kinds = kind.as_ref().map_or(SEED_KINDS, |k| kinds_of(*k));
        // A seed file on disk in UTF-8 is read as it is parsed; any other is read whole now.
        let streamed = match (&path, &kind) {
            (Some(p), Ok(FileKind::Seed(_)))
                if encoding != Encoding::Gbk && !seen.contains_key(&name) =>
            {
                text::utf8_file(p).ok().flatten()
            }
            _ => None,
        };
        let bytes = match (&streamed, &path) {
            (None, Some(p)) => read_bytes(p),
            _ => bytes,
        };
        if let Some(&first) = seen.get(&name) {
            let shown = ld.display[first as usize].clone();
            ld.unreadable(
                at_start,
                crate::msg!(
                    "又一个名为 `{name}` 的文件（第一个是 {shown}）；文件名必须唯一",
                    "a second file named `{name}` (the first is {shown}); file names must be unique"
                ),
                kinds,
                bytes.as_deref().ok(),
            );
            if let Some(p) = ld.problems.last_mut() {
                p.related.push(first);
            }
            continue;
        }
        seen.insert(name.clone(), file);
        let kind = match kind {
            Ok(k) => k,
            Err(msg) => {
                ld.unreadable(at_start, msg, kinds, bytes.as_deref().ok());
                continue;
            }
        };
        if let Some(t) = streamed {
            texts.push((file, kind, t));
            continue;
        }
        let enc = if kind == FileKind::Template {
            Encoding::Utf8
        } else {
            encoding
        };
        match &bytes {
            Err(msg) => ld.unreadable(at_start, msg.clone(), kinds, None),
            Ok(b) if b.contains(&0) => {
                let what = if kind == FileKind::Template {
                    "TOML"
                } else {
                    "CSV"
                };
                ld.unreadable(at_start, text::not_text(b, what), kinds, Some(b));
            }
            Ok(_) => {
                // The text takes the place of the bytes (UTF-8 is not copied).
                let Ok(b) = bytes else { continue };
                match text::decode_vec(b, enc) {
                    Ok(t) => texts.push((file, kind, CsvText::Text(t))),
                    Err((msg, b)) => ld.unreadable(at_start, msg, kinds, Some(&b)),
                }
            }
        }
    }
    // Templates first, so segment rows precede the seed rows that reference them.
    for (file, kind, t) in &texts {
        if let (FileKind::Template, CsvText::Text(t)) = (kind, t) {
            templates::read(&mut ld, *file, t);
        }
    }
    // Each seed file's text is freed once it is read.
    for (file, kind, t) in texts {
        if let FileKind::Seed(k) = kind {
            seeds::read(&mut ld, file, k, &t);
        }
    }
    resolve::resolve(&mut ld);
    resolve::validate(&mut ld);
    ld
}

/// Read and check the data under `paths` (see `collect_files`), resolving references as
/// `context_of` says. When files beyond those asked about are read (the rest of their data
/// folder, or the bundled data), the dataset holds them all, since it must be whole to be
/// imported, but problems are reported only for the files asked about, plus: files that could
/// not be read at all, and one line for the problems of the other files, if they have any. A
/// note (`Loaded::notes`) says what references were resolved against.
pub fn load(paths: &[PathBuf], encoding: Encoding) -> Result<Loaded, DataError> {
    let files = collect_files(paths)?;
    if files.is_empty() {
        return Err(DataError::NoDataFiles(paths.to_vec()));
    }
    let Some(context) = context_of(paths) else {
        return Ok(load_files(&files, encoding));
    };
    let mut others = context.inputs()?;
    // A file asked about stands in for the file of its name in the context.
    let mut replaced: Vec<String> = Vec::new();
    others.retain(|o| {
        let Some((_, path)) = files.iter().find(|(name, _)| *name == o.name) else {
            return true;
        };
        let same = match &context {
            Context::Bundled => false,
            Context::Folder(_) => {
                std::fs::canonicalize(path).ok() == std::fs::canonicalize(&o.display).ok()
            }
        };
        if !same {
            let (p, o) = (path.display(), &o.display);
            replaced.push(crate::msg!("{p} 代替 {o}", "{p} replaces {o}"));
        }
        false
    });
    let mut inputs: Vec<(Input, bool)> = files
        .iter()
        .map(|f| (read_input(f), true))
        .chain(others.into_iter().map(|o| (o, false)))
        .collect();
    inputs.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let asked: Vec<bool> = inputs.iter().map(|(_, a)| *a).collect();
    let ld = read_all(
        inputs.into_iter().map(|(i, _)| i).collect(),
        asked,
        encoding,
    );
    let mut loaded = finish(ld, Some(&context));
    let lang = crate::lang::messages();
    let label = context.label();
    let mut note = crate::tr!(
        lang,
        "引用按{label} 解析",
        "references resolved against {label}"
    );
    if !replaced.is_empty() {
        let r = replaced.join(lang.pick("；", "; "));
        note.push_str(&crate::tr!(lang, "（{r}）", " ({r})"));
    }
    loaded.notes.push(note);
    Ok(loaded)
}

/// Turn the collected problems into the diagnostics shown: the "not checked" counts added to
/// the files that could not be read; those first, then the rest by file and position; with a
/// context, only the problems about files asked about, and one line for the others.
fn finish(mut ld: Loader, context: Option<&Context>) -> Loaded {
    // A file (or template table) read only to resolve references that could not be read is
    // shown when something asked about went unchecked because of it; otherwise it is one of
    // the others' problems.
    let mut explains_asked: HashSet<usize> = HashSet::new();
    for u in &ld.unreadable {
        if u.affects_asked {
            explains_asked.insert(u.problem);
        }
        let mut said = Vec::new();
        let lang = crate::lang::messages();
        match u.refs {
            0 => {}
            1 => said.push(crate::tr!(
                lang,
                "对其中 1 个名称的引用没有检查",
                "1 reference to a name in it was not checked"
            )),
            n => said.push(crate::tr!(
                lang,
                "对其中名称的 {n} 处引用没有检查",
                "{n} references to names in it were not checked"
            )),
        }
        match u.segments {
            0 => {}
            1 => said.push(crate::tr!(
                lang,
                "其中提到的 1 个环节没有检查链上连接",
                "1 segment named in it was not checked for chain links"
            )),
            n => said.push(crate::tr!(
                lang,
                "其中提到的 {n} 个环节没有检查链上连接",
                "{n} segments named in it were not checked for chain links"
            )),
        }
        if !said.is_empty() {
            let p = &mut ld.problems[u.problem];
            let sep = lang.pick("；", "; ");
            let said = said.join(lang.pick("，", ", and "));
            p.message = format!("{}{sep}{said}", p.message);
        }
    }
    let asked = std::mem::take(&mut ld.asked);
    let is_asked = |f: u32| asked.get(f as usize).copied().unwrap_or(true);
    let display = ld.display;
    let to_diag = |p: &Problem| Diag {
        file: display
            .get(p.pos.file as usize)
            .cloned()
            .unwrap_or_default(),
        line: p.pos.line,
        col: p.pos.col,
        message: p.message.clone(),
    };
    type Numbered = Vec<(usize, Problem)>;
    let (shown, hidden): (Numbered, Numbered) =
        ld.problems.into_iter().enumerate().partition(|(i, p)| {
            explains_asked.contains(i)
                || is_asked(p.pos.file)
                || p.related.iter().any(|&f| is_asked(f))
        });
    let mut sorted: Vec<(bool, Diag)> = shown.iter().map(|(_, p)| (!p.fatal, to_diag(p))).collect();
    sorted.sort_by(|(a_late, a), (b_late, b)| {
        (a_late, &a.file, a.line, a.col, &a.message)
            .cmp(&(b_late, &b.file, b.line, b.col, &b.message))
    });
    let mut diags: Vec<Diag> = sorted.into_iter().map(|(_, d)| d).collect();
    diags.dedup();
    let mut hidden: Vec<Diag> = hidden.iter().map(|(_, p)| to_diag(p)).collect();
    hidden.sort();
    hidden.dedup();
    if let (Some(first), Some(context)) = (hidden.first(), context) {
        let lang = crate::lang::messages();
        let more = match hidden.len() - 1 {
            0 => String::new(),
            1 => crate::tr!(lang, "；那里还有 1 个问题", "; 1 more problem there"),
            n => crate::tr!(lang, "；那里还有 {n} 个问题", "; {n} more problems there"),
        };
        let more = match context {
            Context::Folder(d) if !more.is_empty() => {
                let d = shown_dir(d);
                crate::tr!(
                    lang,
                    "{more}，`chainkb check {d}` 会列出",
                    "{more}, listed by `chainkb check {d}`"
                )
            }
            _ => more,
        };
        let label = context.label();
        diags.push(Diag {
            message: crate::tr!(
                lang,
                "{}（在{label} 里，它只为解析引用而读{more}）",
                "{} (in {label}, which was read only to resolve references{more})",
                first.message
            ),
            ..first.clone()
        });
    }
    let checked = context.map(|_| {
        (0..ld.ds.files.len() as u32)
            .filter(|&f| is_asked(f))
            .count()
    });
    ld.ds.public_functions.sort_unstable_by_key(|&(s, _)| s);
    ld.ds.coverage.sort_by_key(|&(p, _)| p);
    let notes = public_function_makers(&ld.ds);
    let rows_read = ld
        .rows_read
        .iter()
        .filter(|(f, _)| is_asked(*f))
        .filter_map(|&(f, n)| Some((display.get(f as usize)?.clone(), n)))
        .collect();
    Loaded {
        dataset: ld.ds,
        diags,
        notes,
        checked,
        rows_read,
    }
}

/// Enterprises recorded as producing a segment that public bodies provide: not a problem (the
/// data may be right and the template too strict), but `targets` never lists them for it, which
/// is worth saying once, per segment.
fn public_function_makers(ds: &Dataset) -> Vec<String> {
    if ds.public_functions.is_empty() {
        return Vec::new();
    }
    let mut makers: Vec<(u32, u32)> = ds
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Produces && ds.public_function(e.to).is_some())
        .map(|e| (e.to, e.from))
        .collect();
    makers.sort_unstable();
    makers.dedup();
    makers
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| {
            let segment = ds.nodes[run[0].0 as usize].name();
            let mut firms: Vec<&str> = run
                .iter()
                .take(3)
                .map(|&(_, e)| ds.nodes[e as usize].name())
                .collect();
            if run.len() > 3 {
                firms.push("…");
            }
            let (n, firms) = (run.len(), firms.join("、"));
            crate::msg!(
                "注意：{segment} 由公共机构提供（模板里的 `public`），却记有 {n} 家企业生产它（{firms}）：\
                 招商名单从不为它列出这些企业（请从企业里删去这个环节，或从模板删去 `public`）",
                "note: {segment} is provided by public bodies (`public` in its template), but {n} \
                 enterprise(s) are recorded as producing it ({firms}): targets never lists them for it \
                 (remove the segment from them, or `public` from the template)"
            )
        })
        .collect()
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
        let node = |id: &str| crate::model::Node {
            kind: Kind::Enterprise,
            id: id.into(),
            display_name: None,
            aliases: Box::default(),
            attrs: crate::model::Attrs::Industry,
            row: 0,
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
