//! The `provsim` binary; everything lives in the library's `cli` module, but the allocator.

use std::process::ExitCode;

fn main() -> ExitCode {
    provsim::cli::main_with(provsim::cli::WorkerHooks { on_idle: allocator::ON_WORKER_IDLE })
}

/// jemalloc instead of glibc's malloc (feature `jemalloc`, on by default). glibc returns freed
/// memory to the kernel only from the top of each heap, so after a burst of connections the
/// server kept ~80 MiB it no longer used (reports/robustness/soak.md). Only the binary sets
/// it: the library leaves the choice to whoever embeds it.
#[cfg(feature = "jemalloc")]
mod allocator {
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    #[global_allocator]
    static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

    /// jemalloc's settings, read once at start (`_RJEM_MALLOC_CONF` in the environment
    /// overrides them): a background thread purges on a timer rather than on the next
    /// allocation (an idle server allocates nothing); dirty pages go back to the kernel after
    /// 1 s idle, and at once (`muzzy_decay_ms:0`: `MADV_DONTNEED`, not `MADV_FREE`, so that
    /// RSS drops without waiting for memory pressure).
    #[allow(non_upper_case_globals)]
    #[unsafe(export_name = "_rjem_malloc_conf")]
    pub static malloc_conf: &[u8] =
        b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

    /// Least time between two flushes of one worker's cache.
    const TCACHE_FLUSH_INTERVAL_MS: u64 = 1_000;

    pub const ON_WORKER_IDLE: Option<fn()> = Some(flush_thread_cache);

    /// Runs when a runtime worker parks. Each thread keeps a cache of freed blocks that only
    /// its own allocations shrink, so after a burst an idle worker would hold on to ~1 MiB
    /// that the background purge cannot reach. Flushing it costs microseconds; parks come
    /// thousands of times a second under load, so this flushes at most once a second per
    /// worker. Turning the caches off instead (`tcache:false`) cost 25 % of throughput.
    fn flush_thread_cache() {
        thread_local!(static LAST_FLUSH: Cell<Option<Instant>> = const { Cell::new(None) });
        let now = Instant::now();
        let due = LAST_FLUSH.with(|last| {
            let due = last.get().is_none_or(|at| {
                now.duration_since(at) >= Duration::from_millis(TCACHE_FLUSH_INTERVAL_MS)
            });
            if due {
                last.set(Some(now));
            }
            due
        });
        if due {
            // SAFETY: "thread.tcache.flush" takes no value and returns none; jemalloc answers
            // an error code (ignored: nothing to do about it) when the cache is disabled.
            unsafe {
                tikv_jemalloc_sys::mallctl(
                    c"thread.tcache.flush".as_ptr(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    0,
                );
            }
        }
    }
}

#[cfg(not(feature = "jemalloc"))]
mod allocator {
    pub const ON_WORKER_IDLE: Option<fn()> = None;
}
