//! Writing a `Dataset` back as a data folder, file by file, in the formats it was read from.
//! Output is canonical (all columns, references by id, rows in import order), so
//! export → import → export is byte-identical.

use super::seeds::SeedKind;
use crate::model::{Attrs, Dataset, Edge, EdgeKind, Kind, Node};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Render every file of the dataset: (canonical name, contents).
pub fn render(ds: &Dataset) -> std::io::Result<Vec<(String, String)>> {
    let mut by_row: HashMap<u32, Vec<&Edge>> = HashMap::new();
    for e in &ds.edges {
        by_row.entry(e.row).or_default().push(e);
    }
    let mut out = Vec::new();
    for (fi, name) in ds.files.iter().enumerate() {
        let fi = fi as u32;
        let text = if name.starts_with("graphs/") {
            render_template(ds, fi, &by_row)
        } else {
            let stem = name.trim_start_matches("seeds/").trim_end_matches(".csv");
            match SeedKind::from_file_stem(stem) {
                Ok(kind) => render_csv(ds, fi, kind, &by_row)?,
                Err(_) => continue,
            }
        };
        out.push((name.clone(), text));
    }
    Ok(out)
}

/// Write the dataset under `dir` (creating `graphs/` and `seeds/`).
pub fn export(ds: &Dataset, dir: &Path) -> std::io::Result<usize> {
    let files = render(ds)?;
    for (name, text) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    Ok(files.len())
}

fn ids<'a>(ds: &'a Dataset, edges: impl Iterator<Item = u32>) -> String {
    let v: Vec<&'a str> = edges.map(|n| &*ds.nodes[n as usize].id).collect();
    v.join(";")
}

fn targets(ds: &Dataset, by_row: &HashMap<u32, Vec<&Edge>>, node: u32, kind: EdgeKind) -> String {
    let row = ds.nodes[node as usize].row;
    let edges = by_row.get(&row).into_iter().flatten();
    ids(
        ds,
        edges
            .filter(|e| e.kind == kind && e.from == node)
            .map(|e| e.to),
    )
}

fn sources(ds: &Dataset, by_row: &HashMap<u32, Vec<&Edge>>, node: u32, kind: EdgeKind) -> String {
    let row = ds.nodes[node as usize].row;
    let edges = by_row.get(&row).into_iter().flatten();
    ids(
        ds,
        edges
            .filter(|e| e.kind == kind && e.to == node)
            .map(|e| e.from),
    )
}

/// A place's `coverage` and `coverage_source` cells.
fn coverage(ds: &Dataset, place: u32) -> (String, String) {
    ds.place_coverage(place).map_or_else(Default::default, |c| {
        (c.coverage.as_str().to_string(), c.source.to_string())
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn render_csv(
    ds: &Dataset,
    file: u32,
    kind: SeedKind,
    by_row: &HashMap<u32, Vec<&Edge>>,
) -> std::io::Result<String> {
    let mut records: Vec<Vec<String>> =
        vec![kind.columns().iter().map(|c| c.to_string()).collect()];
    let mut write = |rec: Vec<String>| records.push(rec);
    let row_cols = |row: u32| {
        let r = ds.row(row);
        (
            ds.source(row).to_string(),
            r.notes().unwrap_or("").to_string(),
        )
    };
    match kind {
        SeedKind::Listings => {
            for l in &ds.listings {
                if ds.row(l.row).file != file {
                    continue;
                }
                let (source, notes) = row_cols(l.row);
                let id = |n: Option<u32>| {
                    n.map_or(String::new(), |n| ds.nodes[n as usize].id.to_string())
                };
                write(vec![
                    l.table.to_string(),
                    id(Some(l.industry)),
                    id(l.field),
                    id(l.enterprise),
                    l.written.to_string(),
                    source,
                    notes,
                ]);
            }
        }
        SeedKind::Systems | SeedKind::Relations => {
            for (ei, e) in ds.edges.iter().enumerate() {
                if ds.row(e.row).file != file {
                    continue;
                }
                let (source, notes) = row_cols(e.row);
                let from = ds.nodes[e.from as usize].id.to_string();
                let to = ds.nodes[e.to as usize].id.to_string();
                match (kind, ds.edge_system(ei as u32)) {
                    (SeedKind::Systems, Some(s)) => write(vec![
                        to,
                        s.system.to_string(),
                        from,
                        s.class.to_string(),
                        num(s.target_revenue_yi),
                        source,
                        notes,
                    ]),
                    (SeedKind::Relations, None) => {
                        write(vec![from, e.kind.as_str().to_string(), to, source, notes])
                    }
                    _ => {}
                }
            }
        }
        SeedKind::Figures => {
            for f in &ds.figures {
                if ds.row(f.row).file != file {
                    continue;
                }
                let (source, notes) = row_cols(f.row);
                write(vec![
                    ds.nodes[f.place as usize].id.to_string(),
                    f.system.to_string(),
                    f.industry
                        .map(|i| ds.nodes[i as usize].id.to_string())
                        .unwrap_or_default(),
                    f.measure.to_string(),
                    num(f.value),
                    f.unit.to_string(),
                    f.year.map(|y| y.to_string()).unwrap_or_default(),
                    f.text.to_string(),
                    source,
                    notes,
                ]);
            }
        }
        SeedKind::Catalog => {
            for c in &ds.catalog {
                if ds.row(c.row).file != file {
                    continue;
                }
                let (source, notes) = row_cols(c.row);
                write(vec![
                    ds.nodes[c.place as usize].id.to_string(),
                    c.system.to_string(),
                    ds.nodes[c.industry as usize].id.to_string(),
                    c.industry_no.map(|n| n.to_string()).unwrap_or_default(),
                    c.number.map(|n| n.to_string()).unwrap_or_default(),
                    c.heading.to_string(),
                    c.item.to_string(),
                    ids(ds, c.models.iter().copied()),
                    source,
                    notes,
                ]);
            }
        }
        _ => {
            for (i, n) in ds.nodes.iter().enumerate() {
                if ds.row(n.row).file != file {
                    continue;
                }
                let i = i as u32;
                let (source, notes) = row_cols(n.row);
                let t = |k| targets(ds, by_row, i, k);
                let rec = node_record(ds, n, i, &t, by_row);
                let mut rec = rec;
                rec.push(source);
                rec.push(notes);
                write(rec);
            }
        }
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for rec in &records {
        w.write_record(rec)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The cells of a node row, without the trailing source and notes.
fn node_record(
    ds: &Dataset,
    n: &Node,
    i: u32,
    t: &dyn Fn(EdgeKind) -> String,
    by_row: &HashMap<u32, Vec<&Edge>>,
) -> Vec<String> {
    let base = |extra: Vec<String>| {
        let mut v = vec![
            n.id.to_string(),
            n.name().to_string(),
            n.aliases().join(";"),
        ];
        v.extend(extra);
        v
    };
    match &n.attrs {
        Attrs::Region { level } => base(vec![
            level.to_string(),
            t(EdgeKind::PartOf),
            t(EdgeKind::FocusesOn),
            coverage(ds, i).0,
            coverage(ds, i).1,
        ]),
        Attrs::Park(p) => base(vec![
            p.kind.to_string(),
            t(EdgeKind::PartOf),
            num(p.area_km2),
            t(EdgeKind::FocusesOn),
            coverage(ds, i).0,
            coverage(ds, i).1,
        ]),
        Attrs::Industry => base(vec![
            t(EdgeKind::PartOf),
            sources(ds, by_row, i, EdgeKind::BelongsTo),
        ]),
        Attrs::Enterprise(a) => base(vec![
            a.credit_code.to_string(),
            a.province.to_string(),
            a.city.to_string(),
            t(EdgeKind::LocatedIn),
            num(a.revenue_yi),
            a.tags.join(";"),
            a.listing.to_string(),
            t(EdgeKind::Produces),
            t(EdgeKind::BelongsTo),
        ]),
        Attrs::Project(a) => vec![
            n.id.to_string(),
            n.name().to_string(),
            a.domain.to_string(),
            a.category.to_string(),
            t(EdgeKind::CarriedBy),
            t(EdgeKind::LocatedIn),
            num(a.investment_yi),
            a.investment_text.to_string(),
            num(a.land_mu),
            a.scale.to_string(),
            a.start_year.map(|y| y.to_string()).unwrap_or_default(),
            a.end_year.map(|y| y.to_string()).unwrap_or_default(),
            a.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            t(EdgeKind::Builds),
        ],
        Attrs::Chain | Attrs::Segment { .. } => Vec::new(),
    }
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn q_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.map(q).collect();
    format!("[{}]", v.join(", "))
}

fn render_template(ds: &Dataset, file: u32, by_row: &HashMap<u32, Vec<&Edge>>) -> String {
    let mut s = String::new();
    let notes = |row: u32, s: &mut String| {
        if let Some(n) = ds.row(row).notes() {
            let _ = writeln!(s, "notes = {}", q(n));
        }
    };
    let chain = ds
        .templates
        .iter()
        .find(|t| t.file == file)
        .and_then(|t| t.chain);
    if let Some(c) = chain {
        let n = &ds.nodes[c as usize];
        let row_edges: Vec<&Edge> = by_row.get(&n.row).into_iter().flatten().copied().collect();
        let industries = row_edges
            .iter()
            .filter(|e| e.kind == EdgeKind::BelongsTo && e.from == c)
            .map(|e| &*ds.nodes[e.to as usize].id);
        let shared = row_edges
            .iter()
            .filter(|e| e.kind == EdgeKind::BelongsTo && e.to == c)
            .map(|e| &*ds.nodes[e.from as usize].id);
        let _ = writeln!(s, "[chain]");
        let _ = writeln!(s, "id = {}", q(&n.id));
        let _ = writeln!(s, "name = {}", q(n.name()));
        let _ = writeln!(s, "aliases = {}", q_list(n.aliases().iter().map(|a| &**a)));
        let _ = writeln!(s, "industries = {}", q_list(industries));
        let _ = writeln!(s, "shared = {}", q_list(shared));
        let _ = writeln!(s, "source = {}", q(ds.source(n.row)));
        notes(n.row, &mut s);
    }
    for (i, n) in ds
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == Kind::Segment && ds.row(n.row).file == file)
    {
        let Attrs::Segment { stage } = n.attrs else {
            continue;
        };
        let _ = writeln!(s, "\n[[segment]]");
        let _ = writeln!(s, "id = {}", q(&n.id));
        let _ = writeln!(s, "name = {}", q(n.name()));
        let _ = writeln!(s, "stage = {}", q(stage.as_str()));
        let _ = writeln!(s, "aliases = {}", q_list(n.aliases().iter().map(|a| &**a)));
        if let Some(who) = ds.public_function(i as u32) {
            let _ = writeln!(s, "public = {}", q(who));
        }
        if let Some(e) = ds.edges.iter().find(|e| {
            e.kind == EdgeKind::PartOf
                && e.from == i as u32
                && ds.nodes[e.to as usize].kind == Kind::Segment
        }) {
            let _ = writeln!(s, "route_of = {}", q(&ds.nodes[e.to as usize].id));
        }
        let _ = writeln!(s, "source = {}", q(ds.source(n.row)));
        notes(n.row, &mut s);
    }
    for e in ds
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Supplies && ds.row(e.row).file == file)
    {
        let _ = writeln!(s, "\n[[supplies]]");
        let _ = writeln!(s, "from = {}", q(&ds.nodes[e.from as usize].id));
        let _ = writeln!(s, "to = {}", q(&ds.nodes[e.to as usize].id));
        let _ = writeln!(s, "source = {}", q(ds.source(e.row)));
        notes(e.row, &mut s);
    }
    s
}
