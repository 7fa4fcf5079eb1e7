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
use super::schema::KUBERNETES_VERSIONS;
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
    validate_cluster(config.get("cluster"), &mut r);
    data::validate_database(
        config.get("database"),
        config.get("network"),
        config.get("name"),
        &mut r,
    );
    data::validate_storage(config.get("storage"), &mut r);
    monitoring::validate_monitoring(config.get("monitoring"), &mut r);
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

#[path = "validate_data.rs"]
mod data;

#[path = "validate_monitoring.rs"]
mod monitoring;

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
        self.add(
            tfplugin::Diagnostic::error(summary, format!("{path}: {detail}")),
            path,
        );
    }

    /// Adds a warning about the value at `path`, the same way as
    /// [`Report::error`].
    fn warning(&mut self, path: &AttributePath, summary: &str, detail: impl Display) {
        self.add(
            tfplugin::Diagnostic::warning(summary, format!("{path}: {detail}")),
            path,
        );
    }

    fn add(&mut self, diagnostic: tfplugin::Diagnostic, path: &AttributePath) {
        let diagnostic = diagnostic.at(resolvable(path));
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

/// The control-plane log types EKS can send to CloudWatch.
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The AWS partitions an admin ARN may name.
const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// The EKS AMI types a node group may use (`CUSTOM` needs a launch template,
/// which the provider does not support).
const AMI_TYPES: [&str; 16] = [
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "AL2023_x86_64_NEURON",
    "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA",
    "AL2_x86_64",
    "AL2_x86_64_GPU",
    "AL2_ARM_64",
    "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64",
    "BOTTLEROCKET_x86_64_NVIDIA",
    "BOTTLEROCKET_ARM_64_NVIDIA",
    "WINDOWS_CORE_2019_x86_64",
    "WINDOWS_FULL_2019_x86_64",
    "WINDOWS_CORE_2022_x86_64",
    "WINDOWS_FULL_2022_x86_64",
];

/// A node group's capacity types.
const CAPACITY_TYPES: [&str; 2] = ["ON_DEMAND", "SPOT"];

/// A taint's effects.
const TAINT_EFFECTS: [&str; 3] = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"];

/// Node groups per cluster (EKS quota).
const MAX_NODE_GROUPS: usize = 30;
/// Length of a node group's key: EKS allows 63 characters and the EKS name
/// is the key plus a 9-character suffix (`-<8 hex>`).
const MAX_NODE_GROUP_KEY: usize = 40;
/// Nodes per node group (EKS quota).
const MAX_NODES: i64 = 1000;
/// Instance types per node group.
const MAX_INSTANCE_TYPES: usize = 20;
/// Taints per node group.
const MAX_TAINTS: usize = 50;
/// Length of a taint key or value, a label value, a label key's name part.
const MAX_K8S_NAME: usize = 63;
/// Length of an add-on name.
const MAX_ADDON_NAME: usize = 100;

/// `"a", "b" or "c"`.
fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// The supported Kubernetes versions, `1.28 to 1.33`.
fn supported_versions() -> String {
    format!(
        "1.{} to 1.{}",
        KUBERNETES_VERSIONS.start(),
        KUBERNETES_VERSIONS.end()
    )
}

/// The minor version of a `1.NN` Kubernetes version (no leading zero).
fn kubernetes_minor(version: &str) -> Option<u32> {
    let minor = version.strip_prefix("1.")?;
    let ok = (1..=2).contains(&minor.len())
        && minor.chars().all(|c| c.is_ascii_digit())
        && (minor == "0" || !minor.starts_with('0'));
    if ok { minor.parse().ok() } else { None }
}

/// Checks that a cluster may go from Kubernetes version `prior` (the
/// cluster's, from the state) to `new` (the configuration's) in one apply:
/// the same version, or one minor version up. EKS cannot downgrade a cluster
/// and upgrades one minor version at a time. A `prior` that is not a `1.NN`
/// version is not judged (EKS decides). The error message begins with
/// `cluster.version: `, the convention of every diagnostic of the stack.
pub fn check_version_step(prior: &str, new: &str) -> Result<(), String> {
    let Some(to) = kubernetes_minor(new) else {
        return Err(format!(
            "cluster.version: {new:?} is not a Kubernetes version like \"1.31\"; supported: {}.",
            supported_versions()
        ));
    };
    let Some(from) = kubernetes_minor(prior) else {
        return Ok(());
    };
    if to < from {
        Err(format!(
            "cluster.version: EKS cannot downgrade a cluster: it runs Kubernetes 1.{from} and the configuration says 1.{to}; set it back to \"1.{from}\"."
        ))
    } else if to > from + 1 {
        Err(format!(
            "cluster.version: cannot upgrade from 1.{from} to 1.{to} in one apply: EKS upgrades one minor version at a time; set \"1.{}\" and apply, then go on towards \"1.{to}\".",
            from + 1
        ))
    } else {
        Ok(())
    }
}

fn validate_cluster(cluster: &Value, r: &mut Report) {
    if cluster.is_null() || cluster.is_unknown() {
        return;
    }
    let path = AttributePath::new("cluster");
    if let Some(version) = cluster.get("version").as_str() {
        let vpath = path.attr("version");
        match kubernetes_minor(version) {
            None => r.error(
                &vpath,
                "Invalid Kubernetes version",
                format!(
                    "{version:?} is not a Kubernetes version of the form \"1.NN\", like \"1.31\"; supported: {}.",
                    supported_versions()
                ),
            ),
            Some(minor) if !KUBERNETES_VERSIONS.contains(&minor) => r.error(
                &vpath,
                "Unsupported Kubernetes version",
                format!(
                    "{version:?} is not supported; use a version from {} (EKS standard and extended support).",
                    supported_versions()
                ),
            ),
            Some(_) => {}
        }
    }
    check_endpoint_access(cluster, &path, r);
    if let Value::List(items) = cluster.get("public_access_cidrs") {
        let lpath = path.attr("public_access_cidrs");
        for (i, item) in items.iter().enumerate() {
            let Some(text) = item.as_str() else { continue };
            let why = match text.parse::<Ipv4Net>() {
                Ok(net) if net.network() == net.addr() => continue,
                Ok(net) => format!(
                    "{text:?} has host bits set; did you mean \"{}\"?",
                    net.trunc()
                ),
                Err(_) => format!(
                    "{text:?} is not an IPv4 CIDR block like \"203.0.113.0/24\" (\"0.0.0.0/0\" allows any address)."
                ),
            };
            r.error(&lpath.index(i as i64), "Invalid public access CIDR", why);
        }
    }
    check_list(
        cluster.get("log_types"),
        &path.attr("log_types"),
        ("Invalid log type", "Duplicate log type", "log type"),
        |t| {
            if LOG_TYPES.contains(&t) {
                Ok(())
            } else {
                Err(format!(
                    "{t:?} is not a control-plane log type; use {} (names are case-sensitive).",
                    one_of(&LOG_TYPES)
                ))
            }
        },
        r,
    );
    check_list(
        cluster.get("admins"),
        &path.attr("admins"),
        ("Invalid admin ARN", "Duplicate admin", "principal"),
        check_principal_arn,
        r,
    );
    if let Value::Map(addons) = cluster.get("addons") {
        let apath = path.attr("addons");
        for (name, addon) in addons {
            let at = apath.key(name);
            if let Err(why) = check_addon_name(name) {
                r.error(&at, "Invalid add-on name", why);
            }
            if let Some(version) = addon.get("version").as_str()
                && !is_addon_version(version)
            {
                r.error(
                    &at.attr("version"),
                    "Invalid add-on version",
                    format!(
                        "{version:?} is not an EKS add-on version like \"v1.19.2-eksbuild.1\" (v<major>.<minor>.<patch>-eksbuild.<n>); omit it for EKS's default version."
                    ),
                );
            }
        }
    }
    if let Value::Map(groups) = cluster.get("node_groups") {
        let gpath = path.attr("node_groups");
        if groups.len() > MAX_NODE_GROUPS {
            r.error(
                &gpath,
                "Too many node groups",
                format!(
                    "{} node groups; EKS allows at most {MAX_NODE_GROUPS} per cluster.",
                    groups.len()
                ),
            );
        }
        for (key, group) in groups {
            let at = gpath.key(key);
            if let Err(why) = check_node_group_key(key) {
                r.error(&at, "Invalid node group name", why);
            }
            if !group.is_null() && !group.is_unknown() {
                check_node_group(group, &at, r);
            }
        }
    }
}

/// The endpoint flags: one of them on; a warning when the API is private only.
fn check_endpoint_access(cluster: &Value, path: &AttributePath, r: &mut Report) {
    // A known flag, or its default when null; None while unknown.
    let flag = |value: &Value, default: bool| match value {
        Value::Bool(b) => Some(*b),
        Value::Null => Some(default),
        _ => None,
    };
    let public = cluster.get("endpoint_public_access");
    let public_text = if public.is_null() {
        "not set (default false)"
    } else {
        "false"
    };
    match (
        flag(cluster.get("endpoint_private_access"), true),
        flag(public, false),
    ) {
        (Some(false), Some(false)) => r.error(
            &path.attr("endpoint_private_access"),
            "Kubernetes API unreachable",
            format!(
                "false while cluster.endpoint_public_access is {public_text}: the Kubernetes API would be reachable from nowhere; set at least one of them to true."
            ),
        ),
        (Some(true), Some(false)) => r.warning(
            &path.attr("endpoint_public_access"),
            "Kubernetes API reachable only from the VPC",
            format!(
                "{public_text}, so the API endpoint is private only: kubectl, and Terraform providers that talk to the cluster (kubernetes, helm), must run from inside the VPC (VPN, bastion host, VPC peering). Set it to true (and narrow cluster.public_access_cidrs) to reach the API from elsewhere."
            ),
        ),
        _ => {}
    }
}

/// Checks each known string of a list with `check` and reports repeated
/// ones. `summaries` are the summaries of an invalid and of a repeated
/// item, and what an item is called.
fn check_list(
    value: &Value,
    path: &AttributePath,
    (invalid, duplicate, noun): (&str, &str, &str),
    check: impl Fn(&str) -> Result<(), String>,
    r: &mut Report,
) {
    let Value::List(items) = value else { return };
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else { continue };
        let at = path.index(i as i64);
        if let Err(why) = check(text) {
            r.error(&at, invalid, why);
        }
        if !seen.insert(text) {
            r.error(
                &at,
                duplicate,
                format!("{text:?} is listed twice; each {noun} may appear once."),
            );
        }
    }
}

/// Checks an IAM role or user ARN, `arn:aws:iam::123456789012:role/path/name`.
fn check_principal_arn(arn: &str) -> Result<(), String> {
    let expected = "expected an IAM role or user ARN like \"arn:aws:iam::123456789012:role/admins\" or \"arn:aws:iam::123456789012:user/path/alice\" (partition aws, aws-cn or aws-us-gov).";
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if let [_, _, "sts", _, _, resource] = parts[..]
        && resource.starts_with("assumed-role/")
    {
        return Err(format!(
            "{arn:?} is an assumed-role session, not an IAM principal: give the role's ARN, arn:<partition>:iam::<account>:role/<name>."
        ));
    }
    let name_ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    };
    let ok = match parts[..] {
        ["arn", partition, "iam", "", account, resource] => {
            PARTITIONS.contains(&partition)
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && match resource.split_once('/') {
                    Some(("role" | "user", rest)) => {
                        rest.split('/').all(name_ok)
                            && rest.rsplit('/').next().is_some_and(|n| n.len() <= 64)
                    }
                    _ => false,
                }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{arn:?} is not an IAM principal ARN; {expected}"))
    }
}

/// Checks an add-on name: 1 to 100 lowercase letters, digits and hyphens.
fn check_addon_name(name: &str) -> Result<(), String> {
    let ok = (1..=MAX_ADDON_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an EKS add-on name: use 1 to {MAX_ADDON_NAME} lowercase letters, digits and hyphens, like \"vpc-cni\" or \"aws-ebs-csi-driver\"."
        ))
    }
}

/// Whether `version` is `v<major>.<minor>.<patch>-eksbuild.<n>`.
fn is_addon_version(version: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let Some((semver, build)) = version
        .strip_prefix('v')
        .and_then(|v| v.split_once("-eksbuild."))
    else {
        return false;
    };
    let parts: Vec<&str> = semver.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| number(p)) && number(build)
}

/// Checks a node group's key (its name in the configuration).
fn check_node_group_key(key: &str) -> Result<(), String> {
    let ok = (1..=MAX_NODE_GROUP_KEY).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_alphanumeric())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{key:?} is not a valid node group name: use 1 to {MAX_NODE_GROUP_KEY} letters, digits, hyphens and underscores, starting with a letter or digit (EKS allows 63 characters and the provider adds a 9-character suffix)."
        ))
    }
}

/// Whether `text` is an instance type like `m6i.large` (family.size).
fn is_instance_type(text: &str) -> bool {
    let Some((family, size)) = text.split_once('.') else {
        return false;
    };
    let lower_digit = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    family.starts_with(|c: char| c.is_ascii_lowercase())
        && family.chars().all(|c| lower_digit(c) || c == '-')
        // `metal-24xl` sizes exist (c7i.metal-24xl): hyphens between words.
        && size.split('-').all(|w| !w.is_empty() && w.chars().all(lower_digit))
}

/// A known whole number within `range`; reports any other known number.
fn whole_in(
    value: &Value,
    path: &AttributePath,
    summary: &str,
    range: std::ops::RangeInclusive<i64>,
    rule: &str,
    r: &mut Report,
) -> Option<i64> {
    let Value::Number(n) = value else { return None };
    match n.as_i64() {
        Some(i) if range.contains(&i) => return Some(i),
        Some(_) => r.error(path, summary, format!("{n} is out of range: {rule}.")),
        None => r.error(path, summary, format!("{n} is not a whole number: {rule}.")),
    }
    None
}

/// Checks one node group's settings.
fn check_node_group(group: &Value, path: &AttributePath, r: &mut Report) {
    check_node_group_sizes(group, path, r);
    let tpath = path.attr("instance_types");
    if let Value::List(types) = group.get("instance_types") {
        if types.is_empty() {
            r.error(
                &tpath,
                "No instance types",
                "the list is empty; give at least one instance type, like [\"m6i.large\"] (the default when the attribute is omitted).",
            );
        } else if types.len() > MAX_INSTANCE_TYPES {
            r.error(
                &tpath,
                "Too many instance types",
                format!(
                    "{} instance types; a node group may have at most {MAX_INSTANCE_TYPES}.",
                    types.len()
                ),
            );
        }
    }
    check_list(
        group.get("instance_types"),
        &tpath,
        (
            "Invalid instance type",
            "Duplicate instance type",
            "instance type",
        ),
        |t| {
            if is_instance_type(t) {
                Ok(())
            } else {
                Err(format!(
                    "{t:?} is not an EC2 instance type of the form family.size, like \"m6i.large\"."
                ))
            }
        },
        r,
    );
    if let Some(capacity) = group.get("capacity_type").as_str()
        && !CAPACITY_TYPES.contains(&capacity)
    {
        r.error(
            &path.attr("capacity_type"),
            "Invalid capacity type",
            format!("{capacity:?} is not {}.", one_of(&CAPACITY_TYPES)),
        );
    }
    if let Some(ami) = group.get("ami_type").as_str()
        && !AMI_TYPES.contains(&ami)
    {
        let why = if ami == "CUSTOM" {
            format!(
                "\"CUSTOM\" needs a launch template, which this provider does not support; use an EKS AMI type: {}.",
                one_of(&AMI_TYPES)
            )
        } else {
            format!(
                "{ami:?} is not an EKS AMI type; use {} (case-sensitive).",
                one_of(&AMI_TYPES)
            )
        };
        r.error(&path.attr("ami_type"), "Invalid AMI type", why);
    }
    whole_in(
        group.get("disk_size"),
        &path.attr("disk_size"),
        "Invalid disk size",
        20..=16384,
        "the root volume is 20 to 16384 GiB",
        r,
    );
    whole_in(
        group.get("max_unavailable_percentage"),
        &path.attr("max_unavailable_percentage"),
        "Invalid max_unavailable_percentage",
        1..=100,
        "use a percentage from 1 to 100",
        r,
    );
    check_taints(group.get("taints"), &path.attr("taints"), r);
    check_labels(group.get("labels"), &path.attr("labels"), r);
}

/// `min_size`, `max_size` and `desired_size`, each and together.
fn check_node_group_sizes(group: &Value, path: &AttributePath, r: &mut Report) {
    let summary = "Invalid node group size";
    let min = whole_in(
        group.get("min_size"),
        &path.attr("min_size"),
        summary,
        0..=MAX_NODES,
        &format!("use 0 to {MAX_NODES} nodes"),
        r,
    );
    let max = whole_in(
        group.get("max_size"),
        &path.attr("max_size"),
        summary,
        1..=MAX_NODES,
        &format!("use 1 to {MAX_NODES} nodes (EKS allows at most {MAX_NODES} per node group)"),
        r,
    );
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        r.error(
            &path.attr("min_size"),
            summary,
            format!("{min} is above max_size {max}; min_size must be at most max_size."),
        );
        return;
    }
    let dpath = path.attr("desired_size");
    let Some(desired) = whole_in(
        group.get("desired_size"),
        &dpath,
        summary,
        0..=MAX_NODES,
        &format!("use 0 to {MAX_NODES} nodes, from min_size to max_size"),
        r,
    ) else {
        return;
    };
    if let Some(min) = min
        && desired < min
    {
        r.error(
            &dpath,
            summary,
            format!(
                "{desired} is below min_size {min}; desired_size must be from min_size to max_size."
            ),
        );
    } else if let Some(max) = max
        && desired > max
    {
        r.error(
            &dpath,
            summary,
            format!(
                "{desired} is above max_size {max}; desired_size must be from min_size to max_size."
            ),
        );
    }
}

/// A node group's taints: at most 50, valid keys and effects, each
/// key and effect once.
fn check_taints(value: &Value, path: &AttributePath, r: &mut Report) {
    let Value::List(taints) = value else { return };
    if taints.len() > MAX_TAINTS {
        r.error(
            path,
            "Too many taints",
            format!(
                "{} taints; a node group may have at most {MAX_TAINTS}.",
                taints.len()
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, taint) in taints.iter().enumerate() {
        let at = path.index(i as i64);
        let key = taint.get("key").as_str();
        let effect = taint.get("effect").as_str();
        if let Some(key) = key
            && !(1..=MAX_K8S_NAME).contains(&key.chars().count())
        {
            r.error(
                &at.attr("key"),
                "Invalid taint key",
                format!(
                    "{key:?} is {} characters long; a taint key is 1 to {MAX_K8S_NAME} characters.",
                    key.chars().count()
                ),
            );
        }
        if let Some(text) = taint.get("value").as_str()
            && text.chars().count() > MAX_K8S_NAME
        {
            r.error(
                &at.attr("value"),
                "Invalid taint value",
                format!(
                    "the value is {} characters long; a taint value is at most {MAX_K8S_NAME} characters.",
                    text.chars().count()
                ),
            );
        }
        if let Some(effect) = effect
            && !TAINT_EFFECTS.contains(&effect)
        {
            r.error(
                &at.attr("effect"),
                "Invalid taint effect",
                format!("{effect:?} is not {}.", one_of(&TAINT_EFFECTS)),
            );
        }
        if let (Some(key), Some(effect)) = (key, effect)
            && !seen.insert((key, effect))
        {
            r.error(
                &at,
                "Duplicate taint",
                format!(
                    "key {key:?} with effect {effect} is given twice; a node may have one taint per key and effect."
                ),
            );
        }
    }
}

/// A node group's labels: `[prefix/]name` keys with a 1 to 63 character
/// name, values of at most 63 characters.
fn check_labels(value: &Value, path: &AttributePath, r: &mut Report) {
    let Value::Map(labels) = value else { return };
    for (key, text) in labels {
        let at = path.key(key);
        let name = key.split_once('/').map_or(key.as_str(), |(_, name)| name);
        if key.is_empty() || key.starts_with('/') || name.is_empty() {
            r.error(
                &at,
                "Invalid label key",
                format!(
                    "{key:?} is not a label key: use a name of 1 to {MAX_K8S_NAME} characters, optionally after a prefix and a slash, like \"team\" or \"example.com/team\"."
                ),
            );
        } else if name.chars().count() > MAX_K8S_NAME {
            r.error(
                &at,
                "Invalid label key",
                format!(
                    "the name part of {key:?} is {} characters long; at most {MAX_K8S_NAME} (after an optional \"prefix/\").",
                    name.chars().count()
                ),
            );
        }
        if let Some(text) = text.as_str()
            && text.chars().count() > MAX_K8S_NAME
        {
            r.error(
                &at,
                "Invalid label value",
                format!(
                    "the value is {} characters long; a label value is at most {MAX_K8S_NAME} characters.",
                    text.chars().count()
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
        .into_iter()
        .chain(bad_cluster_inputs())
        .collect()
    }

    /// `base` with the attributes of `changes` replacing its own (a null
    /// change removes the attribute).
    fn replaced<'a>(
        mut base: Vec<(&'a str, Value)>,
        changes: Vec<(&'a str, Value)>,
    ) -> Vec<(&'a str, Value)> {
        for (k, v) in changes {
            base.retain(|(kk, _)| *kk != k);
            if !v.is_null() {
                base.push((k, v));
            }
        }
        base
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| s(i)).collect())
    }

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// A good configuration with `cluster`.
    fn with_cluster(cluster: Value) -> Value {
        let Value::Object(mut config) = network(vec![]) else {
            unreachable!()
        };
        config.insert("cluster".to_string(), cluster);
        Value::Object(config)
    }

    /// A good cluster with a public endpoint (so no warning), with
    /// `changes`.
    fn cluster(changes: Vec<(&str, Value)>) -> Value {
        obj(replaced(
            vec![
                ("version", s("1.31")),
                ("endpoint_public_access", Value::Bool(true)),
            ],
            changes,
        ))
    }

    /// A configuration whose cluster has `changes`.
    fn with(changes: Vec<(&str, Value)>) -> Value {
        with_cluster(cluster(changes))
    }

    /// A good node group with `changes`.
    fn group(changes: Vec<(&str, Value)>) -> Value {
        obj(replaced(
            vec![("min_size", number(1)), ("max_size", number(3))],
            changes,
        ))
    }

    /// A configuration whose one node group, "general", has `changes`.
    fn with_group(changes: Vec<(&str, Value)>) -> Value {
        with(vec![(
            "node_groups",
            map(vec![("general", group(changes))]),
        )])
    }

    fn taint(key: &str, effect: &str) -> Value {
        obj(vec![("key", s(key)), ("effect", s(effect))])
    }

    /// The details of the errors (not warnings) of a configuration.
    fn error_details(v: &Value) -> Vec<String> {
        validate_stack_config(v)
            .iter()
            .filter(|d| d.severity == tfplugin::Severity::Error)
            .map(|d| d.detail.clone())
            .collect()
    }

    /// Asserts that `v` has exactly one diagnostic, an error whose detail
    /// starts with `start`.
    #[track_caller]
    fn one_error(v: &Value, start: &str) {
        let found = validate_stack_config(v);
        assert!(
            found.0.len() == 1
                && found.0[0].severity == tfplugin::Severity::Error
                && found.0[0].detail.starts_with(start),
            "expected one error starting {start:?}, got {found:#?}"
        );
    }

    /// One bad input per check of `cluster`.
    fn bad_cluster_inputs() -> Vec<(Value, &'static str, &'static str, &'static str)> {
        let c =
            |changes: Vec<(&str, Value)>, summary, path| (with(changes), summary, path, "cluster");
        let g = |changes: Vec<(&str, Value)>, summary, path| {
            (with_group(changes), summary, path, "cluster")
        };
        let many = |n: usize, f: &dyn Fn(usize) -> Value| Value::List((0..n).map(f).collect());
        vec![
            c(
                vec![("version", s("1.31.2"))],
                "Invalid Kubernetes version",
                "cluster.version",
            ),
            c(
                vec![("version", s("1.27"))],
                "Unsupported Kubernetes version",
                "cluster.version",
            ),
            c(
                vec![(
                    "public_access_cidrs",
                    list(&["0.0.0.0/0", "203.0.113.7/24"]),
                )],
                "Invalid public access CIDR",
                "cluster.public_access_cidrs[1]",
            ),
            c(
                vec![("public_access_cidrs", list(&["my office"]))],
                "Invalid public access CIDR",
                "cluster.public_access_cidrs[0]",
            ),
            c(
                vec![
                    ("endpoint_private_access", Value::Bool(false)),
                    ("endpoint_public_access", Value::Bool(false)),
                ],
                "Kubernetes API unreachable",
                "cluster.endpoint_private_access",
            ),
            c(
                vec![("endpoint_public_access", Value::Null)],
                "Kubernetes API reachable only from the VPC",
                "cluster.endpoint_public_access",
            ),
            c(
                vec![("log_types", list(&["api", "controller"]))],
                "Invalid log type",
                "cluster.log_types[1]",
            ),
            c(
                vec![("log_types", list(&["api", "audit", "api"]))],
                "Duplicate log type",
                "cluster.log_types[2]",
            ),
            c(
                vec![("admins", list(&["arn:aws:iam::1234:role/admin"]))],
                "Invalid admin ARN",
                "cluster.admins[0]",
            ),
            c(
                vec![(
                    "admins",
                    list(&[
                        "arn:aws:iam::123456789012:role/a",
                        "arn:aws:iam::123456789012:role/a",
                    ]),
                )],
                "Duplicate admin",
                "cluster.admins[1]",
            ),
            c(
                vec![("addons", map(vec![("VPC_CNI", obj(vec![]))]))],
                "Invalid add-on name",
                "cluster.addons[\"VPC_CNI\"]",
            ),
            c(
                vec![(
                    "addons",
                    map(vec![("coredns", obj(vec![("version", s("1.11.3"))]))]),
                )],
                "Invalid add-on version",
                "cluster.addons[\"coredns\"].version",
            ),
            c(
                vec![(
                    "node_groups",
                    Value::Map((0..31).map(|i| (format!("g{i}"), group(vec![]))).collect()),
                )],
                "Too many node groups",
                "cluster.node_groups",
            ),
            c(
                vec![("node_groups", map(vec![("-general", group(vec![]))]))],
                "Invalid node group name",
                "cluster.node_groups[\"-general\"]",
            ),
            g(
                vec![("min_size", number(-1))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].min_size",
            ),
            g(
                vec![("max_size", number(0)), ("min_size", number(0))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].max_size",
            ),
            g(
                vec![("max_size", number(1001))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].max_size",
            ),
            g(
                vec![("min_size", number(4))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].min_size",
            ),
            g(
                vec![("desired_size", number(5))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].desired_size",
            ),
            g(
                vec![("desired_size", number(0))],
                "Invalid node group size",
                "cluster.node_groups[\"general\"].desired_size",
            ),
            g(
                vec![("instance_types", list(&[]))],
                "No instance types",
                "cluster.node_groups[\"general\"].instance_types",
            ),
            g(
                vec![("instance_types", many(21, &|i| s(&format!("m{i}.large"))))],
                "Too many instance types",
                "cluster.node_groups[\"general\"].instance_types",
            ),
            g(
                vec![("instance_types", list(&["m6i.large", "M6i"]))],
                "Invalid instance type",
                "cluster.node_groups[\"general\"].instance_types[1]",
            ),
            g(
                vec![("instance_types", list(&["m6i.large", "m6i.large"]))],
                "Duplicate instance type",
                "cluster.node_groups[\"general\"].instance_types[1]",
            ),
            g(
                vec![("capacity_type", s("spot"))],
                "Invalid capacity type",
                "cluster.node_groups[\"general\"].capacity_type",
            ),
            g(
                vec![("ami_type", s("CUSTOM"))],
                "Invalid AMI type",
                "cluster.node_groups[\"general\"].ami_type",
            ),
            g(
                vec![("ami_type", s("UBUNTU"))],
                "Invalid AMI type",
                "cluster.node_groups[\"general\"].ami_type",
            ),
            g(
                vec![("disk_size", number(10))],
                "Invalid disk size",
                "cluster.node_groups[\"general\"].disk_size",
            ),
            g(
                vec![("max_unavailable_percentage", number(0))],
                "Invalid max_unavailable_percentage",
                "cluster.node_groups[\"general\"].max_unavailable_percentage",
            ),
            g(
                vec![(
                    "taints",
                    many(51, &|i| taint(&format!("k{i}"), "NO_SCHEDULE")),
                )],
                "Too many taints",
                "cluster.node_groups[\"general\"].taints",
            ),
            g(
                vec![("taints", Value::List(vec![taint("gpu", "NoSchedule")]))],
                "Invalid taint effect",
                "cluster.node_groups[\"general\"].taints[0].effect",
            ),
            g(
                vec![("taints", Value::List(vec![taint("", "NO_SCHEDULE")]))],
                "Invalid taint key",
                "cluster.node_groups[\"general\"].taints[0].key",
            ),
            g(
                vec![(
                    "taints",
                    Value::List(vec![obj(vec![
                        ("key", s("gpu")),
                        ("value", s(&"v".repeat(64))),
                        ("effect", s("NO_SCHEDULE")),
                    ])]),
                )],
                "Invalid taint value",
                "cluster.node_groups[\"general\"].taints[0].value",
            ),
            g(
                vec![(
                    "taints",
                    Value::List(vec![
                        taint("gpu", "NO_SCHEDULE"),
                        taint("gpu", "NO_EXECUTE"),
                        taint("gpu", "NO_SCHEDULE"),
                    ]),
                )],
                "Duplicate taint",
                "cluster.node_groups[\"general\"].taints[2]",
            ),
            g(
                vec![("labels", cidrs(&[("example.com/", "x")]))],
                "Invalid label key",
                "cluster.node_groups[\"general\"].labels[\"example.com/\"]",
            ),
            g(
                vec![("labels", cidrs(&[("team", &"v".repeat(64))]))],
                "Invalid label value",
                "cluster.node_groups[\"general\"].labels[\"team\"]",
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

    /// Every attribute of the cluster set, and set well.
    fn full_cluster() -> Value {
        let general = group(vec![
            (
                "instance_types",
                list(&["m6i.large", "m7i-flex.large", "c7i.metal-24xl"]),
            ),
            ("capacity_type", s("ON_DEMAND")),
            ("ami_type", s("AL2023_x86_64_STANDARD")),
            ("disk_size", number(50)),
            ("min_size", number(1)),
            ("max_size", number(3)),
            ("desired_size", number(2)),
            (
                "labels",
                cidrs(&[
                    ("role", "general"),
                    ("example.com/team", "web"),
                    ("empty", ""),
                ]),
            ),
            (
                "taints",
                Value::List(vec![
                    obj(vec![
                        ("key", s("dedicated")),
                        ("value", s("web")),
                        ("effect", s("NO_SCHEDULE")),
                    ]),
                    taint("dedicated", "NO_EXECUTE"),
                    taint("example.com/drain", "PREFER_NO_SCHEDULE"),
                ]),
            ),
            ("max_unavailable_percentage", number(33)),
            ("autoscaler_owns_desired_size", Value::Bool(true)),
            ("name", Value::Null),
            ("arn", Value::Null),
            ("status", Value::Null),
        ]);
        let spot = group(vec![
            ("instance_types", list(&["m6g.large", "m7g.large"])),
            ("capacity_type", s("SPOT")),
            ("ami_type", s("BOTTLEROCKET_ARM_64")),
            ("disk_size", number(20)),
            ("min_size", number(0)),
            ("max_size", number(1000)),
            ("desired_size", number(0)),
            ("max_unavailable_percentage", number(100)),
            ("autoscaler_owns_desired_size", Value::Bool(false)),
        ]);
        cluster(vec![
            ("version", s("1.33")),
            ("endpoint_private_access", Value::Bool(true)),
            ("endpoint_public_access", Value::Bool(true)),
            (
                "public_access_cidrs",
                list(&["203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0"]),
            ),
            (
                "log_types",
                list(&[
                    "api",
                    "audit",
                    "authenticator",
                    "controllerManager",
                    "scheduler",
                ]),
            ),
            (
                "admins",
                list(&[
                    "arn:aws:iam::123456789012:role/admins",
                    "arn:aws:iam::123456789012:role/platform/team/ops-admin",
                    "arn:aws-us-gov:iam::123456789012:user/alice",
                    "arn:aws-cn:iam::123456789012:user/people/bob+ops@example.com",
                ]),
            ),
            (
                "addons",
                map(vec![
                    ("vpc-cni", obj(vec![("version", s("v1.19.2-eksbuild.1"))])),
                    ("coredns", obj(vec![("version", Value::Null)])),
                    ("kube-proxy", obj(vec![])),
                    (
                        "aws-ebs-csi-driver",
                        obj(vec![("version", s("v1.38.1-eksbuild.12"))]),
                    ),
                ]),
            ),
            (
                "node_groups",
                map(vec![("general", general), ("spot_arm-2", spot)]),
            ),
            ("name", Value::Null),
            ("arn", Value::Null),
            ("endpoint", Value::Null),
        ])
    }

    #[test]
    fn a_full_cluster_config_passes() {
        let v = with_cluster(full_cluster());
        assert_eq!(errors(&v), vec![]);
        // The smallest cluster (a version) is good too, only warned about.
        let v = with_cluster(obj(vec![("version", s("1.31"))]));
        assert_eq!(error_details(&v), Vec::<String>::new());
    }

    #[test]
    fn unknown_cluster_values_are_not_checked() {
        assert_eq!(errors(&with_cluster(Value::Unknown)), vec![]);
        assert_eq!(errors(&with_cluster(Value::Null)), vec![]);
        let u = || Value::Unknown;
        let everything_unknown = obj(vec![
            ("version", u()),
            ("endpoint_private_access", u()),
            ("endpoint_public_access", u()),
            ("public_access_cidrs", u()),
            ("log_types", u()),
            ("admins", u()),
            ("addons", u()),
            ("node_groups", u()),
        ]);
        assert_eq!(errors(&with_cluster(everything_unknown)), vec![]);
        let group_of_unknowns = obj(vec![
            (
                "instance_types",
                Value::List(vec![u(), s("m6i.large"), u()]),
            ),
            ("capacity_type", u()),
            ("ami_type", u()),
            ("disk_size", u()),
            ("min_size", u()),
            ("max_size", number(3)),
            ("desired_size", number(5)),
            ("labels", Value::Map([("team".to_string(), u())].into())),
            (
                "taints",
                Value::List(vec![
                    u(),
                    obj(vec![("key", u()), ("effect", s("NO_SCHEDULE"))]),
                    obj(vec![("key", u()), ("effect", s("NO_SCHEDULE"))]),
                ]),
            ),
            ("max_unavailable_percentage", u()),
        ]);
        let inner_unknowns = obj(vec![
            ("version", u()),
            ("endpoint_private_access", u()),
            ("endpoint_public_access", Value::Bool(false)),
            ("public_access_cidrs", Value::List(vec![u()])),
            ("log_types", Value::List(vec![u(), u()])),
            ("admins", Value::List(vec![u(), u()])),
            (
                "addons",
                map(vec![
                    ("vpc-cni", u()),
                    ("coredns", obj(vec![("version", u())])),
                ]),
            ),
            (
                "node_groups",
                map(vec![("general", group_of_unknowns), ("other", u())]),
            ),
        ]);
        // desired_size 5 with min_size unknown and max_size 3 is above the max:
        // that is known now, so it is the one diagnostic.
        assert_eq!(
            errors(&with_cluster(inner_unknowns.clone())),
            vec![(
                "cluster.node_groups[\"general\"].desired_size".to_string(),
                "Invalid node group size".to_string()
            )]
        );
        let Value::Object(mut c) = inner_unknowns else {
            unreachable!()
        };
        let Value::Map(groups) = c.get_mut("node_groups").unwrap() else {
            unreachable!()
        };
        let Value::Object(general) = groups.get_mut("general").unwrap() else {
            unreachable!()
        };
        general.insert("desired_size".to_string(), u());
        assert_eq!(errors(&with_cluster(Value::Object(c))), vec![]);
    }

    #[test]
    fn kubernetes_versions_are_1_nn_within_the_supported_range() {
        for good in ["1.28", "1.31", "1.33"] {
            assert_eq!(errors(&with(vec![("version", s(good))])), vec![], "{good}");
        }
        for bad in ["1.31.2", "v1.31", "2.31", "1.031", "1.", "131", "1.3a", ""] {
            one_error(
                &with(vec![("version", s(bad))]),
                &format!(
                    "cluster.version: {bad:?} is not a Kubernetes version of the form \"1.NN\""
                ),
            );
        }
        for unsupported in ["1.27", "1.34", "1.0", "1.9"] {
            one_error(
                &with(vec![("version", s(unsupported))]),
                &format!(
                    "cluster.version: {unsupported:?} is not supported; use a version from 1.28 to 1.33"
                ),
            );
        }
    }

    #[test]
    fn version_steps_go_up_one_minor_version_at_a_time() {
        assert_eq!(check_version_step("1.31", "1.31"), Ok(()));
        assert_eq!(check_version_step("1.31", "1.32"), Ok(()));
        assert_eq!(check_version_step("1.9", "1.10"), Ok(()));
        let down = check_version_step("1.31", "1.30").unwrap_err();
        assert!(
            down.starts_with("cluster.version: EKS cannot downgrade")
                && down.contains("1.31")
                && down.contains("1.30"),
            "{down}"
        );
        let jump = check_version_step("1.29", "1.31").unwrap_err();
        assert_eq!(
            jump,
            "cluster.version: cannot upgrade from 1.29 to 1.31 in one apply: EKS upgrades one minor version at a time; set \"1.30\" and apply, then go on towards \"1.31\"."
        );
        let bad = check_version_step("1.31", "1.31.0").unwrap_err();
        assert!(
            bad.starts_with("cluster.version: \"1.31.0\" is not"),
            "{bad}"
        );
        // A prior version the provider cannot read is left to EKS.
        assert_eq!(check_version_step("", "1.31"), Ok(()));
    }

    #[test]
    fn public_access_cidrs_are_ipv4_networks() {
        let cidrs = |items: &[&str]| with(vec![("public_access_cidrs", list(items))]);
        assert_eq!(
            errors(&cidrs(&["0.0.0.0/0", "10.1.0.0/16", "192.0.2.1/32"])),
            vec![]
        );
        one_error(
            &cidrs(&["192.0.2.1/24"]),
            "cluster.public_access_cidrs[0]: \"192.0.2.1/24\" has host bits set; did you mean \"192.0.2.0/24\"?",
        );
        for bad in ["192.0.2.1", "192.0.2.0/33", "2001:db8::/32", "any"] {
            one_error(
                &cidrs(&["0.0.0.0/0", bad]),
                &format!("cluster.public_access_cidrs[1]: {bad:?} is not an IPv4 CIDR block"),
            );
        }
    }

    #[test]
    fn endpoint_access_is_reachable_and_private_only_is_warned_about() {
        let flags = |private: Value, public: Value| {
            with(vec![
                ("endpoint_private_access", private),
                ("endpoint_public_access", public),
            ])
        };
        let (t, f, n, u) = (
            Value::Bool(true),
            Value::Bool(false),
            Value::Null,
            Value::Unknown,
        );
        let unreachable =
            "cluster.endpoint_private_access: false while cluster.endpoint_public_access is";
        one_error(&flags(f.clone(), f.clone()), unreachable);
        one_error(&flags(f.clone(), n.clone()), unreachable);
        for public_ok in [
            (t.clone(), t.clone()),
            (f.clone(), t.clone()),
            (n.clone(), t.clone()),
        ] {
            assert_eq!(errors(&flags(public_ok.0, public_ok.1)), vec![]);
        }
        for private_only in [
            (t.clone(), f.clone()),
            (n.clone(), n.clone()),
            (t.clone(), n.clone()),
            (n.clone(), f.clone()),
        ] {
            let found = validate_stack_config(&flags(private_only.0, private_only.1));
            assert_eq!(found.0.len(), 1, "{found:#?}");
            let w = &found.0[0];
            assert_eq!(w.severity, tfplugin::Severity::Warning);
            assert_eq!(w.summary, "Kubernetes API reachable only from the VPC");
            assert!(
                w.detail.starts_with("cluster.endpoint_public_access: ")
                    && w.detail
                        .contains("inside the VPC (VPN, bastion host, VPC peering)"),
                "{w:#?}"
            );
            assert_eq!(w.attribute, Some(AttributePath::new("cluster")));
        }
        for unknown in [
            (u.clone(), f.clone()),
            (t.clone(), u.clone()),
            (f.clone(), u.clone()),
            (u.clone(), n.clone()),
        ] {
            assert_eq!(errors(&flags(unknown.0, unknown.1)), vec![]);
        }
    }

    #[test]
    fn log_types_are_known_and_listed_once() {
        let logs = |items: &[&str]| with(vec![("log_types", list(items))]);
        assert_eq!(errors(&logs(&[])), vec![]);
        assert_eq!(errors(&logs(&["scheduler", "controllerManager"])), vec![]);
        one_error(
            &logs(&["api", "controllermanager"]),
            "cluster.log_types[1]: \"controllermanager\" is not a control-plane log type; use \"api\", \"audit\", \"authenticator\", \"controllerManager\" or \"scheduler\"",
        );
        one_error(
            &logs(&["audit", "api", "audit"]),
            "cluster.log_types[2]: \"audit\" is listed twice",
        );
    }

    #[test]
    fn admins_are_iam_role_or_user_arns_listed_once() {
        let admins = |items: &[&str]| with(vec![("admins", list(items))]);
        for good in [
            "arn:aws:iam::123456789012:role/admins",
            "arn:aws-cn:iam::123456789012:user/alice",
            "arn:aws-us-gov:iam::123456789012:role/path/to/Ops_Admin-1",
        ] {
            assert_eq!(errors(&admins(&[good])), vec![], "{good}");
        }
        for bad in [
            "arn:aws:iam::12345678901:role/admins",
            "arn:aws:iam::1234567890123:role/admins",
            "arn:aws:iam::123456789012:group/admins",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/path//admins",
            "arn:aws:iam::123456789012:root",
            "arn:aws-eu:iam::123456789012:role/admins",
            "arn:aws:iam:us-east-1:123456789012:role/admins",
            "arn:aws:eks::123456789012:role/admins",
            "arn:aws:iam::123456789012:role/has space",
            "admins",
        ] {
            one_error(
                &admins(&[bad]),
                &format!("cluster.admins[0]: {bad:?} is not an IAM principal ARN; expected"),
            );
        }
        one_error(
            &admins(&["arn:aws:sts::123456789012:assumed-role/admins/alice"]),
            "cluster.admins[0]: \"arn:aws:sts::123456789012:assumed-role/admins/alice\" is an assumed-role session",
        );
        one_error(
            &admins(&[
                "arn:aws:iam::123456789012:user/alice",
                "arn:aws:iam::123456789012:role/admins",
                "arn:aws:iam::123456789012:user/alice",
            ]),
            "cluster.admins[2]: \"arn:aws:iam::123456789012:user/alice\" is listed twice",
        );
    }

    #[test]
    fn addon_names_and_versions() {
        let addon = |name: &str, version: Value| {
            with(vec![(
                "addons",
                map(vec![(name, obj(vec![("version", version)]))]),
            )])
        };
        assert_eq!(errors(&with(vec![("addons", map(vec![]))])), vec![]);
        assert_eq!(
            errors(&addon("aws-ebs-csi-driver", s("v1.38.1-eksbuild.2"))),
            vec![]
        );
        assert_eq!(errors(&addon("a", Value::Null)), vec![]);
        assert_eq!(errors(&addon(&"a".repeat(100), Value::Null)), vec![]);
        for bad in ["", "CoreDNS", "vpc_cni", "kube proxy", &"a".repeat(101)] {
            one_error(
                &addon(bad, Value::Null),
                &format!(
                    "cluster.addons[{bad:?}]: {bad:?} is not an EKS add-on name: use 1 to 100 lowercase letters, digits and hyphens"
                ),
            );
        }
        for bad in [
            "1.19.2-eksbuild.1",
            "v1.19-eksbuild.1",
            "v1.19.2",
            "v1.19.2-eksbuild.",
            "v1.19.2-eksbuild.x",
            "latest",
        ] {
            one_error(
                &addon("vpc-cni", s(bad)),
                &format!(
                    "cluster.addons[\"vpc-cni\"].version: {bad:?} is not an EKS add-on version like \"v1.19.2-eksbuild.1\""
                ),
            );
        }
    }

    #[test]
    fn node_group_names_and_count() {
        let named = |key: &str| with(vec![("node_groups", map(vec![(key, group(vec![]))]))]);
        for good in ["general", "g", "1st", "Spot_ARM-64", &"a".repeat(40)] {
            assert_eq!(errors(&named(good)), vec![], "{good}");
        }
        for bad in [
            "",
            "-spot",
            "_spot",
            "spot.arm",
            "spot arm",
            &"a".repeat(41),
        ] {
            one_error(
                &named(bad),
                &format!(
                    "cluster.node_groups[{bad:?}]: {bad:?} is not a valid node group name: use 1 to 40 letters, digits, hyphens and underscores, starting with a letter or digit"
                ),
            );
        }
        let groups = |n: usize| {
            with(vec![(
                "node_groups",
                Value::Map((0..n).map(|i| (format!("g{i}"), group(vec![]))).collect()),
            )])
        };
        assert_eq!(errors(&groups(30)), vec![]);
        one_error(
            &groups(31),
            "cluster.node_groups: 31 node groups; EKS allows at most 30 per cluster.",
        );
    }

    #[test]
    fn node_group_sizes() {
        let sizes = |min: i64, max: i64, desired: Option<i64>| {
            with_group(vec![
                ("min_size", number(min)),
                ("max_size", number(max)),
                ("desired_size", desired.map_or(Value::Null, number)),
            ])
        };
        let at = |attr: &str| format!("cluster.node_groups[\"general\"].{attr}: ");
        for (min, max, desired) in [
            (0, 1, None),
            (0, 1, Some(0)),
            (2, 2, Some(2)),
            (1, 1000, Some(1000)),
        ] {
            assert_eq!(
                errors(&sizes(min, max, desired)),
                vec![],
                "{min} {max} {desired:?}"
            );
        }
        one_error(
            &sizes(3, 5, Some(6)),
            &format!("{}6 is above max_size 5;", at("desired_size")),
        );
        one_error(
            &sizes(3, 5, Some(2)),
            &format!("{}2 is below min_size 3;", at("desired_size")),
        );
        one_error(
            &sizes(4, 3, None),
            &format!("{}4 is above max_size 3;", at("min_size")),
        );
        // min_size above max_size is one problem, whatever desired_size is.
        one_error(
            &sizes(4, 3, Some(9)),
            &format!("{}4 is above max_size 3;", at("min_size")),
        );
        one_error(
            &sizes(-1, 3, None),
            &format!("{}-1 is out of range: use 0 to 1000 nodes", at("min_size")),
        );
        one_error(
            &sizes(0, 0, None),
            &format!("{}0 is out of range: use 1 to 1000 nodes", at("max_size")),
        );
        one_error(
            &sizes(1, 1001, None),
            &format!(
                "{}1001 is out of range: use 1 to 1000 nodes (EKS allows at most 1000 per node group)",
                at("max_size")
            ),
        );
        one_error(
            &with_group(vec![(
                "min_size",
                Value::Number(tfplugin::Number::Float(1.5)),
            )]),
            &format!("{}1.5 is not a whole number", at("min_size")),
        );
    }

    #[test]
    fn node_group_instance_types() {
        let types = |items: &[&str]| with_group(vec![("instance_types", list(items))]);
        let at = "cluster.node_groups[\"general\"].instance_types";
        assert_eq!(
            errors(&types(&[
                "m6i.large",
                "t3.micro",
                "p4d.24xlarge",
                "u-6tb1.56xlarge",
                "m7i-flex.2xlarge",
                "c7i.metal-24xl"
            ])),
            vec![]
        );
        one_error(&types(&[]), &format!("{at}: the list is empty"));
        let twenty: Vec<String> = (0..20).map(|i| format!("m{i}.large")).collect();
        let twenty: Vec<&str> = twenty.iter().map(String::as_str).collect();
        assert_eq!(errors(&types(&twenty)), vec![]);
        let mut twenty_one = twenty.clone();
        twenty_one.push("t3.micro");
        one_error(
            &types(&twenty_one),
            &format!("{at}: 21 instance types; a node group may have at most 20."),
        );
        for bad in [
            "M6i.large",
            "m6i",
            "m6i.",
            ".large",
            "6i.large",
            "m6i.large.x",
            "m6i_large",
            "m6i.Large",
            "m6i.metal-",
            "",
        ] {
            one_error(
                &types(&[bad]),
                &format!(
                    "{at}[0]: {bad:?} is not an EC2 instance type of the form family.size, like \"m6i.large\"."
                ),
            );
        }
        one_error(
            &types(&["m6i.large", "m5.large", "m6i.large"]),
            &format!("{at}[2]: \"m6i.large\" is listed twice"),
        );
    }

    #[test]
    fn node_group_capacity_and_ami_types() {
        let at = |attr: &str| format!("cluster.node_groups[\"general\"].{attr}: ");
        for good in ["ON_DEMAND", "SPOT"] {
            assert_eq!(
                errors(&with_group(vec![("capacity_type", s(good))])),
                vec![]
            );
        }
        one_error(
            &with_group(vec![("capacity_type", s("CAPACITY_BLOCK"))]),
            &format!(
                "{}\"CAPACITY_BLOCK\" is not \"ON_DEMAND\" or \"SPOT\".",
                at("capacity_type")
            ),
        );
        for good in AMI_TYPES {
            assert_eq!(
                errors(&with_group(vec![("ami_type", s(good))])),
                vec![],
                "{good}"
            );
        }
        one_error(
            &with_group(vec![("ami_type", s("CUSTOM"))]),
            &format!(
                "{}\"CUSTOM\" needs a launch template, which this provider does not support; use an EKS AMI type: \"AL2023_x86_64_STANDARD\", ",
                at("ami_type")
            ),
        );
        one_error(
            &with_group(vec![("ami_type", s("al2023_x86_64_standard"))]),
            &format!(
                "{}\"al2023_x86_64_standard\" is not an EKS AMI type; use \"AL2023_x86_64_STANDARD\", ",
                at("ami_type")
            ),
        );
    }

    #[test]
    fn node_group_disk_size_and_max_unavailable_percentage() {
        let at = |attr: &str| format!("cluster.node_groups[\"general\"].{attr}: ");
        for good in [20, 50, 16384] {
            assert_eq!(
                errors(&with_group(vec![("disk_size", number(good))])),
                vec![]
            );
        }
        for bad in [0, 19, 16385] {
            one_error(
                &with_group(vec![("disk_size", number(bad))]),
                &format!(
                    "{}{bad} is out of range: the root volume is 20 to 16384 GiB.",
                    at("disk_size")
                ),
            );
        }
        for good in [1, 33, 100] {
            assert_eq!(
                errors(&with_group(vec![(
                    "max_unavailable_percentage",
                    number(good)
                )])),
                vec![]
            );
        }
        for bad in [0, 101, -5] {
            one_error(
                &with_group(vec![("max_unavailable_percentage", number(bad))]),
                &format!(
                    "{}{bad} is out of range: use a percentage from 1 to 100.",
                    at("max_unavailable_percentage")
                ),
            );
        }
    }

    #[test]
    fn node_group_taints() {
        let taints = |items: Vec<Value>| with_group(vec![("taints", Value::List(items))]);
        let at = "cluster.node_groups[\"general\"].taints";
        let fifty = |n: usize| {
            (0..n)
                .map(|i| taint(&format!("k{i}"), "NO_EXECUTE"))
                .collect::<Vec<_>>()
        };
        assert_eq!(errors(&taints(fifty(50))), vec![]);
        one_error(
            &taints(fifty(51)),
            &format!("{at}: 51 taints; a node group may have at most 50."),
        );
        for good in TAINT_EFFECTS {
            assert_eq!(errors(&taints(vec![taint("gpu", good)])), vec![]);
        }
        one_error(
            &taints(vec![taint("gpu", "NO_SCHEDULE"), taint("gpu", "NoExecute")]),
            &format!(
                "{at}[1].effect: \"NoExecute\" is not \"NO_SCHEDULE\", \"NO_EXECUTE\" or \"PREFER_NO_SCHEDULE\"."
            ),
        );
        assert_eq!(
            errors(&taints(vec![taint(&"k".repeat(63), "NO_SCHEDULE")])),
            vec![]
        );
        one_error(
            &taints(vec![taint(&"k".repeat(64), "NO_SCHEDULE")]),
            &format!(
                "{at}[0].key: \"{}\" is 64 characters long; a taint key is 1 to 63 characters.",
                "k".repeat(64)
            ),
        );
        one_error(
            &taints(vec![taint("", "NO_SCHEDULE")]),
            &format!("{at}[0].key: \"\" is 0 characters long; a taint key is 1 to 63 characters."),
        );
        // The same key with two effects is fine; with one effect twice it is not.
        assert_eq!(
            errors(&taints(vec![
                taint("gpu", "NO_SCHEDULE"),
                taint("gpu", "NO_EXECUTE")
            ])),
            vec![]
        );
        one_error(
            &taints(vec![
                taint("gpu", "NO_SCHEDULE"),
                taint("spot", "NO_SCHEDULE"),
                taint("gpu", "NO_SCHEDULE"),
            ]),
            &format!("{at}[2]: key \"gpu\" with effect NO_SCHEDULE is given twice"),
        );
    }

    #[test]
    fn node_group_labels() {
        let labels = |pairs: &[(&str, &str)]| with_group(vec![("labels", cidrs(pairs))]);
        let at = "cluster.node_groups[\"general\"].labels";
        let name63 = "n".repeat(63);
        let prefixed = format!("{}/{name63}", "p".repeat(100));
        let value63 = "v".repeat(63);
        assert_eq!(
            errors(&labels(&[
                ("team", "web"),
                (&name63, &value63),
                (&prefixed, ""),
                ("example.com/team", "x")
            ])),
            vec![]
        );
        for bad in ["", "/team", "example.com/"] {
            one_error(
                &labels(&[(bad, "x")]),
                &format!(
                    "{at}[{bad:?}]: {bad:?} is not a label key: use a name of 1 to 63 characters, optionally after a prefix and a slash"
                ),
            );
        }
        let long = format!("example.com/{}", "n".repeat(64));
        one_error(
            &labels(&[(&long, "x")]),
            &format!("{at}[{long:?}]: the name part of {long:?} is 64 characters long; at most 63"),
        );
        one_error(
            &labels(&[("team", &"v".repeat(64))]),
            &format!(
                "{at}[\"team\"]: the value is 64 characters long; a label value is at most 63 characters."
            ),
        );
    }
}
