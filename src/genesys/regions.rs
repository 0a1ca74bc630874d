//! The Genesys Cloud regions: AWS-style names and the API/login hosts behind them.
//!
//! Source: genesys-api.md §3 (GO-SDK region consts, PY-SDK region hosts, the CX as Code
//! provider's region map). The login host follows the SDK rule `api.` → `login.`.

/// One Genesys Cloud region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// AWS-style name, e.g. `eu-west-1`.
    pub name: &'static str,
    /// The domain every host of the region hangs off, e.g. `mypurecloud.ie`.
    pub domain: &'static str,
}

impl Region {
    /// `https://api.<domain>`.
    pub fn api_base(&self) -> String {
        format!("https://api.{}", self.domain)
    }

    /// `https://login.<domain>`: the OAuth token host is not the API host.
    pub fn login_base(&self) -> String {
        format!("https://login.{}", self.domain)
    }
}

/// The bot in Architect: for people, and for a GitHub environment's URL. The web app is
/// `apps.<domain>` beside `api.<domain>`; another API host (a proxy, the sandbox) is used as
/// it is. GUESS: the route of a bot flow, `#/bot/<id>/latest` and `#/digitalbot/<id>/latest`,
/// follows the inbound call flows' `#/call/inboundcall/<id>/latest` that public scripts
/// print; Genesys documents neither.
pub fn architect_url(api: &url::Url, digital: bool, flow_id: &str) -> String {
    let host = api.host_str().unwrap_or_default();
    let base = match host.strip_prefix("api.") {
        Some(domain) => format!("https://apps.{domain}"),
        None => api.as_str().trim_end_matches('/').to_string(),
    };
    let kind = if digital { "digitalbot" } else { "bot" };
    format!("{base}/architect/#/{kind}/{flow_id}/latest")
}

/// Every region the Action knows, in the reference table's order.
pub const REGIONS: [Region; 18] = [
    Region {
        name: "us-east-1",
        domain: "mypurecloud.com",
    },
    Region {
        name: "us-east-2",
        domain: "use2.us-gov-pure.cloud",
    },
    Region {
        name: "us-west-2",
        domain: "usw2.pure.cloud",
    },
    Region {
        name: "ca-central-1",
        domain: "cac1.pure.cloud",
    },
    Region {
        name: "sa-east-1",
        domain: "sae1.pure.cloud",
    },
    Region {
        name: "mx-central-1",
        domain: "mxc1.pure.cloud",
    },
    Region {
        name: "eu-west-1",
        domain: "mypurecloud.ie",
    },
    Region {
        name: "eu-west-2",
        domain: "euw2.pure.cloud",
    },
    Region {
        name: "eu-central-1",
        domain: "mypurecloud.de",
    },
    Region {
        name: "eu-central-2",
        domain: "euc2.pure.cloud",
    },
    Region {
        name: "me-central-1",
        domain: "mec1.pure.cloud",
    },
    Region {
        name: "ap-south-1",
        domain: "aps1.pure.cloud",
    },
    Region {
        name: "ap-southeast-1",
        domain: "apse1.pure.cloud",
    },
    Region {
        name: "ap-southeast-2",
        domain: "mypurecloud.com.au",
    },
    Region {
        name: "ap-northeast-1",
        domain: "mypurecloud.jp",
    },
    Region {
        name: "ap-northeast-2",
        domain: "apne2.pure.cloud",
    },
    Region {
        name: "ap-northeast-3",
        domain: "apne3.pure.cloud",
    },
    Region {
        name: "eusc-de-east-1",
        domain: "edee1.eusc-pure.cloud",
    },
];

/// Finds a region by AWS-style name or by domain, case-insensitively.
///
/// Users copy the domain from their browser's address bar, so `api.mypurecloud.ie`,
/// `login.mypurecloud.ie` and `https://apps.mypurecloud.ie/` are accepted too.
pub fn find_region(given: &str) -> Option<Region> {
    let wanted = normalise(given);
    REGIONS
        .iter()
        .copied()
        .find(|r| r.name == wanted || r.domain == wanted)
}

fn normalise(given: &str) -> String {
    let lower = given.trim().to_ascii_lowercase();
    let no_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host = no_scheme.trim_end_matches('/');
    ["api.", "login.", "apps."]
        .iter()
        .find_map(|prefix| host.strip_prefix(prefix))
        .unwrap_or(host)
        .to_string()
}

/// The accepted values, for error messages.
pub fn allowed_regions() -> String {
    REGIONS
        .iter()
        .map(|r| format!("{} ({})", r.domain, r.name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_architect_link_is_on_the_apps_host() {
        let api = |u: &str| url::Url::parse(u).expect("url");
        assert_eq!(
            architect_url(&api("https://api.mypurecloud.ie"), true, "b1"),
            "https://apps.mypurecloud.ie/architect/#/digitalbot/b1/latest"
        );
        assert_eq!(
            architect_url(&api("https://api.usw2.pure.cloud/"), false, "b2"),
            "https://apps.usw2.pure.cloud/architect/#/bot/b2/latest"
        );
        assert_eq!(
            architect_url(&api("http://127.0.0.1:8080"), true, "b3"),
            "http://127.0.0.1:8080/architect/#/digitalbot/b3/latest"
        );
    }

    #[test]
    fn finds_every_region_by_name_and_by_domain() {
        for region in REGIONS {
            assert_eq!(find_region(region.name), Some(region));
            assert_eq!(find_region(region.domain), Some(region));
        }
    }

    #[test]
    fn accepts_host_names_and_urls_users_paste() {
        let ie = find_region("eu-west-1");
        assert_eq!(find_region("api.mypurecloud.ie"), ie);
        assert_eq!(find_region("login.mypurecloud.ie"), ie);
        assert_eq!(find_region("https://apps.mypurecloud.ie/"), ie);
        assert_eq!(find_region("  EU-WEST-1 "), ie);
    }

    #[test]
    fn derives_api_and_login_hosts() {
        let region = find_region("ap-southeast-2").expect("known region");
        assert_eq!(region.api_base(), "https://api.mypurecloud.com.au");
        assert_eq!(region.login_base(), "https://login.mypurecloud.com.au");
    }

    #[test]
    fn rejects_unknown_regions() {
        assert_eq!(find_region("mars-north-1"), None);
        assert_eq!(find_region("purecloud.com"), None);
        assert_eq!(find_region(""), None);
    }

    #[test]
    fn all_names_and_domains_are_distinct() {
        for (i, a) in REGIONS.iter().enumerate() {
            for b in &REGIONS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.domain, b.domain);
            }
        }
    }
}
