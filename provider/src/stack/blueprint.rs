//! What a stack is made of: the desired objects of every kind, built from
//! the planned state, and the way their ids fill the state back in. This is
//! the one place that knows which objects a stack has; the engine does not.

use std::collections::BTreeMap;

use crate::kinds::elastic_ip::{ElasticIpSpec, ElasticIps};
use crate::kinds::internet_gateway::{InternetGatewaySpec, InternetGateways};
use crate::kinds::kms_key::{KmsKeySpec, KmsKeys};
use crate::kinds::nat_gateway::{NatGatewaySpec, NatGateways};
use crate::kinds::route_table::{DefaultRoute, RouteTableSpec, RouteTables};
use crate::kinds::security_group::{Peer, RuleSpec, SecurityGroupSpec, SecurityGroups};
use crate::kinds::subnet::{SubnetSpec, Subnets};
use crate::kinds::vpc::{VpcSpec, Vpcs};
use crate::reconcile::{Desired, Ids, Key, Kind};

use super::model::{NatMode, NetworkState, SECURITY_GROUP_ROLES, StackState, Timeouts};
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
        out.push(Desired::new::<SecurityGroups>(
            role,
            SecurityGroupSpec {
                vpc: vpc.clone(),
                name: format!("{}-{role}", state.name),
                description: group_description(role).into(),
                rules: rules(role),
            },
        ));
    }
    out
}

/// Writes the ids of `ids` into the state's computed attributes. A map
/// with no entry stays an empty map (null would differ from the plan).
pub fn fill(ids: &Ids, state: &mut StackState) {
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
    ids
}
