//! Why a target list or a routing could not be made: a weights or rules file that cannot be
//! used, or an admission rule naming something the database does not hold.

use crate::error::{Blame, Blamed};
use crate::lang::Lang;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetsError {
    /// Score weights (config/target-weights.toml or `--weights FILE`) that cannot be used.
    #[error("{0}")]
    Weights(String),
    /// Admission rules (config/admission-rules.toml or `--rules FILE`) that cannot be used.
    #[error("{0}")]
    Rules(String),
    /// A rule of a strict rule set names something this database does not hold.
    #[error("admission rule `{rule}` names `{name}`, which is not one {kinds}{did_you_mean}")]
    RuleName {
        rule: String,
        name: String,
        /// The kinds it should be, as `环节/产业`.
        kinds: String,
        did_you_mean: String,
    },
}

impl TargetsError {
    /// The message in `lang` (`Display` is the English one; a weights or rules message is made
    /// in the user's language where it is raised).
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                TargetsError::RuleName {
                    rule,
                    name,
                    kinds,
                    did_you_mean,
                },
                Lang::Zh,
            ) => format!("准入规则 `{rule}` 提到的 `{name}` 不是{kinds}{did_you_mean}"),
            _ => self.to_string(),
        }
    }
}

impl Blamed for TargetsError {
    fn blame(&self) -> Blame {
        // The compiled-in files are covered by unit tests: a failure is the user's file.
        Blame::Input
    }
}

/// `list::target_list` and the query language's `targets` stage still carry errors as text
/// (in the language of messages).
impl From<TargetsError> for String {
    fn from(e: TargetsError) -> String {
        e.render(crate::lang::messages())
    }
}
