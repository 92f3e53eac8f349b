//! Joining tokio task handles, for every workload.

use harness::RunError;

/// Awaits every handle in order; a task that failed to join (it panicked or was cancelled) fails the run.
pub async fn join_all<T>(
    what: &str,
    handles: Vec<tokio::task::JoinHandle<T>>,
) -> Result<Vec<T>, RunError> {
    harness::probe::sample_threads();
    let mut out = Vec::with_capacity(handles.len());
    for (i, h) in handles.into_iter().enumerate() {
        out.push(
            h.await
                .map_err(|e| RunError::failed(format!("{what} {i}"), e))?,
        );
    }
    Ok(out)
}
