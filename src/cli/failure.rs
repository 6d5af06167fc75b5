//! Why a command failed, who is to blame, and the one place the exit code is derived from it.

use crate::bundle;
use crate::data;
use crate::error::{Blame, Blamed};
use crate::lang::Lang;
use crate::store::StoreError;

/// Why a command failed: an error of a layer below, or a message of the command line's own;
/// each says who is to blame, and [`exit_code`] makes that the process's exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A message of the command line's own.
    #[error("{message}")]
    Message { blame: Blame, message: String },
    #[error(transparent)]
    Open(#[from] crate::open::OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bundle(#[from] bundle::BundleError),
    #[error(transparent)]
    Data(#[from] data::DataError),
    #[error(transparent)]
    Targets(#[from] crate::targets::TargetsError),
    #[error(transparent)]
    Intake(#[from] crate::intake::IntakeError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Draw(#[from] crate::draw::DrawError),
    /// Failed statements (a query, a piped REPL session), each already printed in full where it
    /// failed, under its text; the blame of the first.
    #[error("")]
    Printed(Blame),
}

impl Failure {
    /// The user's input: arguments, a name, a file given.
    pub fn user(message: impl Into<String>) -> Failure {
        Failure::Message {
            blame: Blame::Input,
            message: message.into(),
        }
    }
    /// The environment: a file or folder that cannot be read or written.
    pub fn environment(message: impl Into<String>) -> Failure {
        Failure::Message {
            blame: Blame::Environment,
            message: message.into(),
        }
    }
    /// A bug in chainkb.
    pub fn internal(message: impl Into<String>) -> Failure {
        Failure::Message {
            blame: Blame::Bug,
            message: message.into(),
        }
    }
}

impl Failure {
    /// The message in `lang` (a message of the command line's own is made in the user's
    /// language where it is raised; the layers' typed errors are rendered here).
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Failure::Data(e) => e.render(lang),
            Failure::Targets(e) => e.render(lang),
            Failure::Intake(e) => e.render(lang),
            Failure::Export(e) => e.render(lang),
            Failure::Draw(e) => e.render(lang),
            other => other.to_string(),
        }
    }
}

/// What stderr shows before a failure's message: `错误：` / `error: `.
pub fn prefix(lang: Lang) -> &'static str {
    lang.pick("错误：", "error: ")
}

impl Blamed for Failure {
    fn blame(&self) -> Blame {
        match self {
            Failure::Message { blame, .. } | Failure::Printed(blame) => *blame,
            Failure::Open(e) => e.blame(),
            Failure::Store(e) => e.blame(),
            Failure::Bundle(e) => e.blame(),
            Failure::Data(e) => e.blame(),
            Failure::Targets(e) => e.blame(),
            Failure::Intake(e) => e.blame(),
            Failure::Export(e) => e.blame(),
            Failure::Draw(e) => e.blame(),
        }
    }
}

/// The exit code, from who is to blame — the one place it is decided (README, "Exit codes"):
/// 1 when the user can fix it (their input, or their machine: a database in use, a full
/// disk), 2 when the stored data cannot be trusted or chainkb has a bug. (0 is success; clap's
/// own usage errors exit 1 too, `--help` and `--version` 0.)
pub fn exit_code(blame: Blame) -> i32 {
    match blame {
        Blame::Input | Blame::Environment => 1,
        Blame::Data | Blame::Bug => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_exit_code_follows_who_is_to_blame() {
        let p = || PathBuf::from("db");
        let cases: Vec<(Failure, i32)> = vec![
            (Failure::user("bad argument"), 1),
            (Failure::environment("cannot write x"), 1),
            (Failure::internal("line editor"), 2),
            (Failure::Printed(Blame::Input), 1),
            (Failure::Printed(Blame::Bug), 2),
            (StoreError::NotFound(p()).into(), 1),
            (StoreError::InUse(p()).into(), 1),
            (
                StoreError::NoSpace {
                    path: p(),
                    needed: 1,
                    free: 0,
                }
                .into(),
                1,
            ),
            (
                StoreError::Corrupt {
                    path: p(),
                    what: "x".into(),
                }
                .into(),
                2,
            ),
            (
                StoreError::SchemaVersion {
                    path: p(),
                    found: 9,
                    expected: 1,
                }
                .into(),
                2,
            ),
            (StoreError::Encode("x".into()).into(), 2),
            (crate::open::OpenError::DataFolder(p()).into(), 1),
            (bundle::BundleError::Invalid(Vec::new()).into(), 2),
            (data::DataError::NoSuchPath(p()).into(), 1),
            (crate::targets::TargetsError::Rules("x".into()).into(), 1),
            (
                crate::intake::IntakeError::Unverified(vec!["x".into()]).into(),
                2,
            ),
            (crate::export::ExportError::NoExtension(p()).into(), 1),
            (
                crate::export::ExportError::Write {
                    path: p(),
                    why: "x".into(),
                }
                .into(),
                1,
            ),
            (
                crate::export::ExportError::Encode {
                    path: p(),
                    why: "x".into(),
                }
                .into(),
                2,
            ),
            (crate::draw::DrawError::FontEmpty(p()).into(), 1),
            (crate::draw::DrawError::Png("x".into()).into(), 2),
        ];
        for (failure, code) in cases {
            assert_eq!(exit_code(failure.blame()), code, "{failure:?}");
        }
    }

    #[test]
    fn a_printed_failure_adds_no_message() {
        assert_eq!(Failure::Printed(Blame::Input).to_string(), "");
        assert_eq!(Failure::user("x").to_string(), "x");
    }
}
