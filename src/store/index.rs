//! The graph's open index as stored (`graph::OpenIndex`): the key `open_index` (its head) and
//! chunks `open_index/degrees/<i>` and `open_index/ranked/<i>`, written by an import beside the
//! dataset and read back with it. Optional: a generation written before has none, and its graph
//! is counted and ranked from the edges on open.

use super::*;
use crate::graph::{INDEX_VERSION, OpenIndex};

/// Per-node counts in one degree chunk.
const DEGREE_CHUNK: usize = 65_536;
/// Producer ids (about) in one ranked chunk.
const RANKED_CHUNK: usize = 65_536;

/// What `open_index` holds: what the index means (`graph::INDEX_VERSION`), the nodes it was
/// computed for, which lists of counts follow (kind, outgoing?) with `per_list` chunks each,
/// and the number of ranked chunks.
#[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
struct Head {
    /// First, so that it can be read alone.
    version: u32,
    nodes: u32,
    lists: Vec<(EdgeKind, bool)>,
    per_list: u32,
    ranked: u32,
}

/// One chunk of a list of counts: every count, or (offset in the chunk, count) of the nodes
/// that have edges, whichever is smaller (most nodes have no SUPPLIES edge, every firm has a
/// LOCATED_IN one).
#[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
enum Counts {
    Dense(Vec<u32>),
    Sparse(Vec<(u32, u32)>),
}

/// A segment and its ranked producers, as the index keeps them.
type Ranked = (u32, Box<[u32]>);

/// Reads one key of a generation.
pub(super) type Get<'a> = dyn Fn(&[u8]) -> Result<Option<sled::IVec>, StoreError> + 'a;

const HEAD: &str = "open_index";
const DEGREES: &str = "open_index/degrees/";
const RANKED: &str = "open_index/ranked/";

/// The stored records of `index`, encoded (in parallel).
pub(super) fn encode_index(index: &OpenIndex) -> Result<Vec<KeyValue>, postcard::Error> {
    let n = index.nodes as usize;
    let per_list = n.div_ceil(DEGREE_CHUNK);
    let mut ranked_groups: Vec<&[Ranked]> = Vec::new();
    let (mut start, mut ids) = (0, 0);
    for (k, (_, l)) in index.ranked.iter().enumerate() {
        ids += l.len();
        if ids >= RANKED_CHUNK || k + 1 == index.ranked.len() {
            ranked_groups.push(&index.ranked[start..=k]);
            (start, ids) = (k + 1, 0);
        }
    }
    let head = Head {
        version: INDEX_VERSION,
        nodes: index.nodes,
        lists: index.degrees.iter().map(|(k, o, _)| (*k, *o)).collect(),
        per_list: per_list as u32,
        ranked: ranked_groups.len() as u32,
    };
    let mut out = vec![(HEAD.as_bytes().to_vec(), encode(&head)?)];
    let degree_chunks: Vec<(usize, &[u32])> = index
        .degrees
        .iter()
        .flat_map(|(_, _, c)| c.chunks(DEGREE_CHUNK))
        .enumerate()
        .collect();
    out.extend(
        degree_chunks
            .par_iter()
            .map(|&(i, c)| {
                let with = c.iter().filter(|&&x| x > 0).count();
                let counts = if with * 4 < c.len() {
                    Counts::Sparse(
                        (0u32..)
                            .zip(c)
                            .filter(|&(_, &x)| x > 0)
                            .map(|(o, &x)| (o, x))
                            .collect(),
                    )
                } else {
                    Counts::Dense(c.to_vec())
                };
                Ok((chunk_key(DEGREES, i), encode(&counts)?))
            })
            .collect::<Result<Vec<_>, postcard::Error>>()?,
    );
    out.extend(
        ranked_groups
            .par_iter()
            .enumerate()
            .map(|(i, g)| Ok((chunk_key(RANKED, i), encode(g)?)))
            .collect::<Result<Vec<_>, postcard::Error>>()?,
    );
    Ok(out)
}

impl Store {
    /// The generation's open index, if it has one of this chainkb's `INDEX_VERSION`, for a
    /// dataset of `nodes` nodes. `get` reads a key. Damaged or missing records are errors, as
    /// for every other record.
    pub(super) fn read_index(
        &self,
        get: &Get,
        nodes: usize,
    ) -> Result<Option<OpenIndex>, StoreError> {
        let Some(head) = get(HEAD.as_bytes())? else {
            return Ok(None);
        };
        // An index that means something else (another chainkb wrote it) is set aside, read no
        // further than its version, which comes first whatever else the head holds.
        let bytes = decompress(checked_body(&self.path, HEAD, &head)?)
            .map_err(|e| self.undecodable(HEAD, &e))?;
        match postcard::take_from_bytes::<u32>(&bytes) {
            Ok((INDEX_VERSION, _)) => {}
            Ok(_) => return Ok(None),
            Err(e) => return Err(self.undecodable(HEAD, &e.to_string())),
        }
        let head: Head =
            postcard::from_bytes(&bytes).map_err(|e| self.undecodable(HEAD, &e.to_string()))?;
        if head.nodes as usize != nodes || head.per_list as usize != nodes.div_ceil(DEGREE_CHUNK) {
            return Err(self.undecodable(
                HEAD,
                &format!(
                    "an index of {} nodes in {} chunks a list, for {nodes} nodes",
                    head.nodes, head.per_list
                ),
            ));
        }
        let read = |prefix: &str, count: usize| -> Result<Vec<sled::IVec>, StoreError> {
            (0..count)
                .map(|i| {
                    get(&chunk_key(prefix, i))?
                        .ok_or_else(|| self.corrupt(missing(&format!("{prefix}{i}"))))
                })
                .collect()
        };
        let per_list = head.per_list as usize;
        let raw = read(DEGREES, head.lists.len() * per_list)?;
        let mut degrees: Vec<(EdgeKind, bool, Vec<u32>)> = head
            .lists
            .iter()
            .map(|&(k, o)| (k, o, vec![0u32; nodes]))
            .collect();
        let mut slots: Vec<&mut [u32]> = degrees
            .iter_mut()
            .flat_map(|(_, _, c)| c.chunks_mut(DEGREE_CHUNK))
            .collect();
        slots
            .par_iter_mut()
            .zip(raw.par_iter())
            .enumerate()
            .try_for_each(|(i, (slot, v))| {
                let key = format!("{DEGREES}{i}");
                let bad = |what: String| self.undecodable(&key, &what);
                match self.decode::<Counts>(&key, v)? {
                    Counts::Dense(c) if c.len() == slot.len() => slot.copy_from_slice(&c),
                    Counts::Dense(c) => {
                        return Err(bad(format!("{} counts for {}", c.len(), slot.len())));
                    }
                    Counts::Sparse(c) => {
                        for (o, x) in c {
                            match slot.get_mut(o as usize) {
                                Some(s) => *s = x,
                                None => return Err(bad(format!("a count at {o}"))),
                            }
                        }
                    }
                }
                Ok(())
            })?;
        let raw = read(RANKED, head.ranked as usize)?;
        let groups: Vec<Vec<Ranked>> = raw
            .par_iter()
            .enumerate()
            .map(|(i, v)| self.decode(&format!("{RANKED}{i}"), v))
            .collect::<Result<_, _>>()?;
        Ok(Some(OpenIndex {
            nodes: head.nodes,
            degrees,
            ranked: groups.into_iter().flatten().collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Kind};

    #[test]
    fn an_index_reads_back_as_written() {
        let mut ds = Dataset::segments_only(5);
        ds.edges = vec![
            Edge {
                kind: EdgeKind::Supplies,
                from: 0,
                to: 1,
                row: 0,
            },
            Edge {
                kind: EdgeKind::Supplies,
                from: 0,
                to: 2,
                row: 0,
            },
        ];
        assert!(ds.nodes.iter().all(|n| n.kind == Kind::Segment));
        let index = OpenIndex::of(&ds);
        let records = encode_index(&index).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&tmp.path().join("db"), true).unwrap();
        let map: std::collections::HashMap<Vec<u8>, Vec<u8>> = records.into_iter().collect();
        let get = |k: &[u8]| Ok(map.get(k).map(|v| sled::IVec::from(&v[..])));
        let back = store.read_index(&get, 5).unwrap();
        assert_eq!(back.as_ref(), Some(&index));
        // For another number of nodes, or with a chunk missing, it is an error.
        assert!(store.read_index(&get, 6).is_err());
        let without = |k: &[u8]| {
            if k.starts_with(DEGREES.as_bytes()) {
                Ok(None)
            } else {
                get(k)
            }
        };
        let err = store.read_index(&without, 5).unwrap_err().to_string();
        assert!(err.contains("open_index/degrees/0"), "{err}");
        // A generation without an index has none; one of another version is set aside.
        assert_eq!(store.read_index(&|_| Ok(None), 5).unwrap(), None);
        // (Another version may lay its head out otherwise: here, its version and a string.)
        let other = encode(&(INDEX_VERSION + 1, "a head of another shape")).unwrap();
        let newer = |k: &[u8]| {
            if k == HEAD.as_bytes() {
                Ok(Some(sled::IVec::from(&other[..])))
            } else {
                get(k)
            }
        };
        assert_eq!(store.read_index(&newer, 5).unwrap(), None);
    }
}
