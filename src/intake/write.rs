//! Writing the candidates file (UTF-8 with BOM, every text cell neutralised) and checking it
//! as `chainkb check` would before it is saved.

use super::columns::plain_decimal;
use super::{Candidate, data_inputs};
use crate::data::{self, Encoding, Input, SeedKind};
use crate::export::neutralise;
use std::path::Path;

/// The candidates file: UTF-8 with BOM (Excel reads it right; `check` skips the BOM), the
/// columns of `SeedKind::Candidates` in order, every text cell neutralised.
pub fn to_csv(candidates: &[Candidate]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let cols = SeedKind::Candidates.columns();
    let _ = w.write_record(cols);
    for c in candidates {
        let notes = c.notes.join("; ");
        let row: Vec<String> = cols
            .iter()
            .map(|col| match *col {
                "id" | "name" => c.id.clone(),
                "aliases" => c.aliases.join(";"),
                "credit_code" => c.credit_code.clone(),
                "province" => c.province.clone(),
                "city" => c.city.clone(),
                "revenue_yi" => c.revenue_yi.map(plain_decimal).unwrap_or_default(),
                "tags" => c.tags.join(";"),
                "listing" => c.listing.join(";"),
                "segments" => c.segments.join(";"),
                "source" => c.source.clone(),
                "notes" => notes.clone(),
                _ => String::new(),
            })
            .zip(cols)
            .map(|(s, col)| {
                if data::seeds_multi_line(col) {
                    neutralise(&s)
                } else {
                    neutralise(&one_line(&s))
                }
            })
            .collect();
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// A cell of an export with line breaks (`"云南\n省"`, `"深交所\n002812"`) on one line, for a
/// column of the candidates file that must be one line: the lines trimmed, joined by a space.
fn one_line(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_string();
    }
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check the written file together with the templates as `chainkb check` would, and return
/// the problems found in the written file (the templates' own are not ours to report).
pub fn verify(graphs: Option<&Path>, csv: &[u8]) -> Result<(), Vec<String>> {
    const SHOWN: &str = "(written) candidates";
    let mut inputs = data_inputs(graphs, false).map_err(|e| vec![e.to_string()])?;
    inputs.push(Input {
        name: "seeds/candidates-intake.csv".into(),
        display: SHOWN.into(),
        bytes: Ok(csv.to_vec()),
        path: None,
    });
    let loaded = data::load_inputs(inputs, Encoding::Auto);
    let ours: Vec<String> = loaded
        .diags
        .iter()
        .filter(|d| d.file == SHOWN)
        .map(|d| d.to_string())
        .collect();
    if ours.is_empty() { Ok(()) } else { Err(ours) }
}
