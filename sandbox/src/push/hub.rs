//! The notification hub: channels, their subscriptions, the sockets open on them, and the log
//! of every frame pushed. It lives inside `State` (behind the one mutex), so the HTTP routes,
//! the per-operation timer tasks and the socket tasks all see the same channels.
//!
//! Sockets are fed through unbounded queues: whoever produces a frame (a timer task, under the
//! lock) only enqueues it, and the socket's own task writes it, so no lock is held across a
//! network write.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::http::records::ActionStatus;
use crate::push::spec::{
    CloseSocket, NotificationsSpec, SocketFault, TopicRejection, within_first,
};

/// One frame written to a notification socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushRecord {
    /// The channel the socket belongs to.
    pub channel_id: String,
    /// The socket, numbered 1, 2, ... in the order sockets were opened on the sandbox.
    pub connection: u64,
    /// `topicName`: `v2.flows.<flowId>`, or `channel.metadata` for heartbeats and pongs;
    /// [`CHANNEL_FAILURE_TOPIC`](crate::CHANNEL_FAILURE_TOPIC) for the `fail_channel` frame.
    pub topic: String,
    /// The operation's `actionStatus` in a flow event; `None` for heartbeats.
    pub action_status: Option<ActionStatus>,
    /// The operation a flow event is about.
    pub operation_id: Option<String>,
    /// When the frame was written.
    pub at: Duration,
}

/// One text frame a client sent on a notification socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedFrame {
    /// The channel the socket belongs to.
    pub channel_id: String,
    /// The socket, numbered as in [`PushRecord::connection`].
    pub connection: u64,
    /// The frame's text, as sent (`{"message":"ping"}` for a keep-alive ping).
    pub text: String,
    /// When it was read.
    pub at: Duration,
}

/// A frame waiting to be written.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub topic: String,
    pub action_status: Option<ActionStatus>,
    pub operation_id: Option<String>,
    pub text: String,
}

/// An open socket, as the hub sees it.
#[derive(Debug)]
struct Socket {
    number: u64,
    tx: mpsc::UnboundedSender<Frame>,
}

/// A notification channel.
#[derive(Debug)]
pub(crate) struct Channel {
    /// Permitted topics, in subscription order.
    pub topics: Vec<String>,
    sockets: Vec<Socket>,
}

/// What a newly opened socket needs to run.
#[derive(Debug)]
pub(crate) struct Opened {
    pub number: u64,
    pub rx: mpsc::UnboundedReceiver<Frame>,
    pub heartbeat: Duration,
    /// The drop fault, when it applies to this socket.
    pub drop: Option<SocketFault>,
    /// The freeze fault, when it applies to this socket.
    pub freeze: Option<SocketFault>,
    /// The channel-failure fault, when it applies to this socket.
    pub fail: Option<SocketFault>,
    /// The maintenance-close fault, when it applies to this socket.
    pub close: Option<CloseSocket>,
    pub stop: Option<watch::Receiver<bool>>,
}

/// The answer for one topic of a subscription request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TopicAnswer {
    Permitted(String),
    Rejected(String, TopicRejection),
}

/// Every channel and socket, the push log and the fault counters.
#[derive(Debug)]
pub(crate) struct PushHub {
    pub spec: NotificationsSpec,
    pub channels: BTreeMap<String, Channel>,
    pub records: Vec<PushRecord>,
    /// Every text frame clients sent, in order.
    pub received: Vec<ReceivedFrame>,
    /// Where the sandbox listens, for `connectUri`.
    pub addr: Option<SocketAddr>,
    /// `wss://host:port` when clients reach the sandbox through a proxy (`Options::public_url`);
    /// `connectUri` is built on it instead of `ws://<addr>`.
    pub connect_base: Option<String>,
    /// The server's stop signal, so sockets close on shutdown.
    pub stop: Option<watch::Receiver<bool>>,
    sockets_opened: u64,
    channel_requests: u64,
    handshakes: u64,
}

impl PushHub {
    pub fn new(spec: NotificationsSpec) -> PushHub {
        PushHub {
            spec,
            channels: BTreeMap::new(),
            records: Vec::new(),
            received: Vec::new(),
            addr: None,
            connect_base: None,
            stop: None,
            sockets_opened: 0,
            channel_requests: 0,
            handshakes: 0,
        }
    }

    /// Gives the hub the server's address and stop signal.
    pub fn attach(&mut self, addr: SocketAddr, stop: watch::Receiver<bool>) {
        self.addr = Some(addr);
        self.stop = Some(stop);
    }

    /// Counts a channel-creation request; `None` when the `refuse_channels` fault answers it,
    /// else the new channel's id.
    pub fn create_channel(&mut self) -> Option<String> {
        self.channel_requests += 1;
        if let Some(refuse) = &self.spec.refuse_channels
            && within_first(refuse.first, self.channel_requests)
        {
            return None;
        }
        // Real ids look like `streaming-0-<random>` (genesys-api.md §6).
        let id = format!("streaming-0-{}", uuid::Uuid::new_v4().simple());
        let channel = Channel {
            topics: Vec::new(),
            sockets: Vec::new(),
        };
        self.channels.insert(id.clone(), channel);
        Some(id)
    }

    /// Adds (or, with `replace`, sets) a channel's topics; `None` for an unknown channel. Topics
    /// a `reject_topics` rule matches are answered `Rejected` and not stored.
    pub fn subscribe(
        &mut self,
        channel_id: &str,
        requested: Vec<String>,
        replace: bool,
    ) -> Option<Vec<TopicAnswer>> {
        let rules = &self.spec.reject_topics;
        let channel = self.channels.get_mut(channel_id)?;
        if replace {
            channel.topics.clear();
        }
        let mut answers = Vec::new();
        for topic in requested {
            match rules.iter().find(|r| r.matches(&topic)) {
                Some(rule) => answers.push(TopicAnswer::Rejected(topic, rule.clone())),
                None => {
                    if !channel.topics.contains(&topic) {
                        channel.topics.push(topic.clone());
                    }
                    answers.push(TopicAnswer::Permitted(topic));
                }
            }
        }
        Some(answers)
    }

    /// Counts a handshake to a channel and says how long to delay it; `None` for an unknown
    /// channel.
    pub fn handshake(&mut self, channel_id: &str) -> Option<Duration> {
        if !self.channels.contains_key(channel_id) {
            return None;
        }
        self.handshakes += 1;
        let delay = match &self.spec.slow_handshake {
            Some(slow) if within_first(slow.first, self.handshakes) => slow.delay_ms,
            _ => 0,
        };
        Some(Duration::from_millis(delay))
    }

    /// Registers a socket on a channel; `None` if the channel is gone.
    pub fn open(&mut self, channel_id: &str) -> Option<Opened> {
        let channel = self.channels.get_mut(channel_id)?;
        self.sockets_opened += 1;
        let number = self.sockets_opened;
        let (tx, rx) = mpsc::unbounded_channel();
        channel.sockets.push(Socket { number, tx });
        let applies =
            |fault: &Option<SocketFault>| fault.clone().filter(|f| within_first(f.first, number));
        let drop = applies(&self.spec.drop_socket);
        let freeze = applies(&self.spec.freeze_socket);
        let fail = applies(&self.spec.fail_channel);
        let close = self
            .spec
            .close_socket
            .clone()
            .filter(|c| within_first(c.first, number));
        Some(Opened {
            number,
            rx,
            heartbeat: Duration::from_millis(self.spec.heartbeat_ms),
            drop,
            freeze,
            fail,
            close,
            stop: self.stop.clone(),
        })
    }

    /// Removes a channel (the `fail_channel` fault): its topics get no more events and a
    /// handshake to it is answered 404.
    pub fn remove_channel(&mut self, channel_id: &str) {
        self.channels.remove(channel_id);
    }

    /// Forgets a closed socket.
    pub fn close(&mut self, channel_id: &str, number: u64) {
        if let Some(channel) = self.channels.get_mut(channel_id) {
            channel.sockets.retain(|s| s.number != number);
        }
    }

    /// Queues a frame for every open socket of every channel subscribed to its topic.
    pub fn deliver(&mut self, frame: &Frame) {
        for channel in self.channels.values_mut() {
            if !channel.topics.contains(&frame.topic) {
                continue;
            }
            // A send fails only when the socket task has ended; it unregisters itself.
            channel.sockets.retain(|s| s.tx.send(frame.clone()).is_ok());
        }
    }
}

/// Resolves once the server stops, or at once if it has; never when there is no stop signal.
pub(crate) async fn stopped(stop: &mut Option<watch::Receiver<bool>>) {
    match stop {
        // An error means the sender is gone: the sandbox was dropped.
        Some(rx) => {
            let _ = rx.wait_for(|stop| *stop).await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(json: &str) -> PushHub {
        PushHub::new(serde_json::from_str(json).expect("spec"))
    }

    #[test]
    fn refusals_and_rejections_follow_the_spec() {
        let mut h = hub(r#"{"refuse_channels": {"first": 1},
            "reject_topics": [{"topic": "v2.flows.secret"}]}"#);
        assert_eq!(h.create_channel(), None);
        let id = h.create_channel().expect("second is accepted");
        let answers = h
            .subscribe(
                &id,
                vec!["v2.flows.a".into(), "v2.flows.secret".into()],
                false,
            )
            .expect("known channel");
        assert_eq!(answers[0], TopicAnswer::Permitted("v2.flows.a".into()));
        assert!(matches!(&answers[1], TopicAnswer::Rejected(t, _) if t == "v2.flows.secret"));
        assert_eq!(h.channels[&id].topics, ["v2.flows.a"]);
        h.subscribe(&id, vec!["v2.flows.b".into()], true)
            .expect("replaces");
        assert_eq!(h.channels[&id].topics, ["v2.flows.b"]);
        assert!(h.subscribe("nope", vec![], false).is_none());
    }

    #[test]
    fn sockets_are_numbered_and_receive_their_topics() {
        let mut h = hub(r#"{"drop_socket": {"after_ms": 5, "first": 1},
            "slow_handshake": {"delay_ms": 7, "first": 1}}"#);
        let id = h.create_channel().expect("channel");
        assert_eq!(h.handshake("nope"), None);
        assert_eq!(h.handshake(&id), Some(Duration::from_millis(7)));
        assert_eq!(h.handshake(&id), Some(Duration::ZERO));
        h.subscribe(&id, vec!["t".into()], false);
        let mut first = h.open(&id).expect("opens");
        let second = h.open(&id).expect("opens");
        assert_eq!((first.number, second.number), (1, 2));
        assert!(first.drop.is_some() && second.drop.is_none());
        let frame = |topic: &str| Frame {
            topic: topic.into(),
            action_status: None,
            operation_id: None,
            text: "{}".into(),
        };
        h.deliver(&frame("other"));
        h.deliver(&frame("t"));
        assert_eq!(
            first.rx.try_recv().map(|f| f.topic).ok().as_deref(),
            Some("t")
        );
        drop(second);
        h.deliver(&frame("t"));
        assert_eq!(
            h.channels[&id].sockets.len(),
            1,
            "the closed socket is dropped"
        );
        h.close(&id, 1);
        assert!(h.channels[&id].sockets.is_empty());
    }
}
