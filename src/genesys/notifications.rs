//! Push: the Notifications API (genesys-api.md §6). A channel, a subscription to
//! `v2.flows.{flowId}`, and a WebSocket that carries the same `currentOperation` polling
//! reads. The socket is opened before the publish so no event is missed; it reconnects
//! once after a drop, and then gives up so the caller falls back to polling. A socket that
//! goes silent (a half-open TCP connection behind a NAT or proxy sends no FIN) is found by
//! pings and counts as a drop: WebSocket pings, which RFC 6455 obliges the server to answer,
//! and the text ping `{"message":"ping"}` the official SDKs send, answered by a `pong` frame
//! (genesys-api-verified.md finding I). A maintenance warning (`v2.system.socket_closing`)
//! moves the reader to a new socket at once without spending that one reconnect. The reader
//! itself is in `notifications/socket.rs`.

mod socket;

use super::client::{Answer, GenesysClient, Request};
use super::endpoint;
use super::error::ApiError;
use super::models::Flow;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

/// The heartbeat topic: carries no flow data.
pub const HEARTBEAT_TOPIC: &str = "channel.metadata";
/// The shortest silence that counts as a dead socket: pings are answered in milliseconds,
/// so this leaves a loaded runner seconds of slack before a needless reconnect.
const MIN_SILENCE: Duration = Duration::from_secs(5);

/// How long a socket may stay silent (no frame, no pong) before it counts as dropped: three
/// of the largest poll intervals (15 s with the defaults), never under 5 s. It is pinged
/// three times in that span, so only a dead connection stays silent that long.
pub fn silence_limit(poll_max_interval: Duration) -> Duration {
    (poll_max_interval * 3).max(MIN_SILENCE)
}

/// A notification channel.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// Channel id.
    pub id: String,
    /// The WebSocket URL (`wss://streaming.<domain>/channels/…`).
    pub connect_uri: String,
}

/// The answer for one topic of a subscription.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChannelTopic {
    /// The topic.
    pub id: String,
    /// `Permitted` or `Rejected`.
    pub state: Option<String>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// Permissions the client lacks for it.
    #[serde(default)]
    pub missing_permissions: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TopicListing {
    #[serde(default)]
    entities: Vec<ChannelTopic>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    topic_name: String,
    #[serde(default)]
    event_body: Value,
}

/// Why push could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The platform refused the channel or the subscription.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The topic was rejected.
    #[error("topic {topic} was rejected{}{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default(),
        if missing_permissions.is_empty() { String::new() } else { format!(" (missing permissions: {})", missing_permissions.join(", ")) })]
    Rejected {
        /// The topic.
        topic: String,
        /// The platform's reason.
        reason: Option<String>,
        /// What the OAuth client's role lacks.
        missing_permissions: Vec<String>,
    },
    /// The connect URI is not one the Action will use.
    #[error("the channel's connect URI {0:?} is not wss:// (ws:// only to a loopback host)")]
    UnsafeUri(String),
    /// The WebSocket handshake failed.
    #[error("the notification socket could not be opened")]
    Connect(#[source] Box<tokio_tungstenite::tungstenite::Error>),
    /// The WebSocket handshake did not finish in time.
    #[error("the notification socket could not be opened: no handshake within {} s", .0.as_secs())]
    HandshakeTimeout(Duration),
}

/// What the socket tells the waiting side.
#[derive(Debug)]
pub enum Signal {
    /// The flow as the event described it.
    Flow(Box<Flow>),
    /// The socket dropped and was reopened, or was replaced after a maintenance warning:
    /// events may have been missed, read the flow.
    Reconnected,
    /// The socket dropped twice: push is over for this run.
    Lost(String),
}

/// A live subscription to one flow's events. Dropping it closes the socket.
pub struct FlowEvents {
    rx: mpsc::Receiver<Signal>,
    task: JoinHandle<()>,
}

impl Drop for FlowEvents {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FlowEvents {
    /// The next signal; `None` once the reader has stopped.
    pub async fn next(&mut self) -> Option<Signal> {
        self.rx.recv().await
    }

    /// Forgets the signals already queued: what happened on the flow before a new wait
    /// began (an import's publish, seen by the time its job ended) says nothing about what
    /// that wait is for. `false` when push is over: the reader stopped, or a queued signal
    /// says the socket was lost.
    pub fn discard_queued(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(Signal::Lost(_)) | Err(mpsc::error::TryRecvError::Disconnected) => {
                    return false;
                }
                Ok(Signal::Flow(_) | Signal::Reconnected) => {}
                Err(mpsc::error::TryRecvError::Empty) => return true,
            }
        }
    }
}

/// The topic carrying a flow's changes.
pub fn flow_topic(flow_id: &str) -> String {
    format!("v2.flows.{flow_id}")
}

/// Parses one WebSocket text frame: `Some(flow)` for an event of `topic`, `None` for
/// heartbeats, other topics and anything unreadable (a bad frame must not end the wait).
pub fn parse_frame(text: &str, topic: &str) -> Option<Flow> {
    let envelope: Envelope = serde_json::from_str(text).ok()?;
    if envelope.topic_name != topic {
        return None;
    }
    serde_json::from_value(envelope.event_body).ok()
}

/// A frame saying the channel itself failed: `{"result": "404", "message": ...}`, which
/// clients of the streaming host report when a channel expired, was replaced by a newer one
/// over the limit of 20 per OAuth client, or outlived its token (genesys-api.md §6 has the
/// limit; the frame is third-party evidence). No event will come on that channel again, and
/// reconnecting to it cannot help. Returns what to tell the user.
pub fn channel_failure(text: &str) -> Option<String> {
    let frame: Value = serde_json::from_str(text).ok()?;
    let result = match &frame["result"] {
        Value::String(code) => code.parse::<u16>().ok()?,
        Value::Number(code) => u16::try_from(code.as_u64()?).ok()?,
        _ => return None,
    };
    if result < 400 {
        return None;
    }
    let message = frame["message"].as_str().unwrap_or("no message");
    Some(format!(
        "the notification channel failed ({result}: {message})"
    ))
}

/// Accepts `wss://`, and `ws://` only to a loopback host (the sandbox).
pub fn check_connect_uri(uri: &str) -> Result<Url, PushError> {
    let unsafe_uri = || PushError::UnsafeUri(uri.to_string());
    let url = Url::parse(uri).map_err(|_| unsafe_uri())?;
    match url.scheme() {
        "wss" => Ok(url),
        "ws" if crate::config::parse::is_loopback(&url) => Ok(url),
        _ => Err(unsafe_uri()),
    }
}

impl GenesysClient {
    /// `POST /api/v2/notifications/channels`. A second channel is harmless (the oldest of
    /// more than 20 is removed), so it is retried like a read.
    pub async fn create_channel(&self) -> Result<Answer<Channel>, ApiError> {
        self.send(&Request::to(&endpoint::CHANNELS, &[])).await
    }

    /// `POST /api/v2/notifications/channels/{id}/subscriptions?ignoreErrors=true`: adds the
    /// topics and answers each one's state, so a rejection is named rather than a 400.
    pub async fn subscribe(
        &self,
        channel_id: &str,
        topics: &[String],
    ) -> Result<Vec<ChannelTopic>, ApiError> {
        let body = Value::Array(topics.iter().map(|t| json!({ "id": t })).collect());
        let request = Request::to(&endpoint::SUBSCRIPTIONS, &[channel_id])
            .query("ignoreErrors=true")
            .json(body);
        let listing: TopicListing = self.send(&request).await?.body;
        Ok(listing.entities)
    }

    /// Creates a channel, subscribes to the flow's topic and opens the socket, which counts
    /// as dropped once silent for `silence` (see [`silence_limit`]).
    pub async fn open_flow_events(
        &self,
        flow_id: &str,
        silence: Duration,
    ) -> Result<FlowEvents, PushError> {
        let channel = self.create_channel().await?.body;
        let uri = check_connect_uri(&channel.connect_uri)?;
        let topic = flow_topic(flow_id);
        let answered = self
            .subscribe(&channel.id, std::slice::from_ref(&topic))
            .await?;
        let ours = answered.into_iter().find(|t| t.id == topic);
        match ours {
            Some(t)
                if t.state
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("Permitted")) => {}
            Some(t) => {
                return Err(PushError::Rejected {
                    topic,
                    reason: t.rejection_reason.or(t.state),
                    missing_permissions: t.missing_permissions,
                });
            }
            None => {
                return Err(PushError::Rejected {
                    topic,
                    reason: Some("not in the subscription answer".into()),
                    missing_permissions: vec![],
                });
            }
        }
        let ws = socket::connect(&uri).await?;
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(socket::read_events(ws, uri, topic, silence, tx));
        Ok(FlowEvents { rx, task })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events for a test: `signals` queued, the reader still running unless `stopped`.
    fn events(signals: Vec<Signal>, stopped: bool) -> (FlowEvents, Option<mpsc::Sender<Signal>>) {
        let (tx, rx) = mpsc::channel(8);
        for signal in signals {
            tx.try_send(signal).expect("room in the queue");
        }
        let task = tokio::spawn(std::future::pending::<()>());
        let tx = (!stopped).then_some(tx);
        (FlowEvents { rx, task }, tx)
    }

    #[tokio::test]
    async fn queued_events_are_discarded_while_push_lives_on() {
        let flow = || Signal::Flow(Box::default());
        let cases = [
            (vec![], false, true),
            (vec![flow(), Signal::Reconnected, flow()], false, true),
            (
                vec![flow(), Signal::Lost("dropped twice".into())],
                false,
                false,
            ),
            (vec![flow()], true, false),
        ];
        for (queued, stopped, lives) in cases {
            let shown = format!("{queued:?}, stopped {stopped}");
            let (mut events, _tx) = events(queued, stopped);
            assert_eq!(events.discard_queued(), lives, "{shown}");
            if lives {
                assert!(events.rx.try_recv().is_err(), "{shown}: nothing left");
            }
        }
    }

    #[test]
    fn parses_flow_events_and_skips_heartbeats_and_other_topics() {
        let event = r#"{"topicName":"v2.flows.f1","version":"2","eventBody":{"id":"f1","name":"Bot",
            "publishedVersion":{"id":"3.0"},"currentOperation":{"id":"op","complete":true,
            "actionName":"PUBLISH","actionStatus":"SUCCESS"}},"metadata":{"CorrelationId":"c"}}"#;
        let flow = parse_frame(event, "v2.flows.f1").expect("flow event");
        assert_eq!(flow.published_id(), Some("3.0"));
        assert!(flow.current_operation.expect("op").succeeded());
        let heartbeat =
            r#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#;
        assert_eq!(parse_frame(heartbeat, "v2.flows.f1"), None);
        assert_eq!(parse_frame(event, "v2.flows.other"), None);
        assert_eq!(parse_frame("not json", "v2.flows.f1"), None);
    }

    #[test]
    fn a_channel_failure_frame_ends_push_and_says_why() {
        assert_eq!(
            channel_failure(r#"{"result":"404","message":"Channel not found"}"#).as_deref(),
            Some("the notification channel failed (404: Channel not found)")
        );
        assert_eq!(
            channel_failure(r#"{"result":410}"#).as_deref(),
            Some("the notification channel failed (410: no message)")
        );
        // A subscription's confirmation, heartbeats, events and junk are not failures.
        for fine in [
            r#"{"result":"200","status":"subscribed"}"#,
            r#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#,
            r#"{"topicName":"v2.flows.f1","eventBody":{"id":"f1"}}"#,
            r#"{"result":"not a code"}"#,
            "not json",
        ] {
            assert_eq!(channel_failure(fine), None, "{fine}");
        }
    }

    #[test]
    fn a_socket_may_stay_silent_for_three_poll_intervals_but_never_under_5_s() {
        assert_eq!(
            silence_limit(Duration::from_secs(5)),
            Duration::from_secs(15)
        );
        assert_eq!(
            silence_limit(Duration::from_secs(60)),
            Duration::from_secs(180)
        );
        assert_eq!(
            silence_limit(Duration::from_millis(200)),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn connect_uris_must_be_wss_unless_loopback() {
        assert!(
            check_connect_uri("wss://streaming.mypurecloud.com/channels/streaming-0-abc").is_ok()
        );
        assert!(check_connect_uri("ws://127.0.0.1:8080/channels/x").is_ok());
        assert!(check_connect_uri("ws://localhost:8080/channels/x").is_ok());
        assert!(check_connect_uri("ws://streaming.mypurecloud.com/channels/x").is_err());
        assert!(check_connect_uri("https://streaming.mypurecloud.com/channels/x").is_err());
        assert!(check_connect_uri("nonsense").is_err());
    }

    #[test]
    fn rejections_name_the_missing_permissions() {
        let e = PushError::Rejected {
            topic: "v2.flows.f1".into(),
            reason: Some("Rejected".into()),
            missing_permissions: vec!["architect:flow:view".into()],
        };
        assert_eq!(
            e.to_string(),
            "topic v2.flows.f1 was rejected: Rejected (missing permissions: architect:flow:view)"
        );
    }
}
