//! The parent side: W worker processes, each bootstrapped through its own `IpcOneShotServer` and then fed jobs
//! over its one channel pair, like `multiprocessing.Pool`.
//!
//! Every worker is killed and reaped on every way out: a normal shutdown waits for them; the [`Group`] kills and
//! reaps whatever is left on any error path, deadline or panic; and each worker has asked the kernel for SIGKILL when
//! the parent dies.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use harness::RunError;
use ipc_channel::ipc::{IpcOneShotServer, IpcReceiver, IpcSender};

use crate::group::{Group, check_socket_dir};
use crate::proto::{Done, Hello, Job, Reply, Setup, Task, WORKER_ARG};

struct Link {
    tx: IpcSender<Job>,
    rx: IpcReceiver<Reply>,
}

/// Figures for `extra`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// From the first spawn until every worker has connected.
    pub spawn_ms: f64,
    /// Summed over workers: from the first chunk sent to the last answer received, minus the time the worker spent
    /// running tasks (serialization, socket transfer, wake-ups, waiting for work).
    pub ipc_ms: f64,
    /// Jobs (chunks) sent.
    pub jobs: u64,
    /// The workers' peak RSS, summed (the report's `peak_rss_kib` is the parent's alone).
    pub workers_peak_rss_kib: u64,
    /// From sending `Stop` until every worker has been reaped.
    pub shutdown_ms: f64,
}

/// `--opt chunksize`, where 0 means `Pool.map`'s default: `divmod(T, 4 * W)`, plus one if there is a remainder.
pub fn chunksize(opt: u64, tasks: u64, workers: u64) -> usize {
    match opt {
        0 => tasks.div_ceil(4 * workers).max(1) as usize,
        n => n as usize,
    }
}

/// A pool of worker processes.
pub struct Pool {
    links: Vec<Link>,
    group: Group,
    pub stats: Stats,
}

impl Pool {
    /// Spawns `workers` copies of this binary and waits until each has connected. Call it on the thread that runs
    /// the workload: `PR_SET_PDEATHSIG` fires when the *thread* that spawned a child exits, not the process.
    pub fn start(workers: u64) -> Result<Pool, RunError> {
        check_socket_dir()?;
        let t0 = Instant::now();
        let mut pool = Pool {
            links: Vec::new(),
            group: Group::new("worker")?,
            stats: Stats::default(),
        };
        let parent = std::process::id().to_string();
        let mut servers = Vec::new();
        for i in 0..workers {
            let (server, name) = IpcOneShotServer::<Hello>::new().map_err(|e| {
                RunError::failed(format!("worker {i}: cannot create the bootstrap socket"), e)
            })?;
            pool.group
                .spawn(&[WORKER_ARG, &i.to_string(), &name, &parent])
                .map_err(|e| {
                    RunError::failed(format!("could not spawn worker {i} of {workers}"), e)
                })?;
            servers.push((server, name));
        }
        let hellos = pool.group.accept_all(servers)?;
        pool.links = hellos.into_iter().map(|(tx, rx)| Link { tx, rx }).collect();
        pool.stats.spawn_ms = t0.elapsed().as_secs_f64() * 1e3;
        Ok(pool)
    }

    /// Sends every worker the run's shared arguments.
    pub fn setup(&mut self, setup: &Setup) -> Result<(), RunError> {
        for i in 0..self.links.len() {
            if let Err(e) = self.links[i].tx.send(Job::Setup(setup.clone())) {
                return Err(RunError::Failed(self.group.describe(
                    i,
                    "before its first task",
                    &e,
                )));
            }
        }
        Ok(())
    }

    /// Runs `tasks` in chunks of `chunksize`, handed out dynamically: whichever worker has room takes the next chunk.
    pub fn map(&mut self, tasks: Vec<Task>, chunksize: usize) -> Result<Vec<Done>, RunError> {
        let chunks: Vec<Vec<Task>> = tasks
            .chunks(chunksize.max(1))
            .map(<[Task]>::to_vec)
            .collect();
        let next = AtomicUsize::new(0);
        self.drive(&chunks, &|_| Some(next.fetch_add(1, Ordering::Relaxed)))
    }

    /// Sends `per_worker[i]` to worker i (race: exactly one racer per process).
    pub fn each(&mut self, per_worker: Vec<Task>) -> Result<Vec<Done>, RunError> {
        let chunks: Vec<Vec<Task>> = per_worker.into_iter().map(|t| vec![t]).collect();
        let taken: Vec<AtomicBool> = chunks.iter().map(|_| AtomicBool::new(false)).collect();
        self.drive(&chunks, &|w| {
            (!taken[w].swap(true, Ordering::Relaxed)).then_some(w)
        })
    }

    /// One parent thread per worker keeps [`IN_FLIGHT`] chunks queued at its worker and collects the answers, until
    /// `pick` runs dry. The first failure kills every worker, so that the other threads stop waiting at once.
    fn drive(
        &mut self,
        chunks: &[Vec<Task>],
        pick: &(dyn Fn(usize) -> Option<usize> + Sync),
    ) -> Result<Vec<Done>, RunError> {
        let failure: Mutex<Option<String>> = Mutex::new(None);
        let stop = AtomicBool::new(false);
        let group = &self.group;
        let mut ipc = Duration::ZERO;
        let mut jobs = 0;
        let mut all = Vec::new();
        let per_worker: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = self
                .links
                .iter_mut()
                .enumerate()
                .map(|(w, link)| {
                    let (failure, stop) = (&failure, &stop);
                    s.spawn(move || {
                        let mut out = Feed::default();
                        // The first failure wins; the others are this failure's kills seen elsewhere.
                        if let Err(err) = feed(w, link, chunks, pick, stop, group, &mut out)
                            && !stop.swap(true, Ordering::SeqCst)
                        {
                            *lock(failure) = Some(err);
                            group.kill_all(false);
                        }
                        out
                    })
                })
                .collect();
            harness::probe::sample_threads();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        if let Some(msg) = lock(&failure).take() {
            return Err(RunError::Failed(msg));
        }
        for f in per_worker {
            all.extend(f.done);
            ipc += f.ipc;
            jobs += f.jobs;
        }
        self.stats.ipc_ms += ipc.as_secs_f64() * 1e3;
        self.stats.jobs += jobs;
        Ok(all)
    }

    /// Stops every worker, collects its peak RSS and reaps it.
    pub fn shutdown(mut self) -> Result<Stats, RunError> {
        let t0 = Instant::now();
        for i in 0..self.links.len() {
            let link = &self.links[i];
            match link
                .tx
                .send(Job::Stop)
                .map_err(|e| e.to_string())
                .and_then(|()| link.rx.recv().map_err(|e| e.to_string()))
            {
                Ok(Reply::Bye { peak_rss_kib }) => self.stats.workers_peak_rss_kib += peak_rss_kib,
                Ok(other) => {
                    return Err(RunError::Failed(format!(
                        "worker {i} answered Stop with {other:?}"
                    )));
                }
                Err(e) => {
                    return Err(RunError::Failed(self.group.describe(i, "at shutdown", &e)));
                }
            }
        }
        self.group.reap_all()?;
        self.stats.shutdown_ms = t0.elapsed().as_secs_f64() * 1e3;
        Ok(self.stats)
    }
}

/// How many chunks the parent keeps queued at each worker. Why 2: `multiprocessing.Pool` queues every task up front
/// in a pipe that all workers read, so a worker that finishes one task finds the next one waiting. With one channel
/// per worker, keeping one chunk queued behind the running one gives the same (the worker never waits for the
/// parent to wake up and answer), while pre-assigning at most one chunk per worker, so skewed work still balances.
const IN_FLIGHT: usize = 2;

/// What one dispatch thread collected.
#[derive(Default)]
struct Feed {
    done: Vec<Done>,
    ipc: Duration,
    jobs: u64,
}

/// Feeds worker `w` the chunks `pick` gives it, [`IN_FLIGHT`] at a time; an error names the worker.
fn feed(
    w: usize,
    link: &mut Link,
    chunks: &[Vec<Task>],
    pick: &(dyn Fn(usize) -> Option<usize> + Sync),
    stop: &AtomicBool,
    group: &Group,
    out: &mut Feed,
) -> Result<(), String> {
    let start = Instant::now();
    let mut busy = Duration::ZERO;
    let mut pending = 0;
    loop {
        while pending < IN_FLIGHT && !stop.load(Ordering::Relaxed) {
            let Some(c) = pick(w).filter(|&c| c < chunks.len()) else {
                break;
            };
            link.tx
                .send(Job::Run(chunks[c].clone()))
                .map_err(|e| group.describe(w, "mid-run", &e))?;
            pending += 1;
        }
        if pending == 0 || stop.load(Ordering::Relaxed) {
            break;
        }
        match link.rx.recv() {
            Ok(Reply::Done { results, busy_ns }) => {
                busy += Duration::from_nanos(busy_ns);
                out.jobs += 1;
                out.done.extend(results);
                pending -= 1;
            }
            Ok(Reply::Failed(m)) => {
                return Err(format!("{}: {m}", group.name(w)));
            }
            Ok(other) => {
                return Err(format!("{} sent {other:?} mid-run", group.name(w)));
            }
            Err(e) => return Err(group.describe(w, "mid-run", &e)),
        }
    }
    // Everything the worker's channel cost it: serialization, socket transfer, wake-ups, waiting for work.
    out.ipc = start.elapsed().saturating_sub(busy);
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_chunksize_is_pool_maps() {
        // CPython: chunksize, extra = divmod(len(iterable), len(self._pool) * 4); if extra: chunksize += 1
        assert_eq!(super::chunksize(0, 64, 2), 8);
        assert_eq!(super::chunksize(0, 65, 2), 9);
        assert_eq!(super::chunksize(0, 3, 8), 1);
        assert_eq!(super::chunksize(5, 64, 2), 5);
    }
}
