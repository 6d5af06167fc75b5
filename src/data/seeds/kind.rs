//! The kinds of seed file (`regions`, `parks`, … `listings`), told by a file name's prefix, and
//! the columns each may and must have.

use crate::model::Kind;
use crate::names;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeedKind {
    Regions,
    Parks,
    Industries,
    Systems,
    Enterprises,
    Candidates,
    Projects,
    Relations,
    Figures,
    Catalog,
    Listings,
}

impl SeedKind {
    pub const ALL: [SeedKind; 11] = [
        SeedKind::Regions,
        SeedKind::Parks,
        SeedKind::Industries,
        SeedKind::Systems,
        SeedKind::Enterprises,
        SeedKind::Candidates,
        SeedKind::Projects,
        SeedKind::Relations,
        SeedKind::Figures,
        SeedKind::Catalog,
        SeedKind::Listings,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            SeedKind::Regions => "regions",
            SeedKind::Parks => "parks",
            SeedKind::Industries => "industries",
            SeedKind::Systems => "systems",
            SeedKind::Enterprises => "enterprises",
            SeedKind::Candidates => "candidates",
            SeedKind::Projects => "projects",
            SeedKind::Relations => "relations",
            SeedKind::Figures => "figures",
            SeedKind::Catalog => "catalog",
            SeedKind::Listings => "listings",
        }
    }

    /// `projects-yuxi` → Projects. The prefix must be followed by the end, `-` or `_`.
    // String: the loader makes it the file's `Diag`; other callers only test for a kind.
    pub fn from_file_stem(stem: &str) -> Result<SeedKind, String> {
        for k in SeedKind::ALL {
            if let Some(rest) = stem.strip_prefix(k.prefix())
                && (rest.is_empty() || rest.starts_with(['-', '_']))
            {
                return Ok(k);
            }
        }
        let prefixes: Vec<&str> = SeedKind::ALL.iter().map(|k| k.prefix()).collect();
        let word = stem.split(['-', '_']).next().unwrap_or(stem);
        let lang = crate::lang::messages();
        let dym = names::did_you_mean_in(&names::suggest(word, prefixes.iter().copied(), 1), lang);
        let prefixes = prefixes.join(lang.pick("、", ", "));
        Err(crate::tr!(
            lang,
            "看不出 `{stem}.csv` 装的是什么：种子文件名必须以下列之一开头：{prefixes}{dym}",
            "cannot tell what `{stem}.csv` holds: a seed file name must start with one of {prefixes}{dym}"
        ))
    }

    /// The kinds of node a file of this kind defines (none for systems and relations).
    pub fn node_kinds(self) -> &'static [Kind] {
        match self {
            SeedKind::Regions => &[Kind::Region],
            SeedKind::Parks => &[Kind::Park],
            SeedKind::Industries => &[Kind::Industry],
            SeedKind::Enterprises | SeedKind::Candidates => &[Kind::Enterprise],
            SeedKind::Projects => &[Kind::Project],
            SeedKind::Systems
            | SeedKind::Relations
            | SeedKind::Figures
            | SeedKind::Catalog
            | SeedKind::Listings => &[],
        }
    }

    /// All columns, in export order; required ones are checked on read.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            SeedKind::Regions => &[
                "id",
                "name",
                "aliases",
                "level",
                "parent",
                "focus",
                "coverage",
                "coverage_source",
                "source",
                "notes",
            ],
            SeedKind::Parks => &[
                "id",
                "name",
                "aliases",
                "kind",
                "parent",
                "area_km2",
                "focus",
                "coverage",
                "coverage_source",
                "source",
                "notes",
            ],
            SeedKind::Industries => &[
                "id", "name", "aliases", "parent", "chains", "source", "notes",
            ],
            SeedKind::Systems => &[
                "place",
                "system",
                "industry",
                "class",
                "target_revenue_yi",
                "source",
                "notes",
            ],
            SeedKind::Enterprises | SeedKind::Candidates => &[
                "id",
                "name",
                "aliases",
                "credit_code",
                "province",
                "city",
                "location",
                "revenue_yi",
                "tags",
                "listing",
                "segments",
                "industries",
                "source",
                "notes",
            ],
            SeedKind::Projects => &[
                "id",
                "name",
                "domain",
                "category",
                "carrier",
                "location",
                "investment_yi",
                "investment_text",
                "land_mu",
                "scale",
                "start_year",
                "end_year",
                "status",
                "segments",
                "source",
                "notes",
            ],
            SeedKind::Relations => &["from", "relation", "to", "source", "notes"],
            SeedKind::Figures => &[
                "place", "system", "industry", "measure", "value", "unit", "year", "text",
                "source", "notes",
            ],
            SeedKind::Catalog => &[
                "place",
                "system",
                "industry",
                "industry_no",
                "number",
                "heading",
                "item",
                "models",
                "source",
                "notes",
            ],
            SeedKind::Listings => &[
                "table",
                "industry",
                "field",
                "enterprise",
                "written",
                "source",
                "notes",
            ],
        }
    }

    pub(super) fn required(self) -> &'static [&'static str] {
        match self {
            SeedKind::Systems => &["place", "system", "industry", "source"],
            SeedKind::Projects => &["id", "name", "source"],
            SeedKind::Relations => &["from", "relation", "to", "source"],
            SeedKind::Figures => &["place", "measure", "text", "source"],
            SeedKind::Catalog => &["place", "system", "industry", "heading", "source"],
            SeedKind::Listings => &["table", "industry", "written", "source"],
            _ => &["id", "source"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_map_to_kinds() {
        assert_eq!(
            SeedKind::from_file_stem("projects-yuxi").unwrap(),
            SeedKind::Projects
        );
        assert_eq!(
            SeedKind::from_file_stem("candidates").unwrap(),
            SeedKind::Candidates
        );
        let err = SeedKind::from_file_stem("project-yuxi").unwrap_err();
        assert!(err.contains("，是不是 projects？"), "{err}");
        assert!(SeedKind::from_file_stem("parksx").is_err());
    }
}
