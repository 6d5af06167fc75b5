//! What an intake is checked against: the chain templates (segment names resolve as `check`
//! resolves them), the firms already in the data beside them, and the keyword rules.

use super::{Candidate, IntakeError, Keywords, keywords};
use crate::data::{self, Encoding, Input, Resolver};
use crate::model::Kind;
use crate::names;
use std::collections::HashMap;
use std::path::Path;

/// Chain templates as data inputs: from `dir`, else ./graphs, else the bundled ones; with
/// `with_seeds`, also the entity tables beside them (`DIR/../seeds`, or the bundled seeds).
pub fn data_inputs(dir: Option<&Path>, with_seeds: bool) -> Result<Vec<Input>, IntakeError> {
    let local = Path::new("graphs");
    let dir = match dir {
        Some(d) => Some(d),
        None if local.is_dir() => Some(local),
        None => None,
    };
    let wanted =
        |name: &str| name.starts_with("graphs/") || (with_seeds && name.starts_with("seeds/"));
    match dir {
        Some(d) => {
            let mut paths = vec![d.to_path_buf()];
            if with_seeds
                && let Some(seeds) = d.parent().map(|p| p.join("seeds")).filter(|s| s.is_dir())
            {
                paths.push(seeds);
            }
            let inputs: Vec<Input> = data::collect_files(&paths)?
                .iter()
                .filter(|(name, _)| wanted(name))
                .map(data::read_input)
                .collect();
            if !inputs.iter().any(|i| i.name.starts_with("graphs/")) {
                let d = d.display();
                return Err(crate::msg!(
                    "{d} 里没有产业链模板（.toml）",
                    "no chain templates (.toml) in {d}"
                )
                .into());
            }
            Ok(inputs)
        }
        None => Ok(crate::bundle::inputs()
            .into_iter()
            .filter(|i| wanted(&i.name))
            .collect()),
    }
}

/// The chain templates and the entity tables beside them, for resolving segment names (as
/// `check` does) and for spotting firms already in the data. Problems in that data are
/// `check`'s business, not ours.
pub fn load_graphs(dir: Option<&Path>) -> Result<Resolver, IntakeError> {
    let loaded = data::load_inputs(data_inputs(dir, true)?, Encoding::Auto);
    let segments = loaded
        .dataset
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::Segment)
        .count();
    if segments == 0 {
        let first = loaded
            .diags
            .first()
            .map(|d| crate::msg!("（第一个问题：{d}）", " (first problem: {d})"))
            .unwrap_or_default();
        return Err(crate::msg!(
            "产业链模板里没有环节{first}",
            "no segments in the chain templates{first}"
        )
        .into());
    }
    Ok(Resolver::new(loaded.dataset))
}

/// Enterprises already in the data, by credit code and by normalized name or alias.
pub struct Known {
    /// (id, `file:line` where it is defined)
    pub firms: Vec<(String, String)>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Known {
    pub fn new(ds: &crate::model::Dataset) -> Known {
        let mut k = Known {
            firms: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for n in ds.nodes.iter().filter(|n| n.kind == Kind::Enterprise) {
            let i = k.firms.len();
            let at = ds.rows.get(n.row).map_or(String::new(), |r| {
                let file = ds.files.get(r.file as usize).map_or("", String::as_str);
                format!("{file}:{}", r.line)
            });
            k.firms.push((n.id.to_string(), at));
            if let crate::model::Attrs::Enterprise(a) = &n.attrs
                && !a.credit_code.is_empty()
            {
                k.by_code.entry(a.credit_code.to_string()).or_insert(i);
            }
            for name in std::iter::once(&*n.id)
                .chain(n.display_name())
                .chain(n.aliases().iter().map(|a| &**a))
            {
                k.by_name.entry(names::normalize(name)).or_insert(i);
            }
        }
        k
    }

    /// The firm a candidate already is, and how that was seen.
    pub fn find(&self, c: &Candidate) -> Option<(&(String, String), &'static str)> {
        let by_code = (!c.credit_code.is_empty())
            .then(|| self.by_code.get(&c.credit_code))
            .flatten()
            .map(|&i| (i, "same 统一社会信用代码"));
        let by_id = || {
            self.firms
                .iter()
                .position(|f| f.0 == c.id)
                .map(|i| (i, "same id"))
        };
        let by_name = || {
            std::iter::once(&c.norm)
                .chain(c.aliases.iter())
                .find_map(|n| self.by_name.get(&names::normalize(n)))
                .map(|&i| (i, "same normalized name"))
        };
        by_code
            .or_else(by_id)
            .or_else(by_name)
            .map(|(i, why)| (&self.firms[i], why))
    }
}

/// Keyword rules from `path`, else ./config/segment-keywords.toml, else the built-in copy.
pub fn load_keywords(path: Option<&Path>, resolver: &Resolver) -> Result<Keywords, IntakeError> {
    let local = Path::new("config/segment-keywords.toml");
    let (text, display) = match path {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| {
                let p = p.display();
                crate::msg!("无法读取 {p}：{e}", "cannot read {p}: {e}")
            })?,
            p.display().to_string(),
        ),
        None if local.is_file() => (
            std::fs::read_to_string(local).map_err(|e| {
                let p = local.display();
                crate::msg!("无法读取 {p}：{e}", "cannot read {p}: {e}")
            })?,
            local.display().to_string(),
        ),
        None => (
            keywords::BUILTIN.to_string(),
            "(built-in) config/segment-keywords.toml".to_string(),
        ),
    };
    Keywords::parse(&text, &display, resolver).map_err(|errs| IntakeError::Input(errs.join("\n")))
}
