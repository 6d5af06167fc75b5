//! Interned low-cardinality values of records (a firm's province, city, listing and tags; a region's level): 4-byte symbols (`Sym`, `SymList`) that read as `&str` / `&[Box<str>]` and are stored as the plain values.
//!
//! A million firms name a few hundred distinct provinces, cities and tag lists; a record pays
//! 4 bytes for each instead of a 16-byte pointer and, for a list, an allocation of its own.
//! Values are never freed: the tables only grow with the number of *distinct* values a process
//! meets (reopening a database adds nothing). Reading a symbol takes no lock (a table of
//! chunks, each set once); making one looks in a per-thread cache first (decoding runs on
//! rayon's threads) and locks the process-wide table only for a value the thread has not met.

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::{LazyLock, Mutex, OnceLock};
use std::thread::LocalKey;

/// The tables' maps: hashed with foldhash (decoding a million firms makes a symbol for each
/// of their fields; SipHash was most of that).
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Entries in the first chunk; chunk `k` holds `FIRST << k`, so 27 chunks cover every `u32`.
const FIRST: usize = 64;
const CHUNKS: usize = 27;

/// One process-wide table: value → symbol (locked, only to make symbols) and symbol → value
/// (chunks allocated as the table grows, each slot set once, read without a lock).
struct Table<T: ?Sized + 'static> {
    index: Mutex<Map<&'static T, u32>>,
    chunks: [OnceLock<Box<[OnceLock<&'static T>]>>; CHUNKS],
}

/// Chunk and offset of symbol `i`.
fn place(i: u32) -> (usize, usize) {
    let j = i as usize / FIRST + 1;
    let k = (usize::BITS - 1 - j.leading_zeros()) as usize;
    (k, i as usize - FIRST * ((1 << k) - 1))
}

impl<T: ?Sized + Eq + Hash + 'static> Table<T> {
    /// A table whose symbol 0 is `empty` (what `Default` gives).
    fn new(empty: &'static T) -> Table<T> {
        let mut t = Table {
            index: Mutex::new(Map::default()),
            chunks: [const { OnceLock::new() }; CHUNKS],
        };
        let mut index = Map::default();
        t.add(empty, &mut index);
        t.index = Mutex::new(index);
        t
    }

    /// Store `value` (already kept forever) under the next symbol; the caller holds `index`.
    fn add(&self, value: &'static T, index: &mut Map<&'static T, u32>) -> u32 {
        let sym = u32::try_from(index.len())
            .ok()
            .filter(|&s| s < u32::MAX)
            .expect("more than 4 billion distinct interned values");
        let (k, off) = place(sym);
        let chunk =
            self.chunks[k].get_or_init(|| (0..FIRST << k).map(|_| OnceLock::new()).collect());
        // The slot is set before the symbol is published (through `index`, under its lock);
        // each symbol is new, so the slot is empty.
        let fresh = chunk[off].set(value).is_ok();
        debug_assert!(fresh, "symbol {sym} made twice");
        index.insert(value, sym);
        sym
    }

    fn get(&self, sym: u32) -> &'static T {
        let (k, off) = place(sym);
        self.chunks[k]
            .get()
            .and_then(|c| c[off].get())
            .copied()
            .expect("an interned symbol always has its value (made only by `intern`)")
    }

    /// The symbol of `value`: from this thread's cache, else from the table (kept there with
    /// `keep` the first time the process meets it).
    fn intern(
        &self,
        cache: &'static LocalKey<RefCell<Map<&'static T, u32>>>,
        value: &T,
        keep: impl FnOnce(&T) -> &'static T,
    ) -> u32 {
        if let Some(s) = cache.with_borrow(|c| c.get(value).copied()) {
            return s;
        }
        let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let (kept, sym) = match index.get_key_value(value) {
            Some((&k, &s)) => (k, s),
            None => {
                let k = keep(value);
                (k, self.add(k, &mut index))
            }
        };
        drop(index);
        cache.with_borrow_mut(|c| c.insert(kept, sym));
        sym
    }
}

static STRS: LazyLock<Table<str>> = LazyLock::new(|| Table::new(""));
static LISTS: LazyLock<Table<[Box<str>]>> = LazyLock::new(|| Table::new(&[]));

thread_local! {
    static STR_CACHE: RefCell<Map<&'static str, u32>> = RefCell::new(Map::default());
    static LIST_CACHE: RefCell<Map<&'static [Box<str>], u32>> = RefCell::new(Map::default());
}

/// An interned string: 4 bytes, reads as `&str`, stored (serde) as the string itself.
/// Equal strings have equal symbols, so `==` compares symbols; there is no `Ord` (symbols are
/// numbered in the order values were met, not by text): compare `as_str()`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sym(u32);

impl Sym {
    pub fn new(s: &str) -> Sym {
        // Most records leave most of these fields empty: no look-up for those.
        if s.is_empty() {
            return Sym::default();
        }
        Sym(STRS.intern(&STR_CACHE, s, |s| Box::leak(Box::from(s))))
    }

    pub fn as_str(self) -> &'static str {
        STRS.get(self.0)
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Sym {
    /// Reads the text without keeping a copy of its own.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Sym;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Sym, E> {
                Ok(Sym::new(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// An interned list of strings (a firm's tags): 4 bytes, reads as `&[Box<str>]`, stored as the
/// sequence of strings. Lists in another order are other lists.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SymList(u32);

impl SymList {
    pub fn new(items: &[Box<str>]) -> SymList {
        if items.is_empty() {
            return SymList::default();
        }
        SymList(LISTS.intern(&LIST_CACHE, items, |v| Box::leak(v.into())))
    }

    pub fn as_slice(self) -> &'static [Box<str>] {
        LISTS.get(self.0)
    }
}

impl Deref for SymList {
    type Target = [Box<str>];
    fn deref(&self) -> &[Box<str>] {
        self.as_slice()
    }
}

impl fmt::Debug for SymList {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl Serialize for SymList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SymList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SymList, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SymList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SymList, A::Error> {
                // Bounded: a corrupt length must not reserve gigabytes before failing.
                let mut items: Vec<Box<str>> =
                    Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(s) = seq.next_element::<Box<str>>()? {
                    items.push(s);
                }
                Ok(SymList::new(&items))
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_one_symbol_and_one_copy() {
        let a = Sym::new("云南省");
        let b = Sym::new(&String::from("云南省"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Sym::new("江苏省"));
        assert_eq!(&*a, "云南省");
        assert_eq!(Sym::default().as_str(), "");
        assert_eq!(Sym::new(""), Sym::default());
        let x = SymList::new(&["上市".into(), "龙头".into()]);
        let y = SymList::new(&["上市".into(), "龙头".into()]);
        assert_eq!(x, y);
        assert_eq!(x.join(","), "上市,龙头");
        assert_ne!(x, SymList::new(&["龙头".into(), "上市".into()]));
        assert_eq!(SymList::new(&[]), SymList::default());
        assert!(SymList::default().is_empty());
        assert_eq!(size_of::<Sym>(), 4);
        assert_eq!(size_of::<SymList>(), 4);
    }

    #[test]
    fn symbols_in_every_chunk_read_back_their_values() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(63), (0, 63));
        assert_eq!(place(64), (1, 0));
        assert_eq!(place(191), (1, 127));
        assert_eq!(place(192), (2, 0));
        assert_eq!(place(u32::MAX - 1).0, CHUNKS - 1);
        // Past the first chunks (other tests share the table, so values of their own).
        let syms: Vec<(String, Sym)> = (0..1000)
            .map(|i| {
                let v = format!("chunk-test-{i}");
                let s = Sym::new(&v);
                (v, s)
            })
            .collect();
        for (v, s) in &syms {
            assert_eq!(s.as_str(), v);
            assert_eq!(Sym::new(v), *s);
        }
    }

    #[test]
    fn threads_agree_on_symbols() {
        let per_thread: Vec<Vec<Sym>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..4)
                .map(|t| {
                    sc.spawn(move || {
                        // Each thread meets the values in another order.
                        (0..200)
                            .map(|i| (i * 7 + t * 13) % 200)
                            .map(|i| (i, Sym::new(&format!("thread-test-{i}"))))
                            .fold(vec![Sym::default(); 200], |mut v, (i, s)| {
                                v[i] = s;
                                v
                            })
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        for v in &per_thread[1..] {
            assert_eq!(v, &per_thread[0]);
        }
        for (i, s) in per_thread[0].iter().enumerate() {
            assert_eq!(s.as_str(), format!("thread-test-{i}"));
        }
    }

    #[test]
    fn symbols_are_stored_as_the_plain_values() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct R {
            p: Sym,
            t: SymList,
        }
        #[derive(serde::Serialize)]
        struct Plain<'a> {
            p: &'a str,
            t: Vec<&'a str>,
        }
        let r = R {
            p: Sym::new("江苏省"),
            t: SymList::new(&["上市".into(), "龙头".into()]),
        };
        let bytes = postcard::to_allocvec(&r).expect("encode");
        let plain = Plain {
            p: "江苏省",
            t: vec!["上市", "龙头"],
        };
        assert_eq!(bytes, postcard::to_allocvec(&plain).expect("encode"));
        let back: R = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back, r);
        assert_eq!(
            serde_json::to_string(&r).expect("json"),
            r#"{"p":"江苏省","t":["上市","龙头"]}"#
        );
        let json: R = serde_json::from_str(r#"{"p":"江\u82cf省","t":[]}"#).expect("json");
        assert_eq!(json.p, r.p);
        assert_eq!(json.t, SymList::default());
    }
}
