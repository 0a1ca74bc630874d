//! The Action's entry point: inputs → run → exit code. Everything else lives in the library.

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
            println!("::error title=Cannot start::cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async {
        let ctx = RunContext::from_env(Console::stdout(redactor), shutdown::on_signal());
        pipeline::run_inputs(std::env::vars(), &ctx)
            .await
            .exit_code()
    });
    ExitCode::from(code)
}
