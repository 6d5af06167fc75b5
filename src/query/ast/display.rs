//! The query AST printed back as a query (`Display`): the canonical English spelling, names
//! quoted (`quote`) unless they read back bare (`is_bare`).

use super::*;

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
    !crate::query::keywords::is_keyword(head)
}

pub(super) fn unicode_ident_start(c: char) -> bool {
    pest::unicode::XID_START(c)
}

pub(super) fn unicode_ident_continue(c: char) -> bool {
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
            Stage::Producers { place, .. } => {
                f.write_str("producers")?;
                match place {
                    Some(p) if p.outside => write!(f, " outside {}", p.place),
                    Some(p) => write!(f, " in {}", p.place),
                    None => Ok(()),
                }
            }
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
