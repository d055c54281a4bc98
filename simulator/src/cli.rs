//! The `provsim` command line.

use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app;
use crate::config::{FamilyId, Limits, ServeConfig};
use crate::descriptors;
use crate::fixtures::Fixture;

#[derive(Debug, Parser)]
#[command(name = "provsim", version, about = "Stateful simulator of telecom/ISP provisioning APIs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every enabled API family, each on its own listener, until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Write the OpenAPI 3.0.3 document of each family (generated from the endpoint tables).
    Openapi(OpenapiArgs),
    /// Check a running implementation (provsim or any other) against a family's contract and
    /// write JUnit XML and Markdown reports. Without --auth, the family's default-fixture
    /// credentials are used. Exits 1 when any check fails.
    Conform(provsim_contracts::ConformArgs),
    /// Load a running implementation (or, without --target, a simulator started in-process
    /// on free ports) with a goose scenario; writes goose's HTML, JSON and Markdown reports
    /// and prints a summary table. Exits 1 when a request or a --threshold failed.
    Load(provsim_loadtests::LoadArgs),
}

#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Only this family (control, vpn, vpn-daemon, exotel); default: every family.
    #[arg(long)]
    pub family: Option<String>,

    /// Folder to write `<family>.yaml` into; without it the YAML goes to stdout.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address every listener binds. Loopback by default: the simulator is a test tool.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Families to serve, comma-separated (vpn, vpn-daemon, exotel). The control plane always
    /// runs.
    #[arg(long, value_delimiter = ',', default_value = "vpn,vpn-daemon,exotel")]
    pub families: Vec<String>,

    /// Port of the control plane (`/_sim/*`); 0 picks a free port.
    #[arg(long, default_value_t = 8100)]
    pub control_port: u16,

    /// Port of the vpn Provisioning API; 0 picks a free port.
    #[arg(long, default_value_t = 8101)]
    pub vpn_port: u16,

    /// Port of the vpn device-status daemon (the real client uses 895); 0 picks a free port.
    #[arg(long, default_value_t = 8895)]
    pub vpn_daemon_port: u16,

    /// Port of the Exotel IP2IP Subscriber Management API; 0 picks a free port.
    #[arg(long, default_value_t = 8102)]
    pub exotel_port: u16,

    /// Starting data: `default` (the demo fixture in the README), `none` (the demo tenants and
    /// keys without subscribers), or a path to a JSON file shaped like
    /// simulator/fixtures/default.json.
    #[arg(long, default_value = "default")]
    pub fixtures: String,

    /// Seed of every generated id, token and request id: the same seed and the same requests
    /// give the same answers.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Start the simulated clock frozen at this RFC 3339 instant (it then moves only through
    /// the control plane). Without it the clock follows real time.
    #[arg(long)]
    pub clock_start: Option<String>,

    /// Largest request body accepted, in bytes; larger bodies answer 413.
    #[arg(long, default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,

    /// Time a client has to send a complete request head, in milliseconds.
    #[arg(long, default_value_t = Limits::default().header_read_timeout_ms)]
    pub header_read_timeout_ms: u64,

    /// Subscribers one vpn tenant may hold; further creates answer 507.
    #[arg(long, default_value_t = Limits::default().max_subscribers_per_tenant)]
    pub max_subscribers_per_tenant: usize,

    /// Subscribers one Exotel account may hold; further bulk-create items fail (400/1002).
    #[arg(long, default_value_t = Limits::default().max_subscribers_per_account)]
    pub max_subscribers_per_account: usize,

    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter (tracing EnvFilter syntax); per-request lines appear at `debug`.
    #[arg(long, env = "PROVSIM_LOG", default_value = "info")]
    pub log: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    main_with(WorkerHooks::default())
}

/// What the binary adds to the runtime the library builds: the `provsim` binary returns its
/// allocator's per-thread caches when a worker goes idle (src/main.rs).
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkerHooks {
    /// Run by a runtime worker each time it is about to park (no task left to run). Called
    /// very often under load: it must be cheap, or debounce itself.
    pub on_idle: Option<fn()>,
}

/// [`main`] with hooks on the runtime's workers.
pub fn main_with(hooks: WorkerHooks) -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args, hooks),
        Command::Openapi(args) => openapi(args),
        Command::Conform(args) => conform(args),
        Command::Load(args) => load(args, hooks),
    }
}

fn serve(args: ServeArgs, hooks: WorkerHooks) -> ExitCode {
    init_logging(args.log_format, &args.log);
    let config = match serve_config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("provsim: {message}");
            return ExitCode::from(2);
        }
    };
    let fixture = match Fixture::from_arg(&args.fixtures) {
        Ok(fixture) => fixture,
        Err(error) => {
            eprintln!("provsim: {error}");
            return ExitCode::from(2);
        }
    };
    // Before the runtime starts its threads: growing the descriptor table then waits for
    // nothing, while under load each growth stalled every `accept` (src/descriptors.rs).
    let budget = descriptors::prepare(descriptors::server_need(&config.limits, config.ports.len()));
    if !budget.is_sufficient() {
        tracing::warn!(
            needed = budget.needed,
            open_file_limit = budget.soft_limit_after,
            "the open-file limit is below what max_connections_per_listener allows on every \
             listener; connections past it will fail to be accepted (raise `ulimit -n`)"
        );
    }
    let runtime = match runtime(hooks) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let running = match app::start(&config, fixture.clone()).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("provsim: {error}");
                return ExitCode::FAILURE;
            }
        };
        print_banner(&running, &fixture, config.seed);
        wait_for_signal().await;
        eprintln!("provsim: shutting down (in-flight requests finish first)");
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}

fn openapi(args: OpenapiArgs) -> ExitCode {
    let families: Vec<FamilyId> = match &args.family {
        None => FamilyId::ALL.to_vec(),
        Some(name) => match FamilyId::from_name(name) {
            Some(family) => vec![family],
            None => {
                eprintln!("provsim: --family: unknown family {name:?}");
                return ExitCode::from(2);
            }
        },
    };
    for family in families {
        let yaml = match crate::openapi::to_yaml(&crate::openapi::document(family)) {
            Ok(yaml) => yaml,
            Err(error) => {
                eprintln!("provsim: cannot render the {} document: {error}", family.name());
                return ExitCode::FAILURE;
            }
        };
        match &args.out {
            None => print!("{yaml}"),
            Some(dir) => {
                let path = dir.join(crate::openapi::file_name(family));
                if let Err(error) =
                    std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, yaml))
                {
                    eprintln!("provsim: cannot write {}: {error}", path.display());
                    return ExitCode::FAILURE;
                }
                eprintln!("wrote {}", path.display());
            }
        }
    }
    ExitCode::SUCCESS
}

fn conform(mut args: provsim_contracts::ConformArgs) -> ExitCode {
    let doc = match &args.spec {
        Some(path) => match provsim_contracts::load_spec(path) {
            Ok(doc) => doc,
            Err(error) => {
                eprintln!("provsim: {error}");
                return ExitCode::from(2);
            }
        },
        None => match FamilyId::from_name(&args.family) {
            Some(family) => crate::openapi::document(family),
            None => {
                eprintln!(
                    "provsim: --family: unknown family {:?}; give --spec FILE for another document",
                    args.family
                );
                return ExitCode::from(2);
            }
        },
    };
    if args.auth.is_empty() {
        args.auth = default_credentials(&args.family);
    }
    // `--stateful` adds the links-driven model phase: creates are followed through the
    // document's `links` to the reads, updates and deletes of what they created.
    let mut stateful = provsim_contracts::LinksPhase::default();
    let report = match provsim_contracts::run_with(&doc, &args, &mut [&mut stateful]) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("provsim: {error}");
            return ExitCode::from(2);
        }
    };
    for written in [report.write_junit(&args.report_dir), report.write_markdown(&args.report_dir)] {
        match written {
            Ok(path) => eprintln!("wrote {}", path.display()),
            Err(error) => {
                eprintln!("provsim: {error}");
                return ExitCode::from(2);
            }
        }
    }
    // A run that could not authenticate proves nothing about the operations behind the
    // credentials: say so loudly and fail, instead of a green report full of 401/403s.
    let n_without_credentials = report
        .checks()
        .filter(|(_, check)| check.check == provsim_contracts::CheckId::Credentials)
        .count();
    if n_without_credentials > 0 {
        eprintln!(
            "provsim: {n_without_credentials} operations need credentials that no --auth value \
             fits (see the `credentials` entries of the report); give --auth"
        );
    }
    let summary = report.summary();
    println!(
        "conform {}: {} passed, {} failed, {} skipped",
        args.family, summary.n_passed, summary.n_failed, summary.n_skipped
    );
    if report.failed() || n_without_credentials > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn load(args: provsim_loadtests::LoadArgs, hooks: WorkerHooks) -> ExitCode {
    let targets = match provsim_loadtests::Targets::parse(&args.targets, args.scenario) {
        Ok(targets) => targets,
        Err(error) => {
            eprintln!("provsim: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match runtime(hooks) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        // Without targets, a whole simulator on free ports, with the demo fixture the
        // scenarios' default credentials belong to.
        let (running, targets) = if targets.is_empty() {
            let running = match app::start(&ServeConfig::ephemeral(), Fixture::demo()).await {
                Ok(running) => running,
                Err(error) => {
                    eprintln!("provsim: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let targets = provsim_loadtests::Targets {
                vpn: running.url(FamilyId::Vpn),
                vpn_daemon: running.url(FamilyId::VpnDaemon),
                exotel: running.url(FamilyId::Exotel),
                control: running.url(FamilyId::Control),
            };
            eprintln!("provsim load: simulator started in-process ({targets:?})");
            (Some(running), targets)
        } else {
            (None, targets)
        };
        let outcome = provsim_loadtests::run(&args, targets).await;
        if let Some(running) = running {
            running.shutdown().await;
        }
        match outcome {
            Ok(outcome) => {
                for path in &outcome.reports {
                    eprintln!("wrote {}", path.display());
                }
                print!("{}", outcome.summary.to_table());
                if outcome.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
            }
            Err(error) => {
                eprintln!("provsim: {error}");
                ExitCode::from(2)
            }
        }
    })
}

/// The default fixture's first credential of `family` (the README's credential table).
fn default_credentials(family: &str) -> Vec<provsim_contracts::Credential> {
    let text = match family {
        "vpn" => "bearer:vpn-demo-key",
        "exotel" => "basic:exotel-demo-key:exotel-demo-token",
        _ => return Vec::new(),
    };
    text.parse().into_iter().collect()
}

/// The multi-threaded runtime `serve` and `load` run on, or the exit code of its failure.
fn runtime(hooks: WorkerHooks) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if let Some(on_idle) = hooks.on_idle {
        builder.on_thread_park(on_idle);
    }
    builder.build().map_err(|error| {
        eprintln!("provsim: cannot start the async runtime: {error}");
        ExitCode::FAILURE
    })
}

fn serve_config(args: &ServeArgs) -> Result<ServeConfig, String> {
    let mut ports = vec![(FamilyId::Control, args.control_port)];
    for name in &args.families {
        let family =
            FamilyId::from_name(name.trim()).filter(|f| *f != FamilyId::Control).ok_or_else(
                || format!("--families: unknown family {name:?} (known: vpn, vpn-daemon, exotel)"),
            )?;
        let port = match family {
            FamilyId::Vpn => args.vpn_port,
            FamilyId::VpnDaemon => args.vpn_daemon_port,
            FamilyId::Exotel => args.exotel_port,
            FamilyId::Control => args.control_port,
        };
        if !ports.iter().any(|(f, _)| *f == family) {
            ports.push((family, port));
        }
    }
    let clock_start_epoch_ms = match &args.clock_start {
        None => None,
        Some(text) => {
            let at = OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|e| format!("--clock-start must be an RFC 3339 date-time: {e}"))?;
            Some(
                i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
                    .map_err(|_| "--clock-start is out of range")?,
            )
        }
    };
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        header_read_timeout_ms: args.header_read_timeout_ms,
        max_subscribers_per_tenant: args.max_subscribers_per_tenant,
        max_subscribers_per_account: args.max_subscribers_per_account,
        ..Limits::default()
    };
    Ok(ServeConfig { bind: args.bind, ports, limits, seed: args.seed, clock_start_epoch_ms })
}

fn print_banner(running: &app::Running, fixture: &Fixture, seed: u64) {
    println!("provsim {} (seed {seed})", env!("CARGO_PKG_VERSION"));
    for (family, addr) in &running.listeners {
        println!("  {:<11} http://{addr}", family.name());
    }
    println!("credentials:");
    for tenant in &fixture.vpn.tenants {
        for key in &tenant.keys {
            println!("  vpn tenant {:<11} Authorization: Bearer {key}", tenant.name);
        }
    }
    for account in &fixture.exotel.accounts {
        println!(
            "  exotel account {:<9} Basic {}:{} (curl -u)",
            account.sid, account.api_key, account.api_token
        );
    }
}

fn init_logging(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: CI logs and files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
