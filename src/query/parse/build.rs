//! Pairs → AST: statements, sources (queries) and their steps, stages and aggregates, names
//! and values.

use super::*;
use crate::query::parse_write;

thread_local! {
    /// Where the text being built sits in the text spans point into: a script's statement is
    /// parsed on its own (`parse_script_timed`), its spans stay relative to the whole script.
    static BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Spans made while this lives are shifted by `base` bytes (see `BASE`).
pub(super) struct Based(usize);

impl Based {
    pub(super) fn new(base: usize) -> Based {
        Based(BASE.replace(base))
    }
}

impl Drop for Based {
    fn drop(&mut self) {
        BASE.set(self.0);
    }
}

pub(in crate::query) fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    let base = BASE.get();
    Span {
        start: base + s.start(),
        end: base + s.end(),
    }
}

pub(super) fn statement(p: Pair<Rule>) -> Result<Statement, QueryError> {
    let mut explain = false;
    let mut source_ast = None;
    let mut stages = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_explain => explain = true,
            // A write is a statement of its own (the grammar gives it no explain, no stages).
            Rule::write_stmt => source_ast = Some(Source::Write(Box::new(parse_write::write(c)?))),
            Rule::source => source_ast = Some(source(c)?),
            Rule::stage => stages.push(stage(c)?),
            _ => {}
        }
    }
    let source = source_ast.ok_or_else(|| QueryError::internal("statement without a source"))?;
    Ok(Statement {
        explain,
        source,
        stages,
    })
}

pub(in crate::query) fn name(p: Pair<Rule>) -> Name {
    // name = { ident | string }, column = { word | string }, node_name = { node_word | string }
    let span = span_of(&p);
    // A bare name (no quote: ident, word and node_word cannot hold one) is the pair's own text;
    // its inner pair is not made.
    if !p.as_str().starts_with('"') {
        return Name {
            text: p.as_str().to_string(),
            span,
        };
    }
    let inner = p.into_inner().next();
    let text = match inner {
        Some(i) if i.as_rule() == Rule::string => {
            unescape(i.into_inner().next().map_or("", |s| s.as_str()))
        }
        Some(i) => i.as_str().to_string(),
        None => String::new(),
    };
    Name { text, span }
}

pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn int(p: &Pair<Rule>) -> Result<i64, QueryError> {
    p.as_str().parse::<i64>().map_err(|_| {
        QueryError::syntax(format!("number `{}` is too large", p.as_str()), span_of(p))
    })
}

pub(super) fn number(p: Pair<Rule>) -> Result<f64, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty number"))?;
    inner.as_str().parse::<f64>().map_err(|_| {
        QueryError::syntax(
            format!("`{}` is not a number", inner.as_str()),
            span_of(&inner),
        )
    })
}

pub(super) fn place(p: Pair<Rule>) -> Place {
    let span = span_of(&p);
    match p.into_inner().next() {
        Some(i) if i.as_rule() == Rule::all_parks => Place::AllParks(span_of(&i)),
        Some(i) if i.as_rule() == Rule::all_regions => Place::AllRegions(span_of(&i)),
        Some(i) => Place::Named(name(i)),
        None => Place::AllParks(span),
    }
}

pub(super) fn source(p: Pair<Rule>) -> Result<Source, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty source"))?;
    let rule = inner.as_rule();
    let mut it = inner.into_inner();
    // The walks, the most used source, read their parts as they come; the others from a list.
    if rule == Rule::traverse_src {
        return traverse(it);
    }
    let mut parts: Vec<Pair<Rule>> = it.by_ref().collect();
    Ok(match rule {
        Rule::find_src => Source::Find(name(parts.remove(1))),
        Rule::list_src => {
            let kind_pair = parts.remove(0);
            let kw = kind_pair.into_inner().next().map(|k| k.as_rule());
            let kind = match kw {
                Some(Rule::kw_chains) => ListKind::Chains,
                Some(Rule::kw_segments) => ListKind::Segments,
                Some(Rule::kw_enterprises) => ListKind::Enterprises,
                Some(Rule::kw_parks) => ListKind::Parks,
                Some(Rule::kw_projects) => ListKind::Projects,
                Some(Rule::kw_industries) => ListKind::Industries,
                Some(Rule::kw_systems) => ListKind::Systems,
                Some(Rule::kw_figures) => ListKind::Figures,
                Some(Rule::kw_catalog) => ListKind::Catalog,
                _ => ListKind::Regions,
            };
            let within = parts
                .into_iter()
                .find(|c| c.as_rule() == Rule::name)
                .map(name);
            Source::List { kind, within }
        }
        Rule::status_src => Source::Status {
            chain: name(parts.remove(1)),
            place: place(parts.remove(2)),
        },
        Rule::gap_src => {
            let kind = match parts[0].as_rule() {
                Rule::kw_fill => GapKind::Fill,
                Rule::kw_extend => GapKind::Extend,
                _ => GapKind::Strengthen,
            };
            Source::Gaps {
                kind,
                chain: name(parts.remove(1)),
                place: place(parts.remove(2)),
            }
        }
        Rule::build_src => {
            let inherited = parts.last().map(|p| p.as_rule()) == Some(Rule::kw_inherited);
            let below = match parts.iter().position(|p| p.as_rule() == Rule::number) {
                Some(at) => {
                    let p = parts.remove(at);
                    let span = span_of(&p);
                    Some((number(p)?, span))
                }
                None => None,
            };
            Source::Build {
                place: place(parts.remove(2)),
                below,
                inherited,
            }
        }
        Rule::compare_src => {
            let mut names = parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::name)
                .map(name);
            let chain = names
                .next()
                .ok_or_else(|| QueryError::internal("compare without a chain"))?;
            Source::Compare {
                chain,
                places: names.collect(),
            }
        }
        Rule::paths_src => {
            let from = name(parts.remove(2));
            let steps = parts
                .into_iter()
                .filter(|c| c.as_rule() == Rule::step)
                .map(step)
                .collect::<Result<Vec<_>, _>>()?;
            Source::Paths { from, steps }
        }
        Rule::partners_src => {
            let mut place = None;
            let mut chain = None;
            let mut depth = None;
            let mut after = None;
            for c in parts {
                match c.as_rule() {
                    Rule::kw_in | Rule::kw_chain | Rule::kw_depth => after = Some(c.as_rule()),
                    Rule::name if after == Some(Rule::kw_in) => place = Some(name(c)),
                    Rule::name => chain = Some(name(c)),
                    Rule::int => depth = Some((int(&c)?, span_of(&c))),
                    _ => {}
                }
            }
            Source::Partners {
                place: place.ok_or_else(|| QueryError::internal("partners without a place"))?,
                chain,
                depth,
            }
        }
        _ => return Err(QueryError::internal("unknown source rule")),
    })
}

/// `upstream|downstream SEGMENT [in P] [depth d] [chain C]`, from its parts.
fn traverse(mut parts: pest::iterators::Pairs<'_, Rule>) -> Result<Source, QueryError> {
    let dir = match parts.next().map(|p| p.as_rule()) {
        Some(Rule::kw_upstream) => Direction::Upstream,
        _ => Direction::Downstream,
    };
    let segment = name(
        parts
            .next()
            .ok_or_else(|| QueryError::internal("walk without a segment"))?,
    );
    let mut opts = TraverseOpts {
        depth: None,
        chain: None,
        place: None,
    };
    for o in parts {
        let sp = span_of(&o);
        let mut it = o.into_inner();
        let kw = it.next().map(|k| k.as_rule());
        let Some(arg) = it.next() else { continue };
        let dup = |what: &str| QueryError::syntax(format!("`{what}` given twice"), sp);
        match kw {
            Some(Rule::kw_depth) => {
                if opts.depth.is_some() {
                    return Err(dup("depth"));
                }
                opts.depth = Some((int(&arg)?, span_of(&arg)));
            }
            Some(Rule::kw_chain) => {
                if opts.chain.is_some() {
                    return Err(dup("chain"));
                }
                opts.chain = Some(name(arg));
            }
            _ => {
                if opts.place.is_some() {
                    return Err(dup("in"));
                }
                opts.place = Some(place(arg));
            }
        }
    }
    Ok(Source::Traverse { dir, segment, opts })
}

pub(super) fn step(p: Pair<Rule>) -> Result<Step, QueryError> {
    let span = span_of(&p);
    let mut it = p.into_inner();
    let arrow = it
        .next()
        .ok_or_else(|| QueryError::internal("step without arrow"))?;
    let forward = arrow.as_rule() == Rule::out_arrow;
    let mut edge = None;
    let mut hops = None;
    for a in arrow.into_inner() {
        match a.as_rule() {
            Rule::relation => {
                let word = a.as_str();
                edge = Some(
                    crate::model::EdgeKind::ALL
                        .into_iter()
                        .find(|k| k.as_str().eq_ignore_ascii_case(word))
                        .ok_or_else(|| {
                            let all: Vec<&str> = crate::model::EdgeKind::ALL
                                .iter()
                                .map(|k| k.as_str())
                                .collect();
                            let sugg =
                                crate::names::suggest(&word.to_uppercase(), all.iter().copied(), 2);
                            QueryError::syntax(
                                format!(
                                    "unknown edge kind `{word}`{} (edge kinds: {})",
                                    crate::names::did_you_mean(&sugg),
                                    all.join(", ")
                                ),
                                span_of(&a),
                            )
                        })?,
                );
            }
            Rule::hops => {
                let nums: Vec<Pair<Rule>> = a.into_inner().collect();
                let lo = int(&nums[0])?;
                let hi = match nums.get(1) {
                    Some(n) => Some(int(n)?),
                    None => None,
                };
                hops = Some((lo, hi));
            }
            _ => {}
        }
    }
    let pat = it
        .next()
        .ok_or_else(|| QueryError::internal("step without node"))?;
    let names: Vec<Name> = pat
        .into_inner()
        .filter(|c| c.as_rule() == Rule::node_name)
        .map(name)
        .collect();
    let to = match names.len() {
        0 => NodePat {
            kind: None,
            name: None,
        },
        1 => match kind_from_word(&names[0].text).filter(|_| !is_quoted_span(&names[0])) {
            Some(k) => NodePat {
                kind: Some(k),
                name: None,
            },
            None => NodePat {
                kind: None,
                name: names.into_iter().next(),
            },
        },
        _ => {
            let mut names = names.into_iter();
            let first = names
                .next()
                .ok_or_else(|| QueryError::internal("node pattern"))?;
            let kind = kind_from_word(&first.text).ok_or_else(|| {
                let all: Vec<&str> = crate::model::Kind::ALL.iter().map(|k| k.as_str()).collect();
                let sugg = crate::names::suggest(&first.text, all.iter().copied(), 1);
                QueryError::syntax(
                    format!(
                        "`{}` is not a node kind{} (kinds: {})",
                        first.text,
                        crate::names::did_you_mean(&sugg),
                        all.join(", ")
                    ),
                    first.span,
                )
            })?;
            NodePat {
                kind: Some(kind),
                name: names.next(),
            }
        }
    };
    let edge = edge.ok_or_else(|| QueryError::internal("step without edge kind"))?;
    Ok(Step {
        edge,
        forward,
        hops,
        to,
        span,
    })
}

/// Whether a name was written in quotes (its span is two bytes longer than its text would be
/// bare). Used so that `("Segment")` is a name and `(Segment)` a kind.
pub(super) fn is_quoted_span(n: &Name) -> bool {
    n.span.end - n.span.start != n.text.len()
}

pub(super) fn stage(p: Pair<Rule>) -> Result<Stage, QueryError> {
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty stage"))?;
    let rule = inner.as_rule();
    // The parts as they come (the stage's keyword first), not copied into a list.
    let mut parts = inner.into_inner();
    let kw = next_part(&mut parts, "stage without its keyword")?;
    let mut after = || next_part(&mut parts, "stage without its argument");
    Ok(match rule {
        Rule::where_st => Stage::Where(expr(after()?, 0)?),
        Rule::sort_st => Stage::Sort(
            parts
                .filter(|c| c.as_rule() == Rule::sort_key)
                .map(|k| {
                    let mut it = k.into_inner();
                    let column = it.next().map(name).unwrap_or_else(|| Name::new(""));
                    let desc = it.next().map(|d| d.as_rule() == Rule::kw_desc);
                    SortKey { column, desc }
                })
                .collect(),
        ),
        Rule::limit_st => {
            let n = after()?;
            Stage::Limit(int(&n)?, span_of(&n))
        }
        Rule::select_st => Stage::Select(
            parts
                .filter(|c| c.as_rule() == Rule::select_item)
                .map(|it| {
                    let mut names = it
                        .into_inner()
                        .filter(|c| c.as_rule() == Rule::column)
                        .map(name);
                    let column = names.next().unwrap_or_else(|| Name::new(""));
                    SelectItem {
                        column,
                        alias: names.next(),
                    }
                })
                .collect(),
        ),
        Rule::distinct_st => Stage::Distinct,
        Rule::targets_st => Stage::Targets(span_of(&kw)),
        Rule::producers_st => {
            let span = span_of(&kw);
            let mut outside = false;
            let mut place = None;
            for c in parts {
                match c.as_rule() {
                    Rule::kw_outside => outside = true,
                    Rule::name => place = Some(name(c)),
                    _ => {}
                }
            }
            Stage::Producers {
                place: place.map(|place| ProducersPlace { outside, place }),
                span,
            }
        }
        Rule::group_st => {
            let mut by = Vec::new();
            let mut aggs = Vec::new();
            for c in parts {
                match c.as_rule() {
                    Rule::column => by.push(name(c)),
                    Rule::aggs => {
                        for a in c.into_inner().filter(|a| a.as_rule() == Rule::agg) {
                            aggs.push(agg(a));
                        }
                    }
                    _ => {}
                }
            }
            Stage::Group { by, aggs }
        }
        Rule::expand_st => Stage::Expand(name(after()?)),
        _ => return Err(QueryError::internal("unknown stage rule")),
    })
}

/// The next of `parts`, or an internal error saying `what` is missing.
fn next_part<'i>(
    parts: &mut pest::iterators::Pairs<'i, Rule>,
    what: &str,
) -> Result<Pair<'i, Rule>, QueryError> {
    parts.next().ok_or_else(|| QueryError::internal(what))
}

pub(super) fn agg(p: Pair<Rule>) -> Agg {
    let span = span_of(&p);
    let mut func = AggFn::Count;
    let mut column = None;
    let mut alias = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::agg_fn => {
                func = match c.into_inner().next().map(|k| k.as_rule()) {
                    Some(Rule::kw_sum) => AggFn::Sum,
                    Some(Rule::kw_min) => AggFn::Min,
                    Some(Rule::kw_max) => AggFn::Max,
                    Some(Rule::kw_avg) => AggFn::Avg,
                    Some(Rule::kw_collect) => AggFn::Collect,
                    _ => AggFn::Count,
                }
            }
            Rule::agg_arg => column = c.into_inner().next().map(name),
            Rule::column => alias = Some(name(c)),
            _ => {}
        }
    }
    Agg {
        func,
        column,
        alias,
        span,
    }
}
