//! The stateful phase of `--stateful`: [`LinksPhase`], a model-based test driven only by the
//! document's OpenAPI `links`.
//!
//! For every operation whose 2xx response declares `links`:
//! 1. its example request is sent with the run's credentials (`source`), and the answer gets
//!    the example phase's checks; links are followed only from a documented 2xx. When the
//!    answer shows that the example's values are taken (a documented 409, or a 2xx without a
//!    value a link reads from its body), the request is sent once more with its strings made
//!    unique (`unique`);
//! 2. each link's runtime expressions (`expr`) are evaluated against that request and answer
//!    (`values`) and the linked operation is called with them — reads, then creates and
//!    updates, then deletes (`follow`); its answer gets the example phase's checks, and a
//!    linked GET must answer 2xx (`resource-readable`);
//! 3. after a linked DELETE answered 2xx, every linked GET that answered 2xx is sent again and
//!    must answer a documented 404 or 410, and so must the DELETE sent again
//!    (`gone-after-delete`).
//!
//! Each operation with links becomes one report entry, `stateful: <operationId>`; a document
//! without links gives one skipped entry saying so. Nothing here knows a vendor: an API is
//! checked as deeply as its document's links reach.

mod expr;
mod follow;
mod links;
mod session;
mod source;
mod unique;
mod values;

use crate::phase::{ExtraPhase, PhaseContext};
use crate::report::{CheckId, CheckResult, OperationReport};

use session::Session;

/// The name of the phase in progress lines and of the entry of a document without links.
const PHASE_NAME: &str = "stateful";

/// The stateful phase: follows the document's `links` from every operation that declares
/// them (see the [module](self) documentation). Plug it into
/// [`run_with`](crate::run_with); it runs when [`ConformArgs::stateful`](crate::ConformArgs)
/// is set.
#[derive(Debug, Clone, Default)]
pub struct LinksPhase {
    /// Appended to strings of a create's body for its retry; by default made from the clock,
    /// so that runs against the same target differ.
    unique_suffix: Option<String>,
}

impl LinksPhase {
    /// A phase whose retries append `suffix` (plus the operation's index in base 36) instead
    /// of a clock-made suffix: for tests that need to know the values sent.
    pub fn with_unique_suffix(suffix: impl Into<String>) -> LinksPhase {
        LinksPhase { unique_suffix: Some(suffix.into()) }
    }
}

impl ExtraPhase for LinksPhase {
    fn name(&self) -> &str {
        PHASE_NAME
    }

    fn is_stateful(&self) -> bool {
        true
    }

    fn run(&mut self, ctx: &PhaseContext<'_, '_>) -> Vec<OperationReport> {
        let api = ctx.api;
        let sources: Vec<usize> =
            (0..api.ops.len()).filter(|&idx| links::declares_links(api, &api.ops[idx])).collect();
        if sources.is_empty() {
            return vec![OperationReport {
                name: PHASE_NAME.to_owned(),
                method: None,
                path: None,
                checks: vec![CheckResult::skip(
                    CheckId::LinkSource,
                    "the document declares no links on any 2xx response: the stateful phase has nothing to follow",
                )],
            }];
        }
        let base = self.unique_suffix.clone().unwrap_or_else(unique::clock_suffix);
        sources
            .into_iter()
            .enumerate()
            .map(|(n, op_idx)| {
                let op = &api.ops[op_idx];
                let mut session = Session::new(ctx);
                let suffix = format!("{base}{}", unique::base36(n));
                if let Some(followable) = source::send(&mut session, op, &suffix) {
                    follow::follow(&mut session, op, &followable);
                }
                OperationReport {
                    name: format!("{PHASE_NAME}: {}", op.name),
                    method: Some(op.method.to_string()),
                    path: Some(op.path.to_owned()),
                    checks: session.checks,
                }
            })
            .collect()
    }
}
