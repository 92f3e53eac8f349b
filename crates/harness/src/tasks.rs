//! The glue the async runtimes (rt-tokio, rt-smol, rt-async-std) share around their own primitives.
//!
//! Each runtime still spawns with its own `spawn`, waits with its own timer, talks TCP with its own stream and joins
//! its own task handles: fairness asks that every model run with its idiomatic primitives, so those stay in the
//! runtime crates. What is the same in all of them lives here, as plain generic functions that take the runtime's
//! futures (or the functions that make them): where the clock is read around a wait, the `mixed` ticker, how task
//! results become a checksum and latency samples, and the `race` racer. It depends on no runtime.
//!
//! None of these functions samples the thread count: the runtimes call [`crate::probe::sample_threads`] where they
//! always have.

use std::fmt::Display;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use workloads::race::{race_worker, yielding_worker};
use workloads::{RaceCounter, SyncMode};

use crate::contract::extra;
use crate::floor::{Memory, RoundTrips, SpawnProbe};
pub use crate::latency::Ticks;
use crate::latency::lateness;
use crate::{LatencyRecorder, OptSpec, Outcome, RunError};

/// What a timed task (an io-sleep wait, an io-net round trip) gives back: its value for the checksum, its latency
/// sample in ms (io-sleep: signed lateness; io-net: round trip) and the instant it ended, from which the harness
/// computes its sojourn ([`crate::latency::sojourns_ms`]).
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    /// The value the checksum adds.
    pub value: u64,
    /// The latency sample in ms.
    pub latency_ms: f64,
    /// When the task's wait or round trip ended.
    pub end: Instant,
}

/// One `io-sleep` task: waits `delay` on the runtime's timer (`sleep(delay)`) and gives
/// [`workloads::spec::sleep_value`]`(id)`, its signed lateness and the instant it woke. The clock is read just before
/// the wait's future is made and just after it completes, in every runtime alike.
pub async fn timed_sleep<S: Future>(
    id: u64,
    delay: Duration,
    sleep: impl FnOnce(Duration) -> S,
) -> Timed {
    let t = Instant::now();
    sleep(delay).await;
    let end = Instant::now();
    Timed {
        value: workloads::spec::sleep_value(id),
        latency_ms: lateness(t, delay, end),
        end,
    }
}

/// One `io-net` task: awaits the runtime's own request future (connect, send, read and check the reply with
/// `workloads::net::expect_reply`) and gives the reply, the round trip (connection set-up included) and the instant
/// it ended. The clock is read just before the future is first polled and just after it completes, in every runtime
/// alike (an `async fn` does nothing until polled, so the connect is inside).
pub async fn round_trip<F>(request: F) -> std::io::Result<Timed>
where
    F: Future<Output = std::io::Result<u64>>,
{
    let t = Instant::now();
    let value = request.await?;
    let end = Instant::now();
    Ok(Timed {
        value,
        latency_ms: crate::latency::ms(end - t),
        end,
    })
}

/// The `mixed` ticker: `rounds` waits of `delay` on the runtime's timer, recording how late each one ended.
pub async fn ticker<S: Future>(
    rounds: u64,
    delay: Duration,
    mut sleep: impl FnMut(Duration) -> S,
) -> Ticks {
    let mut ticks = Ticks::default();
    for _ in 0..rounds {
        let t = Instant::now();
        sleep(delay).await;
        ticks.record(t, delay, Instant::now());
    }
    ticks
}

/// Awaits each task in order (the order they were spawned in) and returns their outputs.
pub async fn join_in_order<F: Future>(tasks: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await);
    }
    out
}

/// Awaits each task in order; the first that gives an error fails the run (`fail(index, error)`) without awaiting
/// the rest.
pub async fn try_join_in_order<T, E, F>(
    tasks: impl IntoIterator<Item = F>,
    fail: impl Fn(usize, E) -> RunError,
) -> Result<Vec<T>, RunError>
where
    F: Future<Output = Result<T, E>>,
{
    let mut out = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        out.push(t.await.map_err(|e| fail(i, e))?);
    }
    Ok(out)
}

/// The results of timed tasks (`io-sleep`, `io-net`): the wrapping sum of their values is the checksum, each
/// one's latency is a latency sample, and each one's end gives its sojourn. Collect an iterator of [`Timed`] into it.
#[derive(Debug, Default)]
pub struct Tally {
    sum: u64,
    latency: LatencyRecorder,
    ends: Vec<Instant>,
}

impl Tally {
    /// Adds one task's result.
    pub fn add(&mut self, t: Timed) {
        // Wrapping: io-net's replies are random 64-bit values.
        self.sum = self.sum.wrapping_add(t.value);
        self.latency.record_ms(t.latency_ms);
        self.ends.push(t.end);
    }

    /// The outcome: the sum as the checksum, with the latency samples and each task's sojourn from `submitted`, the
    /// instant read just before the first task was spawned.
    pub fn into_outcome(self, submitted: Instant) -> Outcome {
        let sojourn = self
            .ends
            .iter()
            .map(|&end| crate::latency::sojourn_ms(submitted, end))
            .collect();
        Outcome::new(self.sum)
            .latency(self.latency)
            .sojourn(sojourn)
    }
}

impl FromIterator<Timed> for Tally {
    fn from_iter<I: IntoIterator<Item = Timed>>(iter: I) -> Tally {
        let mut t = Tally::default();
        iter.into_iter().for_each(|r| t.add(r));
        t
    }
}

/// The error of `io-net` request `id` to `addr`.
pub fn request_failed(id: usize, addr: SocketAddr, e: impl Display) -> RunError {
    RunError::failed(
        format!("request {id} to {addr} (is a delay server listening there?)"),
        e,
    )
}

/// The outcome of `mixed`: the CPU tasks' `(primes found, time taken)` in spawn order and the ticker's rounds. The
/// checksum is the primes found plus the rounds that ran; the latency is the ticker's lateness, the sojourn its
/// rounds' from `submitted` (the instant read just before the ticker was spawned); `cpu_task_ms_min/max` show how
/// long a task held a thread.
pub fn mixed_outcome(done: &[(u64, Duration)], ticks: Ticks, submitted: Instant) -> Outcome {
    let found: u64 = done.iter().map(|r| r.0).sum();
    let task_ms: Vec<f64> = done.iter().map(|r| r.1.as_secs_f64() * 1000.0).collect();
    let mut lat = LatencyRecorder::new();
    ticks.lateness_ms.iter().for_each(|&l| lat.record_ms(l));
    Outcome::new(found + ticks.rounds())
        .latency(lat)
        .sojourn(crate::latency::sojourns_ms(submitted, &ticks.ends))
        .extra(
            extra::CPU_TASK_MS_MIN,
            task_ms.iter().copied().fold(f64::INFINITY, f64::min),
        )
        .extra(
            extra::CPU_TASK_MS_MAX,
            task_ms.iter().copied().fold(0.0, f64::max),
        )
}

/// The help of `--opt yield_every`.
pub const YIELD_EVERY_HELP: &str =
    "race with yield=true: the yield point is in every N-th increment (1 = every increment)";
/// Why not 1: a yield costs far more than an increment, so yielding in every one of the 100 million increments per
/// worker of the standard size would make the run last tens of seconds. One increment in 64 still puts a yield
/// point between a load and a store about a million times per worker, which is enough to show the lost updates.
pub const DEFAULT_YIELD_EVERY: u64 = 64;

/// The `--opt yield_every=N` the async runtimes offer with their `yield` option.
pub fn yield_every_opt() -> OptSpec {
    OptSpec::int(
        crate::opts::YIELD_EVERY,
        DEFAULT_YIELD_EVERY,
        1,
        u64::MAX,
        YIELD_EVERY_HELP,
    )
}

/// One `race` worker in an async runtime: with `every = None` the plain increment loop, with no await inside (only
/// tasks on different threads interleave); with `Some(n)` a yield point (the runtime's `yield_now`) between the load
/// and the store of every n-th increment, and the runtime's async mutex (`lock`) for `sync=lock`. Returns the
/// increments it performed.
pub async fn racer<G, LF, YF>(
    counter: &RaceCounter,
    sync: SyncMode,
    work: u64,
    every: Option<u64>,
    lock: impl FnMut() -> LF,
    yield_now: impl FnMut() -> YF,
) -> u64
where
    LF: Future<Output = G>,
    YF: Future<Output = ()>,
{
    match every {
        None => race_worker(counter, sync, work, 0, false, &mut ()),
        Some(n) => yielding_worker(counter, sync, work, n, lock, yield_now).await,
    }
}

/// The outcome of `race`: the counter's final value, the increments the racers performed (the sum of what each
/// [`racer`] returned), and `yield_every` when a yield point was used.
pub fn race_outcome(counter: u64, attempted: u64, every: Option<u64>) -> Outcome {
    let out = Outcome::new(counter).attempted(attempted);
    match every {
        Some(n) => out.extra(extra::YIELD_EVERY, n),
        None => out,
    }
}

/// The shared state of one `spawn` run in an async runtime: the one release signal all N tasks park on, the signal
/// the last arrival wakes the run with (both of the runtime's own kind: tokio's `Notify`, event-listener's `Event`),
/// and the count of tasks still to arrive. One `Arc` of it per task, so a task's future holds one pointer.
#[derive(Debug)]
pub struct SpawnGate<S> {
    /// What every task registers on before it counts itself arrived, and the run notifies once to release them all.
    pub release: S,
    /// What the last task to arrive notifies, and the run waits on before it samples memory.
    pub all_parked: S,
    tasks: u64,
    left: AtomicU64,
}

impl<S> SpawnGate<S> {
    /// The gate of `n` tasks; `signal` makes each of the two signals.
    pub fn new(n: u64, signal: impl Fn() -> S) -> SpawnGate<S> {
        SpawnGate {
            release: signal(),
            all_parked: signal(),
            tasks: n,
            left: AtomicU64::new(n),
        }
    }

    /// Counts one task arrived (call it once the task is registered on [`SpawnGate::release`]); `true` for the last
    /// one, which must then notify [`SpawnGate::all_parked`].
    pub fn arrive(&self) -> bool {
        // AcqRel: the last arrival's registration happens before the run, woken by it, releases.
        self.left.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// The tasks counted arrived so far.
    pub fn arrived(&self) -> u64 {
        self.tasks - self.left.load(Ordering::Acquire)
    }
}

/// The body of one `spawn` task, once it is registered on `gate.release`: `released` is that registered wait (a tokio
/// `Notified` already enabled, an event-listener `EventListener`). Counts itself arrived, and if it is the last
/// calls `wake_run(&gate.all_parked)`; then waits to be released and gives [`workloads::spec::sleep_value`]`(id)`.
pub async fn parked_task<S>(
    id: u64,
    gate: &SpawnGate<S>,
    released: impl Future,
    wake_run: impl FnOnce(&S),
) -> u64 {
    if gate.arrive() {
        wake_run(&gate.all_parked);
    }
    released.await;
    workloads::spec::sleep_value(id)
}

/// The `spawn` run of an async runtime (`docs/floor.md`): starts the probe, spawns tasks `0..n` (`n` as `gate` was
/// made for) one after another with `spawn` (each registers on `gate.release`, then counts itself arrived), awaits
/// `all_parked` (the wait on `gate.all_parked`, registered before the first spawn where the signal keeps no permit),
/// samples memory with the tasks counted arrived, calls `release(&gate.release)` once, then joins the handles in spawn
/// order, summing what each gave (`value` turns a handle's output into the task's value, or the run's error for task
/// `i`).
pub async fn spawn_run<S, H: Future>(
    gate: &SpawnGate<S>,
    mut spawn: impl FnMut(u64) -> H,
    all_parked: impl Future,
    release: impl FnOnce(&S),
    value: impl Fn(u64, H::Output) -> Result<u64, RunError>,
) -> Result<Outcome, RunError> {
    let n = gate.tasks;
    let mut probe = SpawnProbe::start(n);
    // `collect` over an exact-size range allocates the handle vector once, at its final size: one handle (a pointer
    // or a few words) per task, which a real program that joins its tasks holds too.
    let handles: Vec<H> = (0..n).map(&mut spawn).collect();
    all_parked.await;
    // The count the tasks themselves made, not `n`: a run that sampled too early reports fewer and fails the check.
    // In-process tasks: no child process memory to add.
    probe.parked(gate.arrived(), Memory::default);
    release(&gate.release);
    let mut sum = 0u64;
    for (i, h) in (0u64..).zip(handles) {
        sum = sum.wrapping_add(value(i, h.await)?);
    }
    Ok(probe.joined(sum))
}

/// One end of `ping-pong` in an async runtime: the sending half of one bounded channel and the receiving half of the
/// other, both of the runtime's own kind. Each runtime implements it for its channel in a few lines; the pinger and
/// the ponger below are the same everywhere. (A trait rather than two async closures: the futures must be `Send`
/// for a multi-thread executor, which a generic function cannot prove of a closure that borrows its channel.)
pub trait Duplex: Send {
    /// What a send fails with (the other end is gone).
    type Error: Display;
    /// Sends `token`, waiting while the channel is full.
    fn send(&mut self, token: u64) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// The next token, or `None` once the other end hung up.
    fn recv(&mut self) -> impl Future<Output = Option<u64>> + Send;
}

/// The `ping-pong` pinger of an async runtime: K round trips, each one timed from just before the token is sent until
/// its reply arrived. A ponger that hangs up early fails the run.
pub async fn pinger(k: u64, mut ch: impl Duplex) -> Result<Outcome, RunError> {
    let mut trips = RoundTrips::start(k);
    for token in 0..k {
        let t = Instant::now();
        ch.send(token)
            .await
            .map_err(|e| RunError::failed(format!("ping-pong: sending token {token}"), e))?;
        let reply = ch.recv().await.ok_or_else(|| {
            RunError::Failed(format!(
                "ping-pong: the ponger hung up before answering token {token}"
            ))
        })?;
        trips.add(t.elapsed(), reply);
    }
    Ok(trips.outcome())
}

/// The `ping-pong` ponger of an async runtime: answers each token with [`workloads::spec::pong_value`] until the
/// pinger hangs up; returns the tokens it answered.
pub async fn ponger(mut ch: impl Duplex) -> Result<u64, RunError> {
    let mut answered = 0;
    while let Some(token) = ch.recv().await {
        ch.send(workloads::spec::pong_value(token))
            .await
            .map_err(|e| RunError::failed(format!("ping-pong: answering token {token}"), e))?;
        answered += 1;
    }
    Ok(answered)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A future that is ready at once, standing in for a runtime's timer or task.
    async fn ready<T>(v: T) -> T {
        v
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn tally_sums_values_wrapping_and_records_latency_and_sojourn() {
        let t0 = Instant::now();
        let tasks = (0..4u64).map(|i| {
            ready(Timed {
                value: (u64::MAX - 1).wrapping_add(i),
                latency_ms: i as f64 - 1.0,
                end: t0 + Duration::from_millis(i),
            })
        });
        let out = block_on(join_in_order(tasks))
            .into_iter()
            .collect::<Tally>()
            .into_outcome(t0);
        // (MAX - 1) + MAX + 0 + 1 = 2 * 2^64 - 2, which wraps to MAX - 1.
        assert_eq!(out.checksum, u64::MAX - 1);
        assert_eq!(out.latency, Some(vec![-1.0, 0.0, 1.0, 2.0]));
        assert_eq!(out.sojourn, Some(vec![0.0, 1.0, 2.0, 3.0]));
    }

    #[test]
    fn a_round_trip_gives_the_reply_or_the_error() {
        let ok = block_on(round_trip(ready(Ok(42)))).unwrap();
        assert_eq!(ok.value, 42);
        assert!(ok.latency_ms >= 0.0);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(block_on(round_trip(ready(Err::<u64, _>(refused)))).is_err());
    }

    #[test]
    fn try_join_stops_at_the_first_error() {
        let tasks = [Ok(1), Err("refused"), Ok(3)].map(ready);
        let err = block_on(try_join_in_order(tasks, |i, e| {
            RunError::failed(format!("task {i}"), e)
        }))
        .unwrap_err();
        assert!(matches!(err, RunError::Failed(m) if m == "task 1: refused"));
    }

    #[test]
    fn ticker_records_one_sample_per_round() {
        let ticks = block_on(ticker(3, Duration::ZERO, |_| ready(())));
        assert_eq!((ticks.lateness_ms.len(), ticks.rounds()), (3, 3));
        let t = block_on(timed_sleep(7, Duration::ZERO, |_| ready(())));
        assert_eq!(t.value, 8, "io-sleep's task 7 adds sleep_value(7)");
        assert!(t.latency_ms >= 0.0 && t.latency_ms < 1000.0);
        // A timer that returns at once for a 5 ms wait is 5 ms early, and says so.
        let t = block_on(timed_sleep(0, Duration::from_millis(5), |_| ready(())));
        assert!(t.latency_ms < -4.0, "{}", t.latency_ms);
    }

    #[test]
    fn mixed_counts_the_rounds_that_ran_and_the_task_times() {
        let t0 = Instant::now();
        let mut ticks = Ticks::default();
        ticks.record(t0, Duration::ZERO, t0 + Duration::from_millis(1));
        ticks.record(t0, Duration::ZERO, t0 + Duration::from_millis(2));
        let done = [
            (5, Duration::from_millis(10)),
            (7, Duration::from_millis(30)),
        ];
        let out = mixed_outcome(&done, ticks, t0);
        assert_eq!(out.checksum, 14, "5 + 7 primes and the 2 rounds that ran");
        assert_eq!(out.sojourn, Some(vec![1.0, 1.0]));
        assert_eq!(out.extra[extra::CPU_TASK_MS_MIN], 10.0);
        assert_eq!(out.extra[extra::CPU_TASK_MS_MAX], 30.0);
    }

    #[test]
    fn racer_without_a_yield_point_loses_nothing_alone() {
        let c = RaceCounter::new();
        let a = block_on(racer(
            &c,
            SyncMode::None,
            1000,
            None,
            || ready(()),
            || ready(()),
        ));
        let b = block_on(racer(
            &c,
            SyncMode::None,
            1000,
            Some(1),
            || ready(()),
            || ready(()),
        ));
        assert_eq!((a, b, c.get()), (1000, 1000, 2000));
        let out = race_outcome(c.get(), a + b, Some(4));
        assert_eq!((out.checksum, out.attempted), (2000, Some(2000)));
        assert_eq!(out.extra[extra::YIELD_EVERY], 4);
        assert!(race_outcome(c.get(), a + b, None).extra.is_empty());
    }

    /// A channel end: `recv` gives the reply to the last token sent (a ponger that answers at once), else the next
    /// of `tokens` (a pinger that sends those, then hangs up). Every send is recorded.
    #[derive(Default)]
    struct Fake {
        answer: bool,
        last: Option<u64>,
        tokens: std::collections::VecDeque<u64>,
        sent: Vec<u64>,
    }

    impl Duplex for &mut Fake {
        type Error = &'static str;
        async fn send(&mut self, token: u64) -> Result<(), &'static str> {
            self.sent.push(token);
            self.last = Some(token).filter(|_| self.answer);
            Ok(())
        }
        async fn recv(&mut self) -> Option<u64> {
            match self.last.take() {
                Some(t) => Some(workloads::spec::pong_value(t)),
                None => self.tokens.pop_front(),
            }
        }
    }

    #[test]
    fn pinger_times_every_round_trip_and_ponger_answers_each_token() {
        let mut ch = Fake {
            answer: true,
            ..Fake::default()
        };
        let out = block_on(pinger(5, &mut ch)).unwrap();
        assert_eq!(out.checksum, 15, "1 + 2 + 3 + 4 + 5");
        assert_eq!(out.extra[extra::ROUND_TRIPS], 5);
        assert_eq!(ch.sent, [0, 1, 2, 3, 4]);

        let mut ch = Fake {
            tokens: [7, 8].into(),
            ..Fake::default()
        };
        assert_eq!(block_on(ponger(&mut ch)).unwrap(), 2);
        assert_eq!(ch.sent, [8, 9]);
    }

    #[test]
    fn a_pinger_whose_ponger_hung_up_fails_the_run() {
        struct Gone;
        impl Duplex for Gone {
            type Error = &'static str;
            async fn send(&mut self, _: u64) -> Result<(), &'static str> {
                Ok(())
            }
            async fn recv(&mut self) -> Option<u64> {
                None
            }
        }
        let err = block_on(pinger(3, Gone)).unwrap_err();
        assert!(
            err.to_string().contains("before answering token 0"),
            "{err}"
        );
        assert_eq!(block_on(ponger(Gone)).unwrap(), 0);
    }

    #[test]
    fn spawn_run_parks_every_task_and_sums_their_values() {
        // A runtime that runs each task as it is spawned (here, to its end: its release is ready at once).
        let gate = SpawnGate::new(4, || ());
        let out = block_on(spawn_run(
            &gate,
            |id| ready(block_on(parked_task(id, &gate, ready(()), |_| ()))),
            ready(()),
            |_| (),
            |_, v| Ok(v),
        ))
        .unwrap();
        assert_eq!(out.checksum, 10, "1 + 2 + 3 + 4");
        assert_eq!(out.extra[extra::PARKED], 4);
        assert_eq!(gate.arrived(), 4, "all four arrived, and only once each");
    }

    #[test]
    fn a_sample_before_the_tasks_arrived_reports_fewer_parked() {
        // The tasks only run when joined, and the run does not wait for them: `parked` says so.
        let gate = SpawnGate::new(3, || ());
        let out = block_on(spawn_run(
            &gate,
            |id| parked_task(id, &gate, ready(()), |_| ()),
            ready(()),
            |_| (),
            |_, v| Ok(v),
        ))
        .unwrap();
        assert_eq!(
            (out.checksum, out.extra[extra::PARKED].as_u64()),
            (6, Some(0))
        );
    }
}
