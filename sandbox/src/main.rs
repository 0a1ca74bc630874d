//! `genesys-sandbox [--scenario FILE] [--port N] [--host 127.0.0.1] [--public-url URL]`: serves
//! the sandbox until SIGINT/SIGTERM and prints the URLs to give the Action as `api-url` and
//! `login-url`.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use genesys_sandbox::{Options, Sandbox, Scenario};

const USAGE: &str =
    "usage: genesys-sandbox [--scenario FILE.json|FILE.toml] [--port N] [--host ADDR] [--public-url URL]
  --scenario  scenario file (default: the built-in demo scenario)
  --port      port to listen on (default 0: any free port)
  --host      loopback address to bind (default 127.0.0.1)
  --public-url  https://host:port of a TLS proxy in front of the sandbox: notification
              channels then answer connectUri wss://host:port/channels/<id>
  --print-default-scenario  print the built-in scenario as JSON and exit";

struct Args {
    scenario: Option<PathBuf>,
    port: u16,
    host: IpAddr,
    public_url: Option<String>,
    print_default: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        scenario: None,
        port: 0,
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        public_url: None,
        print_default: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--scenario" => args.scenario = Some(PathBuf::from(value("--scenario")?)),
            "--port" => {
                let v = value("--port")?;
                args.port = v
                    .parse()
                    .map_err(|_| format!("--port: {v:?} is not a port"))?;
            }
            "--host" => {
                let v = value("--host")?;
                args.host = v
                    .parse()
                    .map_err(|_| format!("--host: {v:?} is not an IP address"))?;
            }
            "--public-url" => args.public_url = Some(value("--public-url")?),
            "--print-default-scenario" => args.print_default = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    // The sandbox simulates a cloud API with no credentials of its own: never expose it.
    if !args.host.is_loopback() {
        return Err(format!("--host {} is not a loopback address", args.host));
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("genesys-sandbox: {msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    if args.print_default {
        return match serde_json::to_string_pretty(&Scenario::default()) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("genesys-sandbox: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let scenario = match &args.scenario {
        Some(path) => match Scenario::from_path(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("genesys-sandbox: {e}");
                return ExitCode::from(2);
            }
        },
        None => Scenario::default(),
    };
    let addr = SocketAddr::new(args.host, args.port);
    let options = Options {
        log_requests: true,
        public_url: args.public_url.clone(),
    };
    let sandbox = match Sandbox::start_with(scenario, addr, options).await {
        Ok(s) => s,
        // A bad --public-url is a usage error, like a bad scenario.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("genesys-sandbox: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("genesys-sandbox: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts wait for these lines, so flush them at once.
    let mut out = std::io::stdout().lock();
    let printed = writeln!(out, "api-url={}", sandbox.api_url())
        .and_then(|()| writeln!(out, "login-url={}", sandbox.login_url()))
        .and_then(|()| out.flush());
    drop(out);
    if let Err(e) = printed {
        eprintln!("genesys-sandbox: cannot write to stdout: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "genesys-sandbox: listening on {} (scenario: {}); Ctrl-C to stop",
        sandbox.base_url(),
        args.scenario
            .as_ref()
            .map_or("built-in demo".into(), |p| p.display().to_string())
    );
    wait_for_signal().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
