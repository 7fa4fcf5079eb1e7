//! The pure diff: prior state x configuration -> planned state. No AWS call.
//!
//! Planned values follow Terraform's contract: configured values are kept,
//! defaults are filled in (they are known at plan time: the subnet CIDRs are
//! computed here), an id stays known when its object is kept and becomes
//! unknown when the object will be created or replaced.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use tfplugin::{AttributePath, Value};

use super::cidr::default_maps;
use super::model::{NatMode, SECURITY_GROUP_ROLES, StackState};

/// The outcome of planning.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The planned state; unknown values are listed in `unknown`.
    pub state: StackState,
    /// Paths whose value is only known after apply.
    pub unknown: Vec<AttributePath>,
    /// Attributes whose change replaces the whole stack.
    pub requires_replace: Vec<AttributePath>,
    /// Parts of the stack the apply will replace or delete (not the whole
    /// stack), for the plan's warning.
    pub replaced: Vec<String>,
    /// Why the configuration cannot be applied over the prior state (full
    /// attribute path first).
    pub errors: Vec<String>,
    /// What the operator should know about how the change is made (RDS
    /// deferring a change to the maintenance window).
    pub warnings: Vec<String>,
}

/// The network attributes only the provider sets.
pub const COMPUTED_NETWORK_ATTRIBUTES: [&str; 8] = [
    "vpc_id",
    "internet_gateway_id",
    "public_subnet_ids",
    "private_subnet_ids",
    "nat_gateway_ids",
    "public_route_table_id",
    "private_route_table_ids",
    "security_group_ids",
];

/// Fills the defaults of optional+computed inputs.
pub fn with_defaults(config: &StackState) -> StackState {
    let mut s = config.clone();
    s.id = Some(s.name.clone());
    let n = &mut s.network;
    if n.nat_gateways.is_none() {
        n.nat_gateways = Some(NatMode::OnePerAz.as_str().to_string());
    }
    if let Ok(vpc) = n.cidr_block.parse::<Ipv4Net>()
        && let Ok((public, private)) = default_maps(&vpc, &n.availability_zones)
    {
        if n.public_subnet_cidrs.is_none() {
            n.public_subnet_cidrs = Some(public);
        }
        if n.private_subnet_cidrs.is_none() {
            n.private_subnet_cidrs = Some(private);
        }
    }
    if let Some(c) = &s.cluster {
        let mut c = c.with_defaults();
        c.name = Some(s.name.clone());
        for (key, g) in c.node_groups.iter_mut().flatten() {
            g.name = Some(super::blueprint::node_group_eks_name(&s, key, g));
        }
        s.cluster = Some(c);
    }
    let zones = s.network.availability_zones.clone();
    if let Some(d) = &s.database {
        let mut d = d.with_defaults();
        let (class, insights) = (d.instance_class.clone(), d.performance_insights);
        for (name, r) in d.replicas.iter_mut().flatten() {
            r.instance_class
                .get_or_insert_with(|| class.clone().unwrap_or_default());
            r.performance_insights
                .get_or_insert(insights.unwrap_or(false));
            if r.availability_zone.is_none() && !zones.is_empty() {
                // Stable per name: adding or removing another replica
                // never moves this one.
                let i = crate::kinds::node_group::stable_hash(&[name]) as usize % zones.len();
                r.availability_zone = Some(zones[i].clone());
            }
        }
        s.database = Some(d);
    }
    if let Some(st) = &s.storage {
        s.storage = Some(st.with_defaults());
    }
    if let Some(m) = &s.monitoring {
        let gib = s.database.as_ref().and_then(|d| d.allocated_storage);
        s.monitoring = Some(m.with_defaults(gib));
    }
    s
}

/// Plans the monitoring outputs: names known from the configuration are
/// planned, the topic's ARN is kept from the prior state.
fn plan_monitoring(prior: Option<&StackState>, p: &mut Planned) {
    let path = AttributePath::new("monitoring");
    let prior_m = prior.and_then(|x| x.monitoring.as_ref());
    if p.state.monitoring.is_none() {
        if prior_m.is_some_and(|m| m.topic_arn.is_some()) {
            p.replaced.push(
                "monitoring (removed from the configuration): the alerts topic, the alarms, the dashboard, the flow \
                 log and the stack's log groups, with the events they hold, are deleted"
                    .into(),
            );
        }
        return;
    }
    let groups = super::blueprint::log_group_names(&p.state);
    let alarms = super::blueprint::alarm_names(&p.state);
    let region = p.state.region.clone();
    let name = p.state.name.clone();
    let Some(m) = p.state.monitoring.as_mut() else {
        return;
    };
    m.clear_outputs();
    m.topic_arn = prior_m.and_then(|pm| pm.topic_arn.clone());
    if m.topic_arn.is_none() {
        p.unknown.push(path.attr("topic_arn"));
    }
    match groups {
        Some(g) => m.log_group_names = Some(g),
        None => p.unknown.push(path.attr("log_group_names")),
    }
    m.alarm_names = Some(alarms);
    match region {
        Some(r) => {
            let d = crate::kinds::dashboard::dashboard_name(&name, &r);
            m.dashboard_url = Some(crate::kinds::dashboard::dashboard_url(&d, &r));
            m.dashboard_name = Some(d);
        }
        None => {
            p.unknown.push(path.attr("dashboard_name"));
            p.unknown.push(path.attr("dashboard_url"));
        }
    }
}

fn net() -> AttributePath {
    AttributePath::new("network")
}

/// The stack-level attributes only the provider sets.
pub const COMPUTED_STACK_ATTRIBUTES: [&str; 3] = ["region", "stack_id", "kms_key_arn"];

/// Plans `config` against `prior` (None when creating) in the provider's
/// `region` (`None`: not known yet).
pub fn plan_stack(
    prior: Option<&StackState>,
    config: &StackState,
    region: Option<&str>,
) -> Planned {
    plan_stack_in(prior, config, region, None)
}

/// [`plan_stack`] in `account` (it names the default bucket; `None`: not
/// known, the bucket's name is then known after apply).
pub fn plan_stack_in(
    prior: Option<&StackState>,
    config: &StackState,
    region: Option<&str>,
    account: Option<&str>,
) -> Planned {
    let mut planned = plan_network(prior, config, region);
    let prior = prior.filter(|_| planned.requires_replace.is_empty());
    plan_cluster(prior, &mut planned);
    if prior.is_some_and(|p| p.database.as_ref().is_some_and(|d| d.arn.is_some()))
        && planned.state.database.is_some()
        && planned.unknown.contains(&net().attr("vpc_id"))
    {
        planned.errors.push(
            "network.cidr_block: the stack's database cannot move to a new VPC. Changing the VPC's CIDR replaces the \
             VPC; move the data to a new stack instead."
                .into(),
        );
    }
    super::plan_data::plan_data(prior, config, &mut planned, account);
    plan_monitoring(prior, &mut planned);
    planned
}

/// The cluster attributes only the provider sets (`name` is known at plan).
pub const COMPUTED_CLUSTER_ATTRIBUTES: [&str; 8] = [
    "arn",
    "endpoint",
    "certificate_authority",
    "oidc_issuer_url",
    "oidc_provider_arn",
    "security_group_id",
    "cluster_role_arn",
    "node_role_arn",
];

fn cluster_path() -> AttributePath {
    AttributePath::new("cluster")
}

/// Plans the cluster: computed values kept from `prior` where its objects
/// stay, unknown where they are created or replaced, and the plan's words
/// on what is replaced or deleted.
fn plan_cluster(prior: Option<&StackState>, p: &mut Planned) {
    let prior_cluster = prior
        .and_then(|x| x.cluster.as_ref())
        .filter(|c| c.arn.is_some());
    let zones = |s: &StackState| {
        let mut z = s.network.availability_zones.clone();
        z.sort();
        z
    };
    let new_zones = zones(&p.state);
    let Some(c) = p.state.cluster.as_mut() else {
        p.state.kubeconfig = None;
        if prior_cluster.is_some() {
            p.replaced.push(
                "the EKS cluster with its node groups, add-ons, access entries, OIDC provider and IAM roles \
                 (cluster removed from the configuration): deleted"
                    .into(),
            );
        }
        return;
    };
    let groups = cluster_path().attr("node_groups");
    let addons = cluster_path().attr("addons");
    let Some(pc) = prior_cluster else {
        for attr in COMPUTED_CLUSTER_ATTRIBUTES {
            p.unknown.push(cluster_path().attr(attr));
        }
        for key in c.node_groups.iter().flatten().map(|(k, _)| k) {
            p.unknown.push(groups.key(key).attr("arn"));
            p.unknown.push(groups.key(key).attr("status"));
        }
        for (key, a) in c.addons.iter().flatten() {
            if a.version.is_none() {
                p.unknown.push(addons.key(key).attr("version"));
            }
        }
        p.unknown.push(AttributePath::new("kubeconfig"));
        return;
    };
    if p.unknown.contains(&net().attr("vpc_id")) {
        p.errors.push(
            "network.cidr_block: the stack's EKS cluster cannot move to a new VPC. Changing the VPC's CIDR \
             replaces the VPC, so it needs the cluster removed first (remove `cluster`, apply, then change the \
             CIDR and add the cluster again) or a new stack."
                .into(),
        );
    }
    if pc.version != c.version
        && let Err(e) = super::validate::check_version_step(&pc.version, &c.version)
    {
        p.errors.push(e);
    }
    if let Some(prior) = prior
        && zones(prior) != new_zones
    {
        p.errors.push(format!(
            "network.availability_zones: the stack's EKS cluster keeps the zones it was created in ({}); EKS \
             cannot move a cluster to another set of zones. Keep the zones, or remove `cluster` first.",
            prior.network.availability_zones.join(", ")
        ));
    }
    c.arn = pc.arn.clone();
    c.endpoint = pc.endpoint.clone();
    c.certificate_authority = pc.certificate_authority.clone();
    c.oidc_issuer_url = pc.oidc_issuer_url.clone();
    // Every active cluster reports these: null means one still being
    // created when the last apply stopped.
    for (attr, v) in [
        ("endpoint", &c.endpoint),
        ("certificate_authority", &c.certificate_authority),
        ("oidc_issuer_url", &c.oidc_issuer_url),
    ] {
        if v.is_none() {
            p.unknown.push(cluster_path().attr(attr));
        }
    }
    c.oidc_provider_arn = pc.oidc_provider_arn.clone();
    c.security_group_id = pc.security_group_id.clone();
    c.cluster_role_arn = pc.cluster_role_arn.clone();
    c.node_role_arn = pc.node_role_arn.clone();
    // What the cluster itself reports stays as read (an endpoint that does
    // not report a value keeps null); an id not recorded means an object
    // the apply creates.
    for (attr, id) in [
        ("arn", &c.arn),
        ("oidc_provider_arn", &c.oidc_provider_arn),
        ("cluster_role_arn", &c.cluster_role_arn),
        ("node_role_arn", &c.node_role_arn),
    ] {
        if id.is_none() {
            p.unknown.push(cluster_path().attr(attr));
        }
    }
    p.state.kubeconfig = prior.and_then(|x| x.kubeconfig.clone());
    if p.state.kubeconfig.is_none() {
        p.unknown.push(AttributePath::new("kubeconfig"));
    }
    let prior_groups = pc.node_groups.clone().unwrap_or_default();
    for (key, g) in c.node_groups.iter_mut().flatten() {
        let before = prior_groups.get(key).filter(|pg| pg.arn.is_some());
        match before {
            Some(pg) if pg.name == g.name => {
                g.arn = pg.arn.clone();
                g.status = pg.status.clone().filter(|s| s == "ACTIVE");
                if g.status.is_none() {
                    p.unknown.push(groups.key(key).attr("status"));
                }
            }
            _ => {
                if let Some(pg) = before {
                    p.replaced.push(format!(
                        "the node group {key} ({}): the new group {} is created and active before {} is deleted",
                        replacing_changes(pg, g),
                        g.name.as_deref().unwrap_or("?"),
                        pg.name.as_deref().unwrap_or("?"),
                    ));
                }
                p.unknown.push(groups.key(key).attr("arn"));
                p.unknown.push(groups.key(key).attr("status"));
            }
        }
    }
    for (key, pg) in &prior_groups {
        if pg.arn.is_some() && !c.node_groups.iter().flatten().any(|(k, _)| k == key) {
            p.replaced.push(format!(
                "the node group {key} ({}, removed from cluster.node_groups): deleted",
                pg.name.as_deref().unwrap_or("?")
            ));
        }
    }
    let prior_addons = pc.addons.clone().unwrap_or_default();
    for key in prior_addons.keys() {
        if !c.addons.iter().flatten().any(|(k, _)| k == key) {
            p.replaced.push(format!(
                "the add-on {key} (removed from cluster.addons): deleted from the running cluster{}",
                if ["vpc-cni", "coredns", "kube-proxy"].contains(&key.as_str()) {
                    "; pods lose what it provides (networking, DNS or service routing)"
                } else {
                    ""
                }
            ));
        }
    }
    for (key, a) in c.addons.iter_mut().flatten() {
        if a.version.is_none() {
            a.version = prior_addons
                .get(key)
                .and_then(|pa| pa.version.clone())
                .filter(|_| pc.version == c.version);
            if a.version.is_none() {
                p.unknown.push(addons.key(key).attr("version"));
            }
        }
    }
}

/// What changed of a replaced node group, in the configuration's words.
fn replacing_changes(
    before: &super::model::NodeGroupState,
    after: &super::model::NodeGroupState,
) -> String {
    let mut what = Vec::new();
    if before.instance_types != after.instance_types {
        what.push(format!(
            "instance_types {:?} -> {:?}",
            before.instance_types.clone().unwrap_or_default(),
            after.instance_types.clone().unwrap_or_default()
        ));
    }
    let mut field = |name: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            what.push(format!(
                "{name} {} -> {}",
                a.unwrap_or_default(),
                b.unwrap_or_default()
            ));
        }
    };
    field(
        "capacity_type",
        before.capacity_type.clone(),
        after.capacity_type.clone(),
    );
    field("ami_type", before.ami_type.clone(), after.ami_type.clone());
    field(
        "disk_size",
        before.disk_size.map(|d| d.to_string()),
        after.disk_size.map(|d| d.to_string()),
    );
    if what.is_empty() {
        what.push("its private subnets change".into());
    }
    what.join(", ")
}

fn plan_network(prior: Option<&StackState>, config: &StackState, region: Option<&str>) -> Planned {
    let mut state = with_defaults(config);
    state.drift = Some(Vec::new());
    state.region = region.map(str::to_string);
    let mut unknown = Vec::new();
    if region.is_none() {
        unknown.push(AttributePath::new("region"));
    }
    let mut requires_replace = Vec::new();
    let mut replaced = Vec::new();
    let mut errors = Vec::new();
    let all_unknown = |unknown: &mut Vec<AttributePath>| {
        for attr in COMPUTED_NETWORK_ATTRIBUTES {
            unknown.push(net().attr(attr));
        }
        for attr in ["stack_id", "kms_key_arn"] {
            unknown.push(AttributePath::new(attr));
        }
    };
    // A new name or region replaces the whole stack: plan it as a create.
    let prior = match prior {
        Some(p) if p.name != config.name => {
            requires_replace.push(AttributePath::new("name"));
            None
        }
        Some(p) if p.region.is_some() && region.is_some() && p.region.as_deref() != region => {
            let (old, new) = (p.region.as_deref().unwrap_or("?"), region.unwrap_or("?"));
            requires_replace.push(AttributePath::new("region"));
            replaced.push(format!(
                "the whole stack: the provider's region changed from {old} to {new}; the stack is deleted in {old} and created in {new}"
            ));
            None
        }
        other => other,
    };
    let Some(prior) = prior else {
        all_unknown(&mut unknown);
        return Planned {
            state,
            unknown,
            requires_replace,
            replaced,
            errors,
            warnings: Vec::new(),
        };
    };
    state.stack_id = prior.stack_id.clone();
    if state.stack_id.is_none() {
        unknown.push(AttributePath::new("stack_id"));
    }
    if state.region.is_none() {
        state.region = prior.region.clone();
    }
    state.kms_key_arn = prior.kms_key_arn.clone();
    if state.kms_key_arn.is_none() {
        unknown.push(AttributePath::new("kms_key_arn"));
    }
    let p = &prior.network;
    let d = &mut state.network;
    if p.vpc_id.is_none() || p.cidr_block != d.cidr_block {
        if p.vpc_id.is_some() {
            replaced.push(format!(
                "the VPC and everything in it (network.cidr_block {} -> {})",
                p.cidr_block, d.cidr_block
            ));
        }
        for attr in COMPUTED_NETWORK_ATTRIBUTES {
            unknown.push(net().attr(attr));
        }
        return Planned {
            state,
            unknown,
            requires_replace,
            replaced,
            errors,
            warnings: Vec::new(),
        };
    }
    d.vpc_id = p.vpc_id.clone();
    match &p.internet_gateway_id {
        Some(id) => d.internet_gateway_id = Some(id.clone()),
        None => unknown.push(net().attr("internet_gateway_id")),
    }
    let zones = d.availability_zones.clone();
    let nat = NatMode::parse(d.nat_gateways.as_deref()).unwrap_or(NatMode::OnePerAz);

    // Subnets: kept when the zone had one with the same CIDR.
    let mut kept_public = BTreeMap::new();
    for (attr, ids_attr, prior_cidrs, prior_ids, cidrs, label) in [
        (
            "public_subnet_cidrs",
            "public_subnet_ids",
            &p.public_subnet_cidrs,
            &p.public_subnet_ids,
            d.public_subnet_cidrs.clone(),
            "public",
        ),
        (
            "private_subnet_cidrs",
            "private_subnet_ids",
            &p.private_subnet_cidrs,
            &p.private_subnet_ids,
            d.private_subnet_cidrs.clone(),
            "private",
        ),
    ] {
        let mut ids = BTreeMap::new();
        for zone in &zones {
            let want = cidrs.as_ref().and_then(|c| c.get(zone));
            let had = prior_cidrs.as_ref().and_then(|c| c.get(zone));
            let id = prior_ids.as_ref().and_then(|m| m.get(zone));
            match (id, want == had) {
                (Some(id), true) => {
                    ids.insert(zone.clone(), id.clone());
                    if label == "public" {
                        kept_public.insert(zone.clone(), id.clone());
                    }
                }
                (Some(_), false) => {
                    replaced.push(format!(
                        "the {label} subnet in {zone} (network.{attr}[\"{zone}\"] {} -> {}): the new subnet is created first, then the old one is deleted",
                        had.map(String::as_str).unwrap_or("?"),
                        want.map(String::as_str).unwrap_or("?")
                    ));
                    if let (Some(Ok(old)), Some(Ok(new))) = (
                        had.map(|c| c.parse::<Ipv4Net>()),
                        want.map(|c| c.parse::<Ipv4Net>()),
                    ) && (old.contains(&new) || new.contains(&old))
                    {
                        errors.push(format!(
                            "network.{attr}[\"{zone}\"]: {new} overlaps {old}, the subnet it replaces. The new subnet \
                             is created before the old one is deleted (so nothing loses its network), which needs \
                             a range that does not overlap: pick a free range of the VPC."
                        ));
                    }
                    ids.insert(zone.clone(), String::new());
                    unknown.push(net().attr(ids_attr).key(zone));
                }
                (None, _) => {
                    ids.insert(zone.clone(), String::new());
                    unknown.push(net().attr(ids_attr).key(zone));
                }
            }
        }
        if label == "public" {
            d.public_subnet_ids = Some(ids);
        } else {
            d.private_subnet_ids = Some(ids);
        }
    }

    // NAT gateways: kept when the zone keeps its public subnet and had one.
    let mut nats = BTreeMap::new();
    for zone in nat.nat_zones(&zones) {
        let id = p.nat_gateway_ids.as_ref().and_then(|m| m.get(&zone));
        match id {
            Some(id) if kept_public.contains_key(&zone) => {
                nats.insert(zone.clone(), id.clone());
            }
            _ => {
                if id.is_some() {
                    replaced.push(format!(
                        "the NAT gateway in {zone} (its public subnet is replaced): the new gateway gets a new \
                         Elastic IP; private routes move to it once it is available, then the old gateway and its \
                         address are released (update allowlists that name the old address)"
                    ));
                }
                nats.insert(zone.clone(), String::new());
                unknown.push(net().attr("nat_gateway_ids").key(&zone));
            }
        }
    }
    d.nat_gateway_ids = Some(nats);
    let prior_zones = &p.availability_zones;
    for zone in prior_zones.iter().filter(|z| !zones.contains(z)) {
        replaced.push(format!(
            "the zone {zone} (removed from network.availability_zones): its public and private subnets, its \
             private route table{} are deleted",
            if p.nat_gateway_ids.as_ref().is_some_and(|m| m.contains_key(zone)) {
                ", its NAT gateway and that gateway's Elastic IP"
            } else {
                ""
            }
        ));
    }
    let prior_nat = NatMode::parse(p.nat_gateways.as_deref()).unwrap_or(NatMode::OnePerAz);
    if prior_nat != nat {
        let kept: Vec<String> = nat.nat_zones(&zones);
        let gone: Vec<&String> = p
            .nat_gateway_ids
            .iter()
            .flatten()
            .map(|(z, _)| z)
            .filter(|z| !kept.contains(z) && zones.contains(z))
            .collect();
        if !gone.is_empty() {
            replaced.push(format!(
                "NAT gateways in {} (network.nat_gateways {} -> {}): deleted with their Elastic IPs once the \
                 private routes use {}",
                gone.iter().map(|z| z.as_str()).collect::<Vec<_>>().join(", "),
                prior_nat.as_str(),
                nat.as_str(),
                if nat == NatMode::None {
                    "no NAT gateway (private subnets lose internet egress)".to_string()
                } else {
                    "the remaining gateway".to_string()
                }
            ));
        }
    }

    match &p.public_route_table_id {
        Some(id) => d.public_route_table_id = Some(id.clone()),
        None => unknown.push(net().attr("public_route_table_id")),
    }
    let mut tables = BTreeMap::new();
    for zone in &zones {
        match p.private_route_table_ids.as_ref().and_then(|m| m.get(zone)) {
            Some(id) => {
                tables.insert(zone.clone(), id.clone());
            }
            None => {
                tables.insert(zone.clone(), String::new());
                unknown.push(net().attr("private_route_table_ids").key(zone));
            }
        }
    }
    d.private_route_table_ids = Some(tables);
    let mut groups = BTreeMap::new();
    for role in SECURITY_GROUP_ROLES {
        match p.security_group_ids.as_ref().and_then(|m| m.get(role)) {
            Some(id) => {
                groups.insert(role.to_string(), id.clone());
            }
            None => {
                groups.insert(role.to_string(), String::new());
                unknown.push(net().attr("security_group_ids").key(role));
            }
        }
    }
    d.security_group_ids = Some(groups);
    Planned {
        state,
        unknown,
        requires_replace,
        replaced,
        errors,
        warnings: Vec::new(),
    }
}

/// Sets `value` at `path` inside `root` (creating nothing: the path must
/// exist, or lead to a null attribute of an object).
pub fn set_at(root: &mut Value, path: &AttributePath, value: Value) {
    use tfplugin::PathStep;
    let mut current = root;
    for step in path.steps() {
        current = match (step, current) {
            (PathStep::Attribute(name), Value::Object(m)) => {
                m.entry(name.clone()).or_insert(Value::Null)
            }
            (PathStep::Key(key), Value::Map(m)) => m.entry(key.clone()).or_insert(Value::Null),
            (PathStep::Key(key), v @ Value::Null) => {
                *v = Value::Map(BTreeMap::new());
                match v {
                    Value::Map(m) => m.entry(key.clone()).or_insert(Value::Null),
                    _ => return,
                }
            }
            (PathStep::Index(i), Value::List(items)) => {
                match items.get_mut(usize::try_from(*i).unwrap_or(usize::MAX)) {
                    Some(item) => item,
                    None => return,
                }
            }
            _ => return,
        };
    }
    *current = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::model::NetworkState;

    fn config(zones: &[&str]) -> StackState {
        StackState {
            name: "todo-test".into(),
            network: NetworkState {
                cidr_block: "10.0.0.0/16".into(),
                availability_zones: zones.iter().map(|z| z.to_string()).collect(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn applied(zones: &[&str]) -> StackState {
        let mut s = with_defaults(&config(zones));
        s.region = Some("us-east-1".into());
        s.stack_id = Some("0123456789abcdef".into());
        s.kms_key_arn = Some("arn:aws:kms:us-east-1:123456789012:key/k".into());
        s.drift = Some(Vec::new());
        let n = &mut s.network;
        n.vpc_id = Some("vpc-1".into());
        n.internet_gateway_id = Some("igw-1".into());
        n.public_route_table_id = Some("rtb-p".into());
        let per_zone = |prefix: &str| {
            zones
                .iter()
                .map(|z| (z.to_string(), format!("{prefix}-{z}")))
                .collect::<BTreeMap<_, _>>()
        };
        n.public_subnet_ids = Some(per_zone("subnet-pub"));
        n.private_subnet_ids = Some(per_zone("subnet-priv"));
        n.nat_gateway_ids = Some(per_zone("nat"));
        n.private_route_table_ids = Some(per_zone("rtb"));
        n.security_group_ids = Some(
            SECURITY_GROUP_ROLES
                .iter()
                .map(|r| (r.to_string(), format!("sg-{r}")))
                .collect(),
        );
        s
    }

    #[test]
    fn create_plans_defaults_known_and_ids_unknown() {
        let p = plan_stack(
            None,
            &config(&["us-east-1a", "us-east-1b"]),
            Some("us-east-1"),
        );
        assert_eq!(p.state.id.as_deref(), Some("todo-test"));
        assert_eq!(p.state.network.nat_gateways.as_deref(), Some("one_per_az"));
        assert_eq!(
            p.state.network.public_subnet_cidrs.as_ref().unwrap()["us-east-1b"],
            "10.0.144.0/20"
        );
        assert!(p.unknown.contains(&net().attr("vpc_id")));
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn an_unchanged_config_plans_the_prior_state() {
        let prior = applied(&["us-east-1a", "us-east-1b"]);
        let p = plan_stack(
            Some(&prior),
            &config(&["us-east-1a", "us-east-1b"]),
            Some("us-east-1"),
        );
        assert_eq!(p.state, prior);
        assert!(p.unknown.is_empty(), "{:?}", p.unknown);
        assert!(p.replaced.is_empty());
    }

    #[test]
    fn adding_a_zone_keeps_the_other_ids() {
        let prior = applied(&["us-east-1a", "us-east-1b"]);
        let p = plan_stack(
            Some(&prior),
            &config(&["us-east-1a", "us-east-1b", "us-east-1c"]),
            Some("us-east-1"),
        );
        let n = &p.state.network;
        assert_eq!(
            n.public_subnet_ids.as_ref().unwrap()["us-east-1a"],
            "subnet-pub-us-east-1a"
        );
        assert!(
            p.unknown
                .contains(&net().attr("public_subnet_ids").key("us-east-1c"))
        );
        assert!(
            !p.unknown
                .contains(&net().attr("public_subnet_ids").key("us-east-1a"))
        );
        assert!(p.replaced.is_empty());
    }

    #[test]
    fn changing_a_subnet_cidr_replaces_that_subnet_and_its_nat_only() {
        let prior = applied(&["us-east-1a", "us-east-1b"]);
        let mut c = config(&["us-east-1a", "us-east-1b"]);
        let mut public = prior.network.public_subnet_cidrs.clone().unwrap();
        public.insert("us-east-1a".into(), "10.0.240.0/20".into());
        c.network.public_subnet_cidrs = Some(public);
        let p = plan_stack(Some(&prior), &c, Some("us-east-1"));
        assert!(
            p.unknown
                .contains(&net().attr("public_subnet_ids").key("us-east-1a"))
        );
        assert!(
            p.unknown
                .contains(&net().attr("nat_gateway_ids").key("us-east-1a"))
        );
        assert!(
            !p.unknown
                .contains(&net().attr("public_subnet_ids").key("us-east-1b"))
        );
        assert_eq!(p.state.network.vpc_id.as_deref(), Some("vpc-1"));
        assert_eq!(p.replaced.len(), 2, "{:?}", p.replaced);
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn renaming_replaces_the_stack() {
        let prior = applied(&["us-east-1a", "us-east-1b"]);
        let mut c = config(&["us-east-1a", "us-east-1b"]);
        c.name = "todo-other".into();
        let p = plan_stack(Some(&prior), &c, Some("us-east-1"));
        assert_eq!(p.requires_replace, vec![AttributePath::new("name")]);
    }

    #[test]
    fn a_drifted_subnet_plans_an_update_that_recreates_it() {
        let mut prior = applied(&["us-east-1a", "us-east-1b"]);
        prior
            .network
            .private_subnet_ids
            .as_mut()
            .unwrap()
            .remove("us-east-1b");
        let p = plan_stack(
            Some(&prior),
            &config(&["us-east-1a", "us-east-1b"]),
            Some("us-east-1"),
        );
        assert_eq!(
            p.unknown,
            vec![net().attr("private_subnet_ids").key("us-east-1b")]
        );
    }
}
