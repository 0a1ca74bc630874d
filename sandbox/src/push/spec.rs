//! The scenario's `notifications` section: how often heartbeats go out and which push faults
//! are injected. Every fault counts deterministically ("the first K connections", "the first K
//! channel creations"), so a test can make a reconnect succeed or fail on purpose.

use serde::{Deserialize, Serialize};

/// Push notifications (channels, subscriptions, the WebSocket) in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsSpec {
    /// Period of the `channel.metadata` heartbeat frames on every socket (ms, default 30000).
    #[serde(default = "default_heartbeat_ms")]
    pub heartbeat_ms: u64,
    /// Close sockets abruptly (no close frame) after some flow events or some time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_socket: Option<SocketFault>,
    /// Freeze sockets after some flow events or some time: the TCP connection stays open but
    /// nothing is written or read any more, pings included (a half-open connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_socket: Option<SocketFault>,
    /// Remove the channel under an open socket after some flow events or some time: the
    /// socket gets a `{"result": "404", ...}` frame, then heartbeats only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_channel: Option<SocketFault>,
    /// Warn of a maintenance close (`v2.system.socket_closing`) after some flow events or some
    /// time, then close the socket `grace_ms` later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_socket: Option<CloseSocket>,
    /// Flow events that are never sent (heartbeats keep flowing).
    #[serde(default, skip_serializing_if = "SuppressEvents::is_off")]
    pub suppress_events: SuppressEvents,
    /// Answer `POST /api/v2/notifications/channels` with 403 `missing.permissions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refuse_channels: Option<RefuseChannels>,
    /// Topics answered `Rejected` (with `missingPermissions`) when subscribed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reject_topics: Vec<TopicRejection>,
    /// Delay the WebSocket upgrade of `GET /channels/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_handshake: Option<SlowHandshake>,
}

fn default_heartbeat_ms() -> u64 {
    // "Heartbeats arrive about every 30 s" (genesys-api.md §6).
    30_000
}

impl Default for NotificationsSpec {
    fn default() -> Self {
        NotificationsSpec {
            heartbeat_ms: default_heartbeat_ms(),
            drop_socket: None,
            freeze_socket: None,
            fail_channel: None,
            close_socket: None,
            suppress_events: SuppressEvents::Off,
            refuse_channels: None,
            reject_topics: Vec::new(),
            slow_handshake: None,
        }
    }
}

/// When a socket fault (`drop_socket`, `freeze_socket`, `fail_channel`) fires. At least one of
/// `after_events` and `after_ms` is set; whichever comes first fires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketFault {
    /// Right after the N-th flow event written to the socket (heartbeats do not count; 0
    /// fires as soon as it opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_events: Option<u64>,
    /// This many milliseconds after the socket opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_ms: Option<u64>,
    /// Only the first K sockets opened on the sandbox (1-based, any channel); absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
}

/// The maintenance close of a socket: the streaming host "sends a warning event, and clients
/// have about 1 minute to reconnect" (genesys-api-verified.md finding I); the official SDKs
/// handle topic `v2.system.socket_closing` by opening a new socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseSocket {
    /// Warn right after the N-th flow event written to the socket (0: as soon as it opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_events: Option<u64>,
    /// Warn this many milliseconds after the socket opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_ms: Option<u64>,
    /// Only the first K sockets opened on the sandbox (1-based, any channel); absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
    /// How long after the warning the socket is closed (ms, default 1000; the real host
    /// gives about a minute). Events keep flowing until then.
    #[serde(default = "default_grace_ms")]
    pub grace_ms: u64,
}

fn default_grace_ms() -> u64 {
    1000
}

impl CloseSocket {
    /// When the warning goes out, as the other socket faults say it.
    pub fn when(&self) -> SocketFault {
        SocketFault {
            after_events: self.after_events,
            after_ms: self.after_ms,
            first: self.first,
        }
    }
}

/// Which flow events are never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressEvents {
    /// Every event is sent.
    #[default]
    #[serde(rename = "none", alias = "off")]
    Off,
    /// No flow event is sent.
    All,
    /// The terminal one (`SUCCESS` / `FAILURE`) is not sent; earlier ones are.
    Terminal,
}

impl SuppressEvents {
    fn is_off(&self) -> bool {
        *self == SuppressEvents::Off
    }
}

/// Refuses channel creation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefuseChannels {
    /// Only the first K `POST /api/v2/notifications/channels` (1-based); absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
}

/// Topics rejected for missing permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRejection {
    /// A topic (`v2.flows.<id>`), or a prefix ending in `*` (`v2.flows.*`, `*`).
    pub topic: String,
    /// `missingPermissions` of the rejected topic.
    #[serde(default = "default_missing_permissions")]
    pub missing_permissions: Vec<String>,
    /// `rejectionReason` of the rejected topic.
    #[serde(default = "default_rejection_reason")]
    pub reason: String,
}

fn default_missing_permissions() -> Vec<String> {
    // Reading a flow needs architect:flow:view (genesys-api.md §5).
    vec!["architect:flow:view".to_owned()]
}

// GUESS: the real rejectionReason wording is not documented.
fn default_rejection_reason() -> String {
    "Missing permissions for the requested topic".to_owned()
}

impl TopicRejection {
    /// Whether `topic` matches this rule.
    pub fn matches(&self, topic: &str) -> bool {
        match self.topic.strip_suffix('*') {
            Some(prefix) => topic.starts_with(prefix),
            None => topic == self.topic,
        }
    }
}

/// Delays the WebSocket handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowHandshake {
    /// Delay before the `101 Switching Protocols` answer (ms).
    pub delay_ms: u64,
    /// Only the first K handshakes to known channels (1-based); absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
}

/// Whether the n-th (1-based) occurrence is within "the first K" (`None`: all are).
pub(crate) fn within_first(first: Option<u64>, n: u64) -> bool {
    first.is_none_or(|k| n <= k)
}

impl NotificationsSpec {
    /// Checks the numbers and patterns.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat_ms == 0 {
            return Err("heartbeat_ms must be > 0".to_owned());
        }
        let firsts = [
            self.drop_socket.as_ref().and_then(|d| d.first),
            self.freeze_socket.as_ref().and_then(|d| d.first),
            self.fail_channel.as_ref().and_then(|d| d.first),
            self.close_socket.as_ref().and_then(|d| d.first),
            self.refuse_channels.as_ref().and_then(|r| r.first),
            self.slow_handshake.as_ref().and_then(|s| s.first),
        ];
        if firsts.contains(&Some(0)) {
            return Err("`first` counts from 1 (leave the fault out to disable it)".to_owned());
        }
        let close = self.close_socket.as_ref().map(CloseSocket::when);
        for (name, fault) in [
            ("drop_socket", &self.drop_socket),
            ("freeze_socket", &self.freeze_socket),
            ("fail_channel", &self.fail_channel),
            ("close_socket", &close),
        ] {
            if let Some(f) = fault
                && f.after_events.is_none()
                && f.after_ms.is_none()
            {
                return Err(format!("{name} needs after_events or after_ms"));
            }
        }
        if self.reject_topics.iter().any(|r| r.topic.is_empty()) {
            return Err("reject_topics[].topic must not be empty".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_defaults_and_validates() {
        let spec: NotificationsSpec = serde_json::from_str("{}").expect("parses");
        assert_eq!(spec, NotificationsSpec::default());
        let json = r#"{"heartbeat_ms": 50, "drop_socket": {"after_events": 2, "first": 1},
            "suppress_events": "terminal", "refuse_channels": {},
            "reject_topics": [{"topic": "v2.flows.*"}], "slow_handshake": {"delay_ms": 10}}"#;
        let spec: NotificationsSpec = serde_json::from_str(json).expect("parses");
        spec.validate().expect("valid");
        assert_eq!(spec.suppress_events, SuppressEvents::Terminal);
        assert!(spec.reject_topics[0].matches("v2.flows.abc"));
        assert!(!spec.reject_topics[0].matches("v2.users.abc"));
        assert_eq!(
            spec.reject_topics[0].missing_permissions,
            ["architect:flow:view"]
        );
        for bad in [
            r#"{"heartbeat_ms": 0}"#,
            r#"{"drop_socket": {"first": 1}}"#,
            r#"{"fail_channel": {"first": 1}}"#,
            r#"{"freeze_socket": {"first": 1}}"#,
            r#"{"close_socket": {"grace_ms": 5}}"#,
            r#"{"close_socket": {"after_ms": 5, "first": 0}}"#,
            r#"{"fail_channel": {"after_ms": 5, "first": 0}}"#,
            r#"{"refuse_channels": {"first": 0}}"#,
            r#"{"reject_topics": [{"topic": ""}]}"#,
        ] {
            let spec: NotificationsSpec = serde_json::from_str(bad).expect("parses");
            assert!(spec.validate().is_err(), "{bad}");
        }
        assert!(within_first(None, 99) && within_first(Some(2), 2) && !within_first(Some(2), 3));
        let close: NotificationsSpec =
            serde_json::from_str(r#"{"close_socket": {"after_events": 1}}"#).expect("parses");
        close.validate().expect("valid");
        assert_eq!(close.close_socket.map(|c| c.grace_ms), Some(1000));
    }
}
