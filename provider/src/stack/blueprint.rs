//! What a stack is made of: the desired objects of every kind, built from
//! the planned state, and the way their ids fill the state back in. This is
//! the one place that knows which objects a stack has; the engine does not.

use std::collections::BTreeMap;

use crate::cloud::cluster::{EndpointAccess, Taint};
use crate::kinds::access_entry::{AccessEntries, AccessEntrySpec};
use crate::kinds::addon::{AddonSpec, Addons, TAG_KUBERNETES};
use crate::kinds::eks_cluster::{ClusterSpec, Clusters};
use crate::kinds::elastic_ip::{ElasticIpSpec, ElasticIps};
use crate::kinds::iam_role::{RoleSpec, Roles, managed_policy, role_name, role_path};
use crate::kinds::internet_gateway::{InternetGatewaySpec, InternetGateways};
use crate::kinds::kms_key::{KmsKeySpec, KmsKeys};
use crate::kinds::nat_gateway::{NatGatewaySpec, NatGateways};
use crate::kinds::node_group::{NodeGroupSpec, NodeGroups};
use crate::kinds::oidc_provider::{OidcProviderSpec, OidcProviders};
use crate::kinds::route_table::{DefaultRoute, RouteTableSpec, RouteTables};
use crate::kinds::security_group::{Peer, RuleSpec, SecurityGroupSpec, SecurityGroups};
use crate::kinds::subnet::{SubnetSpec, Subnets};
use crate::kinds::vpc::{VpcSpec, Vpcs};
use crate::reconcile::{Desired, Ids, Key, Kind, Observed};

use super::model::{
    ClusterState, NatMode, NetworkState, NodeGroupState, SECURITY_GROUP_ROLES, StackState, Timeouts,
};
use crate::cloud::Tags;

/// What the network should look like (from the planned state).
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredNetwork {
    /// VPC CIDR.
    pub cidr_block: String,
    /// Zones, in configuration order.
    pub zones: Vec<String>,
    /// NAT layout.
    pub nat: NatMode,
    /// Public subnet CIDR by zone.
    pub public_cidrs: BTreeMap<String, String>,
    /// Private subnet CIDR by zone.
    pub private_cidrs: BTreeMap<String, String>,
}

impl DesiredNetwork {
    /// From the planned network state (defaults already filled in by plan).
    pub fn from_state(n: &NetworkState) -> DesiredNetwork {
        DesiredNetwork {
            cidr_block: n.cidr_block.clone(),
            zones: n.availability_zones.clone(),
            nat: NatMode::parse(n.nat_gateways.as_deref()).unwrap_or(NatMode::OnePerAz),
            public_cidrs: n.public_subnet_cidrs.clone().unwrap_or_default(),
            private_cidrs: n.private_subnet_cidrs.clone().unwrap_or_default(),
        }
    }
}

/// Tag key on the anchor recording the settings AWS cannot tell: how the
/// zones were given (their order, or a count) and the timeouts, so that
/// import reproduces the configuration exactly.
pub const TAG_SETTINGS: &str = "todo:settings";

/// The settings recorded on the anchor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The zones, in configuration order.
    pub zones: Option<Vec<String>>,
    /// `availability_zone_count`, when the zones were counted.
    pub zone_count: Option<i64>,
    /// `timeouts`, when set.
    pub timeouts: Option<Timeouts>,
}

impl Settings {
    /// The settings of a state.
    pub fn of(state: &StackState) -> Settings {
        Settings {
            zones: Some(state.network.availability_zones.clone()),
            zone_count: state.network.availability_zone_count,
            timeouts: state.timeouts.clone(),
        }
    }

    /// As a tag value: `zones=a,b count=2 create=90m`.
    pub fn to_tag(&self) -> String {
        let mut parts = Vec::new();
        if let Some(z) = &self.zones {
            parts.push(format!("zones={}", z.join(",")));
        }
        if let Some(c) = self.zone_count {
            parts.push(format!("count={c}"));
        }
        if let Some(t) = &self.timeouts {
            for (name, v) in [
                ("create", &t.create),
                ("update", &t.update),
                ("delete", &t.delete),
            ] {
                if let Some(v) = v {
                    parts.push(format!("{name}={}", v.replace(' ', "")));
                }
            }
        }
        parts.join(" ")
    }

    /// Reads the settings tag of `tags` (missing or unreadable parts: none).
    pub fn read(tags: &Tags) -> Settings {
        let mut s = Settings::default();
        let Some(text) = tags.get(TAG_SETTINGS) else {
            return s;
        };
        for part in text.split_whitespace() {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            let timeouts = || Timeouts::default();
            match k {
                "zones" => {
                    s.zones = Some(
                        v.split(',')
                            .filter(|z| !z.is_empty())
                            .map(str::to_string)
                            .collect(),
                    )
                }
                "count" => s.zone_count = v.parse().ok(),
                "create" => s.timeouts.get_or_insert_with(timeouts).create = Some(v.into()),
                "update" => s.timeouts.get_or_insert_with(timeouts).update = Some(v.into()),
                "delete" => s.timeouts.get_or_insert_with(timeouts).delete = Some(v.into()),
                _ => {}
            }
        }
        s
    }
}

#[path = "blueprint_data.rs"]
mod data;

#[path = "blueprint_monitoring.rs"]
mod monitoring;

pub use monitoring::{
    alarm, alarm_names, dashboard, flow_log, flow_log_role, log_group, log_group_names, topic,
};

pub use data::{
    bucket, db_identifier, db_parameter_group, db_primary, db_replica, db_secret, db_subnet_group,
    final_snapshot, regional_domain, replica_identifier, secret_name,
};

fn key<K: Kind>(name: impl Into<String>) -> Key {
    Key::new(K::NAME, name)
}

/// The VPC: the stack's anchor, marked complete once its first create ends.
pub fn anchor() -> Key {
    key::<Vpcs>("")
}

/// The internet gateway.
pub fn internet_gateway() -> Key {
    key::<InternetGateways>("")
}

/// The public (`public == true`) or private subnet of `zone`.
pub fn subnet(zone: &str, public: bool) -> Key {
    key::<Subnets>(format!(
        "{}-{zone}",
        if public { "public" } else { "private" }
    ))
}

/// The Elastic IP of `zone`'s NAT gateway.
pub fn address(zone: &str) -> Key {
    key::<ElasticIps>(zone)
}

/// The NAT gateway of `zone`.
pub fn nat_gateway(zone: &str) -> Key {
    key::<NatGateways>(zone)
}

/// The public route table.
pub fn public_route_table() -> Key {
    key::<RouteTables>("public")
}

/// The private route table of `zone`.
pub fn private_route_table(zone: &str) -> Key {
    key::<RouteTables>(format!("private-{zone}"))
}

/// The security group of `role`.
pub fn security_group(role: &str) -> Key {
    key::<SecurityGroups>(role)
}

/// The stack's KMS key.
pub fn kms_key() -> Key {
    key::<KmsKeys>("")
}

/// The IAM role of `role` (`cluster` or `nodes`).
pub fn role(role: &str) -> Key {
    key::<Roles>(role)
}

/// The EKS cluster.
pub fn cluster() -> Key {
    key::<Clusters>("")
}

/// The cluster's OIDC provider.
pub fn oidc_provider() -> Key {
    key::<OidcProviders>("")
}

/// The node group `name` (the `node_groups` map key).
pub fn node_group(name: &str) -> Key {
    key::<NodeGroups>(name)
}

/// The add-on `name`.
pub fn addon(name: &str) -> Key {
    key::<Addons>(name)
}

/// The access entry of `principal`.
pub fn access_entry(principal: &str) -> Key {
    key::<AccessEntries>(principal)
}

/// The policies of each role.
fn role_policies(role: &str) -> Vec<String> {
    let names: &[&str] = match role {
        "cluster" => &["AmazonEKSClusterPolicy"],
        _ => &[
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
        ],
    };
    names.iter().map(|n| managed_policy(n)).collect()
}

/// The EKS name of a node group of `state`.
pub fn node_group_eks_name(state: &StackState, key: &str, g: &NodeGroupState) -> String {
    let d = g.with_defaults();
    crate::kinds::node_group::eks_name(
        key,
        d.instance_types.as_deref().unwrap_or_default(),
        d.capacity_type.as_deref().unwrap_or_default(),
        d.ami_type.as_deref().unwrap_or_default(),
        d.disk_size.unwrap_or_default(),
        &private_cidrs(state),
    )
}

/// The private subnets' CIDRs in zone order: a node group lives in them,
/// so its name changes with them.
fn private_cidrs(state: &StackState) -> Vec<String> {
    let cidrs = state
        .network
        .private_subnet_cidrs
        .clone()
        .unwrap_or_default();
    state
        .network
        .availability_zones
        .iter()
        .map(|z| format!("{z}={}", cidrs.get(z).map(String::as_str).unwrap_or("")))
        .collect()
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// The cluster's objects.
fn cluster_objects(state: &StackState, c: &ClusterState, out: &mut Vec<Desired>) {
    let region = state.region.clone().unwrap_or_default();
    let c = c.with_defaults();
    let private: Vec<Key> = state
        .network
        .availability_zones
        .iter()
        .map(|z| subnet(z, false))
        .collect();
    for (r, service, description) in [
        ("cluster", "eks.amazonaws.com", "EKS control plane"),
        ("nodes", "ec2.amazonaws.com", "EKS worker nodes"),
    ] {
        out.push(Desired::new::<Roles>(
            r,
            RoleSpec {
                path: role_path(&region, &state.name),
                name: role_name(&region, &state.name, r),
                service: service.into(),
                policies: role_policies(r),
                description: format!("{description} of the Todo stack {}", state.name),
                inline_policy: None,
            },
        ));
    }
    out.push(Desired::new::<Clusters>(
        "",
        ClusterSpec {
            name: state.name.clone(),
            version: c.version.clone(),
            role: role("cluster"),
            subnets: private.clone(),
            security_groups: vec![security_group("cluster")],
            access: EndpointAccess {
                private: c.endpoint_private_access.unwrap_or(true),
                public: c.endpoint_public_access.unwrap_or(false),
                // A public endpoint without CIDRs is open to all: AWS
                // stores 0.0.0.0/0, so compare with that.
                public_cidrs: match c.public_access_cidrs.clone().unwrap_or_default() {
                    cidrs if cidrs.is_empty() && c.endpoint_public_access == Some(true) => {
                        vec!["0.0.0.0/0".to_string()]
                    }
                    cidrs => cidrs,
                },
            },
            log_types: c.log_types.clone().unwrap_or_default(),
            key: kms_key(),
        },
    ));
    out.push(Desired::new::<OidcProviders>(
        "",
        OidcProviderSpec {
            cluster: cluster(),
            cluster_name: state.name.clone(),
        },
    ));
    let addons = c.addons.clone().unwrap_or_default();
    let groups = c.node_groups.clone().unwrap_or_default();
    for (name, g) in &groups {
        let g = g.with_defaults();
        out.push(Desired::new::<NodeGroups>(
            name.clone(),
            NodeGroupSpec {
                cluster: cluster(),
                cluster_name: state.name.clone(),
                eks_name: node_group_eks_name(state, name, &g),
                version: c.version.clone(),
                role: role("nodes"),
                subnets: private.clone(),
                instance_types: g.instance_types.clone().unwrap_or_default(),
                capacity_type: g.capacity_type.clone().unwrap_or_default(),
                ami_type: g.ami_type.clone().unwrap_or_default(),
                disk_size: to_i32(g.disk_size.unwrap_or_default()),
                min: to_i32(g.min_size),
                max: to_i32(g.max_size),
                initial: to_i32(g.desired_size.unwrap_or(g.min_size)),
                enforce_desired: g.autoscaler_owns_desired_size == Some(false),
                labels: g.labels.clone().unwrap_or_default(),
                taints: g
                    .taints
                    .iter()
                    .flatten()
                    .map(|t| Taint {
                        key: t.key.clone(),
                        value: t.value.clone().unwrap_or_default(),
                        effect: t.effect.clone(),
                    })
                    .collect(),
                max_unavailable_percentage: to_i32(
                    g.max_unavailable_percentage.unwrap_or_default(),
                ),
                after: addons
                    .contains_key("vpc-cni")
                    .then(|| addon("vpc-cni"))
                    .into_iter()
                    .collect(),
            },
        ));
    }
    for (name, a) in &addons {
        let after = if name == "vpc-cni" {
            Vec::new()
        } else {
            groups.keys().map(|g| node_group(g)).collect()
        };
        out.push(
            Desired::new::<Addons>(
                name.clone(),
                AddonSpec {
                    cluster: cluster(),
                    cluster_name: state.name.clone(),
                    name: name.clone(),
                    version: a.version.clone(),
                    kubernetes: c.version.clone(),
                    after,
                },
            )
            .with_tags([(TAG_KUBERNETES.to_string(), c.version.clone())].into()),
        );
    }
    for principal in c.admins.iter().flatten() {
        out.push(Desired::new::<AccessEntries>(
            principal.clone(),
            AccessEntrySpec {
                cluster: cluster(),
                cluster_name: state.name.clone(),
                principal_arn: principal.clone(),
            },
        ));
    }
}

/// The ingress rules of each security group (AWS's default allow-all
/// egress is kept on every group).
pub fn rules(role: &str) -> Vec<RuleSpec> {
    let from = |protocol: &str, from: i32, to: i32, group: &str, description: &str| RuleSpec {
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        peer: Peer::Group(security_group(group)),
        description: description.into(),
    };
    match role {
        "cluster" => vec![from(
            "tcp",
            443,
            443,
            "nodes",
            "Kubernetes API from the nodes",
        )],
        "nodes" => vec![
            from("-1", -1, -1, "nodes", "Node to node"),
            from(
                "tcp",
                1025,
                65535,
                "cluster",
                "Control plane to kubelets and pods",
            ),
            from("tcp", 443, 443, "cluster", "Control plane to webhooks"),
        ],
        "database" => vec![from(
            "tcp",
            5432,
            5432,
            "nodes",
            "PostgreSQL from the nodes",
        )],
        _ => Vec::new(),
    }
}

/// The database group's rules for `database.allowed_cidrs`.
fn database_cidr_rules(state: &StackState) -> Vec<RuleSpec> {
    state
        .database
        .iter()
        .flat_map(|d| d.allowed_cidrs.iter().flatten())
        .map(|cidr| RuleSpec {
            protocol: "tcp".into(),
            from_port: 5432,
            to_port: 5432,
            peer: Peer::Cidr(cidr.clone()),
            description: "PostgreSQL from database.allowed_cidrs".into(),
        })
        .collect()
}

fn group_description(role: &str) -> &'static str {
    match role {
        "cluster" => "EKS control plane of the Todo stack",
        "nodes" => "EKS worker nodes of the Todo stack",
        _ => "PostgreSQL of the Todo stack",
    }
}

/// Every object the stack `state` wants.
pub fn desired(state: &StackState) -> Vec<Desired> {
    let n = DesiredNetwork::from_state(&state.network);
    let vpc = anchor();
    let mut out = vec![
        Desired::new::<Vpcs>(
            "",
            VpcSpec {
                cidr_block: n.cidr_block.clone(),
            },
        )
        .with_tags([(TAG_SETTINGS.to_string(), Settings::of(state).to_tag())].into()),
        Desired::new::<InternetGateways>("", InternetGatewaySpec { vpc: vpc.clone() }),
        Desired::new::<KmsKeys>(
            "",
            KmsKeySpec {
                alias: crate::kinds::kms_key::alias_of(&state.name),
                description: format!(
                    "Todo stack {}: encryption of its data and secrets",
                    state.name
                ),
                monitoring: state.monitoring.is_some(),
            },
        ),
    ];
    for zone in &n.zones {
        for (public, cidrs) in [(true, &n.public_cidrs), (false, &n.private_cidrs)] {
            let k = subnet(zone, public);
            out.push(Desired::new::<Subnets>(
                k.name,
                SubnetSpec {
                    vpc: vpc.clone(),
                    cidr_block: cidrs.get(zone).cloned().unwrap_or_default(),
                    zone: zone.clone(),
                    public,
                },
            ));
        }
        let default_route = match n.nat.nat_for(&n.zones, zone) {
            Some(nat_zone) => DefaultRoute::NatGateway(nat_gateway(&nat_zone)),
            None => DefaultRoute::None,
        };
        out.push(Desired::new::<RouteTables>(
            private_route_table(zone).name,
            RouteTableSpec {
                vpc: vpc.clone(),
                subnets: vec![subnet(zone, false)],
                default_route,
            },
        ));
    }
    out.push(Desired::new::<RouteTables>(
        "public",
        RouteTableSpec {
            vpc: vpc.clone(),
            subnets: n.zones.iter().map(|z| subnet(z, true)).collect(),
            default_route: DefaultRoute::InternetGateway(internet_gateway()),
        },
    ));
    for zone in n.nat.nat_zones(&n.zones) {
        out.push(Desired::new::<ElasticIps>(zone.clone(), ElasticIpSpec));
        out.push(Desired::new::<NatGateways>(
            zone.clone(),
            NatGatewaySpec {
                subnet: subnet(&zone, true),
                address: address(&zone),
                internet_gateway: internet_gateway(),
            },
        ));
    }
    for role in SECURITY_GROUP_ROLES {
        let mut rules = rules(role);
        if role == "database" {
            rules.extend(database_cidr_rules(state));
        }
        out.push(Desired::new::<SecurityGroups>(
            role,
            SecurityGroupSpec {
                vpc: vpc.clone(),
                name: format!("{}-{role}", state.name),
                description: group_description(role).into(),
                rules,
            },
        ));
    }
    if let Some(c) = &state.cluster {
        cluster_objects(state, c, &mut out);
    }
    if let Some(db) = &state.database {
        data::database_objects(state, db, &mut out);
    }
    if let Some(s) = &state.storage {
        data::storage_objects(s, &mut out);
    }
    if let Some(m) = &state.monitoring {
        monitoring::monitoring_objects(state, m, &mut out);
    }
    out
}

/// Whether an object of the stack goes in the first phase of a destroy,
/// with the cluster (the flow logs' role is an IAM role too, but it serves
/// the network's flow log, which goes with the network).
pub fn goes_with_cluster(o: &Observed, cluster_kinds: &[&str]) -> bool {
    cluster_kinds.contains(&o.kind) && o.key.as_ref() != Some(&flow_log_role())
}

/// Writes the ids of `ids` and what `objects` report (the cluster's
/// endpoint, node group statuses) into the state's computed attributes. A
/// map with no entry stays an empty map (null would differ from the plan).
pub fn fill(ids: &Ids, objects: &BTreeMap<Key, Observed>, state: &mut StackState) {
    fill_cluster(ids, objects, state);
    let zones = state.network.availability_zones.clone();
    let nat = NatMode::parse(state.network.nat_gateways.as_deref()).unwrap_or(NatMode::OnePerAz);
    let per = |keys: &mut dyn Iterator<Item = (String, Key)>| -> BTreeMap<String, String> {
        keys.filter_map(|(name, k)| Some((name, ids.get(&k)?.to_string())))
            .collect()
    };
    let n = &mut state.network;
    n.vpc_id = ids.get(&anchor()).map(str::to_string);
    n.internet_gateway_id = ids.get(&internet_gateway()).map(str::to_string);
    n.public_route_table_id = ids.get(&public_route_table()).map(str::to_string);
    n.public_subnet_ids = Some(per(&mut zones.iter().map(|z| (z.clone(), subnet(z, true)))));
    n.private_subnet_ids = Some(per(&mut zones
        .iter()
        .map(|z| (z.clone(), subnet(z, false)))));
    n.nat_gateway_ids = Some(per(&mut nat
        .nat_zones(&zones)
        .into_iter()
        .map(|z| (z.clone(), nat_gateway(&z)))));
    n.private_route_table_ids = Some(per(&mut zones
        .iter()
        .map(|z| (z.clone(), private_route_table(z)))));
    n.security_group_ids = Some(per(&mut SECURITY_GROUP_ROLES
        .iter()
        .map(|r| (r.to_string(), security_group(r)))));
    state.kms_key_arn = ids.get(&kms_key()).map(str::to_string);
    data::fill_data(ids, objects, state);
    monitoring::fill_monitoring(ids, state);
}

/// Keeps what the cluster and the database reported before (endpoints,
/// CA, ARNs) where reading them again after an apply failed
/// (`reread_failed`: nothing was read), so the state does not lose them.
pub fn keep_reported(state: &mut StackState, prior: Option<&StackState>, reread_failed: bool) {
    if let (Some(c), Some(pc)) = (
        state.cluster.as_mut(),
        prior.and_then(|p| p.cluster.as_ref()),
    ) && c.arn == pc.arn
        && c.endpoint.is_none()
    {
        c.endpoint = pc.endpoint.clone();
        c.certificate_authority = pc.certificate_authority.clone();
        c.oidc_issuer_url = pc.oidc_issuer_url.clone();
        c.security_group_id = pc.security_group_id.clone();
        state.kubeconfig = prior.and_then(|p| p.kubeconfig.clone());
    }
    data::keep_reported(state, prior, reread_failed);
}

/// The ids a state records, by key (what twin contests prefer).
pub fn ids_of(state: &StackState) -> Ids {
    let mut ids = Ids::default();
    let n = &state.network;
    let mut put = |k: Key, v: Option<&String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            ids.0.insert(k, v.clone());
        }
    };
    put(anchor(), n.vpc_id.as_ref());
    put(internet_gateway(), n.internet_gateway_id.as_ref());
    put(public_route_table(), n.public_route_table_id.as_ref());
    put(kms_key(), state.kms_key_arn.as_ref());
    for (zone, id) in n.public_subnet_ids.iter().flatten() {
        put(subnet(zone, true), Some(id));
    }
    for (zone, id) in n.private_subnet_ids.iter().flatten() {
        put(subnet(zone, false), Some(id));
    }
    for (zone, id) in n.nat_gateway_ids.iter().flatten() {
        put(nat_gateway(zone), Some(id));
    }
    for (zone, id) in n.private_route_table_ids.iter().flatten() {
        put(private_route_table(zone), Some(id));
    }
    for (role, id) in n.security_group_ids.iter().flatten() {
        put(security_group(role), Some(id));
    }
    if let Some(c) = &state.cluster {
        put(cluster(), c.arn.as_ref());
        put(oidc_provider(), c.oidc_provider_arn.as_ref());
        put(role("cluster"), c.cluster_role_arn.as_ref());
        put(role("nodes"), c.node_role_arn.as_ref());
        for (name, g) in c.node_groups.iter().flatten() {
            put(node_group(name), g.arn.as_ref());
        }
    }
    data::data_ids_of(state, &mut ids);
    monitoring::monitoring_ids_of(state, &mut ids);
    ids
}

fn fill_cluster(ids: &Ids, objects: &BTreeMap<Key, Observed>, state: &mut StackState) {
    let region = state.region.clone().unwrap_or_default();
    let Some(c) = state.cluster.as_mut() else {
        state.kubeconfig = None;
        return;
    };
    let id = |k: &Key| ids.get(k).map(str::to_string);
    c.name = Some(state.name.clone());
    c.arn = id(&cluster());
    c.oidc_provider_arn = id(&oidc_provider());
    c.cluster_role_arn = id(&role("cluster"));
    c.node_role_arn = id(&role("nodes"));
    let seen = objects
        .get(&cluster())
        .and_then(|o| o.seen::<Clusters>())
        .filter(|s| c.arn.as_deref() == Some(s.arn.as_str()));
    c.endpoint = seen.and_then(|s| s.endpoint.clone());
    c.certificate_authority = seen.and_then(|s| s.certificate_authority.clone());
    c.oidc_issuer_url = seen.and_then(|s| s.oidc_issuer.clone());
    c.security_group_id = seen.and_then(|s| s.cluster_security_group_id.clone());
    for (name, g) in c.node_groups.iter_mut().flatten() {
        let key = node_group(name);
        g.arn = id(&key);
        let seen = objects
            .get(&key)
            .and_then(|o| o.seen::<NodeGroups>())
            .filter(|s| g.arn.as_deref() == Some(s.arn.as_str()));
        g.name = seen
            .map(|s| s.name.clone())
            .or(g.arn.as_ref().and(g.name.clone()));
        g.status = seen.map(|s| status_text(&s.status));
    }
    for (name, a) in c.addons.iter_mut().flatten() {
        if let Some(seen) = objects.get(&addon(name)).and_then(|o| o.seen::<Addons>())
            && ids.is(&addon(name), &seen.arn)
        {
            a.version = Some(seen.version.clone());
        }
    }
    state.kubeconfig = match (&c.endpoint, &c.certificate_authority) {
        (Some(endpoint), Some(ca)) => Some(kubeconfig(&state.name, &region, endpoint, ca)),
        _ => None,
    };
}

/// An EKS status as the state shows it.
pub fn status_text(s: &crate::cloud::cluster::EksStatus) -> String {
    use crate::cloud::cluster::EksStatus;
    match s {
        EksStatus::Creating => "CREATING".into(),
        EksStatus::Active => "ACTIVE".into(),
        EksStatus::Updating => "UPDATING".into(),
        EksStatus::Deleting => "DELETING".into(),
        EksStatus::Failed(s) => s.clone(),
    }
}

/// A kubeconfig for cluster `name` that authenticates with
/// `aws eks get-token`.
pub fn kubeconfig(name: &str, region: &str, endpoint: &str, ca: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
  - name: {name}
    cluster:
      server: {endpoint}
      certificate-authority-data: {ca}
contexts:
  - name: {name}
    context:
      cluster: {name}
      user: {name}
current-context: {name}
users:
  - name: {name}
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args: [\"eks\", \"get-token\", \"--cluster-name\", \"{name}\", \"--region\", \"{region}\"]
"
    )
}
