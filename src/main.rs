//! The Action's entry point: inputs → run → exit code. Everything else lives in the library.

use genesys_bot_deploy::config::{Config, RawInputs};
use genesys_bot_deploy::github::Console;
use genesys_bot_deploy::pipeline::{self, RunContext};
use genesys_bot_deploy::redact::Redactor;
use genesys_bot_deploy::{shutdown, telemetry};
use std::process::ExitCode;

fn main() -> ExitCode {
    let redactor = Redactor::new();
    telemetry::init(redactor.clone());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("::error title=Cannot start::cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async {
        let console = Console::stdout(redactor);
        let ctx = RunContext::from_env(console, shutdown::on_signal());
        let report = match Config::from_env() {
            Ok(config) => pipeline::run(&config, &ctx).await,
            Err(errors) => {
                // Name the bot in the audit line when that input at least was valid.
                let raw = RawInputs::from_env_iter(std::env::vars()).unwrap_or_default();
                let bot = raw
                    .bot_id
                    .as_deref()
                    .and_then(|b| genesys_bot_deploy::config::parse::uuid(b).ok());
                let env = raw
                    .environment
                    .filter(|e| !e.trim().is_empty())
                    .unwrap_or_else(|| "production".into());
                pipeline::reject_inputs(&errors, bot.as_deref().unwrap_or(""), &env, &ctx)
            }
        };
        report.exit_code()
    });
    ExitCode::from(code)
}
