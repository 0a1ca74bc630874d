//! Choosing how to wait: open the flow's notification socket when `wait-mode` asks for
//! push, and fall back to polling — with a warning that says why — when it cannot be had.

use super::Deployment;
use super::bounds::{Bounds, Raced};
use super::rules::wait::safety_net_interval;
use crate::config::WaitMode;
use crate::genesys::error::with_causes;
use crate::genesys::notifications::{PushError, silence_limit};

impl Deployment<'_> {
    /// Opens push for the bot's flow unless `wait-mode: poll`. Never fails the run: push is
    /// an optimisation, polling is always there.
    pub(super) async fn open_push(&mut self) {
        // Already open (an import opened it, and the version it checked in is published
        // now): one channel per run.
        if self.push.is_some() {
            return;
        }
        if self.config.wait_mode == WaitMode::Poll {
            self.facts.wait_channel = Some("poll (wait-mode: poll)".into());
            return;
        }
        let opening = self.client.open_flow_events(
            &self.config.bot_id,
            silence_limit(self.config.poll_max_interval),
        );
        // A cancellation here is seen by the publish step that follows.
        let Raced::Done(opened) = Bounds::cancel_only(&self.ctx.cancel).race(opening).await else {
            return;
        };
        match opened {
            Ok(events) => {
                self.push = Some(events);
                let mode = match self.config.wait_mode {
                    WaitMode::Push => "push".to_string(),
                    _ => format!(
                        "push with a safety-net read every {} s",
                        safety_net_interval(self.config.poll_max_interval).as_secs_f64()
                    ),
                };
                self.facts.wait_channel = Some(mode);
            }
            Err(error) => {
                let hint = match &error {
                    PushError::Rejected {
                        missing_permissions,
                        ..
                    } if !missing_permissions.is_empty() => format!(
                        " Give the OAuth client's role {} to wait by push.",
                        missing_permissions.join(", ")
                    ),
                    _ => String::new(),
                };
                self.warn(
                    "Push notifications unavailable",
                    &format!("{}; waiting by polling instead.{hint}", with_causes(&error)),
                );
                self.facts.wait_channel =
                    Some(format!("poll (push unavailable: {})", with_causes(&error)));
            }
        }
    }
}
