//! Name normalization and "did you mean" suggestions, shared by data checking and the graph's
//! name index.

/// Legal-form suffixes dropped by `normalize`, longest first so that 股份有限公司 wins over 有限公司.
const SUFFIXES: &[&str] = &[
    "集团股份有限公司",
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
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

/// Distance used for suggestions: edit distance over characters, with containment counted as
/// close (typing 动力电池 for 动力电池PACK is a near miss, not a typo of 4 characters).
pub fn distance(typed: &str, candidate: &str) -> usize {
    if typed.is_empty() || candidate.is_empty() {
        return usize::MAX;
    }
    let d = strsim::levenshtein(typed, candidate);
    if candidate.contains(typed) || typed.contains(candidate) {
        d.min(1)
    } else {
        d
    }
}

/// Up to `max` candidates closest to `typed`, closest first, ties in input order; only those
/// within a third of the typed length (at least 1, at most 4 edits).
pub fn suggest<'a, I>(typed: &str, candidates: I, max: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let typed_n = normalize(typed);
    let limit = (typed.chars().count() / 3).clamp(1, 4);
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for (i, c) in candidates.into_iter().enumerate() {
        let d = distance(&typed_n, &normalize(c)).min(distance(typed, c));
        if d <= limit {
            scored.push((d, i, c));
        }
    }
    scored.sort();
    let mut out: Vec<&str> = Vec::new();
    for (_, _, c) in scored {
        if !out.contains(&c) {
            out.push(c);
        }
        if out.len() == max {
            break;
        }
    }
    out
}

/// " (did you mean A, B?)" or "" — appended to error messages.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_width_spaces_brackets_and_suffixes() {
        assert_eq!(
            normalize("玉溪沃森生物技术有限公司（Walvax）"),
            "玉溪沃森生物技术"
        );
        assert_eq!(normalize("云南 红塔塑胶 有限公司"), "云南红塔塑胶");
        assert_eq!(normalize("ＡＢＣ股份有限公司"), "abc");
        assert_eq!(normalize("红塔集团"), "红塔");
        // a bracket with Chinese text is part of the name
        assert_eq!(normalize("云南白药（集团）"), "云南白药(集团)");
        // never normalize a name to nothing
        assert_eq!(normalize("集团"), "集团");
    }

    #[test]
    fn suggestions_rank_close_names_first() {
        let names = ["动力电池", "正极材料", "负极材料", "动力电池PACK"];
        assert_eq!(
            suggest("动力电", names, 2),
            vec!["动力电池", "动力电池PACK"]
        );
        assert_eq!(suggest("正级材料", names, 1), vec!["正极材料"]);
        assert!(suggest("光伏组件", names, 3).is_empty());
    }
}
