//! Extra phases plug into a run, and `--stateful` without a stateful phase is recorded as
//! not run.

use provsim_contracts::{
    CheckId, CheckResult, ExtraPhase, OperationReport, Outcome, PhaseContext, RequestSpec, run,
    run_with,
};

use crate::support::server::{Bugs, TestServer};
use crate::support::{TempDir, args, fixture};

/// A stand-in for the model-based test: lists the widgets with the run's client and
/// credentials and records what it saw.
struct CountingPhase {
    stateful: bool,
    n_runs: usize,
}

impl ExtraPhase for CountingPhase {
    fn name(&self) -> &str {
        if self.stateful { "stateful" } else { "extra" }
    }

    fn is_stateful(&self) -> bool {
        self.stateful
    }

    fn run(&mut self, ctx: &PhaseContext<'_, '_>) -> Vec<OperationReport> {
        self.n_runs += 1;
        let credentials = ctx.credentials_for("listWidgets").unwrap();
        let mut url = ctx.base_url().clone();
        url.path_segments_mut().unwrap().push("widgets");
        let call = ctx.send(&RequestSpec {
            method: provsim_contracts::Method::GET,
            url,
            headers: credentials.headers,
            body: None,
        });
        let status = call.response.as_ref().map(|r| r.status).unwrap_or_default();
        let check = CheckId::Phase("list-from-phase".to_owned());
        let result = if status == 200 {
            CheckResult::pass(check, "200").with_exchange(&call.exchange)
        } else {
            CheckResult::fail(check, format!("{status}")).with_exchange(&call.exchange)
        };
        vec![OperationReport {
            name: self.name().to_owned(),
            method: None,
            path: None,
            checks: vec![result],
        }]
    }
}

#[test]
fn stateful_without_a_stateful_phase_is_recorded_as_not_run() {
    let server = TestServer::start(Bugs::default());
    let reports = TempDir::new("stateful-note");
    let mut args = args(server.url(), &reports);
    args.stateful = true;
    let report = run(&fixture(), &args).unwrap();
    let entry =
        report.operations.iter().find(|op| op.name == "stateful").expect("a stateful entry");
    assert_eq!(entry.checks.len(), 1);
    assert_eq!(entry.checks[0].outcome, Outcome::Skip);
    assert!(
        entry.checks[0].message.starts_with("not run by this runner"),
        "{}",
        entry.checks[0].message
    );
    assert!(!report.failed());
}

#[test]
fn plugged_phases_run_with_the_runs_client_and_credentials() {
    let server = TestServer::start(Bugs::default());
    let reports = TempDir::new("phases");
    let mut args = args(server.url(), &reports);
    let mut stateful = CountingPhase { stateful: true, n_runs: 0 };
    let mut extra = CountingPhase { stateful: false, n_runs: 0 };

    // Without --stateful the stateful phase stays out; other phases always run.
    let report = run_with(&fixture(), &args, &mut [&mut stateful, &mut extra]).unwrap();
    assert_eq!((stateful.n_runs, extra.n_runs), (0, 1));
    assert!(report.operations.iter().all(|op| op.name != "stateful"));

    args.stateful = true;
    let report = run_with(&fixture(), &args, &mut [&mut stateful, &mut extra]).unwrap();
    assert_eq!((stateful.n_runs, extra.n_runs), (1, 2));
    let entry = report.operations.iter().find(|op| op.name == "stateful").unwrap();
    assert_eq!(entry.checks[0].name(), "list-from-phase");
    assert_eq!(entry.checks[0].outcome, Outcome::Pass, "{}", entry.checks[0].message);
    assert!(!report.failed());
}
