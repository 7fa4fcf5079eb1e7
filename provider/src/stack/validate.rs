//! Every check of a `todo_cloud_stack` configuration that needs no AWS call.
//! Runs at `terraform validate`; unknown values are skipped (checked again
//! at plan and apply when known).
//!
//! Terraform 1.11 resolves a diagnostic's attribute path through top-level
//! attributes (and one map key or list index right after one) and nested
//! blocks, never into a nested attribute such as `network = { ... }`: there
//! it shows the resource's first line and nothing of the path. So every
//! diagnostic here follows one convention, kept in [`Report::error`]: its
//! detail begins with the full path as the user writes it
//! (`network.public_subnet_cidrs["us-east-1a"]: ...`), and its attribute
//! path is the deepest part of that path Terraform resolves: the top-level
//! attribute (`network`, `timeouts`, `name`), which Terraform quotes, or a
//! top-level map's entry (`tags["env"]`). Each problem is reported once.

use std::collections::BTreeSet;
use std::fmt::Display;

use ipnet::Ipv4Net;
use tfplugin::{AttributePath, Diagnostics, PathStep, Value};

use super::cidr::{
    AllocationError, MAX_VPC_PREFIX, MIN_VPC_PREFIX, default_private, default_public,
};
use super::model::NatMode;
use crate::provider::validate::check_tag;

/// What a stack name may be.
const NAME_RULE: &str = "use 3 to 32 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it names AWS objects and DNS labels).";

/// Validates a resource configuration value.
pub fn validate_stack_config(config: &Value) -> Diagnostics {
    let mut r = Report::default();
    if let Some(name) = config.get("name").as_str()
        && check_name(name).is_err()
    {
        r.error(
            &AttributePath::new("name"),
            "Invalid stack name",
            format!("{name:?} is not a valid stack name: {NAME_RULE}"),
        );
    }
    if let Value::Map(tags) = config.get("tags") {
        let path = AttributePath::new("tags");
        for (key, value) in tags {
            if let Err(why) = check_tag(key, value.as_str()) {
                r.error(&path.key(key), "Invalid tag", why);
            }
            if key.starts_with("todo:") {
                r.error(
                    &path.key(key),
                    "Reserved tag key",
                    format!("Tag key {key:?} uses the prefix \"todo:\", which the provider uses to find the stack's objects."),
                );
            }
        }
    }
    // Every operation the schema has, whichever they are.
    if let Value::Object(ops) = config.get("timeouts") {
        let path = AttributePath::new("timeouts");
        for (op, value) in ops {
            let Some(text) = value.as_str() else { continue };
            let why = match humantime::parse_duration(text) {
                Ok(duration) if !duration.is_zero() => continue,
                Ok(_) => format!("{text:?} is zero; give the operation some time, like \"90m\"."),
                Err(_) => format!(
                    "{text:?} is not a duration; use a number and a unit, like \"90m\", \"2h\" or \"45s\"."
                ),
            };
            r.error(&path.attr(op), "Invalid timeout", why);
        }
    }
    validate_network(config.get("network"), &mut r);
    r.diagnostics
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
        Err(format!("{name:?}: {NAME_RULE}"))
    }
}

/// The diagnostics of one validation, each reported once.
#[derive(Default)]
struct Report {
    diagnostics: Diagnostics,
}

impl Report {
    /// Adds an error about the value at `path`, with the full path at the
    /// start of the detail and tied to [`resolvable`]`(path)`. An error
    /// already reported is not added again.
    fn error(&mut self, path: &AttributePath, summary: &str, detail: impl Display) {
        let diagnostic =
            tfplugin::Diagnostic::error(summary, format!("{path}: {detail}")).at(resolvable(path));
        if !self.diagnostics.iter().any(|d| *d == diagnostic) {
            self.diagnostics.push(diagnostic);
        }
    }
}

/// The deepest part of `path` that Terraform 1.11 can point at: the
/// top-level attribute, plus a map key or list index that directly follows
/// it (`tags["env"]`, shown as that entry's line). Terraform shows nothing
/// of a path into a nested attribute (`network.cidr_block`).
fn resolvable(path: &AttributePath) -> AttributePath {
    let steps = path.steps();
    let depth = match steps.get(1) {
        Some(PathStep::Key(_) | PathStep::Index(_)) => 2,
        _ => 1,
    };
    AttributePath::from(steps[..depth.min(steps.len())].to_vec())
}

fn is_zone_name(zone: &str) -> bool {
    // region name + zone letter, e.g. us-east-1a, us-gov-west-1b
    let Some(last) = zone.chars().last() else {
        return false;
    };
    last.is_ascii_lowercase()
        && crate::provider::validate::check_region(&zone[..zone.len() - 1]).is_ok()
}

/// A zone of `network.availability_zones`, at its first position in the list.
struct Zone {
    name: String,
    index: usize,
    /// Whether it looks like a zone name (else it has been reported).
    well_formed: bool,
}

/// A subnet whose CIDR is known: given in the configuration or the default.
struct Subnet {
    /// Where the user writes it.
    path: AttributePath,
    cidr: Ipv4Net,
    /// `Some((attribute, zone))` when the CIDR is that zone's default.
    default_of: Option<(&'static str, String)>,
}

impl Subnet {
    /// How a diagnostic about another subnet names this one.
    fn describe(&self) -> String {
        match &self.default_of {
            None => format!("{} ({})", self.cidr, self.path),
            Some((attr, zone)) => format!(
                "{}, the default CIDR of {zone:?} in network.{attr} (set network.{attr} to choose another)",
                self.cidr
            ),
        }
    }
}

fn validate_network(network: &Value, r: &mut Report) {
    if network.is_null() || network.is_unknown() {
        return;
    }
    let path = AttributePath::new("network");
    let vpc = check_vpc_cidr(network.get("cidr_block"), &path.attr("cidr_block"), r);
    let zones = check_zones(network, &path, r);

    if let Value::String(mode) = network.get("nat_gateways")
        && NatMode::parse(Some(mode)).is_none()
    {
        r.error(
            &path.attr("nat_gateways"),
            "Invalid nat_gateways",
            format!(
                "{mode:?} is not one of {}.",
                NatMode::VALUES.map(|v| format!("\"{v}\"")).join(", ")
            ),
        );
    }
    check_subnets(network, &path, vpc.as_ref(), zones.as_deref(), r);
}

/// Checks `network.cidr_block`; the VPC network when it is usable.
fn check_vpc_cidr(value: &Value, path: &AttributePath, r: &mut Report) -> Option<Ipv4Net> {
    let text = value.as_str()?;
    match text.parse::<Ipv4Net>() {
        Ok(net) if net.network() != net.addr() => r.error(
            path,
            "Invalid VPC CIDR",
            format!(
                "{text:?} has host bits set; did you mean \"{}\"?",
                net.trunc()
            ),
        ),
        Ok(net) if !(MIN_VPC_PREFIX..=MAX_VPC_PREFIX).contains(&net.prefix_len()) => r.error(
            path,
            "VPC CIDR prefix out of range",
            format!(
                "{text:?} is a /{}; a stack's VPC must be /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} (AWS allows at most /16, and the VPC is cut into 16 subnets of at least /28).",
                net.prefix_len()
            ),
        ),
        Ok(net) => return Some(net),
        Err(_) => r.error(
            path,
            "Invalid VPC CIDR",
            format!("{text:?} is not an IPv4 CIDR block like \"10.0.0.0/16\"."),
        ),
    }
    None
}

/// Checks the zone settings; the distinct named zones when all are known.
fn check_zones(network: &Value, path: &AttributePath, r: &mut Report) -> Option<Vec<Zone>> {
    let named = network.get("availability_zones");
    let count = network.get("availability_zone_count");
    match (named, count) {
        (Value::Null, Value::Null) => r.error(
            &path.attr("availability_zones"),
            "No availability zones",
            "not set; name the zones (e.g. [\"us-east-1a\", \"us-east-1b\"]) or set network.availability_zone_count (2 to 6) instead.",
        ),
        (Value::List(_), Value::Number(_)) => r.error(
            &path.attr("availability_zone_count"),
            "Conflicting availability zone settings",
            "set either network.availability_zones or network.availability_zone_count, not both.",
        ),
        (_, Value::Number(n)) if !n.as_i64().is_some_and(|c| (2..=6).contains(&c)) => r.error(
            &path.attr("availability_zone_count"),
            "Invalid availability_zone_count",
            format!("{n} is not a whole number from 2 to 6."),
        ),
        _ => {}
    }
    if matches!(count, Value::Number(_)) {
        for attr in ["public_subnet_cidrs", "private_subnet_cidrs"] {
            if !network.get(attr).is_null() {
                r.error(
                    &path.attr(attr),
                    "Explicit subnet CIDRs need named zones",
                    format!("network.{attr} is keyed by zone name: name the zones in network.availability_zones instead of giving network.availability_zone_count."),
                );
            }
        }
    }
    let Value::List(items) = named else {
        return None;
    };
    let zpath = path.attr("availability_zones");
    if items.len() < 2 || items.len() > 6 {
        r.error(
            &zpath,
            "Wrong number of availability zones",
            format!(
                "give 2 to 6 availability zones (got {}): a production stack spans at least two zones.",
                items.len()
            ),
        );
    }
    let mut seen = BTreeSet::new();
    let mut zones = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(zone) = item.as_str() else { continue };
        let well_formed = is_zone_name(zone);
        if !well_formed {
            r.error(
                &zpath.index(index as i64),
                "Invalid availability zone",
                format!("{zone:?} is not an availability zone name like \"us-east-1a\"."),
            );
        }
        if seen.insert(zone) {
            zones.push(Zone {
                name: zone.to_string(),
                index,
                well_formed,
            });
        } else {
            r.error(
                &zpath.index(index as i64),
                "Duplicate availability zone",
                format!("{zone:?} is listed twice; each zone may appear once."),
            );
        }
    }
    items.iter().all(|i| i.as_str().is_some()).then_some(zones)
}

type DefaultCidr = fn(&Ipv4Net, &str) -> Result<Ipv4Net, AllocationError>;

/// Checks the subnet CIDRs, explicit or default: one per zone, inside the
/// VPC, disjoint.
fn check_subnets(
    network: &Value,
    path: &AttributePath,
    vpc: Option<&Ipv4Net>,
    zones: Option<&[Zone]>,
    r: &mut Report,
) {
    let mut subnets: Vec<Subnet> = Vec::new();
    // Zones without a default block, and the attributes that would need one.
    let mut no_default: Vec<(&Zone, Vec<&'static str>, AllocationError)> = Vec::new();
    for (attr, default) in [
        ("public_subnet_cidrs", default_public as DefaultCidr),
        ("private_subnet_cidrs", default_private as DefaultCidr),
    ] {
        let apath = path.attr(attr);
        match network.get(attr) {
            Value::Map(map) => {
                if let Some(zones) = zones {
                    for zone in zones.iter().filter(|z| z.well_formed) {
                        if !map.contains_key(&zone.name) {
                            r.error(
                                &apath,
                                "Missing subnet CIDR",
                                format!(
                                    "no entry for availability zone {:?}; give one CIDR per zone.",
                                    zone.name
                                ),
                            );
                        }
                    }
                    for key in map.keys() {
                        if !zones.iter().any(|z| z.name == *key) {
                            r.error(
                                &apath.key(key),
                                "Subnet CIDR for an unknown zone",
                                format!("{key:?} is not in network.availability_zones."),
                            );
                        }
                    }
                }
                for (zone, cidr) in map {
                    let Some(text) = cidr.as_str() else { continue };
                    let zpath = apath.key(zone);
                    match text.parse::<Ipv4Net>() {
                        Ok(net) if net.network() == net.addr() && net.prefix_len() <= 28 => {
                            if let Some(vpc) = vpc
                                && !vpc.contains(&net)
                            {
                                r.error(
                                    &zpath,
                                    "Subnet CIDR outside the VPC",
                                    format!("{text:?} is not inside the VPC CIDR {vpc} (network.cidr_block)."),
                                );
                                continue;
                            }
                            subnets.push(Subnet {
                                path: zpath,
                                cidr: net,
                                default_of: None,
                            });
                        }
                        Ok(net) if net.network() != net.addr() => r.error(
                            &zpath,
                            "Invalid subnet CIDR",
                            format!(
                                "{text:?} has host bits set; did you mean \"{}\"?",
                                net.trunc()
                            ),
                        ),
                        _ => r.error(
                            &zpath,
                            "Invalid subnet CIDR",
                            format!("{text:?} is not an IPv4 network CIDR of /28 or larger, like \"10.0.128.0/20\"."),
                        ),
                    }
                }
            }
            Value::Null => {
                let (Some(vpc), Some(zones)) = (vpc, zones) else {
                    continue;
                };
                for zone in zones.iter().filter(|z| z.well_formed) {
                    match default(vpc, &zone.name) {
                        Ok(net) => subnets.push(Subnet {
                            path: apath.key(&zone.name),
                            cidr: net,
                            default_of: Some((attr, zone.name.clone())),
                        }),
                        Err(e) => match no_default
                            .iter_mut()
                            .find(|(z, _, _)| z.index == zone.index)
                        {
                            Some((_, attrs, _)) => attrs.push(attr),
                            None => no_default.push((zone, vec![attr], e)),
                        },
                    }
                }
            }
            _ => {}
        }
    }
    for (zone, attrs, why) in no_default {
        let attrs = attrs
            .iter()
            .map(|a| format!("network.{a}"))
            .collect::<Vec<_>>()
            .join(" and ");
        let why = match why {
            AllocationError::ZoneLetter(_) => format!(
                "{:?} does not end in a letter from a to h, so it has no default subnet block",
                zone.name
            ),
            other => other.to_string(),
        };
        r.error(
            &path.attr("availability_zones").index(zone.index as i64),
            "No default subnet CIDR",
            format!("{why}; set {attrs} with an entry for each zone."),
        );
    }
    for (i, a) in subnets.iter().enumerate() {
        for b in &subnets[i + 1..] {
            if !(a.cidr.contains(&b.cidr) || b.cidr.contains(&a.cidr)) {
                continue;
            }
            // Point at a CIDR the user wrote: defaults never overlap each other.
            let (at, other) = if b.default_of.is_none() {
                (b, a)
            } else {
                (a, b)
            };
            r.error(
                &at.path,
                "Overlapping subnet CIDRs",
                format!(
                    "{} overlaps {}; subnets of a VPC must not overlap.",
                    at.cidr,
                    other.describe()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Each diagnostic as (the full path its detail begins with, summary).
    fn errors(v: &Value) -> Vec<(String, String)> {
        validate_stack_config(v)
            .iter()
            .map(|d| {
                let path = d.detail.split_once(": ").map(|(p, _)| p);
                (path.unwrap_or_default().to_string(), d.summary.clone())
            })
            .collect()
    }

    /// One network with the given attributes replacing those of a good one.
    fn network(changes: Vec<(&str, Value)>) -> Value {
        let mut n = vec![
            ("cidr_block", s("10.0.0.0/16")),
            ("availability_zones", zones(&["us-east-1a", "us-east-1b"])),
        ];
        for (k, v) in changes {
            n.retain(|(kk, _)| *kk != k);
            if !v.is_null() {
                n.push((k, v));
            }
        }
        config(n)
    }

    fn cidrs(pairs: &[(&str, &str)]) -> Value {
        Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect())
    }

    fn number(n: i64) -> Value {
        Value::Number(tfplugin::Number::Int(n))
    }

    /// One bad input per check: the configuration, the summary, the full
    /// path as a user writes it, and the attribute path Terraform resolves
    /// (the top-level attribute; a top-level map's entry).
    fn one_bad_input_per_check() -> Vec<(Value, &'static str, &'static str, &'static str)> {
        vec![
            (
                network(vec![("cidr_block", s("10.0.0.0/33"))]),
                "Invalid VPC CIDR",
                "network.cidr_block",
                "network",
            ),
            (
                network(vec![("cidr_block", s("10.0.0.1/16"))]),
                "Invalid VPC CIDR",
                "network.cidr_block",
                "network",
            ),
            (
                network(vec![("cidr_block", s("10.0.0.0/26"))]),
                "VPC CIDR prefix out of range",
                "network.cidr_block",
                "network",
            ),
            (
                network(vec![("availability_zones", Value::Null)]),
                "No availability zones",
                "network.availability_zones",
                "network",
            ),
            (
                network(vec![("availability_zone_count", number(2))]),
                "Conflicting availability zone settings",
                "network.availability_zone_count",
                "network",
            ),
            (
                network(vec![
                    ("availability_zones", Value::Null),
                    ("availability_zone_count", number(7)),
                ]),
                "Invalid availability_zone_count",
                "network.availability_zone_count",
                "network",
            ),
            (
                network(vec![
                    ("availability_zones", Value::Null),
                    ("availability_zone_count", number(2)),
                    (
                        "private_subnet_cidrs",
                        cidrs(&[("us-east-1a", "10.0.0.0/20")]),
                    ),
                ]),
                "Explicit subnet CIDRs need named zones",
                "network.private_subnet_cidrs",
                "network",
            ),
            (
                network(vec![("availability_zones", zones(&["us-east-1a"]))]),
                "Wrong number of availability zones",
                "network.availability_zones",
                "network",
            ),
            (
                network(vec![("availability_zones", zones(&["us-east-1a", "mars"]))]),
                "Invalid availability zone",
                "network.availability_zones[1]",
                "network",
            ),
            (
                network(vec![(
                    "availability_zones",
                    zones(&["us-east-1a", "us-east-1a"]),
                )]),
                "Duplicate availability zone",
                "network.availability_zones[1]",
                "network",
            ),
            (
                network(vec![("nat_gateways", s("two"))]),
                "Invalid nat_gateways",
                "network.nat_gateways",
                "network",
            ),
            (
                network(vec![(
                    "public_subnet_cidrs",
                    cidrs(&[("us-east-1a", "10.0.128.0/20")]),
                )]),
                "Missing subnet CIDR",
                "network.public_subnet_cidrs",
                "network",
            ),
            (
                network(vec![(
                    "public_subnet_cidrs",
                    cidrs(&[
                        ("us-east-1a", "10.0.128.0/20"),
                        ("us-east-1b", "10.0.144.0/20"),
                        ("us-east-1c", "10.0.160.0/20"),
                    ]),
                )]),
                "Subnet CIDR for an unknown zone",
                "network.public_subnet_cidrs[\"us-east-1c\"]",
                "network",
            ),
            (
                network(vec![(
                    "public_subnet_cidrs",
                    cidrs(&[
                        ("us-east-1a", "10.1.0.0/20"),
                        ("us-east-1b", "10.0.144.0/20"),
                    ]),
                )]),
                "Subnet CIDR outside the VPC",
                "network.public_subnet_cidrs[\"us-east-1a\"]",
                "network",
            ),
            (
                network(vec![(
                    "private_subnet_cidrs",
                    cidrs(&[
                        ("us-east-1a", "10.0.0.0/20"),
                        ("us-east-1b", "10.0.16.1/20"),
                    ]),
                )]),
                "Invalid subnet CIDR",
                "network.private_subnet_cidrs[\"us-east-1b\"]",
                "network",
            ),
            (
                network(vec![(
                    "availability_zones",
                    zones(&["us-east-1a", "us-east-1z"]),
                )]),
                "No default subnet CIDR",
                "network.availability_zones[1]",
                "network",
            ),
            (
                network(vec![(
                    "public_subnet_cidrs",
                    cidrs(&[
                        ("us-east-1a", "10.0.0.0/24"),
                        ("us-east-1b", "10.0.200.0/24"),
                    ]),
                )]),
                "Overlapping subnet CIDRs",
                "network.public_subnet_cidrs[\"us-east-1a\"]",
                "network",
            ),
            (
                network(vec![
                    (
                        "public_subnet_cidrs",
                        cidrs(&[
                            ("us-east-1a", "10.0.128.0/20"),
                            ("us-east-1b", "10.0.144.0/20"),
                        ]),
                    ),
                    (
                        "private_subnet_cidrs",
                        cidrs(&[
                            ("us-east-1a", "10.0.0.0/20"),
                            ("us-east-1b", "10.0.144.0/24"),
                        ]),
                    ),
                ]),
                "Overlapping subnet CIDRs",
                "network.private_subnet_cidrs[\"us-east-1b\"]",
                "network",
            ),
            (
                obj(vec![("name", s("Todo_Prod"))]),
                "Invalid stack name",
                "name",
                "name",
            ),
            (
                obj(vec![
                    ("name", s("todo-prod")),
                    ("tags", cidrs(&[("aws:team", "x")])),
                ]),
                "Invalid tag",
                "tags[\"aws:team\"]",
                "tags[\"aws:team\"]",
            ),
            (
                obj(vec![
                    ("name", s("todo-prod")),
                    ("tags", cidrs(&[("todo:stack", "x")])),
                ]),
                "Reserved tag key",
                "tags[\"todo:stack\"]",
                "tags[\"todo:stack\"]",
            ),
            (
                obj(vec![("timeouts", obj(vec![("create", s("soon"))]))]),
                "Invalid timeout",
                "timeouts.create",
                "timeouts",
            ),
            (
                obj(vec![("timeouts", obj(vec![("delete", s("0s"))]))]),
                "Invalid timeout",
                "timeouts.delete",
                "timeouts",
            ),
        ]
    }

    #[test]
    fn each_diagnostic_names_its_full_path_and_points_where_terraform_can() {
        for (value, summary, path, resolved) in one_bad_input_per_check() {
            let found = validate_stack_config(&value);
            assert!(
                found.iter().any(|d| d.summary == summary
                    && d.detail.starts_with(&format!("{path}: "))
                    && d.attribute.as_ref().map(ToString::to_string).as_deref() == Some(resolved)),
                "expected {summary:?} with a detail starting \"{path}: \" at {resolved}, got {found:#?}"
            );
            // Every other diagnostic of the case keeps the convention too:
            // its path is the resolvable start of the path its detail names.
            for d in found.iter() {
                let attribute = d.attribute.clone().expect("a path");
                let (named, _) = d.detail.split_once(": ").expect("a path first");
                assert!(named.starts_with(&attribute.to_string()), "{d:#?}");
                match attribute.steps() {
                    [PathStep::Attribute(_)]
                    | [
                        PathStep::Attribute(_),
                        PathStep::Key(_) | PathStep::Index(_),
                    ] => {}
                    _ => panic!("Terraform cannot resolve {attribute}: {d:#?}"),
                }
            }
        }
    }

    #[test]
    fn each_problem_is_reported_once() {
        for (value, _, _, _) in one_bad_input_per_check() {
            let found = validate_stack_config(&value).0;
            for (i, d) in found.iter().enumerate() {
                assert!(!found[i + 1..].contains(d), "reported twice: {d:#?}");
            }
        }
        let count = |value: &Value, summary: &str| {
            validate_stack_config(value)
                .iter()
                .filter(|d| d.summary == summary)
                .count()
        };
        // A zone listed twice is one missing entry, not two.
        let twice = network(vec![
            (
                "availability_zones",
                zones(&["us-east-1a", "us-east-1b", "us-east-1a"]),
            ),
            (
                "public_subnet_cidrs",
                cidrs(&[("us-east-1b", "10.0.144.0/20")]),
            ),
        ]);
        assert_eq!(
            count(&twice, "Missing subnet CIDR"),
            1,
            "{:#?}",
            validate_stack_config(&twice)
        );
        // A zone without a default block is one problem, whichever subnets need it.
        let z = network(vec![(
            "availability_zones",
            zones(&["us-east-1a", "us-east-1z"]),
        )]);
        assert_eq!(
            count(&z, "No default subnet CIDR"),
            1,
            "{:#?}",
            validate_stack_config(&z)
        );
        // A duplicate zone is reported as such, not also as overlapping subnets.
        let duplicate = network(vec![(
            "availability_zones",
            zones(&["us-east-1a", "us-east-1b", "us-east-1a"]),
        )]);
        let summaries: Vec<String> = validate_stack_config(&duplicate)
            .iter()
            .map(|d| d.summary.clone())
            .collect();
        assert_eq!(summaries, vec!["Duplicate availability zone".to_string()]);
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
    fn attributes_it_has_no_check_for_are_ignored() {
        let v = obj(vec![
            ("name", s("todo-prod")),
            (
                "network",
                obj(vec![
                    ("cidr_block", s("10.0.0.0/16")),
                    ("availability_zones", zones(&["us-east-1a", "us-east-1b"])),
                    ("vpc_id", Value::Unknown),
                ]),
            ),
            ("region", Value::Unknown),
            ("stack_id", Value::Null),
            ("drift", Value::List(vec![s("a route was added")])),
            (
                "timeouts",
                obj(vec![("read", s("5m")), ("create", Value::Unknown)]),
            ),
        ]);
        assert_eq!(errors(&v), vec![]);
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
