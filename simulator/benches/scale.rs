//! Scale: 1,000,000 vpn subscribers with two devices each, loaded through `VpnState`'s own
//! methods (`create_subscriber`, then `activate_device` twice), in one tenant.
//!
//! ```sh
//! cargo bench -p provsim --bench scale                      # 1,000,000 subscribers
//! SCALE_SUBSCRIBERS=200000 cargo bench -p provsim --bench scale
//! ```
//!
//! Prints, per block of 100,000 subscribers, the time the state calls took (only the calls
//! are timed, not building their arguments) and the resident memory (`VmRSS` of
//! `/proc/self/status`). The cost per block must stay flat: a create must not get slower as
//! the tenant grows. The last line gives the memory per subscriber with its two devices.

use std::time::{Duration, Instant};

use provsim::families::vpn::model::{Bundle, BundleSpec, DeviceKind, NewSubscriber};
use provsim::families::vpn::state::{TenantFixture, TenantIdx, VpnState};

const BLOCK: usize = 100_000;

fn main() {
    let n_subscribers: usize =
        std::env::var("SCALE_SUBSCRIBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let catalogue = vec![BundleSpec { id: "premium".into() }];
    let tenants = vec![TenantFixture {
        name: "telefonica".into(),
        keys: vec!["vpn-demo-key".into()],
        subscribers: Vec::new(),
    }];
    let rss_start = rss_bytes();
    let state = VpnState::new(catalogue, tenants, 0, n_subscribers + 1).expect("state");
    let tenant = TenantIdx(0);
    let now_ms = 1_767_225_600_000;

    println!("scale: {n_subscribers} vpn subscribers, 2 devices each, one tenant");
    println!(
        "{:>12} {:>10} {:>10} {:>12} {:>10} {:>10}",
        "subscribers", "block ms", "mean µs", "median µs", "p99 µs", "RSS MiB"
    );
    let mut block_time = Duration::ZERO;
    let mut block_times = Vec::new();
    let mut block_medians = Vec::new();
    let mut each_ns: Vec<u32> = Vec::with_capacity(BLOCK);
    for i in 0..n_subscribers {
        let record = NewSubscriber {
            order: format!("order-{i}").into(),
            id_hub: format!("hub{i}").into(),
            ob: "movistar".into(),
            password: format!("+346{:08}", i % 100_000_000).into(),
            bundle: Bundle { catalogue_idx: 0, licenses: 2 },
            locale: "es-ES".into(),
            license_key: None,
            price_cents: None,
        };
        let started = Instant::now();
        let user_id = state.create_subscriber(tenant, record).expect("create");
        for kind in [DeviceKind::Desktop, DeviceKind::Mobile] {
            state.activate_device(tenant, user_id, kind, None, None, now_ms).expect("activate");
        }
        let took = started.elapsed();
        block_time += took;
        each_ns.push(u32::try_from(took.as_nanos()).unwrap_or(u32::MAX));
        if (i + 1) % BLOCK == 0 || i + 1 == n_subscribers {
            let n_in_block = each_ns.len();
            each_ns.sort_unstable();
            let median_us = f64::from(each_ns[n_in_block / 2]) / 1e3;
            let p99_us = f64::from(each_ns[(n_in_block * 99 / 100).min(n_in_block - 1)]) / 1e3;
            println!(
                "{:>12} {:>10.1} {:>10.3} {:>12.3} {:>10.3} {:>10.1}",
                i + 1,
                block_time.as_secs_f64() * 1e3,
                block_time.as_secs_f64() * 1e6 / n_in_block as f64,
                median_us,
                p99_us,
                rss_bytes() as f64 / (1024.0 * 1024.0)
            );
            block_times.push(block_time);
            block_medians.push(median_us);
            block_time = Duration::ZERO;
            each_ns.clear();
        }
    }
    let rss_end = rss_bytes();
    let per_subscriber = rss_end.saturating_sub(rss_start) as f64 / n_subscribers as f64;
    println!(
        "memory: {:.1} MiB for {n_subscribers} subscribers = {per_subscriber:.0} bytes per \
         subscriber with 2 devices (target <= 1024)",
        rss_end.saturating_sub(rss_start) as f64 / (1024.0 * 1024.0)
    );
    if block_times.len() > 1 {
        let ratio = |v: &[f64]| v[v.len() - 1] / v[0];
        let means: Vec<f64> = block_times.iter().map(Duration::as_secs_f64).collect();
        println!(
            "create cost, last block / first block: mean {:.2}, median {:.2}",
            ratio(&means),
            ratio(&block_medians)
        );
    }
    // The state stays alive until here, so the memory above is all of it.
    assert_eq!(state.subscriber_count(tenant), n_subscribers);
}

/// `VmRSS` of this process, in bytes (0 where /proc is not available).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
