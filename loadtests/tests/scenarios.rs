//! Every scenario, run for a second against a simulator started in-process, passes with no
//! failed request; a wrong credential makes a run fail. (Correctness of the harness only:
//! performance numbers come from `provsim load` and the benchmarks, never from a test.)

use std::path::Path;

use provsim::app::{Running, start};
use provsim::config::{FamilyId, ServeConfig};
use provsim::fixtures::Fixture;
use provsim_loadtests::{LoadArgs, Outcome, ScenarioName, Targets, run};

fn args(scenario: ScenarioName, report_dir: &Path) -> LoadArgs {
    LoadArgs {
        scenario,
        users: 4,
        run_time: "1s".into(),
        targets: Vec::new(),
        report_dir: report_dir.to_path_buf(),
        vpn_key: "vpn-demo-key".into(),
        vpn_tenant: "telefonica".into(),
        exotel_account: "provsim1:exotel-demo-key:exotel-demo-token".parse().unwrap(),
        poll_interval_ms: 10,
        devices_per_poller: 2,
        probe_user_id: "1000000001".into(),
        probe_device_id: "0A1B2C3D4E5F".into(),
        threshold: Vec::new(),
        goose_output: false,
    }
}

fn targets(running: &Running) -> Targets {
    Targets {
        vpn: running.url(FamilyId::Vpn),
        vpn_daemon: running.url(FamilyId::VpnDaemon),
        exotel: running.url(FamilyId::Exotel),
        control: running.url(FamilyId::Control),
    }
}

fn requests_of(outcome: &Outcome, name: &str) -> usize {
    outcome.summary.requests.iter().filter(|r| r.name == name).map(|r| r.count).sum()
}

// One test: goose installs process-wide handlers (logger, Ctrl-C), so runs go one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_against_the_simulator_and_a_wrong_key_fails() {
    let running = start(&ServeConfig::ephemeral(), Fixture::demo()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("provsim-loadtests-{}", std::process::id()));
    let expectations = [
        (
            ScenarioName::Provisioning,
            "POST /_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices (over the cap)",
        ),
        (ScenarioName::DevicePolling, "GET /config/status.js"),
        (ScenarioName::ExotelBulk, "POST /v2/accounts/{sid}/subscribers"),
        (ScenarioName::Mixed, "DELETE /subscribers/{user_id}"),
        (ScenarioName::ListDevices, "GET /subscribers/{user_id}/devices"),
        (ScenarioName::JsonpStatus, "GET /config/status.js"),
    ];
    for (scenario, request) in expectations {
        let outcome = run(&args(scenario, &dir), targets(&running)).await.unwrap();
        let table = outcome.summary.to_table();
        assert!(outcome.passed(), "{scenario:?} failed:\n{table}");
        assert!(requests_of(&outcome, request) > 0, "{scenario:?} made no {request}:\n{table}");
        for ext in ["html", "json", "md"] {
            let report = dir.join(format!("{}.{ext}", scenario.name()));
            assert!(report.is_file(), "{} not written", report.display());
        }
    }

    let mut wrong = args(ScenarioName::ListDevices, &dir);
    wrong.vpn_key = "not-a-key".into();
    let outcome = run(&wrong, targets(&running)).await.unwrap();
    assert!(!outcome.passed(), "a run of 403s passed");
    assert_eq!(outcome.summary.total.failed, outcome.summary.total.count);
    assert!(outcome.summary.total.statuses.contains_key(&403));

    let mut strict = args(ScenarioName::ListDevices, &dir);
    strict.threshold = vec!["p99<1us".into()];
    let outcome = run(&strict, targets(&running)).await.unwrap();
    assert_eq!(outcome.summary.failed_thresholds.len(), 1, "{:?}", outcome.summary);
    assert!(!outcome.passed());

    let missing = run(&args(ScenarioName::ExotelBulk, &dir), Targets::default()).await;
    assert!(missing.is_err(), "a scenario without its target ran");

    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_ceiling_answers_its_fixed_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (listener, addr) =
        provsim_loadtests::ceiling::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
    let server = tokio::spawn(provsim_loadtests::ceiling::serve(listener, Default::default()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /anything HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("content-type: application/json"), "{answer}");
    assert!(answer.ends_with(provsim_loadtests::ceiling::BODY), "{answer}");
    server.abort();
}
