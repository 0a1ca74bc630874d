//! The `genesys-sandbox` binary: prints its URLs, serves, exits 0 on SIGTERM.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_urls_serves_and_stops_on_sigterm() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scenario.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_genesys-sandbox"))
        .args(["--scenario", fixture, "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let api = lines.next().unwrap().unwrap();
    let login = lines.next().unwrap().unwrap();
    let api = api.strip_prefix("api-url=").unwrap().to_owned();
    assert!(api.starts_with("http://127.0.0.1:"), "{api}");
    assert_eq!(login.strip_prefix("login-url=").unwrap(), api);

    let resp = reqwest::Client::new()
        .post(format!("{login}/oauth/token", login = api))
        .basic_auth("fixture-client", Some("fixture-secret"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The shell's builtin `kill` works even where no kill binary is installed.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_scenario_exits_2() {
    let status = Command::new(env!("CARGO_BIN_EXE_genesys-sandbox"))
        .args(["--scenario", "/nonexistent/scenario.json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
