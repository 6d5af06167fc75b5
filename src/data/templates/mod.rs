//! Chain templates: `graphs/*.toml` → Chain and Segment nodes, SUPPLIES and BELONGS_TO edges.
//!
//! A template is read table by table, key by key, so that one mistake (an unknown key, a value
//! of the wrong type, a missing key) is reported where it is and the rest of the file is still
//! read and checked. Only a file that is not TOML at all is unreadable. The key-by-key reader
//! of one table is `fields`; turning the tables read into nodes and edges is `build`.

mod build;
mod fields;

use super::text::line_col;
use super::{End, Loader, Pos, Ref};
use crate::lang::{Lang, messages};
use crate::model::{Attrs, EdgeKind, Kind, Node, Stage, TemplateFile};
use crate::msg;
use crate::names::{did_you_mean_in, suggest};
use build::build;
use fields::{Fields, a};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The keys of each table of a template.
const CHAIN_KEYS: &[&str] = &[
    "id",
    "name",
    "aliases",
    "industries",
    "shared",
    "source",
    "notes",
];
const SEGMENT_KEYS: &[&str] = &[
    "id", "name", "stage", "aliases", "public", "route_of", "source", "notes",
];
const SUPPLIES_KEYS: &[&str] = &["from", "to", "source", "notes"];

/// A string with the byte range of its value (quotes included) in the file.
type Str = Spanned<String>;

struct ChainToml {
    id: Option<Str>,
    name: Option<Str>,
    aliases: Vec<Str>,
    industries: Vec<Str>,
    shared: Vec<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
    /// Why the table defines no chain, when `id` is missing or not a string.
    id_problem: Option<usize>,
    /// The names the table was meant to define (see `meant_names`).
    names: Vec<String>,
}

struct SegmentToml {
    id: Option<Str>,
    name: Option<Str>,
    stage: Option<Str>,
    aliases: Vec<Str>,
    /// Who provides the segment when public bodies, not firms, do (批签发, 预防接种).
    public: Option<Str>,
    /// The segment this one is a technology route of (磷酸铁锂正极材料 of 正极材料).
    route_of: Option<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
    id_problem: Option<usize>,
    names: Vec<String>,
}

struct SuppliesToml {
    from: Option<Str>,
    to: Option<Str>,
    source: Option<Str>,
    notes: Option<Str>,
    header: Range<usize>,
}

fn pos_of(text: &str, file: u32, byte: usize) -> Pos {
    let (line, col) = line_col(text, byte);
    Pos { file, line, col }
}

/// Keys whose values are not names of what a table defines.
const NOT_NAMES: &[&str] = &["source", "notes", "stage", "industries", "shared"];

/// The string values in `value` (tables and arrays included), except those of `NOT_NAMES`
/// keys: what a table that defines nothing because of a problem meant to name (`idd = "咖啡"`,
/// `form = "甲"`).
fn meant_names(value: &DeValue<'_>, out: &mut Vec<String>) {
    match value {
        DeValue::String(s) => out.push(s.to_string()),
        DeValue::Array(items) => {
            for item in items.iter() {
                meant_names(item.get_ref(), out);
            }
        }
        DeValue::Table(t) => meant_names_in(t, out),
        _ => {}
    }
}

fn meant_names_in(table: &DeTable<'_>, out: &mut Vec<String>) {
    for (k, v) in table.iter() {
        let key: &str = k.get_ref();
        if !NOT_NAMES.contains(&key) {
            meant_names(v.get_ref(), out);
        }
    }
}

/// The table an unknown top-level key was meant to be: one whose name, singular or plural,
/// is close to it (`suply` → supplies).
fn meant_table(key: &str) -> Option<&'static str> {
    const FORMS: &[(&str, &str)] = &[
        ("chain", "chain"),
        ("chains", "chain"),
        ("segment", "segment"),
        ("segments", "segment"),
        ("supplies", "supplies"),
        ("supply", "supplies"),
    ];
    let close = suggest(key, FORMS.iter().map(|f| f.0), 1);
    let form = close.first()?;
    FORMS.iter().find(|f| f.0 == *form).map(|f| f.1)
}

/// Whether a value is a table, or an array of tables, with a `from` or `to` key.
fn has_ends(value: &DeValue<'_>) -> bool {
    let ends = |t: &DeTable<'_>| {
        t.iter()
            .any(|(k, _)| matches!(AsRef::<str>::as_ref(k.get_ref()), "from" | "to"))
    };
    match value {
        DeValue::Table(t) => ends(t),
        DeValue::Array(items) => items
            .iter()
            .any(|i| matches!(i.get_ref(), DeValue::Table(t) if ends(t))),
        _ => false,
    }
}

/// The tables of one kind (`[chain]` is one table, `[[segment]]` an array of them), with their
/// spans; a value of another shape is reported.
fn tables<'a, 'i>(
    ld: &mut Loader,
    text: &str,
    file: u32,
    key: &Spanned<toml::de::DeString<'i>>,
    value: &'a Spanned<DeValue<'i>>,
    one: bool,
) -> Vec<(Range<usize>, &'a DeTable<'i>)> {
    let name: &str = key.get_ref();
    match value.get_ref() {
        DeValue::Table(t) if one => vec![(value.span(), t)],
        DeValue::Array(items) if !one => {
            let mut out = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(t) => out.push((item.span(), t)),
                    other => {
                        let ty = a(other.type_str());
                        ld.error(
                            pos_of(text, file, item.span().start),
                            msg!(
                                "`{name}` 只能装表（写作 [[{name}]]），不能装{ty}",
                                "`{name}` must hold tables, written [[{name}]], not {ty}"
                            ),
                        )
                    }
                }
            }
            out
        }
        other => {
            let (want, shape) = if one {
                (msg!("表", "a table"), format!("[{name}]"))
            } else {
                (msg!("表数组", "an array of tables"), format!("[[{name}]]"))
            };
            let ty = a(other.type_str());
            ld.error(
                pos_of(text, file, key.span().start),
                msg!(
                    "`{name}` 必须是{want}（写作 {shape}），而不是{ty}",
                    "`{name}` must be {want}, written {shape}, not {ty}"
                ),
            );
            Vec::new()
        }
    }
}

pub(crate) fn read(ld: &mut Loader, file: u32, text: &str) {
    let doc = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let pos = pos_of(text, file, e.span().map_or(0, |s| s.start));
            let msg = e.message().trim().to_string();
            ld.unreadable(
                pos,
                msg!("产业链模板无效：{msg}", "invalid chain template: {msg}"),
                &[Kind::Chain, Kind::Segment],
                Some(text.as_bytes()),
            );
            return;
        }
    };
    let mut chain = None;
    let mut segments = Vec::new();
    let mut supplies = Vec::new();
    // A misspelt [chain] table (`[chains]`) was reported: what lacks its source is not.
    let mut chain_misspelt = false;
    for (k, v) in doc.get_ref().iter() {
        let key: &str = k.get_ref();
        match key {
            "chain" => {
                // A [chain] of the wrong shape is reported: its segments have no chain because
                // of it, which is not reported again, nor are references to the chain it meant.
                ld.chainless.insert(file);
                let before = ld.problems.len();
                let found = tables(ld, text, file, k, v, true);
                if found.is_empty() && ld.problems.len() > before {
                    let mut names = vec![file_stem(ld, file)];
                    meant_names(v.get_ref(), &mut names);
                    ld.undefined(before, &[Kind::Chain], names);
                }
                for (header, table) in found {
                    let mut f = Fields::of(
                        ld,
                        (text, file),
                        ("[chain]", CHAIN_KEYS),
                        table,
                        header.clone(),
                    );
                    let (id, id_problem, names) = f.id();
                    chain = Some(ChainToml {
                        id_problem,
                        names,
                        id,
                        name: f.string("name"),
                        aliases: f.strings("aliases"),
                        industries: f.strings("industries"),
                        shared: f.strings("shared"),
                        source: f.required(
                            "source",
                            &msg!(
                                "：请说明这个模板出自哪些文件内容或公开知识",
                                ": say which document lines or public knowledge this template comes from"
                            ),
                        ),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            "segment" => {
                for (header, table) in tables(ld, text, file, k, v, false) {
                    let what = ("[[segment]]", SEGMENT_KEYS);
                    let mut f = Fields::of(ld, (text, file), what, table, header.clone());
                    let (id, id_problem, names) = f.id();
                    segments.push(SegmentToml {
                        id_problem,
                        names,
                        id,
                        name: f.string("name"),
                        stage: f.required(
                            "stage",
                            &msg!("（上游、中游或下游）", " (上游, 中游 or 下游)"),
                        ),
                        aliases: f.strings("aliases"),
                        public: f.string("public"),
                        route_of: f.string("route_of"),
                        source: f.string("source"),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            "supplies" => {
                // The segments named by an entry that is left out are not orphans because of it.
                let all_tables = matches!(v.get_ref(), DeValue::Array(items)
                    if items.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_))));
                if !all_tables {
                    let mut names = Vec::new();
                    meant_names(v.get_ref(), &mut names);
                    drop_links(ld, names);
                }
                for (header, table) in tables(ld, text, file, k, v, false) {
                    let what = ("[[supplies]]", SUPPLIES_KEYS);
                    let mut f = Fields::of(ld, (text, file), what, table, header.clone());
                    let from = f.required("from", "");
                    let to = f.required("to", "");
                    if from.is_none() || to.is_none() {
                        let mut names = Vec::new();
                        meant_names_in(table, &mut names);
                        drop_links(f.ld, names);
                    }
                    supplies.push(SuppliesToml {
                        from,
                        to,
                        source: f.string("source"),
                        notes: f.string("notes"),
                        header,
                    });
                }
            }
            other => {
                let meant = meant_table(other);
                let problem = ld.problems.len();
                ld.error(
                    pos_of(text, file, k.span().start),
                    {
                        let dym = did_you_mean_in(&meant.into_iter().collect::<Vec<_>>(), messages());
                        msg!(
                            "没有 `{other}` 这个键{dym}：产业链模板由 [chain]、[[segment]] 和 [[supplies]] 表组成",
                            "unknown key `{other}`{dym}: a chain template holds [chain], [[segment]] and [[supplies]] tables"
                        )
                    },
                );
                // What the misspelt table meant is not reported again as missing.
                match meant {
                    Some("chain") => {
                        chain_misspelt = true;
                        ld.chainless.insert(file);
                        let mut names = vec![file_stem(ld, file)];
                        meant_names(v.get_ref(), &mut names);
                        ld.undefined(problem, &[Kind::Chain], names);
                    }
                    Some("segment") => {
                        let mut names = Vec::new();
                        meant_names(v.get_ref(), &mut names);
                        ld.undefined(problem, &[Kind::Segment], names);
                    }
                    _ if meant == Some("supplies") || has_ends(v.get_ref()) => {
                        let mut names = Vec::new();
                        meant_names(v.get_ref(), &mut names);
                        drop_links(ld, names);
                    }
                    _ => {}
                }
            }
        }
    }
    segments.sort_by_key(|s| s.header.start);
    supplies.sort_by_key(|s| s.header.start);
    let chain_reported = chain.is_none() && chain_misspelt;
    build(ld, file, text, chain, segments, supplies, chain_reported);
}

/// The names in a `[[supplies]]` entry that is left out (see `Loader::dropped_links`).
fn drop_links(ld: &mut Loader, names: Vec<String>) {
    for n in names {
        let n = n.trim();
        if !n.is_empty() {
            ld.dropped_links.insert(crate::names::normalize(n));
            ld.dropped_links.insert(n.to_string());
        }
    }
}

/// `coffee` for `graphs/coffee.toml`: what a template without a usable chain id may have meant.
fn file_stem(ld: &Loader, file: u32) -> String {
    let name = ld.ds.files.get(file as usize).map_or("", String::as_str);
    name.trim_start_matches("graphs/")
        .trim_end_matches(".toml")
        .to_string()
}

fn text_of(s: &Option<Str>) -> &str {
    s.as_ref().map_or("", |s| s.get_ref().as_str())
}

#[cfg(test)]
mod tests {
    use crate::data::{Encoding, Input, load_inputs};

    fn problems(files: &[(&str, &str)]) -> Vec<String> {
        let inputs = files
            .iter()
            .map(|(name, text)| Input {
                name: name.to_string(),
                display: name.to_string(),
                bytes: Ok(text.as_bytes().to_vec()),
                path: None,
            })
            .collect();
        load_inputs(inputs, Encoding::Auto)
            .diags
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn tables_of_the_wrong_shape_and_incomplete_edges_are_single_problems() {
        let got = problems(&[(
            "graphs/t.toml",
            "[[chain]]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\nsource = \"s\"\n\n[[supplies]]\nfrom = \"甲\"\n",
        )]);
        assert_eq!(
            got,
            [
                "graphs/t.toml:1:3: `chain` 必须是表（写作 [chain]），而不是数组",
                "graphs/t.toml:10:1: [[supplies]] 缺少 `to`",
            ]
        );
    }

    #[test]
    fn public_names_who_provides_a_segment_and_may_not_be_empty() {
        let text = "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\npublic = \"疾病预防控制机构\"\n\n[[segment]]\nid = \"丙\"\nstage = \"下游\"\npublic = \" \"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"丙\"\n";
        let inputs = vec![Input {
            name: "graphs/t.toml".into(),
            display: "graphs/t.toml".into(),
            bytes: Ok(text.as_bytes().to_vec()),
            path: None,
        }];
        let loaded = load_inputs(inputs, Encoding::Auto);
        let diags: Vec<String> = loaded.diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            diags,
            [
                "graphs/t.toml:17:10: `public` 为空：请写明谁提供这个环节（如 \"疾病预防控制机构\"），或去掉这个键"
            ]
        );
        let ds = &loaded.dataset;
        let id = |i: u32| &*ds.nodes[i as usize].id;
        let public: Vec<(&str, &str)> = ds
            .public_functions
            .iter()
            .map(|(s, who)| (id(*s), &**who))
            .collect();
        assert_eq!(public, [("乙", "疾病预防控制机构")]);
        for (value, want) in [
            ("\"\\u200b\"", "`public` 为空"),
            ("\"药品检验\\n机构\"", "`public` 必须是一行文字"),
            ("\"\\u001b[31m红\"", "`public` 必须是一行文字"),
        ] {
            let got = problems(&[(
                "graphs/t.toml",
                &format!(
                    "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\npublic = {value}\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n"
                ),
            )]);
            assert_eq!(got.len(), 1, "{value}: {got:?}");
            assert!(
                got[0].starts_with("graphs/t.toml:8:10: ") && got[0].contains(want),
                "{value}: {got:?}"
            );
        }
        // On a table that has no such key, the message says where it belongs.
        let got = problems(&[(
            "graphs/t.toml",
            "[chain]\nid = \"链\"\nsource = \"s\"\npublic = \"x\"\n\n[[segment]]\nid = \"甲\"\nstage = \"上游\"\n\n[[segment]]\nid = \"乙\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"甲\"\nto = \"乙\"\n",
        )]);
        assert_eq!(
            got,
            [
                "graphs/t.toml:4:1: [chain] 里没有 `public` 这个键，`public` 是 [[segment]] 的键（它的键是 id, name, aliases, industries, shared, source, notes）"
            ]
        );
    }

    #[test]
    fn a_duplicate_chain_id_is_not_repeated_for_each_of_its_segments() {
        let chain = |seg: &str| {
            format!(
                "[chain]\nid = \"链\"\nsource = \"s\"\n\n[[segment]]\nid = \"{seg}1\"\nstage = \"上游\"\n\n[[segment]]\nid = \"{seg}2\"\nstage = \"下游\"\n\n[[supplies]]\nfrom = \"{seg}1\"\nto = \"{seg}2\"\n"
            )
        };
        let (a, b) = (chain("甲"), chain("乙"));
        let got = problems(&[("graphs/a.toml", &a), ("graphs/b.toml", &b)]);
        assert_eq!(
            got,
            ["graphs/b.toml:2:6: 产业链编号 `链` 重复（首次定义于 graphs/a.toml:2）"]
        );
    }
}
