//! Score weights (target companies, and project routing in `[route]`) and admission rules, read
//! from TOML: the defaults in `config/` are compiled in, a user file overrides them key by key
//! (weights) or replaces them (rules).

use super::TargetsError;
use crate::lang::Lang;
use crate::msg;
use serde::Deserialize;
use std::collections::BTreeMap;

const DEFAULT_WEIGHTS: &str = include_str!("../../config/target-weights.toml");
const DEFAULT_RULES: &str = include_str!("../../config/admission-rules.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub scale: Scale,
    pub fit: Fit,
    pub relation: Relation,
    pub origin: Origin,
    pub plan: Plan,
    pub route: Route,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub revenue: f64,
    pub tags: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    pub chain_share: f64,
    pub adjacency: f64,
    pub per_gap: f64,
    pub broken_link: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub supplies_local: f64,
    pub buys_local: f64,
    pub group_local: f64,
    pub partners_two_hops: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub preferred: Vec<String>,
    pub points: f64,
    pub regions: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub planned_project: f64,
}

/// Weights of project routing (项目流转, `chainkb route`): a park's score is its best focus
/// points plus `neighbours` × the share of the project's neighbouring segments present in it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The park's own focus (主导产业) is one of the project's segments (环节).
    pub focus_segment: f64,
    /// … is a chain (产业链) one of them belongs to.
    pub focus_chain: f64,
    /// … is an industry (产业) of one of those chains, or above it.
    pub focus_industry: f64,
    /// A focus inherited from a place above the park scores this share of the points above.
    pub inherited_focus: f64,
    /// Points for the share of the project's neighbouring segments present in the park.
    pub neighbours: f64,
}

/// Overlay `over` onto `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Sections whose keys are names the user chooses (tags, regions), not a fixed set.
const OPEN_SECTIONS: &[&str] = &["scale.tags", "origin.regions"];
/// The largest weight, either way: scores add a few dozen weighted terms, so anything near
/// f64's range would overflow to `inf` and tie every row.
const MAX_WEIGHT: f64 = 1e6;

/// Check a user file against the defaults' shape, key by key, so that every error names its
/// key (serde's own errors do not say where): an unknown key or section, with a suggestion;
/// and where the defaults hold a number (or a table of numbers, such as `[scale.tags]`), a
/// finite number within ±MAX_WEIGHT — `nan` or `inf` would quietly drop or reorder rows.
// String: becomes `TargetsError::Weights` in `Weights::parse`.
fn check_numbers(default: &toml::Value, user: &toml::Value, path: &str) -> Result<(), String> {
    let (toml::Value::Table(d), toml::Value::Table(u)) = (default, user) else {
        return Ok(());
    };
    let open = OPEN_SECTIONS.contains(&path);
    let all_numbers = !d.is_empty() && d.values().all(|v| v.is_float() || v.is_integer());
    for (k, v) in u {
        let key = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if !open && !d.contains_key(k) {
            let known: Vec<&str> = d.keys().map(String::as_str).collect();
            let lang = crate::lang::messages();
            let dym = crate::names::did_you_mean_in(
                &crate::names::suggest(k, known.iter().copied(), 1),
                lang,
            );
            let known = known.join(", ");
            return Err(match (lang, path.is_empty()) {
                (Lang::Zh, true) => {
                    format!("没有 `{key}` 这一节（权重文件的节是 {known}）{dym}")
                }
                (Lang::Zh, false) => {
                    format!("没有 `{key}` 这个键（[{path}] 的键是 {known}）{dym}")
                }
                (Lang::En, true) => format!(
                    "unknown section `{key}`{dym}; the sections of a weights file are {known}"
                ),
                (Lang::En, false) => {
                    format!("unknown key `{key}`{dym}; the keys of [{path}] are {known}")
                }
            });
        }
        let expects_number = match d.get(k) {
            Some(dv) => dv.is_float() || dv.is_integer(),
            None => all_numbers,
        };
        match (d.get(k), v) {
            (Some(dv @ toml::Value::Table(_)), toml::Value::Table(_)) => {
                check_numbers(dv, v, &key)?
            }
            (Some(toml::Value::Table(_)), other) => {
                let ty = type_name(other.type_str());
                return Err(msg!(
                    "`{key}` 必须是一节（[{key}]），而不是{ty} {other}",
                    "`{key}` must be a section ([{key}]), not {ty} {other}"
                ));
            }
            _ if !expects_number => {}
            (_, toml::Value::Integer(i)) if (*i as f64).abs() <= MAX_WEIGHT => {}
            (_, toml::Value::Float(f)) if f.is_finite() && f.abs() <= MAX_WEIGHT => {}
            (_, toml::Value::Float(f)) if !f.is_finite() => {
                return Err(msg!(
                    "`{key}` 是 {f}：权重必须是有限的数",
                    "`{key}` is {f}: a weight must be a finite number"
                ));
            }
            (_, toml::Value::Integer(_) | toml::Value::Float(_)) => {
                let shown = match v {
                    toml::Value::Float(f) => format!("{f:e}"),
                    other => other.to_string(),
                };
                return Err(msg!(
                    "`{key}` 是 {shown}：权重必须在 -{MAX_WEIGHT} 到 {MAX_WEIGHT} 之间",
                    "`{key}` is {shown}: a weight must be between -{MAX_WEIGHT} and {MAX_WEIGHT}"
                ));
            }
            (_, other) => {
                let ty = type_name(other.type_str());
                return Err(msg!(
                    "`{key}` 必须是数字，而不是{ty} {other}",
                    "`{key}` must be a number, not {ty} {other}"
                ));
            }
        }
    }
    Ok(())
}

/// A TOML value type as messages name it: `string` / `字符串`.
fn type_name(ty: &str) -> &str {
    crate::lang::messages().pick(crate::lang::toml_type_zh(ty), ty)
}

impl Weights {
    /// The compiled-in defaults (config/target-weights.toml).
    pub fn defaults() -> Weights {
        // The default file is part of the source tree and covered by a unit test.
        Weights::parse(None)
            .unwrap_or_else(|e| panic!("config/target-weights.toml is invalid: {e}"))
    }

    /// Defaults overlaid with the TOML text of a user file, if any.
    pub fn parse(user: Option<&str>) -> Result<Weights, TargetsError> {
        Weights::parse_text(user).map_err(TargetsError::Weights)
    }

    // String: `parse` wraps it in `TargetsError::Weights`.
    fn parse_text(user: Option<&str>) -> Result<Weights, String> {
        let mut base: toml::Value = toml::from_str(DEFAULT_WEIGHTS).map_err(|e| e.to_string())?;
        if let Some(text) = user {
            let over: toml::Value = toml::from_str(text).map_err(|e| {
                let hint = if e.message().contains("unquoted key") {
                    msg!(
                        "（中文的键必须加引号：\"上市\" = 2.0）",
                        " (keys in Chinese must be quoted: \"上市\" = 2.0)"
                    )
                } else {
                    String::new()
                };
                format!("{}{hint}", toml_message(text, &e))
            })?;
            check_numbers(&base, &over, "")?;
            merge(&mut base, over);
        }
        let w = base
            .try_into::<Weights>()
            .map_err(|e| e.message().to_string())?;
        let r = &w.route;
        for (key, v) in [
            ("focus_segment", r.focus_segment),
            ("focus_chain", r.focus_chain),
            ("focus_industry", r.focus_industry),
            ("inherited_focus", r.inherited_focus),
            ("neighbours", r.neighbours),
        ] {
            // A park's focus points are the best of its focuses, from 0: a negative one could
            // never count, and fewer neighbours scoring more would turn routing upside down.
            if v < 0.0 {
                return Err(msg!(
                    "`route.{key}` 是 {v}：流转权重必须大于或等于 0（0 表示不计）",
                    "`route.{key}` is {v}: routing weights must be 0 or more (0 ignores it)"
                ));
            }
        }
        Ok(w)
    }

    /// The preferred origin region a province belongs to (`江苏省` → 长三角).
    pub fn origin_region(&self, province: &str) -> Option<&str> {
        let p = province.trim_end_matches(['省', '市']);
        if p.is_empty() {
            return None;
        }
        self.origin.preferred.iter().map(String::as_str).find(|r| {
            self.origin
                .regions
                .get(*r)
                .is_some_and(|ps| ps.iter().any(|x| x.trim_end_matches(['省', '市']) == p))
        })
    }
}

/// One admission rule (准入), as written in config/admission-rules.toml.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub kind: RuleKind,
    pub text: String,
    pub source: String,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub segments: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub min_yi: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    ExcludeTag,
    ExcludeSegment,
    MinInvestment,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A set of admission rules. The compiled-in defaults are written for the seed knowledge base:
/// in another database a rule naming a place or industry it lacks does not apply. Rules from a
/// user's file are `strict`: a name that resolves to nothing is an error (a typo, not a gap).
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub strict: bool,
}

/// A TOML error as `line L, column C: message` (the parser knows where; a bare message does
/// not say which of two `duplicate key`s it means).
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, col) = crate::data::text::line_col(text, span.start);
            let m = e.message();
            msg!(
                "第 {line} 行第 {col} 列：{m}",
                "line {line}, column {col}: {m}"
            )
        }
        None => e.message().to_string(),
    }
}

/// Rules from TOML text (the compiled-in defaults when `None`), checked for the fields each
/// kind needs.
pub fn parse_rules(user: Option<&str>) -> Result<RuleSet, TargetsError> {
    parse_rules_text(user).map_err(TargetsError::Rules)
}

// String: `parse_rules` wraps it in `TargetsError::Rules`.
fn parse_rules_text(user: Option<&str>) -> Result<RuleSet, String> {
    let text = user.unwrap_or(DEFAULT_RULES);
    let file: RuleFile = toml::from_str(text).map_err(|e| toml_message(text, &e))?;
    for r in &file.rule {
        let missing = match r.kind {
            RuleKind::ExcludeTag if r.tag.is_none() => Some("tag"),
            RuleKind::ExcludeSegment if r.segments.is_empty() => Some("segments"),
            RuleKind::MinInvestment if r.min_yi.is_none() => Some("min_yi"),
            RuleKind::MinInvestment if r.industries.is_empty() => Some("industries"),
            _ => None,
        };
        if let Some(field) = missing {
            let (id, kind) = (&r.id, format!("{:?}", r.kind));
            return Err(msg!(
                "规则 `{id}`（{kind}）需要 `{field}`",
                "rule `{id}` ({kind}) needs `{field}`"
            ));
        }
    }
    Ok(RuleSet {
        rules: file.rule,
        strict: user.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_user_files_override_single_keys() {
        let d = Weights::defaults();
        assert_eq!(d.scale.tags["上市"], 2.0);
        let w = Weights::parse(Some(
            "[scale.tags]\n\"上市\" = 5.0\n[origin]\npoints = 3.0\n",
        ))
        .unwrap();
        assert_eq!(w.scale.tags["上市"], 5.0);
        assert_eq!(w.scale.tags["链主"], d.scale.tags["链主"]);
        assert_eq!(w.origin.points, 3.0);
        assert_eq!(w.fit.per_gap, d.fit.per_gap);
        let err = Weights::parse(Some("[scale.tags]\n上市 = 5.0\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("中文的键必须加引号"), "{err}");
        let err = Weights::parse(Some("[fit]\nper_gapp = 1\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("per_gapp"), "{err}");
    }

    #[test]
    fn route_weights_default_to_the_file_and_user_files_override_single_keys() {
        let d = Weights::defaults().route;
        assert_eq!(
            (
                d.focus_segment,
                d.focus_chain,
                d.focus_industry,
                d.inherited_focus,
                d.neighbours
            ),
            (3.0, 2.0, 1.5, 0.4, 3.0)
        );
        // Inherited focus ranks below any own focus: 1.2, 0.8, 0.6 < 1.5.
        let own_min = d.focus_segment.min(d.focus_chain).min(d.focus_industry);
        let inherited_max = d.focus_segment.max(d.focus_chain).max(d.focus_industry);
        assert!(inherited_max * d.inherited_focus < own_min);
        let w = Weights::parse(Some("[route]\ninherited_focus = 1.0\n")).unwrap();
        assert_eq!(w.route.inherited_focus, 1.0);
        assert_eq!(w.route.focus_segment, d.focus_segment);
        assert_eq!(w.route.focus_chain, d.focus_chain);
        assert_eq!(w.route.focus_industry, d.focus_industry);
        assert_eq!(w.route.neighbours, d.neighbours);
        // The other sections keep their defaults too.
        assert_eq!(w.fit.per_gap, Weights::defaults().fit.per_gap);
        let err = Weights::parse(Some("[route]\ninherited = 1.0\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "没有 `route.inherited` 这个键（[route] 的键是 focus_chain, focus_industry, \
             focus_segment, inherited_focus, neighbours），是不是 inherited_focus？"
        );
        // Focus points are the best of a park's focuses, from 0: a negative one never counts.
        let err = Weights::parse(Some("[route]\nfocus_chain = -1\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "`route.focus_chain` 是 -1：流转权重必须大于或等于 0（0 表示不计）"
        );
        let err = Weights::parse(Some("[route]\nneighbours = \"3\"\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "`route.neighbours` 必须是数字，而不是字符串 \"3\"");
    }

    #[test]
    fn a_rules_file_error_says_where_it_is() {
        let err = parse_rules(Some(
            "[[rule]]\nid = \"r\"\nkind = \"exclude_tag\"\ntag = \n",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("第 4 行第 7 列："), "{err}");
        let err = parse_rules(Some("[[rule]]\nid = \"r\"\nkind = \"exclude_tags\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("第 3 行第 8 列："), "{err}");
    }

    #[test]
    fn a_weight_must_be_a_finite_number_and_the_error_names_its_key() {
        for (text, want) in [
            (
                "[route]\nneighbours = nan\n",
                "`route.neighbours` 是 NaN：权重必须是有限的数",
            ),
            (
                "[fit]\nper_gap = inf\n",
                "`fit.per_gap` 是 inf：权重必须是有限的数",
            ),
            (
                "[scale.tags]\n\"独角兽\" = \"high\"\n",
                "`scale.tags.独角兽` 必须是数字，而不是字符串 \"high\"",
            ),
            (
                "[scale.tags]\n\"新标签\" = true\n",
                "`scale.tags.新标签` 必须是数字，而不是布尔值 true",
            ),
        ] {
            assert_eq!(
                Weights::parse(Some(text)).unwrap_err().to_string(),
                want,
                "{text}"
            );
        }
        for (text, want) in [
            (
                "[route]\nneighbours = 1e307\n",
                "`route.neighbours` 是 1e307：权重必须在 -1000000 到 1000000 之间",
            ),
            (
                "[rout]\nneighbours = 1\n",
                "没有 `rout` 这一节（权重文件的节是 fit, origin, plan, relation, route, scale），\
                 是不是 route？",
            ),
            ("route = 5\n", "`route` 必须是一节（[route]），而不是整数 5"),
            (
                "[route]\nfocus_chain = 1\nfocus_chain = 2\n",
                "第 3 行第 1 列：duplicate key",
            ),
            (
                "[route]\nfocus_chain = \n",
                "第 2 行第 15 列：string values must be quoted, expected literal string",
            ),
        ] {
            assert_eq!(
                Weights::parse(Some(text)).unwrap_err().to_string(),
                want,
                "{text}"
            );
        }
        // Whole numbers, negative ones and new tags are fine; lists of names are not numbers.
        let w = Weights::parse(Some(
            "[fit]\nper_gap = 2\n[scale.tags]\n\"失信\" = -3.0\n[origin]\npreferred = [\"成渝\"]\n",
        ))
        .unwrap();
        assert_eq!(w.fit.per_gap, 2.0);
        assert_eq!(w.scale.tags.get("失信"), Some(&-3.0));
    }

    #[test]
    fn provinces_map_to_regions() {
        let w = Weights::defaults();
        assert_eq!(w.origin_region("江苏省"), Some("长三角"));
        assert_eq!(w.origin_region("广东"), Some("珠三角"));
        assert_eq!(w.origin_region("重庆市"), Some("成渝"));
        assert_eq!(w.origin_region("云南省"), None);
        assert_eq!(w.origin_region(""), None);
    }

    #[test]
    fn default_rules_parse_and_incomplete_rules_are_refused() {
        let rules = parse_rules(None).unwrap().rules;
        assert!(
            rules
                .iter()
                .any(|r| r.kind == RuleKind::ExcludeTag && r.tag.as_deref() == Some("失信"))
        );
        assert!(
            rules
                .iter()
                .any(|r| r.kind == RuleKind::MinInvestment && r.min_yi == Some(0.3))
        );
        let err = parse_rules(Some(
            "[[rule]]\nid='x'\nkind='min_investment'\ntext=''\nsource=''\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("min_yi"), "{err}");
    }
}
