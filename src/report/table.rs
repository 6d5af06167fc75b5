//! Query results: named columns and rows of values (a graph node stays `Value::Node` until
//! `materialize` names it), and their three printed forms (an aligned table that measures
//! Chinese text by display width, JSON rows, CSV). Rows hold stable ids; the table and CSV forms
//! show column labels and known values in the table's language, JSON keeps the ids (keys and
//! values) for scripts.

use crate::lang::{Domain, Lang};
use crate::model::fmt_yi;
use comfy_table::{ContentArrangement, Table as Comfy, presets};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    /// Amounts are floats in 亿元 and print without trailing zeros.
    Float(f64),
    /// Shared: a name repeated over thousands of rows is one allocation.
    Text(Arc<str>),
    /// A graph node (its index), rendered late: it stays an id through the stages, which
    /// compare it by its display name (`cmp_named`, as if it were that name's `Text`), and
    /// [`materialize`] turns it into that `Text` for the rows returned only. A `Table` handed
    /// to printing, export or drawing holds none.
    Node(u32),
    List(Vec<Value>),
}

/// The display names of graph nodes (`Graph` answers with `Node::name`): what the stages compare
/// a `Value::Node` by, and what [`materialize`] writes. A trait, not `&Graph`, so a test can
/// count the look-ups.
pub trait NodeNames {
    fn node_name(&self, id: u32) -> &str;
}

impl NodeNames for crate::graph::Graph {
    fn node_name(&self, id: u32) -> &str {
        self.node(id).name()
    }
}

/// Turns every `Value::Node` in `rows` into its display name (`Value::Text`), each name made
/// once and shared by every cell that shows it: the last step of a report's pipeline, run on
/// the rows returned only (after `where` / `sort` / `limit` / `select`), so a million-row
/// report cut to ten names ten rows' nodes.
pub fn materialize(rows: &mut [Vec<Value>], names: &dyn NodeNames) {
    let mut made: HashMap<u32, Arc<str>> = HashMap::new();
    fn one(v: &mut Value, names: &dyn NodeNames, made: &mut HashMap<u32, Arc<str>>) {
        match v {
            Value::Node(n) => {
                let text = made
                    .entry(*n)
                    .or_insert_with(|| Arc::from(names.node_name(*n)))
                    .clone();
                *v = Value::Text(text);
            }
            Value::List(items) => items.iter_mut().for_each(|x| one(x, names, made)),
            _ => {}
        }
    }
    for row in rows {
        for v in row.iter_mut() {
            one(v, names, &mut made);
        }
    }
}

impl Value {
    pub fn text(s: impl AsRef<str>) -> Value {
        Value::Text(Arc::from(s.as_ref()))
    }

    pub fn opt_f64(v: Option<f64>) -> Value {
        v.map_or(Value::Null, Value::Float)
    }

    /// Text that is empty in the data ("not stated") is null.
    pub fn opt_text(s: &str) -> Value {
        if s.is_empty() {
            Value::Null
        } else {
            Value::Text(s.into())
        }
    }

    pub fn texts<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Value {
        Value::List(items.into_iter().map(Value::text).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Null, or an empty list: what `is null` matches, `count(COL)` skips and `sort` puts last.
    pub fn is_absent(&self) -> bool {
        match self {
            Value::Null => true,
            Value::List(l) => l.is_empty(),
            _ => false,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Total order of values that hold no node (`cmp_named` for those that may): numbers by
    /// value, then text, then lists; null sorts last. Nodes, with no names to go by, order by
    /// id among themselves and equal to any text.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        self.cmp_with(other, &|x, y| x.total_cmp(y), &|x, y| match (x, y) {
            (Value::Node(a), Value::Node(b)) => Some(a.cmp(b)),
            _ => None,
        })
    }

    /// Total order used by `sort`, `distinct`, `group`, `min` / `max` and comparisons: numbers
    /// by value, then text — a node as its display name, so a row reads and sorts exactly as
    /// if the name were written in it —, then lists; null sorts last.
    pub fn cmp_named(&self, other: &Value, names: &dyn NodeNames) -> Ordering {
        self.cmp_with(other, &|x, y| x.cmp_named(y, names), &|x, y| {
            Some(x.text_named(names)?.cmp(y.text_named(names)?))
        })
    }

    /// The text the value compares as: a node's display name, text as it is; `None` for
    /// numbers, lists and null.
    pub fn text_named<'v>(&'v self, names: &'v dyn NodeNames) -> Option<&'v str> {
        match self {
            Value::Text(t) => Some(t),
            Value::Node(n) => Some(names.node_name(*n)),
            _ => None,
        }
    }

    /// Where the value sorts among the kinds: numbers, text (and nodes), lists, null.
    fn rank(&self) -> u8 {
        match self {
            Value::Int(_) | Value::Float(_) => 0,
            Value::Text(_) | Value::Node(_) => 1,
            Value::List(_) => 2,
            Value::Null => 3,
        }
    }

    /// The order shared by `total_cmp` and `cmp_named`: `item` orders list items, `texts` two
    /// values of the text rank (`None` when it cannot name a node).
    fn cmp_with(
        &self,
        other: &Value,
        item: &dyn Fn(&Value, &Value) -> Ordering,
        texts: &dyn Fn(&Value, &Value) -> Option<Ordering>,
    ) -> Ordering {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (a, b) if a.rank() == 0 && b.rank() == 0 => a
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0)),
            (Value::Text(a), Value::Text(b)) => a.cmp(b),
            (a, b) if a.rank() == 1 && b.rank() == 1 => texts(a, b).unwrap_or(Ordering::Equal),
            (Value::List(a), Value::List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    let o = item(x, y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            }
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }

    /// The value with every node written as its display name (`materialize` for one value).
    pub fn named(&self, names: &dyn NodeNames) -> Value {
        match self {
            Value::Node(n) => Value::text(names.node_name(*n)),
            Value::List(items) => Value::List(items.iter().map(|x| x.named(names)).collect()),
            v => v.clone(),
        }
    }

    /// How the value shows in a table cell or a CSV field.
    pub fn display(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => fmt_yi(*f),
            Value::Text(s) => s.to_string(),
            // Not reached: tables are materialized before they are shown. Visible, not a panic.
            Value::Node(n) => format!("#{n}"),
            Value::List(items) => items
                .iter()
                .map(Value::display)
                .collect::<Vec<_>>()
                .join("、"),
        }
    }

    /// The value as one CSV or spreadsheet cell: lists joined with `;`, the data folder's
    /// list separator.
    pub fn cell(&self) -> String {
        match self {
            Value::List(items) => items
                .iter()
                .map(Value::display)
                .collect::<Vec<_>>()
                .join(";"),
            v => v.display(),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            Value::Float(f) => {
                // The same digits as the table: 3.6, not 3.5999999999999996.
                let s = fmt_yi(*f);
                s.parse::<serde_json::Number>()
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Text(s) => serde_json::Value::String(s.to_string()),
            Value::Node(_) => serde_json::Value::String(self.display()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
        }
    }
}

/// A query result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Things the reader should know that are not rows (e.g. a gap nobody outside produces).
    /// The text form prints them under the table; callers of the CSV and JSON forms print
    /// them on stderr so the data stays machine-readable.
    pub notes: Vec<String>,
    /// The language the text and CSV forms show labels and known values in.
    pub lang: Lang,
    /// Per column, the fixed set its values come from, where the plan knows one that the
    /// column's id does not say (`compare`'s place columns hold states); otherwise
    /// `Domain::of_column` of the id.
    pub domains: Vec<Option<Domain>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Table {
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
            lang: Lang::default(),
            domains: Vec::new(),
        }
    }

    /// The table to be shown in `lang` (rows, notes and ids unchanged).
    pub fn in_lang(mut self, lang: Lang) -> Table {
        self.lang = lang;
        self
    }

    /// The fixed set column `j`'s values come from, if any.
    pub fn domain(&self, j: usize) -> Option<Domain> {
        self.domains
            .get(j)
            .copied()
            .flatten()
            .or_else(|| self.columns.get(j).and_then(|c| Domain::of_column(c)))
    }

    /// Column `j`'s header in the table's language.
    pub fn header(&self, j: usize) -> &str {
        self.columns.get(j).map_or("", |c| self.lang.label(c))
    }

    /// Every header in the table's language (text, CSV, spreadsheets, Markdown).
    pub fn headers(&self) -> Vec<String> {
        (0..self.columns.len())
            .map(|j| self.header(j).to_string())
            .collect()
    }

    /// A value of column `j` as shown in the table's language: known values (a state, a
    /// weakness …) translated from their ids, everything else as it is.
    pub fn shown<'v>(&self, j: usize, v: &'v Value) -> Cow<'v, Value> {
        let Some(d) = self.domain(j) else {
            return Cow::Borrowed(v);
        };
        let one = |x: &Value| match x {
            Value::Text(t) => Value::text(d.show(t, self.lang)),
            x => x.clone(),
        };
        match v {
            Value::Text(_) => Cow::Owned(one(v)),
            Value::List(items) => Cow::Owned(Value::List(items.iter().map(one).collect())),
            v => Cow::Borrowed(v),
        }
    }

    /// The note prefix of the text form: "注：" / "note: ".
    pub fn note_prefix(&self) -> &'static str {
        self.lang.pick("注：", "note: ")
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.to_text(),
            Format::Json => self.to_json(),
            Format::Csv => self.to_csv(),
        }
    }

    /// An aligned table followed by "(N rows)". comfy-table measures CJK characters as two
    /// columns; wrapping is off so output does not depend on the terminal.
    pub fn to_text(&self) -> String {
        self.text(None, None)
    }

    /// [`Table::to_text`] for a terminal: fitted to `width` columns when known (long cells
    /// wrap inside their column instead of the terminal wrapping whole rows into a jumble — the
    /// REPL on a projector), and the row count with the time taken, `(N rows, T ms)`. Files
    /// and scripts keep the unwrapped form.
    pub fn to_text_in_terminal(&self, width: Option<u16>, elapsed_ms: f64) -> String {
        self.text(width, Some(elapsed_ms))
    }

    fn text(&self, width: Option<u16>, elapsed_ms: Option<f64>) -> String {
        let mut t = Comfy::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED).force_no_tty();
        match width {
            Some(w) => t
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w),
            None => t.set_content_arrangement(ContentArrangement::Disabled),
        };
        t.set_header(self.headers());
        for r in &self.rows {
            t.add_row(
                r.iter()
                    .enumerate()
                    .map(|(j, v)| self.shown(j, v).display())
                    .collect::<Vec<_>>(),
            );
        }
        let mut out = format!("{t}\n({})\n", self.count_line(elapsed_ms));
        for note in &self.notes {
            let _ = writeln!(out, "{}{note}", self.note_prefix());
        }
        out
    }

    /// "2 行" / "2 rows", or with the time taken "2 行，0.3 ms" / "2 rows, 0.3 ms" (the footer
    /// of a result).
    pub fn count_line(&self, elapsed_ms: Option<f64>) -> String {
        let n = self.rows.len();
        let rows = match self.lang {
            Lang::Zh => "行",
            Lang::En if n == 1 => "row",
            Lang::En => "rows",
        };
        match elapsed_ms {
            Some(ms) => format!("{n} {rows}{}{ms:.1} ms", self.lang.pick("，", ", ")),
            None => format!("{n} {rows}"),
        }
    }

    /// An array of row objects, keys in column order, one row per line.
    pub fn to_json(&self) -> String {
        if self.rows.is_empty() {
            return "[]\n".into();
        }
        let mut out = String::from("[\n");
        for (i, r) in self.rows.iter().enumerate() {
            out.push_str("  {");
            for (j, (c, v)) in self.columns.iter().zip(r).enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                let key = serde_json::Value::String(c.clone());
                let _ = write!(out, "{key}: {}", v.to_json());
            }
            out.push('}');
            if i + 1 < self.rows.len() {
                out.push(',');
            }
            out.push('\n');
        }
        out.push_str("]\n");
        out
    }

    /// CSV with a header row of labels in the table's language (the ids with `--lang en`);
    /// lists are joined with `;` (the data folder's list separator).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.headers());
        for r in &self.rows {
            let _ = w.write_record(r.iter().enumerate().map(|(j, v)| self.shown(j, v).cell()));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    fn sample() -> Table {
        let mut t = Table::new(&["segment", "investment_yi", "producers"]);
        t.rows.push(vec![
            Value::text("正极材料"),
            Value::Float(80.0),
            Value::texts(["甲", "乙"]),
        ]);
        t.rows
            .push(vec![Value::text("隔膜"), Value::Null, Value::List(vec![])]);
        t
    }

    #[test]
    fn json_keeps_column_order_and_types() {
        let j = sample().to_json();
        assert!(
            j.contains(r#"{"segment": "正极材料", "investment_yi": 80, "producers": ["甲","乙"]}"#),
            "{j}"
        );
        assert!(j.contains(r#""investment_yi": null"#));
        let parsed: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 2);
    }

    #[test]
    fn csv_has_header_and_joined_lists() {
        assert_eq!(
            sample().to_csv(),
            "环节名称,投资额（亿元）,生产企业\n正极材料,80,甲;乙\n隔膜,,\n"
        );
        assert_eq!(
            sample().in_lang(Lang::En).to_csv(),
            "segment,investment_yi,producers\n正极材料,80,甲;乙\n隔膜,,\n"
        );
    }

    #[test]
    fn known_values_show_in_the_language_and_json_keeps_ids() {
        let mut t = Table::new(&["segment", "state", "weakness", "玉溪高新区"]);
        t.domains = vec![None, None, None, Some(Domain::State)];
        t.rows.push(vec![
            Value::text("隔膜"),
            Value::text("present"),
            Value::texts(["single producer", "no leading firm"]),
            Value::text("missing"),
        ]);
        t.notes.push("n".into());
        let zh = t.to_text();
        assert!(zh.contains("状态"), "{zh}");
        assert!(
            zh.contains("已有") && zh.contains("单一企业、无龙头企业"),
            "{zh}"
        );
        assert!(
            zh.contains("缺失") && zh.ends_with("(1 行)\n注：n\n"),
            "{zh}"
        );
        let en = t.clone().in_lang(Lang::En).to_text();
        assert!(en.contains("single producer、no leading firm"), "{en}");
        assert!(en.ends_with("(1 row)\nnote: n\n"), "{en}");
        for j in [t.to_json(), t.clone().in_lang(Lang::En).to_json()] {
            assert!(j.contains(r#""state": "present""#), "{j}");
            assert!(j.contains(r#""玉溪高新区": "missing""#), "{j}");
        }
        assert!(
            t.to_csv().starts_with(
                "环节名称,状态,薄弱原因,玉溪高新区\n隔膜,已有,单一企业;无龙头企业,缺失"
            )
        );
    }

    #[test]
    fn text_table_aligns_chinese() {
        let t = sample().to_text();
        let lines: Vec<&str> = t.lines().collect();
        let w = UnicodeWidthStr::width;
        assert_eq!(w(lines[0]), w(lines[1]));
        assert_eq!(w(lines[1]), w(lines[3]));
        assert!(t.ends_with("(2 行)\n"));
    }

    #[test]
    fn fitted_text_stays_within_the_width_and_keeps_every_character() {
        let mut t = Table::new(&["segment", "projects"]);
        let long = "玉溪高新区新能源电池正极材料产业化项目（年产5万吨磷酸铁锂）、负极材料一体化项目、电解液项目";
        t.rows
            .push(vec![Value::text("正极材料"), Value::text(long)]);
        let fitted = t.to_text_in_terminal(Some(40), 0.0);
        for line in fitted.lines() {
            assert!(
                UnicodeWidthStr::width(line) <= 40,
                "{line:?} is wider than 40:\n{fitted}"
            );
        }
        let kept: String = fitted
            .chars()
            .filter(|c| !c.is_whitespace() && !"│┆".contains(*c))
            .collect();
        for ch in long.chars().filter(|c| !c.is_whitespace()) {
            assert!(kept.contains(ch), "{ch} lost:\n{fitted}");
        }
        assert!(t.to_text().lines().any(|l| UnicodeWidthStr::width(l) > 40));
    }

    /// Node `i` is `NAMES[i]`; two nodes share the name 正极材料.
    struct Names(std::cell::Cell<usize>);
    const NAMES: [&str; 4] = ["隔膜", "正极材料", "电解液", "正极材料"];

    impl NodeNames for Names {
        fn node_name(&self, id: u32) -> &str {
            self.0.set(self.0.get() + 1);
            NAMES.get(id as usize).copied().unwrap_or("")
        }
    }

    #[test]
    fn a_node_orders_and_equals_as_its_name_among_texts() {
        let names = Names(Default::default());
        let cmp = |a: &Value, b: &Value| a.cmp_named(b, &names);
        let (n, t) = (Value::Node, Value::text);
        assert_eq!(cmp(&n(1), &t("正极材料")), Ordering::Equal);
        assert_eq!(cmp(&t("正极材料"), &n(1)), Ordering::Equal);
        assert_eq!(cmp(&n(1), &n(3)), Ordering::Equal, "one name, two nodes");
        // The order of the names themselves, whichever side holds the node.
        for (a, b) in [(0, 1), (1, 2), (0, 2), (2, 0)] {
            let want = NAMES[a].cmp(NAMES[b]);
            assert_eq!(cmp(&n(a as u32), &n(b as u32)), want);
            assert_eq!(cmp(&n(a as u32), &t(NAMES[b])), want);
            assert_eq!(cmp(&t(NAMES[a]), &n(b as u32)), want);
        }
        // Between kinds, as text: after numbers, before lists and null.
        assert_eq!(cmp(&n(0), &Value::Int(1)), Ordering::Greater);
        assert_eq!(cmp(&n(0), &Value::List(vec![])), Ordering::Less);
        assert_eq!(cmp(&n(0), &Value::Null), Ordering::Less);
        // Lists of nodes item by item, by name.
        let list = |v: Vec<Value>| Value::List(v);
        assert_eq!(
            cmp(
                &list(vec![n(1), n(0)]),
                &list(vec![t("正极材料"), t("隔膜")])
            ),
            Ordering::Equal
        );
        assert_eq!(
            cmp(&list(vec![n(0)]), &list(vec![n(0), n(2)])),
            Ordering::Less
        );
        assert_eq!(n(2).text_named(&names), Some("电解液"));
        assert_eq!(Value::Int(2).text_named(&names), None);
        assert_eq!(
            list(vec![n(3), Value::Null]).named(&names),
            list(vec![t("正极材料"), Value::Null])
        );
    }

    #[test]
    fn materialize_names_every_node_once_and_leaves_the_rest() {
        let names = Names(Default::default());
        let mut rows = vec![
            vec![
                Value::Node(1),
                Value::List(vec![Value::Node(0), Value::Node(1)]),
                Value::Int(3),
            ],
            vec![Value::Node(0), Value::Null, Value::text("x")],
        ];
        materialize(&mut rows, &names);
        assert_eq!(
            rows,
            vec![
                vec![
                    Value::text("正极材料"),
                    Value::texts(["隔膜", "正极材料"]),
                    Value::Int(3)
                ],
                vec![Value::text("隔膜"), Value::Null, Value::text("x")],
            ]
        );
        assert_eq!(names.0.get(), 2, "nodes 0 and 1, each looked up once");
        // One name, one allocation, shared by the cells that show it.
        let (Value::Text(a), Value::List(items)) = (&rows[0][0], &rows[0][1]) else {
            panic!("named: {rows:?}");
        };
        let Value::Text(c) = &items[1] else {
            panic!("named: {items:?}");
        };
        assert!(Arc::ptr_eq(a, c));
    }

    #[test]
    fn nulls_sort_last_and_numbers_compare_across_types() {
        assert_eq!(Value::Null.total_cmp(&Value::Int(1)), Ordering::Greater);
        assert_eq!(
            Value::Int(2).total_cmp(&Value::Float(1.5)),
            Ordering::Greater
        );
    }
}
