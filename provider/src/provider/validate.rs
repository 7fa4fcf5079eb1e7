//! Checks of the provider configuration that need no AWS call; they run at
//! `terraform validate`. Unknown values are skipped: they are checked again
//! when known, at configure time.

use std::time::Duration;

use tfplugin::{AttributePath, Diagnostics, Value};

use super::schema::ENDPOINT_SERVICES;

/// Validates a provider configuration value.
pub fn validate_provider_config(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if config.is_null() || config.is_unknown() {
        return d;
    }
    if let Some(region) = config.get("region").as_str()
        && let Err(why) = check_region(region)
    {
        d.error_at(AttributePath::new("region"), "Invalid AWS region", why);
    }
    if let Some(url) = config.get("endpoint_url").as_str()
        && let Err(why) = check_endpoint(url)
    {
        d.error_at(
            AttributePath::new("endpoint_url"),
            "Invalid endpoint URL",
            why,
        );
    }
    let endpoints = config.get("endpoints");
    for service in ENDPOINT_SERVICES {
        if let Some(url) = endpoints.get(service).as_str()
            && let Err(why) = check_endpoint(url)
        {
            d.error_at(
                AttributePath::new("endpoints").attr(service),
                "Invalid endpoint URL",
                why,
            );
        }
    }
    let access_key = config.get("access_key");
    let secret_key = config.get("secret_key");
    let known_set = |v: &Value| matches!(v, Value::String(_));
    if known_set(access_key) && secret_key.is_null() {
        d.error_at(
            AttributePath::new("secret_key"),
            "Missing secret_key",
            "`access_key` is set, so `secret_key` must be set too (or remove both and use the AWS credential chain).",
        );
    }
    if known_set(secret_key) && access_key.is_null() {
        d.error_at(
            AttributePath::new("access_key"),
            "Missing access_key",
            "`secret_key` is set, so `access_key` must be set too (or remove both and use the AWS credential chain).",
        );
    }
    if known_set(config.get("token")) && access_key.is_null() {
        d.error_at(
            AttributePath::new("token"),
            "Session token without static credentials",
            "`token` is only used together with `access_key` and `secret_key`.",
        );
    }
    if let Some(text) = access_key.as_str()
        && text.is_empty()
    {
        d.error_at(
            AttributePath::new("access_key"),
            "Empty access_key",
            "Set a value or remove the attribute.",
        );
    }
    if let Some(text) = config.get("profile").as_str()
        && text.trim().is_empty()
    {
        d.error_at(
            AttributePath::new("profile"),
            "Empty profile",
            "Set a profile name or remove the attribute.",
        );
    }
    for files in ["shared_config_files", "shared_credentials_files"] {
        if let Value::List(items) = config.get(files) {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_some_and(|s| s.trim().is_empty()) {
                    d.error_at(
                        AttributePath::new(files).index(i as i64),
                        "Empty file path",
                        "Each entry must be a path to a file.",
                    );
                }
            }
        }
    }
    if let Value::Number(n) = config.get("max_retries") {
        match n.as_i64() {
            Some(v) if (0..=100).contains(&v) => {}
            _ => d.error_at(
                AttributePath::new("max_retries"),
                "Invalid max_retries",
                format!("`max_retries` must be a whole number from 0 to 100, got {n}."),
            ),
        }
    }
    let role = config.get("assume_role");
    if let Value::Object(_) = role {
        let path = AttributePath::new("assume_role");
        if let Some(arn) = role.get("role_arn").as_str()
            && let Err(why) = check_role_arn(arn)
        {
            d.error_at(path.attr("role_arn"), "Invalid role ARN", why);
        }
        if let Some(name) = role.get("session_name").as_str() {
            let ok_chars = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c));
            if !(2..=64).contains(&name.len()) || !ok_chars {
                d.error_at(
                    path.attr("session_name"),
                    "Invalid session name",
                    format!("{name:?}: use 2 to 64 characters from letters, digits and `+=,.@-_`."),
                );
            }
        }
        if let Some(id) = role.get("external_id").as_str()
            && !(2..=1224).contains(&id.len())
        {
            d.error_at(
                path.attr("external_id"),
                "Invalid external id",
                "Use 2 to 1224 characters.",
            );
        }
        if let Some(text) = role.get("duration").as_str()
            && let Err(why) = parse_session_duration(text)
        {
            d.error_at(path.attr("duration"), "Invalid session duration", why);
        }
    }
    if let Value::Map(tags) = config.get("default_tags").get("tags") {
        for (key, value) in tags {
            let tag_path = AttributePath::new("default_tags").attr("tags").key(key);
            if let Err(why) = check_tag(key, value.as_str()) {
                d.error_at(tag_path, "Invalid tag", why);
            }
        }
    }
    d
}

/// Checks an AWS region name such as `us-east-1` or `us-gov-west-1`.
pub fn check_region(region: &str) -> Result<(), String> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok_and(|n| n > 0)
        && !parts[parts.len() - 1].starts_with('0');
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "{region:?} is not an AWS region name. Expected lowercase words and a number, like \"us-east-1\", \"eu-central-2\" or \"us-gov-west-1\"."
        ))
    }
}

/// Checks an endpoint URL: `http(s)://host[:port][/path]`.
pub fn check_endpoint(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{url:?} must start with http:// or https://."))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(format!(
            "{url:?} has no host or contains spaces; expected e.g. \"http://127.0.0.1:5000\"."
        ));
    }
    if let Some((host, port)) = authority.rsplit_once(':')
        && !host.ends_with(']')
        && (host.is_empty() || port.parse::<u16>().is_err())
    {
        return Err(format!("{url:?} has an invalid port {port:?}."));
    }
    Ok(())
}

/// Checks an IAM role ARN.
pub fn check_role_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > "role/".len();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{arn:?} is not an IAM role ARN; expected \"arn:aws:iam::123456789012:role/NAME\"."
        ))
    }
}

/// Parses an assume-role session duration (`1h`, `45m`), 15 minutes to 12 hours.
pub fn parse_session_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("{text:?} is not a duration like \"1h\" or \"45m\": {e}."))?;
    if duration < Duration::from_secs(15 * 60) || duration > Duration::from_secs(12 * 3600) {
        return Err(format!(
            "{text:?} is outside the allowed range of 15m to 12h."
        ));
    }
    Ok(duration)
}

/// Checks one tag key and value against AWS's rules.
pub fn check_tag(key: &str, value: Option<&str>) -> Result<(), String> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(format!("Tag key {key:?} must be 1 to 128 characters."));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(format!(
            "Tag key {key:?} uses the reserved prefix \"aws:\"."
        ));
    }
    if value.is_some_and(|v| v.chars().count() > 256) {
        return Err(format!(
            "The value of tag {key:?} is longer than 256 characters."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
            "cn-north-1",
            "il-central-1",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-01",
            "us--1",
            "us-east-1a",
            "u-east-1",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        for ok in [
            "http://127.0.0.1:5000",
            "https://sts.amazonaws.com",
            "http://localhost:4566/",
            "http://[::1]:5000",
        ] {
            assert!(check_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "127.0.0.1:5000",
            "ftp://x",
            "http://",
            "http://host:notaport",
            "http://a b",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_arns() {
        assert!(check_role_arn("arn:aws:iam::123456789012:role/deploy").is_ok());
        assert!(check_role_arn("arn:aws-us-gov:iam::123456789012:role/a/b").is_ok());
        assert!(check_role_arn("arn:aws:iam::12345:role/deploy").is_err());
        assert!(check_role_arn("arn:aws:s3:::bucket").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_session_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_session_duration("5m").is_err());
        assert!(parse_session_duration("13h").is_err());
        assert!(parse_session_duration("soon").is_err());
    }

    #[test]
    fn tags() {
        assert!(check_tag("team", Some("platform")).is_ok());
        assert!(check_tag("aws:cloudformation", Some("x")).is_err());
        assert!(check_tag("", Some("x")).is_err());
        assert!(check_tag("k", Some(&"v".repeat(257))).is_err());
    }
}
