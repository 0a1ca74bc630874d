//! The notification socket's reader: flow events forwarded to the waiting side, pings that
//! find a silent socket, one reconnect after a drop, and a move to a new socket when the host
//! warns that it will close this one.

use super::{PushError, Signal, channel_failure, parse_frame};
use crate::genesys::models::Flow;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

/// An open notification socket.
pub(super) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long the WebSocket handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The keep-alive the official SDKs send as a text frame (JAVA-SDK
/// `NotificationHandler.sendPing`); the host answers `{"topicName": "channel.metadata",
/// "eventBody": {"message": "pong"}}`.
pub(super) const TEXT_PING: &str = r#"{"message":"ping"}"#;

/// The topic of the host's maintenance warning: "clients have about 1 minute to reconnect"
/// (genesys-api-verified.md finding I); the official SDKs open a new socket on it.
pub(super) const SOCKET_CLOSING_TOPIC: &str = "v2.system.socket_closing";

/// How many maintenance warnings a run follows to a new socket. A host that warned on every
/// new socket would otherwise keep the reader reconnecting; past this, a warning is only a
/// frame, and the close that follows counts as a drop.
const MAX_PLANNED_MOVES: u32 = 10;

/// What one text frame means to the reader.
#[derive(Debug, PartialEq)]
pub(super) enum FrameKind {
    /// An event of the flow.
    Flow(Box<Flow>),
    /// The channel failed; no event will come on it again (what to tell the user).
    ChannelFailed(String),
    /// The host will close this socket soon: move to a new one.
    SocketClosing,
    /// Anything else (a heartbeat, the `pong` of a text ping, another topic, something
    /// unreadable): it proves the socket alive and carries nothing.
    Alive,
}

/// Classifies a text frame for the flow events of `topic`.
pub(super) fn classify(text: &str, topic: &str) -> FrameKind {
    if let Some(failure) = channel_failure(text) {
        return FrameKind::ChannelFailed(failure);
    }
    if let Some(flow) = parse_frame(text, topic) {
        return FrameKind::Flow(Box::new(flow));
    }
    let closing = serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|frame| frame["topicName"] == SOCKET_CLOSING_TOPIC);
    if closing {
        FrameKind::SocketClosing
    } else {
        FrameKind::Alive
    }
}

/// Opens the socket.
pub(super) async fn connect(uri: &Url) -> Result<Socket, PushError> {
    match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async(uri.as_str()),
    )
    .await
    {
        Ok(Ok((socket, _response))) => Ok(socket),
        Ok(Err(e)) => Err(PushError::Connect(Box::new(e))),
        Err(_) => Err(PushError::HandshakeTimeout(CONNECT_TIMEOUT)),
    }
}

/// What reading the socket gave.
enum Heard {
    /// A frame (or the end of the socket).
    Frame(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    /// Time to ping, or to give up on a silent socket.
    Tick,
}

/// Why one socket's reading ended.
#[derive(Debug, PartialEq)]
enum Ended {
    /// The receiver is gone, or the channel failed and that was said: stop.
    Stop,
    /// The socket dropped (why).
    Dropped(String),
    /// The host warned it will close the socket.
    Closing,
}

/// Forwards the flow's events until the receiver goes away, the socket is lost twice or the
/// channel fails. A socket that stays silent for `silence` despite pings is lost too. A
/// maintenance warning moves to a new socket at once; that move is not the one reconnect a
/// dropped socket gets.
pub(super) async fn read_events(
    mut socket: Socket,
    uri: Url,
    topic: String,
    silence: Duration,
    tx: mpsc::Sender<Signal>,
) {
    let mut reconnected = false;
    let mut moves = 0u32;
    loop {
        let follow_warnings = moves < MAX_PLANNED_MOVES;
        match listen(&mut socket, &topic, silence, &tx, follow_warnings).await {
            Ended::Stop => return,
            Ended::Closing => {
                moves += 1;
                match connect(&uri).await {
                    Ok(fresh) => {
                        tracing::info!(
                            "the notification host is closing the socket; moved to a new one"
                        );
                        let old = std::mem::replace(&mut socket, fresh);
                        tokio::spawn(close_quietly(old));
                        // Events sent while the new socket opened went to the old one only.
                        if tx.send(Signal::Reconnected).await.is_err() {
                            return;
                        }
                    }
                    // The old socket lives on until the host closes it; that close is a drop.
                    Err(e) => tracing::warn!(
                        "the notification host is closing the socket, and a new one could not be opened ({}); staying on the old one",
                        crate::genesys::error::with_causes(&e)
                    ),
                }
            }
            Ended::Dropped(why) => {
                if reconnected {
                    let _ = tx.send(Signal::Lost(why)).await;
                    return;
                }
                reconnected = true;
                tracing::warn!("notification socket dropped ({why}); reconnecting once");
                match connect(&uri).await {
                    Ok(again) => {
                        socket = again;
                        if tx.send(Signal::Reconnected).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx
                            .send(Signal::Lost(format!(
                                "{why}; reconnecting failed: {}",
                                crate::genesys::error::with_causes(&e)
                            )))
                            .await;
                        return;
                    }
                }
            }
        }
    }
}

/// Says goodbye on a socket the reader has left, without holding anything up.
async fn close_quietly(mut old: Socket) {
    let _ = tokio::time::timeout(CONNECT_TIMEOUT, old.close(None)).await;
}

/// Reads one socket until it drops, the host warns it will close it (when `follow_warnings`)
/// or the reader must stop. Every ping tick sends an RFC 6455 ping and the text ping; any
/// frame at all counts as life.
async fn listen(
    socket: &mut Socket,
    topic: &str,
    silence: Duration,
    tx: &mpsc::Sender<Signal>,
    follow_warnings: bool,
) -> Ended {
    let mut ping = tokio::time::interval(silence / 3);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await; // the first tick is immediate: the socket was just opened
    let mut last_heard = tokio::time::Instant::now();
    loop {
        let heard = tokio::select! {
            frame = socket.next() => Heard::Frame(frame),
            _ = ping.tick() => Heard::Tick,
        };
        let frame = match heard {
            Heard::Tick => {
                if last_heard.elapsed() >= silence {
                    return Ended::Dropped(format!(
                        "nothing heard on the socket for {} s, pings included",
                        silence.as_secs_f64()
                    ));
                }
                if let Err(e) = socket.send(Message::Ping(Vec::new().into())).await {
                    return Ended::Dropped(format!("a ping could not be sent: {e}"));
                }
                if let Err(e) = socket.send(Message::Text(TEXT_PING.into())).await {
                    return Ended::Dropped(format!("a ping could not be sent: {e}"));
                }
                continue;
            }
            Heard::Frame(frame) => frame,
        };
        last_heard = tokio::time::Instant::now();
        match frame {
            Some(Ok(Message::Text(text))) => match classify(text.as_str(), topic) {
                FrameKind::Flow(flow) => {
                    if tx.send(Signal::Flow(flow)).await.is_err() {
                        return Ended::Stop;
                    }
                }
                FrameKind::ChannelFailed(failure) => {
                    let _ = tx.send(Signal::Lost(failure)).await;
                    return Ended::Stop;
                }
                FrameKind::SocketClosing if follow_warnings => return Ended::Closing,
                FrameKind::SocketClosing | FrameKind::Alive => {}
            },
            // Pongs prove the socket alive; tungstenite answers the server's pings itself;
            // binary frames carry nothing for us.
            Some(Ok(_)) => {}
            Some(Err(e)) => return Ended::Dropped(e.to_string()),
            None => return Ended::Dropped("the server closed the socket".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "v2.flows.f1";

    #[test]
    fn frames_are_events_failures_warnings_or_just_life() {
        let event = r#"{"topicName":"v2.flows.f1","version":"2","eventBody":{"id":"f1",
            "publishedVersion":{"id":"3.0"},"currentOperation":{"id":"op","complete":true,
            "actionName":"PUBLISH","actionStatus":"SUCCESS"}}}"#;
        match classify(event, TOPIC) {
            FrameKind::Flow(flow) => assert_eq!(flow.published_id(), Some("3.0")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(r#"{"result":"404","message":"Channel not found"}"#, TOPIC),
            FrameKind::ChannelFailed(
                "the notification channel failed (404: Channel not found)".into()
            )
        );
        let closing = r#"{"topicName":"v2.system.socket_closing","eventBody":{"channelId":"c",
            "systemTopicType":"socket_closing","reason":"maintenance","message":"bye",
            "correlationId":"x"}}"#;
        assert_eq!(classify(closing, TOPIC), FrameKind::SocketClosing);
        for alive in [
            r#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#,
            r#"{"topicName":"channel.metadata","eventBody":{"message":"pong"}}"#,
            r#"{"topicName":"v2.flows.other","eventBody":{"id":"other"}}"#,
            r#"{"result":"200","status":"subscribed"}"#,
            "not json",
        ] {
            assert_eq!(classify(alive, TOPIC), FrameKind::Alive, "{alive}");
        }
    }

    #[test]
    fn the_text_ping_is_the_sdks() {
        let ping: serde_json::Value = serde_json::from_str(TEXT_PING).expect("json");
        assert_eq!(ping, serde_json::json!({"message": "ping"}));
    }
}
