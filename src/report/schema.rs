//! The column schema of a report: each column's name and what it holds, which the query
//! language checks its stages against.

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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Col {
    pub name: String,
    pub ty: Ty,
}

/// Columns from (name, type) pairs.
pub fn cols(spec: &[(&str, Ty)]) -> Vec<Col> {
    spec.iter()
        .map(|(n, t)| Col {
            name: n.to_string(),
            ty: *t,
        })
        .collect()
}
