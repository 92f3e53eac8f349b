//! Behaviour tests of the GIL rules. They assert orderings and counts that follow from the rules whatever the load
//! on the machine (a timed wait never ends early; events logged while holding the GIL are in holding order), and
//! allow seconds where only milliseconds are needed, so that a busy 2-core machine cannot make them flake.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Barrier, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::*;

/// A few microseconds of work between check points.
fn busy(n: u64) -> u64 {
    let mut x = 0u64;
    for i in 0..n {
        x = black_box(x.wrapping_mul(31).wrapping_add(i));
    }
    x
}

/// Far longer than anything here needs: a test that reaches it has failed, rather than hung.
const GIVE_UP: Duration = Duration::from_secs(30);

#[test]
fn never_two_holders() {
    let gil = Gil::new(Duration::from_micros(200));
    let holders = AtomicUsize::new(0);
    let overlaps = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut g = gil.acquire();
                for i in 0..4_000 {
                    // No check point between these two lines, so the GIL is held throughout.
                    if holders.fetch_add(1, SeqCst) != 0 {
                        overlaps.fetch_add(1, SeqCst);
                    }
                    busy(2_000);
                    holders.fetch_sub(1, SeqCst);
                    g.checkpoint();
                    if i % 500 == 0 {
                        g.allow_threads(std::thread::yield_now);
                    }
                }
            });
        }
    });
    assert_eq!(overlaps.load(SeqCst), 0, "two threads held the GIL at once");
    let st = gil.stats();
    // Holds are disjoint intervals inside the GIL's lifetime.
    assert!(
        st.held_total <= st.since_created,
        "held {:?} > lifetime {:?}",
        st.held_total,
        st.since_created
    );
    assert_eq!(st.acquisitions, 4 * (1 + 8) + st.forced_switches);
}

/// A holder that only ever reaches check points is made to drop by a waiter, no sooner than one interval after the
/// waiter started waiting.
#[test]
fn a_waiter_forces_a_switch_within_a_few_intervals() {
    for interval in [Duration::from_millis(2), Duration::from_millis(20)] {
        let gil = Gil::new(interval);
        let (ready_tx, ready_rx) = mpsc::channel();
        let waited = std::thread::scope(|s| {
            s.spawn(|| {
                let mut g = gil.acquire();
                ready_tx.send(()).unwrap();
                let t = Instant::now();
                while !g.checkpoint() {
                    busy(500);
                    assert!(t.elapsed() < GIVE_UP, "the holder was never asked to drop");
                }
            });
            ready_rx.recv().unwrap();
            let t = Instant::now();
            let _g = gil.acquire();
            t.elapsed()
        });
        assert!(
            waited >= interval,
            "got the GIL after {waited:?}, before one interval {interval:?}"
        );
        assert!(
            waited < Duration::from_secs(5),
            "waited {waited:?} for a holder that checks every few µs"
        );
        let st = gil.stats();
        // One request made the holder drop; the holder, waiting to come back, may make more if the waiter is
        // descheduled for an interval before its final release, but none of those can force a switch.
        assert!(st.drop_requests >= 1);
        assert_eq!(st.forced_switches, 1);
        // The holder, the waiter, the holder again.
        assert_eq!(st.acquisitions, 3);
        assert_eq!(st.switches, 3);
        assert!(st.wait_max >= interval);
    }
}

/// FORCE_SWITCHING: whenever a holder drops at a check point, somebody else holds the GIL before the holder has it
/// back. Each thread logs, while holding the GIL, each time it (re)gains it; the log is therefore in holding order.
#[test]
fn after_a_forced_drop_the_dropper_does_not_take_it_back_first() {
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum How {
        Acquired,
        AfterForcedDrop,
    }
    let gil = Gil::new(Duration::from_millis(1));
    let log = Mutex::new(Vec::new());
    let forced = AtomicU64::new(0);
    std::thread::scope(|s| {
        for who in 0..2 {
            let (gil, log, forced) = (&gil, &log, &forced);
            s.spawn(move || {
                let mut g = gil.acquire();
                log.lock().unwrap().push((who, How::Acquired));
                let t = Instant::now();
                while forced.load(SeqCst) < 40 && t.elapsed() < GIVE_UP {
                    busy(500);
                    if g.checkpoint() {
                        log.lock().unwrap().push((who, How::AfterForcedDrop));
                        forced.fetch_add(1, SeqCst);
                    }
                }
            });
        }
    });
    let log = log.into_inner().unwrap();
    assert!(
        forced.load(SeqCst) >= 40,
        "too few forced switches: {log:?}"
    );
    for pair in log.windows(2) {
        if pair[1].1 == How::AfterForcedDrop {
            assert_ne!(
                pair[0].0, pair[1].0,
                "thread {} took the GIL back before anyone else held it: {log:?}",
                pair[1].0
            );
        }
    }
}

/// A thread inside allow_threads does not hold the GIL: another takes it at once, with no drop request.
#[test]
fn allow_threads_lets_others_run() {
    let gil = Gil::new(Duration::from_secs(10));
    let (inside_tx, inside_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let got = std::thread::scope(|s| {
        let gil = &gil;
        let a = s.spawn(move || {
            let mut g = gil.acquire();
            g.allow_threads(|| {
                inside_tx.send(()).unwrap();
                done_rx.recv_timeout(GIVE_UP)
            })
        });
        inside_rx.recv().unwrap();
        let g = gil.acquire();
        drop(g);
        done_tx.send(()).unwrap();
        a.join().unwrap()
    });
    assert!(
        got.is_ok(),
        "the other thread never got the GIL while the first was blocked"
    );
    let st = gil.stats();
    assert_eq!(st.acquisitions, 3);
    assert_eq!(st.contended_acquisitions, 0);
    assert_eq!(st.drop_requests, 0);
    assert_eq!(st.forced_switches, 0);
}

/// Two threads that only reach check points: each forced switch needs a waiter to wait one whole interval after the
/// previous switch, so there are at most elapsed / interval + 1 of them, and each contended wait lasts one interval.
#[test]
fn the_interval_is_honoured() {
    let interval = Duration::from_millis(5);
    let gil = Gil::new(interval);
    let forced = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut g = gil.acquire();
                let t = Instant::now();
                while forced.load(SeqCst) < 10 && t.elapsed() < GIVE_UP {
                    busy(500);
                    if g.checkpoint() {
                        forced.fetch_add(1, SeqCst);
                    }
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let st = gil.stats();
    assert!(st.forced_switches >= 10, "{st:?}");
    let most = (elapsed.as_secs_f64() / interval.as_secs_f64()).floor() as u64 + 1;
    assert!(
        st.forced_switches <= most,
        "{} forced switches in {elapsed:?} at a {interval:?} interval (at most {most})",
        st.forced_switches
    );
    assert!(st.wait_max >= interval);
    assert!(st.wait_total >= interval * st.forced_switches as u32);
}

#[test]
fn statistics_add_up() {
    let gil = Gil::new(Duration::from_millis(1));
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let mut g = gil.acquire();
                for _ in 0..5 {
                    let t = Instant::now();
                    while t.elapsed() < Duration::from_millis(4) {
                        busy(500);
                        g.checkpoint();
                    }
                    g.allow_threads(|| std::thread::sleep(Duration::from_millis(1)));
                }
            });
        }
    });
    let wall = start.elapsed();
    let st = gil.stats();
    assert_eq!(st.acquisitions, 3 * (1 + 5) + st.forced_switches);
    assert!(st.contended_acquisitions <= st.acquisitions);
    assert!(st.switches <= st.acquisitions);
    assert!(st.switches >= 3, "each thread held the GIL at least once");
    assert!(st.forced_switches <= st.drop_requests);
    assert!(st.wait_p99 <= st.wait_max && st.wait_max <= st.wait_total);
    assert!(st.held_total <= st.since_created);
    assert!(st.held_total > Duration::ZERO);
    let share = st.held_share(wall);
    assert!((0.0..=1.0).contains(&share));
    assert_eq!(st.interval, Duration::from_millis(1));
}

#[test]
fn the_free_threaded_build_never_blocks() {
    let gil = Gil::disabled();
    let both = Barrier::new(2);
    let switched = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut g = gil.acquire();
                // Both threads "hold" it at once: with a GIL this barrier would never open.
                both.wait();
                for _ in 0..1000 {
                    if g.checkpoint() {
                        switched.store(true, SeqCst);
                    }
                }
                g.allow_threads(|| ());
            });
        }
    });
    assert!(!switched.load(SeqCst));
    let st = gil.stats();
    assert!(!st.enabled);
    assert_eq!(
        (st.acquisitions, st.switches, st.forced_switches),
        (0, 0, 0)
    );
}
