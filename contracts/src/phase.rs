//! Extra phases: checks the caller plugs into a run after the built-in ones (the stateful
//! model-based test of `--stateful` is one), with the run's client, base URL and
//! credentials.

use openapiv3::OpenAPI;
use url::Url;

use crate::args::ConformArgs;
use crate::auth::{self, AppliedAuth};
use crate::client::{Call, Client, RequestSpec};
use crate::report::OperationReport;
use crate::spec::Api;

/// A phase of checks run after the built-in ones.
pub trait ExtraPhase {
    /// A short name for progress lines and the report, e.g. `stateful`.
    fn name(&self) -> &str;

    /// Whether this is the model-based stateful phase: it then runs only with `--stateful`,
    /// and its presence stops the report from saying the stateful phase was not run.
    fn is_stateful(&self) -> bool {
        false
    }

    /// Runs the phase; each returned entry becomes a test suite of the report.
    fn run(&mut self, ctx: &PhaseContext<'_, '_>) -> Vec<OperationReport>;
}

/// What an extra phase gets from the run.
pub struct PhaseContext<'r, 'a> {
    pub(crate) api: &'r Api<'a>,
    pub(crate) client: &'r Client,
    pub(crate) args: &'r ConformArgs,
}

impl PhaseContext<'_, '_> {
    /// The document the run checks against (the `--spec` one if given).
    pub fn doc(&self) -> &OpenAPI {
        self.api.doc
    }

    /// The base URL operations' paths are appended to.
    pub fn base_url(&self) -> &Url {
        &self.api.base_url
    }

    pub fn args(&self) -> &ConformArgs {
        self.args
    }

    /// The credentials the run uses for an operation (by `operationId`, or `METHOD /path`):
    /// empty when the operation is open or no `--auth` value fits, `None` for an unknown name.
    pub fn credentials_for(&self, operation: &str) -> Option<AppliedAuth> {
        let op = self.api.ops.iter().find(|op| op.name == operation)?;
        Some(auth::plan(self.api, op, &self.args.auth).good())
    }

    /// Sends a request with the run's client (timeout, body limit, redaction in records).
    pub fn send(&self, request: &RequestSpec) -> Call {
        self.client.send(request)
    }
}
