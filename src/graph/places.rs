//! Places that overlap without one containing the other. The hierarchy is a DAG: a 片区 lies in
//! its zone (江川片区 → 玉溪高新区) and in its district (江川片区 → 江川区), so a zone such as
//! 玉溪高新区 overlaps 红塔区 (its 红塔片区 lies in 红塔区, its 江川片区 does not). A firm
//! recorded at the zone itself, with no district known, cannot be counted in 红塔区: these
//! functions find such firms so that a district-level answer can say how many it leaves out.

use super::Graph;
use crate::model::{Attrs, Coverage, Dataset, EdgeKind, Kind};
use petgraph::Direction;
use std::collections::{HashMap, HashSet};

/// Each place's coverage: its own, else the weakest among the nearest places above it (by
/// PART_OF steps, along every line) that state one, with the place that states it.
pub(super) fn effective_coverage(
    ds: &Dataset,
    parents: &HashMap<u32, Vec<u32>>,
    places: &[u32],
) -> HashMap<u32, (Coverage, u32)> {
    let mut out = HashMap::new();
    if ds.coverage.is_empty() {
        return out;
    }
    for &p in places {
        let mut level = vec![p];
        let mut seen = HashSet::from([p]);
        while !level.is_empty() {
            let stated = level
                .iter()
                .filter_map(|&q| ds.place_coverage(q).map(|c| (c.coverage, q)))
                .min();
            if let Some(found) = stated {
                out.insert(p, found);
                break;
            }
            level = level
                .iter()
                .flat_map(|q| parents.get(q).into_iter().flatten().copied())
                .filter(|&u| seen.insert(u))
                .collect();
        }
    }
    out
}

impl Graph {
    /// The administrative level of a region (`区县`, `州市` …); `None` for a park.
    pub fn region_level(&self, place: u32) -> Option<&str> {
        match &self.node(place).attrs {
            Attrs::Region { level } if !level.is_empty() => Some(level),
            _ => None,
        }
    }

    /// Places that overlap `place`: neither contain it nor lie in it, but have a place below
    /// them that lies in it. Outermost ones only (玉溪高新区 for 红塔区, not also one of its
    /// 片区 that straddles nothing), sorted by node index.
    pub fn overlapping(&self, place: u32) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        for &q in self
            .nodes_of(Kind::Region)
            .iter()
            .chain(self.nodes_of(Kind::Park))
        {
            if q == place || !self.is_within(q, place) {
                continue;
            }
            for &a in self.ancestors(q) {
                if !self.is_within(place, a) && !self.is_within(a, place) && !found.contains(&a) {
                    found.push(a);
                }
            }
        }
        let mut outer: Vec<u32> = found
            .iter()
            .copied()
            .filter(|&z| !self.ancestors(z).iter().any(|a| found.contains(a)))
            .collect();
        outer.sort_unstable();
        outer
    }

    /// Whether one of `firm`'s locations lies in a region of the administrative `level`.
    fn attributed_at(&self, firm: u32, level: &str) -> bool {
        self.edges_of(firm, EdgeKind::LocatedIn, Direction::Outgoing)
            .any(|loc| {
                std::iter::once(loc)
                    .chain(self.ancestors(loc).iter().copied())
                    .any(|p| self.region_level(p) == Some(level))
            })
    }

    /// For a region, each overlapping zone with the enterprises located in it (or below it)
    /// that lie in no region of the region's level, so cannot be attributed to the region nor
    /// ruled out of it (玉溪高新区's firms recorded at the zone itself, for 红塔区). Empty for a
    /// park, and for a zone whose firms all have a place at that level.
    pub fn unattributed(&self, place: u32) -> Vec<(u32, Vec<u32>)> {
        let Some(level) = self.region_level(place) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for zone in self.overlapping(place) {
            let mut firms: Vec<u32> = self
                .places_within(zone)
                .into_iter()
                .flat_map(|q| self.edges_of(q, EdgeKind::LocatedIn, Direction::Incoming))
                .filter(|&e| self.node(e).kind == Kind::Enterprise)
                .filter(|&e| !self.attributed_at(e, level))
                .collect();
            firms.sort_unstable();
            firms.dedup();
            if !firms.is_empty() {
                out.push((zone, firms));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::Graph;
    use crate::model::{Attrs, Dataset, Edge, EdgeKind, Kind, Node, Row};

    /// 省 ← 市 ← {甲区, 乙区}; 园区 → 市; 北片 → {园区, 甲区}; 南片 → {园区, 乙区}; 西片 → 园区;
    /// firms: f0 at 北片, f1 at 园区, f2 at 西片, f3 at 园区 and 甲区.
    fn places() -> Graph {
        Graph::build(places_dataset())
    }

    fn places_dataset() -> Dataset {
        let mut ds = Dataset {
            files: vec!["seeds/x.csv".into()],
            sources: vec!["test".into()],
            ..Default::default()
        };
        let node = |ds: &mut Dataset, kind: Kind, id: &str, attrs: Attrs| -> u32 {
            ds.rows.push(Row {
                file: 0,
                line: ds.rows.len() as u32 + 1,
                source: 0,
                notes: None,
            });
            ds.nodes
                .push(Node::new(kind, id.into(), attrs, ds.rows.len() as u32 - 1));
            ds.nodes.len() as u32 - 1
        };
        let region = |level: &str| Attrs::Region {
            level: level.into(),
        };
        let park = || Attrs::Park(Box::default());
        let firm = || Attrs::Enterprise(Default::default());
        let sheng = node(&mut ds, Kind::Region, "省", region("省"));
        let shi = node(&mut ds, Kind::Region, "市", region("州市"));
        let jia = node(&mut ds, Kind::Region, "甲区", region("区县"));
        let yi = node(&mut ds, Kind::Region, "乙区", region("区县"));
        let yuan = node(&mut ds, Kind::Park, "园区", park());
        let bei = node(&mut ds, Kind::Park, "北片", park());
        let nan = node(&mut ds, Kind::Park, "南片", park());
        let xi = node(&mut ds, Kind::Park, "西片", park());
        let f: Vec<u32> = (0..4)
            .map(|i| node(&mut ds, Kind::Enterprise, &format!("f{i}"), firm()))
            .collect();
        let mut edge = |kind, from, to| {
            let row = ds.edges.len() as u32 % ds.rows.len() as u32;
            ds.edges.push(Edge {
                kind,
                from,
                to,
                row,
            })
        };
        for (from, to) in [
            (shi, sheng),
            (jia, shi),
            (yi, shi),
            (yuan, shi),
            (bei, yuan),
            (bei, jia),
            (nan, yuan),
            (nan, yi),
            (xi, yuan),
        ] {
            edge(EdgeKind::PartOf, from, to);
        }
        for (from, to) in [
            (f[0], bei),
            (f[1], yuan),
            (f[2], xi),
            (f[3], yuan),
            (f[3], jia),
        ] {
            edge(EdgeKind::LocatedIn, from, to);
        }
        ds
    }

    fn id(g: &Graph, name: &str) -> u32 {
        (0..g.ds.nodes.len() as u32)
            .find(|&i| &*g.node(i).id == name)
            .expect("node")
    }

    #[test]
    fn a_zone_overlaps_a_district_it_neither_contains_nor_lies_in() {
        let g = places();
        let (jia, yuan, shi) = (id(&g, "甲区"), id(&g, "园区"), id(&g, "市"));
        assert_eq!(g.overlapping(jia), vec![yuan]);
        assert!(g.overlapping(shi).is_empty(), "the city contains both");
        assert!(
            g.overlapping(yuan).contains(&jia),
            "and the other way round"
        );
        // Both lines up: 北片 counts in 园区, 甲区, 市 and 省, the city once.
        let bei = id(&g, "北片");
        let mut up: Vec<&str> = g.ancestors(bei).iter().map(|&a| &*g.node(a).id).collect();
        up.sort_unstable();
        assert_eq!(up, vec!["园区", "市", "甲区", "省"]);
    }

    #[test]
    fn places_within_a_place_are_itself_and_everything_below_it_along_either_line() {
        let g = places();
        let ids = |v: Vec<u32>| -> Vec<&str> { v.iter().map(|&p| &*g.node(p).id).collect() };
        // Regions and parks together, by node index; 北片 lies in both 园区 and 甲区.
        assert_eq!(ids(g.places_within(id(&g, "甲区"))), vec!["甲区", "北片"]);
        assert_eq!(
            ids(g.places_within(id(&g, "园区"))),
            vec!["园区", "北片", "南片", "西片"]
        );
        assert_eq!(ids(g.places_within(id(&g, "西片"))), vec!["西片"]);
        assert_eq!(g.places_within(id(&g, "省")).len(), 8);
        assert!(
            g.places_within(id(&g, "f0")).is_empty(),
            "a firm is no place"
        );
    }

    /// Presence, built place by place, is what its definition says: in a place, the firms
    /// located in it or in a place below it (along either line) that produce the segment, and
    /// the projects there that build it and do not produce yet.
    #[test]
    fn presence_holds_the_makers_located_in_or_below_each_place() {
        use crate::model::{ProjectAttrs, ProjectStatus, Stage};
        let mut ds = places_dataset();
        let at = |ds: &Dataset, id: &str| -> u32 {
            (0..ds.nodes.len() as u32)
                .find(|&i| &*ds.nodes[i as usize].id == id)
                .expect("node")
        };
        let add = |ds: &mut Dataset, kind: Kind, id: &str, attrs: Attrs| -> u32 {
            ds.nodes.push(Node::new(kind, id.into(), attrs, 0));
            ds.nodes.len() as u32 - 1
        };
        let segment = || Attrs::Segment {
            stage: Stage::Upstream,
        };
        let s: Vec<u32> = (0..3)
            .map(|i| add(&mut ds, Kind::Segment, &format!("s{i}"), segment()))
            .collect();
        let project = |status| {
            Attrs::Project(Box::new(ProjectAttrs {
                status,
                ..Default::default()
            }))
        };
        let planned = add(&mut ds, Kind::Project, "p0", project(None));
        let running = add(
            &mut ds,
            Kind::Project,
            "p1",
            project(Some(ProjectStatus::Producing)),
        );
        let f: Vec<u32> = (0..4).map(|i| at(&ds, &format!("f{i}"))).collect();
        let (nan, xi) = (at(&ds, "南片"), at(&ds, "西片"));
        let mut edge = |kind, from, to| {
            ds.edges.push(Edge {
                kind,
                from,
                to,
                row: 0,
            })
        };
        for (from, to) in [
            (f[0], s[0]),
            (f[1], s[0]),
            (f[2], s[1]),
            (f[3], s[0]),
            (f[3], s[2]),
        ] {
            edge(EdgeKind::Produces, from, to);
        }
        edge(EdgeKind::LocatedIn, planned, nan);
        edge(EdgeKind::Builds, planned, s[1]);
        edge(EdgeKind::LocatedIn, running, xi);
        edge(EdgeKind::Builds, running, s[2]);
        let g = Graph::build(ds);
        let places: Vec<u32> = (0..g.ds.nodes.len() as u32)
            .filter(|&i| g.node(i).kind.is_place())
            .collect();
        let in_or_below = |who: u32, p: u32| g.locations(who).iter().any(|&l| g.is_within(l, p));
        for &p in &places {
            for &seg in &s {
                let mut producers: Vec<u32> = f
                    .iter()
                    .copied()
                    .filter(|&e| g.produced(e).contains(&seg) && in_or_below(e, p))
                    .collect();
                producers.sort_unstable();
                let projects: Vec<u32> = [planned]
                    .into_iter()
                    .filter(|&j| seg == s[1] && in_or_below(j, p))
                    .collect();
                let got = g.presence(p, seg);
                let got = got.map_or((vec![], vec![]), |c| {
                    (c.producers.to_vec(), c.projects.to_vec())
                });
                assert_eq!(got, (producers, projects), "{} × s{seg}", g.node(p).id);
            }
        }
        // 南片 has only the planned project: planned; 西片's running project counts nowhere
        // as planned, and makes nothing present by itself.
        assert_eq!(g.state(nan, s[1]), crate::graph::SegmentState::Planned);
        assert!(g.presence(xi, s[2]).is_none());
    }

    #[test]
    fn firms_of_the_zone_with_no_district_are_unattributed() {
        let g = places();
        let (jia, yuan) = (id(&g, "甲区"), id(&g, "园区"));
        // f0 is in 北片 (甲区), f3 has 甲区 as a second location: both attributed. f1 sits at
        // the zone itself, f2 in 西片, which lies in no district.
        let names: Vec<(u32, Vec<&str>)> = g
            .unattributed(jia)
            .into_iter()
            .map(|(z, v)| (z, v.iter().map(|&f| &*g.node(f).id).collect()))
            .collect();
        assert_eq!(names, vec![(yuan, vec!["f1", "f2"])]);
        assert!(g.unattributed(yuan).is_empty(), "a park is no district");
    }
}
