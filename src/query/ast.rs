//! The query AST: what a statement says, before any name is resolved; prints back as a query.
//!
//! `Display` writes the canonical English spelling, quoting whatever could not be read back as a
//! bare name, so that `parse(ast.to_string()) == ast` for every well-formed AST (a property test
//! holds this). Spans record where each part came from for error messages; they compare equal
//! whatever their value, so the round trip ignores them.

use crate::model::{EdgeKind, Kind};
use std::fmt;

mod display;

pub use display::*;

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
    /// `producers [outside|in PLACE]`: the firms that make any segment the rows are about, by
    /// revenue (issue 16, Q3).
    Producers {
        place: Option<ProducersPlace>,
        span: Span,
    },
}

/// Where the firms of `| producers` must (`in`) or must not (`outside`) be located.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducersPlace {
    pub outside: bool,
    pub place: Name,
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
            Stage::Producers { .. } => "producers",
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
