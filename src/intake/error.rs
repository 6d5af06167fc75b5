//! Why `intake` stopped: the export, the keyword rules or the templates given cannot be used
//! (the message names the file), the output cannot be written, or — a bug — what it would
//! write does not pass `check`.

use crate::data::DataError;
use crate::error::{Blame, Blamed};
use crate::lang::Lang;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The export, the keyword rules or the chain templates: the message says which and why.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The candidates file made would not pass `check`: nothing is written.
    #[error("internal error: the candidates file would not pass check; nothing written:\n{}", .0.join("\n"))]
    Unverified(Vec<String>),
}

impl IntakeError {
    /// The message in `lang` (`Display` is the English one; an `Input` message is made in the
    /// user's language where it is raised).
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (IntakeError::Data(e), _) => e.render(lang),
            (IntakeError::Write { path, source }, Lang::Zh) => {
                format!("无法写入 {}：{source}", path.display())
            }
            (IntakeError::Unverified(lines), Lang::Zh) => format!(
                "内部错误：生成的候选企业文件通不过检查，什么也没有写：\n{}",
                lines.join("\n")
            ),
            _ => self.to_string(),
        }
    }
}

impl From<String> for IntakeError {
    fn from(message: String) -> IntakeError {
        IntakeError::Input(message)
    }
}

impl Blamed for IntakeError {
    fn blame(&self) -> Blame {
        match self {
            IntakeError::Input(_) => Blame::Input,
            IntakeError::Data(e) => e.blame(),
            IntakeError::Write { .. } => Blame::Environment,
            IntakeError::Unverified(_) => Blame::Bug,
        }
    }
}
