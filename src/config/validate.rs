//! Validation of all inputs at once: each check records its error and carries on, so a
//! user sees every bad input in one run.

use super::parse;
use super::{Endpoints, InputError, default_of};
use crate::genesys::regions;
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// Collects every input error instead of stopping at the first.
#[derive(Default)]
pub(super) struct Validator {
    pub(super) errors: Vec<InputError>,
    /// Accepted inputs worth a warning: (title, message).
    pub(super) warnings: Vec<(String, String)>,
}

fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl Validator {
    fn check<T>(
        &mut self,
        input: &'static str,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        parse(value)
            .map_err(|allowed| self.errors.push(InputError::new(input, value, allowed)))
            .ok()
    }

    pub(super) fn required<T>(
        &mut self,
        input: &'static str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match present(value) {
            Some(v) => self.check(input, &v, parse),
            None => {
                self.errors.push(InputError::missing(input));
                None
            }
        }
    }

    /// `None` when unset, or when invalid (the error is recorded).
    pub(super) fn optional<T>(
        &mut self,
        input: &'static str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = present(value)?;
        self.check(input, &v, parse)
    }

    pub(super) fn with_default<T>(
        &mut self,
        input: &'static str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = present(value).or_else(|| default_of(input).map(str::to_string))?;
        self.check(input, &value, parse)
    }

    /// The client secret, without the whitespace a copy and paste often adds (the token
    /// request would be refused with it); trimming is worth a warning, never its value.
    pub(super) fn secret(&mut self, value: Option<String>) -> Option<SecretString> {
        let Some(value) = present(value) else {
            self.errors.push(InputError::missing("client-secret"));
            return None;
        };
        let trimmed = value.trim();
        if trimmed.len() != value.len() {
            self.warnings.push((
                "client-secret has surrounding whitespace".into(),
                "the secret's leading or trailing spaces or newlines were removed before use; store the secret without them".into(),
            ));
        }
        Some(SecretString::from(trimmed.to_string()))
    }

    /// The ids of a list input; empty when unset or invalid (each bad entry is recorded).
    pub(super) fn id_list(&mut self, input: &'static str, value: Option<String>) -> Vec<String> {
        let Some(value) = present(value) else {
            return Vec::new();
        };
        match parse::uuid_list(&value) {
            Ok(ids) => ids,
            Err(bad) => {
                for (entry, allowed) in bad {
                    self.errors.push(InputError::new(input, &entry, allowed));
                }
                Vec::new()
            }
        }
    }

    /// `poll-interval-seconds` may not exceed `poll-max-interval-seconds`.
    pub(super) fn first_poll_at_most_largest(
        &mut self,
        first: Option<Duration>,
        largest: Option<Duration>,
    ) {
        if let (Some(first), Some(largest)) = (first, largest)
            && first > largest
        {
            self.errors.push(InputError::new(
                "poll-interval-seconds",
                &format!("{}", first.as_secs_f64()),
                format!(
                    "at most poll-max-interval-seconds ({})",
                    largest.as_secs_f64()
                ),
            ));
        }
    }

    /// `flow-file` makes the version it deploys, so it excludes `target-version`; and
    /// `substitutions` and `accept-drift` only mean something with a flow file.
    pub(super) fn flow_file_excludes_versions(
        &mut self,
        flow_file: bool,
        (target_version, previous_version): (Option<&str>, Option<&str>),
        substitutions: Option<&str>,
        accept_drift: Option<bool>,
    ) {
        if flow_file && let Some(target) = target_version {
            self.errors.push(InputError::new(
                "target-version",
                target,
                "no value when flow-file is given: the import of the flow file makes the version to publish",
            ));
        }
        if flow_file && let Some(previous) = previous_version {
            self.errors.push(InputError::new(
                "previous-version",
                previous,
                "no value when flow-file is given: a rollback imports the backup of the version live before the run",
            ));
        }
        if !flow_file && let Some(substitutions) = substitutions {
            self.errors.push(InputError::new(
                "substitutions",
                substitutions,
                "no value without flow-file: substitutions fill the flow file's {{key}} placeholders",
            ));
        }
        if !flow_file && accept_drift == Some(true) {
            self.errors.push(InputError::new(
                "accept-drift",
                "true",
                "false without flow-file: drift is judged against the flow file's releases",
            ));
        }
    }

    pub(super) fn endpoints(
        &mut self,
        region: Option<String>,
        api_url: Option<String>,
        login_url: Option<String>,
    ) -> Option<Endpoints> {
        let region = self.with_default("region", region, |s| {
            regions::find_region(s)
                .ok_or_else(|| format!("a region domain or name: {}", regions::allowed_regions()))
        });
        let api_given = api_url.as_deref().is_some_and(|v| !v.trim().is_empty());
        let login_given = login_url.as_deref().is_some_and(|v| !v.trim().is_empty());
        let api = self.optional("api-url", api_url, parse::base_url);
        let login = self.optional("login-url", login_url, parse::base_url);
        if (api_given && api.is_none()) || (login_given && login.is_none()) {
            return None;
        }
        let region = region?;
        let api = api.unwrap_or_else(|| parse_known(&region.api_base()));
        // A proxy given as `https://api.example` implies `https://login.example`, as the
        // SDKs derive it; otherwise the region's login host stays in charge.
        let login = login.unwrap_or_else(|| match api.host_str() {
            Some(host) if api_given && host.starts_with("api.") => {
                let mut login = api.clone();
                let _ = login.set_host(Some(&format!("login.{}", &host[4..])));
                login
            }
            _ => parse_known(&region.login_base()),
        });
        let derived = !api_given;
        Some(Endpoints {
            api,
            login,
            region: derived.then_some(region),
        })
    }
}

fn parse_known(url: &str) -> Url {
    // The region table only holds valid hosts; a unit test walks all of them.
    Url::parse(url).unwrap_or_else(|_| unreachable!("region table holds valid URLs: {url}"))
}
