//! The `provsim` binary; everything lives in the library's `cli` module.

/// jemalloc instead of glibc's malloc (feature `jemalloc`, on by default). glibc returns
/// freed memory to the kernel only from the top of each heap, so after a burst of
/// connections the server kept ~80 MiB it no longer used; jemalloc purges idle pages
/// on its own (settings below). Only the binary sets it: the library leaves the choice to
/// whoever embeds it.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read once at start (`_RJEM_MALLOC_CONF` in the environment overrides
/// them): a background thread purges on a timer rather than on the next allocation (an idle
/// server allocates nothing), dirty pages go back to the kernel after 1 s idle, and straight
/// (`muzzy_decay_ms:0`: `MADV_DONTNEED`, not `MADV_FREE`, so that RSS drops at once).
#[cfg(feature = "jemalloc")]
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> std::process::ExitCode {
    provsim::cli::main()
}
