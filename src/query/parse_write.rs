//! Text → AST for the write statements (`move project …`, `add prospect …`, `add firm …`,
//! `note …`; grammar rule `write_stmt`): the pairs of one write become an `ast::Write`, and what
//! the grammar leaves open — an option given twice, a 客商库 entry without its chain or place —
//! is an error at the words that say it.

use super::ast::*;
use super::error::QueryError;
use super::parse::{Rule, name, span_of};
use crate::model::Kind;
use pest::iterators::Pair;

/// The `write_stmt` pair as a `Write`.
pub(super) fn write(p: Pair<Rule>) -> Result<Write, QueryError> {
    let span = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| QueryError::internal("empty write"))?;
    let rule = inner.as_rule();
    let mut reason = None;
    let mut who = None;
    let mut names = Vec::new();
    let mut values = Vec::new();
    let mut opts = ProspectOpts::default();
    let mut status = None;
    let mut meeting = None;
    let mut kind = AddKind::Firm;
    let mut note_kind = None;
    for c in inner.into_inner() {
        match c.as_rule() {
            Rule::name => names.push(name(c)),
            Rule::value | Rule::text => values.push(name(c)),
            Rule::entity_kw
                if c.clone().into_inner().next().is_some_and(|k| {
                    matches!(k.as_rule(), Rule::kw_project | Rule::kw_projects)
                }) =>
            {
                kind = AddKind::Project;
            }
            Rule::note_kind => {
                note_kind = c.into_inner().next().and_then(|k| match k.as_rule() {
                    Rule::kw_chain | Rule::kw_chains => Some(Kind::Chain),
                    Rule::kw_segments => Some(Kind::Segment),
                    Rule::kw_firm | Rule::kw_enterprises => Some(Kind::Enterprise),
                    Rule::kw_project | Rule::kw_projects => Some(Kind::Project),
                    Rule::kw_parks => Some(Kind::Park),
                    Rule::kw_regions => Some(Kind::Region),
                    Rule::kw_industries => Some(Kind::Industry),
                    _ => None,
                });
            }
            Rule::write_opt => common(c, &mut reason, &mut who)?,
            Rule::prospect_opt | Rule::add_opt => {
                let Some(o) = c.into_inner().next() else {
                    continue;
                };
                let at = span_of(&o);
                let rule = o.as_rule();
                if rule == Rule::write_opt {
                    common(o, &mut reason, &mut who)?;
                    continue;
                }
                let (word, slot) = match rule {
                    Rule::chain_opt => ("chain", &mut opts.chain),
                    Rule::in_opt => ("in", &mut opts.place),
                    Rule::stage_opt => ("stage", &mut opts.stage),
                    Rule::date_opt => ("on", &mut opts.date),
                    Rule::contact_opt => ("contact", &mut opts.contact),
                    Rule::unit_opt => ("by", &mut opts.responsible),
                    Rule::status_opt => ("status", &mut status),
                    Rule::meeting_opt => ("meeting", &mut meeting),
                    _ => continue,
                };
                // `source "会议 2026-12-06"` is the meeting of that date.
                let source = o
                    .clone()
                    .into_inner()
                    .next()
                    .is_some_and(|k| k.as_rule() == Rule::kw_source);
                let v = o.into_inner().last().map(last_value).map(|mut v| {
                    if source {
                        v.text = meeting_date(&v.text);
                    }
                    v
                });
                set_once(slot, v, word, at)?;
            }
            _ => {}
        }
    }
    let mut names = names.into_iter();
    let mut next_name = || {
        names
            .next()
            .ok_or_else(|| QueryError::internal("write without its name"))
    };
    let mut values = values.into_iter();
    let mut next_value = || {
        values
            .next()
            .ok_or_else(|| QueryError::internal("write without its value"))
    };
    let action = match rule {
        Rule::move_project => WriteAction::MoveProject {
            project: next_name()?,
            to: next_value()?,
        },
        Rule::move_prospect => WriteAction::MoveProspect {
            firm: next_name()?,
            to: next_value()?,
            opts,
        },
        Rule::add_prospect => {
            let firm = next_name()?;
            for (missing, word, zh) in [
                (opts.chain.is_none(), "chain CHAIN", "链 CHAIN"),
                (opts.place.is_none(), "in PLACE", "在 PLACE"),
            ] {
                if missing {
                    return Err(QueryError::syntax(
                        format!("add prospect needs `{word}`: which chain's 客商库, where"),
                        firm.span,
                    )
                    .with_zh(format!(
                        "加入客商库要写明 `{zh}`：哪条产业链、哪个地方的客商库"
                    ))
                    .with_hints(
                        "e.g. add prospect 恩捷股份 chain 锂电池 in 玉溪高新区",
                        "例如：新增 客商 恩捷股份 链 锂电池 在 玉溪高新区",
                    ));
                }
            }
            WriteAction::AddProspect { firm, opts }
        }
        Rule::add_entity => {
            let name = next_name()?;
            let place = next_name()?;
            WriteAction::Add {
                kind,
                name,
                place,
                segments: names.collect(),
                status,
                meeting,
            }
        }
        Rule::note_write => WriteAction::Note {
            kind: note_kind,
            entity: next_name()?,
            text: next_value()?,
        },
        other => return Err(QueryError::internal(format!("unknown write {other:?}"))),
    };
    Ok(Write {
        action,
        reason,
        who,
        span,
    })
}

/// The date in the provenance of a meeting: `会议 2026-12-06` (or `会议2026-12-06`) → the date;
/// anything else stays as written (and is checked as a date when the write runs).
fn meeting_date(text: &str) -> String {
    let t = text.trim();
    t.strip_prefix("会议")
        .map_or(t, str::trim_start)
        .to_string()
}

/// The value of an option: its last pair (a name, value, text or date).
fn last_value(p: Pair<Rule>) -> Name {
    name(p)
}

/// `reason …` and `as …`.
fn common(
    p: Pair<Rule>,
    reason: &mut Option<Name>,
    who: &mut Option<Name>,
) -> Result<(), QueryError> {
    let Some(o) = p.into_inner().next() else {
        return Ok(());
    };
    let at = span_of(&o);
    let (word, slot) = match o.as_rule() {
        Rule::reason_opt => ("reason", reason),
        _ => ("as", who),
    };
    let v = o.into_inner().last().map(last_value);
    set_once(slot, v, word, at)
}

fn set_once(
    slot: &mut Option<Name>,
    value: Option<Name>,
    word: &str,
    at: Span,
) -> Result<(), QueryError> {
    if slot.is_some() {
        return Err(QueryError::syntax(format!("`{word}` is given twice"), at)
            .with_zh(format!("`{word}` 写了两次：每个选项只能写一次")));
    }
    *slot = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn write_of(text: &str) -> Write {
        match parse(text)
            .unwrap_or_else(|e| panic!("{text}: {}", e.render(text)))
            .source
        {
            Source::Write(w) => *w,
            other => panic!("{text}: not a write: {other:?}"),
        }
    }

    #[test]
    fn chinese_and_english_and_both_orders_make_one_write() {
        let canonical = "move project HT-T4-01 to 签约 reason 已有意向方 as 张三";
        for text in [
            canonical,
            "推进 项目 HT-T4-01 到 签约 理由 已有意向方 记录人 张三",
            "项目 HT-T4-01 推进到 签约 记录人 张三 理由 已有意向方",
            "project move HT-T4-01 to 签约 reason \"已有意向方\" as 张三",
        ] {
            let w = write_of(text);
            assert_eq!(w.to_string(), canonical, "{text}");
        }
        let w = write_of(
            "新增 客商 恩捷股份 链 锂电池 在 玉溪高新区 责任单位 市工信局 日期 2026-11-20 联系 \"电话 联系董办\"",
        );
        assert_eq!(
            w.to_string(),
            "add prospect 恩捷股份 chain 锂电池 in 玉溪高新区 on 2026-11-20 contact \"电话 联系董办\" by 市工信局"
        );
        let w =
            write_of("新增 企业 滇中正极 在 玉溪高新区 生产 正极材料, 负极材料 会议 2026-12-06");
        assert_eq!(
            w.to_string(),
            "add firm 滇中正极 in 玉溪高新区 makes 正极材料, 负极材料 meeting 2026-12-06"
        );
        // The brief's spelling: the meeting as a source; a 客商库 entry's note is its contact.
        let w =
            write_of("add firm 滇中正极 in 玉溪高新区 makes 正极材料 source \"会议 2026-12-06\"");
        assert_eq!(
            w.to_string(),
            "add firm 滇中正极 in 玉溪高新区 makes 正极材料 meeting 2026-12-06"
        );
        let w =
            write_of("prospect add 恩捷股份 for 锂电池 in 玉溪高新区 by 市工信局 note \"董办\"");
        assert_eq!(
            w.to_string(),
            "add prospect 恩捷股份 chain 锂电池 in 玉溪高新区 contact 董办 by 市工信局"
        );
        let w = write_of("备注 HT-T4-01 \"意向方要求 2027 年供地\";");
        assert_eq!(w.to_string(), "note HT-T4-01 \"意向方要求 2027 年供地\"");
    }

    #[test]
    fn writes_print_back_to_themselves() {
        for text in [
            "move prospect 恩捷股份 to 已考察 chain 锂电池 in 玉溪高新区 on 2026-12-04 contact 赴上海考察",
            "add project 新项目 in 红塔区 builds 卷烟 status 在谈 meeting \"下周\"",
            "prospect move 恩捷股份 to 在谈",
            "note \"to\" x",
            "备注 产业链 锂电池 \"补正极\"",
            "note project P1 x",
        ] {
            let w = write_of(text);
            let again = write_of(&w.to_string());
            assert_eq!(w, again, "{text} → {w}");
        }
    }

    #[test]
    fn what_the_grammar_leaves_open_is_an_error_at_its_words() {
        let text = "add prospect 恩捷股份 in 玉溪高新区";
        let e = parse(text).unwrap_err();
        assert!(e.message.contains("chain CHAIN"), "{}", e.message);
        assert_eq!(
            &text[e.span.unwrap().start..e.span.unwrap().end],
            "恩捷股份"
        );
        let text = "note X y reason a reason b";
        let e = parse(text).unwrap_err();
        assert!(e.message.contains("twice"), "{}", e.message);
        assert_eq!(&text[e.span.unwrap().start..], "reason b");
        // A write takes no stages and no explain.
        assert!(parse("move project P to 签约 | limit 1").is_err());
        assert!(parse("explain move project P to 签约").is_err());
        // A list query is still one: `项目 在 X` is not the start of a write.
        assert!(matches!(
            parse("项目 在 红塔区").unwrap().source,
            Source::List { .. }
        ));
    }
}
