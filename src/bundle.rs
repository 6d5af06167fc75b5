//! The seed knowledge base compiled into the binary, and the embedded default database built
//! from it on first use (and rebuilt whenever the bundled data changes).

use crate::data::{self, Encoding, Input};
use crate::store::{OpenReport, Store, StoreError};
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

/// A label that changes whenever the bundled files, the schema or chainkb's version change.
pub fn label() -> String {
    let mut h = crc32fast::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&crate::store::SCHEMA_VERSION.to_be_bytes());
    h.update(&crate::store::LAYOUT_VERSION.to_be_bytes());
    for (name, bytes) in FILES {
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }
    format!("bundled:{:08x}", h.finalize())
}

/// Where the default database lives: `<data dir>/chainkb/default-db`.
pub fn default_db_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("chainkb").join("default-db"))
}

/// The bundled files as data inputs, shown as `(bundled) graphs/x.toml`.
pub fn inputs() -> Vec<Input> {
    FILES
        .iter()
        .map(|(name, bytes)| Input {
            name: name.to_string(),
            display: format!("(bundled) {name}"),
            bytes: Ok(bytes.to_vec()),
            path: None,
        })
        .collect()
}

/// Read and check the bundled files.
pub fn load() -> data::Loaded {
    data::load_inputs(inputs(), Encoding::Auto)
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the bundled seed data has {} problem(s), first: {}", .0.len(), .0.first().map(|d| d.to_string()).unwrap_or_default())]
    Invalid(Vec<data::Diag>),
    #[error(
        "cannot find a data directory for the default database; pass --db PATH or set CHAINKB_DB"
    )]
    NoDataDir,
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl crate::error::Blamed for BundleError {
    fn blame(&self) -> crate::error::Blame {
        use crate::error::Blame;
        match self {
            BundleError::Store(e) => crate::error::Blamed::blame(e),
            // The bundled data is compiled in and checked by a unit test.
            BundleError::Invalid(_) => Blame::Bug,
            BundleError::NoDataDir | BundleError::Create { .. } => Blame::Environment,
        }
    }
}

/// Open the default database, (re)building it from the bundle when it is missing or stale.
/// Returns the store, its open report, and whether it was (re)built now.
pub fn open_default() -> Result<(Store, OpenReport, bool), BundleError> {
    let path = default_db_path().ok_or(BundleError::NoDataDir)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| BundleError::Create {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let want = label();
    // Read first (readers share the database); take it for writing only to rebuild it.
    match Store::open(&path, false) {
        Ok((store, report)) => {
            if store.meta()?.is_some_and(|m| m.label == want) {
                return Ok((store, report, false));
            }
        }
        Err(StoreError::NotFound(_)) => {}
        // Damage, or a version mismatch: the default database is ours to rebuild.
        Err(StoreError::Corrupt { .. } | StoreError::SchemaVersion { .. }) => {
            let _ = std::fs::remove_dir_all(&path);
        }
        Err(e) => return Err(e.into()),
    }
    let (store, report) = Store::open(&path, true)?;
    if store.meta()?.is_some_and(|m| m.label == want) {
        // Another process rebuilt it meanwhile.
        return Ok((store, report, false));
    }
    let loaded = load();
    if !loaded.is_ok() {
        return Err(BundleError::Invalid(loaded.diags));
    }
    store.import(&loaded.dataset, &want)?;
    Ok((store, report, true))
}
