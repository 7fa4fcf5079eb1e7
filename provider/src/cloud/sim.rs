//! An in-memory cloud for engine tests: EC2 networking semantics that matter
//! to the engine (dependencies between objects, NAT gateways that take time
//! to become available and to go away), a per-operation latency model on the
//! tokio clock (pause it in tests), injectable faults, and a mutation counter
//! tests use to "crash" an apply right after any step.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tokio::time::Instant;

use super::{
    CloudError, CloudResult, ElasticIp, Interface, InternetGateway, KeyState, KmsApi, KmsKey,
    NatGateway, NatState, NetworkApi, Route, RouteTable, RouteTableAssociation, RouteTarget, Rule,
    RulePeer, SecurityGroup, Subnet, TAG_STACK, Tags, Vpc,
};

/// How long each operation takes, and how long NAT gateways take to change
/// state. [`LatencyModel::aws_like`] uses figures in the range AWS shows.
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
}

impl LatencyModel {
    /// No latency at all, NATs available at once.
    pub fn instant() -> LatencyModel {
        LatencyModel {
            per_op: BTreeMap::new(),
            default: Duration::ZERO,
            nat_ready_after: Duration::ZERO,
            nat_gone_after: Duration::ZERO,
        }
    }

    /// AWS-like latencies: describes ~150-300 ms, creates 0.3-1.5 s, NAT
    /// gateways ~2 minutes to become available and ~1 minute to go away.
    pub fn aws_like() -> LatencyModel {
        let ms = Duration::from_millis;
        let per_op = [
            ("list_vpcs", ms(600)), // a describe and two attribute reads
            ("list_subnets", ms(200)),
            ("list_internet_gateways", ms(200)),
            ("list_elastic_ips", ms(200)),
            ("list_nat_gateways", ms(200)),
            ("list_route_tables", ms(250)),
            ("list_security_groups", ms(250)),
            ("list_keys", ms(400)), // tagging API, describe, rotation, aliases
            ("retag", ms(300)),
            ("create_key", ms(500)),
            ("enable_rotation", ms(200)),
            ("create_alias", ms(200)),
            ("alias_target", ms(200)),
            ("delete_alias", ms(200)),
            ("schedule_deletion", ms(200)),
            ("retag_key", ms(200)),
            ("subnet_interfaces", ms(200)),
            ("subnet_association", ms(200)),
            ("availability_zones", ms(200)),
            ("create_vpc", ms(1_200)),
            ("set_vpc_dns", ms(600)),
            ("delete_vpc", ms(900)),
            ("create_subnet", ms(900)),
            ("set_subnet_public_ip", ms(300)),
            ("delete_subnet", ms(700)),
            ("create_internet_gateway", ms(500)),
            ("attach_internet_gateway", ms(700)),
            ("detach_internet_gateway", ms(900)),
            ("delete_internet_gateway", ms(500)),
            ("allocate_elastic_ip", ms(400)),
            ("release_elastic_ip", ms(400)),
            ("create_nat_gateway", ms(800)),
            ("get_nat_gateway", ms(200)),
            ("delete_nat_gateway", ms(500)),
            ("create_route_table", ms(500)),
            ("delete_route_table", ms(500)),
            ("create_route", ms(400)),
            ("replace_route", ms(400)),
            ("delete_route", ms(400)),
            ("associate_route_table", ms(400)),
            ("disassociate_route_table", ms(400)),
            ("create_security_group", ms(700)),
            ("delete_security_group", ms(600)),
            ("authorize_rule", ms(500)),
            ("revoke_rule", ms(500)),
            ("delete_interface", ms(500)),
        ]
        .into_iter()
        .collect();
        LatencyModel {
            per_op,
            default: ms(300),
            nat_ready_after: Duration::from_secs(120),
            nat_gone_after: Duration::from_secs(60),
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

#[derive(Debug, Default)]
struct World {
    next_id: u64,
    vpcs: BTreeMap<String, Vpc>,
    subnets: BTreeMap<String, Subnet>,
    igws: BTreeMap<String, InternetGateway>,
    eips: BTreeMap<String, ElasticIp>,
    nats: BTreeMap<String, SimNat>,
    route_tables: BTreeMap<String, RouteTable>,
    groups: BTreeMap<String, SecurityGroup>,
    interfaces: BTreeMap<String, Interface>,
    keys: BTreeMap<String, KmsKey>,
    aliases: BTreeMap<String, String>,
    born: BTreeMap<String, Instant>,
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
    /// creates by `lag` when eventual consistency is on).
    fn visible(&self, id: &str, lag: Duration) -> bool {
        self.born.get(id).is_none_or(|b| Instant::now() >= *b + lag)
    }

    fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
        if let Some(o) = self.vpcs.get_mut(id) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.subnets.get_mut(id) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.igws.get_mut(id) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.eips.get_mut(id) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.nats.get_mut(id).and_then(|n| n.nat.as_mut()) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.route_tables.get_mut(id) {
            return Some(&mut o.tags);
        }
        if let Some(o) = self.groups.get_mut(id) {
            return Some(&mut o.tags);
        }
        let key = self.keys.values_mut().find(|k| k.id == id || k.arn == id)?;
        Some(&mut key.tags)
    }

    fn log_route(&mut self, route_table_id: &str) {
        let target = self
            .route_tables
            .get(route_table_id)
            .and_then(|rt| rt.routes.iter().find(|r| r.destination == "0.0.0.0/0"))
            .map(|r| r.target.clone());
        self.route_log.push(RouteEvent {
            at: Instant::now(),
            route_table_id: route_table_id.to_string(),
            target,
        });
    }

    fn nat_state(&self, sim: &SimNat, now: Instant) -> Option<NatGateway> {
        let mut nat = sim.nat.clone()?;
        if let Some(gone) = sim.gone_at {
            nat.state = if now >= gone {
                NatState::Deleted
            } else {
                NatState::Deleting
            };
        } else if let Some(ready) = sim.ready_at {
            nat.state = if now >= ready {
                NatState::Available
            } else {
                NatState::Pending
            };
        }
        Some(nat)
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
    lag: Mutex<Duration>,
}

impl SimCloud {
    /// A cloud with the given latency model and region `us-east-1` zones a-f.
    pub fn new(latency: LatencyModel) -> SimCloud {
        let (mutations, _) = watch::channel(0);
        SimCloud {
            world: Mutex::new(World::default()),
            latency,
            faults: Mutex::new(VecDeque::new()),
            calls: AtomicU64::new(0),
            per_op_calls: Mutex::new(BTreeMap::new()),
            mutations,
            azs: ["a", "b", "c", "d", "e", "f"]
                .iter()
                .map(|s| format!("us-east-1{s}"))
                .collect(),
            lag: Mutex::new(Duration::ZERO),
        }
    }

    /// Eventual consistency: describes list an object only `lag` after its
    /// create returned (zero: at once).
    pub fn set_describe_lag(&self, lag: Duration) {
        if let Ok(mut l) = self.lag.lock() {
            *l = lag;
        }
    }

    fn lag(&self) -> Duration {
        self.lag.lock().map(|l| *l).unwrap_or_default()
    }

    /// Every change of a default route so far.
    pub fn route_log(&self) -> Vec<RouteEvent> {
        self.world
            .lock()
            .map(|w| w.route_log.clone())
            .unwrap_or_default()
    }

    /// Sets a tag on any object behind the engine's back.
    pub fn tag_out_of_band(&self, id: &str, key: &str, value: &str) {
        if let Ok(mut w) = self.world.lock()
            && let Some(tags) = w.tags_mut(id)
        {
            tags.insert(key.to_string(), value.to_string());
        }
    }

    /// Adds a rule to a security group behind the engine's back.
    pub fn authorize_out_of_band(&self, group_id: &str, rule: Rule) {
        if let Ok(mut w) = self.world.lock()
            && let Some(g) = w.groups.get_mut(group_id)
        {
            g.rules.push(rule);
        }
    }

    /// Flips a subnet's `map_public_ip_on_launch` behind the engine's back.
    pub fn set_public_ip_out_of_band(&self, subnet_id: &str, on: bool) {
        if let Ok(mut w) = self.world.lock()
            && let Some(s) = w.subnets.get_mut(subnet_id)
        {
            s.map_public_ip_on_launch = on;
        }
    }

    /// The KMS keys, pending deletion or not, with their aliases.
    pub fn keys(&self) -> Vec<KmsKey> {
        self.world
            .lock()
            .map(|w| w.keys.values().cloned().collect())
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
    pub fn inventory(&self) -> Vec<(&'static str, String, Tags)> {
        let Ok(w) = self.world.lock() else {
            return Vec::new();
        };
        let now = Instant::now();
        let mut out = Vec::new();
        out.extend(
            w.vpcs
                .values()
                .map(|o| ("vpc", o.id.clone(), o.tags.clone())),
        );
        out.extend(
            w.subnets
                .values()
                .map(|o| ("subnet", o.id.clone(), o.tags.clone())),
        );
        out.extend(
            w.igws
                .values()
                .map(|o| ("internet-gateway", o.id.clone(), o.tags.clone())),
        );
        out.extend(
            w.eips
                .values()
                .map(|o| ("elastic-ip", o.allocation_id.clone(), o.tags.clone())),
        );
        for sim in w.nats.values() {
            if let Some(nat) = w
                .nat_state(sim, now)
                .filter(|n| n.state != NatState::Deleted)
            {
                out.push(("nat-gateway", nat.id, nat.tags));
            }
        }
        out.extend(
            w.route_tables
                .values()
                .map(|o| ("route-table", o.id.clone(), o.tags.clone())),
        );
        out.extend(
            w.groups
                .values()
                .map(|o| ("security-group", o.id.clone(), o.tags.clone())),
        );
        out.extend(
            w.keys
                .values()
                .filter(|k| k.state != KeyState::PendingDeletion)
                .map(|k| ("kms-key", k.id.clone(), k.tags.clone())),
        );
        out.extend(
            w.interfaces
                .values()
                .map(|i| ("network-interface", i.id.clone(), i.tags.clone())),
        );
        out
    }

    /// Deletes an object behind the engine's back (drift), ignoring
    /// dependencies, as a console user might.
    pub fn delete_out_of_band(&self, id: &str) {
        if let Ok(mut w) = self.world.lock() {
            w.subnets.remove(id);
            w.vpcs.remove(id);
            w.igws.remove(id);
            w.eips.remove(id);
            w.nats.remove(id);
            w.route_tables.remove(id);
            w.groups.remove(id);
            w.interfaces.remove(id);
            for rt in w.route_tables.values_mut() {
                rt.associations
                    .retain(|a| a.subnet_id.as_deref() != Some(id));
            }
        }
    }

    /// Removes a route behind the engine's back.
    pub fn delete_route_out_of_band(&self, route_table_id: &str, destination: &str) {
        if let Ok(mut w) = self.world.lock()
            && let Some(rt) = w.route_tables.get_mut(route_table_id)
        {
            rt.routes.retain(|r| r.destination != destination);
        }
    }

    /// Adds a network interface in a subnet, as a load balancer would:
    /// `in_use` while something uses it, `available` once left behind.
    pub fn add_interface(&self, subnet_id: &str, description: &str, in_use: bool) -> String {
        let Ok(mut w) = self.world.lock() else {
            return String::new();
        };
        let id = w.id("eni");
        w.interfaces.insert(
            id.clone(),
            Interface {
                id: id.clone(),
                subnet_id: subnet_id.to_string(),
                in_use,
                description: description.to_string(),
                tags: Tags::new(),
            },
        );
        id
    }

    /// Detaches a network interface (its user went away).
    pub fn detach_interface(&self, interface_id: &str) {
        if let Ok(mut w) = self.world.lock()
            && let Some(i) = w.interfaces.get_mut(interface_id)
        {
            i.in_use = false;
        }
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
        let hit = self.fault_for(op);
        match hit {
            Some(e) if e == CloudError::Timeout("hang".into()) => {
                std::future::pending::<()>().await;
                Err(e)
            }
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

    fn mutated(&self) {
        self.mutations.send_modify(|m| *m += 1);
    }

    fn with<T>(&self, f: impl FnOnce(&mut World) -> CloudResult<T>) -> CloudResult<T> {
        let mut w = self
            .world
            .lock()
            .map_err(|_| CloudError::Transport("sim poisoned".into()))?;
        f(&mut w)
    }

    fn mutate<T>(&self, f: impl FnOnce(&mut World) -> CloudResult<T>) -> CloudResult<T> {
        let out = self.with(f)?;
        self.mutated();
        Ok(out)
    }
}

fn not_found(kind: &'static str, id: &str) -> CloudError {
    CloudError::NotFound {
        kind,
        id: id.to_string(),
    }
}

fn dependency(what: String) -> CloudError {
    CloudError::DependencyViolation(what)
}

/// The objects of `map` tagged with `stack` that a describe lists now.
fn listed<T: Clone>(
    w: &World,
    map: &BTreeMap<String, T>,
    meta: impl Fn(&T) -> (&String, &Tags),
    stack: &str,
    lag: Duration,
) -> Vec<T> {
    map.values()
        .filter(|o| {
            let (id, tags) = meta(o);
            tagged(tags, stack) && w.visible(id, lag)
        })
        .cloned()
        .collect()
}

fn tagged(tags: &Tags, stack: &str) -> bool {
    tags.get(TAG_STACK).map(String::as_str) == Some(stack)
}

fn cidr_inside(inner: &str, outer: &str) -> bool {
    match (
        inner.parse::<ipnet::Ipv4Net>(),
        outer.parse::<ipnet::Ipv4Net>(),
    ) {
        (Ok(i), Ok(o)) => o.contains(&i),
        _ => false,
    }
}

fn cidr_overlap(a: &str, b: &str) -> bool {
    match (a.parse::<ipnet::Ipv4Net>(), b.parse::<ipnet::Ipv4Net>()) {
        (Ok(x), Ok(y)) => x.contains(&y) || y.contains(&x),
        _ => false,
    }
}

#[async_trait]
impl NetworkApi for SimCloud {
    async fn list_vpcs(&self, stack: &str) -> CloudResult<Vec<Vpc>> {
        self.enter("list_vpcs").await?;
        let lag = self.lag();
        self.with(|w| Ok(listed(w, &w.vpcs, |o| (&o.id, &o.tags), stack, lag)))
    }

    async fn list_subnets(&self, stack: &str) -> CloudResult<Vec<Subnet>> {
        self.enter("list_subnets").await?;
        let lag = self.lag();
        self.with(|w| Ok(listed(w, &w.subnets, |o| (&o.id, &o.tags), stack, lag)))
    }

    async fn list_internet_gateways(&self, stack: &str) -> CloudResult<Vec<InternetGateway>> {
        self.enter("list_internet_gateways").await?;
        let lag = self.lag();
        self.with(|w| Ok(listed(w, &w.igws, |o| (&o.id, &o.tags), stack, lag)))
    }

    async fn list_elastic_ips(&self, stack: &str) -> CloudResult<Vec<ElasticIp>> {
        self.enter("list_elastic_ips").await?;
        let lag = self.lag();
        self.with(|w| {
            Ok(listed(
                w,
                &w.eips,
                |o| (&o.allocation_id, &o.tags),
                stack,
                lag,
            ))
        })
    }

    async fn list_nat_gateways(&self, stack: &str) -> CloudResult<Vec<NatGateway>> {
        self.enter("list_nat_gateways").await?;
        let now = Instant::now();
        let lag = self.lag();
        self.with(|w| {
            Ok(w.nats
                .values()
                .filter_map(|s| w.nat_state(s, now))
                .filter(|n| {
                    tagged(&n.tags, stack)
                        && matches!(
                            n.state,
                            NatState::Pending | NatState::Available | NatState::Failed
                        )
                        && w.visible(&n.id, lag)
                })
                .collect())
        })
    }

    async fn list_route_tables(&self, stack: &str) -> CloudResult<Vec<RouteTable>> {
        self.enter("list_route_tables").await?;
        let lag = self.lag();
        self.with(|w| Ok(listed(w, &w.route_tables, |o| (&o.id, &o.tags), stack, lag)))
    }

    async fn list_security_groups(&self, stack: &str) -> CloudResult<Vec<SecurityGroup>> {
        self.enter("list_security_groups").await?;
        let lag = self.lag();
        self.with(|w| Ok(listed(w, &w.groups, |o| (&o.id, &o.tags), stack, lag)))
    }

    async fn retag(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.enter("retag").await?;
        self.mutate(|w| {
            let tags = w.tags_mut(id).ok_or_else(|| not_found("object", id))?;
            for k in remove {
                tags.remove(k);
            }
            tags.extend(set.clone());
            Ok(())
        })
    }

    async fn availability_zones(&self) -> CloudResult<Vec<String>> {
        self.enter("availability_zones").await?;
        Ok(self.azs.clone())
    }

    async fn create_vpc(&self, cidr_block: &str, tags: &Tags) -> CloudResult<Vpc> {
        self.enter("create_vpc").await?;
        self.mutate(|w| {
            let vpc = Vpc {
                id: w.id("vpc"),
                cidr_block: cidr_block.to_string(),
                dns_hostnames: false,
                dns_support: true,
                tags: tags.clone(),
            };
            w.vpcs.insert(vpc.id.clone(), vpc.clone());
            Ok(vpc)
        })
    }

    async fn set_vpc_dns(&self, vpc_id: &str, hostnames: bool, support: bool) -> CloudResult<()> {
        self.enter("set_vpc_dns").await?;
        self.mutate(|w| {
            let vpc = w
                .vpcs
                .get_mut(vpc_id)
                .ok_or_else(|| not_found("vpc", vpc_id))?;
            vpc.dns_hostnames = hostnames;
            vpc.dns_support = support;
            Ok(())
        })
    }

    async fn delete_vpc(&self, vpc_id: &str) -> CloudResult<()> {
        self.enter("delete_vpc").await?;
        self.mutate(|w| {
            if !w.vpcs.contains_key(vpc_id) {
                return Err(not_found("vpc", vpc_id));
            }
            let in_use = w.subnets.values().any(|s| s.vpc_id == vpc_id)
                || w.igws
                    .values()
                    .any(|g| g.attached_vpc_ids.iter().any(|v| v == vpc_id))
                || w.route_tables.values().any(|r| r.vpc_id == vpc_id)
                || w.groups.values().any(|g| g.vpc_id == vpc_id)
                || w.interfaces.values().any(|i| {
                    w.subnets
                        .get(&i.subnet_id)
                        .is_some_and(|s| s.vpc_id == vpc_id)
                });
            if in_use {
                return Err(dependency(format!(
                    "The vpc '{vpc_id}' has dependencies and cannot be deleted."
                )));
            }
            w.vpcs.remove(vpc_id);
            Ok(())
        })
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr_block: &str,
        availability_zone: &str,
        tags: &Tags,
    ) -> CloudResult<Subnet> {
        self.enter("create_subnet").await?;
        self.mutate(|w| {
            let vpc = w.vpcs.get(vpc_id).ok_or_else(|| not_found("vpc", vpc_id))?;
            if !cidr_inside(cidr_block, &vpc.cidr_block) {
                return Err(CloudError::Service {
                    code: "InvalidSubnet.Range".into(),
                    message: format!("The CIDR '{cidr_block}' is invalid."),
                });
            }
            if w.subnets
                .values()
                .any(|s| s.vpc_id == vpc_id && cidr_overlap(&s.cidr_block, cidr_block))
            {
                return Err(CloudError::Service {
                    code: "InvalidSubnet.Conflict".into(),
                    message: format!("The CIDR '{cidr_block}' conflicts with another subnet"),
                });
            }
            let subnet = Subnet {
                id: w.id("subnet"),
                vpc_id: vpc_id.to_string(),
                cidr_block: cidr_block.to_string(),
                availability_zone: availability_zone.to_string(),
                map_public_ip_on_launch: false,
                tags: tags.clone(),
            };
            w.subnets.insert(subnet.id.clone(), subnet.clone());
            Ok(subnet)
        })
    }

    async fn set_subnet_public_ip(&self, subnet_id: &str, on: bool) -> CloudResult<()> {
        self.enter("set_subnet_public_ip").await?;
        self.mutate(|w| {
            let subnet = w
                .subnets
                .get_mut(subnet_id)
                .ok_or_else(|| not_found("subnet", subnet_id))?;
            subnet.map_public_ip_on_launch = on;
            Ok(())
        })
    }

    async fn delete_subnet(&self, subnet_id: &str) -> CloudResult<()> {
        self.enter("delete_subnet").await?;
        let now = Instant::now();
        self.mutate(|w| {
            if !w.subnets.contains_key(subnet_id) {
                return Err(not_found("subnet", subnet_id));
            }
            let nat_inside = w
                .nats
                .values()
                .filter_map(|s| w.nat_state(s, now))
                .any(|n| n.subnet_id == subnet_id && n.state != NatState::Deleted);
            let interface_inside = w.interfaces.values().any(|i| i.subnet_id == subnet_id);
            if nat_inside || interface_inside {
                return Err(dependency(format!(
                    "The subnet '{subnet_id}' has dependencies and cannot be deleted."
                )));
            }
            w.subnets.remove(subnet_id);
            for rt in w.route_tables.values_mut() {
                rt.associations
                    .retain(|a| a.subnet_id.as_deref() != Some(subnet_id));
            }
            Ok(())
        })
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> CloudResult<InternetGateway> {
        self.enter("create_internet_gateway").await?;
        self.mutate(|w| {
            let igw = InternetGateway {
                id: w.id("igw"),
                attached_vpc_ids: Vec::new(),
                tags: tags.clone(),
            };
            w.igws.insert(igw.id.clone(), igw.clone());
            Ok(igw)
        })
    }

    async fn attach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        self.enter("attach_internet_gateway").await?;
        self.mutate(|w| {
            if !w.vpcs.contains_key(vpc_id) {
                return Err(not_found("vpc", vpc_id));
            }
            let igw = w
                .igws
                .get_mut(igw_id)
                .ok_or_else(|| not_found("internet gateway", igw_id))?;
            if !igw.attached_vpc_ids.is_empty() {
                return Err(CloudError::Service {
                    code: "Resource.AlreadyAssociated".into(),
                    message: format!("resource {igw_id} is already attached"),
                });
            }
            igw.attached_vpc_ids.push(vpc_id.to_string());
            Ok(())
        })
    }

    async fn detach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        self.enter("detach_internet_gateway").await?;
        let now = Instant::now();
        self.mutate(|w| {
            let public_nat = w.nats.values().filter_map(|s| w.nat_state(s, now)).any(|n| {
                n.state != NatState::Deleted && w.subnets.get(&n.subnet_id).is_some_and(|s| s.vpc_id == vpc_id)
            });
            if public_nat {
                return Err(dependency(format!(
                    "Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway."
                )));
            }
            let igw = w.igws.get_mut(igw_id).ok_or_else(|| not_found("internet gateway", igw_id))?;
            if !igw.attached_vpc_ids.iter().any(|v| v == vpc_id) {
                return Err(not_found("internet gateway attachment", igw_id));
            }
            igw.attached_vpc_ids.retain(|v| v != vpc_id);
            Ok(())
        })
    }

    async fn delete_internet_gateway(&self, igw_id: &str) -> CloudResult<()> {
        self.enter("delete_internet_gateway").await?;
        self.mutate(|w| {
            let igw = w
                .igws
                .get(igw_id)
                .ok_or_else(|| not_found("internet gateway", igw_id))?;
            if !igw.attached_vpc_ids.is_empty() {
                return Err(dependency(format!(
                    "The internetGateway '{igw_id}' has dependencies and cannot be deleted."
                )));
            }
            w.igws.remove(igw_id);
            Ok(())
        })
    }

    async fn allocate_elastic_ip(&self, tags: &Tags) -> CloudResult<ElasticIp> {
        self.enter("allocate_elastic_ip").await?;
        self.mutate(|w| {
            let n = w.next_id;
            let eip = ElasticIp {
                allocation_id: w.id("eipalloc"),
                public_ip: Some(format!("198.51.100.{}", n % 250)),
                tags: tags.clone(),
            };
            w.eips.insert(eip.allocation_id.clone(), eip.clone());
            Ok(eip)
        })
    }

    async fn release_elastic_ip(&self, allocation_id: &str) -> CloudResult<()> {
        self.enter("release_elastic_ip").await?;
        let now = Instant::now();
        self.mutate(|w| {
            if !w.eips.contains_key(allocation_id) {
                return Err(not_found("elastic ip", allocation_id));
            }
            let in_use = w
                .nats
                .values()
                .filter_map(|s| w.nat_state(s, now))
                .any(|n| {
                    n.allocation_id.as_deref() == Some(allocation_id)
                        && n.state != NatState::Deleted
                });
            if in_use {
                return Err(dependency(format!(
                    "The address {allocation_id} is in use by a NAT gateway."
                )));
            }
            w.eips.remove(allocation_id);
            Ok(())
        })
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        tags: &Tags,
    ) -> CloudResult<NatGateway> {
        self.enter("create_nat_gateway").await?;
        let now = Instant::now();
        let ready = now + self.latency.nat_ready_after;
        self.mutate(|w| {
            if !w.subnets.contains_key(subnet_id) {
                return Err(not_found("subnet", subnet_id));
            }
            if !w.eips.contains_key(allocation_id) {
                return Err(not_found("elastic ip", allocation_id));
            }
            let taken = w
                .nats
                .values()
                .filter_map(|s| w.nat_state(s, now))
                .any(|n| {
                    n.allocation_id.as_deref() == Some(allocation_id)
                        && n.state != NatState::Deleted
                });
            if taken {
                return Err(CloudError::Service {
                    code: "Resource.AlreadyAssociated".into(),
                    message: format!("Elastic IP address [{allocation_id}] is already associated"),
                });
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
            w.nats.insert(
                nat.id.clone(),
                SimNat {
                    nat: Some(nat.clone()),
                    ready_at: Some(ready),
                    gone_at: None,
                },
            );
            Ok(nat)
        })
    }

    async fn get_nat_gateway(&self, nat_id: &str) -> CloudResult<NatGateway> {
        self.enter("get_nat_gateway").await?;
        let now = Instant::now();
        self.with(|w| {
            let sim = w
                .nats
                .get(nat_id)
                .ok_or_else(|| not_found("NAT gateway", nat_id))?;
            w.nat_state(sim, now)
                .ok_or_else(|| not_found("NAT gateway", nat_id))
        })
    }

    async fn delete_nat_gateway(&self, nat_id: &str) -> CloudResult<()> {
        self.enter("delete_nat_gateway").await?;
        let gone = Instant::now() + self.latency.nat_gone_after;
        self.mutate(|w| {
            let sim = w
                .nats
                .get_mut(nat_id)
                .ok_or_else(|| not_found("NAT gateway", nat_id))?;
            if sim.gone_at.is_none() {
                sim.gone_at = Some(gone);
            }
            Ok(())
        })
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &Tags) -> CloudResult<RouteTable> {
        self.enter("create_route_table").await?;
        self.mutate(|w| {
            let vpc_cidr = w
                .vpcs
                .get(vpc_id)
                .ok_or_else(|| not_found("vpc", vpc_id))?
                .cidr_block
                .clone();
            let rt = RouteTable {
                id: w.id("rtb"),
                vpc_id: vpc_id.to_string(),
                routes: vec![Route {
                    destination: vpc_cidr,
                    target: RouteTarget::Local,
                }],
                associations: Vec::new(),
                tags: tags.clone(),
            };
            w.route_tables.insert(rt.id.clone(), rt.clone());
            Ok(rt)
        })
    }

    async fn delete_route_table(&self, route_table_id: &str) -> CloudResult<()> {
        self.enter("delete_route_table").await?;
        self.mutate(|w| {
            let rt = w
                .route_tables
                .get(route_table_id)
                .ok_or_else(|| not_found("route table", route_table_id))?;
            if !rt.associations.is_empty() {
                return Err(dependency(format!(
                    "The routeTable '{route_table_id}' has dependencies and cannot be deleted."
                )));
            }
            w.route_tables.remove(route_table_id);
            w.log_route(route_table_id);
            Ok(())
        })
    }

    async fn create_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        self.enter("create_route").await?;
        self.mutate(|w| {
            let rt = w
                .route_tables
                .get_mut(route_table_id)
                .ok_or_else(|| not_found("route table", route_table_id))?;
            if rt.routes.iter().any(|r| r.destination == destination) {
                return Err(CloudError::Service {
                    code: "RouteAlreadyExists".into(),
                    message: format!("The route identified by {destination} already exists."),
                });
            }
            rt.routes.push(Route {
                destination: destination.to_string(),
                target: target.clone(),
            });
            w.log_route(route_table_id);
            Ok(())
        })
    }

    async fn replace_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        self.enter("replace_route").await?;
        self.mutate(|w| {
            let rt = w
                .route_tables
                .get_mut(route_table_id)
                .ok_or_else(|| not_found("route table", route_table_id))?;
            let route = rt
                .routes
                .iter_mut()
                .find(|r| r.destination == destination)
                .ok_or_else(|| not_found("route", destination))?;
            route.target = target.clone();
            w.log_route(route_table_id);
            Ok(())
        })
    }

    async fn delete_route(&self, route_table_id: &str, destination: &str) -> CloudResult<()> {
        self.enter("delete_route").await?;
        self.mutate(|w| {
            let rt = w
                .route_tables
                .get_mut(route_table_id)
                .ok_or_else(|| not_found("route table", route_table_id))?;
            let before = rt.routes.len();
            rt.routes.retain(|r| r.destination != destination);
            if rt.routes.len() == before {
                return Err(not_found("route", destination));
            }
            w.log_route(route_table_id);
            Ok(())
        })
    }

    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> CloudResult<String> {
        self.enter("associate_route_table").await?;
        self.mutate(|w| {
            if !w.subnets.contains_key(subnet_id) {
                return Err(not_found("subnet", subnet_id));
            }
            if w.route_tables.values().any(|rt| {
                rt.associations
                    .iter()
                    .any(|a| a.subnet_id.as_deref() == Some(subnet_id))
            }) {
                return Err(CloudError::Service {
                    code: "Resource.AlreadyAssociated".into(),
                    message: format!(
                        "the specified association for route table already exists for {subnet_id}"
                    ),
                });
            }
            let id = w.id("rtbassoc");
            let rt = w
                .route_tables
                .get_mut(route_table_id)
                .ok_or_else(|| not_found("route table", route_table_id))?;
            rt.associations.push(RouteTableAssociation {
                id: id.clone(),
                subnet_id: Some(subnet_id.to_string()),
            });
            Ok(id)
        })
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CloudResult<()> {
        self.enter("disassociate_route_table").await?;
        self.mutate(|w| {
            for rt in w.route_tables.values_mut() {
                if let Some(pos) = rt.associations.iter().position(|a| a.id == association_id) {
                    rt.associations.remove(pos);
                    return Ok(());
                }
            }
            Err(not_found("route table association", association_id))
        })
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &Tags,
    ) -> CloudResult<SecurityGroup> {
        self.enter("create_security_group").await?;
        self.mutate(|w| {
            if !w.vpcs.contains_key(vpc_id) {
                return Err(not_found("vpc", vpc_id));
            }
            if w.groups
                .values()
                .any(|g| g.vpc_id == vpc_id && g.name == name)
            {
                return Err(CloudError::Service {
                    code: "InvalidGroup.Duplicate".into(),
                    message: format!(
                        "The security group '{name}' already exists for VPC '{vpc_id}'"
                    ),
                });
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
            w.groups.insert(group.id.clone(), group.clone());
            Ok(group)
        })
    }

    async fn delete_security_group(&self, group_id: &str) -> CloudResult<()> {
        self.enter("delete_security_group").await?;
        self.mutate(|w| {
            if !w.groups.contains_key(group_id) {
                return Err(not_found("security group", group_id));
            }
            let referenced = w.groups.values().filter(|g| g.id != group_id).any(|g| {
                g.rules
                    .iter()
                    .any(|r| r.peer == RulePeer::Group(group_id.to_string()))
            });
            if referenced {
                return Err(dependency(format!(
                    "resource {group_id} has a dependent object"
                )));
            }
            w.groups.remove(group_id);
            Ok(())
        })
    }

    async fn authorize_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        self.enter("authorize_rule").await?;
        self.mutate(|w| {
            if let RulePeer::Group(peer) = &rule.peer
                && !w.groups.contains_key(peer)
            {
                return Err(not_found("security group", peer));
            }
            let group = w
                .groups
                .get_mut(group_id)
                .ok_or_else(|| not_found("security group", group_id))?;
            if group.rules.iter().any(|r| r.same_traffic(rule)) {
                return Err(CloudError::Service {
                    code: "InvalidPermission.Duplicate".into(),
                    message: "the specified rule already exists".into(),
                });
            }
            group.rules.push(rule.clone());
            Ok(())
        })
    }

    async fn revoke_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        self.enter("revoke_rule").await?;
        self.mutate(|w| {
            let group = w
                .groups
                .get_mut(group_id)
                .ok_or_else(|| not_found("security group", group_id))?;
            let before = group.rules.len();
            group.rules.retain(|r| !r.same_traffic(rule));
            if group.rules.len() == before {
                return Err(not_found("security group rule", group_id));
            }
            Ok(())
        })
    }

    async fn subnet_interfaces(&self, subnet_id: &str) -> CloudResult<Vec<Interface>> {
        self.enter("subnet_interfaces").await?;
        self.with(|w| {
            Ok(w.interfaces
                .values()
                .filter(|i| i.subnet_id == subnet_id)
                .cloned()
                .collect())
        })
    }

    async fn subnet_association(&self, subnet_id: &str) -> CloudResult<Option<String>> {
        self.enter("subnet_association").await?;
        self.with(|w| {
            Ok(w.route_tables.values().find_map(|rt| {
                rt.associations
                    .iter()
                    .find(|a| a.subnet_id.as_deref() == Some(subnet_id))
                    .map(|a| a.id.clone())
            }))
        })
    }

    async fn delete_interface(&self, interface_id: &str) -> CloudResult<()> {
        self.enter("delete_interface").await?;
        self.mutate(|w| {
            let eni = w
                .interfaces
                .get(interface_id)
                .ok_or_else(|| not_found("network interface", interface_id))?;
            if eni.in_use {
                return Err(CloudError::Service {
                    code: "InvalidNetworkInterface.InUse".into(),
                    message: format!("Network interface '{interface_id}' is currently in use."),
                });
            }
            w.interfaces.remove(interface_id);
            Ok(())
        })
    }
}

#[async_trait]
impl KmsApi for SimCloud {
    async fn list_keys(&self, stack: &str, _alias: &str) -> CloudResult<Vec<KmsKey>> {
        self.enter("list_keys").await?;
        let lag = self.lag();
        self.with(|w| {
            Ok(w.keys
                .values()
                .filter(|k| {
                    tagged(&k.tags, stack)
                        && k.state != KeyState::PendingDeletion
                        && w.visible(&k.id, lag)
                })
                .cloned()
                .map(|mut k| {
                    k.aliases = w
                        .aliases
                        .iter()
                        .filter(|(_, target)| **target == k.id)
                        .map(|(a, _)| a.clone())
                        .collect();
                    k
                })
                .collect())
        })
    }

    async fn create_key(&self, _description: &str, tags: &Tags) -> CloudResult<KmsKey> {
        self.enter("create_key").await?;
        self.mutate(|w| {
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
            };
            w.keys.insert(key.id.clone(), key.clone());
            Ok(key)
        })
    }

    async fn enable_rotation(&self, key_id: &str) -> CloudResult<()> {
        self.enter("enable_rotation").await?;
        self.mutate(|w| {
            let key = sim_key(w, key_id)?;
            key.rotation = true;
            Ok(())
        })
    }

    async fn create_alias(&self, alias: &str, key_id: &str) -> CloudResult<()> {
        self.enter("create_alias").await?;
        self.mutate(|w| {
            let id = sim_key(w, key_id)?.id.clone();
            if w.aliases.contains_key(alias) {
                return Err(CloudError::Service {
                    code: "AlreadyExistsException".into(),
                    message: format!("An alias with the name {alias} already exists"),
                });
            }
            w.aliases.insert(alias.to_string(), id);
            Ok(())
        })
    }

    async fn alias_target(&self, alias: &str) -> CloudResult<Option<String>> {
        self.enter("alias_target").await?;
        self.with(|w| Ok(w.aliases.get(alias).cloned()))
    }

    async fn delete_alias(&self, alias: &str) -> CloudResult<()> {
        self.enter("delete_alias").await?;
        self.mutate(|w| {
            w.aliases
                .remove(alias)
                .map(|_| ())
                .ok_or_else(|| not_found("alias", alias))
        })
    }

    async fn schedule_deletion(&self, key_id: &str, days: i32) -> CloudResult<()> {
        self.enter("schedule_deletion").await?;
        self.mutate(|w| {
            if !(7..=30).contains(&days) {
                return Err(CloudError::Service {
                    code: "ValidationException".into(),
                    message: format!("PendingWindowInDays {days} is outside 7..30"),
                });
            }
            let key = sim_key(w, key_id)?;
            if key.state == KeyState::PendingDeletion {
                return Err(CloudError::Service {
                    code: "KMSInvalidStateException".into(),
                    message: format!("{key_id} is pending deletion."),
                });
            }
            key.state = KeyState::PendingDeletion;
            Ok(())
        })
    }

    async fn retag_key(&self, key_id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.enter("retag_key").await?;
        self.mutate(|w| {
            let key = sim_key(w, key_id)?;
            for k in remove {
                key.tags.remove(k);
            }
            key.tags.extend(set.clone());
            Ok(())
        })
    }
}

fn sim_key<'a>(w: &'a mut World, key_id: &str) -> CloudResult<&'a mut KmsKey> {
    w.keys
        .values_mut()
        .find(|k| k.id == key_id || k.arn == key_id)
        .ok_or_else(|| not_found("KMS key", key_id))
}
