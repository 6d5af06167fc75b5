//! Keyword rules (`config/segment-keywords.toml`) and the templates' own segment names, mapping
//! 主营产品 / 经营范围 text to segments checked against the templates; the longest match wins.

use crate::data::Resolver;
use crate::data::text::line_col;
use crate::model::Kind;
use serde::Deserialize;
use std::collections::HashMap;

/// The rules file shipped with chainkb, used when neither `--keywords` nor
/// `./config/segment-keywords.toml` is there.
pub const BUILTIN: &str = include_str!("../../config/segment-keywords.toml");

/// Template names shorter than this (in characters) count only as a whole item of the text,
/// never inside a longer word (隔膜 is found in `隔膜、涂布膜`, not in `隔膜泵`).
pub const SHORT_NAME: usize = 3;

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
    #[serde(default)]
    exclude: Option<toml::Spanned<Vec<String>>>,
    why: toml::Spanned<String>,
}

/// One rule: any of `keywords` in the text means the firm produces `segment` (a segment id),
/// unless the match lies inside one of `exclude` (which also holds for the segment's template
/// names).
#[derive(Debug, Clone)]
pub struct Rule {
    pub segment: String,
    pub keywords: Vec<String>,
    pub exclude: Vec<String>,
    pub why: String,
}

/// What found a segment in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// A keyword of a rule.
    Keyword,
    /// The segment's id, name or one of its aliases, as the templates state them.
    Name,
}

/// A segment found in a text: which keyword or name, found how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub segment: String,
    /// The keyword or name as written in the rules file or the template.
    pub keyword: String,
    pub via: Via,
}

/// A string searched for: a rule's keyword or a template name.
#[derive(Debug, Clone)]
struct Term {
    /// Folded (see [`fold`]).
    needle: String,
    chars: usize,
    shown: String,
    segment: String,
    via: Via,
}

/// The rules of a keywords file and the templates' segment names, ready to search.
#[derive(Debug, Clone, Default)]
pub struct Keywords {
    rules: Vec<Rule>,
    terms: Vec<Term>,
    /// Terms by the first character of their needle: keywords only, and keywords and names.
    keywords_by_first: HashMap<char, Vec<usize>>,
    all_by_first: HashMap<char, Vec<usize>>,
    /// Folded exclusion terms by segment.
    excluded: HashMap<String, Vec<String>>,
}

/// Text as matched: full-width ASCII folded to ASCII, letters lowercased.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn ascii_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

impl Keywords {
    /// Parse and check a rules file: every segment must name a segment of the templates (by id,
    /// name or alias, as `check` resolves it), every rule must have keywords and a reason, and
    /// every `exclude` term must contain a keyword or name of the segment (else it excludes
    /// nothing) without being one of the rule's keywords (which would then never count).
    /// Problems are `file:line:column: message`. The templates' segment names are taken from
    /// `resolver` for [`Keywords::find_products`].
    pub fn parse(text: &str, display: &str, resolver: &Resolver) -> Result<Keywords, Vec<String>> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            vec![format!("{display}:{l}:{c}: {}", e.message())]
        })?;
        let names = segment_names(resolver);
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
            let clean = |v: &Vec<String>| -> Vec<String> {
                v.iter()
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect()
            };
            let kws = clean(r.keywords.get_ref());
            if kws.is_empty() {
                let at = at(r.keywords.span());
                errs.push(crate::msg!(
                    "{at}: `{segment}` 的规则没有关键词",
                    "{at}: rule for `{segment}` has no keywords"
                ));
            }
            let mut exclude = Vec::new();
            if let Some(ex) = &r.exclude {
                let own: Vec<String> = kws
                    .iter()
                    .map(|k| fold(k))
                    .chain(
                        names
                            .iter()
                            .filter(|(_, s)| *s == segment)
                            .map(|(n, _)| fold(n)),
                    )
                    .collect();
                for term in clean(ex.get_ref()) {
                    let t = fold(&term);
                    if kws.iter().any(|k| fold(k) == t) {
                        let at = at(ex.span());
                        errs.push(crate::msg!(
                            "{at}: `{term}` 既是 `{segment}` 规则的关键词又是它的排除词：这个关键词永远不会生效",
                            "{at}: `{term}` is both a keyword and an exclusion of the rule for `{segment}`: the keyword would never count"
                        ));
                    } else if !own.iter().any(|o| t.contains(o.as_str())) {
                        let at = at(ex.span());
                        errs.push(crate::msg!(
                            "{at}: `{segment}` 规则的排除词 `{term}` 不含它的任何关键词或模板名称，所以什么也排除不了",
                            "{at}: exclusion `{term}` of the rule for `{segment}` contains none of its keywords or template names, so it excludes nothing"
                        ));
                    }
                    exclude.push(term);
                }
            }
            if r.why.get_ref().trim().is_empty() {
                let at = at(r.why.span());
                errs.push(crate::msg!(
                    "{at}: `{segment}` 的规则必须说明理由（`why`：支持它的模板别名或出处）",
                    "{at}: rule for `{segment}` must say why (`why`: the template alias or source that justifies it)"
                ));
            }
            rules.push(Rule {
                segment,
                keywords: kws,
                exclude,
                why: r.why.into_inner(),
            });
        }
        if errs.is_empty() {
            Ok(Keywords::new(rules, names))
        } else {
            Err(errs)
        }
    }

    /// Rules and template names (name as written, segment id) ready to search.
    pub fn new(rules: Vec<Rule>, names: Vec<(String, String)>) -> Keywords {
        let mut kw = Keywords {
            rules,
            ..Keywords::default()
        };
        let mut terms: Vec<Term> = Vec::new();
        for r in &kw.rules {
            for k in &r.keywords {
                terms.push(Term {
                    needle: fold(k),
                    chars: 0,
                    shown: k.clone(),
                    segment: r.segment.clone(),
                    via: Via::Keyword,
                });
            }
            for e in &r.exclude {
                kw.excluded
                    .entry(r.segment.clone())
                    .or_default()
                    .push(fold(e));
            }
        }
        for (name, segment) in names {
            terms.push(Term {
                needle: fold(&name),
                chars: 0,
                shown: name,
                segment,
                via: Via::Name,
            });
        }
        for (i, mut t) in terms.into_iter().enumerate() {
            t.chars = t.needle.chars().count();
            if let Some(first) = t.needle.chars().next() {
                kw.all_by_first.entry(first).or_default().push(i);
                if t.via == Via::Keyword {
                    kw.keywords_by_first.entry(first).or_default().push(i);
                }
            }
            kw.terms.push(t);
        }
        kw
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Segments named in `text` (经营范围) by keyword rules, in order of first appearance.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        self.search(text, false)
    }

    /// Segments named in `text` (主营产品) by keyword rules or by the templates' segment ids,
    /// names and aliases, in order of first appearance.
    pub fn find_products(&self, text: &str) -> Vec<Hit> {
        self.search(text, true)
    }

    /// Every keyword (and with `names`, every template name) found in the text is a candidate
    /// match, except
    /// * a match that lies inside an `exclude` term of its segment's rule;
    /// * a match whose ASCII letter or digit at either end runs on into another (CRO in MICRO,
    ///   LED in OLED);
    /// * a template name shorter than [`SHORT_NAME`] characters with a letter, digit or Chinese
    ///   character on either side (隔膜 in 隔膜泵).
    ///
    /// Then the longest match is taken first and a match overlapping one already taken does not
    /// count (动力电池PACK is 电池PACK, not also 动力电池; 锂电池正极材料 is found as itself, not as
    /// 正极材料); of equal length the earlier one goes first, and at the same place a keyword
    /// before a name (one keyword in two rules counts for both). ASCII is case-insensitive and
    /// full-width letters match half-width ones.
    fn search(&self, text: &str, names: bool) -> Vec<Hit> {
        let hay = fold(text);
        // (start byte, end byte, chars, term)
        let mut found: Vec<(usize, usize, usize, &Term)> = Vec::new();
        let by_first = if names {
            &self.all_by_first
        } else {
            &self.keywords_by_first
        };
        for (start, c) in hay.char_indices() {
            let Some(cands) = by_first.get(&c) else {
                continue;
            };
            for t in cands.iter().map(|&i| &self.terms[i]) {
                if !hay[start..].starts_with(&t.needle) {
                    continue;
                }
                let end = start + t.needle.len();
                let before = hay[..start].chars().next_back();
                let after = hay[end..].chars().next();
                let (first, last) = (t.needle.chars().next(), t.needle.chars().next_back());
                if (ascii_word(first) && ascii_word(before))
                    || (ascii_word(last) && ascii_word(after))
                {
                    continue;
                }
                if t.via == Via::Name
                    && t.chars < SHORT_NAME
                    && (before.is_some_and(char::is_alphanumeric)
                        || after.is_some_and(char::is_alphanumeric))
                {
                    continue;
                }
                let excluded = self.excluded.get(&t.segment).is_some_and(|ex| {
                    ex.iter().any(|e| {
                        // An occurrence of `e` that covers start..end.
                        hay.match_indices(e.as_str())
                            .any(|(s, _)| s <= start && s + e.len() >= end)
                    })
                });
                if !excluded {
                    found.push((start, end, t.chars, t));
                }
            }
        }
        found.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then(a.0.cmp(&b.0))
                .then(a.3.via.cmp(&b.3.via))
        });
        let mut taken: Vec<(usize, usize, usize, &Term)> = Vec::new();
        for f in found {
            // One keyword in two rules names both segments.
            let same_keyword = |t: &(usize, usize, usize, &Term)| {
                (t.0, t.1) == (f.0, f.1) && t.3.via == Via::Keyword && f.3.via == Via::Keyword
            };
            if !taken
                .iter()
                .any(|t| f.0 < t.1 && t.0 < f.1 && !same_keyword(t))
            {
                taken.push(f);
            }
        }
        taken.sort_by_key(|t| t.0);
        let mut out: Vec<Hit> = Vec::new();
        for (_, _, _, t) in taken {
            if !out.iter().any(|h| h.segment == t.segment) {
                out.push(Hit {
                    segment: t.segment.clone(),
                    keyword: t.shown.clone(),
                    via: t.via,
                });
            }
        }
        out
    }
}

/// Every id, name and alias of the templates' segments, with the segment's id; a name two
/// segments share (and so names neither for sure) is left out.
fn segment_names(resolver: &Resolver) -> Vec<(String, String)> {
    let mut seen: HashMap<String, Option<usize>> = HashMap::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for n in resolver
        .dataset()
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::Segment)
    {
        let mut own: Vec<&str> = vec![&n.id, n.name()];
        own.extend(n.aliases().iter().map(|a| &**a));
        for name in own {
            let name = name.trim();
            let key = fold(name);
            if key.is_empty() {
                continue;
            }
            match seen.get(&key) {
                None => {
                    seen.insert(key, Some(out.len()));
                    out.push((name.to_string(), n.id.to_string()));
                }
                Some(Some(i)) if out[*i].1 != *n.id => {
                    out[*i].1.clear();
                    seen.insert(key, None);
                }
                Some(_) => {}
            }
        }
    }
    out.retain(|(_, s)| !s.is_empty());
    out
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
        assert!(kw.rules().len() >= 30);
        assert!(kw.rules().iter().all(|r| !r.why.trim().is_empty()));
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
            errs[0].starts_with("k.toml:2:11: 没有 `正级材料` 这个环节，是不是 正极材料？"),
            "{errs:?}"
        );
    }

    fn segs(hits: Vec<Hit>) -> Vec<String> {
        hits.into_iter().map(|h| h.segment).collect()
    }

    #[test]
    fn template_names_count_in_products_only_and_short_ones_only_as_whole_items() {
        let rule = |segment: &str, keywords: &[&str], exclude: &[&str]| Rule {
            segment: segment.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            exclude: exclude.iter().map(|k| k.to_string()).collect(),
            why: "x".into(),
        };
        let names = [
            ("锡", "锡锭"),
            ("隔膜", "隔膜"),
            ("动力电池", "动力电池"),
            ("电池PACK", "电池PACK"),
            ("PACK", "电池PACK"),
            ("CRO", "新药研发服务"),
            ("新能源汽车", "新能源汽车"),
            ("充电桩", "充电桩"),
        ]
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
        let kw = Keywords::new(
            vec![
                rule("动力电池", &["动力电池"], &[]),
                rule(
                    "新能源汽车",
                    &["新能源汽车整车"],
                    &["新能源汽车零部件", "新能源汽车充电"],
                ),
            ],
            names,
        );
        // A one- or two-character name stands alone or not at all.
        assert_eq!(segs(kw.find_products("锡")), ["锡锭"]);
        assert_eq!(segs(kw.find_products("精锡、锡矿石")), Vec::<String>::new());
        assert_eq!(segs(kw.find_products("隔膜（湿法）")), ["隔膜"]);
        assert!(kw.find_products("隔膜泵").is_empty());
        // Names are not searched in 经营范围.
        assert!(kw.find("隔膜").is_empty());
        // Longest first; overlapping shorter matches do not count.
        let h = kw.find_products("动力电池PACK");
        assert_eq!(segs(h.clone()), ["电池PACK"]);
        assert_eq!((h[0].keyword.as_str(), h[0].via), ("电池PACK", Via::Name));
        assert_eq!(
            segs(kw.find_products("动力电池、PACK")),
            ["动力电池", "电池PACK"]
        );
        // A keyword and a name of the same length at one place: the keyword is reported.
        assert_eq!(kw.find_products("动力电池")[0].via, Via::Keyword);
        // One keyword in two rules still names both segments.
        let two = Keywords::new(
            vec![
                rule("储能系统", &["储能"], &[]),
                rule("动力电池", &["储能"], &[]),
            ],
            Vec::new(),
        );
        assert_eq!(segs(two.find("储能")), ["储能系统", "动力电池"]);
        // ASCII words are whole, case and width folded.
        assert_eq!(segs(kw.find_products("ＣＲＯ服务")), ["新药研发服务"]);
        assert!(kw.find_products("MICRO电机").is_empty());
        assert!(kw.find_products("PACKAGING").is_empty());
        // Exclusions hold for names too, and only for their own segment.
        assert!(kw.find_products("新能源汽车零部件").is_empty());
        assert_eq!(segs(kw.find_products("新能源汽车充电桩")), ["充电桩"]);
        assert_eq!(segs(kw.find_products("新能源汽车")), ["新能源汽车"]);
    }

    #[test]
    fn exclusions_are_checked() {
        let r = graphs();
        let text = "[[rule]]\nsegment = \"隔膜\"\nkeywords = [\"锂电池隔膜\"]\n\
                    exclude = [\"锂电池隔膜\", \"真空泵\"]\nwhy = \"x\"\n";
        let errs = Keywords::parse(text, "k.toml", &r).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].starts_with("k.toml:4:11: `锂电池隔膜` 既是 `隔膜` 规则的关键词又是它的排除词"),
            "{errs:?}"
        );
        assert!(errs[1].contains("`隔膜` 规则的排除词 `真空泵` 不含它的任何关键词或模板名称"));
        let ok = "[[rule]]\nsegment = \"隔膜\"\nkeywords = [\"锂电池隔膜\"]\nexclude = [\"隔膜泵\"]\nwhy = \"x\"\n";
        let kw = Keywords::parse(ok, "k.toml", &r).unwrap();
        assert_eq!(segs(kw.find_products("隔膜")), ["隔膜"]);
    }
}
