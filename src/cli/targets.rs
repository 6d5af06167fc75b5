//! `chainkb targets` (target-company lists for a chain's gaps in a place) and `chainkb route`
//! (which parks fit a project), printed as tables or written to .xlsx/.csv/.md/.json.

use super::{Failure, resolve_one};
use crate::export::{About, Sheet};
use crate::graph::Graph;
use crate::lang::Lang;
use crate::model::{Attrs, Kind};
use crate::report::{Format, Table, Value};
use crate::targets::config::{RuleSet, Weights, parse_rules};
use crate::targets::{Gap, list, route};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct TargetArgs {
    /// 产业链（为其缺口招商）/ The chain whose gaps to recruit for.
    pub chain: String,
    /// 招商的园区或行政区 / The park or region recruiting.
    #[arg(long = "in", value_name = "PLACE")]
    pub place: String,
    /// 缺口类型：补链 fill、延链 extend、强链 strengthen 或 all；给了 --segment 时不用 / Which
    /// gaps: fill (补链), extend (延链), strengthen (强链) or all. Ignored with --segment.
    #[arg(long, default_value = "fill")]
    pub gaps: String,
    /// 为这些环节招商，而不是算出的缺口（如 电解液,铜箔，或重复给出）/ Recruit for these segments
    /// instead of computed gaps (a list, e.g. 电解液,铜箔; or repeated).
    #[arg(long = "segment", value_name = "SEGMENT")]
    pub segments: Vec<String>,
    /// 列出多少家（至少 1）/ How many candidates to list (at least 1).
    #[arg(long, default_value_t = 30, value_parser = parse_limit)]
    pub limit: usize,
    /// 只列总部在这些区域的企业（如 长三角,珠三角；`，` `、` `；` 也可分隔）/ Only candidates
    /// headquartered in these regions (e.g. 长三角,珠三角; `，` `、` `；` separate too).
    #[arg(long)]
    pub origin: Vec<String>,
    /// 只列至少有其中一个标签的企业（如 上市,中国500强）/ Only candidates with at least one of
    /// these tags (e.g. 上市,中国500强; `，` `、` `；` separate too).
    #[arg(long)]
    pub tag: Vec<String>,
    /// 计划单个项目投资额（亿元），按最低投资额规则检查 / Planned single-project investment in
    /// 亿元, checked against minimum-investment rules.
    #[arg(long, value_parser = parse_yi, allow_negative_numbers = true)]
    pub investment: Option<f64>,
    /// 评分权重文件（TOML，覆盖 config/target-weights.toml 的同名键）/ Score weights (TOML; keys
    /// override config/target-weights.toml).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// 准入规则文件（TOML，取代 config/admission-rules.toml）/ Admission rules (TOML; replaces
    /// config/admission-rules.toml).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// 改为列出被准入规则排除的企业及规则 / List the candidates that admission rules exclude,
    /// with the rule, instead.
    #[arg(long)]
    pub excluded: bool,
    /// 不列客商库中（此地此链）已签约或已落地的企业 / Leave out firms of the prospect list
    /// (for this place and chain) already signed or settled.
    #[arg(long)]
    pub exclude_signed: bool,
    /// 输出格式 / Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// 写入文件（.xlsx、.csv、.md 或 .json）而不打印 / Write to a file (.xlsx, .csv, .md or
    /// .json) instead of printing.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RouteArgs {
    /// 项目建设的环节（或用 --project）/ Segments the project builds (or use --project).
    pub segments: Vec<String>,
    /// 流转已有项目：用它的环节和投资额 / Route an existing project: its segments and investment.
    #[arg(long)]
    pub project: Option<String>,
    /// 计划投资额（亿元，按最低投资额规则检查）/ Planned investment in 亿元 (checked against
    /// minimum-investment rules).
    #[arg(long, value_parser = parse_yi, allow_negative_numbers = true)]
    pub investment: Option<f64>,
    /// 项目类别，按标签规则检查（如 限制类,严重污染环境）；给了 --project 时也查承载企业的标签（如
    /// 失信）/ The project's classes, checked against tag rules (e.g. 限制类,严重污染环境; `，` `、`
    /// `；` separate too); with --project, its carriers' tags (e.g. 失信) are checked too.
    #[arg(long)]
    pub tag: Vec<String>,
    /// 列出多少个园区（至少 1）/ How many parks to list (at least 1).
    #[arg(long, default_value_t = 10, value_parser = parse_limit)]
    pub limit: usize,
    /// 流转权重文件（TOML，其 [route] 节覆盖 config/target-weights.toml 的同名键）/ Routing
    /// weights (TOML; keys of its [route] section override those of config/target-weights.toml).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// 准入规则文件（TOML，取代 config/admission-rules.toml）/ Admission rules (TOML; replaces
    /// config/admission-rules.toml).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// 输出格式 / Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// 写入文件（.xlsx、.csv、.md 或 .json）而不打印 / Write to a file (.xlsx, .csv, .md or
    /// .json) instead of printing.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// A row count of at least 1 (an empty list from `--limit 0` would look like "nobody fits").
/// (A clap value parser: clap shows its `String` error under the argument's name and exits
/// as for any usage error, so a typed error would add nothing.)
fn parse_limit(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(crate::msg!(
            "`{text}` 不是行数：请用至少为 1 的整数",
            "`{text}` is not a count of rows: use a whole number of at least 1"
        )),
    }
}

/// An amount in 亿元: a finite, non-negative decimal (a NaN would silently pass every
/// minimum-investment rule). (A clap value parser, as `parse_limit`.)
fn parse_yi(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(crate::msg!(
            "`{text}` 不是以亿元计的金额：请用非负小数，如 0.3（万元 ÷ 10000）",
            "`{text}` is not an amount in 亿元: use a non-negative decimal, e.g. 0.3 (万元 ÷ 10000)"
        )),
    }
}

fn read_opt(path: &Option<PathBuf>) -> Result<Option<String>, Failure> {
    path.as_ref()
        .map(|p| {
            std::fs::read_to_string(p).map_err(|e| {
                let p = p.display();
                Failure::user(crate::msg!("无法读取 {p}：{e}", "cannot read {p}: {e}"))
            })
        })
        .transpose()
}

/// The weights of config/target-weights.toml, overridden key by key by a user file.
fn weights_from(path: &Option<PathBuf>) -> Result<Weights, Failure> {
    let text = read_opt(path)?;
    Weights::parse(text.as_deref()).map_err(|e| {
        let file = path
            .as_ref()
            .map_or("config/target-weights.toml".into(), |p| {
                p.display().to_string()
            });
        let e = e.render(crate::lang::messages());
        Failure::user(crate::msg!("{file}：{e}", "{file}: {e}"))
    })
}

fn rules_from(path: &Option<PathBuf>) -> Result<RuleSet, Failure> {
    let text = read_opt(path)?;
    parse_rules(text.as_deref()).map_err(|e| {
        let file = path
            .as_ref()
            .map_or("config/admission-rules.toml".into(), |p| {
                p.display().to_string()
            });
        let e = e.render(crate::lang::messages());
        Failure::user(crate::msg!("{file}：{e}", "{file}: {e}"))
    })
}

/// Print the table's notes on stderr (the text form prints them under the table itself).
fn notes_to_stderr(table: &Table) {
    for note in &table.notes {
        stderrln!("{}{note}", table.note_prefix());
    }
}

/// The command line as typed, for a hand-out's 说明 sheet (arguments with spaces quoted).
pub(crate) fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|a| {
            if a.is_empty() || a.chars().any(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a
            }
        })
        .collect();
    format!("chainkb {}", args.join(" "))
}

/// Print or write a table, with its notes: under the table, or on stderr for CSV, JSON and
/// files, so the data stays machine-readable.
fn emit(
    table: &Table,
    format: Format,
    output: &Option<PathBuf>,
    sheet: &str,
    about: &About,
    lang: Lang,
) -> Result<(), Failure> {
    let table = &table.clone().in_lang(lang);
    match output {
        Some(path) => {
            crate::export::write_table(table, path, sheet, about)?;
            let n = table.rows.len();
            match lang {
                Lang::Zh => stderrln!("已把 {n} 行写入 {}", path.display()),
                Lang::En => stderrln!(
                    "wrote {} to {}",
                    super::counted(n, "row", "rows"),
                    path.display()
                ),
            }
            notes_to_stderr(table);
        }
        None => {
            use std::io::Write as _;
            stdout!("{}", table.render(format));
            if format != Format::Table {
                let _ = std::io::stdout().flush();
                notes_to_stderr(table);
            }
        }
    }
    Ok(())
}

/// The rows of `ranked` (a target list's rows, best first) that fill `gap`, at most `limit`,
/// ranked among themselves by score (ties share a rank) and numbered 1..n: a per-gap sheet
/// never shows the rank of the whole list.
pub fn per_gap_rows(
    columns: &[String],
    ranked: &[Vec<Value>],
    gap: &str,
    limit: usize,
) -> Vec<Vec<Value>> {
    let col = |name: &str| columns.iter().position(|c| c == name);
    let (gaps_col, score_col, rank_col) = (col("gaps"), col("score"), col("rank"));
    let mut rows: Vec<Vec<Value>> = ranked
        .iter()
        .filter(|r| match gaps_col.and_then(|i| r.get(i)) {
            Some(Value::List(items)) => items.iter().any(|v| v.display() == gap),
            _ => false,
        })
        .take(limit)
        .cloned()
        .collect();
    if let (Some(rc), Some(sc)) = (rank_col, score_col) {
        let ranks = crate::report::gaps::competition_ranks(&rows, |a, b| a.get(sc) == b.get(sc));
        for (row, rank) in rows.iter_mut().zip(ranks) {
            if let Some(v) = row.get_mut(rc) {
                *v = Value::Int(rank as i64);
            }
        }
    }
    if let Some(i) = col(list::NO) {
        list::renumber_rows(&mut rows, i);
    }
    rows
}

/// `prospects`: the 客商库 (from the journal), shown as a column and, with `--exclude-signed`,
/// leaving out firms already signed.
pub fn run_targets(
    g: &Graph,
    prospects: &[crate::journal::Prospect],
    a: TargetArgs,
    data: &str,
    lang: Lang,
) -> Result<(), Failure> {
    let chain = resolve_one(g, &a.chain, &[Kind::Chain])?;
    let place = resolve_one(g, &a.place, &[Kind::Park, Kind::Region])?;
    let weights = weights_from(&a.weights)?;
    let rules = rules_from(&a.rules)?;
    let gaps = if a.segments.is_empty() {
        let kinds = list::parse_gap_kinds(&a.gaps)?;
        list::compute_gaps(g, chain, place, &kinds)
    } else {
        list::split_list(&a.segments)
            .iter()
            .map(|s| {
                let segment = resolve_one(g, s, &[Kind::Segment])?;
                list::check_chain_segment(g, chain, segment)?;
                Ok(Gap::named(segment))
            })
            .collect::<Result<_, Failure>>()?
    };
    if gaps.is_empty() {
        let (chain, place, kinds) = (g.node(chain).name(), g.node(place).name(), &a.gaps);
        let kinds_zh = kinds
            .replace("strengthen", "强链")
            .replace("extend", "延链")
            .replace("fill", "补链")
            .replace("all", "任何");
        stderrln!(
            "{}",
            crate::msg!(
                "{place} 没有 {chain} 的{kinds_zh}缺口",
                "no {kinds} gaps of {chain} in {place}"
            )
        );
    }
    let gap_names: Vec<String> = gaps
        .iter()
        .map(|gp| g.node(gp.segment).name().to_string())
        .collect();
    // An unknown extension is refused before any work.
    if let Some(path) = &a.output {
        crate::export::ExportFormat::from_path(path)?;
    }
    let is_xlsx = a
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let origin = list::split_list(&a.origin);
    let tags = list::split_list(&a.tag);
    // The workbook's per-gap sheets take each gap's best firms from the whole ranking, not
    // from the overall top `--limit` (where a gap whose firms rank lower would vanish).
    let input = list::Input {
        chain,
        place,
        gaps,
        limit: if is_xlsx {
            usize::MAX
        } else {
            // Room for the signed firms that are left out below.
            a.limit.saturating_add(prospects.len())
        },
        origin: origin.clone(),
        tags: tags.clone(),
        investment: a.investment,
        excluded: a.excluded,
        weights,
        rules,
    };
    let (weights, rules) = (&input.weights, &input.rules);
    let mut table = list::table(g, &input, lang)?;
    super::journal::mark_prospects(&mut table, g, chain, place, a.exclude_signed);
    if !is_xlsx {
        table.rows.truncate(a.limit);
    }
    let (chain_name, place_name) = (g.node(chain).name(), g.node(place).name());
    let sheet = format!("{chain_name} {place_name}");
    let mut filters = vec![
        format!("环节 {}", gap_names.join("、")),
        format!("每表至多 {} 家", a.limit),
    ];
    if !origin.is_empty() {
        filters.push(format!("来源地 {}", origin.join("、")));
    }
    if !tags.is_empty() {
        filters.push(format!("标签 {}", tags.join("、")));
    }
    if let Some(inv) = a.investment {
        filters.push(format!("拟投资 {} 亿元", crate::model::fmt_yi(inv)));
    }
    if a.excluded {
        filters.push("只列被准入规则排除的企业".into());
    }
    let about = About {
        title: format!(
            "{chain_name} · {place_name} 招商目标企业清单{}",
            if a.excluded { "（被排除者）" } else { "" }
        ),
        statement: command_line(),
        data: data.to_string(),
        rows: vec![
            ("筛选".into(), filters.join("；")),
            (
                "排名与序号".into(),
                "排名(rank)：按得分在全部候选企业中的名次（同分同名次，筛选不改变名次）；\
                 序号(no)：本表行号 1..n。分环节工作表中排名为该环节内的名次。"
                    .into(),
            ),
            ("评分权重".into(), list::weights_summary(weights)),
            ("准入规则".into(), list::rules_summary(rules)),
        ],
    };
    if let (true, Some(path)) = (is_xlsx, &a.output) {
        // For the recruiting trip: the list, then one sheet per gap segment with its own best
        // `--limit` firms, ranked and numbered within the sheet.
        let ranked = std::mem::take(&mut table.rows);
        table.rows = ranked.iter().take(a.limit).cloned().collect();
        let per_gap: Vec<(String, Table)> = gap_names
            .iter()
            .map(|gap| {
                let t = Table {
                    columns: table.columns.clone(),
                    rows: per_gap_rows(&table.columns, &ranked, gap, a.limit),
                    notes: Vec::new(),
                    lang: table.lang,
                    domains: table.domains.clone(),
                };
                (gap.clone(), t)
            })
            .filter(|(_, t)| !t.rows.is_empty())
            .collect();
        let mut sheets = vec![Sheet {
            name: sheet,
            table: &table,
        }];
        sheets.extend(per_gap.iter().map(|(n, t)| Sheet {
            name: n.clone(),
            table: t,
        }));
        crate::export::write_xlsx_sheets(&sheets, &about, path)?;
        let (n, k) = (table.rows.len(), sheets.len());
        match lang {
            Lang::Zh if k == 1 => {
                stderrln!("已把 {n} 行写入 {}（1 张工作表，另有说明）", path.display())
            }
            Lang::Zh => stderrln!(
                "已把 {n} 行写入 {}（{k} 张工作表：全部，然后每个缺口一张；另有说明）",
                path.display()
            ),
            Lang::En => {
                let what = if k == 1 {
                    "1 sheet".to_string()
                } else {
                    format!("{k} sheets: all, then one per gap")
                };
                stderrln!(
                    "wrote {} to {} ({what}, and 说明)",
                    super::counted(n, "row", "rows"),
                    path.display(),
                )
            }
        }
        notes_to_stderr(&table);
        return Ok(());
    }
    emit(&table, a.format, &a.output, &sheet, &about, lang)
}

pub fn run_route(g: &Graph, a: RouteArgs, data: &str, lang: Lang) -> Result<(), Failure> {
    let weights = weights_from(&a.weights)?;
    let rules = rules_from(&a.rules)?;
    let mut segments: Vec<u32> = a
        .segments
        .iter()
        .map(|s| resolve_one(g, s, &[Kind::Segment]))
        .collect::<Result<_, _>>()?;
    let mut investment = a.investment;
    let classes = list::split_list(&a.tag);
    list::check_tags(&classes)?;
    let mut tags: Vec<&str> = classes.iter().map(String::as_str).collect();
    let mut project = None;
    if let Some(p) = &a.project {
        let p = resolve_one(g, p, &[Kind::Project])?;
        project = Some(p);
        for (s, _) in g.neighbors(
            p,
            crate::model::EdgeKind::Builds,
            petgraph::Direction::Outgoing,
        ) {
            if !segments.contains(&s) {
                segments.push(s);
            }
        }
        for (carrier, _) in g.neighbors(
            p,
            crate::model::EdgeKind::CarriedBy,
            petgraph::Direction::Outgoing,
        ) {
            if let Attrs::Enterprise(e) = &g.node(carrier).attrs {
                tags.extend(e.tags.iter().map(|t| &**t));
            }
        }
        if investment.is_none()
            && let Attrs::Project(pa) = &g.node(p).attrs
        {
            investment = pa.investment_yi;
        }
    }
    if segments.is_empty() {
        return Err(Failure::user(crate::msg!(
            "请写出项目建设的环节，或用 --project 编号",
            "name the segments the project builds, or --project ID"
        )));
    }
    let input = route::Input {
        segments,
        project,
        investment,
        tags: tags.into_iter().map(String::from).collect(),
        limit: a.limit,
        weights: weights.route,
        rules,
    };
    let t = route::table(g, &input, lang)?;
    let (segments, w, rules) = (&input.segments, &input.weights, &input.rules);
    let names: Vec<&str> = segments.iter().map(|&s| g.node(s).name()).collect();
    let f = crate::model::fmt_yi;
    let about = About {
        title: format!("项目流转 {}", names.join("、")),
        statement: command_line(),
        data: data.to_string(),
        rows: vec![
            (
                "评分权重".into(),
                format!(
                    "得分 = 主导产业契合分 + {} × 相邻环节在园占比。主导产业：园区自身主导产业为所建环节 {}、\
                     其产业链 {}、其产业 {}；所属上级地区的主导产业按 {} 倍计。",
                    f(w.neighbours),
                    f(w.focus_segment),
                    f(w.focus_chain),
                    f(w.focus_industry),
                    f(w.inherited_focus)
                ),
            ),
            ("准入规则".into(), list::rules_summary(rules)),
        ],
    };
    emit(
        &t,
        a.format,
        &a.output,
        &format!("项目流转 {}", names.join(" ")),
        &about,
        lang,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn investment_must_be_a_finite_non_negative_amount() {
        assert_eq!(super::parse_yi("0.3"), Ok(0.3));
        assert_eq!(super::parse_yi(" 5 "), Ok(5.0));
        for bad in ["nan", "inf", "-1", "3亿", ""] {
            let err = super::parse_yi(bad).unwrap_err();
            assert!(err.contains("亿元"), "{bad}: {err}");
        }
    }
}
