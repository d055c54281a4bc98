//! `ceiling`: the bare hyper server of the performance gate (see `provsim_loadtests::ceiling`).
//!
//! ```text
//! ceiling [--port N] [--delay-us N]
//! ```
//! Binds 127.0.0.1 (port 0 = a free port), prints `ceiling listening on http://ADDR` and
//! serves until killed. `--delay-us` makes every answer wait that long: a deliberately slowed
//! handler, to show that the gate fails on one.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "ceiling", about = "Bare hyper server answering one fixed JSON body")]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Wait this many microseconds before each answer (a deliberately slow handler).
    #[arg(long, default_value_t = 0)]
    delay_us: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ceiling: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let (listener, bound) = match provsim_loadtests::ceiling::bind(addr).await {
            Ok(bound) => bound,
            Err(error) => {
                eprintln!("ceiling: cannot listen on {addr}: {error}");
                return ExitCode::FAILURE;
            }
        };
        println!("ceiling listening on http://{bound}");
        let delay = Duration::from_micros(args.delay_us);
        match provsim_loadtests::ceiling::serve(listener, delay).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("ceiling: {error}");
                ExitCode::FAILURE
            }
        }
    })
}
