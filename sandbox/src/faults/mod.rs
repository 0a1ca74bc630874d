//! Fault injection: which request gets which fault.
//!
//! Every fault counts the requests its route matches (1-based, in arrival order) whether or not
//! it fires, so "the 3rd matching request" means the same thing in every run. A fault fires when
//! all the trigger conditions it sets hold; one that sets none fires on every matching request.
//! `slow` faults add up and then let the request go on; of the others, the first one in scenario
//! order that fires answers the request.

use serde::{Deserialize, Serialize};

/// One injected fault: an optional route, a trigger and what happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// `"METHOD /path/pattern"` (or just the pattern, any method); `*` matches one path
    /// segment, a trailing `**` any rest. Absent: every route, `/oauth/token` included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// When the fault fires.
    #[serde(flatten)]
    pub when: Trigger,
    /// What the fault does.
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// Conditions on the n-th matching request; all that are set must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trigger {
    /// Fires when n is a multiple of this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_nth: Option<u64>,
    /// First n that may fire (1-based; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_nth: Option<u64>,
    /// How many requests from `after_nth` on may fire (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "first")]
    pub count: Option<u64>,
    /// Fires only for requests arriving at or after this time since the sandbox started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start_ms: Option<u64>,
    /// Fires only for requests arriving before this time since the sandbox started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_end_ms: Option<u64>,
    /// Fires with this probability (0..=1), drawn from a generator seeded with `seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed for `probability` (default 0), so runs repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// What a fault does to the request it fires on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with `Retry-After` and the platform's 429 body.
    RateLimit {
        /// Seconds announced in `Retry-After` and the message.
        #[serde(default = "default_retry_after")]
        retry_after_secs: u64,
    },
    /// A 5xx error envelope.
    ServerError {
        /// 500..=599 (default 503).
        #[serde(default = "default_server_status")]
        status: u16,
        /// Run the request first (state changes happen), then answer the error: the ambiguous
        /// failure a publish must not be blindly retried after.
        #[serde(default)]
        after_handler: bool,
    },
    /// Delays the request, which then goes on as usual.
    Slow {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Closes the TCP connection without a response.
    DropConnection {
        /// Run the request first (state changes happen), then drop.
        #[serde(default)]
        after_handler: bool,
    },
    /// Answers with the real status but a truncated JSON body.
    MalformedJson,
    /// Expires the presented bearer token and answers 401, as if it had run out.
    ExpireToken,
    /// 403 with the platform's missing-permission envelope, as for a client whose role
    /// lacks a permission.
    Forbidden {
        /// The permission the message names.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        permission: Option<String>,
    },
}

fn default_retry_after() -> u64 {
    1
}

fn default_server_status() -> u16 {
    503
}

impl FaultKind {
    /// Short name recorded in the request log.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::RateLimit { .. } => "rate_limit",
            FaultKind::ServerError { .. } => "server_error",
            FaultKind::Slow { .. } => "slow",
            FaultKind::DropConnection { .. } => "drop_connection",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::ExpireToken => "expire_token",
            FaultKind::Forbidden { .. } => "forbidden",
        }
    }
}

impl FaultSpec {
    /// Checks the route pattern and the ranges of the numbers.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(route) = &self.route {
            RouteMatcher::parse(route)?;
        }
        let w = &self.when;
        if w.every_nth == Some(0) || w.after_nth == Some(0) {
            return Err("every_nth and after_nth start at 1".to_owned());
        }
        if let Some(p) = w.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("probability {p} is not within 0..=1"));
        }
        if let (Some(start), Some(end)) = (w.window_start_ms, w.window_end_ms)
            && start >= end
        {
            return Err("window_start_ms must be before window_end_ms".to_owned());
        }
        if let FaultKind::ServerError { status, .. } = self.kind
            && !(500..=599).contains(&status)
        {
            return Err(format!("server_error status {status} is not 5xx"));
        }
        Ok(())
    }
}

/// A parsed `route` pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteMatcher {
    method: Option<String>,
    segments: Vec<String>,
    rest: bool,
}

impl RouteMatcher {
    /// Parses `"GET /api/v2/flows/*"`, `"/api/v2/**"` or `"* /oauth/token"`.
    pub fn parse(route: &str) -> Result<RouteMatcher, String> {
        let mut parts = route.split_whitespace();
        let (method, pattern) = match (parts.next(), parts.next(), parts.next()) {
            (Some(p), None, None) => (None, p),
            (Some(m), Some(p), None) => ((m != "*").then(|| m.to_ascii_uppercase()), p),
            _ => return Err(format!("route {route:?} is not \"METHOD /path\"")),
        };
        if !pattern.starts_with('/') {
            return Err(format!("route {route:?}: the path must start with /"));
        }
        let mut segments: Vec<String> = split_path(pattern).map(str::to_owned).collect();
        let rest = segments.last().is_some_and(|s| s == "**");
        if rest {
            segments.pop();
        }
        if segments.iter().any(|s| s == "**") {
            return Err(format!("route {route:?}: ** may only end the pattern"));
        }
        Ok(RouteMatcher {
            method,
            segments,
            rest,
        })
    }

    /// Whether a request matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        let actual: Vec<&str> = split_path(path).collect();
        if actual.len() < self.segments.len() || (!self.rest && actual.len() != self.segments.len())
        {
            return false;
        }
        self.segments
            .iter()
            .zip(&actual)
            .all(|(want, got)| want == "*" || want == got)
    }
}

fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// What the request path should do after the faults were consulted.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Total delay of the `slow` faults that fired.
    pub delay_ms: u64,
    /// The answering fault, if one fired.
    pub action: Option<FaultKind>,
    /// Names of the faults that fired, joined with `+` (for the request log).
    pub label: Option<String>,
}

/// A fault with its counters.
#[derive(Debug)]
pub(crate) struct FaultState {
    spec: FaultSpec,
    matcher: Option<RouteMatcher>,
    seen: u64,
    rng: fastrand::Rng,
}

impl FaultState {
    /// Builds the runtime state; the spec must have passed `validate`.
    pub(crate) fn new(spec: FaultSpec) -> Result<FaultState, String> {
        let matcher = spec.route.as_deref().map(RouteMatcher::parse).transpose()?;
        let rng = fastrand::Rng::with_seed(spec.when.seed.unwrap_or(0));
        Ok(FaultState {
            spec,
            matcher,
            seen: 0,
            rng,
        })
    }

    /// Counts the request if the route matches and says whether the fault fires on it.
    fn observe(&mut self, method: &str, path: &str, at_ms: u64) -> bool {
        if self
            .matcher
            .as_ref()
            .is_some_and(|m| !m.matches(method, path))
        {
            return false;
        }
        self.seen += 1;
        let n = self.seen;
        let w = &self.spec.when;
        // Draw even when another condition fails so the sequence depends only on n.
        let draw = w.probability.map(|p| self.rng.f64() < p);
        let after = w.after_nth.unwrap_or(1);
        w.every_nth.is_none_or(|k| n.is_multiple_of(k))
            && n >= after
            && w.count.is_none_or(|c| n < after.saturating_add(c))
            && w.window_start_ms.is_none_or(|s| at_ms >= s)
            && w.window_end_ms.is_none_or(|e| at_ms < e)
            && draw.unwrap_or(true)
    }
}

/// Consults every fault for one request, in scenario order.
pub(crate) fn decide(faults: &mut [FaultState], method: &str, path: &str, at_ms: u64) -> Decision {
    let mut decision = Decision {
        delay_ms: 0,
        action: None,
        label: None,
    };
    let mut names: Vec<&'static str> = Vec::new();
    for fault in faults.iter_mut() {
        if !fault.observe(method, path, at_ms) {
            continue;
        }
        match &fault.spec.kind {
            FaultKind::Slow { delay_ms } => {
                decision.delay_ms = decision.delay_ms.saturating_add(*delay_ms);
                names.push("slow");
            }
            kind if decision.action.is_none() => {
                decision.action = Some(kind.clone());
                names.push(kind.name());
            }
            _ => {}
        }
    }
    if !names.is_empty() {
        decision.label = Some(names.join("+"));
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(json: &str) -> FaultState {
        let spec: FaultSpec = serde_json::from_str(json).expect("fault parses");
        spec.validate().expect("fault is valid");
        FaultState::new(spec).expect("fault builds")
    }

    fn fired(f: &mut FaultState, n: usize) -> Vec<bool> {
        (0..n)
            .map(|_| f.observe("GET", "/api/v2/flows/x", 0))
            .collect()
    }

    #[test]
    fn route_patterns() {
        let m = RouteMatcher::parse("GET /api/v2/flows/*").expect("parses");
        assert!(m.matches("GET", "/api/v2/flows/abc"));
        assert!(m.matches("get", "/api/v2/flows/abc/"));
        assert!(!m.matches("POST", "/api/v2/flows/abc"));
        assert!(!m.matches("GET", "/api/v2/flows"));
        assert!(!m.matches("GET", "/api/v2/flows/actions/publish"));
        let any = RouteMatcher::parse("/api/v2/**").expect("parses");
        assert!(any.matches("POST", "/api/v2/flows/actions/publish"));
        assert!(!any.matches("POST", "/oauth/token"));
        assert!(RouteMatcher::parse("GET api").is_err());
        assert!(RouteMatcher::parse("GET /a/**/b").is_err());
    }

    #[test]
    fn every_nth_and_bursts_count_matching_requests() {
        let mut f = fault(r#"{"kind": "rate_limit", "every_nth": 3}"#);
        assert_eq!(fired(&mut f, 6), [false, false, true, false, false, true]);
        let mut f = fault(r#"{"kind": "server_error", "status": 502, "count": 2, "after_nth": 2}"#);
        assert_eq!(fired(&mut f, 5), [false, true, true, false, false]);
        let mut f = fault(r#"{"kind": "slow", "delay_ms": 5, "first": 1}"#);
        assert_eq!(fired(&mut f, 3), [true, false, false]);
        // Requests on other routes are not counted.
        let mut f = fault(r#"{"kind": "malformed_json", "route": "POST /x", "after_nth": 2}"#);
        assert!(!f.observe("GET", "/api/v2/flows/x", 0));
        assert!(!f.observe("POST", "/x", 0));
        assert!(f.observe("POST", "/x", 0));
    }

    #[test]
    fn windows_and_seeded_probability() {
        let mut f = fault(r#"{"kind": "rate_limit", "window_start_ms": 10, "window_end_ms": 20}"#);
        assert!(!f.observe("GET", "/", 9));
        assert!(f.observe("GET", "/", 10));
        assert!(!f.observe("GET", "/", 20));
        let json = r#"{"kind": "rate_limit", "probability": 0.5, "seed": 42}"#;
        let (mut a, mut b) = (fault(json), fault(json));
        let (ra, rb) = (fired(&mut a, 64), fired(&mut b, 64));
        assert_eq!(ra, rb);
        assert!(ra.iter().any(|x| *x) && ra.iter().any(|x| !*x));
    }

    #[test]
    fn slow_adds_up_and_first_answering_fault_wins() {
        let mut faults = vec![
            fault(r#"{"kind": "slow", "delay_ms": 5}"#),
            fault(r#"{"kind": "slow", "delay_ms": 7}"#),
            fault(r#"{"kind": "server_error", "status": 500}"#),
            fault(r#"{"kind": "rate_limit", "retry_after_secs": 0}"#),
        ];
        let d = decide(&mut faults, "GET", "/", 0);
        assert_eq!(d.delay_ms, 12);
        assert_eq!(
            d.action,
            Some(FaultKind::ServerError {
                status: 500,
                after_handler: false
            })
        );
        assert_eq!(d.label.as_deref(), Some("slow+slow+server_error"));
    }

    #[test]
    fn invalid_faults_are_rejected() {
        for json in [
            r#"{"kind": "server_error", "status": 404}"#,
            r#"{"kind": "rate_limit", "probability": 2}"#,
            r#"{"kind": "rate_limit", "every_nth": 0}"#,
            r#"{"kind": "rate_limit", "window_start_ms": 5, "window_end_ms": 5}"#,
        ] {
            let spec: FaultSpec = serde_json::from_str(json).expect("parses");
            assert!(spec.validate().is_err(), "{json}");
        }
    }
}
