//! The `provsim` binary; everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    provsim::cli::main()
}
