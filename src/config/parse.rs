//! Pure parsers for single input values. Each returns what is allowed on error, so the
//! caller can name the input and the value.

use std::time::Duration;
use url::{Host, Url};

/// Booleans in the forms `@actions/core` `getBooleanInput` accepts.
pub(crate) fn boolean(value: &str) -> Result<bool, String> {
    match value.trim() {
        "true" | "True" | "TRUE" => Ok(true),
        "false" | "False" | "FALSE" => Ok(false),
        _ => Err("true or false".into()),
    }
}

/// `wait-mode`: `auto`, `push` or `poll`, in any case.
pub(crate) fn wait_mode(value: &str) -> Result<super::WaitMode, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(super::WaitMode::Auto),
        "push" => Ok(super::WaitMode::Push),
        "poll" => Ok(super::WaitMode::Poll),
        _ => Err("auto, push or poll".into()),
    }
}

/// `expected-org`: an org id (UUID) or the org's short name.
pub(crate) fn expected_org(value: &str) -> Result<super::ExpectedOrg, String> {
    let v = value.trim();
    if crate::ids::is_uuid(v) {
        return Ok(super::ExpectedOrg::Id(v.to_ascii_lowercase()));
    }
    let short_name = !v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if short_name {
        Ok(super::ExpectedOrg::ShortName(v.to_string()))
    } else {
        Err("an org id (UUID) or the org's short name (letters, digits, '-', '_' and '.')".into())
    }
}

/// A Genesys object id: a hyphenated UUID. Lower-cased, since the platform writes them so.
pub fn uuid(value: &str) -> Result<String, String> {
    crate::ids::BotId::parse(value).map(String::from)
}

/// A list of UUIDs separated by commas and/or newlines; blanks are skipped, duplicates
/// dropped. Every bad entry is reported.
pub(crate) fn uuid_list(value: &str) -> Result<Vec<String>, Vec<(String, String)>> {
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    for entry in value
        .split([',', '\n', '\r'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        match uuid(entry) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(allowed) => bad.push((entry.to_string(), allowed)),
        }
    }
    if bad.is_empty() { Ok(ids) } else { Err(bad) }
}

/// A whole number within `min..=max`.
pub(crate) fn whole_number(value: &str, min: u64, max: u64, unit: &str) -> Result<u64, String> {
    let allowed = || format!("a whole number of {unit} from {min} to {max}");
    let n: u64 = value.trim().parse().map_err(|_| allowed())?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(allowed())
    }
}

/// Seconds with decimals (`0.5`), within `min..=max`.
pub(crate) fn decimal_seconds(value: &str, min: f64, max: f64) -> Result<Duration, String> {
    let allowed = || format!("seconds from {min} to {max}, decimals allowed (e.g. 0.5)");
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(allowed());
    }
    let secs: f64 = v.parse().map_err(|_| allowed())?;
    if secs.is_finite() && (min..=max).contains(&secs) {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(allowed())
    }
}

/// Whether `url` names this machine (`localhost`, 127.0.0.0/8, `::1`): the one place a
/// plain `http://` or `ws://` connection is allowed to go.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A base URL for the API or the login host: `https`, or `http` only to a loopback host
/// (the sandbox, a local proxy). Nothing else may leave the machine unencrypted.
pub(crate) fn base_url(value: &str) -> Result<Url, String> {
    let allowed = "an https:// URL with no path, query or credentials (http:// only for a loopback host such as 127.0.0.1)";
    let url = Url::parse(value.trim()).map_err(|_| allowed.to_string())?;
    if url.host().is_none() {
        return Err(allowed.into());
    }
    let loopback = is_loopback(&url);
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let clean = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none()
        && (url.path() == "/" || url.path().is_empty());
    if scheme_ok && clean {
        Ok(url)
    } else {
        Err(allowed.into())
    }
}

/// A label for the target environment: short, printable, one line.
pub(crate) fn label(value: &str) -> Result<String, String> {
    let v = value.trim();
    if !v.is_empty() && v.chars().count() <= 64 && !v.chars().any(char::is_control) {
        Ok(v.to_string())
    } else {
        Err("1 to 64 printable characters on one line".into())
    }
}

/// A path inside the workspace: relative, without `..`, so a workflow cannot point the
/// Action at files outside the checkout.
pub(crate) fn workspace_path(value: &str) -> Result<std::path::PathBuf, String> {
    use std::path::{Component, Path};
    let path = Path::new(value.trim());
    // Absolute paths are checked against the workspace when the run starts (it is not an
    // input); `..` is refused everywhere, so a prefix check there is a containment check.
    let plain = path.components().all(|c| {
        matches!(
            c,
            Component::Normal(_) | Component::CurDir | Component::RootDir
        )
    });
    if !value.trim().is_empty() && plain {
        Ok(path.to_path_buf())
    } else {
        Err("a path relative to the workspace, or an absolute one; without '..'".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_take_the_toolkit_forms_only() {
        for t in ["true", "True", "TRUE", " true "] {
            assert_eq!(boolean(t), Ok(true), "{t}");
        }
        for f in ["false", "False", "FALSE"] {
            assert_eq!(boolean(f), Ok(false), "{f}");
        }
        for bad in ["yes", "1", "tRuE", "", "on"] {
            assert!(boolean(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uuids_are_strict_and_lower_cased() {
        assert_eq!(
            uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6").as_deref(),
            Ok("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        for bad in [
            "3fa85f645717-4562-b3fc-2c963f66afa6",
            "3fa85f64571745628b3fc2c963f66afa6",
            "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
            "3fa85f64-5717-4562-b3fc-2c963f66afaz",
            "../../etc/passwd",
            "",
        ] {
            assert!(uuid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uuid_lists_split_on_commas_and_newlines() {
        let a = "11111111-1111-1111-1111-111111111111";
        let b = "22222222-2222-2222-2222-222222222222";
        let given = format!("{a}, {b}\n{a}\r\n\n");
        assert_eq!(uuid_list(&given), Ok(vec![a.to_string(), b.to_string()]));
        let bad = uuid_list(&format!("{a},nope,also-bad")).expect_err("bad entries");
        let entries: Vec<_> = bad.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(entries, ["nope", "also-bad"]);
    }

    #[test]
    fn whole_numbers_stay_in_range() {
        assert_eq!(whole_number("1", 1, 3600, "seconds"), Ok(1));
        assert_eq!(whole_number("3600", 1, 3600, "seconds"), Ok(3600));
        for bad in ["0", "3601", "-1", "1.5", "abc", ""] {
            assert_eq!(
                whole_number(bad, 1, 3600, "seconds"),
                Err("a whole number of seconds from 1 to 3600".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn decimal_seconds_accept_fractions_in_range() {
        assert_eq!(
            decimal_seconds("0.1", 0.1, 60.0),
            Ok(Duration::from_millis(100))
        );
        assert_eq!(
            decimal_seconds("2.5", 0.1, 60.0),
            Ok(Duration::from_millis(2500))
        );
        for bad in ["0.05", "61", "-1", "1e1", "NaN", "inf", "", "1s"] {
            assert!(decimal_seconds(bad, 0.1, 60.0).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_https_unless_loopback() {
        assert!(base_url("https://api.mypurecloud.ie").is_ok());
        assert!(base_url("http://127.0.0.1:8080").is_ok());
        assert!(base_url("http://localhost:8080/").is_ok());
        assert!(base_url("http://[::1]:8080").is_ok());
        for bad in [
            "http://api.mypurecloud.ie",
            "ftp://127.0.0.1",
            "https://user:pw@api.mypurecloud.ie",
            "https://api.mypurecloud.ie/api/v2",
            "https://api.mypurecloud.ie?x=1",
            "api.mypurecloud.ie",
            "",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_one_short_line() {
        assert_eq!(label(" staging ").as_deref(), Ok("staging"));
        assert!(label("").is_err());
        assert!(label("a\nb").is_err());
        assert!(label(&"x".repeat(65)).is_err());
    }

    #[test]
    fn workspace_paths_stay_inside() {
        assert!(workspace_path("tests/smoke.yml").is_ok());
        assert!(workspace_path("./smoke.yml").is_ok());
        assert!(workspace_path("../smoke.yml").is_err());
        // Inside the workspace or not is for the run to say: the workspace is not an input.
        assert!(workspace_path("/github/workspace/smoke.yml").is_ok());
        assert!(workspace_path("/github/workspace/../home/x").is_err());
        assert!(workspace_path("a/../../b").is_err());
    }
}
