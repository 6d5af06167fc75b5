//! The column schema of a report: each column's name and what it holds, which the query
//! language checks its stages against.

use crate::lang::Domain;
use std::borrow::Cow;

/// What a column holds, as far as planning can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Float,
    Text,
    List,
}

impl Ty {
    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }
    /// The type in words, for error messages ("text", "lists").
    pub fn word(self) -> &'static str {
        match self {
            Ty::Int => "whole numbers",
            Ty::Float => "numbers",
            Ty::Text => "text",
            Ty::List => "lists",
        }
    }
    /// [`Ty::word`] in Chinese ("文本", "列表").
    pub fn word_zh(self) -> &'static str {
        match self {
            Ty::Int => "整数",
            Ty::Float => "数字",
            Ty::Text => "文本",
            Ty::List => "列表",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Col {
    /// The column's id (a report's own columns are static words, so planning a statement
    /// copies none of them; a place's name or a `select … as` alias is owned).
    pub name: Cow<'static, str>,
    pub ty: Ty,
    /// The fixed set of values the column holds (`state`: present / planned / …), if any:
    /// shown in the user's language and compared in either.
    pub domain: Option<Domain>,
}

impl Col {
    /// A column; its domain is the one its name says (`Domain::of_column`).
    pub fn new(name: impl Into<Cow<'static, str>>, ty: Ty) -> Col {
        let name = name.into();
        let domain = Domain::of_column(&name);
        Col { name, ty, domain }
    }
}

/// Columns from (name, type) pairs.
pub fn cols(spec: &[(&'static str, Ty)]) -> Vec<Col> {
    spec.iter().map(|(n, t)| Col::new(*n, *t)).collect()
}
