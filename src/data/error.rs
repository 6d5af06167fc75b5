//! Why data files could not be gathered at all (a missing path, an unreadable folder, nothing
//! to read); problems inside files are `Diag`s, reported all at once (`Invalid` carries them
//! where a caller wants a graph or nothing).

use crate::error::{Blame, Blamed};
use crate::lang::Lang;
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
    /// Files read, with the problems `check` reports (errors among them), one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<super::Diag>),
}

impl DataError {
    /// The message in `lang` (`Display` is the English one).
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) | (DataError::Invalid(_), _) => self.to_string(),
            (DataError::NoSuchPath(p), Lang::Zh) => {
                format!("{}：没有这个文件或文件夹", p.display())
            }
            (DataError::Folder { path, source }, Lang::Zh) => {
                format!("无法读取文件夹 {}：{source}", path.display())
            }
            (DataError::NoDataFiles(paths), Lang::Zh) => format!(
                "{} 下没有数据文件（graphs/*.toml、seeds/*.csv）",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }
    }
}

impl Blamed for DataError {
    fn blame(&self) -> Blame {
        match self {
            DataError::NoSuchPath(_) | DataError::NoDataFiles(_) | DataError::Invalid(_) => {
                Blame::Input
            }
            DataError::Folder { .. } => Blame::Environment,
        }
    }
}
