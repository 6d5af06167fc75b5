//! Layout 1 (one sled database at the folder's root, chainkb before layout 2): read in place, converted by the next import.

use super::*;

impl Store {
    /// A layout-1 database is read in place as before (sled's own lock excludes a second
    /// process), and converted by the next import.
    pub(super) fn open_legacy(
        path: &Path,
        create: bool,
    ) -> Result<(Store, OpenReport), StoreError> {
        // Readers rely on sled's own lock, as layout 1 did (a LOCK file made by a reader would
        // not tell a layout-1 chainkb anything); an import takes LOCK as in layout 2.
        let lock = if create { take_lock(path, true)? } else { None };
        let store = Store {
            path: path.to_path_buf(),
            layout: Layout::Legacy,
            _lock: lock,
            writable: create,
            current: std::sync::RwLock::new(None),
        };
        // The schema version is checked on open, as layout 1 did.
        let db = store.open_legacy_sled()?;
        if let Some(v) = db
            .open_tree("meta")
            .map_err(|e| store.sled(e))?
            .get("schema_version")
            .map_err(|e| store.sled(e))?
        {
            let found = v.as_ref().try_into().map(u32::from_be_bytes).map_err(|_| {
                store.corrupt(say(
                    "meta/schema_version 不是 4 字节的数",
                    "meta/schema_version is not a 4-byte number",
                ))
            })?;
            if found != SCHEMA_VERSION {
                return Err(StoreError::SchemaVersion {
                    path: path.to_path_buf(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
        }
        Ok((store, OpenReport::default()))
    }

    pub(super) fn open_legacy_sled(&self) -> Result<sled::Db, StoreError> {
        catching_sled_panics(
            &say("打开数据库", "opening the database"),
            &self.path,
            || self.open_sled(&self.path),
        )
    }

    pub(super) fn legacy_meta(&self) -> Result<Option<Meta>, StoreError> {
        let db = self.open_legacy_sled()?;
        let meta = db.open_tree("meta").map_err(|e| self.sled(e))?;
        let Some(g) = meta.get("generation").map_err(|e| self.sled(e))? else {
            return Ok(None);
        };
        let generation = be_u64(&g).ok_or_else(|| {
            self.corrupt(say(
                "meta/generation 不是数字",
                "meta/generation is not a number",
            ))
        })?;
        let label = meta
            .get("label")
            .map_err(|e| self.sled(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        Ok(Some(Meta { generation, label }))
    }

    pub(super) fn legacy_load(&self) -> Result<(Dataset, Meta), StoreError> {
        let Some(meta) = self.legacy_meta()? else {
            return Err(StoreError::Empty(self.path.clone()));
        };
        catching_sled_panics(&say("读取数据", "reading the data"), &self.path, || {
            let db = self.open_legacy_sled()?;
            let tree = db
                .open_tree(format!("g{}", meta.generation))
                .map_err(|e| self.sled(e))?;
            Ok((
                self.load_tree(&Source::tree(self, &tree), None, true)?,
                meta,
            ))
        })
    }

    /// After a conversion, layout 1's files go (the new generation is live by then).
    pub(super) fn remove_legacy_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let legacy =
                matches!(name.as_str(), "conf" | "db" | "blobs") || name.starts_with("snap.");
            if legacy {
                let _ = if entry.path().is_dir() {
                    std::fs::remove_dir_all(entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
            }
        }
    }
}
