//! What `import`, `check --store` and `export` do with the journal.

use super::*;

/// Before an import: read the data folders' `journal.csv` and check that each continues the
/// database's journal, so that a conflict stops the import before anything changed.
pub fn before_import(store: &Store, paths: &[PathBuf]) -> Result<Vec<Event>, Failure> {
    let mut pending = Vec::new();
    for p in paths {
        let file = p.join(log::CSV);
        if p.is_dir() && file.is_file() {
            let events = log::from_csv(&file)?;
            let stored = log::read(store)?;
            for (a, b) in stored.iter().zip(&events) {
                if a != b {
                    return Err(Failure::user(format!(
                        "{}:{}: 事件 #{} 与数据库日志中的同号事件不同；journal.csv 必须是本库日志的延续。未导入任何内容",
                        file.display(),
                        b.seq + 1,
                        b.seq
                    )));
                }
            }
            if events.len() > pending.len() {
                pending = events;
            }
        }
    }
    Ok(pending)
}

/// After an import: bring in the new events of `journal.csv`, then report the events whose
/// entity is gone from the new data.
pub fn after_import(store: &Store, pending: &[Event], ds: &Dataset) -> Result<(), Failure> {
    if !pending.is_empty() {
        let n = log::merge(store, pending)?;
        if n > 0 {
            stdoutln!("从 journal.csv 载入了 {n} 条日志事件");
        }
    }
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(());
    }
    let mut ds = ds.clone();
    let applied = journal::apply(&mut ds, &events);
    stdoutln!(
        "日志：{} 条事件保留（导入不改变日志），{} 条未能应用",
        events.len(),
        applied.orphans.len()
    );
    print_orphans(&applied);
    Ok(())
}

pub(super) fn print_orphans(applied: &Applied) {
    for o in &applied.orphans {
        stdoutln!("  日志 #{}：{}", o.seq, o.what);
    }
}

/// `check --store`: the journal's events, and those that cannot be applied to the data.
pub fn check_store(store: &Store) -> Result<(), Failure> {
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(());
    }
    let (mut ds, _) = store.load()?;
    let applied = journal::apply(&mut ds, &events);
    stdoutln!(
        "日志：{} 条事件，{} 条未能应用",
        events.len(),
        applied.orphans.len()
    );
    print_orphans(&applied);
    if applied.orphans.is_empty() {
        Ok(())
    } else {
        Err(Failure::user(format!(
            "日志中有 {} 条事件的实体已不在数据中（事件保留，未应用）",
            applied.orphans.len()
        )))
    }
}

/// `check DIR`: a data folder's `journal.csv` is read, and its events applied to the folder's
/// data; those whose entity is not in it are listed (exit 1), as an import would report them.
pub fn check_folders(paths: &[PathBuf], ds: &Dataset) -> Result<(), Failure> {
    let mut orphans = 0;
    for p in paths {
        let file = p.join(log::CSV);
        if !(p.is_dir() && file.is_file()) {
            continue;
        }
        let events = log::from_csv(&file)?;
        let applied = journal::apply(&mut ds.clone(), &events);
        stdoutln!(
            "{}：{} 条日志事件，{} 条的实体不在数据中",
            file.display(),
            events.len(),
            applied.orphans.len()
        );
        print_orphans(&applied);
        orphans += applied.orphans.len();
    }
    if orphans > 0 {
        return Err(Failure::user(format!(
            "journal.csv 中有 {orphans} 条事件的实体不在数据中（导入时会保留它们，但不应用）"
        )));
    }
    Ok(())
}

/// `export`: the journal as `journal.csv` beside graphs/ and seeds/ (none without events).
pub fn export(store: &Store, dir: &Path) -> Result<usize, Failure> {
    let events = log::read(store)?;
    if events.is_empty() {
        return Ok(0);
    }
    let path = dir.join(log::CSV);
    std::fs::write(&path, log::to_csv(&events)?)
        .map_err(|e| Failure::user(format!("无法写入 {}：{e}", path.display())))?;
    Ok(events.len())
}
