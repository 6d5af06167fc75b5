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
//! Which files are read and in which context is in `files`; the loader's state (ids, chunks,
//! pending edges, problems, unreadable files) and its methods are in `loader`; the passes that
//! drive it, and what `check` shows of its problems, are here.

pub mod encoding;
mod error;
mod export;
mod files;
mod loader;
mod resolve;
mod seeds;
mod templates;
pub mod text;

use crate::model::{Dataset, EdgeKind, Kind};
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
pub(crate) use loader::{
    End, Loader, PendingFigure, PendingItem, PendingListing, Pos, Problem, Ref, Slot,
};
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
