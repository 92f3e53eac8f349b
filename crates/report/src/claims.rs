//! The article's claims in its own words: one sentence per [`Claim`], the words every table, list and figure of
//! the report names a verdict by.

use arena_analysis::verdicts::Claim;

/// The claim, as the article puts it.
pub fn claim(c: Claim) -> &'static str {
    match c {
        Claim::NotParallelUnderGil => "Threads are not parallel for CPU work under a GIL",
        Claim::ThreadsHelpIo => "Threads do help I/O",
        Claim::EventLoop => {
            "An event loop is concurrent but not parallel, and excellent at waiting"
        }
        Claim::CpuBlocksLoop => "CPU work blocks the event loop",
        Claim::ProcessesParallel => "Processes give true parallelism",
        Claim::ProcessesCostIo => "Processes cost more for I/O",
        Claim::GilCounter => "The GIL makes `counter += 1` safe (both `rmw` forms)",
        Claim::MessagePassing => "Message passing loses no updates",
        Claim::NoGilParallel => "Removing the GIL restores parallelism",
        Claim::NoGilCounter => "Without the GIL, `counter += 1` loses updates",
        Claim::RunToCompletion => "On one event loop, the GIL is what keeps `counter += 1` whole",
        Claim::ProcessesVsLoop => "Processes are less efficient for I/O than an event loop",
        Claim::TimeSlicing => {
            "Without parallelism, threads take turns on one core: they overlap waits but not CPU work"
        }
        Claim::OffloadUnderGil => {
            "Under a GIL, offloading CPU work to threads does not unblock the event loop; a process pool does (CPython peer)"
        }
        Claim::JsSharedMemory => {
            "JavaScript cannot race: no interleaving on the loop, no shared memory between workers (Node peer)"
        }
        Claim::AsyncioVsNode => {
            "asyncio underperforms JavaScript's event loop on I/O (CPython and Node peers)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claim's words name it: each is distinct, so a reader (and the merged report) can tell them apart.
    #[test]
    fn every_claim_has_its_own_words() {
        let mut words: Vec<&str> = Claim::ALL.iter().map(|c| claim(*c)).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), Claim::ALL.len());
    }
}
