//! The race's shared state in shared memory (the default, `--opt shared=true`): a memfd mapped `MAP_SHARED` by the
//! parent and by every worker, holding one [`RaceCounter`], a process-shared mutex for `sync=lock` and a start
//! barrier. It is `multiprocessing.RawValue` with `multiprocessing.Lock` and `Barrier` beside it, as the CPython peer
//! uses them: processes lose updates too, once they share memory.

use std::cell::UnsafeCell;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use workloads::RaceCounter;

const LEN: usize = 4096;

/// What the mapping holds.
#[repr(C)]
struct Shared {
    counter: RaceCounter,
    /// Racers that reached the start line.
    arrived: AtomicU64,
    /// `sync=lock`: a pthread mutex marked `PTHREAD_PROCESS_SHARED`. Why not the counter's own `std::sync::Mutex`:
    /// it waits on a process-private futex, so a worker blocked on it would never be woken by another process.
    lock: UnsafeCell<libc::pthread_mutex_t>,
}

const _: () = assert!(std::mem::size_of::<Shared>() <= LEN);

/// One mapping of the shared race state.
#[derive(Debug)]
pub struct SharedCounter {
    ptr: *mut Shared,
    fd: i32,
    owner: bool,
}

/// The process-shared lock, held until dropped.
pub struct SharedGuard<'a>(&'a SharedCounter);

impl Drop for SharedGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard's lock call succeeded, so this process holds the mutex.
        unsafe { libc::pthread_mutex_unlock(self.0.shared().lock.get()) };
    }
}

impl SharedCounter {
    /// Parent: a fresh memfd holding a zeroed counter, an unlocked process-shared mutex and an empty barrier. The fd
    /// is created *without* close-on-exec, so the workers spawned after this inherit it under the same number (see
    /// [`SharedCounter::fd`]).
    pub fn create() -> io::Result<SharedCounter> {
        // SAFETY: plain syscalls on a fd we own; the name is a NUL-terminated literal.
        let fd = unsafe { libc::memfd_create(c"rt-procs-race".as_ptr(), 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is ours.
        if unsafe { libc::ftruncate(fd, LEN as libc::off_t) } != 0 {
            let e = io::Error::last_os_error();
            // SAFETY: closing our own fd.
            unsafe { libc::close(fd) };
            return Err(e);
        }
        let shared = Self::map(fd, true)?;
        // SAFETY: the mapping is LEN bytes, page-aligned and writable; nobody else maps it yet. The mutex is
        // initialized in place (a pthread mutex must not move) with an attribute that allows other processes.
        unsafe {
            shared.ptr.write(Shared {
                counter: RaceCounter::new(),
                arrived: AtomicU64::new(0),
                lock: UnsafeCell::new(std::mem::zeroed()),
            });
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            let rc = [
                libc::pthread_mutexattr_init(&mut attr),
                libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED),
                libc::pthread_mutex_init((*shared.ptr).lock.get(), &attr),
                libc::pthread_mutexattr_destroy(&mut attr),
            ];
            if let Some(&e) = rc.iter().find(|&&r| r != 0) {
                return Err(io::Error::from_raw_os_error(e));
            }
        }
        Ok(shared)
    }

    /// Worker: maps the inherited fd `fd`, which the parent initialized.
    pub fn open(fd: i32) -> io::Result<SharedCounter> {
        Self::map(fd, false)
    }

    fn map(fd: i32, owner: bool) -> io::Result<SharedCounter> {
        // SAFETY: mapping LEN bytes of a memfd of at least that size.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(SharedCounter {
            ptr: p.cast(),
            fd,
            owner,
        })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the parent wrote a valid `Shared` there before any worker mapped it; parent and workers are the
        // same binary, so they agree on its layout; the mapping lives as long as `self`.
        unsafe { &*self.ptr }
    }

    /// The fd number the workers inherit.
    pub fn fd(&self) -> i32 {
        self.fd
    }

    /// The counter. Only its `AtomicU64` is ever touched across processes: `sync=lock` takes [`SharedCounter::lock`],
    /// never the counter's own mutex.
    pub fn counter(&self) -> &RaceCounter {
        &self.shared().counter
    }

    /// Takes the process-shared mutex (`sync=lock`), as `with multiprocessing.Lock():` does.
    pub fn lock(&self) -> SharedGuard<'_> {
        // SAFETY: the mutex was initialized process-shared by the parent and lives in this mapping.
        let rc = unsafe { libc::pthread_mutex_lock(self.shared().lock.get()) };
        assert_eq!(
            rc, 0,
            "pthread_mutex_lock on the shared race lock failed: {rc}"
        );
        SharedGuard(self)
    }

    /// Waits until `racers` workers have called this, as the CPython peer's racers meet at a `Barrier` first. Why:
    /// a worker that gets its task a few hundred microseconds before the others would run much of its share alone,
    /// and the lost updates would measure the start-up skew rather than the race. The wait is a spin with
    /// `sched_yield`, so a racer that waits gives its core to one that has not arrived.
    pub fn start_together(&self, racers: u64) {
        let arrived = &self.shared().arrived;
        arrived.fetch_add(1, Ordering::SeqCst);
        while arrived.load(Ordering::SeqCst) < racers {
            std::thread::yield_now();
        }
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; the parent closes the memfd it created. The mutex needs no destroy on
        // Linux, and a worker may still hold the mapping when the parent unmaps.
        unsafe {
            libc::munmap(self.ptr.cast(), LEN);
            if self.owner {
                libc::close(self.fd);
            }
        }
    }
}
