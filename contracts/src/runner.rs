//! A whole run: the plan of steps, their order, and the report they fill.
//!
//! # Order
//! 1. undocumented methods (405 + `Allow`), path by path;
//! 2. credential probes (missing, wrong);
//! 3. a snapshot of the example-parameterised GETs, the negative bodies, a second snapshot;
//! 4. the example request of every operation;
//! 5. the caller's extra phases.
//!
//! Everything that a correct target refuses (1–3) runs before anything that changes state
//! (4), so the snapshots see the target's initial data and a refused request cannot be
//! mistaken for an accepted one's effect. Within each phase operations run reads first,
//! then creates and updates, then deletes: a DELETE of an example id would turn later
//! example calls into 404s (which is why checks accept any documented status).

use std::time::{Duration, Instant};

use openapiv3::OpenAPI;
use ureq::http::Method;

use crate::args::ConformArgs;
use crate::auth::Redactor;
use crate::checks::auth::Probe;
use crate::checks::negative::Variant;
use crate::checks::request::{Body, build, jsonp_callback};
use crate::checks::{self, Ctx};
use crate::client::Client;
use crate::error::ConformError;
use crate::phase::{ExtraPhase, PhaseContext};
use crate::progress::Progress;
use crate::report::{CheckId, CheckResult, OperationReport, Report};
use crate::spec::{self, Api, method_destructiveness};

/// Runs the built-in checks of `doc` (or of `--spec`) against `--target`.
///
/// Prints a progress line per step on stderr. The target's misbehaviour — wrong answers,
/// refused connections, timeouts — is reported as failed checks, never as an error.
///
/// # Errors
/// A `--spec` that cannot be read or parsed, a target or server URL that cannot be combined.
pub fn run(doc: &OpenAPI, args: &ConformArgs) -> Result<Report, ConformError> {
    run_with(doc, args, &mut [])
}

/// [`run`], then the caller's extra phases. A phase whose
/// [`is_stateful`](ExtraPhase::is_stateful) is true runs only with `--stateful`; with
/// `--stateful` and no such phase, the report records the stateful phase as not run.
///
/// # Errors
/// As [`run`].
pub fn run_with(
    doc: &OpenAPI,
    args: &ConformArgs,
    phases: &mut [&mut dyn ExtraPhase],
) -> Result<Report, ConformError> {
    let started = Instant::now();
    let loaded;
    let doc = match &args.spec {
        Some(path) => {
            loaded = spec::load(path)?;
            &loaded
        }
        None => doc,
    };
    let api = Api::new(doc, &args.target)?;
    let client = Client::new(Duration::from_millis(args.timeout_ms), Redactor::new(&args.auth));
    let ctx = Ctx { api: &api, client: &client, credentials: &args.auth };

    let steps = plan(ctx, args, phases);
    let mut progress = Progress::new(steps.len(), args.quiet);
    let mut entries = Entries::new(&api);
    let mut before_snapshot = Vec::new();
    let snapshot_ops = checks::snapshot::snapshot_ops(ctx);
    for step in &steps {
        match step {
            Step::Undocumented { path_idx, method } => {
                let path = &api.paths[*path_idx];
                let result = checks::methods::check_undocumented(ctx, path, method);
                let who = format!("{method} {}", path.path);
                progress.step(&who, "undocumented method → 405 with Allow", &[&result]);
                entries.undocumented(&who, method, path.path, result);
            }
            Step::Auth { op_idx, probe } => {
                let op = &api.ops[*op_idx];
                let result = checks::auth::check(ctx, op, *probe);
                let what = match probe {
                    Probe::Missing => "no credentials → documented 401/403",
                    Probe::Wrong => "wrong credentials → documented 401/403",
                };
                progress.step(&op.name, what, &[&result]);
                entries.op(*op_idx, vec![result]);
            }
            Step::SnapshotBefore => {
                before_snapshot = checks::snapshot::take(ctx, &snapshot_ops);
                progress.step(
                    "snapshot",
                    &format!("{} GETs before the negative requests", snapshot_ops.len()),
                    &[],
                );
            }
            Step::Negative { op_idx, variant } => {
                let op = &api.ops[*op_idx];
                let result = checks::negative::check(ctx, op, variant);
                let what = match variant {
                    Variant::MissingField(field) => {
                        format!("body without {field} → documented 4xx")
                    }
                    Variant::WrongType { field, .. } => {
                        format!("{field} of the wrong type → documented 4xx")
                    }
                    Variant::Malformed => "body that is not JSON → documented 4xx".to_owned(),
                };
                progress.step(&op.name, &what, &[&result]);
                entries.op(*op_idx, vec![result]);
            }
            Step::SnapshotAfter => {
                let after = checks::snapshot::take(ctx, &snapshot_ops);
                let compared = checks::snapshot::compare(&before_snapshot, &after);
                let results: Vec<&CheckResult> = compared.iter().map(|(_, r)| r).collect();
                progress.step("snapshot", "GETs unchanged after the negative requests", &results);
                for (op_idx, result) in compared {
                    entries.op(op_idx, vec![result]);
                }
            }
            Step::Example { op_idx } => {
                let op = &api.ops[*op_idx];
                let plan = crate::auth::plan(&api, op, &args.auth);
                let request = build(&api, op, &plan.good(), Body::Example);
                let call = client.send(&request);
                let callback = jsonp_callback(&api, op);
                let mut results: Vec<CheckResult> =
                    checks::auth::unsatisfied_note(ctx, op).into_iter().collect();
                results.extend(checks::status::check_response(ctx, op, callback.as_deref(), &call));
                progress.step(
                    &op.name,
                    "example request: status, content type, body, headers",
                    &results.iter().collect::<Vec<_>>(),
                );
                entries.op(*op_idx, results);
            }
            Step::Phase { phase_idx } => {
                let phase = &mut phases[*phase_idx];
                let phase_ctx = PhaseContext { api: &api, client: &client, args };
                let reports = phase.run(&phase_ctx);
                let results: Vec<&CheckResult> = reports.iter().flat_map(|r| &r.checks).collect();
                progress.step(phase.name(), "extra phase", &results);
                entries.extra.extend(reports);
            }
            Step::StatefulNotRun => {
                let result = CheckResult::skip(
                    CheckId::Phase("stateful".to_owned()),
                    "not run by this runner: --stateful was given, but the caller plugged in no stateful phase",
                );
                progress.step("stateful", "model-based stateful test", &[&result]);
                entries.extra.push(OperationReport {
                    name: "stateful".to_owned(),
                    method: None,
                    path: None,
                    checks: vec![result],
                });
            }
        }
    }

    Ok(Report {
        family: args.family.clone(),
        base_url: api.base_url.to_string(),
        spec_title: doc.info.title.clone(),
        spec_version: doc.info.version.clone(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        operations: entries.into_operations(),
    })
}

/// One unit of work, and one progress line.
#[derive(Debug)]
enum Step {
    Undocumented { path_idx: usize, method: Method },
    Auth { op_idx: usize, probe: Probe },
    SnapshotBefore,
    Negative { op_idx: usize, variant: Variant },
    SnapshotAfter,
    Example { op_idx: usize },
    Phase { phase_idx: usize },
    StatefulNotRun,
}

fn plan(ctx: Ctx<'_, '_>, args: &ConformArgs, phases: &[&mut dyn ExtraPhase]) -> Vec<Step> {
    let api = ctx.api;
    let mut steps = Vec::new();

    let mut probes: Vec<(usize, Method)> = Vec::new();
    for (path_idx, path) in api.paths.iter().enumerate() {
        for method in spec::PROBED_METHODS.iter().filter(|m| !path.documented.contains(m)) {
            probes.push((path_idx, method.clone()));
        }
    }
    probes.sort_by_key(|(_, method)| method_destructiveness(method));
    steps.extend(
        probes.into_iter().map(|(path_idx, method)| Step::Undocumented { path_idx, method }),
    );

    // Reads, then creates and updates, then deletes (a stable sort keeps document order).
    let mut order: Vec<usize> = (0..api.ops.len()).collect();
    order.sort_by_key(|&idx| api.ops[idx].destructiveness());

    for &op_idx in &order {
        if checks::auth::applies(ctx, &api.ops[op_idx]) {
            steps.push(Step::Auth { op_idx, probe: Probe::Missing });
            steps.push(Step::Auth { op_idx, probe: Probe::Wrong });
        }
    }

    let negatives: Vec<Step> = order
        .iter()
        .flat_map(|&op_idx| {
            checks::negative::variants(api, &api.ops[op_idx])
                .into_iter()
                .map(move |variant| Step::Negative { op_idx, variant })
        })
        .collect();
    if !negatives.is_empty() {
        steps.push(Step::SnapshotBefore);
        steps.extend(negatives);
        steps.push(Step::SnapshotAfter);
    }

    steps.extend(order.iter().map(|&op_idx| Step::Example { op_idx }));

    let mut stateful_provided = false;
    for (phase_idx, phase) in phases.iter().enumerate() {
        if phase.is_stateful() {
            stateful_provided = true;
            if !args.stateful {
                continue;
            }
        }
        steps.push(Step::Phase { phase_idx });
    }
    if args.stateful && !stateful_provided {
        steps.push(Step::StatefulNotRun);
    }
    steps
}

/// The report's entries as they fill up: one per documented operation (document order), one
/// per probed undocumented method, then the extra phases' entries.
struct Entries {
    ops: Vec<OperationReport>,
    undocumented: Vec<OperationReport>,
    extra: Vec<OperationReport>,
}

impl Entries {
    fn new(api: &Api<'_>) -> Entries {
        let ops = api
            .ops
            .iter()
            .map(|op| OperationReport {
                name: op.name.clone(),
                method: Some(op.method.to_string()),
                path: Some(op.path.to_owned()),
                checks: Vec::new(),
            })
            .collect();
        Entries { ops, undocumented: Vec::new(), extra: Vec::new() }
    }

    fn op(&mut self, op_idx: usize, results: Vec<CheckResult>) {
        self.ops[op_idx].checks.extend(results);
    }

    fn undocumented(&mut self, name: &str, method: &Method, path: &str, result: CheckResult) {
        self.undocumented.push(OperationReport {
            name: name.to_owned(),
            method: Some(method.to_string()),
            path: Some(path.to_owned()),
            checks: vec![result],
        });
    }

    fn into_operations(self) -> Vec<OperationReport> {
        let mut all = self.ops;
        all.extend(self.undocumented);
        all.extend(self.extra);
        all
    }
}
