//! A chain's 应用领域图: its products that reach applications, its downstream (应用) segments,
//! and the segments of other chains its products supply, from the SUPPLIES edges on record.

use super::DrawError;
use super::chain::{Band, Picture, SegmentBox, band_layers, box_mark, order_rows};
use crate::graph::Graph;
use crate::model::{EdgeKind, Stage};
use petgraph::Direction;
use std::collections::HashMap;

/// Lay out the application picture of `chain`, with states in `place` when given. An error when
/// the chain has neither downstream segments nor users outside it.
pub fn layout(graph: &Graph, chain: u32, place: Option<u32>) -> Result<Picture, DrawError> {
    let segs = graph.chain_segments(chain);
    let in_chain = |s: u32| segs.contains(&s);
    let stage = |s: u32| graph.segment_stage(s).unwrap_or(Stage::Midstream);
    // Band 1: downstream segments of the chain; band 2: users outside it.
    let down: Vec<u32> = segs
        .iter()
        .copied()
        .filter(|&s| stage(s) == Stage::Downstream)
        .collect();
    // A segment the chain borrows from another graph file (`shared`) is that chain's product:
    // its users elsewhere belong to that chain's picture.
    let file = |n: u32| graph.ds.row(graph.node(n).row).file;
    let own = |s: u32| file(s) == file(chain);
    let mut outside: Vec<u32> = Vec::new();
    let mut raw_edges: Vec<(u32, u32)> = graph.chain_edges(chain);
    for &s in segs.iter().filter(|&&s| own(s)) {
        for (t, _) in graph.neighbors(s, EdgeKind::Supplies, Direction::Outgoing) {
            if !in_chain(t) {
                if !outside.contains(&t) {
                    outside.push(t);
                }
                raw_edges.push((s, t));
            }
        }
    }
    if down.is_empty() && outside.is_empty() {
        return Err(DrawError::NoApplications {
            chain: graph.node(chain).name().to_string(),
        });
    }
    let is_app = |s: u32| down.contains(&s) || outside.contains(&s);
    // Band 0: the chain's own segments, not downstream, that feed an application.
    let mut products: Vec<u32> = Vec::new();
    for &(a, b) in &raw_edges {
        if in_chain(a) && stage(a) != Stage::Downstream && is_app(b) && !products.contains(&a) {
            products.push(a);
        }
    }
    let nodes: Vec<u32> = products
        .iter()
        .chain(&down)
        .chain(&outside)
        .copied()
        .collect();
    let index: HashMap<u32, usize> = nodes.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let edges: Vec<(usize, usize)> = raw_edges
        .iter()
        .filter(|&&(a, b)| is_app(b) && (products.contains(&a) || down.contains(&a)))
        .filter_map(|&(a, b)| Some((*index.get(&a)?, *index.get(&b)?)))
        .collect();
    // Layers inside the downstream band follow its own edges; the other bands are one column.
    let band_of = |i: usize| {
        if i < products.len() {
            0
        } else if i < products.len() + down.len() {
            1
        } else {
            2
        }
    };
    let pseudo: Vec<Stage> = (0..nodes.len())
        .map(|i| [Stage::Upstream, Stage::Midstream, Stage::Downstream][band_of(i)])
        .collect();
    let mut layer = band_layers(&pseudo, &edges);
    for (i, l) in layer.iter_mut().enumerate() {
        if band_of(i) != 1 {
            *l = 0;
        }
    }
    let labels = ["本链产品", "本链应用环节（下游）", "链外应用领域"];
    let mut bands = Vec::new();
    let mut first = 0;
    for k in 0..3 {
        let width = (0..nodes.len())
            .filter(|&i| band_of(i) == k)
            .map(|i| layer[i] + 1)
            .max();
        if let Some(width) = width {
            bands.push(Band {
                stage: [Stage::Midstream, Stage::Downstream, Stage::Downstream][k],
                label: labels[k],
                first,
                width,
            });
            first += width;
        }
    }
    let column: Vec<usize> = (0..nodes.len())
        .map(|i| {
            let k = band_of(i);
            let start = bands
                .iter()
                .find(|b| b.label == labels[k])
                .map_or(0, |b| b.first);
            start + layer[i]
        })
        .collect();
    let row = order_rows(&column, &edges);
    let boxes = nodes
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let (mark, status, who) = box_mark(graph, place, s);
            let note = (band_of(i) == 2).then(|| {
                let chains: Vec<&str> = graph
                    .segment_chains(s)
                    .iter()
                    .map(|&c| graph.node(c).name())
                    .collect();
                format!("属{}", chains.join("、"))
            });
            SegmentBox {
                segment: s,
                name: graph.node(s).name().to_string(),
                stage: stage(s),
                mark,
                status,
                who,
                note,
                public: graph.ds.public_function(s).is_some(),
                column: column[i],
                row: row[i],
            }
        })
        .collect();
    let chain_name = graph.node(chain).name();
    let title = match place {
        None => format!("{chain_name} 产业链应用领域图"),
        Some(p) => format!("{chain_name} 产业链应用领域图 · {}", graph.node(p).name()),
    };
    Ok(Picture {
        title,
        boxes,
        edges,
        bands,
        footer: "左 → 右：本链产品 → 本链应用环节 → 其他产业链中的应用；箭头表示供给关系（投入 → 使用）。"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Blamed;

    fn graph_of(toml: &str) -> Graph {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("graphs")).unwrap();
        std::fs::write(dir.path().join("graphs/t.toml"), toml).unwrap();
        let loaded = crate::data::load(&[dir.path().to_path_buf()], Default::default()).unwrap();
        assert!(loaded.diags.is_empty(), "{:?}", loaded.diags);
        Graph::build(loaded.dataset)
    }

    #[test]
    fn a_chain_without_applications_is_an_error_naming_it() {
        let g = graph_of(
            "[chain]\nid = \"矿\"\nsource = \"t\"\n\n[[segment]]\nid = \"矿石\"\nstage = \"上游\"\n\n[[segment]]\nid = \"精矿\"\nstage = \"上游\"\n\n[[supplies]]\nfrom = \"矿石\"\nto = \"精矿\"\n",
        );
        let chain = g.nodes_of(crate::model::Kind::Chain)[0];
        let err = layout(&g, chain, None).err().unwrap();
        assert_eq!(err.blame(), crate::error::Blame::Input);
        let err = err.to_string();
        assert!(err.contains("矿") && err.contains("下游"), "{err}");
    }

    #[test]
    fn applications_are_downstream_segments_fed_by_the_chain_s_products() {
        let g = graph_of(
            "[chain]\nid = \"箔\"\nsource = \"t\"\n\n[[segment]]\nid = \"铝锭\"\nstage = \"上游\"\n\n[[segment]]\nid = \"铝箔\"\nstage = \"中游\"\n\n[[segment]]\nid = \"软包装\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"铝锭\"\nto = \"铝箔\"\n\n[[supplies]]\nfrom = \"铝箔\"\nto = \"软包装\"\n",
        );
        let chain = g.nodes_of(crate::model::Kind::Chain)[0];
        let p = layout(&g, chain, None).unwrap();
        let names: Vec<(&str, &str)> = p
            .boxes
            .iter()
            .map(|b| {
                (
                    b.name.as_str(),
                    p.bands
                        .iter()
                        .find(|band| (band.first..band.first + band.width).contains(&b.column))
                        .unwrap()
                        .label,
                )
            })
            .collect();
        // 铝锭 feeds no application directly: not drawn.
        assert_eq!(
            names,
            [("铝箔", "本链产品"), ("软包装", "本链应用环节（下游）")]
        );
        assert_eq!(p.edges, [(0, 1)]);
    }
}
