//! Data folders: reading `graphs/*.toml` and `seeds/*.csv` into a checked `Dataset`, reporting
//! every problem as `file:line:column: message`, and writing a `Dataset` back (export).
//!
//! Reading runs in three passes: parse every file into nodes and *pending* edges whose ends are
//! still text; resolve each reference by id, name, alias or normalized name; then validate the
//! whole (duplicate ids, cycles, orphans). Problems never stop a pass: `check` must report all.

mod export;
mod resolve;
mod seeds;
mod templates;
pub mod text;

use crate::model::{Dataset, EdgeKind, Kind, Row, SystemEntry};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use export::export;
pub use resolve::Resolver;
pub use seeds::SeedKind;
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

/// An edge whose ends are resolved after every file has been read.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub kind: EdgeKind,
    pub from: End,
    pub to: End,
    pub row: u32,
    pub system: Option<Box<SystemEntry>>,
}

/// Accumulates a dataset and its problems while files are read.
#[derive(Default)]
pub(crate) struct Loader {
    pub ds: Dataset,
    /// Paths as the user gave them, parallel to `ds.files`, for messages.
    pub display: Vec<String>,
    pub pending: Vec<Pending>,
    pub diags: Vec<Diag>,
    /// (kind, id) → node index, filled as nodes are added.
    pub ids: HashMap<(Kind, Box<str>), u32>,
    /// Node index → position of its id, for messages about the node.
    pub node_pos: Vec<Pos>,
    /// Source text → index into `ds.sources`.
    pub source_ids: HashMap<Box<str>, u32>,
}

impl Loader {
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        let file = self
            .display
            .get(pos.file as usize)
            .cloned()
            .unwrap_or_default();
        self.diags.push(Diag {
            file,
            line: pos.line,
            col: pos.col,
            message: message.into(),
        });
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

    /// Add a node unless its id is taken; returns its index either way it can be referred to.
    pub fn add_node(&mut self, node: crate::model::Node, pos: Pos) -> Option<u32> {
        let key = (node.kind, node.id.clone());
        if let Some(&first) = self.ids.get(&key) {
            let first_pos = self.node_pos[first as usize];
            let first_file = self.display[first_pos.file as usize].clone();
            self.error(
                pos,
                format!(
                    "duplicate {} id `{}` (first defined at {}:{})",
                    node.kind, node.id, first_file, first_pos.line
                ),
            );
            return None;
        }
        let i = self.ds.nodes.len() as u32;
        self.ids.insert(key, i);
        self.ds.nodes.push(node);
        self.node_pos.push(pos);
        Some(i)
    }

    pub fn pend(&mut self, kind: EdgeKind, from: End, to: End, row: u32) {
        self.pending.push(Pending {
            kind,
            from,
            to,
            row,
            system: None,
        });
    }
}

/// The result of reading a data folder: the dataset (as far as it could be built) and every
/// problem, sorted by file and position.
pub struct Loaded {
    pub dataset: Dataset,
    pub diags: Vec<Diag>,
}

impl Loaded {
    pub fn is_ok(&self) -> bool {
        self.diags.is_empty()
    }
}

/// What kind of data a file holds, from its place and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Template,
    Seed(seeds::SeedKind),
}

/// Collect the data files under the given paths: a data folder (with `graphs/` and/or
/// `seeds/`), a folder of `.toml`/`.csv` files, or single files. Returned as
/// (canonical name `graphs/x.toml` / `seeds/x.csv`, path on disk), sorted by canonical name.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let push_file = |p: &Path, out: &mut Vec<(String, PathBuf)>| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string());
        let Some(name) = name else { return };
        if name.starts_with('.') {
            return;
        }
        match p.extension().and_then(|e| e.to_str()) {
            Some("toml") => out.push((format!("graphs/{name}"), p.to_path_buf())),
            Some("csv") => out.push((format!("seeds/{name}"), p.to_path_buf())),
            _ => {}
        }
    };
    let list_dir = |d: &Path| -> Result<Vec<PathBuf>, String> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| format!("cannot read folder {}: {e}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        Ok(v)
    };
    for p in paths {
        if p.is_dir() {
            let graphs = p.join("graphs");
            let seeds = p.join("seeds");
            if graphs.is_dir() || seeds.is_dir() {
                for d in [graphs, seeds] {
                    if d.is_dir() {
                        for f in list_dir(&d)? {
                            push_file(&f, &mut out);
                        }
                    }
                }
            } else {
                for f in list_dir(p)? {
                    push_file(&f, &mut out);
                }
            }
        } else if p.is_file() {
            push_file(p, &mut out);
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Read and check files given as (canonical name, path). `encoding` applies to CSV files.
pub fn load_files(files: &[(String, PathBuf)], encoding: Encoding) -> Loaded {
    let inputs = files
        .iter()
        .map(|(name, path)| Input {
            name: name.clone(),
            display: path.display().to_string(),
            bytes: std::fs::read(path).map_err(|e| format!("cannot read the file: {e}")),
        })
        .collect();
    load_inputs(inputs, encoding)
}

/// One data file to read: canonical name (`seeds/parks.csv`), the path shown in messages, and
/// its bytes or the reason they could not be read.
pub struct Input {
    pub name: String,
    pub display: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Read and check in-memory files.
pub fn load_inputs(files: Vec<Input>, encoding: Encoding) -> Loaded {
    let mut ld = Loader::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut texts: Vec<(u32, FileKind, String)> = Vec::new();
    for Input {
        name,
        display,
        bytes,
    } in files
    {
        let file = ld.ds.files.len() as u32;
        ld.ds.files.push(name.clone());
        ld.display.push(display.clone());
        let at_start = Pos {
            file,
            line: 1,
            col: 1,
        };
        if let Some(first) = seen.insert(name.clone(), display.clone()) {
            ld.error(
                at_start,
                format!(
                    "a second file named `{name}` (the first is {first}); file names must be unique"
                ),
            );
            continue;
        }
        let kind = if name.starts_with("graphs/") {
            FileKind::Template
        } else {
            let stem = name.trim_start_matches("seeds/").trim_end_matches(".csv");
            match seeds::SeedKind::from_file_stem(stem) {
                Ok(k) => FileKind::Seed(k),
                Err(msg) => {
                    ld.error(at_start, msg);
                    continue;
                }
            }
        };
        let enc = if kind == FileKind::Template {
            Encoding::Utf8
        } else {
            encoding
        };
        match bytes.and_then(|b| text::decode(&b, enc)) {
            Ok(t) => texts.push((file, kind, t)),
            Err(msg) => ld.error(at_start, msg),
        }
    }
    // Templates first, so segment rows precede the seed rows that reference them.
    for (file, kind, t) in &texts {
        if *kind == FileKind::Template {
            templates::read(&mut ld, *file, t);
        }
    }
    for (file, kind, t) in &texts {
        if let FileKind::Seed(k) = kind {
            seeds::read(&mut ld, *file, *k, t);
        }
    }
    resolve::resolve(&mut ld);
    resolve::validate(&mut ld);
    let mut diags = std::mem::take(&mut ld.diags);
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
    });
    diags.dedup();
    Loaded {
        dataset: ld.ds,
        diags,
    }
}

/// Read and check the data under `paths` (see `collect_files`).
pub fn load_paths(paths: &[PathBuf], encoding: Encoding) -> Result<Loaded, String> {
    let files = collect_files(paths)?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "no data files (graphs/*.toml, seeds/*.csv) under {}",
            shown.join(", ")
        ));
    }
    Ok(load_files(&files, encoding))
}
