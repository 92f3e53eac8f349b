//! The race counter in shared memory (`--opt shared=true`): a memfd mapped `MAP_SHARED` by the parent and by every
//! worker, holding one [`RaceCounter`]. It shows that processes lose updates too, once they share memory.

use std::io;

use workloads::RaceCounter;

const LEN: usize = 4096;

/// One mapping of the shared counter.
#[derive(Debug)]
pub struct SharedCounter {
    ptr: *mut RaceCounter,
    fd: i32,
    owner: bool,
}

impl SharedCounter {
    /// Parent: a fresh memfd holding a zeroed counter. The fd is created *without* close-on-exec, so the workers
    /// spawned after this inherit it under the same number (see [`SharedCounter::fd`]).
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
        // SAFETY: the mapping is LEN bytes, page-aligned and writable; nobody else maps it yet.
        unsafe { shared.ptr.write(RaceCounter::new()) };
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

    /// The fd number the workers inherit.
    pub fn fd(&self) -> i32 {
        self.fd
    }

    /// The counter. Only its `AtomicU64` is ever touched across processes: the parent refuses `sync=lock` with
    /// `shared=true`, because std's `Mutex` waits on a process-private futex.
    pub fn counter(&self) -> &RaceCounter {
        // SAFETY: the parent wrote a valid RaceCounter there before any worker mapped it; parent and workers are the
        // same binary, so they agree on its layout; the mapping lives as long as `self`.
        unsafe { &*self.ptr }
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; the parent closes the memfd it created.
        unsafe {
            libc::munmap(self.ptr.cast(), LEN);
            if self.owner {
                libc::close(self.fd);
            }
        }
    }
}
