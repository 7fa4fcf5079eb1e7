//! An in-memory cloud for engine tests: EC2 networking semantics that matter
//! to the engine (dependencies between objects, NAT gateways that take time
//! to become available and to go away), a per-operation latency model on the
//! tokio clock (pause it in tests), injectable faults, and a mutation counter
//! tests use to "crash" an apply right after any step. IAM and EKS rules
//! are in `sim_cluster.rs`; the load balancers Kubernetes leaves in a VPC
//! in `sim_balancers.rs`; RDS, Secrets Manager and S3 in `sim_data.rs`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tokio::time::Instant;

use super::{
    CloudError, CloudResult, ElasticIp, Interface, InternetGateway, KeyState, KmsApi, KmsKey,
    NatGateway, NatState, NetworkApi, Route, RouteTable, RouteTableAssociation, RouteTarget, Rule,
    RulePeer, SecurityGroup, Subnet, TAG_STACK, Tags, Vpc,
};

/// How long each operation takes, and how long NAT gateways, EKS objects
/// and RDS instances take to change state. [`LatencyModel::aws_like`] uses
/// figures in the range AWS shows.
#[derive(Debug, Clone)]
pub struct LatencyModel {
    /// Per operation name (the trait method name); unlisted ones take `default`.
    pub per_op: BTreeMap<&'static str, Duration>,
    /// Latency of unlisted operations.
    pub default: Duration,
    /// From create to `Available`.
    pub nat_ready_after: Duration,
    /// From delete to gone.
    pub nat_gone_after: Duration,
    /// EKS cluster: from create to `Active`.
    pub cluster_ready_after: Duration,
    /// EKS cluster: an endpoint access or logging update, `Updating` to `Active`.
    pub cluster_update_after: Duration,
    /// EKS cluster: a version upgrade, `Updating` to `Active`.
    pub cluster_upgrade_after: Duration,
    /// EKS cluster: from delete to gone.
    pub cluster_gone_after: Duration,
    /// Node group: from create to `Active`.
    pub node_group_ready_after: Duration,
    /// Node group: a scaling, label, taint or version update.
    pub node_group_update_after: Duration,
    /// Node group: from delete to gone.
    pub node_group_gone_after: Duration,
    /// Add-on: from create or update to `Active`.
    pub addon_ready_after: Duration,
    /// Add-on: from delete to gone.
    pub addon_gone_after: Duration,
    /// Load balancer: from delete until its network interfaces are gone
    /// (its security group stays in use until then).
    pub balancer_gone_after: Duration,
    /// RDS: a single-AZ primary, from create to `available`.
    pub db_ready_after: Duration,
    /// RDS: a multi-AZ primary, from create to `available`.
    pub db_multi_az_ready_after: Duration,
    /// RDS: a read replica, from create to `available`.
    pub replica_ready_after: Duration,
    /// RDS: a modification applied, `modifying` to `available`.
    pub db_modify_after: Duration,
    /// RDS: an instance, from delete (`deleting`) to gone.
    pub db_gone_after: Duration,
}

/// The latencies of [`LatencyModel::aws_like`]: milliseconds, then the
/// operations that take them. list_vpcs is a describe and two attribute
/// reads; list_keys the tagging API, a describe, rotation and aliases. The
/// IAM and EKS lists are a list then one describe per object (concurrent).
/// `eks_retag` is [`super::cluster::EksApi::retag`] and `rds_retag`
/// [`super::data::RdsApi::retag`] (`retag` is EC2's). list_buckets is a
/// list then the tagging and settings reads of each bucket (concurrent).
const AWS_LIKE: &str = "
    200 list_subnets list_internet_gateways list_elastic_ips list_nat_gateways get_nat_gateway
    200 subnet_interfaces subnet_association availability_zones
    200 enable_rotation create_alias alias_target delete_alias schedule_deletion retag_key
    200 get_cluster get_node_group get_addon
    250 list_route_tables list_security_groups list_kube_security_groups
    300 retag set_subnet_public_ip
    300 list_roles retag_role retag_oidc_provider eks_retag default_addon_version
    400 list_keys allocate_elastic_ip release_elastic_ip
    400 create_route replace_route delete_route associate_route_table disassociate_route_table
    400 list_oidc_providers list_node_groups list_addons list_access_entries
    400 attach_policy detach_policy associate_access_policy delete_access_entry
    400 delete_oidc_provider list_kube_load_balancers
    500 create_key create_internet_gateway delete_internet_gateway delete_nat_gateway
    500 create_route_table delete_route_table authorize_rule revoke_rule delete_interface
    500 create_oidc_provider create_access_entry delete_role delete_addon
    600 list_vpcs set_vpc_dns delete_security_group delete_kube_security_group create_role
    600 update_cluster_access update_cluster_logging update_cluster_version
    600 update_node_group update_node_group_version update_addon delete_node_group
    700 delete_subnet attach_internet_gateway create_security_group delete_cluster create_addon
    800 create_nat_gateway
    900 delete_vpc create_subnet detach_internet_gateway
    1000 create_cluster create_node_group delete_load_balancer
    1200 create_vpc
    100 bucket_has_objects
    200 put_secret_value set_secret_key retag_secret delete_secret retag_bucket
    200 enable_versioning set_encryption block_public_access enforce_ownership set_policy
    200 set_lifecycle
    300 get_instance list_secrets create_secret rds_retag snapshot_exists delete_bucket
    400 list_subnet_groups list_parameter_groups create_bucket empty_bucket
    200 get_log_group set_log_retention set_log_group_key retag_log_group delete_log_group
    200 set_topic_attribute subscribe unsubscribe retag_topic delete_topic get_dashboard
    200 retag_alarm delete_alarm delete_dashboard retag_flow_log delete_flow_log put_key_policy
    200 put_inline_policy
    300 list_topics list_alarms list_flow_logs create_log_group create_topic put_alarm
    300 put_dashboard
    400 list_log_groups create_flow_log
    500 list_instances create_subnet_group modify_subnet_group delete_subnet_group
    500 create_parameter_group modify_parameters delete_parameter_group
    600 list_buckets
    800 modify_instance delete_instance
    1000 create_primary create_replica";

impl LatencyModel {
    /// No latency at all, NATs and EKS objects ready and gone at once.
    pub fn instant() -> LatencyModel {
        let zero = Duration::ZERO;
        LatencyModel {
            per_op: BTreeMap::new(),
            default: zero,
            nat_ready_after: zero,
            nat_gone_after: zero,
            cluster_ready_after: zero,
            cluster_update_after: zero,
            cluster_upgrade_after: zero,
            cluster_gone_after: zero,
            node_group_ready_after: zero,
            node_group_update_after: zero,
            node_group_gone_after: zero,
            addon_ready_after: zero,
            addon_gone_after: zero,
            balancer_gone_after: zero,
            db_ready_after: zero,
            db_multi_az_ready_after: zero,
            replica_ready_after: zero,
            db_modify_after: zero,
            db_gone_after: zero,
        }
    }

    /// AWS-like latencies: describes ~150-300 ms, creates 0.3-1.5 s, NAT
    /// gateways ~2 minutes to become available and ~1 minute to go away;
    /// an EKS cluster 10 minutes to create, 1 to update its endpoint access
    /// or logging, 8 to upgrade, 5 to go away; a node group 4 minutes to
    /// create, 3 to update, 5 to go away; an add-on 1 minute to create or
    /// update, 30 s to go away; a deleted load balancer's network
    /// interfaces 1 minute to go away; an RDS primary 8 minutes to become
    /// available (12 multi-AZ), a read replica 8, a modification 3, a
    /// deleted instance 5 to go away.
    pub fn aws_like() -> LatencyModel {
        let (ms, secs) = (Duration::from_millis, Duration::from_secs);
        let per_op = AWS_LIKE.lines().filter_map(|line| {
            let mut words = line.split_whitespace();
            let latency = ms(words.next()?.parse().ok()?);
            Some(words.map(move |op| (op, latency)))
        });
        LatencyModel {
            per_op: per_op.flatten().collect(),
            default: ms(300),
            nat_ready_after: secs(120),
            nat_gone_after: secs(60),
            cluster_ready_after: secs(600),
            cluster_update_after: secs(60),
            cluster_upgrade_after: secs(480),
            cluster_gone_after: secs(300),
            node_group_ready_after: secs(240),
            node_group_update_after: secs(180),
            node_group_gone_after: secs(300),
            addon_ready_after: secs(60),
            addon_gone_after: secs(30),
            balancer_gone_after: secs(60),
            db_ready_after: secs(480),
            db_multi_az_ready_after: secs(720),
            replica_ready_after: secs(480),
            db_modify_after: secs(180),
            db_gone_after: secs(300),
        }
    }

    /// The latency of `op`.
    pub fn of(&self, op: &str) -> Duration {
        self.per_op.get(op).copied().unwrap_or(self.default)
    }
}

/// A fault to inject: matching calls fail with `error`, or, when `error`
/// is [`CloudError::Timeout`] with the text `hang`, never answer.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The operation it applies to (`None`: any operation).
    pub op: Option<&'static str>,
    /// Skip this many matching calls before failing.
    pub after: u64,
    /// How many matching calls fail.
    pub times: u64,
    /// The error returned.
    pub error: CloudError,
}

#[derive(Debug, Default)]
struct SimNat {
    nat: Option<NatGateway>,
    ready_at: Option<Instant>,
    gone_at: Option<Instant>,
}

impl SimNat {
    /// The gateway as a describe made at `now` shows it.
    fn at(&self, now: Instant) -> Option<NatGateway> {
        let mut nat = self.nat.clone()?;
        nat.state = match (self.gone_at, self.ready_at) {
            (Some(gone), _) if now >= gone => NatState::Deleted,
            (Some(_), _) => NatState::Deleting,
            (None, Some(ready)) if now >= ready => NatState::Available,
            (None, Some(_)) => NatState::Pending,
            (None, None) => nat.state,
        };
        Some(nat)
    }
}

/// The objects of one kind, by id.
type Map<T> = BTreeMap<String, T>;

/// The tags of an object kind the sim keeps in a [`Map`].
trait Tagged: Clone {
    fn tags(&self) -> &Tags;
}

macro_rules! impl_tagged {
    ($($kind:ty),*) => { $(impl Tagged for $kind { fn tags(&self) -> &Tags { &self.tags } })* };
}
impl_tagged!(Vpc, Subnet, InternetGateway, ElasticIp, RouteTable);
impl_tagged!(SecurityGroup, Interface, KmsKey);

#[path = "sim_cluster.rs"]
mod iam_eks;

#[path = "sim_balancers.rs"]
mod balancers;

#[path = "sim_data.rs"]
mod rds_s3;

#[path = "sim_monitoring.rs"]
mod logs_alarms;

pub use logs_alarms::MonitoringObjects;

/// The error code of a failed call (the debug form of other outcomes), for
/// the tests of the sim's parts.
#[cfg(test)]
fn error_code<T: std::fmt::Debug>(r: CloudResult<T>) -> String {
    match r {
        Err(CloudError::Service { code, .. }) => code,
        Err(CloudError::DependencyViolation(_)) => "DependencyViolation".into(),
        Err(CloudError::NotFound { .. }) => "NotFound".into(),
        other => format!("{other:?}"),
    }
}

/// An inventory line: (kind, id, tags).
type Entry = (&'static str, String, Tags);

/// The inventory lines of every object of `map`.
fn entries<'a, T: Tagged>(kind: &'static str, map: &'a Map<T>) -> impl Iterator<Item = Entry> + 'a {
    map.iter()
        .map(move |(id, o)| (kind, id.clone(), o.tags().clone()))
}

#[derive(Debug, Default)]
struct World {
    next_id: u64,
    /// Describes lag creates by this much (eventual consistency).
    lag: Duration,
    vpcs: Map<Vpc>,
    subnets: Map<Subnet>,
    igws: Map<InternetGateway>,
    eips: Map<ElasticIp>,
    nats: Map<SimNat>,
    route_tables: Map<RouteTable>,
    groups: Map<SecurityGroup>,
    interfaces: Map<Interface>,
    keys: Map<KmsKey>,
    aliases: Map<String>,
    eks: iam_eks::IamEks,
    balancers: balancers::Balancers,
    data: rds_s3::Data,
    monitoring: logs_alarms::Monitoring,
    born: Map<Instant>,
    route_log: Vec<RouteEvent>,
}

/// A change of a route table's default route, recorded by the sim so a
/// test can prove private egress was never cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEvent {
    /// When.
    pub at: Instant,
    /// The route table.
    pub route_table_id: String,
    /// Its default route's target afterwards (`None`: no default route).
    pub target: Option<RouteTarget>,
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        let id = format!("{prefix}-{:08x}", self.next_id);
        self.born.insert(id.clone(), Instant::now());
        id
    }

    /// Whether a describe made now already lists `id` (describes lag
    /// creates when eventual consistency is on).
    fn visible(&self, id: &str) -> bool {
        self.born
            .get(id)
            .is_none_or(|b| Instant::now() >= *b + self.lag)
    }

    /// The objects of `map` tagged with `stack` that a describe lists now.
    fn listed<T: Tagged>(&self, map: &Map<T>, stack: &str) -> Vec<T> {
        let listed = |(id, o): &(&String, &T)| in_stack(o.tags(), stack) && self.visible(id);
        map.iter().filter(listed).map(|(_, o)| o.clone()).collect()
    }

    fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
        let nat = self.nats.get_mut(id).and_then(|n| n.nat.as_mut());
        let key = self.keys.values_mut().find(|k| k.id == id || k.arn == id);
        let vpc = self.vpcs.get_mut(id).map(|o| &mut o.tags);
        vpc.or(self.subnets.get_mut(id).map(|o| &mut o.tags))
            .or(self.igws.get_mut(id).map(|o| &mut o.tags))
            .or(self.eips.get_mut(id).map(|o| &mut o.tags))
            .or(nat.map(|o| &mut o.tags))
            .or(self.route_tables.get_mut(id).map(|o| &mut o.tags))
            .or(self.groups.get_mut(id).map(|o| &mut o.tags))
            .or(key.map(|k| &mut k.tags))
            .or(self.eks.tags_mut(id))
    }

    /// NAT gateways not yet deleted, as they are now.
    fn live_nats(&self) -> impl Iterator<Item = NatGateway> + '_ {
        let now = Instant::now();
        let nats = self.nats.values().filter_map(move |s| s.at(now));
        nats.filter(|n| n.state != NatState::Deleted)
    }

    /// Whether a NAT gateway not yet deleted uses the address.
    fn eip_taken(&self, allocation_id: &str) -> bool {
        self.live_nats()
            .any(|n| n.allocation_id.as_deref() == Some(allocation_id))
    }

    /// Whether the subnet exists and is in the VPC.
    fn in_vpc(&self, subnet_id: &str, vpc_id: &str) -> bool {
        self.subnets
            .get(subnet_id)
            .is_some_and(|s| s.vpc_id == vpc_id)
    }

    /// The id of the subnet's route table association, if any.
    fn association(&self, subnet_id: &str) -> Option<String> {
        let mut all = self.route_tables.values().flat_map(|rt| &rt.associations);
        let found = all.find(|a| a.subnet_id.as_deref() == Some(subnet_id));
        found.map(|a| a.id.clone())
    }

    /// Drops every route table association of a subnet.
    fn unassociate(&mut self, subnet_id: &str) {
        for rt in self.route_tables.values_mut() {
            rt.associations
                .retain(|a| a.subnet_id.as_deref() != Some(subnet_id));
        }
    }

    /// Deletes a security group, refused while another group's rule, an
    /// EKS object, a load balancer (until its interfaces are gone) or an
    /// RDS instance (until gone) uses it.
    fn delete_group(&mut self, group_id: &str) -> CloudResult<()> {
        get(&self.groups, "security group", group_id)?;
        let peer = RulePeer::Group(group_id.to_string());
        let others = self.groups.values().filter(|g| g.id != group_id);
        if others.flat_map(|g| &g.rules).any(|r| r.peer == peer)
            || self.eks.uses(group_id)
            || self.balancers.uses(group_id)
            || self.data.holds(group_id)
        {
            return Err(dependency(format!(
                "resource {group_id} has a dependent object"
            )));
        }
        self.groups.remove(group_id);
        Ok(())
    }

    fn log_route(&mut self, route_table_id: &str) {
        let rt = self.route_tables.get(route_table_id);
        let default = rt.and_then(|rt| rt.routes.iter().find(|r| r.destination == "0.0.0.0/0"));
        self.route_log.push(RouteEvent {
            at: Instant::now(),
            route_table_id: route_table_id.to_string(),
            target: default.map(|r| r.target.clone()),
        });
    }
}

/// The in-memory cloud.
pub struct SimCloud {
    world: Mutex<World>,
    latency: LatencyModel,
    faults: Mutex<VecDeque<(Fault, u64)>>,
    calls: AtomicU64,
    per_op_calls: Mutex<BTreeMap<&'static str, u64>>,
    mutations: watch::Sender<u64>,
    azs: Vec<String>,
}

impl SimCloud {
    /// A cloud with the given latency model and region `us-east-1` zones a-f.
    pub fn new(latency: LatencyModel) -> SimCloud {
        SimCloud {
            world: Mutex::new(World::default()),
            latency,
            faults: Mutex::new(VecDeque::new()),
            calls: AtomicU64::new(0),
            per_op_calls: Mutex::new(BTreeMap::new()),
            mutations: watch::channel(0).0,
            azs: "abcdef".chars().map(|z| format!("us-east-1{z}")).collect(),
        }
    }

    /// Eventual consistency: describes list an object only `lag` after its
    /// create returned (zero: at once).
    pub fn set_describe_lag(&self, lag: Duration) {
        self.direct(|w| w.lag = lag);
    }

    /// Every change of a default route so far.
    pub fn route_log(&self) -> Vec<RouteEvent> {
        self.direct(|w| w.route_log.clone()).unwrap_or_default()
    }

    /// Sets a tag on any object behind the engine's back (an EC2 or KMS id,
    /// an IAM role's name, an IAM, EKS, RDS or secret ARN, a bucket's name).
    pub fn tag_out_of_band(&self, id: &str, key: &str, value: &str) {
        self.direct(|w| {
            if let Some(tags) = w.data.tags_mut(id) {
                tags.insert(key.to_string(), value.to_string());
            } else if let Some(tags) = w.tags_mut(id) {
                tags.insert(key.to_string(), value.to_string());
            }
        });
    }

    /// Adds a rule to a security group behind the engine's back.
    pub fn authorize_out_of_band(&self, group_id: &str, rule: Rule) {
        self.direct(|w| {
            if let Some(group) = w.groups.get_mut(group_id) {
                group.rules.push(rule);
            }
        });
    }

    /// Flips a subnet's `map_public_ip_on_launch` behind the engine's back.
    pub fn set_public_ip_out_of_band(&self, subnet_id: &str, on: bool) {
        self.direct(|w| {
            if let Some(subnet) = w.subnets.get_mut(subnet_id) {
                subnet.map_public_ip_on_launch = on;
            }
        });
    }

    /// Disables a KMS key behind the engine's back.
    pub fn disable_key_out_of_band(&self, key: &str) {
        if let Ok(mut w) = self.world.lock()
            && let Ok(k) = sim_key(&mut w, key)
        {
            k.state = KeyState::Disabled;
        }
    }

    /// The KMS keys, pending deletion or not, with their aliases.
    pub fn keys(&self) -> Vec<KmsKey> {
        self.direct(|w| w.keys.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Injects a fault.
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.push_back((fault, 0));
        }
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.clear();
        }
    }

    /// All calls so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Calls so far, by operation.
    pub fn calls_by_op(&self) -> BTreeMap<&'static str, u64> {
        self.per_op_calls
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Successful mutating calls so far.
    pub fn mutations(&self) -> u64 {
        *self.mutations.borrow()
    }

    /// Resolves once at least `n` mutating calls have succeeded: a test
    /// drops the apply future at that point to simulate a crash.
    pub async fn wait_mutations(&self, n: u64) {
        let mut rx = self.mutations.subscribe();
        let _ = rx.wait_for(|m| *m >= n).await;
    }

    /// Every object of every kind, as (kind, id, tags): for leak checks.
    /// EKS objects and RDS instances count until gone; the security group
    /// EKS makes for a cluster (not the engine's to manage) does not. RDS
    /// objects are listed by name (instances and snapshots by identifier),
    /// secrets by ARN, buckets by name.
    pub fn inventory(&self) -> Vec<(&'static str, String, Tags)> {
        let Ok(w) = self.world() else {
            return Vec::new();
        };
        let nats = w.live_nats().map(|n| ("nat-gateway", n.id, n.tags));
        let keys = w
            .keys
            .values()
            .filter(|k| k.state != KeyState::PendingDeletion);
        let keys = keys.map(|k| ("kms-key", k.id.clone(), k.tags.clone()));
        let all = entries("vpc", &w.vpcs)
            .chain(entries("subnet", &w.subnets))
            .chain(entries("internet-gateway", &w.igws))
            .chain(entries("elastic-ip", &w.eips))
            .chain(nats)
            .chain(entries("route-table", &w.route_tables))
            .chain(entries("security-group", &w.groups).filter(|(.., t)| !iam_eks::eks_made(t)))
            .chain(keys)
            .chain(entries("network-interface", &w.interfaces))
            .chain(w.eks.inventory())
            .chain(w.balancers.inventory())
            .chain(w.data.inventory())
            .chain(w.monitoring.inventory());
        all.collect()
    }

    /// Deletes an object behind the engine's back (drift), ignoring
    /// dependencies, as a console user might: an EC2 id, an IAM role's
    /// name, an IAM or EKS ARN (a cluster takes what is in it along), an
    /// RDS instance's, subnet or parameter group's, snapshot's or bucket's
    /// name, an RDS or secret ARN (gone at once).
    pub fn delete_out_of_band(&self, id: &str) {
        self.direct(|w| {
            w.subnets.remove(id);
            w.vpcs.remove(id);
            w.igws.remove(id);
            w.eips.remove(id);
            w.nats.remove(id);
            w.route_tables.remove(id);
            w.groups.remove(id);
            w.interfaces.remove(id);
            w.unassociate(id);
            w.eks.remove(id);
            w.data.remove(id);
        });
    }

    /// Removes a route behind the engine's back.
    pub fn delete_route_out_of_band(&self, route_table_id: &str, destination: &str) {
        self.direct(|w| {
            if let Some(rt) = w.route_tables.get_mut(route_table_id) {
                rt.routes.retain(|r| r.destination != destination);
            }
        });
    }

    /// Adds a network interface in a subnet, as a load balancer would:
    /// `in_use` while something uses it, `available` once left behind.
    pub fn add_interface(&self, subnet_id: &str, description: &str, in_use: bool) -> String {
        self.direct(|w| {
            let interface = Interface {
                id: w.id("eni"),
                subnet_id: subnet_id.to_string(),
                in_use,
                description: description.to_string(),
                tags: Tags::new(),
            };
            insert(&mut w.interfaces, interface.id.clone(), interface).id
        })
        .unwrap_or_default()
    }

    /// Detaches a network interface (its user went away).
    pub fn detach_interface(&self, interface_id: &str) {
        self.direct(|w| {
            if let Some(interface) = w.interfaces.get_mut(interface_id) {
                interface.in_use = false;
            }
        });
    }

    /// Runs `f` on the world directly: no call, so no latency, fault or
    /// count (`None` if the world is poisoned).
    fn direct<T>(&self, f: impl FnOnce(&mut World) -> T) -> Option<T> {
        self.world().ok().map(|mut w| f(&mut w))
    }

    /// The world as it is now: EKS objects and RDS instances whose time
    /// has come moved on.
    fn world(&self) -> CloudResult<MutexGuard<'_, World>> {
        let poisoned = |_| CloudError::Transport("sim poisoned".into());
        let mut w = self.world.lock().map_err(poisoned)?;
        w.settle_eks();
        w.settle_balancers();
        w.settle_data();
        Ok(w)
    }

    /// Counts the call, sleeps its latency, and applies any matching fault.
    async fn enter(&self, op: &'static str) -> CloudResult<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut m) = self.per_op_calls.lock() {
            *m.entry(op).or_default() += 1;
        }
        let latency = self.latency.of(op);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match self.fault_for(op) {
            Some(e) if e == CloudError::Timeout("hang".into()) => std::future::pending().await,
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The error of the first fault that matches this call, if any.
    fn fault_for(&self, op: &str) -> Option<CloudError> {
        let mut faults = self.faults.lock().ok()?;
        for (fault, seen) in faults.iter_mut() {
            if fault.op.is_some_and(|o| o != op) {
                continue;
            }
            *seen += 1;
            if *seen > fault.after && *seen <= fault.after + fault.times {
                return Some(fault.error.clone());
            }
        }
        None
    }

    /// A describe `op` of one kind (read-only: no mutation counted): the
    /// objects tagged with `stack` it lists now.
    async fn list<T: Tagged>(
        &self,
        op: &'static str,
        stack: &str,
        map: impl FnOnce(&World) -> &Map<T>,
    ) -> CloudResult<Vec<T>> {
        self.enter(op).await?;
        let w = self.world()?;
        Ok(w.listed(map(&w), stack))
    }

    /// A mutating call `op`: counts one mutation when `f` succeeds (a crash
    /// point for tests), none when it fails.
    async fn mutate<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&mut World) -> CloudResult<T>,
    ) -> CloudResult<T> {
        self.enter(op).await?;
        let out = f(&mut *self.world()?)?;
        self.mutations.send_modify(|m| *m += 1);
        Ok(out)
    }
}

/// The policy KMS gives a key created without one.
const DEFAULT_KEY_POLICY: &str = r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;

fn not_found(kind: &'static str, id: &str) -> CloudError {
    CloudError::NotFound {
        kind,
        id: id.to_string(),
    }
}

fn dependency(what: String) -> CloudError {
    CloudError::DependencyViolation(what)
}

/// The error AWS gives when deleting an object something still uses.
fn has_dependencies(kind: &str, id: &str) -> CloudError {
    dependency(format!(
        "The {kind} '{id}' has dependencies and cannot be deleted."
    ))
}

fn service(code: &str, message: impl Into<String>) -> CloudError {
    CloudError::Service {
        code: code.to_string(),
        message: message.into(),
    }
}

/// The object `id` of `map`, or `NotFound` naming `kind`.
fn get<'a, T>(map: &'a Map<T>, kind: &'static str, id: &str) -> CloudResult<&'a T> {
    map.get(id).ok_or_else(|| not_found(kind, id))
}

/// The object `id` of `map` to change, or `NotFound` naming `kind`.
fn get_mut<'a, T>(map: &'a mut Map<T>, kind: &'static str, id: &str) -> CloudResult<&'a mut T> {
    map.get_mut(id).ok_or_else(|| not_found(kind, id))
}

/// Stores a new object under `id` and returns it.
fn insert<T: Clone>(map: &mut Map<T>, id: String, object: T) -> T {
    map.insert(id, object.clone());
    object
}

fn retag_map(tags: &mut Tags, set: &Tags, remove: &[String]) {
    for k in remove {
        tags.remove(k);
    }
    tags.extend(set.clone());
}

fn in_stack(tags: &Tags, stack: &str) -> bool {
    tags.get(TAG_STACK).map(String::as_str) == Some(stack)
}

fn cidr_inside(inner: &str, outer: &str) -> bool {
    let net = |s: &str| s.parse::<ipnet::Ipv4Net>().ok();
    matches!((net(inner), net(outer)), (Some(i), Some(o)) if o.contains(&i))
}

fn cidr_overlap(a: &str, b: &str) -> bool {
    cidr_inside(a, b) || cidr_inside(b, a)
}

#[async_trait]
impl NetworkApi for SimCloud {
    async fn list_vpcs(&self, stack: &str) -> CloudResult<Vec<Vpc>> {
        self.list("list_vpcs", stack, |w| &w.vpcs).await
    }

    async fn list_subnets(&self, stack: &str) -> CloudResult<Vec<Subnet>> {
        self.list("list_subnets", stack, |w| &w.subnets).await
    }

    async fn list_internet_gateways(&self, stack: &str) -> CloudResult<Vec<InternetGateway>> {
        self.list("list_internet_gateways", stack, |w| &w.igws)
            .await
    }

    async fn list_elastic_ips(&self, stack: &str) -> CloudResult<Vec<ElasticIp>> {
        self.list("list_elastic_ips", stack, |w| &w.eips).await
    }

    async fn list_nat_gateways(&self, stack: &str) -> CloudResult<Vec<NatGateway>> {
        self.enter("list_nat_gateways").await?;
        let (w, now) = (self.world()?, Instant::now());
        let listed = |n: &NatGateway| {
            let gone = matches!(n.state, NatState::Deleting | NatState::Deleted);
            in_stack(&n.tags, stack) && !gone && w.visible(&n.id)
        };
        Ok(w.nats
            .values()
            .filter_map(|s| s.at(now))
            .filter(listed)
            .collect())
    }

    async fn list_route_tables(&self, stack: &str) -> CloudResult<Vec<RouteTable>> {
        self.list("list_route_tables", stack, |w| &w.route_tables)
            .await
    }

    async fn list_security_groups(&self, stack: &str) -> CloudResult<Vec<SecurityGroup>> {
        self.list("list_security_groups", stack, |w| &w.groups)
            .await
    }

    async fn retag(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag", |w| {
            let tags = w.tags_mut(id).ok_or_else(|| not_found("object", id))?;
            retag_map(tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn availability_zones(&self) -> CloudResult<Vec<String>> {
        self.enter("availability_zones").await?;
        Ok(self.azs.clone())
    }

    async fn create_vpc(&self, cidr_block: &str, tags: &Tags) -> CloudResult<Vpc> {
        self.mutate("create_vpc", |w| {
            let vpc = Vpc {
                id: w.id("vpc"),
                cidr_block: cidr_block.to_string(),
                dns_hostnames: false,
                dns_support: true,
                tags: tags.clone(),
            };
            Ok(insert(&mut w.vpcs, vpc.id.clone(), vpc))
        })
        .await
    }

    async fn set_vpc_dns(&self, vpc_id: &str, hostnames: bool, support: bool) -> CloudResult<()> {
        self.mutate("set_vpc_dns", |w| {
            let vpc = get_mut(&mut w.vpcs, "vpc", vpc_id)?;
            (vpc.dns_hostnames, vpc.dns_support) = (hostnames, support);
            Ok(())
        })
        .await
    }

    async fn delete_vpc(&self, vpc_id: &str) -> CloudResult<()> {
        self.mutate("delete_vpc", |w| {
            get(&w.vpcs, "vpc", vpc_id)?;
            let attached = |g: &InternetGateway| g.attached_vpc_ids.iter().any(|v| v == vpc_id);
            let in_use = w.subnets.values().any(|s| s.vpc_id == vpc_id)
                || w.igws.values().any(attached)
                || w.route_tables.values().any(|r| r.vpc_id == vpc_id)
                || w.groups.values().any(|g| g.vpc_id == vpc_id)
                || w.interfaces
                    .values()
                    .any(|i| w.in_vpc(&i.subnet_id, vpc_id));
            if in_use {
                return Err(has_dependencies("vpc", vpc_id));
            }
            w.vpcs.remove(vpc_id);
            Ok(())
        })
        .await
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr_block: &str,
        availability_zone: &str,
        tags: &Tags,
    ) -> CloudResult<Subnet> {
        self.mutate("create_subnet", |w| {
            let vpc = get(&w.vpcs, "vpc", vpc_id)?;
            if !cidr_inside(cidr_block, &vpc.cidr_block) {
                let message = format!("The CIDR '{cidr_block}' is invalid.");
                return Err(service("InvalidSubnet.Range", message));
            }
            let overlap =
                |s: &Subnet| s.vpc_id == vpc_id && cidr_overlap(&s.cidr_block, cidr_block);
            if w.subnets.values().any(overlap) {
                let message = format!("The CIDR '{cidr_block}' conflicts with another subnet");
                return Err(service("InvalidSubnet.Conflict", message));
            }
            let subnet = Subnet {
                id: w.id("subnet"),
                vpc_id: vpc_id.to_string(),
                cidr_block: cidr_block.to_string(),
                availability_zone: availability_zone.to_string(),
                map_public_ip_on_launch: false,
                tags: tags.clone(),
            };
            Ok(insert(&mut w.subnets, subnet.id.clone(), subnet))
        })
        .await
    }

    async fn set_subnet_public_ip(&self, subnet_id: &str, on: bool) -> CloudResult<()> {
        self.mutate("set_subnet_public_ip", |w| {
            get_mut(&mut w.subnets, "subnet", subnet_id)?.map_public_ip_on_launch = on;
            Ok(())
        })
        .await
    }

    async fn delete_subnet(&self, subnet_id: &str) -> CloudResult<()> {
        self.mutate("delete_subnet", |w| {
            get(&w.subnets, "subnet", subnet_id)?;
            if w.live_nats().any(|n| n.subnet_id == subnet_id)
                || w.interfaces.values().any(|i| i.subnet_id == subnet_id)
                || w.eks.uses(subnet_id)
                || w.data.holds(subnet_id)
            {
                return Err(has_dependencies("subnet", subnet_id));
            }
            w.subnets.remove(subnet_id);
            w.unassociate(subnet_id);
            Ok(())
        })
        .await
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> CloudResult<InternetGateway> {
        self.mutate("create_internet_gateway", |w| {
            let igw = InternetGateway {
                id: w.id("igw"),
                attached_vpc_ids: Vec::new(),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.igws, igw.id.clone(), igw))
        })
        .await
    }

    async fn attach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        self.mutate("attach_internet_gateway", |w| {
            get(&w.vpcs, "vpc", vpc_id)?;
            let igw = get_mut(&mut w.igws, "internet gateway", igw_id)?;
            if !igw.attached_vpc_ids.is_empty() {
                let message = format!("resource {igw_id} is already attached");
                return Err(service("Resource.AlreadyAssociated", message));
            }
            igw.attached_vpc_ids.push(vpc_id.to_string());
            Ok(())
        })
        .await
    }

    async fn detach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        self.mutate("detach_internet_gateway", |w| {
            if w.live_nats().any(|n| w.in_vpc(&n.subnet_id, vpc_id)) {
                return Err(dependency(format!(
                    "Network {vpc_id} has some mapped public address(es). Please unmap those \
                     public address(es) before detaching the gateway."
                )));
            }
            let igw = get_mut(&mut w.igws, "internet gateway", igw_id)?;
            if !igw.attached_vpc_ids.iter().any(|v| v == vpc_id) {
                return Err(not_found("internet gateway attachment", igw_id));
            }
            igw.attached_vpc_ids.retain(|v| v != vpc_id);
            Ok(())
        })
        .await
    }

    async fn delete_internet_gateway(&self, igw_id: &str) -> CloudResult<()> {
        self.mutate("delete_internet_gateway", |w| {
            let igw = get(&w.igws, "internet gateway", igw_id)?;
            if !igw.attached_vpc_ids.is_empty() {
                return Err(has_dependencies("internetGateway", igw_id));
            }
            w.igws.remove(igw_id);
            Ok(())
        })
        .await
    }

    async fn allocate_elastic_ip(&self, tags: &Tags) -> CloudResult<ElasticIp> {
        self.mutate("allocate_elastic_ip", |w| {
            let n = w.next_id;
            let eip = ElasticIp {
                allocation_id: w.id("eipalloc"),
                public_ip: Some(format!("198.51.100.{}", n % 250)),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.eips, eip.allocation_id.clone(), eip))
        })
        .await
    }

    async fn release_elastic_ip(&self, allocation_id: &str) -> CloudResult<()> {
        self.mutate("release_elastic_ip", |w| {
            get(&w.eips, "elastic ip", allocation_id)?;
            if w.eip_taken(allocation_id) {
                return Err(dependency(format!(
                    "The address {allocation_id} is in use by a NAT gateway."
                )));
            }
            w.eips.remove(allocation_id);
            Ok(())
        })
        .await
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        tags: &Tags,
    ) -> CloudResult<NatGateway> {
        self.mutate("create_nat_gateway", |w| {
            get(&w.subnets, "subnet", subnet_id)?;
            get(&w.eips, "elastic ip", allocation_id)?;
            if w.eip_taken(allocation_id) {
                let message = format!("Elastic IP address [{allocation_id}] is already associated");
                return Err(service("Resource.AlreadyAssociated", message));
            }
            let n = w.next_id;
            let nat = NatGateway {
                created: Some(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n)),
                id: w.id("nat"),
                subnet_id: subnet_id.to_string(),
                allocation_id: Some(allocation_id.to_string()),
                state: NatState::Pending,
                tags: tags.clone(),
            };
            let ready_at = Some(Instant::now() + self.latency.nat_ready_after);
            let sim = SimNat {
                nat: Some(nat.clone()),
                ready_at,
                gone_at: None,
            };
            w.nats.insert(nat.id.clone(), sim);
            Ok(nat)
        })
        .await
    }

    async fn get_nat_gateway(&self, nat_id: &str) -> CloudResult<NatGateway> {
        self.enter("get_nat_gateway").await?;
        let nat = get(&self.world()?.nats, "NAT gateway", nat_id)?.at(Instant::now());
        nat.ok_or_else(|| not_found("NAT gateway", nat_id))
    }

    async fn delete_nat_gateway(&self, nat_id: &str) -> CloudResult<()> {
        self.mutate("delete_nat_gateway", |w| {
            let sim = get_mut(&mut w.nats, "NAT gateway", nat_id)?;
            let gone = Instant::now() + self.latency.nat_gone_after;
            sim.gone_at.get_or_insert(gone);
            Ok(())
        })
        .await
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &Tags) -> CloudResult<RouteTable> {
        self.mutate("create_route_table", |w| {
            let destination = get(&w.vpcs, "vpc", vpc_id)?.cidr_block.clone();
            let rt = RouteTable {
                id: w.id("rtb"),
                vpc_id: vpc_id.to_string(),
                routes: vec![Route {
                    destination,
                    target: RouteTarget::Local,
                }],
                associations: Vec::new(),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.route_tables, rt.id.clone(), rt))
        })
        .await
    }

    async fn delete_route_table(&self, route_table_id: &str) -> CloudResult<()> {
        self.mutate("delete_route_table", |w| {
            let rt = get(&w.route_tables, "route table", route_table_id)?;
            if !rt.associations.is_empty() {
                return Err(has_dependencies("routeTable", route_table_id));
            }
            w.route_tables.remove(route_table_id);
            w.log_route(route_table_id);
            Ok(())
        })
        .await
    }

    async fn create_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        self.mutate("create_route", |w| {
            let rt = get_mut(&mut w.route_tables, "route table", route_table_id)?;
            if rt.routes.iter().any(|r| r.destination == destination) {
                let message = format!("The route identified by {destination} already exists.");
                return Err(service("RouteAlreadyExists", message));
            }
            rt.routes.push(Route {
                destination: destination.to_string(),
                target: target.clone(),
            });
            w.log_route(route_table_id);
            Ok(())
        })
        .await
    }

    async fn replace_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        self.mutate("replace_route", |w| {
            let rt = get_mut(&mut w.route_tables, "route table", route_table_id)?;
            let route = rt.routes.iter_mut().find(|r| r.destination == destination);
            route.ok_or_else(|| not_found("route", destination))?.target = target.clone();
            w.log_route(route_table_id);
            Ok(())
        })
        .await
    }

    async fn delete_route(&self, route_table_id: &str, destination: &str) -> CloudResult<()> {
        self.mutate("delete_route", |w| {
            let rt = get_mut(&mut w.route_tables, "route table", route_table_id)?;
            let before = rt.routes.len();
            rt.routes.retain(|r| r.destination != destination);
            if rt.routes.len() == before {
                return Err(not_found("route", destination));
            }
            w.log_route(route_table_id);
            Ok(())
        })
        .await
    }

    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> CloudResult<String> {
        self.mutate("associate_route_table", |w| {
            get(&w.subnets, "subnet", subnet_id)?;
            if w.association(subnet_id).is_some() {
                let message = format!(
                    "the specified association for route table already exists for {subnet_id}"
                );
                return Err(service("Resource.AlreadyAssociated", message));
            }
            let id = w.id("rtbassoc");
            let rt = get_mut(&mut w.route_tables, "route table", route_table_id)?;
            rt.associations.push(RouteTableAssociation {
                id: id.clone(),
                subnet_id: Some(subnet_id.to_string()),
            });
            Ok(id)
        })
        .await
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CloudResult<()> {
        self.mutate("disassociate_route_table", |w| {
            for rt in w.route_tables.values_mut() {
                if let Some(pos) = rt.associations.iter().position(|a| a.id == association_id) {
                    rt.associations.remove(pos);
                    return Ok(());
                }
            }
            Err(not_found("route table association", association_id))
        })
        .await
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &Tags,
    ) -> CloudResult<SecurityGroup> {
        self.mutate("create_security_group", |w| {
            get(&w.vpcs, "vpc", vpc_id)?;
            let duplicate = |g: &SecurityGroup| g.vpc_id == vpc_id && g.name == name;
            if w.groups.values().any(duplicate) {
                let message =
                    format!("The security group '{name}' already exists for VPC '{vpc_id}'");
                return Err(service("InvalidGroup.Duplicate", message));
            }
            let group = SecurityGroup {
                id: w.id("sg"),
                name: name.to_string(),
                vpc_id: vpc_id.to_string(),
                rules: vec![Rule {
                    egress: true,
                    protocol: "-1".into(),
                    from_port: -1,
                    to_port: -1,
                    peer: RulePeer::Cidr("0.0.0.0/0".into()),
                    description: String::new(),
                }],
                tags: tags.clone(),
            };
            Ok(insert(&mut w.groups, group.id.clone(), group))
        })
        .await
    }

    async fn delete_security_group(&self, group_id: &str) -> CloudResult<()> {
        self.mutate("delete_security_group", |w| w.delete_group(group_id))
            .await
    }

    async fn authorize_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        self.mutate("authorize_rule", |w| {
            if let RulePeer::Group(peer) = &rule.peer {
                get(&w.groups, "security group", peer)?;
            }
            let group = get_mut(&mut w.groups, "security group", group_id)?;
            if group.rules.iter().any(|r| r.same_traffic(rule)) {
                let message = "the specified rule already exists";
                return Err(service("InvalidPermission.Duplicate", message));
            }
            group.rules.push(rule.clone());
            Ok(())
        })
        .await
    }

    async fn revoke_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        self.mutate("revoke_rule", |w| {
            let group = get_mut(&mut w.groups, "security group", group_id)?;
            let before = group.rules.len();
            group.rules.retain(|r| !r.same_traffic(rule));
            if group.rules.len() == before {
                return Err(not_found("security group rule", group_id));
            }
            Ok(())
        })
        .await
    }

    async fn subnet_interfaces(&self, subnet_id: &str) -> CloudResult<Vec<Interface>> {
        self.enter("subnet_interfaces").await?;
        let w = self.world()?;
        let inside = w.interfaces.values().filter(|i| i.subnet_id == subnet_id);
        Ok(inside.cloned().collect())
    }

    async fn subnet_association(&self, subnet_id: &str) -> CloudResult<Option<String>> {
        self.enter("subnet_association").await?;
        Ok(self.world()?.association(subnet_id))
    }

    async fn delete_interface(&self, interface_id: &str) -> CloudResult<()> {
        self.mutate("delete_interface", |w| {
            if get(&w.interfaces, "network interface", interface_id)?.in_use {
                let message = format!("Network interface '{interface_id}' is currently in use.");
                return Err(service("InvalidNetworkInterface.InUse", message));
            }
            w.interfaces.remove(interface_id);
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl KmsApi for SimCloud {
    async fn list_keys(
        &self,
        stack: &str,
        _alias: &str,
        with_policy: bool,
    ) -> CloudResult<Vec<KmsKey>> {
        self.enter("list_keys").await?;
        let w = self.world()?;
        let listed = |k: &&KmsKey| {
            in_stack(&k.tags, stack) && k.state != KeyState::PendingDeletion && w.visible(&k.id)
        };
        let with_aliases = |mut k: KmsKey| {
            let aliases = w.aliases.iter().filter(|(_, target)| **target == k.id);
            k.aliases = aliases.map(|(a, _)| a.clone()).collect();
            if !with_policy {
                k.policy = None;
            }
            k
        };
        Ok(w.keys
            .values()
            .filter(listed)
            .cloned()
            .map(with_aliases)
            .collect())
    }

    async fn create_key(&self, _description: &str, tags: &Tags) -> CloudResult<KmsKey> {
        self.mutate("create_key", |w| {
            let n = w.next_id;
            let id = w.id("key");
            let key = KmsKey {
                arn: format!("arn:aws:kms:us-east-1:123456789012:key/{id}"),
                id,
                state: KeyState::Enabled,
                rotation: false,
                aliases: Vec::new(),
                created: Some(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n)),
                tags: tags.clone(),
                policy: Some(DEFAULT_KEY_POLICY.into()),
            };
            Ok(insert(&mut w.keys, key.id.clone(), key))
        })
        .await
    }

    async fn enable_key(&self, key_id: &str) -> CloudResult<()> {
        self.mutate("enable_key", |w| {
            sim_key(w, key_id)?.state = KeyState::Enabled;
            Ok(())
        })
        .await
    }

    async fn enable_rotation(&self, key_id: &str) -> CloudResult<()> {
        self.mutate("enable_rotation", |w| {
            sim_key(w, key_id)?.rotation = true;
            Ok(())
        })
        .await
    }

    async fn put_key_policy(&self, key_id: &str, policy: &str) -> CloudResult<()> {
        self.mutate("put_key_policy", |w| {
            if serde_json::from_str::<serde_json::Value>(policy).is_err() {
                return Err(service("MalformedPolicyDocumentException", "not JSON"));
            }
            sim_key(w, key_id)?.policy = Some(policy.to_string());
            Ok(())
        })
        .await
    }

    async fn create_alias(&self, alias: &str, key_id: &str) -> CloudResult<()> {
        self.mutate("create_alias", |w| {
            let id = sim_key(w, key_id)?.id.clone();
            if w.aliases.contains_key(alias) {
                let message = format!("An alias with the name {alias} already exists");
                return Err(service("AlreadyExistsException", message));
            }
            w.aliases.insert(alias.to_string(), id);
            Ok(())
        })
        .await
    }

    async fn alias_target(&self, alias: &str) -> CloudResult<Option<String>> {
        self.enter("alias_target").await?;
        Ok(self.world()?.aliases.get(alias).cloned())
    }

    async fn delete_alias(&self, alias: &str) -> CloudResult<()> {
        self.mutate("delete_alias", |w| {
            w.aliases
                .remove(alias)
                .map(|_| ())
                .ok_or_else(|| not_found("alias", alias))
        })
        .await
    }

    async fn schedule_deletion(&self, key_id: &str, days: i32) -> CloudResult<()> {
        self.mutate("schedule_deletion", |w| {
            if !(7..=30).contains(&days) {
                let message = format!("PendingWindowInDays {days} is outside 7..30");
                return Err(service("ValidationException", message));
            }
            let key = sim_key(w, key_id)?;
            if key.state == KeyState::PendingDeletion {
                let message = format!("{key_id} is pending deletion.");
                return Err(service("KMSInvalidStateException", message));
            }
            key.state = KeyState::PendingDeletion;
            Ok(())
        })
        .await
    }

    async fn retag_key(&self, key_id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_key", |w| {
            retag_map(&mut sim_key(w, key_id)?.tags, set, remove);
            Ok(())
        })
        .await
    }
}

fn sim_key<'a>(w: &'a mut World, key_id: &str) -> CloudResult<&'a mut KmsKey> {
    w.keys
        .values_mut()
        .find(|k| k.id == key_id || k.arn == key_id)
        .ok_or_else(|| not_found("KMS key", key_id))
}
