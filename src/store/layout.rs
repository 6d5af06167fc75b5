//! The database folder: generation folders and their names, `CURRENT`, `LOCK`, and the file-system and sled helpers (fsync, free space, scratch copies, sled's configuration and panics).

use super::*;

pub(super) fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

pub(super) fn generation_dir(path: &Path, generation: u64) -> PathBuf {
    path.join(format!("g{generation}"))
}

pub(super) fn partial_dir(path: &Path, generation: u64) -> PathBuf {
    path.join(format!("g{generation}.partial"))
}

/// `g<N>` or `g<N>.partial` → (N, partial).
pub(super) fn parse_generation_name(name: &str) -> Option<(u64, bool)> {
    let rest = name.strip_prefix('g')?;
    let (digits, partial) = match rest.strip_suffix(".partial") {
        Some(d) => (d, true),
        None => (rest, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, partial))
}

impl Current {
    pub(super) fn to_text(&self) -> String {
        let body = format!(
            "chainkb-store {LAYOUT_VERSION}\nschema {}\ngeneration {}\nlabel {}\n",
            self.schema,
            self.generation,
            self.label.replace(['\n', '\r'], " ")
        );
        let crc = crc32fast::hash(body.as_bytes());
        format!("{body}crc {crc:08x}\n")
    }

    // String: the `what` of the `StoreError::Corrupt` that `Store` raises with it.
    pub(super) fn parse(text: &str) -> Result<Current, String> {
        let Some(at) = text.rfind("crc ") else {
            return Err(say("CURRENT 没有校验行", "CURRENT has no checksum line"));
        };
        let (body, crc_line) = text.split_at(at);
        let want =
            u32::from_str_radix(crc_line.trim_start_matches("crc ").trim(), 16).map_err(|_| {
                say(
                    "CURRENT 的校验行不是数字",
                    "CURRENT's checksum line is not a number",
                )
            })?;
        if crc32fast::hash(body.as_bytes()) != want {
            return Err(say("CURRENT 校验不符", "CURRENT fails its checksum"));
        }
        let mut lines = body.lines();
        let mut field = |name: &str| -> Result<String, String> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' ').or(Some("")))
                .map(str::to_string)
                .ok_or_else(|| {
                    crate::tr!(
                        crate::lang::messages(),
                        "CURRENT 在应有 `{name}` 行处没有该行",
                        "CURRENT has no `{name}` line where one belongs"
                    )
                })
        };
        let layout: u32 = field("chainkb-store")?.parse().map_err(|_| {
            say(
                "CURRENT 的布局版本不是数字",
                "CURRENT's layout version is not a number",
            )
        })?;
        if layout != LAYOUT_VERSION {
            return Err(crate::tr!(
                crate::lang::messages(),
                "CURRENT 的布局版本是 {layout}，而这个 chainkb 读取版本 {LAYOUT_VERSION}",
                "CURRENT has layout version {layout}, and this chainkb reads version {LAYOUT_VERSION}"
            ));
        }
        let schema = field("schema")?.parse().map_err(|_| {
            say(
                "CURRENT 的数据版本不是数字",
                "CURRENT's schema version is not a number",
            )
        })?;
        let generation = field("generation")?.parse().map_err(|_| {
            say(
                "CURRENT 的代号不是数字",
                "CURRENT's generation is not a number",
            )
        })?;
        let label = field("label")?;
        Ok(Current {
            schema,
            generation,
            label,
        })
    }
}

/// Take `LOCK` shared (readers) or exclusive (a writer), retrying briefly: a handle dropped in
/// this process, or a reader that is just finishing, may hold it for a few milliseconds.
/// `None` when the lock file can be neither opened nor created: read-only media, where no
/// writer can be at work either.
pub(super) fn take_lock(path: &Path, exclusive: bool) -> Result<Option<File>, StoreError> {
    let lock_path = path.join("LOCK");
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
    {
        Ok(f) => f,
        Err(e) if !exclusive => match File::open(&lock_path) {
            Ok(f) => f,
            Err(_) if is_read_only_error(&e) => return Ok(None),
            Err(_) => {
                return Err(StoreError::Io {
                    path: lock_path,
                    source: e,
                });
            }
        },
        Err(e) if is_read_only_error(&e) => {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                what: crate::tr!(
                    crate::lang::messages(),
                    "它在只读介质上（{e}）",
                    "it is on read-only media ({e})"
                ),
            });
        }
        Err(e) => {
            return Err(StoreError::Io {
                path: lock_path,
                source: e,
            });
        }
    };
    for _ in 0..=LOCK_RETRIES {
        // std's file locks: flock(2) on Linux (as before), LockFileEx on Windows.
        let taken = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match taken {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(StoreError::Io {
                    path: lock_path,
                    source: err,
                });
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(StoreError::InUse(path.to_path_buf()))
}

pub(super) fn is_read_only_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::PermissionDenied
        || e.kind() == std::io::ErrorKind::ReadOnlyFilesystem
        || (cfg!(unix) && e.raw_os_error() == Some(libc::EROFS))
}

/// fsync a folder, so that files created, renamed or removed in it survive a power cut.
#[cfg(not(windows))]
pub(super) fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

/// On Windows a folder cannot be opened as a file (`File::open` is refused with "Access
/// denied"); NTFS journals its metadata, and the files in it are synced one by one.
#[cfg(windows)]
pub(super) fn sync_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Free bytes for an unprivileged writer on the filesystem holding `path` (not measured on
/// Windows: the free-space check before an import is skipped there).
#[cfg(not(unix))]
pub(super) fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// Free bytes for an unprivileged writer on the filesystem holding `path`.
#[cfg(unix)]
pub(super) fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path and `st` is written by statvfs on success.
    let rc = unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let st = unsafe { st.assume_init() };
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Bytes held by the files below `path`.
#[cfg(test)]
pub(super) fn folder_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Copy a folder tree (a generation, to read it somewhere sled may write).
pub(super) fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A scratch folder removed when dropped.
pub(super) struct Scratch(pub(super) PathBuf);

impl Scratch {
    pub(super) fn new() -> std::io::Result<Scratch> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let dir = base.join(format!("chainkb-read-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(Scratch(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free name for a scratch folder"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `f`, turning a panic inside sled (it panics on some damage, e.g. a deleted file:
/// "cannot find pid … in view_for_key") into a damage report instead of a crash.
pub(super) fn catching_sled_panics<T>(
    what: &str,
    path: &Path,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    // The default hook would print the panic as if chainkb had a bug; this one is reported.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                what: crate::tr!(
                    crate::lang::messages(),
                    "sled 在{what}时出错（{message}）",
                    "sled failed while {what} ({message})"
                ),
            })
        }
    }
}

/// Open a sled database this process has just closed: sled drops its file lock when the last of
/// its internal handles goes, which can be a moment after `drop(db)` returns, so a lock error
/// here is waited out (up to `READ_LOCK_WAIT_MS`) rather than failing the import.
pub(super) fn reopen_sled(path: &Path) -> Result<sled::Db, sled::Error> {
    let started = std::time::Instant::now();
    loop {
        match sled_config(path).open() {
            Err(e)
                if is_sled_lock(&e)
                    && started.elapsed().as_millis() < READ_LOCK_WAIT_MS as u128 =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

pub(super) fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        // Every write path flushes explicitly; without sled's background flusher no thread
        // outlives the handle, so dropping it releases sled's file lock at once.
        .flush_every_ms(None)
}

/// sled 0.34 wraps a failed file lock in an `Io` error whose kind is not always `WouldBlock`;
/// its text is stable across 0.34.x.
pub(super) fn is_sled_lock(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io)
        if io.kind() == std::io::ErrorKind::WouldBlock
            || io.to_string().contains("could not acquire lock"))
}
