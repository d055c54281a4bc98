//! The process's file-descriptor budget: the open-file limit raised to what the configured
//! connection limits can use, and the kernel's descriptor table grown to that size once, at
//! start, instead of under load.
//!
//! Why the table: Linux grows a process's descriptor table by doubling it when a new
//! descriptor does not fit, and when several threads share the table (every multi-threaded
//! server) each growth waits for an RCU grace period (`expand_files` → `synchronize_rcu`).
//! Meanwhile every other thread that allocates a descriptor (`accept`, `socket`) blocks too.
//! A burst of 2,000 new connections grows the table five times in a second; each wait took
//! 10–30 ms on the 2-core CI machine, and the control plane's `accept` waited with them: that
//! was the health probe over 10 ms in a load's first second (kernel stacks in
//! reports/robustness/soak.md). The table never shrinks, so growing it before the runtime
//! starts its threads costs one allocation and no wait. Its size is kernel memory, not RSS:
//! 8 bytes per slot (128 KiB for the defaults' 16,384 slots).

use crate::config::Limits;

/// Descriptors a server uses besides its connections: standard streams, listeners, the
/// runtime's epoll and wake-up descriptors, the allocator's and the logger's files.
pub const BASELINE_DESCRIPTORS: u64 = 64;

/// Descriptors `listeners` listeners can hold at once under `limits`: every served and every
/// refused connection, plus the baseline.
pub fn server_need(limits: &Limits, listeners: usize) -> u64 {
    let per_listener =
        limits.max_connections_per_listener.saturating_add(limits.max_refusing_connections);
    (per_listener as u64).saturating_mul(listeners as u64).saturating_add(BASELINE_DESCRIPTORS)
}

/// What [`prepare`] did, for the log and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Descriptors asked for.
    pub needed: u64,
    /// The soft `RLIMIT_NOFILE` before and after (raised, never lowered; at most the hard
    /// limit).
    pub soft_limit_before: u64,
    pub soft_limit_after: u64,
    /// The hard limit, which an unprivileged process cannot raise.
    pub hard_limit: u64,
    /// The highest descriptor number the table was grown to hold (`None`: it could not be,
    /// see the log).
    pub table_holds_up_to: Option<u64>,
}

impl Budget {
    /// True when the limits let the process hold every descriptor it was asked for.
    pub fn is_sufficient(&self) -> bool {
        self.soft_limit_after >= self.needed
    }
}

/// Raises the soft open-file limit towards `needed` (up to the hard limit) and grows the
/// descriptor table to fit that many. Call it before starting threads: the growth then waits
/// for no grace period. Failures are logged and leave the process as it was: a smaller limit
/// means connections past it fail to `accept` (logged by the listener), not a crash.
#[cfg(unix)]
pub fn prepare(needed: u64) -> Budget {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

    let current = getrlimit(Resource::Nofile);
    // `None` is "unlimited", which Linux does not allow for this resource; read it as huge.
    let soft_before = current.current.unwrap_or(u64::MAX);
    let hard = current.maximum.unwrap_or(u64::MAX);
    let mut soft_after = soft_before;
    if soft_before < needed {
        let wanted = needed.min(hard);
        match setrlimit(
            Resource::Nofile,
            Rlimit { current: Some(wanted), maximum: current.maximum },
        ) {
            Ok(()) => soft_after = wanted,
            Err(error) => {
                tracing::warn!(%error, wanted, "could not raise the open-file limit");
            }
        }
    }
    // The highest descriptor the table must fit; `F_DUPFD` refuses numbers at or over the
    // soft limit.
    let top = needed.min(soft_after).saturating_sub(1);
    let table_holds_up_to = grow_table_to(top);
    Budget {
        needed,
        soft_limit_before: soft_before,
        soft_limit_after: soft_after,
        hard_limit: hard,
        table_holds_up_to,
    }
}

/// Duplicates standard error onto the lowest free descriptor at or above `top` and closes
/// the copy: the kernel grows the table to fit it first. `None` when that fails (standard
/// error closed, `top` out of range).
#[cfg(unix)]
fn grow_table_to(top: u64) -> Option<u64> {
    use std::os::fd::AsFd;

    let top_fd = i32::try_from(top).ok()?;
    let stderr = std::io::stderr();
    match rustix::io::fcntl_dupfd_cloexec(stderr.as_fd(), top_fd) {
        Ok(copy) => {
            drop(copy);
            Some(top)
        }
        Err(error) => {
            tracing::debug!(%error, top, "descriptor table not grown ahead of load");
            None
        }
    }
}

#[cfg(not(unix))]
pub fn prepare(needed: u64) -> Budget {
    Budget {
        needed,
        soft_limit_before: u64::MAX,
        soft_limit_after: u64::MAX,
        hard_limit: u64::MAX,
        table_holds_up_to: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_need_counts_served_and_refused_connections_on_every_listener() {
        let limits = Limits {
            max_connections_per_listener: 100,
            max_refusing_connections: 10,
            ..Limits::default()
        };
        assert_eq!(server_need(&limits, 4), 4 * 110 + BASELINE_DESCRIPTORS);
        assert_eq!(server_need(&Limits::default(), 4), 4 * (2_048 + 64) + 64);
    }

    #[test]
    fn the_need_saturates_instead_of_overflowing() {
        let limits = Limits {
            max_connections_per_listener: usize::MAX,
            max_refusing_connections: 1,
            ..Limits::default()
        };
        assert_eq!(server_need(&limits, 4), u64::MAX);
    }

    /// One test touches the process's limit, so that parallel tests never see it change.
    #[cfg(target_os = "linux")]
    #[test]
    fn prepare_raises_the_soft_limit_within_the_hard_one_and_grows_the_table() {
        use rustix::process::{Resource, getrlimit};

        let before = getrlimit(Resource::Nofile);
        let soft = before.current.unwrap_or(u64::MAX);
        let hard = before.maximum.unwrap_or(u64::MAX);
        // Ask for a little more than the soft limit, or for what it already allows.
        let needed = soft.saturating_add(16).min(hard).min(65_536);
        let budget = prepare(needed);
        assert_eq!(budget.soft_limit_before, soft);
        assert_eq!(budget.hard_limit, hard);
        assert!(budget.soft_limit_after >= soft, "never lowered: {budget:?}");
        assert!(budget.soft_limit_after <= hard, "never over the hard limit: {budget:?}");
        assert!(budget.is_sufficient(), "{budget:?}");
        assert_eq!(budget.table_holds_up_to, Some(needed - 1), "{budget:?}");
        // The copy made to grow the table was closed again.
        let after = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
        assert_eq!(after, budget.soft_limit_after);
        let top = needed - 1;
        assert!(
            !std::path::Path::new(&format!("/proc/self/fd/{top}")).exists(),
            "descriptor {top} is still open"
        );
    }
}
