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
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    use tikv_jemallocator::Jemalloc;

    #[global_allocator]
    static GLOBAL: FreeCounting = FreeCounting;

    /// jemalloc's settings, read once at start (`_RJEM_MALLOC_CONF` in the environment
    /// overrides them): a background thread purges on a timer rather than on the next
    /// allocation (an idle server allocates nothing); dirty pages go back to the kernel after
    /// 1 s idle, and at once (`muzzy_decay_ms:0`: `MADV_DONTNEED`, not `MADV_FREE`, so that
    /// RSS drops without waiting for memory pressure); and purged address space is unmapped
    /// (`retain:false`) rather than kept: jemalloc keeps a descriptor and page-map entries for
    /// every retained range, which after 3,000 connections left 0.6–1.2 MiB, 5–10 % of an idle
    /// server (with it: +3.4 to +5.3 %, the same CPU per request and 54–57 mappings instead
    /// of 45; reports/robustness/soak.md).
    #[allow(non_upper_case_globals)]
    #[unsafe(export_name = "_rjem_malloc_conf")]
    pub static malloc_conf: &[u8] =
        b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,retain:false\0";

    /// A worker flushes its cache when it parks once it has freed this much since its last
    /// flush. What a worker frees lands in its cache and keeps those blocks' pages resident;
    /// a worker that parks for good keeps its cache until it runs again. This bounds that to
    /// about this much per worker: with the time rule alone, a worker whose last park came
    /// within a second of its previous flush kept 1.5–1.9 MiB after a load (RSS +13 to +16 %
    /// of a 12 MiB idle server; reports/robustness/soak.md).
    const TCACHE_FLUSH_FREED_BYTES: u64 = 256 * 1024;

    /// Most time between two flushes of a worker that parks at all, whatever it freed.
    const TCACHE_FLUSH_INTERVAL_MS: u64 = 1_000;

    thread_local! {
        /// Bytes this thread has freed since it started (wraps; only differences are read).
        static FREED_BYTES: Cell<u64> = const { Cell::new(0) };
        /// `FREED_BYTES` and the time at this thread's last flush.
        static LAST_FLUSH: Cell<Option<(u64, Instant)>> = const { Cell::new(None) };
    }

    /// jemalloc, counting the bytes each thread frees (a thread-local add per free) so that
    /// [`flush_thread_cache`] knows how much the cache may hold.
    struct FreeCounting;

    fn count_freed(bytes: usize) {
        // `try_with`: a thread's last frees can come after its thread-locals are gone.
        let _ = FREED_BYTES.try_with(|freed| freed.set(freed.get().wrapping_add(bytes as u64)));
    }

    // SAFETY: every call is forwarded to jemalloc with the same arguments; the count has no
    // effect on the memory handed out.
    unsafe impl GlobalAlloc for FreeCounting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { Jemalloc.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            unsafe { Jemalloc.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            count_freed(layout.size());
            unsafe { Jemalloc.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count_freed(layout.size());
            unsafe { Jemalloc.realloc(ptr, layout, new_size) }
        }
    }

    pub const ON_WORKER_IDLE: Option<fn()> = Some(flush_thread_cache);

    /// Runs when a runtime worker parks. Each thread keeps a cache of freed blocks that only
    /// its own allocations shrink, so after a burst an idle worker would hold on to the pages
    /// behind them, out of the background purge's reach. Parks come thousands of times a
    /// second under load and a flush makes the next allocations refill the cache: flushing at
    /// every park cost 20–25 % more server CPU per request. So a worker flushes when it has
    /// freed [`TCACHE_FLUSH_FREED_BYTES`] since its last flush, or a second has passed.
    fn flush_thread_cache() {
        let freed = FREED_BYTES.with(Cell::get);
        let now = Instant::now();
        let due = LAST_FLUSH.with(|last| match last.get() {
            None => true,
            Some((freed_then, at)) => {
                freed.wrapping_sub(freed_then) >= TCACHE_FLUSH_FREED_BYTES
                    || now.duration_since(at) >= Duration::from_millis(TCACHE_FLUSH_INTERVAL_MS)
            }
        });
        if !due {
            return;
        }
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
        LAST_FLUSH.with(|last| last.set(Some((freed, now))));
    }
}

#[cfg(not(feature = "jemalloc"))]
mod allocator {
    pub const ON_WORKER_IDLE: Option<fn()> = None;
}
