//! Per-account rate limiting on the simulated clock (Exotel: "max 200 req/min for most
//! endpoints", answered with 429).
//!
//! A fixed window per account: the first request after a window closed opens a new
//! one-minute window, and at most `requests_per_minute` requests are admitted in it. Refused
//! requests are not counted, so a client that waits `Retry-After` seconds always gets in.
//! Chosen over a sliding log because it needs no memory per request (a load test may raise
//! the limit to millions) and because "advance the clock one minute and the account
//! recovers" is easy to state and to test. A window that opened "in the future" (the clock
//! was moved back, which only a real wall clock can do) is simply replaced.

/// Length of one window.
pub const RATE_WINDOW_MS: i64 = 60_000;
/// What an account gets when the fixture names no limit (Exotel's documented default).
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 200;

/// One account's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateMeter {
    /// Requests admitted per window; 0 turns limiting off.
    requests_per_minute: u32,
    window_start_ms: Option<i64>,
    n_admitted: u32,
}

/// A refused request: how long until the window closes, in whole seconds, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub requests_per_minute: u32,
    pub retry_after_s: u64,
}

impl RateMeter {
    pub fn new(requests_per_minute: u32) -> Self {
        RateMeter { requests_per_minute, window_start_ms: None, n_admitted: 0 }
    }

    pub fn requests_per_minute(&self) -> u32 {
        self.requests_per_minute
    }

    /// Changes the limit; requests already admitted in the current window still count.
    pub fn set_requests_per_minute(&mut self, requests_per_minute: u32) {
        self.requests_per_minute = requests_per_minute;
    }

    /// Counts one request at `now_ms`, or refuses it.
    ///
    /// # Errors
    /// [`Refused`] when the current window already admitted `requests_per_minute` requests.
    pub fn admit(&mut self, now_ms: i64) -> Result<(), Refused> {
        if self.requests_per_minute == 0 {
            return Ok(());
        }
        let window_end_ms = match self.window_start_ms {
            Some(start_ms)
                if start_ms <= now_ms && now_ms < start_ms.saturating_add(RATE_WINDOW_MS) =>
            {
                start_ms.saturating_add(RATE_WINDOW_MS)
            }
            _ => {
                self.window_start_ms = Some(now_ms);
                self.n_admitted = 1;
                return Ok(());
            }
        };
        if self.n_admitted >= self.requests_per_minute {
            let wait_ms = u64::try_from(window_end_ms - now_ms).unwrap_or(0);
            return Err(Refused {
                requests_per_minute: self.requests_per_minute,
                retry_after_s: wait_ms.div_ceil(1000).max(1),
            });
        }
        self.n_admitted += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_limit_then_refuses_until_the_window_closes() {
        let mut meter = RateMeter::new(3);
        let t0 = 1_000_000;
        for _ in 0..3 {
            assert_eq!(meter.admit(t0), Ok(()));
        }
        assert_eq!(meter.admit(t0), Err(Refused { requests_per_minute: 3, retry_after_s: 60 }));
        assert_eq!(meter.admit(t0 + 59_001).unwrap_err().retry_after_s, 1);
        assert_eq!(meter.admit(t0 + 30_500).unwrap_err().retry_after_s, 30);
        // The window is [t0, t0 + 60 s): at t0 + 60 s a new one opens.
        assert_eq!(meter.admit(t0 + RATE_WINDOW_MS), Ok(()));
    }

    #[test]
    fn refused_requests_do_not_count() {
        let mut meter = RateMeter::new(1);
        assert!(meter.admit(0).is_ok());
        for _ in 0..100 {
            assert!(meter.admit(1).is_err());
        }
        assert!(meter.admit(RATE_WINDOW_MS).is_ok());
        assert!(meter.admit(RATE_WINDOW_MS + 1).is_err());
    }

    #[test]
    fn zero_means_unlimited_and_limits_can_change() {
        let mut meter = RateMeter::new(0);
        for _ in 0..10_000 {
            assert!(meter.admit(5).is_ok());
        }
        meter.set_requests_per_minute(2);
        assert!(meter.admit(5).is_ok());
        assert!(meter.admit(5).is_ok());
        assert!(meter.admit(5).is_err());
        assert_eq!(meter.requests_per_minute(), 2);
    }

    #[test]
    fn a_clock_moved_back_opens_a_new_window() {
        let mut meter = RateMeter::new(1);
        assert!(meter.admit(100_000).is_ok());
        assert!(meter.admit(50_000).is_ok());
    }
}
