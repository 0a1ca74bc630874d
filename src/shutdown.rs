//! SIGINT/SIGTERM → cancellation. The Action is PID 1 in its container: the runner sends
//! SIGINT, then SIGTERM 7.5 s later, then kills. The first signal starts the orderly end.

use tokio_util::sync::CancellationToken;

/// Returns a token cancelled at the first SIGINT or SIGTERM. Must be called within the
/// runtime. The handlers are installed before it returns: installed inside the spawned task,
/// they would wait for the run's first await, and a signal in between would kill the process
/// with no outputs or summary.
pub fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let fired = token.clone();
    let signal = wait_for_signal();
    tokio::spawn(async move {
        signal.await;
        tracing::warn!("cancellation requested: finishing what is safe to finish");
        fired.cancel();
    });
    token
}

#[cfg(unix)]
fn wait_for_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let handlers = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    async move {
        let (Ok(mut term), Ok(mut int)) = handlers else {
            // Without handlers the default action (terminate) stays; never cancel spuriously.
            std::future::pending::<()>().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}

#[cfg(not(unix))]
fn wait_for_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
