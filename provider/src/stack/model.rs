//! Typed configuration and state of `todo_cloud_stack`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::schema::{DEFAULT_CREATE_TIMEOUT, DEFAULT_DELETE_TIMEOUT, DEFAULT_UPDATE_TIMEOUT};

/// The whole resource: configuration and computed outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackState {
    /// The stack name (computed copy).
    pub id: Option<String>,
    /// The stack name.
    pub name: String,
    /// The stack's own tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Operation timeouts.
    pub timeouts: Option<Timeouts>,
    /// The network.
    pub network: NetworkState,
    /// The AWS region the stack lives in (the provider's, when created).
    #[serde(default)]
    pub region: Option<String>,
    /// This stack instance's identity, the `todo:stack-id` tag of its objects.
    #[serde(default)]
    pub stack_id: Option<String>,
    /// The stack's KMS key ARN.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Differences refresh found between AWS and the configuration.
    #[serde(default)]
    pub drift: Option<Vec<String>>,
    /// The EKS cluster (none when not configured).
    #[serde(default)]
    pub cluster: Option<ClusterState>,
    /// A kubeconfig for the cluster (sensitive; authenticates with
    /// `aws eks get-token`).
    #[serde(default)]
    pub kubeconfig: Option<String>,
    /// The database (none when not configured).
    #[serde(default)]
    pub database: Option<super::model_data::DatabaseState>,
    /// The bucket (none when not configured).
    #[serde(default)]
    pub storage: Option<super::model_data::StorageState>,
    /// Logs, alarms, notifications and the dashboard (none when not
    /// configured).
    #[serde(default)]
    pub monitoring: Option<super::model_monitoring::MonitoringState>,
}

/// `timeouts = { ... }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeouts {
    /// Create timeout.
    pub create: Option<String>,
    /// Update timeout.
    pub update: Option<String>,
    /// Delete timeout.
    pub delete: Option<String>,
}

/// Which operation a timeout applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
}

impl StackState {
    /// The timeout of `op` (configured or default).
    pub fn timeout(&self, op: Operation) -> Duration {
        let t = self.timeouts.clone().unwrap_or_default();
        let (text, default) = match op {
            Operation::Create => (t.create, DEFAULT_CREATE_TIMEOUT),
            Operation::Update => (t.update, DEFAULT_UPDATE_TIMEOUT),
            Operation::Delete => (t.delete, DEFAULT_DELETE_TIMEOUT),
        };
        text.and_then(|s| humantime::parse_duration(&s).ok())
            .or_else(|| humantime::parse_duration(default).ok())
            .unwrap_or(Duration::from_secs(3600))
    }
}

/// NAT gateway layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatMode {
    /// One NAT gateway per availability zone.
    OnePerAz,
    /// One NAT gateway in the first availability zone.
    Single,
    /// No NAT gateway.
    None,
}

impl NatMode {
    /// The allowed values, as written in configuration.
    pub const VALUES: [&'static str; 3] = ["one_per_az", "single", "none"];

    /// Parses the configuration value (null means the default).
    pub fn parse(text: Option<&str>) -> Option<NatMode> {
        match text {
            None | Some("one_per_az") => Some(NatMode::OnePerAz),
            Some("single") => Some(NatMode::Single),
            Some("none") => Some(NatMode::None),
            Some(_) => None,
        }
    }

    /// The configuration value.
    pub fn as_str(self) -> &'static str {
        match self {
            NatMode::OnePerAz => "one_per_az",
            NatMode::Single => "single",
            NatMode::None => "none",
        }
    }

    /// The zones that get a NAT gateway, in order.
    pub fn nat_zones(self, zones: &[String]) -> Vec<String> {
        match self {
            NatMode::OnePerAz => zones.to_vec(),
            NatMode::Single => zones.first().cloned().into_iter().collect(),
            NatMode::None => Vec::new(),
        }
    }

    /// The zone whose NAT gateway serves `zone`'s private subnet.
    pub fn nat_for(self, zones: &[String], zone: &str) -> Option<String> {
        match self {
            NatMode::OnePerAz => Some(zone.to_string()),
            NatMode::Single => zones.first().cloned(),
            NatMode::None => None,
        }
    }
}

/// `network = { ... }`: inputs and computed ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkState {
    /// VPC CIDR.
    pub cidr_block: String,
    /// Availability zones (empty in a configuration that gives a count).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub availability_zones: Vec<String>,
    /// How many zones, when they are not named.
    #[serde(default)]
    pub availability_zone_count: Option<i64>,
    /// NAT layout.
    pub nat_gateways: Option<String>,
    /// Public subnet CIDRs by zone.
    pub public_subnet_cidrs: Option<BTreeMap<String, String>>,
    /// Private subnet CIDRs by zone.
    pub private_subnet_cidrs: Option<BTreeMap<String, String>>,
    /// VPC id.
    pub vpc_id: Option<String>,
    /// Internet gateway id.
    pub internet_gateway_id: Option<String>,
    /// Public subnet ids by zone.
    pub public_subnet_ids: Option<BTreeMap<String, String>>,
    /// Private subnet ids by zone.
    pub private_subnet_ids: Option<BTreeMap<String, String>>,
    /// NAT gateway ids by zone.
    pub nat_gateway_ids: Option<BTreeMap<String, String>>,
    /// Public route table id.
    pub public_route_table_id: Option<String>,
    /// Private route table ids by zone.
    pub private_route_table_ids: Option<BTreeMap<String, String>>,
    /// Security group ids by role.
    pub security_group_ids: Option<BTreeMap<String, String>>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// The security groups every stack has, by role.
pub const SECURITY_GROUP_ROLES: [&str; 3] = ["cluster", "nodes", "database"];

/// `cluster = { ... }`: the EKS cluster, inputs and computed outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterState {
    /// Kubernetes version, `1.31`.
    pub version: String,
    /// The API endpoint is reachable from the VPC (default true).
    pub endpoint_private_access: Option<bool>,
    /// The API endpoint is reachable from the internet (default false).
    pub endpoint_public_access: Option<bool>,
    /// CIDRs allowed to the public endpoint (default `0.0.0.0/0` when it is
    /// public, empty otherwise).
    pub public_access_cidrs: Option<Vec<String>>,
    /// Control-plane log types (default api, audit, authenticator).
    pub log_types: Option<Vec<String>>,
    /// IAM principal ARNs given cluster-admin access.
    pub admins: Option<Vec<String>>,
    /// Add-ons by name (default vpc-cni, coredns, kube-proxy).
    pub addons: Option<BTreeMap<String, AddonState>>,
    /// Managed node groups by name.
    pub node_groups: Option<BTreeMap<String, NodeGroupState>>,
    /// The cluster name (the stack name).
    pub name: Option<String>,
    /// The cluster ARN.
    pub arn: Option<String>,
    /// The API server URL.
    pub endpoint: Option<String>,
    /// The base64 CA bundle.
    pub certificate_authority: Option<String>,
    /// The OIDC issuer URL.
    pub oidc_issuer_url: Option<String>,
    /// The IAM OIDC provider's ARN.
    pub oidc_provider_arn: Option<String>,
    /// The security group EKS made for the cluster.
    pub security_group_id: Option<String>,
    /// The cluster role's ARN.
    pub cluster_role_arn: Option<String>,
    /// The node role's ARN.
    pub node_role_arn: Option<String>,
}

/// One add-on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddonState {
    /// Version; resolved for the cluster's version when not given.
    pub version: Option<String>,
}

/// One managed node group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeGroupState {
    /// Instance types (default `["m6i.large"]`).
    pub instance_types: Option<Vec<String>>,
    /// `ON_DEMAND` (default) or `SPOT`.
    pub capacity_type: Option<String>,
    /// AMI type (default `AL2023_x86_64_STANDARD`).
    pub ami_type: Option<String>,
    /// Root volume GiB (default 50).
    pub disk_size: Option<i64>,
    /// Minimum nodes.
    pub min_size: i64,
    /// Maximum nodes.
    pub max_size: i64,
    /// Desired nodes (default: `min_size`).
    pub desired_size: Option<i64>,
    /// Kubernetes labels.
    pub labels: Option<BTreeMap<String, String>>,
    /// Kubernetes taints.
    pub taints: Option<Vec<TaintState>>,
    /// Percent of nodes updated at once (default 33).
    pub max_unavailable_percentage: Option<i64>,
    /// After creation the desired size belongs to the cluster autoscaler
    /// (default true).
    pub autoscaler_owns_desired_size: Option<bool>,
    /// The EKS node group name (`<key>-<8 hex>`: a new name per replacement).
    pub name: Option<String>,
    /// The node group ARN.
    pub arn: Option<String>,
    /// Its status (`ACTIVE`, ...).
    pub status: Option<String>,
}

/// A Kubernetes taint.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaintState {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Option<String>,
    /// `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`.
    pub effect: String,
}

/// Defaults of the cluster and its node groups.
pub mod cluster_defaults {
    /// Control-plane log types.
    pub const LOG_TYPES: [&str; 3] = ["api", "audit", "authenticator"];
    /// Add-ons.
    pub const ADDONS: [&str; 3] = ["vpc-cni", "coredns", "kube-proxy"];
    /// Instance type.
    pub const INSTANCE_TYPE: &str = "m6i.large";
    /// Capacity type.
    pub const CAPACITY_TYPE: &str = "ON_DEMAND";
    /// AMI type.
    pub const AMI_TYPE: &str = "AL2023_x86_64_STANDARD";
    /// Root volume GiB.
    pub const DISK_SIZE: i64 = 50;
    /// Percent of nodes updated at once.
    pub const MAX_UNAVAILABLE_PERCENTAGE: i64 = 33;
}

impl ClusterState {
    /// With the defaults of optional inputs filled in.
    pub fn with_defaults(&self) -> ClusterState {
        let mut c = self.clone();
        let public = *c.endpoint_public_access.get_or_insert(false);
        c.endpoint_private_access.get_or_insert(true);
        c.public_access_cidrs.get_or_insert_with(|| {
            if public {
                vec!["0.0.0.0/0".to_string()]
            } else {
                Vec::new()
            }
        });
        c.log_types.get_or_insert_with(|| {
            cluster_defaults::LOG_TYPES
                .iter()
                .map(|s| s.to_string())
                .collect()
        });
        c.admins.get_or_insert_with(Vec::new);
        c.addons.get_or_insert_with(|| {
            cluster_defaults::ADDONS
                .iter()
                .map(|a| (a.to_string(), AddonState::default()))
                .collect()
        });
        let groups = c.node_groups.get_or_insert_with(BTreeMap::new);
        for g in groups.values_mut() {
            *g = g.with_defaults();
        }
        c
    }
}

impl NodeGroupState {
    /// With the defaults of optional inputs filled in.
    pub fn with_defaults(&self) -> NodeGroupState {
        use cluster_defaults as d;
        let mut g = self.clone();
        g.instance_types
            .get_or_insert_with(|| vec![d::INSTANCE_TYPE.to_string()]);
        g.capacity_type
            .get_or_insert_with(|| d::CAPACITY_TYPE.to_string());
        g.ami_type.get_or_insert_with(|| d::AMI_TYPE.to_string());
        g.disk_size.get_or_insert(d::DISK_SIZE);
        g.desired_size.get_or_insert(g.min_size);
        g.labels.get_or_insert_with(BTreeMap::new);
        g.taints.get_or_insert_with(Vec::new);
        g.max_unavailable_percentage
            .get_or_insert(d::MAX_UNAVAILABLE_PERCENTAGE);
        g.autoscaler_owns_desired_size.get_or_insert(true);
        g
    }
}
