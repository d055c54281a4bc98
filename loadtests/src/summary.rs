//! The summary of a run: one row per request name (count, req/s, p50/p95/p99, failures),
//! one row per transaction (runs, failures), and the `--threshold` rules that failed.
//! Printed as a table after every run, and written as `<scenario>-summary.json` for
//! scripts (the perf gate reads it).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use goose::metrics::GooseMetrics;
use serde::Serialize;

/// Requests of one name (or all of them, in [`Summary::total`]).
#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    pub name: String,
    pub count: usize,
    pub failed: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Answers per status code.
    pub statuses: BTreeMap<u16, usize>,
}

/// Runs of one transaction.
#[derive(Debug, Clone, Serialize)]
pub struct TransactionRow {
    pub scenario: String,
    pub name: String,
    pub runs: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub users: usize,
    /// Seconds the metrics cover (from the reset once every user started, to the end).
    pub duration_s: usize,
    pub total: RequestRow,
    pub requests: Vec<RequestRow>,
    pub transactions: Vec<TransactionRow>,
    /// `--threshold` rules that failed, with what was observed.
    pub failed_thresholds: Vec<String>,
}

impl Summary {
    pub fn from_metrics(
        scenario: &str,
        users: usize,
        metrics: &GooseMetrics,
        failed_thresholds: Vec<String>,
    ) -> Summary {
        let duration_s = metrics.duration.max(1);
        let mut all_times: BTreeMap<u64, usize> = BTreeMap::new();
        let mut all_statuses: BTreeMap<u16, usize> = BTreeMap::new();
        let (mut max_us, mut total_failed) = (0u64, 0usize);
        let mut requests: Vec<RequestRow> = metrics
            .requests
            .iter()
            .map(|(key, aggregate)| {
                let raw = &aggregate.raw_data;
                for (bucket, count) in raw.times_us.iter() {
                    *all_times.entry(*bucket).or_default() += count;
                }
                let statuses: BTreeMap<u16, usize> =
                    aggregate.status_code_counts.iter().map(|(s, n)| (*s, *n)).collect();
                for (status, n) in &statuses {
                    *all_statuses.entry(*status).or_default() += n;
                }
                max_us = max_us.max(raw.maximum_time_us);
                total_failed += aggregate.fail_count;
                let count = aggregate.success_count + aggregate.fail_count;
                RequestRow {
                    name: key.clone(),
                    count,
                    failed: aggregate.fail_count,
                    rps: count as f64 / duration_s as f64,
                    p50_ms: ms(raw.percentile_us(0.50)),
                    p95_ms: ms(raw.percentile_us(0.95)),
                    p99_ms: ms(raw.percentile_us(0.99)),
                    max_ms: ms(raw.maximum_time_us),
                    statuses,
                }
            })
            .collect();
        requests.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let count: usize = all_times.values().sum();
        let total = RequestRow {
            name: "all requests".into(),
            count,
            failed: total_failed,
            rps: count as f64 / duration_s as f64,
            p50_ms: ms(percentile(&all_times, count, 0.50)),
            p95_ms: ms(percentile(&all_times, count, 0.95)),
            p99_ms: ms(percentile(&all_times, count, 0.99)),
            max_ms: ms(max_us),
            statuses: all_statuses,
        };
        let transactions = metrics
            .transactions
            .iter()
            .flatten()
            .filter(|t| t.success_count + t.fail_count > 0)
            .map(|t| TransactionRow {
                scenario: t.scenario_name.to_string(),
                name: t.transaction_name.name_for_transaction().to_owned(),
                runs: t.success_count + t.fail_count,
                failed: t.fail_count,
            })
            .collect();
        Summary {
            scenario: scenario.into(),
            users,
            duration_s,
            total,
            requests,
            transactions,
            failed_thresholds,
        }
    }

    /// Something was measured, nothing failed and every threshold held.
    pub fn passed(&self) -> bool {
        self.total.count > 0
            && self.total.failed == 0
            && self.transactions.iter().all(|t| t.failed == 0)
            && self.failed_thresholds.is_empty()
    }

    /// The console table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "scenario {}: {} users, {} s measured",
            self.scenario, self.users, self.duration_s
        );
        let width = self.requests.iter().map(|r| r.name.len()).chain([12]).max().unwrap_or(12);
        let _ = writeln!(
            out,
            "{:<width$}  {:>9} {:>10} {:>8} {:>8} {:>8} {:>8}  statuses",
            "request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"
        );
        for row in self.requests.iter().chain([&self.total]) {
            let statuses: Vec<String> =
                row.statuses.iter().map(|(status, n)| format!("{status}×{n}")).collect();
            let _ = writeln!(
                out,
                "{:<width$}  {:>9} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>8}  {}",
                row.name,
                row.count,
                row.rps,
                row.p50_ms,
                row.p95_ms,
                row.p99_ms,
                row.failed,
                statuses.join(" ")
            );
        }
        if !self.transactions.is_empty() {
            let width = self.transactions.iter().map(|t| t.scenario.len() + t.name.len() + 3).max();
            let width = width.unwrap_or(12).max(12);
            let _ = writeln!(out, "\n{:<width$}  {:>9} {:>8}", "transaction", "runs", "errors");
            for t in &self.transactions {
                let label = format!("{} / {}", t.scenario, t.name);
                let _ = writeln!(out, "{label:<width$}  {:>9} {:>8}", t.runs, t.failed);
            }
        }
        for rule in &self.failed_thresholds {
            let _ = writeln!(out, "threshold failed: {rule}");
        }
        out
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}

/// The bucket value below which `percent` of `count` times fall.
fn percentile(times: &BTreeMap<u64, usize>, count: usize, percent: f64) -> u64 {
    if count == 0 {
        return 0;
    }
    let rank = ((count as f64) * percent).ceil().max(1.0) as usize;
    let mut seen = 0;
    for (bucket, n) in times {
        seen += n;
        if seen >= rank {
            return *bucket;
        }
    }
    times.keys().next_back().copied().unwrap_or(0)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::percentile;
    use std::collections::BTreeMap;

    #[test]
    fn percentiles_walk_the_buckets() {
        let times: BTreeMap<u64, usize> = [(100, 50), (200, 45), (900, 5)].into_iter().collect();
        assert_eq!(percentile(&times, 100, 0.50), 100);
        assert_eq!(percentile(&times, 100, 0.95), 200);
        assert_eq!(percentile(&times, 100, 0.99), 900);
        assert_eq!(percentile(&BTreeMap::new(), 0, 0.5), 0);
    }
}
