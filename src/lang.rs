//! The language a user reads (中文 by default, English on request): the one table of column
//! labels and of the values of known-value columns (state, weakness, gap, stage, direction,
//! node kind), mapping the stable ids kept in rows to what each language shows and back.

use std::fmt;

/// The language of what chainkb prints for people. Rows keep stable ids (`missing`, `segment`);
/// labels and values are translated when a table is rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    /// 中文 (the default)
    #[default]
    Zh,
    /// English
    En,
}

/// The environment variable that chooses the language when `--lang` is not given.
pub const ENV: &str = "CHAINKB_LANG";

impl Lang {
    /// `zh` / `en` (also `中文`, `english`, `zh-CN`, `en_US.UTF-8` …); None for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "中文" || s == "cn" || s.starts_with("zh") || s == "chinese" {
            Some(Lang::Zh)
        } else if s == "english" || s == "英文" || s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `--lang` if given, else `CHAINKB_LANG` if it names a language, else 中文.
    pub fn choose(flag: Option<Lang>) -> Lang {
        flag.or_else(|| std::env::var(ENV).ok().and_then(|v| Lang::parse(&v)))
            .unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The text for this language: `l.pick("中文", "English")`.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// What a column shows as its header: its label in this language; a column that is not in
    /// the table (a place's name in `compare`, an alias from `as`) shows as it is named.
    pub fn label(self, id: &str) -> &str {
        match self {
            Lang::En => id,
            Lang::Zh => COLUMNS
                .iter()
                .find(|(c, _)| *c == id)
                .map_or(id, |(_, zh)| zh),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The language of messages made deep below the command line (data-check problems, intake and
/// configuration errors), where no `Lang` is passed down: set by the command line from
/// `--lang` / `CHAINKB_LANG` (and `.lang` in the REPL) before it runs a command, like a
/// process's LC_MESSAGES; 中文 until set. Output and errors that know their reader's language
/// take a `Lang` instead.
static MESSAGES: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Set the language of messages (see [`messages`]). Unit tests must not call it: they share
/// one process and assert the default (中文); tests of the English forms run the binary with
/// `--lang en` or call it from an integration-test binary of their own.
pub fn set_messages(lang: Lang) {
    let v = match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    };
    MESSAGES.store(v, std::sync::atomic::Ordering::Relaxed);
}

/// A TOML value type (`toml::Value::type_str`) in Chinese, for messages about settings and
/// template files: `string` → 字符串; a type it does not know stays as it is.
pub fn toml_type_zh(ty: &str) -> &str {
    match ty {
        "string" => "字符串",
        "integer" => "整数",
        "float" => "小数",
        "boolean" => "布尔值",
        "datetime" => "日期时间",
        "array" => "数组",
        "table" => "表",
        other => other,
    }
}

/// The language of messages: what [`set_messages`] set, else 中文.
pub fn messages() -> Lang {
    match MESSAGES.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Zh,
    }
}

/// [`tr!`] in the language of messages ([`messages`]): `msg!("第 {n} 行", "line {n}")`.
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal $(, $($arg:tt)*)?) => {
        $crate::tr!($crate::lang::messages(), $zh, $en $(, $($arg)*)?)
    };
}

/// Format in the chosen language: `tr!(lang, "{n} 行", "{n} rows")`. Both strings take the
/// same arguments (named ones may be captured from the scope).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $zh:literal, $en:literal $(, $($arg:tt)*)?) => {
        match $lang {
            $crate::lang::Lang::Zh => format!($zh $(, $($arg)*)?),
            $crate::lang::Lang::En => format!($en $(, $($arg)*)?),
        }
    };
}

/// Column id → Chinese label (the English label is the id). Ids are what rows, JSON keys and
/// scripts use; either the id or the label names a column in a query.
pub const COLUMNS: &[(&str, &str)] = &[
    ("name", "名称"),
    ("aliases", "别名"),
    ("segments", "环节"),
    ("industries", "所属产业"),
    ("stage", "阶段"),
    ("chains", "所属产业链"),
    ("inputs", "上游投入"),
    ("users", "下游用户"),
    ("public", "公共职能"),
    ("route_of", "所属环节"),
    ("routes", "技术路线"),
    ("province", "省份"),
    ("city", "城市"),
    ("location", "所在地"),
    ("revenue_yi", "营收（亿元）"),
    ("tags", "标签"),
    ("listing", "上市情况"),
    ("listed_in", "所在名录"),
    ("listed_in_source", "所在名录来源"),
    ("kind", "类型"),
    ("parent", "上级"),
    ("area_km2", "面积（平方公里）"),
    ("focus", "主导方向"),
    ("id", "编号"),
    ("domain", "领域"),
    ("category", "类别"),
    ("investment_yi", "投资额（亿元）"),
    ("land_mu", "用地（亩）"),
    ("start_year", "开工年份"),
    ("end_year", "完工年份"),
    ("status", "项目状态"),
    ("carriers", "承载主体"),
    ("systems", "产业体系"),
    ("listed", "名录"),
    ("listed_source", "名录来源"),
    ("level", "级别"),
    ("place", "地方"),
    ("system", "体系"),
    ("industry", "产业"),
    ("class", "分类"),
    ("target_revenue_yi", "目标营收（亿元）"),
    ("measure", "指标名"),
    ("value", "数值"),
    ("unit", "单位"),
    ("year", "年份"),
    ("text", "原文"),
    ("industry_no", "产业序号"),
    ("number", "条目号"),
    ("heading", "标题"),
    ("item", "条目"),
    ("models", "型号"),
    ("investment_text", "投资额（原文）"),
    ("scale", "规模"),
    ("source", "来源"),
    ("notes", "备注"),
    ("details", "详情"),
    ("segment", "环节名称"),
    ("distance", "距离"),
    ("partners", "本地伙伴数"),
    ("fills", "可补环节"),
    ("path", "路径"),
    ("state", "状态"),
    ("producers", "生产企业"),
    ("projects", "项目"),
    ("weakness", "薄弱原因"),
    ("rank", "排名"),
    ("no", "序号"),
    ("prospect", "客商库"),
    ("credit_code", "统一社会信用代码"),
    ("gap", "缺口类型"),
    ("needed_by", "需求环节"),
    ("dependents", "依赖环节数"),
    ("supplied_from", "供给环节"),
    ("reason", "理由"),
    ("linked", "本地关联环节"),
    ("reach", "关联度"),
    ("direction", "方向"),
    ("density", "密度"),
    ("present_neighbours", "已有相邻环节"),
    ("neighbours", "相邻环节数"),
    ("leading", "龙头企业数"),
    ("chain", "产业链"),
    ("present", "已有"),
    ("planned", "规划在建"),
    ("missing", "缺失"),
    ("unknown", "未知"),
    ("coverage", "覆盖率"),
    ("overlap", "共有地方"),
    ("could_supply", "可互补"),
    ("start", "起点"),
    ("end", "终点"),
    ("end_kind", "终点类型"),
    ("hops", "跳数"),
    ("enterprise", "企业"),
    ("gaps", "对应缺口"),
    ("score", "得分"),
    ("fit", "匹配"),
    ("relation", "关联"),
    ("origin", "地缘"),
    ("plan", "规划"),
    ("query_plan", "执行计划"),
    ("excluded_by", "排除规则"),
    ("park", "园区"),
    ("competitor_firms", "竞争企业"),
    ("competitor_projects", "竞争项目"),
    // What a write statement recorded (the planning journal).
    ("journal_seq", "日志号"),
    ("recorded_at", "记录时间"),
    ("recorded_by", "记录人"),
    ("change", "改动"),
];

/// The index of the column `typed` names among `columns` (ids): by id, else by Chinese label.
pub fn column_index<S: AsRef<str>>(columns: &[S], typed: &str) -> Option<usize> {
    columns
        .iter()
        .position(|c| c.as_ref() == typed)
        .or_else(|| {
            columns
                .iter()
                .position(|c| Lang::Zh.label(c.as_ref()) == typed)
        })
}

/// A column whose values come from a fixed set (each with a stable id kept in rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// A segment's state in a place.
    State,
    /// Why a segment is held weakly.
    Weakness,
    /// A fill gap: 补链, or 断链 (missing between present segments).
    Gap,
    /// Where an extend gap lies from the local chain.
    Direction,
    /// A segment's stage.
    Stage,
    /// A node's kind.
    Kind,
    /// A firm's stage in the 客商库 of a target list's chain and place (未入库, then
    /// `journal::PROSPECT_STAGES`).
    Prospect,
}

/// (id, 中文, English) of each domain's values, in their natural order.
const STATE: &[(&str, &str, &str)] = &[
    ("present", "已有", "present"),
    ("planned", "规划在建", "planned"),
    ("missing", "缺失", "missing"),
    ("unknown", "未知", "unknown"),
];
const WEAKNESS: &[(&str, &str, &str)] = &[
    ("single producer", "单一企业", "single producer"),
    ("no leading firm", "无龙头企业", "no leading firm"),
    ("planned only", "仅有规划", "planned only"),
];
const GAP: &[(&str, &str, &str)] = &[("补链", "补链", "fill"), ("断链", "断链", "broken")];
const DIRECTION: &[(&str, &str, &str)] = &[
    ("upstream", "向上游", "upstream"),
    ("downstream", "向下游", "downstream"),
];
const STAGE: &[(&str, &str, &str)] = &[
    ("上游", "上游", "upstream"),
    ("中游", "中游", "midstream"),
    ("下游", "下游", "downstream"),
];
/// A firm's place in the 客商库: `journal::NOT_ENTERED`, then the stages of
/// `journal::PROSPECT_STAGES`, in order (a test keeps them the same).
const PROSPECT: &[(&str, &str, &str)] = &[
    ("未入库", "未入库", "not entered"),
    ("目标", "目标", "target"),
    ("已接洽", "已接洽", "contacted"),
    ("已考察", "已考察", "visited"),
    ("在谈", "在谈", "negotiating"),
    ("已签约", "已签约", "signed"),
    ("已落地", "已落地", "landed"),
];
const KIND: &[(&str, &str, &str)] = &[
    ("行政区", "行政区", "Region"),
    ("园区", "园区", "Park"),
    ("产业", "产业", "Industry"),
    ("产业链", "产业链", "Chain"),
    ("环节", "环节", "Segment"),
    ("企业", "企业", "Enterprise"),
    ("项目", "项目", "Project"),
];

impl Domain {
    /// The domain of a column by its id, for the columns whose name says it (`state`, …);
    /// node kinds and the state columns of `compare` (named after places) are set by the plan.
    pub fn of_column(id: &str) -> Option<Domain> {
        Some(match id {
            "state" => Domain::State,
            "weakness" => Domain::Weakness,
            "gap" => Domain::Gap,
            "direction" => Domain::Direction,
            "stage" => Domain::Stage,
            "prospect" => Domain::Prospect,
            _ => return None,
        })
    }

    fn values(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Domain::State => STATE,
            Domain::Weakness => WEAKNESS,
            Domain::Gap => GAP,
            Domain::Direction => DIRECTION,
            Domain::Stage => STAGE,
            Domain::Kind => KIND,
            Domain::Prospect => PROSPECT,
        }
    }

    /// How the value with this id shows in `lang` (an unknown id shows as it is).
    pub fn show(self, id: &str, lang: Lang) -> &str {
        self.values()
            .iter()
            .find(|(i, _, _)| *i == id)
            .map_or(id, |(_, zh, en)| lang.pick(zh, en))
    }

    /// The id of a value typed in either language (English case-insensitively), or None.
    pub fn id_of(self, typed: &str) -> Option<&'static str> {
        let t = typed.trim();
        self.values()
            .iter()
            .find(|(id, zh, en)| *id == t || *zh == t || en.eq_ignore_ascii_case(t))
            .map(|(id, _, _)| *id)
    }

    /// The order of two ids of this domain: the values' own order (present, planned, missing,
    /// unknown; 上游, 中游, 下游 …), an id outside the domain after them, by text.
    pub fn cmp_ids(self, a: &str, b: &str) -> std::cmp::Ordering {
        let pos = |id: &str| {
            self.values()
                .iter()
                .position(|(i, _, _)| *i == id)
                .unwrap_or(usize::MAX)
        };
        pos(a).cmp(&pos(b)).then_with(|| a.cmp(b))
    }

    /// Every value in `lang`, in order.
    pub fn shown(self, lang: Lang) -> Vec<&'static str> {
        self.values()
            .iter()
            .map(|(_, zh, en)| lang.pick(*zh, *en))
            .collect()
    }

    /// Every spelling accepted as input (both languages), for "did you mean".
    pub fn spellings(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (_, zh, en) in self.values() {
            out.push(*zh);
            if en != zh {
                out.push(*en);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_not_ids() {
        let mut seen = std::collections::HashMap::new();
        for (id, zh) in COLUMNS {
            assert!(seen.insert(*zh, *id).is_none(), "{zh} twice");
            assert_ne!(id, zh);
        }
    }

    #[test]
    fn every_list_and_target_column_has_a_label_and_the_docs_list_them() {
        use crate::report::lists::ListKind;
        let mut ids: Vec<String> = ListKind::ALL
            .into_iter()
            .flat_map(crate::report::lists::columns)
            .chain(crate::targets::list::target_columns())
            .map(|c| c.name.into_owned())
            .collect();
        ids.extend(["excluded_by".into(), "query_plan".into()]);
        for id in &ids {
            assert_ne!(Lang::Zh.label(id), id, "column `{id}` has no Chinese label");
        }
        let doc = include_str!("../docs/QUERY.md");
        for (id, zh) in COLUMNS {
            assert!(
                doc.contains(&format!("| `{id}` | {zh} |")),
                "docs/QUERY.md does not list `{id}` ({zh})"
            );
        }
    }

    #[test]
    fn the_prospect_domain_is_the_journals_stages_in_order() {
        let ids: Vec<&str> = PROSPECT.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(ids[0], crate::journal::NOT_ENTERED);
        assert_eq!(ids[1..], *crate::journal::PROSPECT_STAGES);
        assert_eq!(Domain::of_column("prospect"), Some(Domain::Prospect));
        assert_eq!(Domain::Prospect.id_of("Signed"), Some("已签约"));
        assert_eq!(
            Domain::Prospect.cmp_ids("已签约", "在谈"),
            std::cmp::Ordering::Greater
        );
    }

    #[test]
    fn columns_are_named_by_id_or_label() {
        let cols = ["segment", "state", "weakness"];
        assert_eq!(column_index(&cols, "state"), Some(1));
        assert_eq!(column_index(&cols, "状态"), Some(1));
        assert_eq!(column_index(&cols, "薄弱原因"), Some(2));
        assert_eq!(column_index(&cols, "现状"), None);
        assert_eq!(Lang::Zh.label("state"), "状态");
        assert_eq!(Lang::En.label("state"), "state");
        assert_eq!(Lang::Zh.label("玉溪高新区"), "玉溪高新区");
    }

    #[test]
    fn values_round_trip_in_both_languages() {
        for d in [
            Domain::State,
            Domain::Weakness,
            Domain::Gap,
            Domain::Direction,
            Domain::Stage,
            Domain::Kind,
            Domain::Prospect,
        ] {
            for (id, zh, en) in d.values() {
                assert_eq!(d.id_of(zh), Some(*id));
                assert_eq!(d.id_of(en), Some(*id));
                assert_eq!(d.show(id, Lang::Zh), *zh);
                assert_eq!(d.show(id, Lang::En), *en);
            }
        }
        assert_eq!(Domain::State.id_of("Missing"), Some("missing"));
        use std::cmp::Ordering::*;
        assert_eq!(Domain::State.cmp_ids("present", "missing"), Less);
        assert_eq!(Domain::State.cmp_ids("unknown", "planned"), Greater);
        assert_eq!(Domain::Stage.cmp_ids("下游", "中游"), Greater);
        assert_eq!(Domain::State.cmp_ids("other", "unknown"), Greater);
        assert_eq!(Domain::State.id_of("缺"), None);
        assert_eq!(Domain::Weakness.id_of("单一企业"), Some("single producer"));
    }

    #[test]
    fn the_language_is_chosen_from_words_people_type() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("中文"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::choose(Some(Lang::En)), Lang::En);
    }

    #[test]
    fn tr_formats_in_the_chosen_language() {
        let n = 3;
        assert_eq!(crate::tr!(Lang::Zh, "{n} 行", "{n} rows"), "3 行");
        assert_eq!(crate::tr!(Lang::En, "{} rows", "{} rows", n), "3 rows");
    }
}
