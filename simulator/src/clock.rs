//! The simulator's one clock.
//!
//! Every timestamp a family produces (creation dates, JWT `iat`/`exp`, daemon counters) comes
//! from [`SimClock::now_ms`], never from the wall clock directly, so that the control plane can
//! freeze or advance time and a transcript replays identically.
//!
//! **Architecture Invariant:** no handler reads `SystemTime` itself.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Sentinel stored in `fixed_epoch_ms` while the clock follows real time.
const NOT_FIXED: i64 = i64::MIN;

/// A clock that is either real time plus an offset, or a fixed instant.
///
/// Two atomics instead of a lock: the clock is read on every request, and a reader racing a
/// writer at worst sees the value from just before the control-plane call, which is the same
/// answer it would get had it arrived a microsecond earlier.
#[derive(Debug)]
pub struct SimClock {
    /// Added to the wall clock while the clock is real.
    offset_ms: AtomicI64,
    /// The frozen instant, or [`NOT_FIXED`].
    fixed_epoch_ms: AtomicI64,
}

/// What the control plane reports about the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall clock plus an offset (the offset grows when time is advanced).
    Real,
    /// Frozen; moves only when advanced.
    Fixed,
}

impl SimClock {
    /// A clock that follows real time.
    pub fn real() -> Self {
        SimClock { offset_ms: AtomicI64::new(0), fixed_epoch_ms: AtomicI64::new(NOT_FIXED) }
    }

    /// A clock frozen at `epoch_ms` (milliseconds since the Unix epoch).
    pub fn fixed(epoch_ms: i64) -> Self {
        SimClock { offset_ms: AtomicI64::new(0), fixed_epoch_ms: AtomicI64::new(epoch_ms) }
    }

    /// Milliseconds since the Unix epoch, as the simulation sees them.
    pub fn now_ms(&self) -> i64 {
        let fixed = self.fixed_epoch_ms.load(Ordering::Relaxed);
        if fixed != NOT_FIXED {
            return fixed;
        }
        wall_clock_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Seconds since the Unix epoch, rounded down.
    pub fn now_s(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn mode(&self) -> ClockMode {
        if self.fixed_epoch_ms.load(Ordering::Relaxed) == NOT_FIXED {
            ClockMode::Real
        } else {
            ClockMode::Fixed
        }
    }

    /// Freezes the clock at `epoch_ms`.
    pub fn freeze_at(&self, epoch_ms: i64) {
        self.fixed_epoch_ms.store(epoch_ms, Ordering::Relaxed);
    }

    /// Lets the clock follow real time again, continuing from the current simulated instant
    /// (time never jumps backwards when a frozen clock is released).
    pub fn release(&self) {
        let now_ms = self.now_ms();
        self.offset_ms.store(now_ms - wall_clock_ms(), Ordering::Relaxed);
        self.fixed_epoch_ms.store(NOT_FIXED, Ordering::Relaxed);
    }

    /// Moves the clock forward by `delta_ms`, frozen or not.
    pub fn advance_ms(&self, delta_ms: i64) {
        if self.fixed_epoch_ms.load(Ordering::Relaxed) == NOT_FIXED {
            self.offset_ms.fetch_add(delta_ms, Ordering::Relaxed);
        } else {
            self.fixed_epoch_ms.fetch_add(delta_ms, Ordering::Relaxed);
        }
    }
}

fn wall_clock_ms() -> i64 {
    // A wall clock before 1970 is a broken machine; count it as the epoch rather than panic.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let clock = SimClock::fixed(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance_ms(500);
        assert_eq!(clock.now_ms(), 1_500);
        assert_eq!(clock.now_s(), 1);
        assert_eq!(clock.mode(), ClockMode::Fixed);
    }

    #[test]
    fn advancing_a_real_clock_shifts_it() {
        let clock = SimClock::real();
        let before = clock.now_ms();
        clock.advance_ms(3_600_000);
        assert!(clock.now_ms() >= before + 3_600_000);
    }

    #[test]
    fn releasing_a_frozen_clock_never_goes_back() {
        let clock = SimClock::fixed(wall_clock_ms() + 86_400_000);
        let frozen = clock.now_ms();
        clock.release();
        assert_eq!(clock.mode(), ClockMode::Real);
        assert!(clock.now_ms() >= frozen);
    }
}
