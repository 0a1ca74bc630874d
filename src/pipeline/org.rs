//! Which org the token acts in (SPEC rule 14): read right after the token, before anything
//! else, and compared with `expected-org` when given — deploying to the wrong org is the
//! worst mistake a pipeline can make. The org and the OAuth client are reported either way.

use super::report::{Failure, OrgIdentity};
use super::{Deployment, Step, Verdict};
use crate::audit::{Entry, Event};
use crate::config::ExpectedOrg;
use crate::genesys::ApiError;
use serde_json::json;

/// Whether the org read matches the expected one: by id, or by short name without regard
/// to case.
pub(crate) fn org_matches(expected: &ExpectedOrg, org: &OrgIdentity) -> bool {
    match expected {
        ExpectedOrg::Id(id) => org.id.eq_ignore_ascii_case(id),
        ExpectedOrg::ShortName(name) => org
            .short_name
            .as_deref()
            .is_some_and(|short| short.eq_ignore_ascii_case(name)),
    }
}

impl Deployment<'_> {
    /// Reads the token's org and client (`tokens/me`, plus `organizations/me` when the
    /// expected org is given by short name) and stops the run on a mismatch. Without
    /// `expected-org`, an unreadable org is a warning: the run can go on without knowing.
    pub(super) async fn check_org(&mut self) -> Step<()> {
        let expected = self.config.expected_org.clone();
        let org = match self.read_org(expected.as_ref()).await {
            Ok(org) => org,
            Err(error) => {
                return match expected {
                    Some(expected) => Err(self.fail_before_publish(Failure::from_api(
                        "Cannot verify the org",
                        &format!(
                            "expected-org is {expected}, but the token's org could not be read"
                        ),
                        &error,
                        "Retry the workflow; nothing was sent to the bot.",
                    ))),
                    None => {
                        self.warn(
                            "Org not read",
                            &format!("the token's org could not be read ({error}); set expected-org to require it"),
                        );
                        Ok(())
                    }
                };
            }
        };
        self.facts.org = Some(org.clone());
        let client = self
            .facts
            .oauth_client
            .as_ref()
            .and_then(|c| c.name.clone())
            .map(|name| format!(" as {name}"))
            .unwrap_or_default();
        let signed_in = format!("✔ Signed in to {}{client}", describe(&org));
        let expected = match expected {
            None => {
                self.ctx.console.line(&signed_in);
                return Ok(());
            }
            Some(expected) if org_matches(&expected, &org) => {
                self.ctx
                    .console
                    .line(&format!("{signed_in}: the expected org"));
                return Ok(());
            }
            Some(expected) => expected,
        };
        let found = describe(&org);
        self.audit.record(Entry {
            details: Some(json!({
                "reason": "wrong org",
                "expected_org": expected.to_string(),
                "org": org,
                "published": false,
            })),
            ..Entry::new(Event::DeploymentFailed, "failed")
        });
        Err(Verdict::failed_before_publish(Failure {
            title: "Wrong Genesys Cloud org".into(),
            message: format!(
                "the OAuth client's token belongs to {found}, but expected-org is {expected}; nothing was sent to the bot"
            ),
            next_step: "Check this environment's client-id and client-secret secrets and region: they belong to another org.".into(),
            ..Failure::default()
        }))
    }

    async fn read_org(&mut self, expected: Option<&ExpectedOrg>) -> Result<OrgIdentity, ApiError> {
        let token = self.client.token_info().await?.body;
        self.facts.oauth_client = token.oauth_client;
        let from_token = token.organization.unwrap_or_default();
        let mut org = OrgIdentity {
            id: from_token.id.unwrap_or_default(),
            name: from_token.name,
            short_name: None,
        };
        // Only the organization itself knows its short name.
        if matches!(expected, Some(ExpectedOrg::ShortName(_))) || org.id.is_empty() {
            let full = self.client.organization().await?.body;
            org = OrgIdentity {
                id: full.id,
                name: full.name.or(org.name),
                short_name: full.third_party_org_name,
            };
        }
        Ok(org)
    }
}

/// `org Acme (id 1234…, short name acme)`.
fn describe(org: &OrgIdentity) -> String {
    let mut parts = vec![format!("id {}", org.id)];
    if let Some(short) = &org.short_name {
        parts.push(format!("short name {short}"));
    }
    format!(
        "org {} ({})",
        org.name.as_deref().unwrap_or("(no name)"),
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_org_matches_by_id_or_short_name() {
        let org = OrgIdentity {
            id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
            name: Some("Acme".into()),
            short_name: Some("acme-prod".into()),
        };
        let unnamed = OrgIdentity {
            short_name: None,
            ..org.clone()
        };
        let id = |s: &str| ExpectedOrg::Id(s.into());
        let short = |s: &str| ExpectedOrg::ShortName(s.into());
        let cases = [
            (id("3fa85f64-5717-4562-b3fc-2c963f66afa6"), &org, true),
            (id("3FA85F64-5717-4562-B3FC-2C963F66AFA6"), &org, true),
            (id("00000000-5717-4562-b3fc-2c963f66afa6"), &org, false),
            (short("acme-prod"), &org, true),
            (short("ACME-PROD"), &org, true),
            (short("acme-test"), &org, false),
            (short("acme-prod"), &unnamed, false),
        ];
        for (expected, org, matches) in cases {
            assert_eq!(
                org_matches(&expected, org),
                matches,
                "{expected} vs {org:?}"
            );
        }
        assert_eq!(
            describe(&org),
            "org Acme (id 3fa85f64-5717-4562-b3fc-2c963f66afa6, short name acme-prod)"
        );
    }
}
