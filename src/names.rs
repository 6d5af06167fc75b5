//! Name normalization and "did you mean" suggestions, shared by data checking and the graph's
//! name index.

use std::borrow::Cow;

/// Legal-form suffixes dropped by `normalize`, longest first so that 股份有限公司 wins over 有限公司.
/// 集团 is not one: 红塔集团 is not 红塔 (红塔区), and 恩捷 is no 恩捷集团.
const SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "公司",
    // Stock short names: 比亚迪股份 is how staff write 比亚迪股份有限公司.
    "股份",
];

/// The form names are compared in: full-width folded to half-width, ASCII lower-cased, spaces
/// removed, bracketed ASCII (English names, stock codes) removed, legal-form suffixes removed.
///
/// `normalize("玉溪沃森生物技术有限公司（Walvax）") == "玉溪沃森生物技术"`.
pub fn normalize(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(folded.len());
    let mut rest = folded.as_str();
    while let Some(open) = rest.find('(') {
        let Some(close_rel) = rest[open..].find(')') else {
            break;
        };
        let inner = &rest[open + 1..open + close_rel];
        out.push_str(&rest[..open]);
        if !inner.is_ascii() {
            out.push_str(&rest[open..=open + close_rel]);
        }
        rest = &rest[open + close_rel + 1..];
    }
    out.push_str(rest);
    out.retain(|c| !c.is_whitespace());
    let mut changed = true;
    while changed {
        changed = false;
        for suffix in SUFFIXES {
            if out.len() > suffix.len() && out.ends_with(suffix) {
                out.truncate(out.len() - suffix.len());
                changed = true;
            }
        }
    }
    out
}

/// Whether `normalize(name)` is `name` itself, told without allocating: no upper case, no
/// full-width form or ideographic space, no white space, no bracket, no company suffix. Most
/// stored names are, so an index can skip normalizing them.
pub fn is_normal(name: &str) -> bool {
    let plain = |c: char| {
        // CJK ideographs (most of a Chinese name) have no case and are no punctuation.
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            true
        } else if c.is_ascii() {
            !(c.is_ascii_uppercase() || c.is_ascii_whitespace() || c == '(')
        } else {
            let mut lower = c.to_lowercase();
            c != '\u{3000}'
                && !('\u{FF01}'..='\u{FF5E}').contains(&c)
                && !c.is_whitespace()
                && lower.next() == Some(c)
                && lower.next().is_none()
        }
    };
    name.chars().all(plain)
        && !SUFFIXES
            .iter()
            .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

/// Distance used for suggestions: edit distance over characters where swapping two neighbours
/// is one edit (`form` for `from`, `stgae` for `stage`), with containment counted as close
/// (typing 动力电池 for 动力电池PACK is a near miss, not a typo of 4 characters).
pub fn distance(typed: &str, candidate: &str) -> usize {
    if typed.is_empty() || candidate.is_empty() {
        return usize::MAX;
    }
    let d = strsim::osa_distance(typed, candidate);
    if one_holds_the_other(typed, candidate) {
        d.min(1)
    } else {
        d
    }
}

/// Whether either text contains the other (both non-empty, as `distance` asks).
fn one_holds_the_other(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a))
}

/// `distance` when it is at most `limit`, else `None` — without the edit-distance table when
/// the lengths alone (in characters) rule it out, since that is most candidates.
fn distance_within(
    typed: &str,
    typed_chars: usize,
    c: &str,
    c_chars: usize,
    limit: usize,
) -> Option<usize> {
    if typed.is_empty() || c.is_empty() {
        return None;
    }
    let d = if typed_chars.abs_diff(c_chars) > limit {
        // Edit distance is at least the length difference: only containment can be close.
        if one_holds_the_other(typed, c) {
            1
        } else {
            return None;
        }
    } else {
        distance(typed, c)
    };
    (d <= limit).then_some(d)
}

/// Up to `max` candidates closest to `typed`, closest first, ties in input order; only those
/// within a third of the typed length (at least 1, at most 4 edits).
pub fn suggest<'a, I>(typed: &str, candidates: I, max: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // The names are borrowed, not copied: only their normalized forms are made.
    let names: Vec<&'a str> = candidates.into_iter().collect();
    let prepared = Suggester::new(names.iter().copied());
    best(prepared.scored(typed, 0), max)
        .into_iter()
        .map(|i| names[i])
        .collect()
}

/// A candidate's rank (smaller first): its distance; at equal distance a name that holds what
/// was typed (`测试园` → 测试园区 before 测试省), then the name nearer in length (`红塔` is closer
/// to 红塔区 than to 红塔集团, though it is part of both); then its position.
type Rank = (usize, bool, usize, usize);

/// Positions of the closest `max` distinct names among scored (rank, name).
fn best(mut scored: Vec<(Rank, &str)>, max: usize) -> Vec<usize> {
    scored.sort();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for ((_, _, _, i), name) in scored {
        if out.len() == max {
            break;
        }
        if !seen.contains(&name) {
            seen.push(name);
            out.push(i);
        }
    }
    out
}

struct Candidate<'a> {
    /// Borrowed for a one-off suggestion, owned by a list kept for many.
    raw: Cow<'a, str>,
    raw_chars: usize,
    normalized: Box<str>,
    normalized_chars: usize,
}

/// Candidate names prepared once (normalized, measured) for many suggestions: `check` on a
/// file with thousands of unknown references asks for thousands of them over the same names.
pub struct Suggester<'a> {
    candidates: Vec<Candidate<'a>>,
}

impl<'a> Suggester<'a> {
    pub fn new<S: Into<Cow<'a, str>>>(names: impl IntoIterator<Item = S>) -> Suggester<'a> {
        let candidates = names
            .into_iter()
            .map(|raw| {
                let raw: Cow<'a, str> = raw.into();
                let normalized = normalize(&raw);
                Candidate {
                    raw_chars: raw.chars().count(),
                    raw,
                    normalized_chars: normalized.chars().count(),
                    normalized: normalized.into(),
                }
            })
            .collect();
        Suggester { candidates }
    }

    /// Up to `max` names closest to `typed`, ranked as [`suggest`] ranks them.
    pub fn suggest(&self, typed: &str, max: usize) -> Vec<&str> {
        suggest_among(typed, &[self], max)
    }

    /// The rank (with `offset` + position) and name of the candidates close enough to `typed`.
    fn scored(&self, typed: &str, offset: usize) -> Vec<(Rank, &str)> {
        let typed_chars = typed.chars().count();
        let typed_n = normalize(typed);
        let typed_n_chars = typed_n.chars().count();
        let limit = (typed_chars / 3).clamp(1, 4);
        let mut scored = Vec::new();
        for (i, c) in self.candidates.iter().enumerate() {
            let d = [
                distance_within(
                    &typed_n,
                    typed_n_chars,
                    &c.normalized,
                    c.normalized_chars,
                    limit,
                ),
                distance_within(typed, typed_chars, &c.raw, c.raw_chars, limit),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(d) = d {
                let holds = one_holds_the_other(typed, &c.raw)
                    || one_holds_the_other(&typed_n, &c.normalized);
                let rank = (d, !holds, typed_chars.abs_diff(c.raw_chars), offset + i);
                scored.push((rank, &*c.raw));
            }
        }
        scored
    }
}

/// [`suggest`] over several prepared lists taken as one, in order (ties go to the earlier).
pub fn suggest_among<'s>(typed: &str, lists: &[&'s Suggester<'_>], max: usize) -> Vec<&'s str> {
    let mut scored = Vec::new();
    let mut names: Vec<&'s str> = Vec::new();
    for list in lists {
        scored.extend(list.scored(typed, names.len()));
        names.extend(list.candidates.iter().map(|c| &*c.raw));
    }
    best(scored, max).into_iter().map(|i| names[i]).collect()
}

/// " (did you mean A, B?)" or "" — appended to error messages.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

/// [`did_you_mean`] in `lang`: `，是不是 X？` in Chinese.
pub fn did_you_mean_in(suggestions: &[&str], lang: crate::lang::Lang) -> String {
    match lang {
        crate::lang::Lang::En => did_you_mean(suggestions),
        crate::lang::Lang::Zh if suggestions.is_empty() => String::new(),
        crate::lang::Lang::Zh => format!("，是不是 {}？", suggestions.join("、")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `is_normal` never says yes to a name that normalizing would change.
        #[test]
        fn a_name_said_normal_normalizes_to_itself(
            name in "[a-zA-Z0-9 ()（）_\\-\u{3000}\u{FF21}\u{00A0}ÀÉéß\u{0130}企业锂电池有限公司股份]{0,12}"
        ) {
            if is_normal(&name) {
                prop_assert_eq!(normalize(&name), name);
            }
        }
    }

    #[test]
    fn plain_stored_names_are_normal_and_the_others_are_not() {
        for name in ["企业0000001", "s0001", "磷酸铁锂正极材料", "比亚迪", "c00"] {
            assert!(is_normal(name), "{name}");
        }
        for name in [
            "BYD",
            "比亚迪股份有限公司",
            "宁德 时代",
            "企业(a)",
            "Ａ公司甲",
            "İ",
        ] {
            assert!(!is_normal(name), "{name}");
        }
    }

    #[test]
    fn did_you_mean_in_either_language() {
        use crate::lang::Lang;
        assert_eq!(did_you_mean_in(&["锂电池"], Lang::Zh), "，是不是 锂电池？");
        assert_eq!(did_you_mean_in(&["a", "b"], Lang::Zh), "，是不是 a、b？");
        assert_eq!(
            did_you_mean_in(&["a", "b"], Lang::En),
            " (did you mean a, b?)"
        );
        assert_eq!(did_you_mean_in(&[], Lang::Zh), "");
        assert_eq!(did_you_mean_in(&[], Lang::En), "");
    }

    #[test]
    fn normalize_folds_width_spaces_brackets_and_suffixes() {
        assert_eq!(
            normalize("玉溪沃森生物技术有限公司（Walvax）"),
            "玉溪沃森生物技术"
        );
        assert_eq!(normalize("云南 红塔塑胶 有限公司"), "云南红塔塑胶");
        assert_eq!(normalize("ＡＢＣ股份有限公司"), "abc");
        // 集团 is part of a name, not a legal form: 红塔集团 is not 红塔 (红塔区)
        assert_eq!(normalize("红塔集团"), "红塔集团");
        assert_eq!(normalize("红塔烟草（集团）有限责任公司"), "红塔烟草(集团)");
        assert_eq!(normalize("云南建投集团有限公司"), "云南建投集团");
        assert_eq!(normalize("比亚迪股份"), "比亚迪");
        assert_eq!(normalize("比亚迪股份有限公司"), "比亚迪");
        // a bracket with Chinese text is part of the name
        assert_eq!(normalize("云南白药（集团）"), "云南白药(集团)");
        // never normalize a name to nothing
        assert_eq!(normalize("集团"), "集团");
    }

    #[test]
    fn at_equal_distance_the_name_nearer_in_length_comes_first() {
        let names = ["红塔集团", "红塔塑胶", "红塔片区", "红塔区"];
        assert_eq!(suggest("红塔", names, 2), vec!["红塔区", "红塔集团"]);
        // and a name that holds what was typed before a typo of it
        assert_eq!(
            suggest("测试园", ["测试省", "测试园区"], 2),
            vec!["测试园区", "测试省"]
        );
    }

    #[test]
    fn suggestions_rank_close_names_first() {
        let names = ["动力电池", "正极材料", "负极材料", "动力电池PACK"];
        assert_eq!(
            suggest("动力电", names, 2),
            vec!["动力电池", "动力电池PACK"]
        );
        assert_eq!(suggest("正级材料", names, 1), vec!["正极材料"]);
        // a swap of two neighbours is one edit
        assert_eq!(suggest("form", ["from", "to", "source"], 1), vec!["from"]);
        assert_eq!(suggest("stgae", ["stage", "name"], 1), vec!["stage"]);
        assert!(suggest("光伏组件", names, 3).is_empty());
    }

    /// The length shortcut must not change any answer: compare with the plain definition.
    #[test]
    fn prepared_suggestions_equal_the_plain_definition() {
        let names = [
            "动力电池",
            "动力电池PACK",
            "正极材料",
            "负极材料",
            "玉溪沃森生物技术有限公司",
            "沃森",
            "云南恩捷新材料股份有限公司",
            "恩捷",
            "ＢＹＤ",
            "电池",
            "x",
        ];
        let plain = |typed: &str, max: usize| -> Vec<&str> {
            let typed_n = normalize(typed);
            let limit = (typed.chars().count() / 3).clamp(1, 4);
            let mut scored: Vec<(usize, bool, usize, usize, &str)> = names
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let c_n = normalize(c);
                    let d = distance(&typed_n, &c_n).min(distance(typed, c));
                    let holds = c.contains(typed)
                        || typed.contains(c)
                        || (!typed_n.is_empty()
                            && (c_n.contains(&typed_n) || typed_n.contains(&c_n)));
                    let len_diff = typed.chars().count().abs_diff(c.chars().count());
                    (d, !holds, len_diff, i, *c)
                })
                .filter(|&(d, ..)| d <= limit)
                .collect();
            scored.sort();
            scored.into_iter().take(max).map(|(.., c)| c).collect()
        };
        let prepared = Suggester::new(names);
        for typed in [
            "动力电",
            "动力电池包",
            "正级材料",
            "沃森生物",
            "恩捷股份",
            "byd",
            "电",
            "池",
            "玉溪沃森",
            "云南恩捷新材料",
            "完全无关的名字",
            "x",
            "xy",
            "",
        ] {
            assert_eq!(prepared.suggest(typed, 3), plain(typed, 3), "{typed}");
        }
    }
}
