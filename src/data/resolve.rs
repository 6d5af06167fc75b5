//! Second and third passes of reading: resolve text references to nodes, then validate the
//! whole (chains are DAGs without orphans, every segment belongs to a chain, PART_OF is acyclic).

use super::{Loader, Pos, Ref, Slot};
use crate::model::{Edge, EdgeKind, Kind};
use crate::msg;
use crate::names::{Suggester, did_you_mean_in, normalize, suggest_among};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Name → nodes of each kind, by exact name/alias and normalized name, built for a kind the
/// first time a reference needs it: a reference that names an id never does, so the names of
/// millions of enterprises that are referred to by id are never indexed.
struct NameIndex {
    parts: [OnceLock<KindNames>; Kind::ALL.len()],
}

/// The names of the nodes of one kind.
struct KindNames {
    exact: HashMap<String, Vec<u32>>,
    normalized: HashMap<String, Vec<u32>>,
    /// Every id of the kind, prepared for "did you mean" (`None`: no node of the kind).
    suggester: Option<Suggester<'static>>,
}

impl NameIndex {
    fn build(_ld: &Loader) -> NameIndex {
        NameIndex {
            parts: Default::default(),
        }
    }

    fn part(&self, ld: &Loader, kind: Kind) -> &KindNames {
        let i = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        self.parts[i].get_or_init(|| KindNames::build(ld, kind))
    }
}

impl KindNames {
    fn build(ld: &Loader, kind: Kind) -> KindNames {
        let mut exact: HashMap<String, Vec<u32>> = HashMap::new();
        let mut normalized: HashMap<String, Vec<u32>> = HashMap::new();
        let mut ids: Vec<String> = Vec::new();
        for (i, n) in ld.ds.nodes.iter().enumerate() {
            if n.kind != kind {
                continue;
            }
            let i = i as u32;
            let mut all: Vec<&str> = vec![n.name()];
            all.extend(n.aliases().iter().map(|a| &**a));
            for s in all {
                let e = exact.entry(s.to_string()).or_default();
                if !e.contains(&i) {
                    e.push(i);
                }
                let e = normalized.entry(normalize(s)).or_default();
                if !e.contains(&i) {
                    e.push(i);
                }
            }
            ids.push(n.id.to_string());
        }
        KindNames {
            exact,
            normalized,
            suggester: (!ids.is_empty()).then(|| Suggester::new(ids)),
        }
    }
}

/// Why a reference did not resolve.
#[derive(Clone)]
enum Unresolved {
    /// It names nothing of `kinds` (the kinds tried, after a `kind:` prefix); `message` says so
    /// with suggestions.
    Unknown {
        kinds: Vec<Kind>,
        text: String,
        message: String,
    },
    /// Empty or ambiguous.
    Bad(String),
}

impl Unresolved {
    fn message(self) -> String {
        match self {
            Unresolved::Unknown { message, .. } | Unresolved::Bad(message) => message,
        }
    }
}

/// Resolve a reference. Kinds are tried in the order the column allows them (a `focus` of
/// 卷烟及配套 means the industry before the chain of that name); within one kind, an id beats a
/// name or alias, which beats a normalized name. `kind:text` (e.g. `chain:卷烟及配套`) forces the kind.
fn resolve_ref(ld: &Loader, idx: &NameIndex, r: &Ref) -> Result<u32, Unresolved> {
    resolve_text(ld, idx, &r.text, r.allowed)
}

/// The text a reference names and the kind it forces with a `kind:` prefix, if it does.
fn forced<'a>(text: &'a str, allowed: &'static [Kind]) -> (&'a str, Option<Kind>) {
    let text = text.trim();
    if let Some((prefix, rest)) = text.split_once(':')
        && let Some(k) = allowed
            .iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(prefix))
    {
        return (rest.trim(), Some(*k));
    }
    (text, None)
}

/// The node a reference resolves to if it is the id of a node of the first kind it may name
/// (which `resolve_text` tries first), by the ids known so far.
pub(crate) fn by_id(ld: &Loader, text: &str, allowed: &'static [Kind]) -> Option<u32> {
    let (text, kind) = forced(text, allowed);
    let kind = kind.or_else(|| allowed.first().copied())?;
    if text.is_empty() {
        return None;
    }
    ld.ids.get(&ld.ds.nodes, kind, text)
}

fn resolve_text(
    ld: &Loader,
    idx: &NameIndex,
    text: &str,
    allowed: &'static [Kind],
) -> Result<u32, Unresolved> {
    let (text, kind) = forced(text, allowed);
    let allowed: Vec<Kind> = match kind {
        Some(k) => vec![k],
        None => allowed.to_vec(),
    };
    let kinds: Vec<&str> = allowed.iter().map(|k| k.label_zh()).collect();
    let what = kinds.join("/");
    if text.is_empty() {
        return Err(Unresolved::Bad(msg!(
            "引用为空（应为{what}）",
            "empty reference (expected a {what})"
        )));
    }
    for k in &allowed {
        if let Some(i) = ld.ids.get(&ld.ds.nodes, *k, text) {
            return Ok(i);
        }
        let part = idx.part(ld, *k);
        for (map, key) in [
            (&part.exact, text.to_string()),
            (&part.normalized, normalize(text)),
        ] {
            let Some(hits) = map.get(&key) else {
                continue;
            };
            match hits.as_slice() {
                [one] => return Ok(*one),
                [] => {}
                many => {
                    let ids: Vec<String> = many
                        .iter()
                        .map(|&h| format!("`{}`", ld.ds.nodes[h as usize].id))
                        .collect();
                    let kind = k.label_zh();
                    let lang = crate::lang::messages();
                    let ids = ids.join(lang.pick("、", ", "));
                    return Err(Unresolved::Bad(crate::tr!(
                        lang,
                        "`{text}` 有歧义：它可指{kind} {ids}；请用编号",
                        "`{text}` is ambiguous: it names the {kind} {ids}; use the id"
                    )));
                }
            }
        }
    }
    let lists: Vec<&Suggester> = allowed
        .iter()
        .filter_map(|k| idx.part(ld, *k).suggester.as_ref())
        .collect();
    let sugg = suggest_among(text, &lists, 3);
    Err(Unresolved::Unknown {
        message: {
            let lang = crate::lang::messages();
            let dym = did_you_mean_in(&sugg, lang);
            crate::tr!(
                lang,
                "没有 `{text}` 这个{what}{dym}",
                "unknown {what} `{text}`{dym}"
            )
        },
        kinds: allowed,
        text: text.to_string(),
    })
}

/// Names resolved against a checked dataset exactly as `check` resolves references (id, then
/// name or alias, then normalized name; `kind:text` forces a kind), for tools such as `intake`
/// that must produce references `check` will accept.
pub struct Resolver {
    ld: Loader,
    idx: NameIndex,
}

impl Resolver {
    pub fn new(ds: crate::model::Dataset) -> Resolver {
        let mut ld = Loader::default();
        for (i, n) in ds.nodes.iter().enumerate() {
            ld.ids.insert(&ds.nodes, (n.kind, &n.id), i as u32);
        }
        ld.ds = ds;
        let idx = NameIndex::build(&ld);
        Resolver { ld, idx }
    }

    /// The node `text` names among `allowed`, or the message `check` would print.
    // String: `intake` puts it in the report row of the cell that named the node.
    pub fn resolve(&self, text: &str, allowed: &'static [Kind]) -> Result<u32, String> {
        let r = Ref {
            text: text.to_string(),
            pos: Pos::default(),
            allowed,
        };
        resolve_ref(&self.ld, &self.idx, &r).map_err(Unresolved::message)
    }

    pub fn dataset(&self) -> &crate::model::Dataset {
        &self.ld.ds
    }
}

pub(crate) fn resolve(ld: &mut Loader) {
    let idx = NameIndex::build(ld);
    let pending = std::mem::take(&mut ld.pending);
    let refs = std::mem::take(&mut ld.refs);
    let keys = std::mem::take(&mut ld.ref_keys);
    ld.ref_index = HashMap::new();
    let mut systems: Vec<Option<crate::model::SystemEntry>> = std::mem::take(&mut ld.systems)
        .into_iter()
        .map(Some)
        .collect();
    // Each distinct (text, kinds) is resolved once; what a failure costs (a problem, a count)
    // is still said for every reference.
    let mut resolved: Vec<Option<Result<u32, Unresolved>>> = vec![None; keys.len()];
    // The same fact stated twice in one row: with the rows in order (`Loader::rows_unordered`)
    // only the current row's edges need be remembered.
    let by_row = !ld.rows_unordered;
    let mut seen: HashSet<(EdgeKind, u32, u32, u32)> = HashSet::new();
    let mut seen_row = None;
    ld.ds.edges.reserve_exact(pending.len());
    for chunk in pending.into_chunks() {
        for p in chunk {
            // The edges of a definition left out for a duplicate id.
            if ld.dropped_rows.contains(&p.row) {
                continue;
            }
            // Ok(node), or Err(true) when the reference was not checked: it names nothing
            // known, but a file that could not be read may define it.
            let mut end = |ld: &mut Loader, e: Slot| -> Result<u32, bool> {
                let Some(r) = e.as_ref().and_then(|i| refs.get(i as usize)) else {
                    return Ok(e.as_node().unwrap_or(0));
                };
                let (text, allowed) = &keys[r.key as usize];
                let result = resolved[r.key as usize]
                    .get_or_insert_with(|| resolve_text(ld, &idx, text, allowed));
                match result.clone() {
                    Ok(n) => Ok(n),
                    Err(Unresolved::Unknown {
                        kinds,
                        text,
                        message,
                    }) => {
                        if ld.not_checked(&kinds, &text, r.pos.file, false) {
                            return Err(true);
                        }
                        ld.error(r.pos, message);
                        Err(false)
                    }
                    Err(e) => {
                        ld.error(r.pos, e.message());
                        Err(false)
                    }
                }
            };
            let from = end(ld, p.from);
            let to = end(ld, p.to);
            let (from, to) = match (from, to) {
                (Ok(from), Ok(to)) => (from, to),
                // A segment linked to something not checked may or may not be an orphan.
                (Ok(n), Err(true)) | (Err(true), Ok(n)) => {
                    if p.kind == EdgeKind::Supplies {
                        ld.unsure_links.insert(n);
                    }
                    continue;
                }
                _ => continue,
            };
            if from == to {
                let pos = p
                    .from
                    .as_ref()
                    .or(p.to.as_ref())
                    .and_then(|i| refs.get(i as usize))
                    .map_or(Pos::default(), |r| r.pos);
                ld.error(pos, {
                    let (kind, id) = (p.kind, &ld.ds.nodes[from as usize].id);
                    msg!(
                        "`{id}` 有一条指向自己的 {kind} 边",
                        "{kind} edge from `{id}` to itself"
                    )
                });
                continue;
            }
            // The same fact stated twice in one row (a list naming one target twice) is kept
            // once.
            if by_row && seen_row != Some(p.row) {
                seen.clear();
                seen_row = Some(p.row);
            }
            if !seen.insert((p.kind, from, to, p.row)) {
                continue;
            }
            if let Some(s) = (p.system as usize)
                .checked_sub(1)
                .and_then(|i| systems.get_mut(i))
                .and_then(Option::take)
            {
                ld.ds.systems.push((ld.ds.edges.len() as u32, s));
            }
            ld.ds.edges.push(Edge {
                kind: p.kind,
                from,
                to,
                row: p.row,
            });
        }
    }
    resolve_facts(ld, &idx);
    resolve_listings(ld, &idx);
}

/// Resolve one reference of a figure, catalog item or listing: the node, or `None` after reporting why
/// (nothing is reported when a file that could not be read may define it).
fn fact_ref(ld: &mut Loader, idx: &NameIndex, r: &Ref) -> Option<u32> {
    match resolve_ref(ld, idx, r) {
        Ok(n) => Some(n),
        Err(Unresolved::Unknown {
            kinds,
            text,
            message,
        }) => {
            if !ld.not_checked(&kinds, &text, r.pos.file, false) {
                ld.error(r.pos, message);
            }
            None
        }
        Err(e) => {
            ld.error(r.pos, e.message());
            None
        }
    }
}

/// Figures and catalog items: kept when every reference resolves, in import order.
fn resolve_facts(ld: &mut Loader, idx: &NameIndex) {
    for p in std::mem::take(&mut ld.pending_figures) {
        let place = fact_ref(ld, idx, &p.place);
        let industry = p.industry.as_ref().map(|r| fact_ref(ld, idx, r));
        if let (Some(place), None | Some(Some(_))) = (place, industry) {
            let mut f = p.figure;
            f.place = place;
            f.industry = industry.flatten();
            ld.ds.figures.push(f);
        }
    }
    for p in std::mem::take(&mut ld.pending_items) {
        let place = fact_ref(ld, idx, &p.place);
        let industry = fact_ref(ld, idx, &p.industry);
        let mut models = Vec::with_capacity(p.models.len());
        let mut all = true;
        for r in &p.models {
            match fact_ref(ld, idx, r) {
                Some(m) if !models.contains(&m) => models.push(m),
                Some(_) => {}
                None => all = false,
            }
        }
        if let (Some(place), Some(industry), true) = (place, industry, all) {
            let mut item = p.item;
            item.place = place;
            item.industry = industry;
            item.models = models.into();
            ld.ds.catalog.push(item);
        }
    }
}

/// A listing's references, resolved like an edge's; a listing with one that does not resolve
/// is left out (and reported, unless a file that could not be read may define the name).
fn resolve_listings(ld: &mut Loader, idx: &NameIndex) {
    for p in std::mem::take(&mut ld.pending_listings) {
        let mut end = |r: &Ref| fact_ref(ld, idx, r);
        let industry = end(&p.industry);
        let field = p.field.as_ref().map(&mut end);
        let enterprise = p.enterprise.as_ref().map(&mut end);
        let (Some(industry), Some(field), Some(enterprise)) = (
            industry,
            field.map_or(Some(None), |f| f.map(Some)),
            enterprise.map_or(Some(None), |e| e.map(Some)),
        ) else {
            continue;
        };
        if let Some(f) = field {
            let within = ld
                .ds
                .edges
                .iter()
                .any(|e| e.kind == EdgeKind::PartOf && e.from == f && e.to == industry);
            if !within {
                let (fid, iid) = (
                    &ld.ds.nodes[f as usize].id,
                    &ld.ds.nodes[industry as usize].id,
                );
                let msg = msg!(
                    "领域 `{fid}` 不属于产业 `{iid}`：在 industries*.csv 里给 `{fid}` 写上上级 `{iid}`，或改正 `industry` 格",
                    "field `{fid}` is not part of the industry `{iid}`: give `{fid}` the parent `{iid}` in industries*.csv, or correct the `industry` cell"
                );
                if let Some(r) = &p.field {
                    ld.error(r.pos, msg);
                }
                continue;
            }
        }
        ld.ds.listings.push(crate::model::Listing {
            table: p.table,
            industry,
            field,
            enterprise,
            written: p.written,
            row: p.row,
        });
    }
}

pub(crate) fn validate(ld: &mut Loader) {
    let ds = &ld.ds;
    let mut problems: Vec<(Pos, String, Vec<u32>)> = Vec::new();
    // Orphans and segments without a chain: (segment, problem, whether it is an orphan),
    // reported below unless a file that could not be read may have linked the segment.
    let mut unlinked: Vec<(u32, Pos, String, bool)> = Vec::new();
    // Chain membership and SUPPLIES adjacency.
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut chains_of: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut supplies: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    for e in &ds.edges {
        match e.kind {
            EdgeKind::BelongsTo if ds.nodes[e.from as usize].kind == Kind::Segment => {
                let m = members.entry(e.to).or_default();
                if !m.contains(&{ e.from }) {
                    m.push(e.from);
                }
                chains_of.entry(e.from).or_default().push(e.to);
            }
            EdgeKind::Supplies => supplies.entry(e.from).or_default().push((e.to, e.row)),
            _ => {}
        }
    }
    for (i, n) in ds.nodes.iter().enumerate() {
        let pos = ld.node_pos[i];
        if n.kind == Kind::Segment
            && !chains_of.contains_key(&(i as u32))
            // Its file's [chain] table is broken, and reported as such.
            && !ld.chainless.contains(&pos.file)
        {
            let id = &n.id;
            unlinked.push((i as u32, pos, msg!(
                "环节 `{id}` 不属于任何产业链：请在带 [chain] 表的模板里定义它，或把它列入某条链的 `shared`",
                "segment `{id}` belongs to no chain: define it in a template with a [chain] table, or list it in a chain's `shared`"
            ), false));
        }
    }
    let mut chain_ids: Vec<u32> = members.keys().copied().collect();
    chain_ids.sort_unstable();
    for c in chain_ids {
        let segs = &members[&c];
        let set: HashSet<u32> = segs.iter().copied().collect();
        let chain = &ds.nodes[c as usize];
        // Orphans: a member with no SUPPLIES edge to or from another member.
        let mut touched: HashSet<u32> = HashSet::new();
        for &s in segs {
            for &(t, _) in supplies.get(&s).into_iter().flatten() {
                if set.contains(&t) {
                    touched.insert(s);
                    touched.insert(t);
                }
            }
        }
        if segs.len() > 1 {
            for &s in segs {
                if !touched.contains(&s) {
                    let (id, cid) = (&ds.nodes[s as usize].id, &chain.id);
                    unlinked.push((s, ld.node_pos[s as usize], msg!(
                        "环节 `{id}` 在产业链 `{cid}` 里是孤立的：没有 SUPPLIES 边把它连到本链的其他环节",
                        "segment `{id}` is an orphan in chain `{cid}`: no SUPPLIES edge links it to another segment of the chain"
                    ), true));
                }
            }
        }
        // Cycles: depth-first search over the chain's induced subgraph.
        if let Some((cycle, row)) = find_cycle(segs, &set, &supplies) {
            let path: Vec<&str> = cycle.iter().map(|&s| &*ds.nodes[s as usize].id).collect();
            let r = ds.row(row);
            problems.push((
                Pos { file: r.file, line: r.line, col: 1 },
                {
                    let (cid, path) = (&chain.id, path.join(" → "));
                    msg!(
                        "产业链 `{cid}` 里有环：{path}（产业链必须无环：请删去闭合这个环的边）",
                        "cycle in chain `{cid}`: {path} (a chain must be a DAG: remove the edge that closes the loop)"
                    )
                },
                files_of(ds, &cycle),
            ));
        }
    }
    // The place hierarchy and the industry hierarchy must be acyclic.
    let mut parent: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    for e in ds.edges.iter().filter(|e| e.kind == EdgeKind::PartOf) {
        parent.entry(e.from).or_default().push((e.to, e.row));
    }
    let all: Vec<u32> = parent.keys().copied().collect();
    let set: HashSet<u32> = all.iter().copied().collect();
    if let Some((cycle, row)) = find_cycle(&all, &set, &parent) {
        let path: Vec<&str> = cycle.iter().map(|&s| &*ds.nodes[s as usize].id).collect();
        let r = ds.row(row);
        problems.push((
            Pos {
                file: r.file,
                line: r.line,
                col: 1,
            },
            {
                let path = path.join(" → ");
                msg!(
                    "PART_OF 层级里有环：{path}",
                    "cycle in the PART_OF hierarchy: {path}"
                )
            },
            files_of(ds, &cycle),
        ));
    }
    // A technology route (Segment PART_OF Segment, a template's `route_of`) lies in a chain of
    // its parent, and whoever makes or builds a route names the parent too: a route is a kind
    // of its parent, whose status and target lists count the firm only through its own edge.
    let mut route_parent: HashMap<u32, Vec<u32>> = HashMap::new();
    for e in &ds.edges {
        if e.kind == EdgeKind::PartOf && ds.nodes[e.from as usize].kind == Kind::Segment {
            route_parent.entry(e.from).or_default().push(e.to);
        }
    }
    let mut routes: Vec<(&u32, &Vec<u32>)> = route_parent.iter().collect();
    routes.sort_unstable();
    for (&route, parents) in routes {
        for &parent in parents {
            let shared = chains_of.get(&route).is_some_and(|cs| {
                cs.iter()
                    .any(|c| chains_of.get(&parent).is_some_and(|p| p.contains(c)))
            });
            if !shared {
                problems.push((
                    ld.node_pos[route as usize],
                    {
                        let (rid, pid) = (&ds.nodes[route as usize].id, &ds.nodes[parent as usize].id);
                        msg!(
                            "环节 `{rid}` 是 `{pid}` 的技术路线，但 `{pid}` 不在它的任何产业链里：请在上级环节所在的链里定义这条路线，或把它列入那条链的 `shared`",
                            "segment `{rid}` is a route of `{pid}`, which is in none of its chains: define the route in the parent's chain, or list it in that chain's `shared`"
                        )
                    },
                    files_of(ds, &[route, parent]),
                ));
            }
        }
    }
    let mut makes: HashSet<(EdgeKind, u32, u32)> = HashSet::new();
    for e in &ds.edges {
        if matches!(e.kind, EdgeKind::Produces | EdgeKind::Builds) {
            makes.insert((e.kind, e.from, e.to));
        }
    }
    let mut reported: HashSet<(u32, u32)> = HashSet::new();
    for e in &ds.edges {
        if !matches!(e.kind, EdgeKind::Produces | EdgeKind::Builds) {
            continue;
        }
        for &parent in route_parent.get(&{ e.to }).into_iter().flatten() {
            if makes.contains(&(e.kind, e.from, parent)) || !reported.insert((e.from, parent)) {
                continue;
            }
            let (maker, route, par) = (
                &ds.nodes[e.from as usize].id,
                &ds.nodes[e.to as usize].id,
                &ds.nodes[parent as usize].id,
            );
            problems.push((
                ld.node_pos[e.from as usize],
                msg!(
                    "`{maker}` 生产 `{par}` 的技术路线 `{route}`：请把 `{par}` 也列进它的环节（上级环节的现状和招商名单只这样才算它）",
                    "`{maker}` makes `{route}`, a route of `{par}`: list `{par}` in its segments too (the parent's status and target lists count it only so)"
                ),
                files_of(ds, &[e.from, e.to]),
            ));
        }
    }
    for (pos, msg, related) in problems {
        ld.error_about(pos, msg, related);
    }
    for (s, pos, msg, orphan) in unlinked {
        // A link to a reference that was not checked may be the one it lacks.
        if ld.unsure_links.contains(&s) {
            continue;
        }
        let n = &ld.ds.nodes[s as usize];
        let names: Vec<String> = std::iter::once(n.id.to_string())
            .chain(n.display_name().into_iter().map(|s| s.to_string()))
            .chain(n.aliases().iter().map(|s| s.to_string()))
            .collect();
        // A [[supplies]] entry left out because of a problem reported in it links it.
        if orphan && names.iter().any(|t| ld.in_dropped_link(t)) {
            continue;
        }
        // A template that could not be read and names the segment may link it.
        if names
            .iter()
            .any(|t| ld.not_checked(&[Kind::Segment], t, pos.file, true))
        {
            continue;
        }
        ld.error(pos, msg);
    }
}

/// The files that define `nodes`.
fn files_of(ds: &crate::model::Dataset, nodes: &[u32]) -> Vec<u32> {
    let mut files: Vec<u32> = nodes
        .iter()
        .map(|&n| ds.row(ds.nodes[n as usize].row).file)
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// A cycle (as a node path ending where it starts) and the row of its closing edge.
fn find_cycle(
    nodes: &[u32],
    set: &HashSet<u32>,
    adj: &HashMap<u32, Vec<(u32, u32)>>,
) -> Option<(Vec<u32>, u32)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    let mut mark: HashMap<u32, Mark> = HashMap::new();
    let mut sorted = nodes.to_vec();
    sorted.sort_unstable();
    for &start in &sorted {
        if mark.contains_key(&start) {
            continue;
        }
        // Iterative DFS: (node, next child index).
        let mut stack: Vec<(u32, usize)> = vec![(start, 0)];
        mark.insert(start, Mark::Active);
        while let Some(&mut (n, ref mut i)) = stack.last_mut() {
            let children = adj.get(&n).map_or(&[][..], Vec::as_slice);
            if let Some(&(child, row)) = children.get(*i) {
                *i += 1;
                if !set.contains(&child) {
                    continue;
                }
                match mark.get(&child) {
                    Some(Mark::Active) => {
                        let from = stack.iter().position(|(s, _)| *s == child).unwrap_or(0);
                        let mut path: Vec<u32> = stack[from..].iter().map(|(s, _)| *s).collect();
                        path.push(child);
                        return Some((path, row));
                    }
                    Some(Mark::Done) => {}
                    None => {
                        mark.insert(child, Mark::Active);
                        stack.push((child, 0));
                    }
                }
            } else {
                mark.insert(n, Mark::Done);
                stack.pop();
            }
        }
    }
    None
}
