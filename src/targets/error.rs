//! Why a target list or a routing could not be made: a weights or rules file that cannot be
//! used, an admission rule naming something the database does not hold, or an option of the
//! list (`--gaps`, `--segment`, `--origin`, `--tag`) naming nothing it can be.

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
    /// A `--gaps` argument that names no gap kind.
    #[error(
        "gaps `{typed}`: use fill, extend, strengthen or all (补链/延链/强链 map to fill/extend/strengthen)"
    )]
    GapKinds { typed: String },
    /// A segment named for a target list (`--segment`) that is not in the chain.
    #[error("{segment} is not a segment of chain {chain}{did_you_mean} (its segments: {segments})")]
    NotInChain {
        segment: String,
        chain: String,
        did_you_mean: String,
        /// The chain's segments, joined with 、.
        segments: String,
    },
    /// An origin region (`--origin`) that the weights file does not define.
    #[error("origin `{origin}` is not one of {known}")]
    Origin {
        origin: String,
        /// The regions defined, joined with `, `.
        known: String,
    },
    /// A tag (`--tag`) the data cannot hold: a filter or rule on it would match nothing.
    #[error("{0}")]
    Tag(String),
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
            (TargetsError::GapKinds { typed }, Lang::Zh) => format!(
                "缺口类型 `{typed}`：请用 fill、extend、strengthen 或 all（补链/延链/强链 即 fill/extend/strengthen）"
            ),
            (
                TargetsError::NotInChain {
                    segment,
                    chain,
                    did_you_mean,
                    segments,
                },
                Lang::Zh,
            ) => format!("{segment} 不是产业链 {chain} 的环节（其环节：{segments}）{did_you_mean}"),
            (TargetsError::Origin { origin, known }, Lang::Zh) => {
                format!("来源地区 `{origin}` 不在权重文件定义的地区之中：{known}")
            }
            _ => self.to_string(),
        }
    }
}

impl Blamed for TargetsError {
    fn blame(&self) -> Blame {
        // The compiled-in files are covered by unit tests: a failure is the user's file or
        // option (the query language's `| targets` passes neither, and calls a failure a bug).
        Blame::Input
    }
}

/// For callers that still carry errors as text (`chainkb draw map --targets`).
impl From<TargetsError> for String {
    fn from(e: TargetsError) -> String {
        e.render(crate::lang::messages())
    }
}
