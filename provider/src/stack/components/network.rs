//! The network component: VPC, subnets per zone, internet gateway, Elastic
//! IPs and NAT gateways, route tables with routes and associations, and the
//! security groups later components use.
//!
//! Apply is observe, prune, ensure: one batched observe finds every object
//! tagged with the stack; objects that are no longer wanted (or must be
//! replaced) are deleted in dependency order; then a graph of ensure-steps
//! adopts what exists and creates what is missing, recording each id the
//! moment its create call returns.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cloud::{
    CloudError, CloudResult, NatState, NetworkApi, NetworkSnapshot, RouteTarget, Rule, RulePeer,
    TAG_COMPONENT, TAG_STACK, Tags,
};
use crate::stack::engine::{Step, StepFailure, delete_with_retry, run_graph, wait_until};
use crate::stack::model::{NatMode, NetworkState, SECURITY_GROUP_ROLES};

/// The default route's destination.
pub const ANYWHERE: &str = "0.0.0.0/0";

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

    /// Every component key the network should have.
    pub fn components(&self) -> BTreeSet<String> {
        let mut keys: BTreeSet<String> = ["vpc", "igw", "rt-public"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for zone in &self.zones {
            keys.insert(format!("subnet-public-{zone}"));
            keys.insert(format!("subnet-private-{zone}"));
            keys.insert(format!("rt-private-{zone}"));
        }
        for zone in self.nat.nat_zones(&self.zones) {
            keys.insert(format!("eip-{zone}"));
            keys.insert(format!("nat-{zone}"));
        }
        for role in SECURITY_GROUP_ROLES {
            keys.insert(format!("sg-{role}"));
        }
        keys
    }
}

/// The rules each security group should have (besides AWS's default
/// allow-all egress, which every group keeps).
pub fn desired_rules(role: &str, groups: &BTreeMap<String, String>) -> Vec<Rule> {
    let group = |r: &str| RulePeer::Group(groups.get(r).cloned().unwrap_or_default());
    let ingress = |protocol: &str, from: i32, to: i32, peer: RulePeer, description: &str| Rule {
        egress: false,
        protocol: protocol.to_string(),
        from_port: from,
        to_port: to,
        peer,
        description: description.to_string(),
    };
    match role {
        "cluster" => vec![ingress(
            "tcp",
            443,
            443,
            group("nodes"),
            "Kubernetes API from the nodes",
        )],
        "nodes" => vec![
            ingress("-1", -1, -1, group("nodes"), "Node to node"),
            ingress(
                "tcp",
                1025,
                65535,
                group("cluster"),
                "Control plane to kubelets and pods",
            ),
            ingress(
                "tcp",
                443,
                443,
                group("cluster"),
                "Control plane to webhooks",
            ),
        ],
        "database" => vec![ingress(
            "tcp",
            5432,
            5432,
            group("nodes"),
            "PostgreSQL from the nodes",
        )],
        _ => Vec::new(),
    }
}

fn default_egress(rule: &Rule) -> bool {
    rule.egress && rule.protocol == "-1" && rule.peer == RulePeer::Cidr(ANYWHERE.into())
}

/// Ids learnt so far in an apply; the state is built from it, also when the
/// apply fails half way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkIds {
    /// VPC.
    pub vpc: Option<String>,
    /// Internet gateway.
    pub igw: Option<String>,
    /// Public subnets by zone.
    pub public_subnets: BTreeMap<String, String>,
    /// Private subnets by zone.
    pub private_subnets: BTreeMap<String, String>,
    /// Elastic IPs by zone.
    pub eips: BTreeMap<String, String>,
    /// NAT gateways by zone.
    pub nats: BTreeMap<String, String>,
    /// Public route table.
    pub public_route_table: Option<String>,
    /// Private route tables by zone.
    pub private_route_tables: BTreeMap<String, String>,
    /// Security groups by role.
    pub security_groups: BTreeMap<String, String>,
}

impl NetworkIds {
    /// Writes the ids into a network state (maps empty -> null would differ
    /// from a plan, so empty maps stay empty maps).
    pub fn fill(&self, n: &mut NetworkState) {
        n.vpc_id = self.vpc.clone();
        n.internet_gateway_id = self.igw.clone();
        n.public_subnet_ids = Some(self.public_subnets.clone());
        n.private_subnet_ids = Some(self.private_subnets.clone());
        n.nat_gateway_ids = Some(self.nats.clone());
        n.public_route_table_id = self.public_route_table.clone();
        n.private_route_table_ids = Some(self.private_route_tables.clone());
        n.security_group_ids = Some(self.security_groups.clone());
    }
}

/// How long to wait between polls of a NAT gateway's state.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// Poll interval.
    pub interval: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            interval: Duration::from_secs(10),
        }
    }
}

fn component(tags: &Tags) -> Option<&str> {
    tags.get(TAG_COMPONENT).map(String::as_str)
}

/// Tags for one object: provider defaults, then the stack's tags, then ours.
pub fn object_tags(base: &Tags, stack: &str, key: &str) -> Tags {
    let mut tags = base.clone();
    tags.insert("Name".into(), format!("{stack}-{key}"));
    tags.insert(TAG_STACK.into(), stack.into());
    tags.insert(TAG_COMPONENT.into(), key.into());
    tags
}

/// The objects of a snapshot that must go: not wanted, to be replaced, or
/// twins of a kept object. With `desired = None`, everything goes.
pub fn obsolete(
    snapshot: &NetworkSnapshot,
    desired: Option<&DesiredNetwork>,
    prior: Option<&NetworkState>,
) -> NetworkSnapshot {
    let Some(desired) = desired else {
        return snapshot.clone();
    };
    let wanted = desired.components();
    let mut out = NetworkSnapshot::default();
    // The VPC: prefer the one in the prior state, else the oldest match.
    let prior_vpc = prior.and_then(|p| p.vpc_id.clone());
    let mut vpcs: Vec<_> = snapshot
        .vpcs
        .iter()
        .filter(|v| component(&v.tags) == Some("vpc"))
        .collect();
    vpcs.sort_by_key(|v| (Some(&v.id) != prior_vpc.as_ref(), v.id.clone()));
    let kept_vpc = vpcs
        .first()
        .filter(|v| v.cidr_block == desired.cidr_block)
        .map(|v| v.id.clone());
    if kept_vpc.is_none() && !snapshot.vpcs.is_empty() {
        // The VPC itself is replaced: everything in the stack goes with it.
        return snapshot.clone();
    }
    let kept_vpc = kept_vpc.unwrap_or_default();
    out.vpcs = snapshot
        .vpcs
        .iter()
        .filter(|v| v.id != kept_vpc)
        .cloned()
        .collect();

    let mut seen = BTreeSet::new();
    let mut keep = |key: Option<&str>, extra_ok: bool| -> bool {
        match key {
            Some(k) if wanted.contains(k) && extra_ok => seen.insert(k.to_string()),
            _ => false,
        }
    };
    let mut kept_subnets: BTreeMap<String, String> = BTreeMap::new();
    for s in &snapshot.subnets {
        let key = component(&s.tags);
        let fits = s.vpc_id == kept_vpc
            && match key {
                Some(k) if k.starts_with("subnet-public-") => {
                    let zone = &k["subnet-public-".len()..];
                    desired.public_cidrs.get(zone) == Some(&s.cidr_block)
                        && s.availability_zone == zone
                }
                Some(k) if k.starts_with("subnet-private-") => {
                    let zone = &k["subnet-private-".len()..];
                    desired.private_cidrs.get(zone) == Some(&s.cidr_block)
                        && s.availability_zone == zone
                }
                _ => false,
            };
        if keep(key, fits) {
            kept_subnets.insert(key.unwrap_or_default().to_string(), s.id.clone());
        } else {
            out.subnets.push(s.clone());
        }
    }
    let mut kept_eips = BTreeSet::new();
    for n in &snapshot.nat_gateways {
        let key = component(&n.tags);
        let fits = n.state != NatState::Failed
            && key.is_some_and(|k| {
                k.strip_prefix("nat-").is_some_and(|zone| {
                    kept_subnets.get(&format!("subnet-public-{zone}")) == Some(&n.subnet_id)
                })
            });
        if keep(key, fits) {
            if let Some(a) = &n.allocation_id {
                kept_eips.insert(a.clone());
            }
        } else {
            out.nat_gateways.push(n.clone());
        }
    }
    // EIPs: the one a kept NAT uses wins over a twin.
    let mut eips = snapshot.elastic_ips.clone();
    eips.sort_by_key(|e| !kept_eips.contains(&e.allocation_id));
    for e in eips {
        let key = component(&e.tags);
        if !keep(key, true) {
            out.elastic_ips.push(e.clone());
        }
    }
    for g in &snapshot.internet_gateways {
        let key = component(&g.tags);
        if !keep(key, true) {
            out.internet_gateways.push(g.clone());
        }
    }
    for rt in &snapshot.route_tables {
        let key = component(&rt.tags);
        if !keep(key, rt.vpc_id == kept_vpc) {
            out.route_tables.push(rt.clone());
        }
    }
    for sg in &snapshot.security_groups {
        let key = component(&sg.tags);
        if !keep(key, sg.vpc_id == kept_vpc) {
            out.security_groups.push(sg.clone());
        }
    }
    out
}

/// `snapshot` without the objects in `gone`.
pub fn without(snapshot: &NetworkSnapshot, gone: &NetworkSnapshot) -> NetworkSnapshot {
    let ids: BTreeSet<&str> = gone
        .vpcs
        .iter()
        .map(|o| o.id.as_str())
        .chain(gone.subnets.iter().map(|o| o.id.as_str()))
        .chain(gone.internet_gateways.iter().map(|o| o.id.as_str()))
        .chain(gone.elastic_ips.iter().map(|o| o.allocation_id.as_str()))
        .chain(gone.nat_gateways.iter().map(|o| o.id.as_str()))
        .chain(gone.route_tables.iter().map(|o| o.id.as_str()))
        .chain(gone.security_groups.iter().map(|o| o.id.as_str()))
        .collect();
    NetworkSnapshot {
        vpcs: snapshot
            .vpcs
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .collect(),
        subnets: snapshot
            .subnets
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .collect(),
        internet_gateways: snapshot
            .internet_gateways
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .collect(),
        elastic_ips: snapshot
            .elastic_ips
            .iter()
            .filter(|o| !ids.contains(o.allocation_id.as_str()))
            .cloned()
            .collect(),
        nat_gateways: snapshot
            .nat_gateways
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .collect(),
        route_tables: snapshot
            .route_tables
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .map(|mut rt| {
                rt.associations
                    .retain(|a| a.subnet_id.as_deref().is_none_or(|s| !ids.contains(s)));
                rt
            })
            .collect(),
        security_groups: snapshot
            .security_groups
            .iter()
            .filter(|o| !ids.contains(o.id.as_str()))
            .cloned()
            .collect(),
    }
}

/// Deletes every object of `gone` in dependency order, retrying while AWS
/// reports a dependency, until `deadline`. Returns what could not be removed.
pub async fn prune(
    cloud: &Arc<dyn NetworkApi>,
    gone: &NetworkSnapshot,
    all: &NetworkSnapshot,
    sweep_interfaces: bool,
    polling: Polling,
    deadline: Instant,
    stop: &CancellationToken,
) -> Vec<StepFailure> {
    let mut failures = Vec::new();
    let fail = |failures: &mut Vec<StepFailure>, key: &str, what: String, r: CloudResult<()>| {
        if let Err(error) = r {
            failures.push(StepFailure {
                key: key.to_string(),
                what,
                error,
            });
        }
    };
    let gone_subnets: BTreeSet<&str> = gone.subnets.iter().map(|s| s.id.as_str()).collect();
    let gone_groups: BTreeSet<&str> = gone.security_groups.iter().map(|s| s.id.as_str()).collect();

    // Wave 1: associations of leaving tables or subnets, NAT gateways, and
    // rules that reference leaving groups.
    let mut wave = Vec::new();
    for rt in &all.route_tables {
        let table_goes = gone.route_tables.iter().any(|g| g.id == rt.id);
        for assoc in &rt.associations {
            let subnet_goes = assoc
                .subnet_id
                .as_deref()
                .is_some_and(|s| gone_subnets.contains(s));
            if assoc.subnet_id.is_some() && (table_goes || subnet_goes) {
                let (cloud, id) = (cloud.clone(), assoc.id.clone());
                wave.push(Box::pin(async move {
                    let r = delete_with_retry(&id, deadline, stop, || {
                        cloud.disassociate_route_table(&id)
                    })
                    .await;
                    (
                        id.clone(),
                        format!("disassociating route table association {id}"),
                        r,
                    )
                })
                    as std::pin::Pin<
                        Box<
                            dyn std::future::Future<Output = (String, String, CloudResult<()>)>
                                + Send
                                + '_,
                        >,
                    >);
            }
        }
    }
    for nat in &gone.nat_gateways {
        let (cloud, id) = (cloud.clone(), nat.id.clone());
        wave.push(Box::pin(async move {
            let r = async {
                delete_with_retry(&id, deadline, stop, || cloud.delete_nat_gateway(&id)).await?;
                wait_until(
                    &format!("NAT gateway {id} to be deleted"),
                    polling.interval,
                    deadline,
                    stop,
                    || async {
                        match cloud.get_nat_gateway(&id).await {
                            Ok(n) if n.state == NatState::Deleted => Ok(Some(())),
                            Ok(_) => Ok(None),
                            Err(e) if e.is_not_found() => Ok(Some(())),
                            Err(e) => Err(e),
                        }
                    },
                )
                .await
            }
            .await;
            (id.clone(), format!("deleting NAT gateway {id}"), r)
        }));
    }
    for sg in &all.security_groups {
        for rule in &sg.rules {
            if let RulePeer::Group(peer) = &rule.peer
                && gone_groups.contains(peer.as_str())
            {
                let (cloud, id, rule) = (cloud.clone(), sg.id.clone(), rule.clone());
                wave.push(Box::pin(async move {
                    let r =
                        delete_with_retry(&id, deadline, stop, || cloud.revoke_rule(&id, &rule))
                            .await;
                    (
                        id.clone(),
                        format!("revoking a rule of security group {id}"),
                        r,
                    )
                }));
            }
        }
    }
    for (key, what, r) in futures::future::join_all(wave).await {
        fail(&mut failures, &key, what, r);
    }

    // Wave 2: route tables (their routes go with them), security groups,
    // Elastic IPs (free once their NAT is gone).
    let mut wave = Vec::new();
    for rt in &gone.route_tables {
        let (cloud, id) = (cloud.clone(), rt.id.clone());
        wave.push(Box::pin(async move {
            let r = delete_with_retry(&id, deadline, stop, || cloud.delete_route_table(&id)).await;
            (id.clone(), format!("deleting route table {id}"), r)
        })
            as std::pin::Pin<
                Box<
                    dyn std::future::Future<Output = (String, String, CloudResult<()>)> + Send + '_,
                >,
            >);
    }
    for sg in &gone.security_groups {
        let (cloud, id) = (cloud.clone(), sg.id.clone());
        wave.push(Box::pin(async move {
            let r =
                delete_with_retry(&id, deadline, stop, || cloud.delete_security_group(&id)).await;
            (id.clone(), format!("deleting security group {id}"), r)
        }));
    }
    for eip in &gone.elastic_ips {
        let (cloud, id) = (cloud.clone(), eip.allocation_id.clone());
        wave.push(Box::pin(async move {
            let r = delete_with_retry(&id, deadline, stop, || cloud.release_elastic_ip(&id)).await;
            (id.clone(), format!("releasing Elastic IP {id}"), r)
        }));
    }
    for s in &gone.subnets {
        let (cloud, id) = (cloud.clone(), s.id.clone());
        wave.push(Box::pin(async move {
            let r = delete_with_retry(&id, deadline, stop, || cloud.delete_subnet(&id)).await;
            (id.clone(), format!("deleting subnet {id}"), r)
        }));
    }
    for g in &gone.internet_gateways {
        let (cloud, id, vpcs) = (cloud.clone(), g.id.clone(), g.attached_vpc_ids.clone());
        wave.push(Box::pin(async move {
            let r = async {
                for vpc in &vpcs {
                    delete_with_retry(&id, deadline, stop, || {
                        cloud.detach_internet_gateway(&id, vpc)
                    })
                    .await?;
                }
                delete_with_retry(&id, deadline, stop, || cloud.delete_internet_gateway(&id)).await
            }
            .await;
            (id.clone(), format!("deleting internet gateway {id}"), r)
        }));
    }
    for (key, what, r) in futures::future::join_all(wave).await {
        fail(&mut failures, &key, what, r);
    }

    // Wave 3: what Kubernetes or others left in the VPC, then the VPC.
    for vpc in &gone.vpcs {
        if sweep_interfaces {
            match cloud.leftover_interfaces(&vpc.id).await {
                Ok(interfaces) => {
                    for (eni, description) in interfaces {
                        tracing::info!(interface = %eni, description = %description, "sweeping a leftover network interface");
                        let r = delete_with_retry(&eni, deadline, stop, || {
                            cloud.delete_interface(&eni)
                        })
                        .await;
                        fail(
                            &mut failures,
                            &eni,
                            format!("deleting leftover network interface {eni} ({description})"),
                            r,
                        );
                    }
                }
                Err(e) => fail(
                    &mut failures,
                    &vpc.id,
                    format!("listing network interfaces in {}", vpc.id),
                    Err(e),
                ),
            }
        }
        let id = vpc.id.clone();
        let r = delete_with_retry(&id, deadline, stop, || cloud.delete_vpc(&id)).await;
        fail(&mut failures, &id, format!("deleting VPC {id}"), r);
    }
    failures
}

/// Shared by the ensure-steps of one apply.
struct Ensure {
    cloud: Arc<dyn NetworkApi>,
    stack: String,
    base_tags: Tags,
    desired: DesiredNetwork,
    snapshot: NetworkSnapshot,
    ids: Arc<Mutex<NetworkIds>>,
    polling: Polling,
    deadline: Instant,
    stop: CancellationToken,
}

impl Ensure {
    fn tags(&self, key: &str) -> Tags {
        object_tags(&self.base_tags, &self.stack, key)
    }

    fn record(&self, f: impl FnOnce(&mut NetworkIds)) {
        if let Ok(mut ids) = self.ids.lock() {
            f(&mut ids);
        }
    }

    fn ids(&self) -> NetworkIds {
        self.ids.lock().map(|i| i.clone()).unwrap_or_default()
    }

    fn need(&self, what: &str, id: Option<String>) -> CloudResult<String> {
        id.ok_or_else(|| CloudError::Service {
            code: "Internal".into(),
            message: format!("{what} is not known yet"),
        })
    }

    fn found<'a, T>(&self, items: &'a [T], tags: impl Fn(&T) -> &Tags, key: &str) -> Option<&'a T> {
        items.iter().find(|o| component(tags(o)) == Some(key))
    }

    async fn vpc(self: Arc<Self>) -> CloudResult<()> {
        let vpc = match self.found(&self.snapshot.vpcs, |v| &v.tags, "vpc") {
            Some(v) => v.clone(),
            None => {
                self.cloud
                    .create_vpc(&self.desired.cidr_block, &self.tags("vpc"))
                    .await?
            }
        };
        self.record(|ids| ids.vpc = Some(vpc.id.clone()));
        if !vpc.dns_hostnames || !vpc.dns_support {
            self.cloud.set_vpc_dns(&vpc.id, true, true).await?;
        }
        Ok(())
    }

    async fn igw(self: Arc<Self>) -> CloudResult<()> {
        let vpc = self.need("the VPC", self.ids().vpc)?;
        let igw = match self.found(&self.snapshot.internet_gateways, |g| &g.tags, "igw") {
            Some(g) => g.clone(),
            None => {
                self.cloud
                    .create_internet_gateway(&self.tags("igw"))
                    .await?
            }
        };
        self.record(|ids| ids.igw = Some(igw.id.clone()));
        if !igw.attached_vpc_ids.contains(&vpc) {
            self.cloud.attach_internet_gateway(&igw.id, &vpc).await?;
        }
        Ok(())
    }

    async fn subnet(self: Arc<Self>, zone: String, public: bool) -> CloudResult<()> {
        let vpc = self.need("the VPC", self.ids().vpc)?;
        let key = format!(
            "subnet-{}-{zone}",
            if public { "public" } else { "private" }
        );
        let cidr = if public {
            &self.desired.public_cidrs
        } else {
            &self.desired.private_cidrs
        }
        .get(&zone)
        .cloned()
        .unwrap_or_default();
        let subnet = match self.found(&self.snapshot.subnets, |s| &s.tags, &key) {
            Some(s) => s.clone(),
            None => {
                self.cloud
                    .create_subnet(&vpc, &cidr, &zone, &self.tags(&key))
                    .await?
            }
        };
        self.record(|ids| {
            let map = if public {
                &mut ids.public_subnets
            } else {
                &mut ids.private_subnets
            };
            map.insert(zone.clone(), subnet.id.clone());
        });
        if subnet.map_public_ip_on_launch != public {
            self.cloud.set_subnet_public_ip(&subnet.id, public).await?;
        }
        Ok(())
    }

    async fn eip(self: Arc<Self>, zone: String) -> CloudResult<()> {
        let key = format!("eip-{zone}");
        let eip = match self.found(&self.snapshot.elastic_ips, |e| &e.tags, &key) {
            Some(e) => e.clone(),
            None => self.cloud.allocate_elastic_ip(&self.tags(&key)).await?,
        };
        self.record(|ids| {
            ids.eips.insert(zone.clone(), eip.allocation_id.clone());
        });
        Ok(())
    }

    async fn nat(self: Arc<Self>, zone: String) -> CloudResult<()> {
        let key = format!("nat-{zone}");
        let ids = self.ids();
        let subnet = self.need("the public subnet", ids.public_subnets.get(&zone).cloned())?;
        let eip = self.need("the Elastic IP", ids.eips.get(&zone).cloned())?;
        let nat = match self.found(&self.snapshot.nat_gateways, |n| &n.tags, &key) {
            Some(n) => n.clone(),
            None => {
                self.cloud
                    .create_nat_gateway(&subnet, &eip, &self.tags(&key))
                    .await?
            }
        };
        self.record(|ids| {
            ids.nats.insert(zone.clone(), nat.id.clone());
        });
        if nat.state == NatState::Available {
            return Ok(());
        }
        let cloud = self.cloud.clone();
        let id = nat.id.clone();
        wait_until(
            &format!("NAT gateway {id} to become available"),
            self.polling.interval,
            self.deadline,
            &self.stop,
            || async {
                let n = cloud.get_nat_gateway(&id).await?;
                match n.state {
                    NatState::Available => Ok(Some(())),
                    NatState::Pending => Ok(None),
                    other => Err(CloudError::Service {
                        code: "NatGatewayFailed".into(),
                        message: format!(
                            "NAT gateway {id} went to state {other:?} instead of available"
                        ),
                    }),
                }
            },
        )
        .await
    }

    async fn route_table(self: Arc<Self>, zone: Option<String>) -> CloudResult<()> {
        let ids = self.ids();
        let vpc = self.need("the VPC", ids.vpc.clone())?;
        let key = match &zone {
            Some(z) => format!("rt-private-{z}"),
            None => "rt-public".to_string(),
        };
        let table = match self.found(&self.snapshot.route_tables, |r| &r.tags, &key) {
            Some(t) => t.clone(),
            None => {
                self.cloud
                    .create_route_table(&vpc, &self.tags(&key))
                    .await?
            }
        };
        self.record(|ids| match &zone {
            Some(z) => {
                ids.private_route_tables.insert(z.clone(), table.id.clone());
            }
            None => ids.public_route_table = Some(table.id.clone()),
        });
        let target = match &zone {
            None => Some(RouteTarget::InternetGateway(
                self.need("the internet gateway", ids.igw.clone())?,
            )),
            Some(z) => match self.desired.nat.nat_for(&self.desired.zones, z) {
                Some(nat_zone) => Some(RouteTarget::NatGateway(
                    self.need("the NAT gateway", ids.nats.get(&nat_zone).cloned())?,
                )),
                None => None,
            },
        };
        let current = table
            .routes
            .iter()
            .find(|r| r.destination == ANYWHERE)
            .map(|r| r.target.clone());
        match (current, target) {
            (None, Some(t)) => self.cloud.create_route(&table.id, ANYWHERE, &t).await?,
            (Some(c), Some(t)) if c != t => {
                self.cloud.replace_route(&table.id, ANYWHERE, &t).await?
            }
            (Some(_), None) => self.cloud.delete_route(&table.id, ANYWHERE).await?,
            _ => {}
        }
        Ok(())
    }

    async fn association(self: Arc<Self>, zone: String, public: bool) -> CloudResult<()> {
        let ids = self.ids();
        let (subnet, table) = if public {
            (
                ids.public_subnets.get(&zone).cloned(),
                ids.public_route_table.clone(),
            )
        } else {
            (
                ids.private_subnets.get(&zone).cloned(),
                ids.private_route_tables.get(&zone).cloned(),
            )
        };
        let subnet = self.need("the subnet", subnet)?;
        let table = self.need("the route table", table)?;
        let existing = self
            .snapshot
            .route_tables
            .iter()
            .flat_map(|rt| {
                rt.associations
                    .iter()
                    .map(move |a| (rt.id.clone(), a.clone()))
            })
            .find(|(_, a)| a.subnet_id.as_deref() == Some(subnet.as_str()));
        match existing {
            Some((rt, _)) if rt == table => Ok(()),
            Some((_, assoc)) => {
                self.cloud.disassociate_route_table(&assoc.id).await?;
                self.cloud
                    .associate_route_table(&table, &subnet)
                    .await
                    .map(|_| ())
            }
            None => self
                .cloud
                .associate_route_table(&table, &subnet)
                .await
                .map(|_| ()),
        }
    }

    async fn security_group(self: Arc<Self>, role: String) -> CloudResult<()> {
        let vpc = self.need("the VPC", self.ids().vpc)?;
        let key = format!("sg-{role}");
        let group = match self.found(&self.snapshot.security_groups, |g| &g.tags, &key) {
            Some(g) => g.clone(),
            None => {
                let description = match role.as_str() {
                    "cluster" => "EKS control plane of the Todo stack",
                    "nodes" => "EKS worker nodes of the Todo stack",
                    _ => "PostgreSQL of the Todo stack",
                };
                self.cloud
                    .create_security_group(
                        &vpc,
                        &format!("{}-{role}", self.stack),
                        description,
                        &self.tags(&key),
                    )
                    .await?
            }
        };
        self.record(|ids| {
            ids.security_groups.insert(role.clone(), group.id.clone());
        });
        Ok(())
    }

    async fn rules(self: Arc<Self>) -> CloudResult<()> {
        let groups = self.ids().security_groups;
        for role in SECURITY_GROUP_ROLES {
            let Some(id) = groups.get(role) else { continue };
            let existing: Vec<Rule> = self
                .snapshot
                .security_groups
                .iter()
                .find(|g| &g.id == id)
                .map(|g| g.rules.clone())
                .unwrap_or_default();
            let wanted = desired_rules(role, &groups);
            for rule in &wanted {
                if !existing.iter().any(|r| r.same_traffic(rule)) {
                    self.cloud.authorize_rule(id, rule).await?;
                }
            }
            for rule in &existing {
                if !default_egress(rule) && !wanted.iter().any(|w| w.same_traffic(rule)) {
                    match self.cloud.revoke_rule(id, rule).await {
                        Err(e) if !e.is_not_found() => return Err(e),
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

/// The step graph of the network: (key, dependencies), for docs and the
/// critical-path bound.
pub fn graph(desired: &DesiredNetwork) -> Vec<(String, Vec<String>)> {
    let mut nodes: Vec<(String, Vec<String>)> = Vec::new();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    nodes.push(("vpc".into(), vec![]));
    nodes.push(("igw".into(), s(&["vpc"])));
    nodes.push(("rt-public".into(), s(&["vpc", "igw"])));
    for zone in &desired.zones {
        nodes.push((format!("subnet-public-{zone}"), s(&["vpc"])));
        nodes.push((format!("subnet-private-{zone}"), s(&["vpc"])));
        nodes.push((
            format!("assoc-public-{zone}"),
            vec!["rt-public".into(), format!("subnet-public-{zone}")],
        ));
        let mut rt_deps = vec!["vpc".to_string()];
        if let Some(nat_zone) = desired.nat.nat_for(&desired.zones, zone) {
            rt_deps.push(format!("nat-{nat_zone}"));
        }
        nodes.push((format!("rt-private-{zone}"), rt_deps));
        nodes.push((
            format!("assoc-private-{zone}"),
            vec![
                format!("rt-private-{zone}"),
                format!("subnet-private-{zone}"),
            ],
        ));
    }
    for zone in desired.nat.nat_zones(&desired.zones) {
        nodes.push((format!("eip-{zone}"), vec![]));
        nodes.push((
            format!("nat-{zone}"),
            vec![
                format!("eip-{zone}"),
                format!("subnet-public-{zone}"),
                "igw".into(),
            ],
        ));
    }
    for role in SECURITY_GROUP_ROLES {
        nodes.push((format!("sg-{role}"), s(&["vpc"])));
    }
    nodes.push((
        "sg-rules".into(),
        SECURITY_GROUP_ROLES
            .iter()
            .map(|r| format!("sg-{r}"))
            .collect(),
    ));
    nodes
}

/// Everything one network apply needs.
pub struct NetworkApply {
    /// The cloud.
    pub cloud: Arc<dyn NetworkApi>,
    /// The stack name.
    pub stack: String,
    /// Tags every object gets (provider defaults + stack tags).
    pub base_tags: Tags,
    /// The target.
    pub desired: DesiredNetwork,
    /// The prior state's network, if any (a hint; observation is the truth).
    pub prior: Option<NetworkState>,
    /// NAT polling.
    pub polling: Polling,
    /// When the operation must end.
    pub deadline: Instant,
    /// Cancelled by StopProvider.
    pub stop: CancellationToken,
}

/// Observes, prunes and ensures the network. The returned ids are complete
/// on success and hold what exists so far on failure.
pub async fn apply_network(a: NetworkApply) -> (NetworkIds, Vec<StepFailure>) {
    let ids = Arc::new(Mutex::new(NetworkIds::default()));
    let snapshot = match a.cloud.observe_network(&a.stack).await {
        Ok(s) => s,
        Err(error) => {
            return (
                NetworkIds::default(),
                vec![StepFailure {
                    key: "observe".into(),
                    what: "reading the network".into(),
                    error,
                }],
            );
        }
    };
    let gone = obsolete(&snapshot, Some(&a.desired), a.prior.as_ref());
    let failures = prune(
        &a.cloud, &gone, &snapshot, false, a.polling, a.deadline, &a.stop,
    )
    .await;
    if !failures.is_empty() {
        return (ids_from_snapshot(&without(&snapshot, &gone)), failures);
    }
    let ensure = Arc::new(Ensure {
        cloud: a.cloud.clone(),
        stack: a.stack.clone(),
        base_tags: a.base_tags.clone(),
        desired: a.desired.clone(),
        snapshot: without(&snapshot, &gone),
        ids: ids.clone(),
        polling: a.polling,
        deadline: a.deadline,
        stop: a.stop.clone(),
    });
    let mut steps = Vec::new();
    for (key, deps) in graph(&a.desired) {
        let e = ensure.clone();
        let (what, fut): (String, crate::stack::engine::StepFuture) = if key == "vpc" {
            ("creating the VPC".into(), Box::pin(e.vpc()))
        } else if key == "igw" {
            ("creating the internet gateway".into(), Box::pin(e.igw()))
        } else if key == "rt-public" {
            (
                "creating the public route table".into(),
                Box::pin(e.route_table(None)),
            )
        } else if key == "sg-rules" {
            ("setting security group rules".into(), Box::pin(e.rules()))
        } else if let Some(zone) = key.strip_prefix("subnet-public-") {
            (
                format!("creating the public subnet in {zone}"),
                Box::pin(e.subnet(zone.to_string(), true)),
            )
        } else if let Some(zone) = key.strip_prefix("subnet-private-") {
            (
                format!("creating the private subnet in {zone}"),
                Box::pin(e.subnet(zone.to_string(), false)),
            )
        } else if let Some(zone) = key.strip_prefix("assoc-public-") {
            (
                format!("associating the public subnet in {zone}"),
                Box::pin(e.association(zone.to_string(), true)),
            )
        } else if let Some(zone) = key.strip_prefix("assoc-private-") {
            (
                format!("associating the private subnet in {zone}"),
                Box::pin(e.association(zone.to_string(), false)),
            )
        } else if let Some(zone) = key.strip_prefix("rt-private-") {
            (
                format!("creating the private route table of {zone}"),
                Box::pin(e.route_table(Some(zone.to_string()))),
            )
        } else if let Some(zone) = key.strip_prefix("eip-") {
            (
                format!("allocating the Elastic IP for the NAT gateway in {zone}"),
                Box::pin(e.eip(zone.to_string())),
            )
        } else if let Some(zone) = key.strip_prefix("nat-") {
            (
                format!("creating the NAT gateway in {zone}"),
                Box::pin(e.nat(zone.to_string())),
            )
        } else if let Some(role) = key.strip_prefix("sg-") {
            (
                format!("creating the {role} security group"),
                Box::pin(e.security_group(role.to_string())),
            )
        } else {
            continue;
        };
        steps.push(Step {
            key,
            what,
            deps,
            run: fut,
        });
    }
    drop(ensure);
    let result = run_graph(steps, a.deadline, &a.stop).await;
    let ids = ids.lock().map(|i| i.clone()).unwrap_or_default();
    match result {
        Ok(()) => (ids, Vec::new()),
        Err(failures) => (ids, failures),
    }
}

/// Deletes every object tagged with the stack (whatever the state says),
/// sweeping leftover network interfaces from the VPC.
pub async fn destroy_network(
    cloud: &Arc<dyn NetworkApi>,
    stack: &str,
    polling: Polling,
    deadline: Instant,
    stop: &CancellationToken,
) -> Vec<StepFailure> {
    let snapshot = match cloud.observe_network(stack).await {
        Ok(s) => s,
        Err(error) => {
            return vec![StepFailure {
                key: "observe".into(),
                what: "reading the network".into(),
                error,
            }];
        }
    };
    prune(cloud, &snapshot, &snapshot, true, polling, deadline, stop).await
}

/// The ids a snapshot holds, by component (first object of each).
pub fn ids_from_snapshot(s: &NetworkSnapshot) -> NetworkIds {
    let mut ids = NetworkIds::default();
    for v in &s.vpcs {
        if component(&v.tags) == Some("vpc") && ids.vpc.is_none() {
            ids.vpc = Some(v.id.clone());
        }
    }
    for g in &s.internet_gateways {
        if component(&g.tags) == Some("igw") && ids.igw.is_none() {
            ids.igw = Some(g.id.clone());
        }
    }
    for sub in &s.subnets {
        match component(&sub.tags) {
            Some(k) if k.starts_with("subnet-public-") => {
                ids.public_subnets
                    .entry(k["subnet-public-".len()..].to_string())
                    .or_insert(sub.id.clone());
            }
            Some(k) if k.starts_with("subnet-private-") => {
                ids.private_subnets
                    .entry(k["subnet-private-".len()..].to_string())
                    .or_insert(sub.id.clone());
            }
            _ => {}
        }
    }
    for e in &s.elastic_ips {
        if let Some(zone) = component(&e.tags).and_then(|k| k.strip_prefix("eip-")) {
            ids.eips
                .entry(zone.to_string())
                .or_insert(e.allocation_id.clone());
        }
    }
    for n in &s.nat_gateways {
        if matches!(n.state, NatState::Pending | NatState::Available)
            && let Some(zone) = component(&n.tags).and_then(|k| k.strip_prefix("nat-"))
        {
            ids.nats.entry(zone.to_string()).or_insert(n.id.clone());
        }
    }
    for rt in &s.route_tables {
        match component(&rt.tags) {
            Some("rt-public") if ids.public_route_table.is_none() => {
                ids.public_route_table = Some(rt.id.clone())
            }
            Some(k) if k.starts_with("rt-private-") => {
                ids.private_route_tables
                    .entry(k["rt-private-".len()..].to_string())
                    .or_insert(rt.id.clone());
            }
            _ => {}
        }
    }
    for g in &s.security_groups {
        if let Some(role) = component(&g.tags).and_then(|k| k.strip_prefix("sg-")) {
            ids.security_groups
                .entry(role.to_string())
                .or_insert(g.id.clone());
        }
    }
    ids
}

/// The ids of a refreshed state: what exists *and is as desired*. A part
/// that drifted (a missing route, association or rule, a detached gateway)
/// drops its id, so the next plan shows an update that repairs it.
pub fn refreshed_ids(s: &NetworkSnapshot, desired: &DesiredNetwork) -> NetworkIds {
    let mut ids = ids_from_snapshot(s);
    // Subnets whose CIDR differs from the configuration are replaced.
    let subnet = |id: &str| s.subnets.iter().find(|x| x.id == id);
    ids.public_subnets.retain(|zone, id| {
        subnet(id).is_some_and(|x| desired.public_cidrs.get(zone) == Some(&x.cidr_block))
    });
    ids.private_subnets.retain(|zone, id| {
        subnet(id).is_some_and(|x| desired.private_cidrs.get(zone) == Some(&x.cidr_block))
    });
    if let (Some(igw), Some(vpc)) = (&ids.igw, &ids.vpc)
        && !s
            .internet_gateways
            .iter()
            .any(|g| &g.id == igw && g.attached_vpc_ids.contains(vpc))
    {
        ids.igw = None;
    }
    let table = |id: &str| s.route_tables.iter().find(|t| t.id == id);
    let associated = |table_id: &str, subnet_id: Option<&String>| {
        subnet_id.is_some_and(|sid| {
            table(table_id).is_some_and(|t| {
                t.associations
                    .iter()
                    .any(|a| a.subnet_id.as_ref() == Some(sid))
            })
        })
    };
    if let Some(rt) = ids.public_route_table.clone() {
        let routed = table(&rt).is_some_and(|t| {
            t.routes.iter().any(|r| {
                r.destination == ANYWHERE && matches!(&r.target, RouteTarget::InternetGateway(_))
            })
        });
        let all_associated = desired
            .zones
            .iter()
            .all(|z| associated(&rt, ids.public_subnets.get(z)));
        if !routed || !all_associated {
            ids.public_route_table = None;
        }
    }
    let nats = ids.nats.clone();
    let private_subnets = ids.private_subnets.clone();
    ids.private_route_tables.retain(|zone, rt| {
        let want = desired
            .nat
            .nat_for(&desired.zones, zone)
            .and_then(|z| nats.get(&z).cloned());
        let current = table(rt)
            .and_then(|t| t.routes.iter().find(|r| r.destination == ANYWHERE))
            .map(|r| r.target.clone());
        let routed = match (want, current) {
            (Some(nat), Some(RouteTarget::NatGateway(n))) => nat == n,
            (None, None) => desired.nat == NatMode::None,
            _ => false,
        };
        routed && associated(rt, private_subnets.get(zone))
    });
    let groups = ids.security_groups.clone();
    ids.security_groups.retain(|role, id| {
        s.security_groups
            .iter()
            .find(|g| &g.id == id)
            .is_some_and(|g| {
                desired_rules(role, &groups)
                    .iter()
                    .all(|w| g.rules.iter().any(|r| r.same_traffic(w)))
            })
    });
    ids
}
