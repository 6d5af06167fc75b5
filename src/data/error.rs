//! Why data files could not be gathered at all (a missing path, an unreadable folder, nothing
//! to read); problems inside files are `Diag`s, reported all at once.

use crate::error::{Blame, Blamed};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: no such file or folder", .0.display())]
    NoSuchPath(PathBuf),
    #[error("cannot read folder {}: {source}", .path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no data files (graphs/*.toml, seeds/*.csv) under {}", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoDataFiles(Vec<PathBuf>),
}

impl Blamed for DataError {
    fn blame(&self) -> Blame {
        match self {
            DataError::NoSuchPath(_) | DataError::NoDataFiles(_) => Blame::Input,
            DataError::Folder { .. } => Blame::Environment,
        }
    }
}
