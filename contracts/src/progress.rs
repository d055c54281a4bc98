//! The progress line on stderr: `[12/40] createSubscriber: example request ... ok`, one per
//! step, so a long run against a slow target shows how far it is.

use std::io::Write as _;

use crate::report::{CheckResult, Outcome};

#[derive(Debug)]
pub struct Progress {
    n_steps: usize,
    step_idx: usize,
    quiet: bool,
}

impl Progress {
    pub fn new(n_steps: usize, quiet: bool) -> Progress {
        Progress { n_steps, step_idx: 0, quiet }
    }

    /// Prints one finished step with the verdict of its checks.
    pub fn step(&mut self, who: &str, what: &str, results: &[&CheckResult]) {
        self.step_idx += 1;
        if self.quiet {
            return;
        }
        let line =
            format!("[{}/{}] {who}: {what} ... {}", self.step_idx, self.n_steps, verdict(results));
        // A closed stderr must not stop the run: progress is a courtesy.
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// `ok`, `skip`, or `FAIL (check-a, check-b)`.
pub fn verdict(results: &[&CheckResult]) -> String {
    let failed: Vec<String> =
        results.iter().filter(|r| r.outcome == Outcome::Fail).map(|r| r.name()).collect();
    if !failed.is_empty() {
        format!("FAIL ({})", failed.join(", "))
    } else if !results.is_empty() && results.iter().all(|r| r.outcome == Outcome::Skip) {
        "skip".to_owned()
    } else {
        "ok".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CheckId;

    #[test]
    fn verdicts() {
        let pass = CheckResult::pass(CheckId::BodySchema, "");
        let fail = CheckResult::fail(CheckId::WrongType, "").with_subject("size");
        let skip = CheckResult::skip(CheckId::BodySchema, "");
        assert_eq!(verdict(&[&pass, &skip]), "ok");
        assert_eq!(verdict(&[&skip]), "skip");
        assert_eq!(verdict(&[&pass, &fail]), "FAIL (wrong-type[size])");
        assert_eq!(verdict(&[]), "ok");
    }
}
