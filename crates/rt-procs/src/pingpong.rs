//! `ping-pong` in the `per-task` variant: the parent is the pinger, one child process (this binary re-executed as
//! `__ponger <socket> <parent-pid>`) the ponger, with one ipc-channel of `u64` tokens each way, as two processes
//! joined by `multiprocessing.Pipe()`.
//!
//! ipc-channel has no bound, but the pinger never sends token i+1 before the answer to token i has arrived, so at
//! most one token is ever in flight each way: what a channel bounded to 1 each way would allow.

use std::time::Instant;

use harness::floor::{self, RoundTrips};
use harness::{Outcome, RunCtx, RunError};
use ipc_channel::IpcError;
use ipc_channel::ipc::{self, IpcOneShotServer, IpcSender};
use workloads::spec::pong_value;

use crate::group::{Group, check_socket_dir, die_with_parent};
use crate::proto::{PONGER_ARG, PongHello};
use crate::worker::Fault;

/// The run: start the ponger and wait for its channels (outside the round-trip clock, as a Python program starts
/// its `Process` before the exchange), then K timed round trips; hanging up ends the ponger.
pub fn ping_pong(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let k = ctx.params.work;
    check_socket_dir()?;
    let group = Group::new("ponger")?;
    let (server, name) = IpcOneShotServer::<PongHello>::new()
        .map_err(|e| RunError::failed("cannot create the ponger's bootstrap socket", e))?;
    group
        .spawn(&[PONGER_ARG, &name, &std::process::id().to_string()])
        .map_err(|e| floor::spawn_failed("process", 0, 1, e))?;
    let (tx, rx) = group
        .accept_all(vec![(server, name)])?
        .pop()
        .ok_or_else(|| RunError::Failed("the ponger sent no channels".into()))?;
    let broke = |e: &dyn std::fmt::Display| RunError::Failed(group.describe(0, "mid-run", e));
    let mut trips = RoundTrips::start(k);
    for token in 0..k {
        let t = Instant::now();
        tx.send(token).map_err(|e| broke(&e))?;
        let reply = rx.recv().map_err(|e| broke(&e))?;
        trips.add(t.elapsed(), reply);
    }
    let outcome = trips.outcome();
    // Hanging up is the ponger's signal to finish.
    drop((tx, rx));
    group.reap_all()?;
    Ok(outcome)
}

/// The ponger's `main`; `args` are the arguments after [`PONGER_ARG`]. It never writes to stdout.
pub fn ponger_main(args: Vec<String>) -> ! {
    let code = match ponger(&args) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("rt-procs ponger: {msg}");
            1
        }
    };
    std::process::exit(code)
}

fn ponger(args: &[String]) -> Result<(), String> {
    let [socket, parent] = args else {
        return Err(format!("expected <socket> <parent-pid>, got {args:?}"));
    };
    die_with_parent(parent)?;
    let fault = Fault::from_env("0");
    match fault {
        Fault::NoConnect => std::process::exit(3),
        Fault::Stall => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        _ => {}
    }
    let (token_tx, token_rx) = ipc::channel::<u64>().map_err(|e| format!("channel: {e}"))?;
    let (reply_tx, reply_rx) = ipc::channel::<u64>().map_err(|e| format!("channel: {e}"))?;
    IpcSender::<PongHello>::connect(socket.clone())
        .map_err(|e| format!("could not connect to {socket}: {e}"))?
        .send((token_tx, reply_rx))
        .map_err(|e| format!("could not send the handshake: {e}"))?;
    loop {
        match token_rx.recv() {
            Ok(_) if fault == Fault::Kill => {
                // SAFETY: signalling ourselves.
                unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
            }
            Ok(token) => reply_tx
                .send(pong_value(token))
                .map_err(|e| format!("could not answer token {token}: {e}"))?,
            // The pinger hung up: the exchange is over.
            Err(IpcError::Disconnected) => return Ok(()),
            Err(e) => return Err(format!("could not receive a token: {e}")),
        }
    }
}
