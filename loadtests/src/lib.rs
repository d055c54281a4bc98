//! provsim-loadtests: goose load scenarios for the provisioning APIs provsim simulates, usable
//! against provsim or against any other implementation of those APIs, and the bare-hyper
//! ceiling server of the performance gate.
//!
//! The crate does not depend on the simulator: `provsim load` (in the `provsim` binary)
//! starts a simulator when no `--target` is given and hands its URLs to [`run`], exactly as a
//! user pointing [`run`] at another server would.
//!
//! # Layout
//! - [`LoadArgs`], [`Targets`]: what to run and against which base URL per family;
//! - `scenarios`: the goose scenarios (`provisioning`, `device-polling`, `exotel-bulk`,
//!   `mixed`, and the single-request probes `list-devices` and `jsonp-status` of the gate);
//! - `client`: one request with its expected status, checked, named and timed by goose;
//! - [`summary`]: the table printed after a run and the `*-summary.json` the gate reads;
//! - [`ceiling`]: the bare hyper server (also the `ceiling` binary).

pub mod ceiling;
mod client;
mod scenarios;
pub mod summary;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use goose::config::GooseConfiguration;
use goose::prelude::*;

pub use scenarios::ScenarioName;
pub use summary::Summary;

/// `provsim load` options (the args struct lives here, as `ConformArgs` lives in
/// provsim-contracts, so that the simulator's binary only forwards them).
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Scenario to run: provisioning, device-polling, exotel-bulk, mixed (all three,
    /// weighted), or the single-request probes list-devices and jsonp-status.
    #[arg(long, value_enum)]
    pub scenario: ScenarioName,

    /// Concurrent goose users (all started within the first second).
    #[arg(long, default_value_t = 8)]
    pub users: usize,

    /// How long to run once every user has started (goose syntax: 30s, 2m, 1m30s).
    /// Metrics are reset when the last user has started, so on_start work is not counted.
    #[arg(long, default_value = "30s")]
    pub run_time: String,

    /// Base URL of one family, as FAMILY=URL (vpn, vpn-daemon, exotel, control); repeat it
    /// for each family the scenario uses. A bare URL names the scenario's main family.
    /// Without any, `provsim load` starts a simulator in-process on free ports. Without a
    /// control target, the steps that need provsim's control plane (device activation,
    /// connect/disconnect, lifting the Exotel rate limit) are left out.
    #[arg(long = "target", value_name = "[FAMILY=]URL")]
    pub targets: Vec<String>,

    /// Folder for goose's HTML, JSON and Markdown reports and the summary.
    #[arg(long, default_value = "reports/load")]
    pub report_dir: PathBuf,

    /// vpn API key (`Authorization: Bearer`).
    #[arg(long, default_value = "vpn-demo-key")]
    pub vpn_key: String,

    /// Name of that key's tenant in the control plane (`/_sim/vpn/tenants/{tenant}`).
    #[arg(long, default_value = "telefonica")]
    pub vpn_tenant: String,

    /// Exotel account as SID:KEY:TOKEN.
    #[arg(long, default_value = "provsim1:exotel-demo-key:exotel-demo-token")]
    pub exotel_account: ExotelAccount,

    /// Pause between two polls of one device-polling user, in milliseconds (0 = poll as
    /// fast as answers come).
    #[arg(long, default_value_t = 100)]
    pub poll_interval_ms: u64,

    /// Devices each polling user activates and polls in turn.
    #[arg(long, default_value_t = 4)]
    pub devices_per_poller: u32,

    /// Subscriber whose devices the list-devices probe reads (the default fixture's).
    #[arg(long, default_value = "1000000001")]
    pub probe_user_id: String,

    /// Device the jsonp-status probe reads (the default fixture's).
    #[arg(long, default_value = "0A1B2C3D4E5F")]
    pub probe_device_id: String,

    /// Goose pass/fail rule, repeatable: p99<2ms, error-rate<=0%, rps>=5000, optionally
    /// `for <request name>`. A failed rule fails the run (exit 1).
    #[arg(long)]
    pub threshold: Vec<String>,

    /// Show goose's own console output (progress, its metrics tables) too.
    #[arg(long)]
    pub goose_output: bool,
}

/// An Exotel account's SID and API credentials.
#[derive(Debug, Clone)]
pub struct ExotelAccount {
    pub sid: String,
    pub api_key: String,
    pub api_token: String,
}

impl FromStr for ExotelAccount {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(sid), Some(key), Some(token))
                if !sid.is_empty() && !key.is_empty() && !token.is_empty() =>
            {
                Ok(ExotelAccount { sid: sid.into(), api_key: key.into(), api_token: token.into() })
            }
            _ => Err(format!("expected SID:KEY:TOKEN, got {text:?}")),
        }
    }
}

/// Base URL (`http://host:port`, no trailing slash) of each family under load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub vpn: Option<String>,
    pub vpn_daemon: Option<String>,
    pub exotel: Option<String>,
    pub control: Option<String>,
}

impl Targets {
    /// Parses `--target` values; a bare URL is the main family of `scenario`.
    ///
    /// # Errors
    /// An unknown family, a URL that is not http(s), or a bare URL for `mixed`.
    pub fn parse(values: &[String], scenario: ScenarioName) -> Result<Targets, LoadError> {
        let mut targets = Targets::default();
        for value in values {
            let (family, url) = match value.split_once('=') {
                Some((family, url)) if !family.contains('/') => (family, url),
                _ => match scenario.main_family() {
                    Some(family) => (family, value.as_str()),
                    None => {
                        return Err(LoadError::Usage(format!(
                            "--target {value}: scenario {} uses several families; write \
                             FAMILY=URL (vpn, vpn-daemon, exotel, control)",
                            scenario.name()
                        )));
                    }
                },
            };
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(LoadError::Usage(format!("--target {value}: not an http(s) URL")));
            }
            let url = Some(url.trim_end_matches('/').to_owned());
            match family {
                "vpn" => targets.vpn = url,
                "vpn-daemon" => targets.vpn_daemon = url,
                "exotel" => targets.exotel = url,
                "control" => targets.control = url,
                other => {
                    return Err(LoadError::Usage(format!(
                        "--target {value}: unknown family {other:?} (vpn, vpn-daemon, exotel, \
                         control)"
                    )));
                }
            }
        }
        Ok(targets)
    }

    pub fn is_empty(&self) -> bool {
        *self == Targets::default()
    }
}

/// Why a load run could not be made (as opposed to a run whose requests failed).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Usage(String),
    #[error("goose: {0}")]
    Goose(String),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// What a run measured, and whether it passed.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    /// Paths of the reports written.
    pub reports: Vec<PathBuf>,
}

impl Outcome {
    /// No request or transaction failed and every `--threshold` held.
    pub fn passed(&self) -> bool {
        self.summary.passed()
    }
}

/// What every scenario needs to know, shared by all users of a run.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub targets: Targets,
    pub vpn_key: String,
    pub vpn_tenant: String,
    pub exotel: ExotelAccount,
    /// `Basic base64(key:token)`, computed once.
    pub exotel_basic: String,
    /// Unique per run (base 36 of the start time), so that orders and names of one run never
    /// meet those of an earlier run against the same server.
    pub run_tag: String,
    pub poll_interval: Duration,
    pub devices_per_poller: u32,
    pub probe_user_id: String,
    pub probe_device_id: String,
}

/// Runs `args.scenario` against `targets` and writes the reports.
///
/// # Errors
/// A scenario whose families have no target, an invalid goose setting, or a report folder
/// that cannot be written. Failed requests are not errors: they are in the [`Outcome`].
pub async fn run(args: &LoadArgs, targets: Targets) -> Result<Outcome, LoadError> {
    use base64::Engine as _;

    if args.users == 0 {
        return Err(LoadError::Usage("--users must be at least 1".into()));
    }
    std::fs::create_dir_all(&args.report_dir)
        .map_err(|source| LoadError::Write { path: args.report_dir.clone(), source })?;
    let started_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let credentials = format!("{}:{}", args.exotel_account.api_key, args.exotel_account.api_token);
    let ctx = Arc::new(Ctx {
        targets,
        vpn_key: args.vpn_key.clone(),
        vpn_tenant: args.vpn_tenant.clone(),
        exotel: args.exotel_account.clone(),
        exotel_basic: format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        ),
        run_tag: to_base36((started_ms / 1000 % 36u128.pow(4)) as u64),
        poll_interval: Duration::from_millis(args.poll_interval_ms),
        devices_per_poller: args.devices_per_poller.max(1),
        probe_user_id: args.probe_user_id.clone(),
        probe_device_id: args.probe_device_id.clone(),
    });
    let scenarios = scenarios::build(args.scenario, &ctx)?;

    let name = args.scenario.name();
    let reports: Vec<PathBuf> = ["html", "json", "md"]
        .iter()
        .map(|ext| args.report_dir.join(format!("{name}.{ext}")))
        .collect();
    let mut config = GooseConfiguration::default();
    config.users = Some(args.users);
    // Every user starts within the first second; metrics are reset once all have started.
    config.increase_rate = Some(args.users.to_string());
    config.run_time = Some(args.run_time.clone());
    config.report_file = reports.iter().map(|p| p.display().to_string()).collect();
    config.threshold = args.threshold.clone();
    // Judge thresholds on the whole run, not on the first second of it.
    config.no_threshold_abort = true;
    // No telnet controller (the WebSocket one is off unless asked for): nothing but the
    // targets is talked to, and nothing listens.
    config.no_telnet = true;
    if !args.goose_output {
        config.quiet = 1;
        config.no_print_metrics = true;
    }
    let mut attack =
        GooseAttack::initialize_with_config(config).map_err(|e| LoadError::Goose(e.to_string()))?;
    for scenario in scenarios {
        attack = attack.register_scenario(scenario);
    }
    let (metrics, failed_thresholds) = match attack.execute().await {
        Ok(metrics) => (metrics, Vec::new()),
        Err(GooseError::ThresholdsFailed { failed, metrics }) => {
            let failed = failed.iter().map(|r| format!("{}, observed {}", r.rule, r.observed));
            (*metrics.0, failed.collect())
        }
        Err(error) => return Err(LoadError::Goose(error.to_string())),
    };
    let summary = Summary::from_metrics(name, args.users, &metrics, failed_thresholds);
    let summary_path = args.report_dir.join(format!("{name}-summary.json"));
    std::fs::write(&summary_path, summary.to_json())
        .map_err(|source| LoadError::Write { path: summary_path.clone(), source })?;
    let mut written = reports;
    written.push(summary_path);
    Ok(Outcome { summary, reports: written })
}

/// `n` in lower-case base 36 (compact, and valid in Exotel names).
pub(crate) fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_family_prefixes_or_the_main_family() {
        let values = vec!["vpn=http://127.0.0.1:1/".to_owned(), "control=http://h:2".to_owned()];
        let targets = Targets::parse(&values, ScenarioName::Mixed).unwrap();
        assert_eq!(targets.vpn.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(targets.control.as_deref(), Some("http://h:2"));
        let bare = Targets::parse(&["http://x:3".into()], ScenarioName::ExotelBulk).unwrap();
        assert_eq!(bare.exotel.as_deref(), Some("http://x:3"));
        assert!(Targets::parse(&["http://x:3".into()], ScenarioName::Mixed).is_err());
        assert!(Targets::parse(&["ftp=http://x".into()], ScenarioName::Mixed).is_err());
        assert!(Targets::parse(&["vpn=x:1".into()], ScenarioName::Mixed).is_err());
    }

    #[test]
    fn exotel_accounts_need_three_parts() {
        let account: ExotelAccount = "provsim1:key:tok:en".parse().unwrap();
        assert_eq!((account.sid.as_str(), account.api_token.as_str()), ("provsim1", "tok:en"));
        assert!("provsim1:key".parse::<ExotelAccount>().is_err());
        assert!("::".parse::<ExotelAccount>().is_err());
    }

    #[test]
    fn base36_is_compact_and_alphanumeric() {
        assert_eq!(to_base36(0), "0");
        assert_eq!(to_base36(35), "z");
        assert_eq!(to_base36(36), "10");
        assert!(to_base36(u64::MAX).bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
