//! Every check of a `todo_cloud_stack` configuration that needs no AWS call.
//! Runs at `terraform validate`; unknown values are skipped (checked again
//! at plan and apply when known).

use std::collections::BTreeSet;

use ipnet::Ipv4Net;
use tfplugin::{AttributePath, Diagnostics, Value};

use super::cidr::{
    AllocationError, MAX_VPC_PREFIX, MIN_VPC_PREFIX, default_private, default_public,
};
use super::model::NatMode;
use crate::provider::validate::check_tag;

/// Validates a resource configuration value.
pub fn validate_stack_config(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(name) = config.get("name").as_str()
        && let Err(why) = check_name(name)
    {
        d.error_at(AttributePath::new("name"), "Invalid stack name", why);
    }
    if let Value::Map(tags) = config.get("tags") {
        for (key, value) in tags {
            if let Err(why) = check_tag(key, value.as_str()) {
                d.error_at(AttributePath::new("tags").key(key), "Invalid tag", why);
            }
            if key.starts_with("todo:") {
                d.error_at(
                    AttributePath::new("tags").key(key),
                    "Reserved tag key",
                    format!("Tag key {key:?} uses the prefix \"todo:\", which the provider uses to find the stack's objects."),
                );
            }
        }
    }
    let timeouts = config.get("timeouts");
    for op in ["create", "update", "delete"] {
        if let Some(text) = timeouts.get(op).as_str() {
            match humantime::parse_duration(text) {
                Ok(d0) if !d0.is_zero() => {}
                _ => d.error_at(
                    AttributePath::new("timeouts").attr(op),
                    "Invalid timeout",
                    format!("{text:?} is not a duration; use a number and a unit, like \"90m\", \"2h\" or \"45s\"."),
                ),
            }
        }
    }
    validate_network(config.get("network"), &mut d);
    d
}

/// Checks a stack name: DNS-safe, 3..32 characters.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok = (3..=32).contains(&name.len())
        && ok_chars
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?}: use 3 to 32 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it names AWS objects and DNS labels)."
        ))
    }
}

fn is_zone_name(zone: &str) -> bool {
    // region name + zone letter, e.g. us-east-1a, us-gov-west-1b
    let Some(last) = zone.chars().last() else {
        return false;
    };
    last.is_ascii_lowercase()
        && crate::provider::validate::check_region(&zone[..zone.len() - 1]).is_ok()
}

fn validate_network(network: &Value, d: &mut Diagnostics) {
    let path = AttributePath::new("network");
    if network.is_null() || network.is_unknown() {
        return;
    }
    let vpc = match network.get("cidr_block") {
        Value::String(text) => match text.parse::<Ipv4Net>() {
            Ok(net) if net.network() != net.addr() => {
                d.error_at(
                    path.attr("cidr_block"),
                    "Invalid VPC CIDR",
                    format!(
                        "{text:?} has host bits set; did you mean \"{}\"?",
                        net.trunc()
                    ),
                );
                None
            }
            Ok(net) if !(MIN_VPC_PREFIX..=MAX_VPC_PREFIX).contains(&net.prefix_len()) => {
                d.error_at(
                    path.attr("cidr_block"),
                    "VPC CIDR prefix out of range",
                    format!(
                        "{text:?} is a /{}; a stack's VPC must be /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} (AWS allows at most /16, and the VPC is cut into 16 subnets of at least /28).",
                        net.prefix_len()
                    ),
                );
                None
            }
            Ok(net) => Some(net),
            Err(_) => {
                d.error_at(
                    path.attr("cidr_block"),
                    "Invalid VPC CIDR",
                    format!("{text:?} is not an IPv4 CIDR block like \"10.0.0.0/16\"."),
                );
                None
            }
        },
        _ => None,
    };

    let mut zones: Option<Vec<String>> = None;
    let named = network.get("availability_zones");
    let count = network.get("availability_zone_count");
    match (named, count) {
        (Value::Null, Value::Null) => d.error_at(
            path.attr("availability_zones"),
            "No availability zones",
            "Set network.availability_zones (e.g. [\"us-east-1a\", \"us-east-1b\"]) or network.availability_zone_count (2 to 6).",
        ),
        (Value::List(_), Value::Number(_)) => d.error_at(
            path.attr("availability_zone_count"),
            "Conflicting availability zone settings",
            "Set either network.availability_zones or network.availability_zone_count, not both.",
        ),
        (_, Value::Number(n)) if !n.as_i64().is_some_and(|c| (2..=6).contains(&c)) => d.error_at(
            path.attr("availability_zone_count"),
            "Invalid availability_zone_count",
            format!("{n} is not a whole number from 2 to 6."),
        ),
        _ => {}
    }
    if matches!(count, Value::Number(_)) {
        for attr in ["public_subnet_cidrs", "private_subnet_cidrs"] {
            if !network.get(attr).is_null() {
                d.error_at(
                    path.attr(attr),
                    "Explicit subnet CIDRs need named zones",
                    format!("network.{attr} is keyed by zone name: name the zones in network.availability_zones instead of giving a count."),
                );
            }
        }
    }
    if let Value::List(items) = network.get("availability_zones") {
        let zpath = path.attr("availability_zones");
        if items.len() < 2 || items.len() > 6 {
            d.error_at(
                zpath.clone(),
                "Wrong number of availability zones",
                format!("Give 2 to 6 availability zones (got {}): a production stack spans at least two zones.", items.len()),
            );
        }
        let mut seen = BTreeSet::new();
        let mut known = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(zone) = item.as_str() else { continue };
            if !is_zone_name(zone) {
                d.error_at(
                    zpath.index(i as i64),
                    "Invalid availability zone",
                    format!("{zone:?} is not an availability zone name like \"us-east-1a\"."),
                );
            }
            if !seen.insert(zone.to_string()) {
                d.error_at(
                    zpath.index(i as i64),
                    "Duplicate availability zone",
                    format!("{zone:?} is listed twice; each zone may appear once."),
                );
            }
            known.push(zone.to_string());
        }
        if items.iter().all(|i| i.as_str().is_some()) {
            zones = Some(known);
        }
    }

    if let Value::String(mode) = network.get("nat_gateways")
        && NatMode::parse(Some(mode)).is_none()
    {
        d.error_at(
            path.attr("nat_gateways"),
            "Invalid nat_gateways",
            format!(
                "{mode:?} is not one of {}.",
                NatMode::VALUES.map(|v| format!("\"{v}\"")).join(", ")
            ),
        );
    }

    // Subnets: explicit or default, all inside the VPC and disjoint.
    let mut all: Vec<(AttributePath, Ipv4Net)> = Vec::new();
    for (attr, default) in [
        (
            "public_subnet_cidrs",
            default_public as fn(&Ipv4Net, &str) -> Result<Ipv4Net, AllocationError>,
        ),
        (
            "private_subnet_cidrs",
            default_private as fn(&Ipv4Net, &str) -> Result<Ipv4Net, AllocationError>,
        ),
    ] {
        let apath = path.attr(attr);
        match network.get(attr) {
            Value::Map(map) => {
                if let Some(zones) = &zones {
                    for zone in zones {
                        if !map.contains_key(zone) {
                            d.error_at(
                                apath.clone(),
                                "Missing subnet CIDR",
                                format!("{attr} has no entry for availability zone {zone:?}; give one CIDR per zone."),
                            );
                        }
                    }
                    for key in map.keys() {
                        if !zones.contains(key) {
                            d.error_at(
                                apath.key(key),
                                "Subnet CIDR for an unknown zone",
                                format!("{key:?} is not in network.availability_zones."),
                            );
                        }
                    }
                }
                for (zone, cidr) in map {
                    let Some(text) = cidr.as_str() else { continue };
                    match text.parse::<Ipv4Net>() {
                        Ok(net) if net.network() == net.addr() && net.prefix_len() <= 28 => {
                            if let Some(vpc) = &vpc
                                && !vpc.contains(&net) {
                                    d.error_at(
                                        apath.key(zone),
                                        "Subnet CIDR outside the VPC",
                                        format!("{text:?} is not inside the VPC CIDR {vpc}."),
                                    );
                                    continue;
                                }
                            all.push((apath.key(zone), net));
                        }
                        _ => d.error_at(
                            apath.key(zone),
                            "Invalid subnet CIDR",
                            format!("{text:?} is not an IPv4 network CIDR of /28 or larger, like \"10.0.128.0/20\"."),
                        ),
                    }
                }
            }
            Value::Null => {
                if let (Some(vpc), Some(zones)) = (&vpc, &zones) {
                    for zone in zones {
                        match default(vpc, zone) {
                            Ok(net) => all.push((apath.key(zone), net)),
                            Err(e) => {
                                d.error_at(apath.clone(), "No default subnet CIDR", e.to_string())
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (i, (pa, a)) in all.iter().enumerate() {
        for (pb, b) in &all[i + 1..] {
            if a.contains(b) || b.contains(a) {
                d.error_at(
                    pb.clone(),
                    "Overlapping subnet CIDRs",
                    format!("{b} ({pb}) overlaps {a} ({pa}); subnets of a VPC must not overlap."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn config(network: Vec<(&str, Value)>) -> Value {
        obj(vec![("name", s("todo-prod")), ("network", obj(network))])
    }

    fn zones(z: &[&str]) -> Value {
        Value::List(z.iter().map(|z| s(z)).collect())
    }

    fn errors(v: &Value) -> Vec<(String, String)> {
        validate_stack_config(v)
            .iter()
            .map(|d| {
                (
                    d.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    d.summary.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_good_config_passes() {
        let v = config(vec![
            ("cidr_block", s("10.0.0.0/16")),
            (
                "availability_zones",
                zones(&["us-east-1a", "us-east-1b", "us-east-1c"]),
            ),
            ("nat_gateways", s("single")),
        ]);
        assert_eq!(errors(&v), vec![]);
    }

    #[test]
    fn each_bad_input_names_its_attribute() {
        let base = |extra: Vec<(&str, Value)>| {
            let mut n = vec![
                ("cidr_block", s("10.0.0.0/16")),
                ("availability_zones", zones(&["us-east-1a", "us-east-1b"])),
            ];
            for (k, v) in extra {
                n.retain(|(kk, _)| *kk != k);
                n.push((k, v));
            }
            config(n)
        };
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                base(vec![("cidr_block", s("10.0.0.0/33"))]),
                "network.cidr_block",
                "Invalid VPC CIDR",
            ),
            (
                base(vec![("cidr_block", s("10.0.0.1/16"))]),
                "network.cidr_block",
                "Invalid VPC CIDR",
            ),
            (
                base(vec![("cidr_block", s("10.0.0.0/26"))]),
                "network.cidr_block",
                "VPC CIDR prefix out of range",
            ),
            (
                base(vec![("availability_zones", zones(&["us-east-1a"]))]),
                "network.availability_zones",
                "Wrong number of availability zones",
            ),
            (
                base(vec![(
                    "availability_zones",
                    zones(&["us-east-1a", "us-east-1a"]),
                )]),
                "network.availability_zones[1]",
                "Duplicate availability zone",
            ),
            (
                base(vec![("availability_zones", zones(&["us-east-1a", "mars"]))]),
                "network.availability_zones[1]",
                "Invalid availability zone",
            ),
            (
                base(vec![("nat_gateways", s("two"))]),
                "network.nat_gateways",
                "Invalid nat_gateways",
            ),
            (
                base(vec![(
                    "public_subnet_cidrs",
                    Value::Map(BTreeMap::from([
                        ("us-east-1a".into(), s("10.1.0.0/20")),
                        ("us-east-1b".into(), s("10.0.16.0/20")),
                    ])),
                )]),
                "network.public_subnet_cidrs[\"us-east-1a\"]",
                "Subnet CIDR outside the VPC",
            ),
            (
                base(vec![(
                    "public_subnet_cidrs",
                    Value::Map(BTreeMap::from([
                        ("us-east-1a".into(), s("10.0.0.0/24")),
                        ("us-east-1b".into(), s("10.0.200.0/24")),
                    ])),
                )]),
                "network.private_subnet_cidrs[\"us-east-1a\"]",
                "Overlapping subnet CIDRs",
            ),
        ];
        for (value, path, summary) in cases {
            let errs = errors(&value);
            assert!(
                errs.iter().any(|(p, s)| p == path && s == summary),
                "expected {summary:?} at {path}, got {errs:?}"
            );
        }
        let bad_name = obj(vec![("name", s("Todo_Prod"))]);
        assert_eq!(
            errors(&bad_name),
            vec![("name".to_string(), "Invalid stack name".to_string())]
        );
        let bad_timeout = obj(vec![("timeouts", obj(vec![("create", s("soon"))]))]);
        assert_eq!(
            errors(&bad_timeout),
            vec![("timeouts.create".to_string(), "Invalid timeout".to_string())]
        );
    }

    #[test]
    fn zones_are_named_or_counted_not_both() {
        let count = |n: i64| Value::Number(tfplugin::Number::Int(n));
        let none = config(vec![("cidr_block", s("10.0.0.0/16"))]);
        assert_eq!(
            errors(&none),
            vec![(
                "network.availability_zones".to_string(),
                "No availability zones".to_string()
            )]
        );
        let counted = config(vec![
            ("cidr_block", s("10.0.0.0/16")),
            ("availability_zone_count", count(3)),
        ]);
        assert_eq!(errors(&counted), vec![]);
        let both = config(vec![
            ("cidr_block", s("10.0.0.0/16")),
            ("availability_zones", zones(&["us-east-1a", "us-east-1b"])),
            ("availability_zone_count", count(2)),
        ]);
        assert!(
            errors(&both)
                .iter()
                .any(|(p, m)| p == "network.availability_zone_count"
                    && m == "Conflicting availability zone settings")
        );
        let seven = config(vec![
            ("cidr_block", s("10.0.0.0/16")),
            ("availability_zone_count", count(7)),
        ]);
        assert_eq!(
            errors(&seven),
            vec![(
                "network.availability_zone_count".to_string(),
                "Invalid availability_zone_count".to_string()
            )]
        );
    }

    #[test]
    fn unknown_values_are_not_checked() {
        let v = config(vec![
            ("cidr_block", Value::Unknown),
            ("availability_zones", Value::Unknown),
        ]);
        assert_eq!(errors(&v), vec![]);
    }
}
