//! The report as Markdown for people: a summary, every failure with its request and
//! response, then one table row per check.

use std::fmt::Write as _;

use super::{Outcome, Report};

pub fn render(report: &Report) -> String {
    let summary = report.summary();
    let mut out = String::new();
    let verdict = if report.failed() { "FAILED" } else { "passed" };
    let _ = writeln!(out, "# Conformance report: {} ({verdict})\n", cell(&report.family));
    let _ =
        writeln!(out, "- document: {} {}", cell(&report.spec_title), cell(&report.spec_version));
    let _ = writeln!(out, "- target: `{}`", report.base_url);
    let _ = writeln!(
        out,
        "- checks: {} passed, {} failed, {} skipped ({} ms)\n",
        summary.n_passed, summary.n_failed, summary.n_skipped, report.duration_ms
    );

    let _ = writeln!(out, "## Failures\n");
    if summary.n_failed == 0 {
        let _ = writeln!(out, "None.\n");
    }
    for (operation, check) in report.failures() {
        let _ = writeln!(out, "### {} — {}\n", cell(&operation.name), cell(&check.name()));
        if let (Some(method), Some(path)) = (&operation.method, &operation.path) {
            let _ = writeln!(out, "Operation `{method} {path}`.\n");
        }
        let _ = writeln!(out, "{}\n", check.message);
        if let Some(exchange) = &check.exchange {
            let transcript = exchange.transcript();
            let fence = fence_for(&transcript);
            let _ = writeln!(out, "{fence}http\n{transcript}{fence}\n");
        }
    }

    let _ = writeln!(out, "## All checks\n");
    let _ = writeln!(out, "| operation | check | result | message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (operation, check) in report.checks() {
        let result = match check.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "**FAIL**",
            Outcome::Skip => "skip",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {result} | {} |",
            cell(&operation.name),
            cell(&check.name()),
            cell(&check.message)
        );
    }
    out
}

/// Text made safe for a table cell or heading: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('\r', "").replace('\n', " ").replace('|', "\\|")
}

/// A code fence longer than any run of backticks in the text, so a body cannot close it.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_come_first_with_their_transcript() {
        let text = render(&crate::report::tests::sample());
        assert!(text.starts_with("# Conformance report: widgets/test (FAILED)"), "{text}");
        assert!(text.contains("- checks: 1 passed, 1 failed, 1 skipped"), "{text}");
        assert!(text.contains("### getWidget — status-documented"), "{text}");
        // The body holds ``` so the fence is four backticks.
        assert!(text.contains("````http\n> GET http://h/api/widgets/w1\n"), "{text}");
        assert!(text.contains("< 202 (4 ms)"), "{text}");
        assert!(text.contains("| getWidget | wrong-type[size] | skip | no JSON body |"), "{text}");
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("````"), "`````");
    }
}
