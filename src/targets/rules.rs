//! Admission rules (准入) resolved against the graph once per list, and whether one excludes
//! recruiting a firm or project for some segments into a place.

use super::TargetsError;
use super::config::{Rule, RuleKind, RuleSet};
use super::segments_of_industries;
use crate::graph::Graph;
use crate::model::Kind;
use std::collections::HashSet;

/// Rules resolved against the graph once per list.
pub(super) struct Resolved<'r> {
    pub(super) rule: &'r Rule,
    /// The segments the rule is about: named ones (exclude_segment), or every segment of a
    /// chain belonging to one of its industries (min_investment) — resolved once here, so that
    /// checking a candidate is a set look-up.
    segments: HashSet<u32>,
    place: Option<u32>,
}

/// Resolve the names in the rules. A rule of a strict set naming something the database does
/// not hold is an error; a default rule that does is left out (`Err(None)` below: the rule is
/// about places or industries this database does not hold).
pub(super) fn resolve_rules<'r>(
    g: &Graph,
    set: &'r RuleSet,
) -> Result<Vec<Resolved<'r>>, TargetsError> {
    let one = |name: &str, kinds: &[Kind], rule: &Rule| -> Result<u32, Option<TargetsError>> {
        match g.names.lookup(&g.ds.nodes, name, kinds).as_slice() {
            [i] => Ok(*i),
            // Suggestions scan every name: only worth it when the error will be shown.
            _ if !set.strict => Err(None),
            _ => Err(Some(TargetsError::RuleName {
                rule: rule.id.clone(),
                name: name.to_string(),
                kinds: kinds
                    .iter()
                    .map(|k| k.label_zh())
                    .collect::<Vec<_>>()
                    .join("/"),
                did_you_mean: crate::names::did_you_mean_in(
                    &g.names.suggest(&g.ds.nodes, name, kinds, 3),
                    crate::lang::messages(),
                ),
            })),
        }
    };
    let mut out = Vec::new();
    for rule in &set.rules {
        let resolved = (|| {
            Ok::<_, Option<TargetsError>>(Resolved {
                rule,
                segments: {
                    let mut segs: HashSet<u32> = rule
                        .segments
                        .iter()
                        .map(|s| one(s, &[Kind::Segment], rule))
                        .collect::<Result<_, _>>()?;
                    let industries: HashSet<u32> = rule
                        .industries
                        .iter()
                        .map(|s| one(s, &[Kind::Industry], rule))
                        .collect::<Result<_, _>>()?;
                    segs.extend(segments_of_industries(g, &industries));
                    segs
                },
                place: rule
                    .place
                    .as_deref()
                    .map(|p| one(p, &[Kind::Park, Kind::Region], rule))
                    .transpose()?,
            })
        })();
        match resolved {
            Ok(r) => out.push(r),
            Err(Some(e)) => return Err(e),
            Err(None) => {} // a default rule for places or industries this database does not hold
        }
    }
    Ok(out)
}

/// Whether rule `r` excludes recruiting a firm or project carrying `tags` for `segments` into
/// `place`.
pub(super) fn rule_hits(
    g: &Graph,
    r: &Resolved,
    tags: &[&str],
    segments: &[u32],
    place: u32,
    investment: Option<f64>,
) -> bool {
    match r.rule.kind {
        RuleKind::ExcludeTag => tags.iter().any(|t| Some(*t) == r.rule.tag.as_deref()),
        RuleKind::ExcludeSegment => segments.iter().any(|s| r.segments.contains(s)),
        RuleKind::MinInvestment => match (investment, r.rule.min_yi) {
            (Some(inv), Some(min)) if inv < min => {
                r.place.is_none_or(|p| g.is_within(place, p))
                    && segments.iter().any(|s| r.segments.contains(s))
            }
            _ => false,
        },
    }
}

/// The first rule that excludes recruiting a firm or project carrying `tags` for `segments` into
/// `place`.
pub(super) fn excluded_by(
    g: &Graph,
    rules: &[Resolved],
    tags: &[&str],
    segments: &[u32],
    place: u32,
    investment: Option<f64>,
) -> Option<String> {
    rules
        .iter()
        .find(|r| rule_hits(g, r, tags, segments, place, investment))
        .map(|r| format!("{}: {}", r.rule.id, r.rule.text))
}
