//! Keyword rules (`config/segment-keywords.toml`) mapping 主营产品 / 经营范围 text to segments checked against the templates; the longest keyword wins.

use crate::data::Resolver;
use crate::data::text::line_col;
use crate::model::Kind;
use serde::Deserialize;

/// The rules file shipped with chainkb, used when neither `--keywords` nor
/// `./config/segment-keywords.toml` is there.
pub const BUILTIN: &str = include_str!("../../config/segment-keywords.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "rule", default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    segment: toml::Spanned<String>,
    keywords: toml::Spanned<Vec<String>>,
    why: toml::Spanned<String>,
}

/// One rule: any of `keywords` in the text means the firm produces `segment` (a segment id).
#[derive(Debug, Clone)]
pub struct Rule {
    pub segment: String,
    pub keywords: Vec<String>,
    pub why: String,
}

/// A keyword found in a text: which rule, which keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub segment: String,
    pub keyword: String,
}

#[derive(Debug, Clone, Default)]
pub struct Keywords {
    pub rules: Vec<Rule>,
}

impl Keywords {
    /// Parse and check a rules file: every segment must name a segment of the templates (by id,
    /// name or alias, as `check` resolves it), every rule must have keywords and a reason.
    /// Problems are `file:line:column: message`.
    pub fn parse(text: &str, display: &str, resolver: &Resolver) -> Result<Keywords, Vec<String>> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            vec![format!("{display}:{l}:{c}: {}", e.message())]
        })?;
        let mut errs = Vec::new();
        let mut rules = Vec::new();
        for r in raw.rules {
            let at = |span: std::ops::Range<usize>| {
                let (l, c) = line_col(text, span.start);
                format!("{display}:{l}:{c}")
            };
            let segment = match resolver.resolve(r.segment.get_ref(), &[Kind::Segment]) {
                Ok(i) => resolver.dataset().nodes[i as usize].id.to_string(),
                Err(msg) => {
                    errs.push(format!("{}: {msg}", at(r.segment.span())));
                    continue;
                }
            };
            let kws: Vec<String> = r
                .keywords
                .get_ref()
                .iter()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect();
            if kws.is_empty() {
                errs.push(format!(
                    "{}: rule for `{segment}` has no keywords",
                    at(r.keywords.span())
                ));
            }
            if r.why.get_ref().trim().is_empty() {
                errs.push(format!(
                    "{}: rule for `{segment}` must say why (`why`: the template alias or source that justifies it)",
                    at(r.why.span())
                ));
            }
            rules.push(Rule {
                segment,
                keywords: kws,
                why: r.why.into_inner(),
            });
        }
        if errs.is_empty() {
            Ok(Keywords { rules })
        } else {
            Err(errs)
        }
    }

    /// Segments named in `text`, in order of first appearance. A keyword found only inside a
    /// longer keyword's match (磷酸铁 inside 磷酸铁锂) does not count. ASCII is case-insensitive.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let hay = text.to_lowercase();
        // (start, end, rule, keyword)
        let mut found: Vec<(usize, usize, usize, &str)> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            for kw in &rule.keywords {
                let needle = kw.to_lowercase();
                for (start, _) in hay.match_indices(&needle) {
                    found.push((start, start + needle.len(), ri, kw));
                }
            }
        }
        let inside = |a: &(usize, usize, usize, &str)| {
            found
                .iter()
                .any(|b| b.0 <= a.0 && a.1 <= b.1 && (b.1 - b.0) > (a.1 - a.0) && b.2 != a.2)
        };
        let mut kept: Vec<&(usize, usize, usize, &str)> =
            found.iter().filter(|a| !inside(a)).collect();
        kept.sort_by_key(|a| (a.0, a.2));
        let mut out: Vec<Hit> = Vec::new();
        for (_, _, ri, kw) in kept {
            let seg = &self.rules[*ri].segment;
            if !out.iter().any(|h| &h.segment == seg) {
                out.push(Hit {
                    segment: seg.clone(),
                    keyword: kw.to_string(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graphs() -> Resolver {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphs");
        crate::intake::load_graphs(Some(&dir)).unwrap()
    }

    #[test]
    fn the_shipped_rules_name_real_segments() {
        let kw = Keywords::parse(BUILTIN, "config/segment-keywords.toml", &graphs())
            .unwrap_or_else(|e| panic!("{}", e.join("\n")));
        assert!(kw.rules.len() >= 30);
        assert!(kw.rules.iter().all(|r| !r.why.trim().is_empty()));
    }

    #[test]
    fn longest_keyword_wins_and_unknown_segments_are_reported() {
        let r = graphs();
        let text = "[[rule]]\nsegment = \"正极材料\"\nkeywords = [\"磷酸铁锂\"]\nwhy = \"x\"\n\
                    [[rule]]\nsegment = \"磷酸铁\"\nkeywords = [\"磷酸铁\"]\nwhy = \"x\"\n";
        let kw = Keywords::parse(text, "k.toml", &r).unwrap();
        let segs: Vec<String> = kw
            .find("磷酸铁锂正极材料")
            .into_iter()
            .map(|h| h.segment)
            .collect();
        assert_eq!(segs, vec!["正极材料"]);
        assert_eq!(kw.find("电池级磷酸铁、磷酸铁锂").len(), 2);
        let bad = "[[rule]]\nsegment = \"正级材料\"\nkeywords = [\"x\"]\nwhy = \"\"\n";
        let errs = Keywords::parse(bad, "k.toml", &r).unwrap_err();
        assert!(
            errs[0].starts_with("k.toml:2:11: unknown 环节 `正级材料` (did you mean 正极材料"),
            "{errs:?}"
        );
    }
}
