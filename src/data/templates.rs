//! Chain templates: `graphs/*.toml` → Chain and Segment nodes, SUPPLIES and BELONGS_TO edges.

use super::text::line_col;
use super::{End, Loader, Pos, Ref};
use crate::model::{Attrs, EdgeKind, Kind, Node, Stage, TemplateFile};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateToml {
    pub chain: Option<ChainToml>,
    #[serde(default)]
    pub segment: Vec<SegmentToml>,
    #[serde(default)]
    pub supplies: Vec<SuppliesToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChainToml {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub industries: Vec<Spanned<String>>,
    #[serde(default)]
    pub shared: Vec<Spanned<String>>,
    pub source: Spanned<String>,
    pub notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SegmentToml {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub stage: Spanned<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuppliesToml {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

fn pos_of(text: &str, file: u32, byte: usize) -> Pos {
    let (line, col) = line_col(text, byte);
    Pos { file, line, col }
}

pub(crate) fn read(ld: &mut Loader, file: u32, text: &str) {
    let parsed: TemplateToml = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let pos = pos_of(text, file, e.span().map_or(0, |s| s.start));
            let msg = e.message().trim().to_string();
            ld.error(pos, format!("invalid chain template: {msg}"));
            return;
        }
    };
    let mut chain_idx = None;
    let mut chain_source = String::new();
    if let Some(c) = &parsed.chain {
        let pos = pos_of(text, file, c.id.span().start);
        chain_source = c.source.get_ref().clone();
        if chain_source.trim().is_empty() {
            let p = pos_of(text, file, c.source.span().start);
            ld.error(p, "chain `source` is empty: say which document lines or public knowledge this template comes from");
        }
        let row = ld.add_row(
            file,
            pos.line,
            &chain_source,
            c.notes.as_deref().unwrap_or(""),
        );
        if let Some(node) = node_from(
            ld,
            Kind::Chain,
            &c.id,
            c.name.as_deref(),
            &c.aliases,
            Attrs::Chain,
            row,
            pos,
        ) {
            chain_idx = ld.add_node(node, pos);
        }
        if let Some(ci) = chain_idx {
            for ind in &c.industries {
                let r = reference(text, file, ind, &[Kind::Industry]);
                ld.pend(EdgeKind::BelongsTo, End::Node(ci), End::Ref(r), row);
            }
            for seg in &c.shared {
                let r = reference(text, file, seg, &[Kind::Segment]);
                ld.pend(EdgeKind::BelongsTo, End::Ref(r), End::Node(ci), row);
            }
        }
    }
    ld.ds.templates.push(TemplateFile {
        file,
        chain: chain_idx,
    });
    for s in &parsed.segment {
        let pos = pos_of(text, file, s.id.span().start);
        let source = s.source.clone().unwrap_or_else(|| chain_source.clone());
        if source.trim().is_empty() {
            ld.error(
                pos,
                format!(
                    "segment `{}` has no `source` and the file has no chain source",
                    s.id.get_ref()
                ),
            );
        }
        let row = ld.add_row(file, pos.line, &source, s.notes.as_deref().unwrap_or(""));
        let stage = match Stage::parse(s.stage.get_ref()) {
            Some(st) => st,
            None => {
                let p = pos_of(text, file, s.stage.span().start);
                ld.error(
                    p,
                    format!(
                        "stage `{}` is not one of 上游, 中游, 下游",
                        s.stage.get_ref()
                    ),
                );
                Stage::Midstream
            }
        };
        let Some(node) = node_from(
            ld,
            Kind::Segment,
            &s.id,
            s.name.as_deref(),
            &s.aliases,
            Attrs::Segment { stage },
            row,
            pos,
        ) else {
            continue;
        };
        if let Some(si) = ld.add_node(node, pos)
            && let Some(ci) = chain_idx
        {
            ld.pend(EdgeKind::BelongsTo, End::Node(si), End::Node(ci), row);
        }
    }
    for e in &parsed.supplies {
        let pos = pos_of(text, file, e.from.span().start);
        let source = e.source.clone().unwrap_or_else(|| chain_source.clone());
        if source.trim().is_empty() {
            ld.error(
                pos,
                "SUPPLIES edge has no `source` and the file has no chain source",
            );
        }
        let row = ld.add_row(file, pos.line, &source, e.notes.as_deref().unwrap_or(""));
        let from = reference(text, file, &e.from, &[Kind::Segment]);
        let to = reference(text, file, &e.to, &[Kind::Segment]);
        ld.pend(EdgeKind::Supplies, End::Ref(from), End::Ref(to), row);
    }
}

fn reference(text: &str, file: u32, s: &Spanned<String>, allowed: &'static [Kind]) -> Ref {
    Ref {
        text: s.get_ref().clone(),
        pos: pos_of(text, file, s.span().start + 1),
        allowed,
    }
}

/// Build a node after checking its id; `None` (with a problem reported) if the id is unusable.
#[allow(clippy::too_many_arguments)]
fn node_from(
    ld: &mut Loader,
    kind: Kind,
    id: &Spanned<String>,
    name: Option<&str>,
    aliases: &[String],
    attrs: Attrs,
    row: u32,
    pos: Pos,
) -> Option<Node> {
    let id_text = id.get_ref();
    if let Err(msg) = super::seeds::check_id(id_text) {
        ld.error(pos, msg);
        return None;
    }
    let display_name = name
        .map(str::trim)
        .filter(|n| !n.is_empty() && n != id_text)
        .map(Into::into);
    Some(Node {
        kind,
        id: id_text.as_str().into(),
        display_name,
        aliases: aliases
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .map(Into::into)
            .collect(),
        attrs,
        row,
    })
}
