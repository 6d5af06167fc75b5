//! `paths FROM -EDGE-> (…) …` (路径): simple paths matching a pattern of steps, enumerated
//! depth-first within fixed bounds.

use super::common::name;
use super::schema::{Col, Ty, cols};
use super::{Ctx, ReportError, Row, Rows, Value};
use crate::graph::Graph;
use crate::lang::{Domain, Lang};
use crate::model::{EdgeKind, Kind};
use crate::tr;
use petgraph::Direction as Dir;

/// Most rows a path pattern may produce before it is stopped with an error.
pub const MAX_PATHS: usize = 10_000;
/// Most edges a path enumeration may walk.
pub const MAX_PATH_WORK: usize = 2_000_000;

/// One step of a pattern: an edge kind and direction, how many hops, and where it may end.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub edge: EdgeKind,
    pub forward: bool,
    pub min: u32,
    pub max: u32,
    pub kind: Option<Kind>,
    /// Nodes the step must end on, when the pattern names one.
    pub nodes: Option<Vec<u32>>,
}

/// The start nodes (what `typed` names) and the steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// The start as typed, for the explain line.
    pub typed: String,
    pub from: Vec<u32>,
    pub steps: Vec<Step>,
}

/// The report's columns, declared once (also listed in docs/QUERY.md).
pub fn columns() -> Vec<Col> {
    use Ty::*;
    let mut c = cols(&[
        ("start", Text),
        ("end", Text),
        ("end_kind", Text),
        ("hops", Int),
        ("path", Text),
    ]);
    for col in c.iter_mut().filter(|col| col.name == "end_kind") {
        col.domain = Some(Domain::Kind);
    }
    c
}

/// The `explain` line: what the report reads and how, in `lang`.
pub fn explain(_g: &Graph, input: &Input, lang: Lang) -> String {
    let (typed, n) = (&input.typed, input.from.len());
    tr!(
        lang,
        "路径：从 `{typed}`（{n} 个起点）深度优先枚举简单路径，最多 {MAX_PATHS} 条",
        "paths from `{typed}` ({n} start node(s)): depth-first enumeration of simple paths, at most {MAX_PATHS} paths"
    )
}

/// The rows (paths have no notes).
pub fn rows(
    g: &Graph,
    input: &Input,
    ctx: Ctx,
    _notes: &mut Vec<String>,
) -> Result<Rows, ReportError> {
    paths(g, &input.from, &input.steps, ctx).map(Rows::plain)
}

fn node_matches(g: &Graph, n: u32, step: &Step) -> bool {
    step.kind.is_none_or(|k| g.node(n).kind == k)
        && step.nodes.as_ref().is_none_or(|v| v.contains(&n))
}

struct PathSearch<'a> {
    g: &'a Graph,
    steps: &'a [Step],
    ctx: Ctx<'a>,
    work: usize,
    rows: Vec<Row>,
}

impl PathSearch<'_> {
    /// Walk step `si`, already `hops` edges into it, from the last node of `path`.
    fn walk(&mut self, path: &mut Vec<u32>, si: usize, hops: u32) -> Result<(), ReportError> {
        let step = &self.steps[si];
        let here = *path.last().unwrap_or(&0);
        if hops >= step.min && node_matches(self.g, here, step) {
            if si + 1 == self.steps.len() {
                self.emit(path)?;
            } else {
                self.walk(path, si + 1, 0)?;
            }
        }
        if hops == step.max {
            return Ok(());
        }
        let dir = if step.forward {
            Dir::Outgoing
        } else {
            Dir::Incoming
        };
        for (next, _) in self.g.neighbors(here, step.edge, dir) {
            self.work += 1;
            if self.work.is_multiple_of(4096) {
                self.ctx.check()?;
            }
            if self.work > MAX_PATH_WORK {
                return Err(ReportError::TooLarge {
                    clause: "paths",
                    message: format!(
                        "the pattern walked more than {MAX_PATH_WORK} edges; narrow it (fewer hops, a kind or a name in the node patterns)"
                    ),
                    zh: format!(
                        "这个模式走过的边超过 {MAX_PATH_WORK} 条；请缩小范围（减少跳数，或在节点模式中写上类型或名称）"
                    ),
                });
            }
            if path.contains(&next) {
                continue; // simple paths only: no node twice
            }
            path.push(next);
            let r = self.walk(path, si, hops + 1);
            path.pop();
            r?;
        }
        Ok(())
    }

    fn emit(&mut self, path: &[u32]) -> Result<(), ReportError> {
        if self.rows.len() == MAX_PATHS {
            return Err(ReportError::TooLarge {
                clause: "paths",
                message: format!(
                    "the pattern matches more than {MAX_PATHS} paths; narrow it (fewer hops, a kind or a name in the node patterns)"
                ),
                zh: format!(
                    "这个模式匹配的路径超过 {MAX_PATHS} 条；请缩小范围（减少跳数，或在节点模式中写上类型或名称）"
                ),
            });
        }
        let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
            return Ok(());
        };
        self.rows.push(vec![
            Value::Node(first),
            Value::Node(last),
            Value::text(self.g.node(last).kind.label_zh()),
            Value::Int(path.len() as i64 - 1),
            Value::text(
                path.iter()
                    .map(|&p| name(self.g, p))
                    .collect::<Vec<_>>()
                    .join(" → "),
            ),
        ]);
        Ok(())
    }
}

fn paths(g: &Graph, from: &[u32], steps: &[Step], ctx: Ctx) -> Result<Vec<Row>, ReportError> {
    let mut search = PathSearch {
        g,
        steps,
        ctx,
        work: 0,
        rows: Vec::new(),
    };
    for &start in from {
        let mut path = vec![start];
        // Step 0 starts 0 hops in; the start node itself never has to match step 0's pattern
        // unless the step allows 0 hops (it does not: min ≥ 1).
        search.walk(&mut path, 0, 0)?;
    }
    Ok(search.rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    fn fixture() -> Graph {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let loaded = crate::data::load(&[dir], Default::default()).expect("fixture");
        Graph::build(loaded.dataset)
    }

    #[test]
    fn a_pattern_with_more_paths_than_the_bound_stops_with_what_to_narrow() {
        let g = fixture();
        let cancel = AtomicBool::new(false);
        let mut search = PathSearch {
            g: &g,
            steps: &[],
            ctx: Ctx {
                cancel: &cancel,
                parallel: false,
                lang: Lang::Zh,
            },
            work: 0,
            rows: vec![Vec::new(); MAX_PATHS],
        };
        match search.emit(&[0, 1]) {
            Err(ReportError::TooLarge {
                clause,
                message,
                zh,
            }) => {
                assert_eq!(clause, "paths");
                assert!(message.contains(&MAX_PATHS.to_string()), "{message}");
                assert!(zh.contains("路径超过 10000 条"), "{zh}");
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert_eq!(search.rows.len(), MAX_PATHS, "nothing added past the bound");
    }
}
