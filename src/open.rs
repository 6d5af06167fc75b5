//! Opening a database for reading — store → dataset → graph — in one place, shared by the
//! command line, the REPL, benches and tests; and a data folder read straight into a graph.

use crate::bundle::{self, BundleError};
use crate::data::{self, Encoding};
use crate::error::{Blame, Blamed};
use crate::graph::Graph;
use crate::store::{Meta, OpenReport, Store, StoreError};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A data folder given where a database is wanted: say which is which.
    #[error("{}", data_folder_message(.0, crate::lang::messages()))]
    DataFolder(PathBuf),
}

fn data_folder_message(path: &Path, lang: crate::lang::Lang) -> String {
    let p = path.display();
    crate::tr!(
        lang,
        "{p} 是数据文件夹（graphs/、seeds/），不是数据库：请用 chainkb import {p} --db 新文件夹 把它导入一个单独的数据库文件夹",
        "{p} is a data folder (graphs/, seeds/), not a database: import it into a database folder of its own with chainkb import {p} --db NEW_FOLDER"
    )
}

impl Blamed for OpenError {
    fn blame(&self) -> Blame {
        match self {
            OpenError::Store(e) => e.blame(),
            OpenError::Bundle(e) => e.blame(),
            OpenError::DataFolder(_) => Blame::Input,
        }
    }
}

/// What opening found that the user should hear about, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The default database was (re)built from the bundled seed data.
    BuiltDefault(PathBuf),
    /// An import was interrupted; its partial generation is discarded.
    InterruptedImport { path: PathBuf, generation: u64 },
}

impl Notice {
    /// The notice in the user's language (`Display` is the English text).
    pub fn render(&self, lang: crate::lang::Lang) -> String {
        match (self, lang) {
            (Notice::BuiltDefault(path), crate::lang::Lang::Zh) => format!(
                "chainkb：已用内置种子数据在 {} 建好默认数据库",
                path.display()
            ),
            (Notice::InterruptedImport { path, generation }, crate::lang::Lang::Zh) => format!(
                "警告：向 {} 的一次导入被中断（第 {generation} 代），已丢弃；原有数据完好",
                path.display()
            ),
            (n, crate::lang::Lang::En) => n.to_string(),
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::BuiltDefault(path) => write!(
                f,
                "chainkb: built the default database at {} from the bundled seed data",
                path.display()
            ),
            Notice::InterruptedImport { path, generation } => write!(
                f,
                "warning: an import into {} was interrupted (generation {generation}); it was discarded and the previous data is intact",
                path.display()
            ),
        }
    }
}

/// Open the database at `db`, or the default one (built from the bundle when missing or
/// stale) when `db` is `None`. `create` makes a missing database (import); every other use
/// needs an existing one. Each notice is handed to `notify` before the left-overs it speaks of
/// are removed, so a kill in between reports them again next time.
pub fn open_store(
    db: Option<&Path>,
    create: bool,
    notify: &mut dyn FnMut(Notice),
) -> Result<Store, OpenError> {
    let (store, report): (Store, OpenReport) = match db {
        Some(path) => match Store::open(path, create) {
            Err(StoreError::NotFound(_)) if data::is_data_folder(path) => {
                return Err(OpenError::DataFolder(path.to_path_buf()));
            }
            other => other?,
        },
        None => {
            let (store, report, built) = bundle::open_default()?;
            if built {
                notify(Notice::BuiltDefault(store.path().to_path_buf()));
            }
            (store, report)
        }
    };
    if let Some(generation) = report.interrupted_import {
        notify(Notice::InterruptedImport {
            path: store.path().to_path_buf(),
            generation,
        });
    }
    store.remove_leftovers();
    Ok(store)
}

/// Read a store's live generation and build the graph over it. The store is closed (and sled's
/// cache freed) before the graph doubles the memory in use.
pub fn load_graph(store: Store) -> Result<(Graph, Meta), StoreError> {
    let mut phases = Phases::from_env();
    // The edges stay in their stored chunks until the graph decodes them into its lists.
    let lean = store.load_lean()?;
    drop(store);
    phases.mark("read");
    let graph = Graph::build_from(lean.ds, lean.edges, lean.index)?;
    let meta = lean.meta;
    phases.mark(if graph.opened_from_index() {
        "build (from the open index)"
    } else {
        "build (counted)"
    });
    Ok((graph, meta))
}

/// With `CHAINKB_OPEN_TIMING` set, opening prints each phase's wall time and the resident
/// memory after it to stderr (`open: read 1.23 s, 512 MiB; build …`), for the figures in
/// benches/README.md.
pub struct Phases {
    at: Option<std::time::Instant>,
}

impl Phases {
    pub fn from_env() -> Phases {
        Phases {
            at: std::env::var_os("CHAINKB_OPEN_TIMING").map(|_| std::time::Instant::now()),
        }
    }

    pub fn mark(&mut self, what: &str) {
        if let Some(at) = self.at {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
                })
                .map_or_else(|| "?".to_string(), |kb| format!("{} MiB", kb / 1024));
            eprintln!(
                "open: {what} {:.3} s, RSS {rss}",
                at.elapsed().as_secs_f64()
            );
            self.at = Some(std::time::Instant::now());
        }
    }
}

/// [`open_store`] then [`load_graph`]: what every reading command, the REPL's `.open`, the
/// benches and the tests do.
pub fn open_graph(db: Option<&Path>, notify: &mut dyn FnMut(Notice)) -> Result<Graph, OpenError> {
    let store = open_store(db, false, notify)?;
    Ok(load_graph(store)?.0)
}

/// Read data folders (or files) and build the graph over them without a database, for tests
/// and benches. Fails with every problem `check` would report, one per line.
pub fn graph_from_folder(paths: &[PathBuf]) -> Result<Graph, data::DataError> {
    let loaded = data::load(paths, Encoding::Auto)?;
    if !loaded.is_ok() {
        return Err(data::DataError::Invalid(loaded.diags));
    }
    Ok(Graph::build(loaded.dataset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    #[test]
    fn a_data_folder_given_as_a_database_is_named_as_such() {
        let err = open_graph(Some(&fixture("small")), &mut |_| {})
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("是数据文件夹"), "{err}");
    }

    #[test]
    fn an_imported_folder_opens_as_the_same_graph_as_read_directly() {
        let direct = graph_from_folder(&[fixture("small")]).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("db");
        let mut notices = Vec::new();
        let store = open_store(Some(&db), true, &mut |n| notices.push(n)).unwrap();
        let loaded = data::load(&[fixture("small")], Encoding::Auto).unwrap();
        store.import(&loaded.dataset, "test").unwrap();
        drop(store);
        let opened = open_graph(Some(&db), &mut |n| notices.push(n)).unwrap();
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(opened.ds.nodes.len(), direct.ds.nodes.len());
        assert_eq!(opened.ds.edges.len(), direct.ds.edges.len());
        assert_eq!(opened.presence_cells(), direct.presence_cells());
    }

    #[test]
    fn a_broken_data_folder_fails_with_its_problems() {
        let Err(err) = graph_from_folder(&[fixture("malformed")]) else {
            panic!("a malformed folder loaded");
        };
        assert!(
            matches!(&err, data::DataError::Invalid(d) if !d.is_empty()),
            "{err:?}"
        );
        assert_eq!(
            crate::error::Blamed::blame(&err),
            crate::error::Blame::Input
        );
        assert!(err.to_string().contains(':'), "{err}");
    }

    #[test]
    fn notices_speak_the_users_language() {
        use crate::lang::Lang;
        let n = Notice::InterruptedImport {
            path: PathBuf::from("db"),
            generation: 3,
        };
        assert_eq!(
            n.render(Lang::Zh),
            "警告：向 db 的一次导入被中断（第 3 代），已丢弃；原有数据完好"
        );
        assert_eq!(n.render(Lang::En), n.to_string());
        assert!(
            Notice::BuiltDefault(PathBuf::from("d"))
                .render(Lang::Zh)
                .contains("建好默认数据库")
        );
    }
}
