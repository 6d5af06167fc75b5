//! The tables a chain template was read into → Chain and Segment nodes, BELONGS_TO, PART_OF
//! and SUPPLIES edges, with what is missing or wrong in them (no source, a bad stage, a chain
//! without segments, an empty `public`) reported where it is.

use super::*;

/// Nodes, rows and pending edges from the tables read.
pub(super) fn build(
    ld: &mut Loader,
    file: u32,
    text: &str,
    chain: Option<ChainToml>,
    segments: Vec<SegmentToml>,
    supplies: Vec<SuppliesToml>,
    chain_reported: bool,
) {
    let mut chain_idx = None;
    let mut chain_source = String::new();
    // Whether the chain's source was reported missing or empty: segments and edges that would
    // take it are not reported again.
    let mut chain_source_reported = chain_reported;
    if let Some(c) = &chain {
        let pos = pos_of(
            text,
            file,
            c.id.as_ref().map_or(c.header.start, |id| id.span().start),
        );
        chain_source = text_of(&c.source).to_string();
        match &c.source {
            None => chain_source_reported = true,
            Some(s) if s.get_ref().trim().is_empty() => {
                chain_source_reported = true;
                let p = pos_of(text, file, s.span().start);
                ld.error(p, msg!(
                    "产业链的 `source` 为空：请说明这个模板出自哪些文件内容或公开知识",
                    "chain `source` is empty: say which document lines or public knowledge this template comes from"
                ));
            }
            Some(_) => {}
        }
        let row = ld.add_row(file, pos.line, &chain_source, text_of(&c.notes));
        // The problem that leaves the file without a chain, other than a duplicate id.
        let mut id_problem = c.id_problem;
        if let Some(id) = &c.id {
            let before = ld.problems.len();
            match node_from(
                ld,
                Kind::Chain,
                id,
                c.name.as_ref(),
                &c.aliases,
                Attrs::Chain,
                row,
                pos,
            ) {
                Some(node) => chain_idx = ld.add_node(node, pos),
                None => id_problem = Some(before),
            }
        }
        if chain_idx.is_none()
            && let Some(p) = id_problem
        {
            let mut names = c.names.clone();
            names.push(file_stem(ld, file));
            ld.undefined(p, &[Kind::Chain], names);
        }
        // Without a chain (its problem is reported), `chainless` stays set for the file.
        if let Some(ci) = chain_idx {
            ld.chainless.remove(&file);
            // A segment-less segment list is always a mistake: without one the chain has no
            // status, gaps or picture.
            if segments.is_empty() && c.shared.is_empty() {
                ld.error(
                    pos,
                    {
                        let id = &ld.ds.nodes[ci as usize].id;
                        msg!(
                            "产业链 `{id}` 没有环节：请加上 [[segment]] 表，或在 `shared` 里列出其他链的环节",
                            "chain `{id}` has no segments: add [[segment]] tables, or list segments of other chains in `shared`"
                        )
                    },
                );
            }
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
    for s in &segments {
        let Some(id) = &s.id else {
            if let Some(p) = s.id_problem {
                ld.undefined(p, &[Kind::Segment], s.names.clone());
            }
            continue;
        };
        let pos = pos_of(text, file, id.span().start);
        let source = match &s.source {
            Some(src) => src.get_ref().clone(),
            None => chain_source.clone(),
        };
        if source.trim().is_empty() && !(s.source.is_none() && chain_source_reported) {
            ld.error(pos, {
                let id = id.get_ref();
                msg!(
                    "环节 `{id}` 没有 `source`，文件里也没有产业链的来源",
                    "segment `{id}` has no `source` and the file has no chain source"
                )
            });
        }
        let row = ld.add_row(file, pos.line, &source, text_of(&s.notes));
        let stage = match &s.stage {
            Some(st) => match Stage::parse(st.get_ref()) {
                Some(st) => st,
                None => {
                    let p = pos_of(text, file, st.span().start);
                    ld.error(p, {
                        let st = st.get_ref();
                        msg!(
                            "阶段 `{st}` 不是上游、中游、下游之一",
                            "stage `{st}` is not one of 上游, 中游, 下游"
                        )
                    });
                    Stage::Midstream
                }
            },
            // Reported as missing; the segment is still defined, so references to it resolve.
            None => Stage::Midstream,
        };
        let before = ld.problems.len();
        let Some(node) = node_from(
            ld,
            Kind::Segment,
            id,
            s.name.as_ref(),
            &s.aliases,
            Attrs::Segment { stage },
            row,
            pos,
        ) else {
            ld.undefined(before, &[Kind::Segment], s.names.clone());
            continue;
        };
        let Some(si) = ld.add_node(node, pos) else {
            continue;
        };
        // A definition kept in the place of an earlier one replaces what that one said.
        ld.ds.public_functions.retain(|&(s, _)| s != si);
        if let Some(who) = &s.public {
            match public_text(who.get_ref()) {
                Ok(text) => ld.ds.public_functions.push((si, text.into())),
                Err(msg) => ld.error(pos_of(text, file, who.span().start), msg),
            }
        }
        if let Some(ci) = chain_idx {
            ld.pend(EdgeKind::BelongsTo, End::Node(si), End::Node(ci), row);
        }
        // A technology route is a kind of its parent segment: Segment PART_OF Segment.
        if let Some(parent) = &s.route_of {
            let r = reference(text, file, parent, &[Kind::Segment]);
            ld.pend(EdgeKind::PartOf, End::Node(si), End::Ref(r), row);
        }
    }
    for e in &supplies {
        let (Some(from), Some(to)) = (&e.from, &e.to) else {
            continue;
        };
        let pos = pos_of(text, file, from.span().start);
        let source = match &e.source {
            Some(src) => src.get_ref().clone(),
            None => chain_source.clone(),
        };
        if source.trim().is_empty() && !(e.source.is_none() && chain_source_reported) {
            ld.error(
                pos,
                msg!(
                    "SUPPLIES 边没有 `source`，文件里也没有产业链的来源",
                    "SUPPLIES edge has no `source` and the file has no chain source"
                ),
            );
        }
        let row = ld.add_row(file, pos.line, &source, text_of(&e.notes));
        let from = reference(text, file, from, &[Kind::Segment]);
        let to = reference(text, file, to, &[Kind::Segment]);
        ld.pend(EdgeKind::Supplies, End::Ref(from), End::Ref(to), row);
    }
}

/// The text of a `public` key: who provides the segment, on one line (it ends notes and
/// reasons), with something visible in it.
// String: the caller makes it a `Diag` at the key's `file:line:col`.
fn public_text(who: &str) -> Result<&str, String> {
    let who = who.trim();
    let invisible = |c: char| {
        c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    };
    if who.chars().all(invisible) {
        Err(msg!(
            "`public` 为空：请写明谁提供这个环节（如 \"疾病预防控制机构\"），或去掉这个键",
            "`public` is empty: say who provides the segment (e.g. \"疾病预防控制机构\"), \
             or leave the key out"
        ))
    } else if who.chars().any(char::is_control) {
        Err(msg!(
            "`public` 必须是一行文字，不能有换行或控制字符",
            "`public` must be one line of text, without line breaks or control characters"
        ))
    } else {
        Ok(who)
    }
}

fn reference(text: &str, file: u32, s: &Str, allowed: &'static [Kind]) -> Ref {
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
    id: &Str,
    name: Option<&Str>,
    aliases: &[Str],
    attrs: Attrs,
    row: u32,
    pos: Pos,
) -> Option<Node> {
    let id_text = id.get_ref();
    if let Err(msg) = crate::data::seeds::check_id(id_text) {
        ld.error(pos, msg);
        return None;
    }
    let display_name = name
        .map(|n| n.get_ref().trim())
        .filter(|n| !n.is_empty() && n != id_text)
        .map(Into::into);
    let aliases = aliases
        .iter()
        .map(|a| a.get_ref().trim())
        .filter(|a| !a.is_empty())
        .map(Into::into)
        .collect();
    Some(Node::new(kind, id_text.as_str().into(), attrs, row).named(display_name, aliases))
}
