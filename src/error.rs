//! Who is to blame for a failure — the user's input, the environment, the data, or a bug in
//! chainkb — which every layer's error type says of itself; `cli` turns it into the exit code.

/// Who is to blame for a failure, and so what the person who sees it can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blame {
    /// What the user typed or gave: arguments, a query, a data folder being checked or
    /// imported, a configuration file, a path that does not exist. Fix the input.
    Input,
    /// The machine or another process: a database in use or on read-only media, a full disk,
    /// a folder that cannot be written. Fix the environment and run it again.
    Environment,
    /// Stored data that cannot be trusted: a damaged database, one written by another schema
    /// version. Import the data again.
    Data,
    /// A bug in chainkb: please report it.
    Bug,
}

/// An error that says who is to blame for it.
pub trait Blamed {
    fn blame(&self) -> Blame;
}
