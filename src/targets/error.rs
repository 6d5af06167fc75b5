//! Why a target list or a routing could not be made: a weights or rules file that cannot be
//! used, an admission rule naming something the database does not hold, or an option of the
//! list (`--gaps`, `--segment`, `--origin`, `--tag`) naming nothing it can be.

use crate::error::{Blame, Blamed};

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
        e.to_string()
    }
}
