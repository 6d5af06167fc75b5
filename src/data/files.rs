//! Which files a command reads: the data files under the paths given (a data folder, a folder
//! of .toml/.csv files, single files), their bytes or why they cannot be read, and the context
//! a part of a data folder is checked in (the enclosing data folder, `.`, or the bundled data).

use super::{DataError, Encoding, Loaded, load_inputs};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Collect the data files under the given paths: a data folder (with `graphs/` and/or
/// `seeds/`), a folder of `.toml`/`.csv` files, or single files. Returned as
/// (canonical name `graphs/x.toml` / `seeds/x.csv`, path on disk), sorted by canonical name.
///
/// Everything in a folder that is named like a data file is collected, even a folder or a link
/// to nothing: reading it (`read_input`) says why it cannot be read, rather than leaving it out
/// unsaid. Paths that name the same file (the same file given twice, or a folder and a file in
/// it) give it once, as first named.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, DataError> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    // The files collected, by what they are on disk.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut push_file = |p: &Path, out: &mut Vec<(String, PathBuf)>| {
        if let Some(name) = canonical_name(p)
            && seen.insert(identity(p))
        {
            out.push((name, p.to_path_buf()));
        }
    };
    let list_dir = |d: &Path| -> Result<Vec<PathBuf>, DataError> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|source| DataError::Folder {
                path: d.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
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
        } else if p.is_file() || p.is_symlink() {
            // A link to nothing is named, so it is read, and says so.
            push_file(p, &mut out);
        } else {
            return Err(DataError::NoSuchPath(p.clone()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// What a path is on disk, to tell when two paths name one file: its canonical path, else (a
/// link to nothing) its absolute path.
fn identity(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Read and check files given as (canonical name, path). `encoding` applies to CSV files.
pub fn load_files(files: &[(String, PathBuf)], encoding: Encoding) -> Loaded {
    load_inputs(files.iter().map(read_input).collect(), encoding)
}

/// A collected file (`collect_files`) as an input. A CSV file is left on disk to be read as
/// it is parsed (`Input::path`); any other file is read now, or says why it cannot be.
pub fn read_input((name, path): &(String, PathBuf)) -> Input {
    let display = path.display().to_string();
    let bytes = unreadable_file(path);
    if name.starts_with("seeds/") && bytes.is_ok() {
        return Input {
            name: name.clone(),
            display,
            bytes: Ok(Vec::new()),
            path: Some(path.clone()),
        };
    }
    Input {
        name: name.clone(),
        display,
        bytes: bytes.and_then(|()| read_bytes(path)),
        path: None,
    }
}

/// Why a path is no file that can be read, if it is a folder or a link to nothing.
// String: said after `file:1:1: ` in the file's `Diag`, like every problem inside a data file.
fn unreadable_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(crate::msg!("是文件夹，不是文件", "is a folder, not a file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_symlink() => {
            Err(match std::fs::read_link(path) {
                Ok(t) => {
                    let t = t.display();
                    crate::msg!(
                        "无法读取：它是指向 {t} 的链接，而 {t} 不存在",
                        "cannot be read: it is a link to {t}, which does not exist"
                    )
                }
                Err(_) => crate::msg!(
                    "无法读取：它是一个指向不存在之处的链接",
                    "cannot be read: it is a link, which does not exist"
                ),
            })
        }
        _ => Ok(()),
    }
}

/// The bytes of a data file, or why it cannot be read (said after `file:1:1: `).
// String: becomes the file's `file:1:1` `Diag` (see `unreadable_file`).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    unreadable_file(path)?;
    std::fs::read(path).map_err(|e| super::text::cannot_be_read(&e))
}

/// One data file to read: canonical name (`seeds/parks.csv`), the path shown in messages, and
/// its bytes or the reason they could not be read.
pub struct Input {
    pub name: String,
    pub display: String,
    // String: the reason, reported as the file's `file:1:1` `Diag` when it is loaded.
    pub bytes: Result<Vec<u8>, String>,
    /// A file on disk that is read while it is loaded rather than before (`bytes` is then
    /// empty): a seed CSV file in UTF-8 is parsed as it is read, never held whole, so a large
    /// one costs no more memory than its records (issue 13.7).
    pub path: Option<PathBuf>,
}

/// What the references of the files asked about are resolved against, when those files are
/// not a whole: a file, or a `graphs`/`seeds` folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// A data folder (`.` for the current directory).
    Folder(PathBuf),
    /// The seed data bundled into the binary.
    Bundled,
}

impl Context {
    /// How messages name it: `数据文件夹 DIR` / `the data folder DIR`, or `内置种子数据` / `the
    /// bundled seed data` (in the language of messages).
    pub fn label(&self) -> String {
        match self {
            Context::Folder(d) => {
                let d = absolute_if_here(d);
                crate::msg!("数据文件夹 {d}", "the data folder {d}")
            }
            Context::Bundled => crate::msg!("内置种子数据", "the bundled seed data"),
        }
    }

    /// Its data files as inputs, sorted by canonical name.
    pub fn inputs(&self) -> Result<Vec<Input>, DataError> {
        match self {
            Context::Bundled => Ok(crate::bundle::inputs()),
            Context::Folder(d) => {
                let parts: Vec<PathBuf> = ["graphs", "seeds"]
                    .iter()
                    .map(|sub| under(d, sub))
                    .filter(|p| p.is_dir())
                    .collect();
                Ok(collect_files(&parts)?.iter().map(read_input).collect())
            }
        }
    }
}

/// The context for files that lie in no data folder, shared with `intake`: the current
/// directory if it is a data folder (has `graphs/` or `seeds/`), else the bundled seed data.
pub fn default_context() -> Context {
    if is_data_folder(Path::new("")) {
        Context::Folder(PathBuf::from("."))
    } else {
        Context::Bundled
    }
}

/// A folder holding `graphs/` or `seeds/` (`""` or `.` is the current directory).
pub fn is_data_folder(dir: &Path) -> bool {
    under(dir, "graphs").is_dir() || under(dir, "seeds").is_dir()
}

/// `dir/sub`, without a leading `./` for the current directory.
fn under(dir: &Path, sub: &str) -> PathBuf {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        PathBuf::from(sub)
    } else {
        dir.join(sub)
    }
}

/// The folder as shown, but the current directory (`.`) by its absolute path, which says more.
fn absolute_if_here(dir: &Path) -> String {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| ".".into())
    } else {
        shown_dir(dir)
    }
}

pub(super) fn shown_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.display().to_string()
    }
}

/// `graphs/NAME.toml` or `seeds/NAME.csv` for a data file, `None` for other files.
fn canonical_name(p: &Path) -> Option<String> {
    let name = p.file_name()?.to_string_lossy().to_string();
    if name.starts_with('.') {
        return None;
    }
    match p.extension().and_then(|e| e.to_str()) {
        Some("toml") => Some(format!("graphs/{name}")),
        Some("csv") => Some(format!("seeds/{name}")),
        _ => None,
    }
}

/// What the files under `paths` are resolved against besides themselves (`None`: they are one
/// whole, every reference must resolve among them).
///
/// Files and `graphs`/`seeds` folders are parts of the data folder they lie in (a file may also
/// lie at its top): when every path is a part of one data folder, that folder is the context.
/// When every path is a file that lies in no data folder, `default_context()` is. Anything else
/// — a data folder or a folder of files among the paths, or paths from several places, such as
/// `graphs` with a file from elsewhere — is a set chosen by hand and checked as one whole.
pub fn context_of(paths: &[PathBuf]) -> Option<Context> {
    let is_part_folder = |d: &Path| {
        matches!(
            d.file_name().and_then(|n| n.to_str()),
            Some("graphs" | "seeds")
        )
    };
    let mut folders: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut loose = false;
    for p in paths {
        let parent = p.parent().unwrap_or(Path::new(""));
        let folder = if p.is_dir() {
            if is_data_folder(p) || !is_part_folder(p) {
                return None;
            }
            parent.to_path_buf()
        } else if is_part_folder(parent) {
            parent.parent().unwrap_or(Path::new("")).to_path_buf()
        } else if is_data_folder(parent) {
            parent.to_path_buf()
        } else {
            loose = true;
            continue;
        };
        let folder = if folder.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            folder
        };
        let key = std::fs::canonicalize(&folder).unwrap_or_else(|_| folder.clone());
        if !folders.iter().any(|(_, k)| *k == key) {
            folders.push((folder, key));
        }
    }
    match (folders.as_slice(), loose) {
        ([], true) => Some(default_context()),
        ([(one, _)], false) => Some(Context::Folder(one.clone())),
        _ => None,
    }
}
