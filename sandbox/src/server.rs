//! The running server.
//!
//! Connections are served with hyper directly rather than `axum::serve` so that a handler can
//! close its own TCP connection mid-request (the `drop_connection` fault): each connection task
//! races the connection against a per-connection `Notify` that the fault fires.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::architect::ui::{UiPublish, VersionContent};
use crate::http::middleware::ConnectionKill;
use crate::http::records::{FlowSnapshot, HistoryRecord, OperationRecord, RequestRecord};
use crate::jobs::JobRecord;
use crate::push::{PushRecord, ReceivedFrame};
use crate::routes::router;
use crate::scenario::EntityRef;
use crate::scenario::Scenario;
use crate::state::{Shared, State};

/// A running sandbox server. Dropping it stops it too (the accept loop and every connection see
/// the stop channel close); `shutdown` also waits for the accept loop to end.
#[derive(Debug)]
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

/// How to start a sandbox beyond its scenario.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Log every request to stderr (the binary does).
    pub log_requests: bool,
    /// The base URL clients reach the sandbox at when that is not `http://<addr>`, e.g. a TLS
    /// proxy in front of it: `https://host:port` (or `http://host:port`). Used only to build a
    /// notification channel's `connectUri` (`wss://host:port/channels/<id>`), so a client
    /// behind the proxy reaches the socket through it. `None`: `ws://<addr>/channels/<id>`.
    pub public_url: Option<String>,
}

/// `https://host[:port]` → `wss://host[:port]`, `http://…` → `ws://…`; anything with a path,
/// query, fragment or credentials is refused, since `/channels/<id>` is appended to it.
fn streaming_base(public_url: &str) -> Result<String, String> {
    let bad = || {
        format!("public URL {public_url:?} is not http(s)://host[:port] (no path, query or user)")
    };
    let (scheme, rest) = public_url.split_once("://").ok_or_else(bad)?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => "wss",
        "http" => "ws",
        _ => return Err(bad()),
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad());
    }
    Ok(format!("{scheme}://{authority}"))
}

impl Sandbox {
    /// Starts on `127.0.0.1` with a port the OS picks.
    pub async fn start(scenario: Scenario) -> std::io::Result<Sandbox> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Sandbox::start_with(scenario, addr, Options::default()).await
    }

    /// Starts on `addr`.
    pub async fn start_on(scenario: Scenario, addr: SocketAddr) -> std::io::Result<Sandbox> {
        Sandbox::start_with(scenario, addr, Options::default()).await
    }

    /// Starts on `addr` with `options`. An invalid scenario is an `InvalidInput` error.
    pub async fn start_with(
        scenario: Scenario,
        addr: SocketAddr,
        options: Options,
    ) -> std::io::Result<Sandbox> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let connect_base = options
            .public_url
            .as_deref()
            .map(streaming_base)
            .transpose()
            .map_err(invalid)?;
        let state =
            State::new(scenario, options.log_requests).map_err(|e| invalid(e.to_string()))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(state));
        let (stop, stopped) = watch::channel(false);
        // Notification sockets outlive their HTTP connection: they watch the same stop signal.
        shared.with(|state, _| {
            state.push.attach(addr, stopped.clone());
            state.push.connect_base = connect_base;
        });
        let accept = tokio::spawn(accept_loop(listener, router(shared.clone()), stopped));
        Ok(Sandbox {
            shared,
            addr,
            stop,
            accept,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`; the API and the login endpoint share it.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the Action's `api-url` should be.
    pub fn api_url(&self) -> String {
        self.base_url()
    }

    /// What the Action's `login-url` should be (`POST /oauth/token` is served here).
    pub fn login_url(&self) -> String {
        self.base_url()
    }

    /// When the sandbox started; every `Duration` in its records counts from here.
    pub fn epoch(&self) -> Instant {
        self.shared.epoch()
    }

    /// Time since `epoch()`.
    pub fn now(&self) -> Duration {
        self.shared.now()
    }

    /// Every request answered (or dropped) so far, in arrival order. A request still being
    /// served appears once it has been answered.
    pub fn requests(&self) -> Vec<RequestRecord> {
        // Records are written when a request ends, so a slow one lands after quicker ones
        // that arrived later: sort back into arrival order (stable for equal times).
        let mut requests = self.shared.with(|state, _| state.requests.clone());
        requests.sort_by_key(|r| r.at);
        requests
    }

    /// Every publish operation so far, in start order, as of now (a `touch_after_publish`
    /// operation is no publish and is not listed). An import job's publish is listed once it
    /// has started.
    pub fn operations(&self) -> Vec<OperationRecord> {
        self.shared.with(|state, now| {
            let mut records: Vec<OperationRecord> = state
                .operations
                .iter()
                .filter(|op| op.started_at <= now)
                .filter_map(|op| op.record(now))
                .collect();
            records.sort_by_key(|r| r.started_at);
            records
        })
    }

    /// Every import and export job so far, in registration order, as of now: status, exact
    /// transition times, flow, version, messages, and every upload and download.
    pub fn jobs(&self) -> Vec<JobRecord> {
        self.shared
            .with(|state, now| state.jobs.iter().map(|j| j.record(now)).collect())
    }

    /// Every bearer token issued so far, expired ones included, so tests can assert none of
    /// them ever reached the Action's output (they are random, so nothing else knows them).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared
            .with(|state, _| state.tokens.keys().cloned().collect())
    }

    /// Every frame pushed on a notification socket so far (heartbeats included), in order.
    pub fn notifications(&self) -> Vec<PushRecord> {
        self.shared.with(|state, _| state.push.records.clone())
    }

    /// Every text frame clients sent on notification sockets so far (keep-alive pings
    /// `{"message":"ping"}` included), in order.
    pub fn notifications_received(&self) -> Vec<ReceivedFrame> {
        self.shared.with(|state, _| state.push.received.clone())
    }

    /// Every bot flow session so far, in creation order: which flow and which version
    /// (the one live when it was created) answered it.
    /// Each records its launch request, so tests can check what a client sent.
    pub fn bot_sessions(&self) -> Vec<crate::bots::session::BotSessionRecord> {
        self.shared.with(|state, _| state.bot_session_records())
    }

    /// Every history entry of a flow so far, oldest first (what `GET .../history/{id}` lists).
    pub fn history(&self, flow_id: &str) -> Vec<HistoryRecord> {
        self.shared.with(|state, _| state.history_of(flow_id))
    }

    /// A change "in the UI": `user` checks in `content` as a new version of the flow and
    /// publishes it at once, as a person in Architect would between two pipeline runs. Returns
    /// once the publish has succeeded (at its exact scheduled time); its events are pushed on
    /// `v2.flows.{id}`. Refused, with why, for a deleted, busy or otherwise locked flow and for
    /// YAML of another flow.
    pub async fn publish_as_user(
        &self,
        flow_id: &str,
        user: EntityRef,
        content: VersionContent,
    ) -> Result<UiPublish, String> {
        let (index, done) = self
            .shared
            .with(|state, now| state.ui_publish(flow_id, &user, content, now))?;
        crate::push::events::schedule(&self.shared, index);
        let due = tokio::time::Instant::from_std(self.epoch() + done.completed_at);
        tokio::time::sleep_until(due).await;
        Ok(done)
    }

    /// A flow as it is now (deleted flows included).
    pub fn flow(&self, id: &str) -> Option<FlowSnapshot> {
        self.shared.with(|state, now| state.snapshot(id, now))
    }

    /// Stops accepting, closes every open connection and waits for the accept loop to end.
    pub async fn shutdown(self) {
        // An error means every receiver is gone, i.e. the loop has already ended.
        let _ = self.stop.send(true);
        let _ = self.accept.await;
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut stopped: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a reset before accept: back off and keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        // Responses are small; Nagle would only add latency to the timings tests measure.
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(stream, router.clone(), stopped.clone()));
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let handle = ConnectionKill(kill.clone());
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        router.clone().oneshot(req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service)
        // Lets a later WebSocket route (notifications) upgrade the connection.
        .with_upgrades();
    // Whichever ends first, dropping `conn` closes the socket.
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = stopped.changed() => {}
    }
}
