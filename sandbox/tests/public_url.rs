//! `Options::public_url` / `--public-url`: a notification channel's `connectUri` names the proxy
//! in front of the sandbox, so a client that reaches the API through the proxy reaches the
//! socket through it too (the CI job that runs the Action's container behind a TLS proxy).

#![allow(clippy::unwrap_used)]

mod common;
mod push_common;

use std::net::SocketAddr;
use std::process::{Command, Stdio};

use common::*;
use genesys_sandbox::*;
use push_common::*;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

async fn start_public(public_url: &str) -> std::io::Result<Sandbox> {
    let options = Options {
        public_url: Some(public_url.to_owned()),
        ..Options::default()
    };
    Sandbox::start_with(scenario(json!({})), "127.0.0.1:0".parse().unwrap(), options).await
}

/// A plain TCP forwarder standing in for the proxy: every connection to `listener` is
/// relayed to `to`.
fn forward(listener: TcpListener, to: SocketAddr) {
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

#[tokio::test]
async fn connect_uri_is_built_on_the_public_url() {
    for (public, base) in [
        ("https://10.88.0.1:18443", "wss://10.88.0.1:18443"),
        ("https://sandbox.example/", "wss://sandbox.example"),
        ("HTTP://localhost:9000", "ws://localhost:9000"),
    ] {
        let sb = start_public(public).await.unwrap();
        let t = token(&sb).await;
        let channel = create_channel(&sb, &t).await;
        let id = channel["id"].as_str().unwrap();
        assert_eq!(
            channel["connectUri"],
            format!("{base}/channels/{id}"),
            "{public}"
        );
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn without_a_public_url_the_socket_is_on_the_listening_address() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let id = channel["id"].as_str().unwrap();
    assert_eq!(
        channel["connectUri"],
        format!("ws://{}/channels/{id}", sb.addr())
    );
}

#[tokio::test]
async fn a_public_url_that_cannot_take_a_channel_path_is_refused() {
    for bad in [
        "ftp://host:21",
        "host:18443",
        "https://",
        "https://host:18443/api",
        "https://host:18443?x=1",
        "https://user@host:18443",
    ] {
        let err = start_public(bad).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().contains(bad), "{bad}: {err}");
    }
}

#[tokio::test]
async fn flow_events_arrive_through_the_proxy_the_connect_uri_names() {
    // The proxy listens first, so its port can be given to the sandbox.
    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let sb = start_public(&format!("http://{proxy_addr}")).await.unwrap();
    forward(proxy, sb.addr());
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let id = channel["id"].as_str().unwrap();
    let connect_uri = channel["connectUri"].as_str().unwrap();
    assert_eq!(connect_uri, format!("ws://{proxy_addr}/channels/{id}"));
    let mut ws = connect(connect_uri).await;
    let resp = subscribe(&sb, &t, id, &[FLOW], false).await;
    assert_eq!(resp.status(), 200);
    publish(&sb, &t, FLOW, "2.0").await;
    for expected in SUCCESS_ORDER {
        let event = next_event(&mut ws).await;
        assert_eq!(status(&event), expected);
    }
}

#[test]
fn the_binary_refuses_a_bad_public_url_as_a_usage_error() {
    let status = Command::new(env!("CARGO_BIN_EXE_genesys-sandbox"))
        .args(["--port", "0", "--public-url", "https://host/path"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
