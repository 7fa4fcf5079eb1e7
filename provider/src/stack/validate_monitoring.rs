//! Validation of `monitoring` (no AWS call), with the conventions of the
//! parent module: unknown and null values are skipped, and each
//! diagnostic's detail begins with the full path
//! (`monitoring.alarms.database_cpu.threshold: ...`).
//!
//! The limits are CloudWatch's (PutMetricAlarm periods and evaluation
//! range, PutRetentionPolicy values) and SNS's (Subscribe endpoints per
//! protocol).

use tfplugin::{AttributePath, Value};

use super::{PARTITIONS, Report, one_of, whole_in};
use crate::stack::model_monitoring::{ALARMS, RETENTION_DAYS};

/// The protocols a subscription may use.
const PROTOCOLS: [&str; 4] = ["email", "https", "sqs", "lambda"];

/// Most subscriptions the stack manages on its topic.
const MAX_SUBSCRIPTIONS: usize = 100;

/// The longest evaluation range of an alarm whose period is under an hour
/// (seconds), and of one with a period of an hour or more.
const MAX_RANGE_SHORT: i64 = 86_400;
const MAX_RANGE_LONG: i64 = 7 * 86_400;

/// Checks `monitoring`.
pub(super) fn validate_monitoring(monitoring: &Value, r: &mut Report) {
    if monitoring.is_null() || monitoring.is_unknown() {
        return;
    }
    let path = AttributePath::new("monitoring");
    let rpath = path.attr("log_retention_days");
    if let Value::Number(n) = monitoring.get("log_retention_days")
        && !n.as_i64().is_some_and(|d| RETENTION_DAYS.contains(&d))
    {
        let allowed: Vec<String> = RETENTION_DAYS.iter().map(|d| d.to_string()).collect();
        r.error(
            &rpath,
            "Invalid log retention",
            format!(
                "{n} days is not a retention CloudWatch Logs offers; use one of {}.",
                allowed.join(", ")
            ),
        );
    }
    check_subscriptions(
        monitoring.get("subscriptions"),
        &path.attr("subscriptions"),
        r,
    );
    let alarms = monitoring.get("alarms");
    let apath = path.attr("alarms");
    for a in &ALARMS {
        let settings = alarms.get(a.attribute);
        let at = apath.attr(a.attribute);
        if let Value::Number(n) = settings.get("threshold") {
            let t = n.as_f64();
            let too_high = a.max_threshold.is_some_and(|m| t > m);
            if !t.is_finite() || t < 0.0 || too_high {
                let range = match a.max_threshold {
                    Some(m) => format!("0 to {m}"),
                    None => "0 or more".into(),
                };
                r.error(
                    &at.attr("threshold"),
                    "Invalid alarm threshold",
                    format!(
                        "{n} is out of range: the threshold is in {} and must be {range}.",
                        a.unit
                    ),
                );
            }
        }
        let period = check_period(settings.get("period"), &at.attr("period"), r);
        let evaluations = whole_in(
            settings.get("evaluation_periods"),
            &at.attr("evaluation_periods"),
            "Invalid evaluation periods",
            1..=10_080,
            "use 1 or more datapoints",
            r,
        );
        let period = period.unwrap_or(a.period);
        let evaluations = evaluations.unwrap_or(a.evaluation_periods);
        let max = if period >= 3600 {
            MAX_RANGE_LONG
        } else {
            MAX_RANGE_SHORT
        };
        let given = |attr: &str| matches!(settings.get(attr), Value::Number(_));
        if (given("period") || given("evaluation_periods")) && period * evaluations > max {
            {
                r.error(
                    &at.attr("evaluation_periods"),
                    "Alarm evaluates too long a range",
                    format!(
                        "{evaluations} datapoints of {period} s are {} s; CloudWatch evaluates at most {max} s ({}) with this period. Use fewer or shorter periods.",
                        period * evaluations,
                        if max == MAX_RANGE_LONG { "7 days" } else { "one day" }
                    ),
                );
            }
        }
    }
}

/// A period CloudWatch accepts: 10, 20, 30 or a multiple of 60 seconds.
fn check_period(value: &Value, path: &AttributePath, r: &mut Report) -> Option<i64> {
    let rule = "use 10, 20, 30 or a multiple of 60 seconds, at most 86400";
    let p = whole_in(value, path, "Invalid alarm period", 10..=86_400, rule, r)?;
    if [10, 20, 30].contains(&p) || p % 60 == 0 {
        Some(p)
    } else {
        r.error(
            path,
            "Invalid alarm period",
            format!("{p} seconds is not a period CloudWatch accepts: {rule}."),
        );
        None
    }
}

fn check_subscriptions(value: &Value, path: &AttributePath, r: &mut Report) {
    let Value::List(items) = value else { return };
    if items.len() > MAX_SUBSCRIPTIONS {
        r.error(
            path,
            "Too many subscriptions",
            format!(
                "{} subscriptions; the stack manages at most {MAX_SUBSCRIPTIONS}.",
                items.len()
            ),
        );
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i as i64);
        let (Some(protocol), Some(endpoint)) =
            (item.get("protocol").as_str(), item.get("endpoint").as_str())
        else {
            continue;
        };
        if !PROTOCOLS.contains(&protocol) {
            r.error(
                &at.attr("protocol"),
                "Invalid subscription protocol",
                format!("{protocol:?} is not supported; use {}.", one_of(&PROTOCOLS)),
            );
            continue;
        }
        if let Err(why) = check_endpoint(protocol, endpoint) {
            r.error(&at.attr("endpoint"), "Invalid subscription endpoint", why);
        }
        let pair = (protocol.to_string(), endpoint.to_string());
        if seen.contains(&pair) {
            r.error(
                &at,
                "Duplicate subscription",
                format!("{protocol} {endpoint:?} is listed twice."),
            );
        }
        seen.push(pair);
    }
}

/// Whether `endpoint` is something `protocol` can deliver to.
pub(super) fn check_endpoint(protocol: &str, endpoint: &str) -> Result<(), String> {
    match protocol {
        "email" => {
            let ok = endpoint.len() <= 254
                && !endpoint.chars().any(|c| c.is_whitespace() || c == ',')
                && endpoint.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                });
            if ok {
                Ok(())
            } else {
                Err(format!("{endpoint:?} is not an email address like \"ops@example.com\"."))
            }
        }
        "https" => {
            let host = endpoint
                .strip_prefix("https://")
                .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
            match host {
                Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(()),
                _ => Err(format!(
                    "{endpoint:?} is not an https:// URL like \"https://hooks.example.com/alerts\" (plain http is refused: alerts name the stack's objects)."
                )),
            }
        }
        "sqs" => check_arn(endpoint, "sqs", |resource| {
            !resource.is_empty() && !resource.contains(':') && !resource.contains('/')
        })
        .map_err(|_| {
            format!(
                "{endpoint:?} is not an SQS queue ARN like \"arn:aws:sqs:us-east-1:123456789012:alerts\"."
            )
        }),
        "lambda" => check_arn(endpoint, "lambda", |resource| {
            resource
                .strip_prefix("function:")
                .is_some_and(|f| !f.is_empty() && f.split(':').count() <= 2)
        })
        .map_err(|_| {
            format!(
                "{endpoint:?} is not a Lambda function ARN like \"arn:aws:lambda:us-east-1:123456789012:function:notify\"."
            )
        }),
        _ => Ok(()),
    }
}

/// Checks `arn:<partition>:<service>:<region>:<account>:<resource>`.
fn check_arn(arn: &str, service: &str, resource: impl Fn(&str) -> bool) -> Result<(), ()> {
    let mut parts = arn.splitn(6, ':');
    let ok = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| PARTITIONS.contains(&p))
        && parts.next() == Some(service)
        && parts.next().is_some_and(|region| !region.is_empty())
        && parts
            .next()
            .is_some_and(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()))
        && parts.next().is_some_and(resource);
    if ok { Ok(()) } else { Err(()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::Number;

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn n(v: i64) -> Value {
        Value::Number(Number::Int(v))
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn sub(protocol: &str, endpoint: &str) -> Value {
        obj(vec![("protocol", s(protocol)), ("endpoint", s(endpoint))])
    }

    /// (full path, summary) of each diagnostic of a stack with `monitoring`.
    fn problems(monitoring: Value) -> Vec<(String, String)> {
        let config = obj(vec![("name", s("todo-prod")), ("monitoring", monitoring)]);
        super::super::validate_stack_config(&config)
            .iter()
            .map(|d| {
                let path = d
                    .detail
                    .split_once(": ")
                    .map(|(p, _)| p)
                    .unwrap_or_default();
                assert!(
                    d.attribute
                        .as_ref()
                        .is_some_and(|a| a.to_string() == "monitoring"),
                    "{d:?} must point at monitoring"
                );
                (path.to_string(), d.summary.clone())
            })
            .collect()
    }

    #[test]
    fn each_bad_input_is_named_by_its_full_path() {
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                obj(vec![("log_retention_days", n(10))]),
                "monitoring.log_retention_days",
                "Invalid log retention",
            ),
            (
                obj(vec![(
                    "subscriptions",
                    Value::List(vec![sub("sms", "+15550100")]),
                )]),
                "monitoring.subscriptions[0].protocol",
                "Invalid subscription protocol",
            ),
            (
                obj(vec![(
                    "subscriptions",
                    Value::List(vec![
                        sub("email", "ops@example.com"),
                        sub("https", "http://x.example.com"),
                    ]),
                )]),
                "monitoring.subscriptions[1].endpoint",
                "Invalid subscription endpoint",
            ),
            (
                obj(vec![(
                    "subscriptions",
                    Value::List(vec![
                        sub("email", "ops@example.com"),
                        sub("email", "ops@example.com"),
                    ]),
                )]),
                "monitoring.subscriptions[1]",
                "Duplicate subscription",
            ),
            (
                obj(vec![(
                    "alarms",
                    obj(vec![("database_cpu", obj(vec![("threshold", n(150))]))]),
                )]),
                "monitoring.alarms.database_cpu.threshold",
                "Invalid alarm threshold",
            ),
            (
                obj(vec![(
                    "alarms",
                    obj(vec![("replica_lag", obj(vec![("threshold", n(-1))]))]),
                )]),
                "monitoring.alarms.replica_lag.threshold",
                "Invalid alarm threshold",
            ),
            (
                obj(vec![(
                    "alarms",
                    obj(vec![("nat_packets_dropped", obj(vec![("period", n(45))]))]),
                )]),
                "monitoring.alarms.nat_packets_dropped.period",
                "Invalid alarm period",
            ),
            (
                obj(vec![(
                    "alarms",
                    obj(vec![(
                        "database_connections",
                        obj(vec![("evaluation_periods", n(0))]),
                    )]),
                )]),
                "monitoring.alarms.database_connections.evaluation_periods",
                "Invalid evaluation periods",
            ),
            (
                obj(vec![(
                    "alarms",
                    obj(vec![(
                        "database_cpu",
                        obj(vec![("period", n(600)), ("evaluation_periods", n(200))]),
                    )]),
                )]),
                "monitoring.alarms.database_cpu.evaluation_periods",
                "Alarm evaluates too long a range",
            ),
        ];
        for (monitoring, path, summary) in cases {
            assert_eq!(
                problems(monitoring.clone()),
                vec![(path.to_string(), summary.to_string())],
                "{monitoring:?}"
            );
        }
        let good = obj(vec![
            ("log_retention_days", n(90)),
            (
                "subscriptions",
                Value::List(vec![
                    sub("email", "ops@example.com"),
                    sub("sqs", "arn:aws:sqs:us-east-1:123456789012:alerts"),
                ]),
            ),
            (
                "alarms",
                obj(vec![(
                    "database_cpu",
                    obj(vec![("period", n(3600)), ("evaluation_periods", n(48))]),
                )]),
            ),
        ]);
        assert_eq!(problems(good), vec![]);
    }

    #[test]
    fn endpoints_must_match_their_protocol() {
        assert!(check_endpoint("email", "ops@example.com").is_ok());
        assert!(check_endpoint("email", "ops@localhost").is_err());
        assert!(check_endpoint("email", "https://example.com").is_err());
        assert!(check_endpoint("https", "https://hooks.example.com/a?b=c").is_ok());
        assert!(check_endpoint("https", "http://hooks.example.com").is_err());
        assert!(check_endpoint("https", "https://").is_err());
        assert!(check_endpoint("sqs", "arn:aws:sqs:us-east-1:123456789012:alerts").is_ok());
        assert!(check_endpoint("sqs", "arn:aws:sns:us-east-1:123456789012:alerts").is_err());
        assert!(check_endpoint("sqs", "arn:aws:sqs:us-east-1:1234:alerts").is_err());
        assert!(
            check_endpoint(
                "lambda",
                "arn:aws:lambda:us-east-1:123456789012:function:notify"
            )
            .is_ok()
        );
        assert!(
            check_endpoint(
                "lambda",
                "arn:aws:lambda:us-east-1:123456789012:function:notify:live"
            )
            .is_ok()
        );
        assert!(check_endpoint("lambda", "arn:aws:lambda:us-east-1:123456789012:layer:x").is_err());
    }
}
