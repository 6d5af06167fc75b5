//! The query AST: what a statement says, before any name is resolved; prints back as a query.
//!
//! `Display` writes the canonical English spelling, quoting whatever could not be read back as a
//! bare name, so that `parse(ast.to_string()) == ast` for every well-formed AST (a property test
//! holds this). Spans record where each part came from for error messages; they compare equal
//! whatever their value, so the round trip ignores them.

use crate::model::{EdgeKind, Kind};
use std::fmt;

/// A byte range in the statement text. Every `Span` equals every other: spans are carried for
/// error messages and must not make two otherwise equal ASTs differ.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

/// A name as typed: an entity, a place or a column.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

impl Name {
    pub fn new(text: impl Into<String>) -> Name {
        Name {
            text: text.into(),
            span: Span::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub explain: bool,
    pub source: Source,
    pub stages: Vec<Stage>,
}

/// The lists and the walk directions are the report layer's (`report::lists`, `report::walk`).
pub use crate::report::lists::ListKind;
pub use crate::report::walk::Direction;

/// The gap queries' kinds are the report layer's: one `GapKind` for the language and the
/// target lists.
pub use crate::report::gaps::GapKind;

/// Where a chain is looked at: one place (with everything below it), or each park / region.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Named(Name),
    /// `all parks` / `all regions`, with where it was written (for errors).
    AllParks(Span),
    AllRegions(Span),
}

impl Place {
    /// Where the place was written.
    pub fn span(&self) -> Span {
        match self {
            Place::Named(n) => n.span,
            Place::AllParks(s) | Place::AllRegions(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraverseOpts {
    pub depth: Option<(i64, Span)>,
    pub chain: Option<Name>,
    pub place: Option<Place>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Find(Name),
    List {
        kind: ListKind,
        within: Option<Name>,
    },
    Traverse {
        dir: Direction,
        segment: Name,
        opts: TraverseOpts,
    },
    Status {
        chain: Name,
        place: Place,
    },
    Gaps {
        kind: GapKind,
        chain: Name,
        place: Place,
    },
    Build {
        place: Place,
        /// The threshold, with where it was written.
        below: Option<(f64, Span)>,
        /// Also the systems of the places above (`inherited`), labelled so.
        inherited: bool,
    },
    Compare {
        chain: Name,
        places: Vec<Name>,
    },
    Paths {
        from: Name,
        steps: Vec<Step>,
    },
    /// A write to the planning journal: a statement of its own (no `explain`, no stages), run
    /// by the caller's `query::Writer`, never planned.
    Write(Box<Write>),
    /// `partners in PLACE [chain C] [depth d]` (以商招商).
    Partners {
        place: Name,
        chain: Option<Name>,
        depth: Option<(i64, Span)>,
    },
}

/// One hop pattern of `paths`: an edge kind walked forwards (`-[K]->`) or backwards (`<-[K]-`)
/// between `min` and `max` times, ending on a node that matches `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub edge: EdgeKind,
    pub forward: bool,
    pub hops: Option<(i64, Option<i64>)>,
    pub to: NodePat,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePat {
    pub kind: Option<Kind>,
    pub name: Option<Name>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Where(Expr),
    Sort(Vec<SortKey>),
    Limit(i64, Span),
    Select(Vec<SelectItem>),
    Distinct,
    Group {
        by: Vec<Name>,
        aggs: Vec<Agg>,
    },
    Expand(Name),
    /// Target companies for the gap rows (a chain and one place from the source).
    Targets(Span),
}

impl Stage {
    /// The stage's keyword, used to name the clause in semantic errors.
    pub fn keyword(&self) -> &'static str {
        match self {
            Stage::Where(_) => "where",
            Stage::Sort(_) => "sort",
            Stage::Limit(..) => "limit",
            Stage::Select(_) => "select",
            Stage::Distinct => "distinct",
            Stage::Group { .. } => "group",
            Stage::Expand(_) => "expand",
            Stage::Targets(_) => "targets",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub column: Name,
    pub desc: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelectItem {
    pub column: Name,
    pub alias: Option<Name>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFn {
    Count,
    Sum,
    Min,
    Max,
    Avg,
    Collect,
}

impl AggFn {
    pub const ALL: [AggFn; 6] = [
        AggFn::Count,
        AggFn::Sum,
        AggFn::Min,
        AggFn::Max,
        AggFn::Avg,
        AggFn::Collect,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AggFn::Count => "count",
            AggFn::Sum => "sum",
            AggFn::Min => "min",
            AggFn::Max => "max",
            AggFn::Avg => "avg",
            AggFn::Collect => "collect",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Agg {
    pub func: AggFn,
    pub column: Option<Name>,
    pub alias: Option<Name>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value or a column in a condition. A bare `Ident` is a column when the input has one of
/// that name; otherwise, on the right of a comparison, it is text (`stage = 上游`).
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Ident(Name),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Two or more alternatives.
    Or(Vec<Expr>),
    /// Two or more conditions.
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Vec<Operand>),
    Contains(Operand, Operand),
    IsNull(Operand, bool),
}

// ------------------------------------------------------------------------------------ Display

/// Whether `s` reads back as a bare name: an identifier (XID), possibly with `-` between two
/// word characters (`YXGX-T4-006`), whose part before the first `-` is not a keyword. (A
/// keyword ends where no word character follows, so `in-park` reads as the keyword `in` and
/// needs quotes, while `input` is a name.)
pub fn is_bare(s: &str) -> bool {
    let mut chars = s.chars().peekable();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first == '_' || unicode_ident_start(first)) {
        return false;
    }
    while let Some(c) = chars.next() {
        let ok = unicode_ident_continue(c)
            || (c == '-' && chars.peek().is_some_and(|&n| unicode_ident_continue(n)));
        if !ok {
            return false;
        }
    }
    let head = s.split('-').next().unwrap_or(s);
    !super::keywords::is_keyword(head)
}

fn unicode_ident_start(c: char) -> bool {
    pest::unicode::XID_START(c)
}

fn unicode_ident_continue(c: char) -> bool {
    pest::unicode::XID_CONTINUE(c)
}

/// `s` quoted as a string literal of the language.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_bare(&self.text) {
            f.write_str(&self.text)
        } else {
            f.write_str(&quote(&self.text))
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Named(n) => n.fmt(f),
            Place::AllParks(_) => f.write_str("all parks"),
            Place::AllRegions(_) => f.write_str("all regions"),
        }
    }
}

/// A float that reads back as a float (never as an int: `3` would).
pub fn float_text(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.explain {
            f.write_str("explain ")?;
        }
        write!(f, "{}", self.source)?;
        for s in &self.stages {
            write!(f, " | {s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Find(n) => write!(f, "find {n}"),
            Source::List { kind, within } => {
                f.write_str(kind.keyword())?;
                if let Some(w) = within {
                    let prep = if *kind == ListKind::Segments {
                        "of"
                    } else {
                        "in"
                    };
                    write!(f, " {prep} {w}")?;
                }
                Ok(())
            }
            Source::Traverse { dir, segment, opts } => {
                let kw = match dir {
                    Direction::Upstream => "upstream",
                    Direction::Downstream => "downstream",
                };
                write!(f, "{kw} {segment}")?;
                if let Some((d, _)) = opts.depth {
                    write!(f, " depth {d}")?;
                }
                if let Some(c) = &opts.chain {
                    write!(f, " chain {c}")?;
                }
                if let Some(p) = &opts.place {
                    write!(f, " in {p}")?;
                }
                Ok(())
            }
            Source::Status { chain, place } => write!(f, "status {chain} in {place}"),
            Source::Gaps { kind, chain, place } => {
                write!(f, "{} {chain} in {place}", kind.keyword())
            }
            Source::Build {
                place,
                below,
                inherited,
            } => {
                write!(f, "build in {place}")?;
                if let Some((b, _)) = below {
                    write!(f, " below {}", float_text(*b))?;
                }
                if *inherited {
                    write!(f, " inherited")?;
                }
                Ok(())
            }
            Source::Compare { chain, places } => {
                write!(f, "compare {chain} in ")?;
                for (i, p) in places.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            Source::Paths { from, steps } => {
                write!(f, "paths from {from}")?;
                for s in steps {
                    write!(f, " {s}")?;
                }
                Ok(())
            }
            Source::Write(w) => write!(f, "{w}"),
            Source::Partners {
                place,
                chain,
                depth,
            } => {
                write!(f, "partners in {place}")?;
                if let Some(c) = chain {
                    write!(f, " chain {c}")?;
                }
                if let Some((d, _)) = depth {
                    write!(f, " depth {d}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hops = match self.hops {
            None => String::new(),
            Some((a, None)) => format!("*{a}"),
            Some((a, Some(b))) => format!("*{a}..{b}"),
        };
        if self.forward {
            write!(f, "-[{}{hops}]->", self.edge)?;
        } else {
            write!(f, "<-[{}{hops}]-", self.edge)?;
        }
        f.write_str("(")?;
        match (&self.to.kind, &self.to.name) {
            (None, None) => {}
            (Some(k), None) => write!(f, "{k}")?,
            // A lone name that spells a kind would read back as the kind: quote it.
            (None, Some(n)) if kind_from_word(&n.text).is_some() => f.write_str(&quote(&n.text))?,
            (None, Some(n)) => write!(f, "{n}")?,
            (Some(k), Some(n)) => write!(f, "{k} {n}")?,
        }
        f.write_str(")")
    }
}

/// A node kind by its English name (any case) or Chinese label, as used in path patterns.
pub fn kind_from_word(w: &str) -> Option<Kind> {
    Kind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(w) || k.label_zh() == w)
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Where(e) => write!(f, "where {e}"),
            Stage::Sort(keys) => {
                f.write_str("sort ")?;
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", k.column)?;
                    match k.desc {
                        Some(true) => f.write_str(" desc")?,
                        Some(false) => f.write_str(" asc")?,
                        None => {}
                    }
                }
                Ok(())
            }
            Stage::Limit(n, _) => write!(f, "limit {n}"),
            Stage::Select(items) => {
                f.write_str("select ")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", it.column)?;
                    if let Some(a) = &it.alias {
                        write!(f, " as {a}")?;
                    }
                }
                Ok(())
            }
            Stage::Distinct => f.write_str("distinct"),
            Stage::Group { by, aggs } => {
                f.write_str("group")?;
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    for (i, b) in by.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{b}")?;
                    }
                }
                if !aggs.is_empty() {
                    f.write_str(" with ")?;
                    for (i, a) in aggs.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{a}")?;
                    }
                }
                Ok(())
            }
            Stage::Expand(c) => write!(f, "expand {c}"),
            Stage::Targets(_) => write!(f, "targets"),
        }
    }
}

impl fmt::Display for Agg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.func.as_str())?;
        if let Some(c) = &self.column {
            write!(f, "{c}")?;
        }
        f.write_str(")")?;
        if let Some(a) = &self.alias {
            write!(f, " as {a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Null => f.write_str("null"),
            Operand::Int(i) => write!(f, "{i}"),
            Operand::Float(x) => f.write_str(&float_text(*x)),
            Operand::Text(s) => f.write_str(&quote(s)),
            // Idents are bare by construction (the parser only makes them from bare words).
            Operand::Ident(n) => f.write_str(&n.text),
        }
    }
}

impl Expr {
    /// Conditions that print without parentheses inside `and` / `or` / `not`.
    fn is_atom(&self) -> bool {
        !matches!(self, Expr::Or(_) | Expr::And(_))
    }

    fn fmt_child(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_atom() {
            write!(f, "{self}")
        } else {
            write!(f, "({self})")
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(items) | Expr::And(items) => {
                let sep = if matches!(self, Expr::Or(_)) {
                    " or "
                } else {
                    " and "
                };
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    e.fmt_child(f)?;
                }
                Ok(())
            }
            Expr::Not(_) => {
                // A run of `not`s is a loop: printing recurses only per `and` / `or` level.
                let mut e = self;
                while let Expr::Not(x) = e {
                    f.write_str("not ")?;
                    e = x;
                }
                e.fmt_child(f)
            }
            Expr::Cmp(a, op, b) => write!(f, "{a} {} {b}", op.as_str()),
            Expr::In(a, list) => {
                write!(f, "{a} in [")?;
                for (i, v) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Expr::Contains(a, b) => write!(f, "{a} contains {b}"),
            Expr::IsNull(a, negated) => {
                if *negated {
                    write!(f, "{a} is not null")
                } else {
                    write!(f, "{a} is null")
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------------ writes

/// A write statement (docs/PLANNING.md): what to record in the journal, and the options every
/// write takes (`reason …`, `as …`).
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    pub action: WriteAction,
    /// Why (`reason` / `理由`).
    pub reason: Option<Name>,
    /// Who (`as` / `记录人`; else the user of the operating system).
    pub who: Option<Name>,
    pub span: Span,
}

/// What a write records.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteAction {
    /// `move project P to STATUS`: along the closed loop.
    MoveProject { project: Name, to: Name },
    /// `add prospect FIRM chain C in PLACE …`: a firm enters the 客商库.
    AddProspect { firm: Name, opts: ProspectOpts },
    /// `move prospect FIRM to STAGE …`: a 客商库 entry moves on (or a contact is recorded).
    MoveProspect {
        firm: Name,
        to: Name,
        opts: ProspectOpts,
    },
    /// `add firm|project NAME in PLACE makes|builds SEG, … [status S] [meeting DATE]`.
    Add {
        kind: AddKind,
        name: Name,
        place: Name,
        segments: Vec<Name>,
        status: Option<Name>,
        meeting: Option<Name>,
    },
    /// `note [KIND] ENTITY TEXT`.
    Note {
        kind: Option<Kind>,
        entity: Name,
        text: Name,
    },
}

/// What `add` adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddKind {
    Firm,
    Project,
}

/// The options of a 客商库 write, each at most once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProspectOpts {
    pub chain: Option<Name>,
    pub place: Option<Name>,
    pub stage: Option<Name>,
    pub date: Option<Name>,
    pub contact: Option<Name>,
    pub responsible: Option<Name>,
}

impl WriteAction {
    /// The statement's words in English, naming the clause in errors (`move project`).
    pub fn keyword(&self) -> &'static str {
        match self {
            WriteAction::MoveProject { .. } => "move project",
            WriteAction::AddProspect { .. } => "add prospect",
            WriteAction::MoveProspect { .. } => "move prospect",
            WriteAction::Add {
                kind: AddKind::Firm,
                ..
            } => "add firm",
            WriteAction::Add {
                kind: AddKind::Project,
                ..
            } => "add project",
            WriteAction::Note { .. } => "note",
        }
    }
}

/// The keyword a note's kind is written with (`note chain 锂电池 …`).
pub fn note_kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Chain => "chain",
        Kind::Segment => "segments",
        Kind::Enterprise => "firm",
        Kind::Project => "project",
        Kind::Park => "parks",
        Kind::Region => "regions",
        Kind::Industry => "industries",
    }
}

/// A date as written: bare when it is `YYYY-MM-DD`, else quoted.
struct DateText<'a>(&'a Name);

impl fmt::Display for DateText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.0.text;
        let b = t.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if shaped {
            f.write_str(t)
        } else {
            f.write_str(&quote(t))
        }
    }
}

impl fmt::Display for ProspectOpts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.chain {
            write!(f, " chain {c}")?;
        }
        if let Some(p) = &self.place {
            write!(f, " in {p}")?;
        }
        if let Some(s) = &self.stage {
            write!(f, " stage {s}")?;
        }
        if let Some(d) = &self.date {
            write!(f, " on {}", DateText(d))?;
        }
        if let Some(c) = &self.contact {
            write!(f, " contact {c}")?;
        }
        if let Some(r) = &self.responsible {
            write!(f, " by {r}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Write {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.action {
            WriteAction::MoveProject { project, to } => {
                write!(f, "move project {project} to {to}")?
            }
            WriteAction::AddProspect { firm, opts } => write!(f, "add prospect {firm}{opts}")?,
            WriteAction::MoveProspect { firm, to, opts } => {
                write!(f, "move prospect {firm} to {to}{opts}")?
            }
            WriteAction::Add {
                kind,
                name,
                place,
                segments,
                status,
                meeting,
            } => {
                let (what, verb) = match kind {
                    AddKind::Firm => ("firm", "makes"),
                    AddKind::Project => ("project", "builds"),
                };
                write!(f, "add {what} {name} in {place} {verb} ")?;
                for (i, s) in segments.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{s}")?;
                }
                if let Some(s) = status {
                    write!(f, " status {s}")?;
                }
                if let Some(m) = meeting {
                    write!(f, " meeting {}", DateText(m))?;
                }
            }
            WriteAction::Note { kind, entity, text } => {
                f.write_str("note ")?;
                if let Some(k) = kind {
                    write!(f, "{} ", note_kind_word(*k))?;
                }
                write!(f, "{entity} {text}")?
            }
        }
        if let Some(r) = &self.reason {
            write!(f, " reason {r}")?;
        }
        if let Some(w) = &self.who {
            write!(f, " as {w}")?;
        }
        Ok(())
    }
}
