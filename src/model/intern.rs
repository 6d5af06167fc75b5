//! Shared copies of the low-cardinality strings of enterprise records (province, city, tag
//! lists): a million firms name a few hundred distinct values, so each value is allocated once
//! per thread that reads it instead of once per firm.
//!
//! The tables are per thread (decoding runs on rayon's threads) and bounded: past
//! `MAX_ENTRIES` distinct values a thread stops remembering new ones and simply allocates, so a
//! column that turns out to be high-cardinality costs what it did before, not more.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

const MAX_ENTRIES: usize = 4096;

type List = Arc<[Box<str>]>;

thread_local! {
    static STRS: RefCell<HashMap<Box<str>, Arc<str>>> = RefCell::new(HashMap::new());
    static LISTS: RefCell<HashMap<Box<[Box<str>]>, List>> = RefCell::new(HashMap::new());
}

/// The shared copy of `s`.
pub fn str(s: &str) -> Arc<str> {
    STRS.with_borrow_mut(|m| {
        if let Some(a) = m.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        if m.len() < MAX_ENTRIES {
            m.insert(Box::from(s), a.clone());
        }
        a
    })
}

/// The shared copy of a list of strings (a firm's tags).
pub fn list(items: Vec<Box<str>>) -> List {
    if items.is_empty() {
        return Arc::from(Vec::new());
    }
    LISTS.with_borrow_mut(|m| {
        if let Some(a) = m.get(items.as_slice()) {
            return a.clone();
        }
        let a: List = Arc::from(items.as_slice());
        if m.len() < MAX_ENTRIES {
            m.insert(items.into_boxed_slice(), a.clone());
        }
        a
    })
}

/// `deserialize_with` for an interned string: reads the text without keeping its own copy.
pub fn de_str<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
            Ok(str(v))
        }
    }
    d.deserialize_str(V)
}

/// `deserialize_with` for an interned list of strings.
pub fn de_list<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[Box<str>]>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Arc<[Box<str>]>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items: Vec<Box<str>> = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(s) = seq.next_element::<Box<str>>()? {
                items.push(s);
            }
            Ok(list(items))
        }
    }
    d.deserialize_seq(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_allocation() {
        let a = str("云南省");
        let b = str(&String::from("云南省"));
        assert!(Arc::ptr_eq(&a, &b));
        let x = list(vec!["上市".into(), "龙头".into()]);
        let y = list(vec!["上市".into(), "龙头".into()]);
        assert!(Arc::ptr_eq(&x, &y));
        assert!(!Arc::ptr_eq(&x, &list(vec!["龙头".into(), "上市".into()])));
        assert_eq!(&*list(Vec::new()), &[] as &[Box<str>]);
    }

    #[test]
    fn interned_fields_round_trip_through_postcard() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct R {
            #[serde(deserialize_with = "de_str")]
            p: Arc<str>,
            #[serde(deserialize_with = "de_list")]
            t: Arc<[Box<str>]>,
        }
        let r = R {
            p: str("江苏省"),
            t: list(vec!["上市".into()]),
        };
        let bytes = postcard::to_allocvec(&r).expect("encode");
        let back: R = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back, r);
        assert!(Arc::ptr_eq(&back.p, &str("江苏省")));
    }
}
