//! Where the journal is kept: a sled database of its own in the database folder
//! (`DB/journal/`, a `Store::side_dir`, so imports never replace it), one value per event keyed
//! by its big-endian sequence number, each value CRC-32 ‖ JSON. An append is flushed (fsync)
//! before it is acknowledged, then the database is opened once more so that sled's recovery
//! snapshot is written by the writer, not by the next reader. Also: the journal as a data file
//! (`journal.csv`), written by `export` and read back by `import`.

use super::{Change, Event};
use crate::store::Store;
use std::path::{Path, PathBuf};

/// The folder of the journal in the database folder.
pub const DIR: &str = "journal";
/// The journal's data file in a data folder.
pub const CSV: &str = "journal.csv";
const HEADER: [&str; 6] = ["seq", "time", "who", "statement", "reason", "change"];

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("日志 {path}：{what}")]
    Sled { path: PathBuf, what: String },
    #[error(
        "日志 {path} 已损坏：{what}。整理数据未受影响；要继续使用，把这个 journal 目录移出数据库目录，再导入数据目录（连同最近一次 chainkb export 写出的 journal.csv，可找回导出时为止的改动）"
    )]
    Corrupt { path: PathBuf, what: String },
    #[error("写日志需要以写方式打开数据库（chainkb 的缺陷，请报告）")]
    NotWritable,
    #[error("{file}:{line}: {what}")]
    Csv {
        file: PathBuf,
        line: u64,
        what: String,
    },
}

fn config(dir: &Path) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .cache_capacity(4 * 1024 * 1024)
        .flush_every_ms(None)
}

/// Open the journal's sled database, waiting (up to 30 s) while another reader holds sled's
/// own lock on it (readers share the database's `LOCK`, not sled's).
fn open(dir: &Path) -> Result<sled::Db, JournalError> {
    let start = std::time::Instant::now();
    loop {
        match config(dir).open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(io))
                if (io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock"))
                    && start.elapsed() < std::time::Duration::from_secs(30) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(sled::Error::Corruption { .. }) => {
                return Err(JournalError::Corrupt {
                    path: dir.to_path_buf(),
                    what: "sled 在其日志中发现损坏的数据".into(),
                });
            }
            Err(e) => {
                return Err(JournalError::Sled {
                    path: dir.to_path_buf(),
                    what: e.to_string(),
                });
            }
        }
    }
}

fn encode(ev: &Event) -> Result<Vec<u8>, JournalError> {
    let json = serde_json::to_vec(ev).map_err(|e| JournalError::Sled {
        path: PathBuf::from(DIR),
        what: format!("无法编码事件：{e}"),
    })?;
    let mut v = crc32fast::hash(&json).to_be_bytes().to_vec();
    v.extend_from_slice(&json);
    Ok(v)
}

fn decode(dir: &Path, key: &[u8], value: &[u8]) -> Result<Event, JournalError> {
    let corrupt = |what: String| JournalError::Corrupt {
        path: dir.to_path_buf(),
        what,
    };
    let seq = key
        .try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt(format!("键 {key:?} 不是事件序号")))?;
    if value.len() < 4 {
        return Err(corrupt(format!("事件 #{seq} 太短")));
    }
    let (crc, json) = value.split_at(4);
    if crc32fast::hash(json).to_be_bytes() != crc {
        return Err(corrupt(format!("事件 #{seq} 的校验和不符")));
    }
    let ev: Event =
        serde_json::from_slice(json).map_err(|e| corrupt(format!("事件 #{seq} 无法解读：{e}")))?;
    if ev.seq != seq {
        return Err(corrupt(format!("事件 #{seq} 内记的序号是 {}", ev.seq)));
    }
    Ok(ev)
}

/// Every event, oldest first (none when the database has no journal yet: reading never creates
/// one).
pub fn read(store: &Store) -> Result<Vec<Event>, JournalError> {
    let dir = store.side_dir(DIR)?;
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let db = match open(&dir) {
        Ok(db) => db,
        // Read-only media or a full disk, where sled cannot open the database in place: read
        // a copy (and report the first error if that fails too).
        Err(e @ JournalError::Sled { .. }) => return read_copy(&dir).map_err(|_| e),
        Err(e) => return Err(e),
    };
    read_db(&dir, &db)
}

fn read_db(dir: &Path, db: &sled::Db) -> Result<Vec<Event>, JournalError> {
    let mut out = Vec::new();
    for kv in db.iter() {
        let (k, v) = kv.map_err(|e| JournalError::Corrupt {
            path: dir.to_path_buf(),
            what: e.to_string(),
        })?;
        out.push(decode(dir, &k, &v)?);
    }
    Ok(out)
}

/// Read the journal through a copy in the temporary folder (removed afterwards).
fn read_copy(dir: &Path) -> Result<Vec<Event>, JournalError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let copy = std::env::temp_dir().join(format!("chainkb-journal-{}-{nanos}", std::process::id()));
    let io = |e: std::io::Error| JournalError::Sled {
        path: dir.to_path_buf(),
        what: format!("无法把日志复制到 {} 来读取：{e}", copy.display()),
    };
    copy_tree(dir, &copy).map_err(io)?;
    let result = open(&copy).and_then(|db| read_db(dir, &db));
    let _ = std::fs::remove_dir_all(&copy);
    result
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

/// Append events (their `seq` is set here, after the last stored one) and make them durable;
/// returns them as stored. The store must be open for writing (its exclusive lock).
pub fn append(store: &Store, events: Vec<Event>) -> Result<Vec<Event>, JournalError> {
    if !store.is_writable() {
        return Err(JournalError::NotWritable);
    }
    let dir = store.make_side_dir(DIR)?;
    let sled_err = |e: sled::Error| JournalError::Sled {
        path: dir.clone(),
        what: e.to_string(),
    };
    let db = open(&dir)?;
    let mut next = match db.last().map_err(sled_err)? {
        Some((k, _)) => k.as_ref().try_into().map(u64::from_be_bytes).unwrap_or(0),
        None => 0,
    };
    let mut batch = sled::Batch::default();
    let mut stored = Vec::new();
    for mut ev in events {
        next += 1;
        ev.seq = next;
        batch.insert(&next.to_be_bytes(), encode(&ev)?);
        stored.push(ev);
    }
    // One batch: all of the events, or (killed before the flush returns) none of them.
    db.apply_batch(batch).map_err(sled_err)?;
    db.flush().map_err(sled_err)?;
    drop(db);
    // sled writes its recovery snapshot on the next open; let that be now, under the lock.
    drop(open(&dir)?);
    Ok(stored)
}

/// The journal as CSV text (`journal.csv`): a header, one event a line, the change as JSON.
pub fn to_csv(events: &[Event]) -> Result<String, JournalError> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let err = |e: String| JournalError::Csv {
        file: PathBuf::from(CSV),
        line: 0,
        what: e,
    };
    w.write_record(HEADER).map_err(|e| err(e.to_string()))?;
    for ev in events {
        let change = serde_json::to_string(&ev.change).map_err(|e| err(e.to_string()))?;
        w.write_record([
            ev.seq.to_string().as_str(),
            &ev.time,
            &ev.who,
            &ev.statement,
            &ev.reason,
            &change,
        ])
        .map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}

/// Read `journal.csv`; every problem names the file and line.
pub fn from_csv(path: &Path) -> Result<Vec<Event>, JournalError> {
    let err = |line: u64, what: String| JournalError::Csv {
        file: path.to_path_buf(),
        line,
        what,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(0, format!("无法读取：{e}")))?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r.headers().map_err(|e| err(1, e.to_string()))?.clone();
    if header.iter().collect::<Vec<_>>() != HEADER {
        return Err(err(1, format!("表头应为 {}", HEADER.join(","))));
    }
    let mut out: Vec<Event> = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(line, e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(i).unwrap_or("").to_string();
        let seq: u64 = field(0)
            .parse()
            .map_err(|_| err(line, format!("seq `{}` 不是正整数", field(0))))?;
        let expected = out.last().map_or(1, |e| e.seq + 1);
        if seq != expected {
            return Err(err(line, format!("seq 应为 {expected}，这里是 {seq}")));
        }
        if super::parse_date(field(1).get(..10).unwrap_or("")).is_none() {
            return Err(err(
                line,
                format!("time `{}` 不是 YYYY-MM-DD HH:MM:SS", field(1)),
            ));
        }
        let change: Change = serde_json::from_str(&field(5))
            .map_err(|e| err(line, format!("change 列无法解读：{e}")))?;
        out.push(Event {
            seq,
            time: field(1),
            who: field(2),
            statement: field(3),
            reason: field(4),
            change,
        });
    }
    Ok(out)
}

/// Bring a data folder's `journal.csv` into the database's journal: the file must continue the
/// journal (its events equal the stored ones as far as both go); the events past the stored
/// ones are appended. Returns how many were added.
pub fn merge(store: &Store, file: &[Event]) -> Result<usize, JournalError> {
    let stored = read(store)?;
    for (a, b) in stored.iter().zip(file) {
        if a != b {
            return Err(JournalError::Csv {
                file: PathBuf::from(CSV),
                line: b.seq + 1,
                what: format!(
                    "事件 #{} 与数据库日志中的同号事件不同；journal.csv 必须是本库日志的延续（未导入任何内容）",
                    b.seq
                ),
            });
        }
    }
    let new: Vec<Event> = file.iter().skip(stored.len()).cloned().collect();
    let n = new.len();
    if n > 0 {
        append(store, new)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn event(text: &str) -> Event {
        Event {
            seq: 0,
            time: "2026-12-01 09:00:00".into(),
            who: "张三".into(),
            statement: "note X \"引号\",逗号".into(),
            reason: "会上决定；第二句".into(),
            change: Change::Note {
                entity_kind: Kind::Segment.as_str().into(),
                id: "s1".into(),
                text: text.into(),
            },
        }
    }

    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn appends_are_read_back_in_order_and_reading_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("db");
        {
            let (store, _) = Store::open(&db, true).unwrap();
            store
                .import(&crate::model::Dataset::segments_only(2), "t")
                .unwrap();
            let a = append(&store, vec![event("一")]).unwrap();
            assert_eq!(a[0].seq, 1);
            let b = append(&store, vec![event("二"), event("三")]).unwrap();
            assert_eq!((b[0].seq, b[1].seq), (2, 3));
        }
        let before = files(&db);
        let (store, _) = Store::open(&db, false).unwrap();
        let evs = read(&store).unwrap();
        drop(store);
        assert_eq!(evs.len(), 3);
        assert!(matches!(&evs[2].change, Change::Note { text, .. } if text == "三"));
        assert_eq!(
            files(&db),
            before,
            "reading the journal changed the database"
        );
        // A reader cannot append.
        let (store, _) = Store::open(&db, false).unwrap();
        assert!(matches!(
            append(&store, vec![event("x")]),
            Err(JournalError::NotWritable)
        ));
    }

    #[test]
    fn a_journal_read_through_a_copy_is_the_journal() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("db");
        let (store, _) = Store::open(&db, true).unwrap();
        store
            .import(&crate::model::Dataset::segments_only(2), "t")
            .unwrap();
        append(&store, vec![event("一"), event("二")]).unwrap();
        let direct = read(&store).unwrap();
        drop(store);
        let before = files(&db);
        assert_eq!(read_copy(&db.join(DIR)).unwrap(), direct);
        assert_eq!(files(&db), before);
    }

    #[test]
    fn a_damaged_journal_is_reported_as_damage() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("db");
        {
            let (store, _) = Store::open(&db, true).unwrap();
            store
                .import(&crate::model::Dataset::segments_only(2), "t")
                .unwrap();
            append(&store, vec![event("损坏测试")]).unwrap();
        }
        let log = db.join(DIR).join("db");
        let mut bytes = std::fs::read(&log).unwrap();
        let needle = "损坏测试".as_bytes();
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("the event in sled's log");
        bytes[at] ^= 0xff;
        std::fs::write(&log, bytes).unwrap();
        let (store, _) = Store::open(&db, false).unwrap();
        let err = read(&store).unwrap_err();
        assert!(matches!(err, JournalError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("把这个 journal 目录移出"), "{err}");
    }

    #[test]
    fn csv_round_trips_byte_for_byte() {
        let mut evs = vec![event("一"), event("二,\"")];
        evs[0].seq = 1;
        evs[1].seq = 2;
        let text = to_csv(&evs).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join(CSV);
        std::fs::write(&p, &text).unwrap();
        let back = from_csv(&p).unwrap();
        assert_eq!(back, evs);
        assert_eq!(to_csv(&back).unwrap(), text);
        // A gap in the sequence is an error naming the line.
        std::fs::write(&p, text.replace("\n2,", "\n3,")).unwrap();
        let e = from_csv(&p).unwrap_err().to_string();
        assert!(
            e.contains("journal.csv:3") && e.contains("seq 应为 2"),
            "{e}"
        );
    }
}
