//! IAM and EKS of the in-memory cloud: roles and OIDC providers, clusters,
//! node groups, add-ons and access entries.
//!
//! Clusters, node groups and add-ons go through `Creating`, `Updating` and
//! `Deleting` on the tokio clock (times from the [`LatencyModel`]), checked
//! whenever the world is read; EKS refuses to change or delete one while it
//! moves. What an update changes shows once it is over. A cluster and its
//! node groups hold their subnets and security groups until gone, so EC2
//! refuses to delete those; the security group EKS makes for a cluster goes
//! with it. A node group whose role is deleted before it is gone fails to
//! delete (`DELETE_FAILED`), as on AWS.
//!
//! [`LatencyModel`]: super::LatencyModel

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    CloudResult, Entry, KeyState, Map, Rule, RulePeer, SecurityGroup, SimCloud, Subnet, Tags,
    World, dependency, get, get_mut, in_stack, insert, not_found, retag_map, service,
};
use crate::cloud::cluster::{
    AccessEntry, Addon, Cluster, EksApi, EksStatus, EndpointAccess, IamApi, NewCluster,
    NewNodeGroup, NewRole, NodeGroup, NodeGroupChange, OidcProvider, Role, Scaling, Taint,
};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const EKS_ARN: &str = "arn:aws:eks:us-east-1:123456789012";
/// The tag EKS puts on the security group it makes for a cluster.
const EKS_OWNER: &str = "aws:eks:cluster-name";
/// A base64 PEM, as EKS reports a cluster's CA.
const CA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJzaW11bGF0ZWRFS1NjbHVzdGVyQ0EKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// Whether EKS made this security group for a cluster.
pub(super) fn eks_made(tags: &Tags) -> bool {
    tags.contains_key(EKS_OWNER)
}

/// An EKS object with a status.
trait Staged: Clone {
    fn arn(&self) -> &str;
    fn status(&self) -> &EksStatus;
    fn status_mut(&mut self) -> &mut EksStatus;
    fn tags(&self) -> &Tags;
    fn tags_mut(&mut self) -> &mut Tags;
}

macro_rules! impl_staged {
    ($($kind:ty),*) => { $(impl Staged for $kind {
        fn arn(&self) -> &str { &self.arn }
        fn status(&self) -> &EksStatus { &self.status }
        fn status_mut(&mut self) -> &mut EksStatus { &mut self.status }
        fn tags(&self) -> &Tags { &self.tags }
        fn tags_mut(&mut self) -> &mut Tags { &mut self.tags }
    })* };
}
impl_staged!(Cluster, NodeGroup, Addon);

/// An EKS object as describes show it now, and what it becomes when the
/// transition it is in (if any) ends.
#[derive(Debug, Clone)]
struct Timed<T> {
    obj: T,
    /// The object once `until` has passed (its tags are `obj`'s).
    next: Option<T>,
    until: Instant,
}

impl<T: Staged> Timed<T> {
    /// A new object, `Creating` for `after`, then `ready` applies.
    fn new(obj: T, after: Duration, ready: impl FnOnce(&mut T)) -> Timed<T> {
        let until = Instant::now();
        let mut timed = Timed {
            obj,
            next: None,
            until,
        };
        timed.begin(EksStatus::Creating, after, ready);
        timed
    }

    /// Enters `status` for `after`; `change` shows once it is over.
    fn begin(&mut self, status: EksStatus, after: Duration, change: impl FnOnce(&mut T)) {
        let mut next = self.obj.clone();
        change(&mut next);
        *self.obj.status_mut() = status;
        self.next = Some(next);
        self.until = Instant::now() + after;
    }

    fn busy(&self) -> bool {
        use EksStatus::*;
        matches!(self.obj.status(), Creating | Updating | Deleting)
    }

    /// Starts deleting it (done if it is already being deleted); refused
    /// while it is being created or updated.
    fn delete(&mut self, after: Duration) -> CloudResult<()> {
        match self.obj.status() {
            EksStatus::Deleting => Ok(()),
            _ if self.busy() => Err(dependency(busy_message(&self.obj))),
            _ => {
                self.begin(EksStatus::Deleting, after, |_| ());
                Ok(())
            }
        }
    }

    /// Applies `f` now and to what an update in progress makes of it.
    fn edit(&mut self, f: impl Fn(&mut T)) {
        f(&mut self.obj);
        self.next.iter_mut().for_each(f);
    }

    /// Whether `f` holds of it now or once the transition is over.
    fn any(&self, f: impl Fn(&T) -> bool) -> bool {
        f(&self.obj) || self.next.as_ref().is_some_and(f)
    }

    /// Moves on to `now`: false once gone. A deletion `can_end` false at
    /// its end fails instead.
    fn settle(&mut self, now: Instant, can_end: bool) -> bool {
        if !self.busy() || now < self.until {
            return true;
        }
        let status = if *self.obj.status() == EksStatus::Deleting {
            if can_end {
                return false;
            }
            EksStatus::Failed("DELETE_FAILED".into())
        } else {
            if let Some(mut next) = self.next.take() {
                std::mem::swap(next.tags_mut(), self.obj.tags_mut());
                self.obj = next;
            }
            EksStatus::Active
        };
        *self.obj.status_mut() = status;
        self.next = None;
        true
    }

    fn line(&self, kind: &'static str) -> Entry {
        (kind, self.obj.arn().to_string(), self.obj.tags().clone())
    }
}

fn busy_message<T: Staged>(obj: &T) -> String {
    format!(
        "{} is {:?}: an operation is in progress",
        obj.arn(),
        obj.status()
    )
}

/// The object `key` of `map` to change: `NotFound`, or
/// `ResourceInUseException` while it is in a transition.
fn idle<'a, T: Staged>(
    map: &'a mut Map<Timed<T>>,
    kind: &'static str,
    key: &str,
) -> CloudResult<&'a mut Timed<T>> {
    let timed = get_mut(map, kind, key)?;
    if timed.busy() {
        return Err(in_use(busy_message(&timed.obj)));
    }
    Ok(timed)
}

/// The IAM and EKS part of the world.
#[derive(Debug, Default)]
pub(super) struct IamEks {
    /// By name.
    roles: Map<Role>,
    /// By ARN.
    oidc: Map<OidcProvider>,
    /// By name.
    clusters: Map<Timed<Cluster>>,
    /// By `cluster/name`.
    groups: Map<Timed<NodeGroup>>,
    /// By `cluster/name`.
    addons: Map<Timed<Addon>>,
    /// By `cluster/principal`.
    entries: Map<AccessEntry>,
}

/// Removes the object `id` of `map`, or `NotFound` naming `kind`.
fn take<T>(map: &mut Map<T>, kind: &'static str, id: &str) -> CloudResult<()> {
    map.remove(id)
        .map(|_| ())
        .ok_or_else(|| not_found(kind, id))
}

fn key(cluster: &str, name: &str) -> String {
    format!("{cluster}/{name}")
}

fn values<T: Staged>(map: &Map<Timed<T>>) -> impl Iterator<Item = &T> {
    map.values().map(|t| &t.obj)
}

impl IamEks {
    /// Moves every object on to now; drops those gone and those of a
    /// cluster gone.
    fn settle(&mut self, now: Instant) {
        let roles = &self.roles;
        let role = |arn: &str| roles.values().any(|r| r.arn == arn);
        self.groups
            .retain(|_, g| g.settle(now, role(&g.obj.node_role_arn)));
        self.clusters.retain(|_, c| c.settle(now, true));
        self.addons.retain(|_, a| a.settle(now, true));
        let clusters = &self.clusters;
        let live = |c: &String| clusters.contains_key(c);
        self.groups.retain(|_, g| live(&g.obj.cluster));
        self.addons.retain(|_, a| live(&a.obj.cluster));
        self.entries.retain(|_, e| live(&e.cluster));
    }

    /// Whether a cluster or node group not yet gone uses the subnet or
    /// security group `id`.
    pub(super) fn uses(&self, id: &str) -> bool {
        let has = |ids: &[String]| ids.iter().any(|s| s == id);
        let cluster = |c: &Cluster| {
            has(&c.subnet_ids)
                || has(&c.security_group_ids)
                || c.cluster_security_group_id.as_deref() == Some(id)
        };
        self.clusters.values().any(|t| t.any(cluster))
            || self.groups.values().any(|t| t.any(|g| has(&g.subnet_ids)))
    }

    /// The tags of a role (name or ARN), an OIDC provider or an EKS object
    /// (ARN).
    pub(super) fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
        let role = self.roles.values().find(|r| r.name == id || r.arn == id);
        if let Some(name) = role.map(|r| r.name.clone()) {
            return self.roles.get_mut(&name).map(|r| &mut r.tags);
        }
        if self.oidc.contains_key(id) {
            return self.oidc.get_mut(id).map(|o| &mut o.tags);
        }
        self.eks_tags(id)
    }

    /// The tags of the EKS object `arn`.
    fn eks_tags(&mut self, arn: &str) -> Option<&mut Tags> {
        fn find<'a, T: Staged>(map: &'a mut Map<Timed<T>>, arn: &str) -> Option<&'a mut Tags> {
            let timed = map.values_mut().find(|t| t.obj.arn() == arn);
            timed.map(|t| t.obj.tags_mut())
        }
        let entry = self.entries.values_mut().find(|e| e.arn == arn);
        find(&mut self.clusters, arn)
            .or(find(&mut self.groups, arn))
            .or(find(&mut self.addons, arn))
            .or(entry.map(|e| &mut e.tags))
    }

    /// Removes the object `id` (a role's name, or an ARN), whatever uses it.
    pub(super) fn remove(&mut self, id: &str) {
        self.roles.retain(|_, r| r.name != id && r.arn != id);
        self.oidc.remove(id);
        self.clusters.retain(|_, t| t.obj.arn != id);
        self.groups.retain(|_, t| t.obj.arn != id);
        self.addons.retain(|_, t| t.obj.arn != id);
        self.entries.retain(|_, e| e.arn != id);
    }

    /// Inventory lines, by ARN.
    pub(super) fn inventory(&self) -> impl Iterator<Item = Entry> + '_ {
        let line = |kind, arn: &str, tags: &Tags| (kind, arn.to_string(), tags.clone());
        let roles = self
            .roles
            .values()
            .map(move |r| line("iam-role", &r.arn, &r.tags));
        let oidc = self
            .oidc
            .values()
            .map(move |o| line("oidc-provider", &o.arn, &o.tags));
        let entries = self.entries.values();
        let entries = entries.map(move |e| line("eks-access-entry", &e.arn, &e.tags));
        roles
            .chain(oidc)
            .chain(self.clusters.values().map(|t| t.line("eks-cluster")))
            .chain(self.groups.values().map(|t| t.line("eks-nodegroup")))
            .chain(self.addons.values().map(|t| t.line("eks-addon")))
            .chain(entries)
    }
}

impl World {
    /// Moves EKS objects on to now; the security group of a cluster gone
    /// goes too.
    pub(super) fn settle_eks(&mut self) {
        self.eks.settle(Instant::now());
        let clusters = &self.eks.clusters;
        let owned = |id: &String| {
            values(clusters).any(|c| c.cluster_security_group_id.as_ref() == Some(id))
        };
        self.groups.retain(|id, g| !eks_made(&g.tags) || owned(id));
    }

    /// A new sequence number.
    fn serial(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Records the creation of `arn` now (describes lag it); its creation
    /// time.
    fn born(&mut self, arn: &str) -> Option<SystemTime> {
        self.born.insert(arn.to_string(), Instant::now());
        let n = self.next_id;
        Some(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n))
    }

    /// Refuses a role that does not exist, trusts another service, or that
    /// IAM has not yet propagated (the describe lag).
    pub(super) fn assumable(&self, arn: &str, service: &str) -> CloudResult<()> {
        let ok = |r: &Role| r.arn == arn && r.service == service && self.visible(arn);
        if self.eks.roles.values().any(ok) {
            return Ok(());
        }
        Err(invalid(format!(
            "Role with arn: {arn}, could not be assumed because it does not exist or the \
             trusted entity is not {service}"
        )))
    }

    fn subnet(&self, id: &str) -> CloudResult<&Subnet> {
        let missing = || invalid(format!("The subnet ID '{id}' does not exist"));
        self.subnets.get(id).ok_or_else(missing)
    }

    /// Checks a cluster's subnets (one VPC, two zones at least) and
    /// security groups (in that VPC); the VPC.
    fn vpc_config(&self, subnet_ids: &[String], group_ids: &[String]) -> CloudResult<String> {
        let subnets: Vec<&Subnet> = subnet_ids
            .iter()
            .map(|id| self.subnet(id))
            .collect::<CloudResult<_>>()?;
        let vpc = subnets
            .first()
            .map(|s| s.vpc_id.clone())
            .unwrap_or_default();
        if subnets.iter().any(|s| s.vpc_id != vpc) {
            return Err(invalid("Subnets specified must belong to the same VPC"));
        }
        let zones: BTreeSet<&str> = subnets
            .iter()
            .map(|s| s.availability_zone.as_str())
            .collect();
        if zones.len() < 2 {
            return Err(invalid(
                "Subnets specified must be in at least two different AZs",
            ));
        }
        for id in group_ids {
            if self.groups.get(id).is_none_or(|g| g.vpc_id != vpc) {
                let message = format!("Security group {id} does not exist in VPC {vpc}");
                return Err(invalid(message));
            }
        }
        Ok(vpc)
    }

    /// Makes the security group EKS makes for a cluster: all traffic from
    /// itself, all egress.
    fn cluster_group(&mut self, cluster: &str, vpc_id: &str) -> String {
        let id = self.id("sg");
        let all = |egress, peer| Rule {
            egress,
            protocol: "-1".into(),
            from_port: -1,
            to_port: -1,
            peer,
            description: String::new(),
        };
        let group = SecurityGroup {
            id: id.clone(),
            name: format!("eks-cluster-sg-{cluster}-{}", &id[3..]),
            vpc_id: vpc_id.to_string(),
            rules: vec![
                all(false, RulePeer::Group(id.clone())),
                all(true, RulePeer::Cidr("0.0.0.0/0".into())),
            ],
            tags: Tags::from([
                (EKS_OWNER.to_string(), cluster.to_string()),
                (format!("kubernetes.io/cluster/{cluster}"), "owned".into()),
            ]),
        };
        insert(&mut self.groups, id, group).id
    }

    /// The cluster `name`, refused unless in one of `states`.
    fn cluster_in(&self, name: &str, states: &[EksStatus]) -> CloudResult<&Cluster> {
        let cluster = &get(&self.eks.clusters, "EKS cluster", name)?.obj;
        if !states.contains(&cluster.status) {
            let message = format!("Cluster '{name}' is not in ACTIVE state");
            return Err(service("InvalidRequestException", message));
        }
        Ok(cluster)
    }
}

fn invalid(message: impl Into<String>) -> crate::cloud::CloudError {
    service("InvalidParameterException", message)
}

fn in_use(message: impl Into<String>) -> crate::cloud::CloudError {
    service("ResourceInUseException", message)
}

fn minor(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}

fn sorted(v: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = v.iter().collect();
    set.into_iter().cloned().collect()
}

/// 32 hex digits unique to `n`, as in an EKS endpoint and OIDC issuer.
fn hex32(n: u64) -> String {
    format!("{:016X}{n:016X}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn uuid(n: u64) -> String {
    format!(
        "{n:08x}-0000-4000-8000-{:012x}",
        n.wrapping_mul(0x9E37_79B9) & 0xFFFF_FFFF_FFFF
    )
}

/// Endpoint access as EKS stores it: one of the two on; no CIDR means any.
fn check_access(access: &EndpointAccess) -> CloudResult<EndpointAccess> {
    if !access.private && !access.public {
        return Err(invalid(
            "The cluster endpoint must be reachable: private or public access",
        ));
    }
    let mut access = access.clone();
    if access.public_cidrs.is_empty() {
        access.public_cidrs = vec!["0.0.0.0/0".into()];
    }
    Ok(access)
}

fn check_logs(log_types: &[String]) -> CloudResult<Vec<String>> {
    match log_types.iter().find(|t| !LOG_TYPES.contains(&t.as_str())) {
        Some(t) => Err(invalid(format!("Unknown log type {t}"))),
        None => Ok(sorted(log_types)),
    }
}

/// Node counts and update settings EKS accepts.
fn check_group(g: &NodeGroup) -> CloudResult<()> {
    let Scaling { min, max, desired } = g.scaling;
    if min < 0 || max < 1 || min > desired || desired > max {
        return Err(invalid(format!(
            "Invalid scaling: needs 0 <= minSize {min} <= desiredSize {desired} <= maxSize \
             {max} and maxSize >= 1"
        )));
    }
    if g.max_unavailable_percentage
        .is_some_and(|p| !(1..=100).contains(&p))
    {
        return Err(invalid("maxUnavailablePercentage must be 1 to 100"));
    }
    Ok(())
}

fn apply(g: &mut NodeGroup, change: &NodeGroupChange) {
    g.scaling = change.scaling.unwrap_or(g.scaling);
    g.labels.extend(change.add_labels.clone());
    g.labels.retain(|k, _| !change.remove_labels.contains(k));
    let same = |a: &Taint, b: &Taint| a.key == b.key && a.effect == b.effect;
    let touched = |t: &Taint| {
        let mut all = change.add_taints.iter().chain(&change.remove_taints);
        all.any(|x| same(t, x))
    };
    g.taints.retain(|t| !touched(t));
    g.taints.extend(change.add_taints.iter().cloned());
    g.max_unavailable_percentage = change
        .max_unavailable_percentage
        .or(g.max_unavailable_percentage);
}

#[async_trait]
impl IamApi for SimCloud {
    async fn list_roles(&self, path: &str) -> CloudResult<Vec<Role>> {
        self.enter("list_roles").await?;
        let w = self.world()?;
        let listed = |r: &&Role| r.path.starts_with(path) && w.visible(&r.arn);
        // Like the real side: the inline policy is read only for the roles
        // tagged to have one.
        let read = |r: &Role| {
            let mut r = r.clone();
            if !r
                .tags
                .contains_key(crate::cloud::cluster::TAG_INLINE_POLICY)
            {
                r.inline_policy = None;
            }
            r
        };
        Ok(w.eks.roles.values().filter(listed).map(read).collect())
    }

    async fn create_role(&self, role: &NewRole, tags: &Tags) -> CloudResult<Role> {
        self.mutate("create_role", |w| {
            let (name, path) = (&role.name, &role.path);
            if name.is_empty() || name.len() > 64 || !path.starts_with('/') || !path.ends_with('/')
            {
                let message = format!("invalid role name {name:?} or path {path:?}");
                return Err(service("ValidationError", message));
            }
            if w.eks.roles.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                let message = format!("Role with name {name} already exists.");
                return Err(service("EntityAlreadyExists", message));
            }
            let arn = format!("arn:aws:iam::{ACCOUNT}:role{path}{name}");
            let role = Role {
                name: name.clone(),
                path: path.clone(),
                service: role.service.clone(),
                policies: Vec::new(),
                tags: tags.clone(),
                created: w.born(&arn),
                arn,
                inline_policy: None,
            };
            Ok(insert(&mut w.eks.roles, name.clone(), role))
        })
        .await
    }

    async fn update_trust(&self, name: &str, service: &str) -> CloudResult<()> {
        self.mutate("update_trust", |w| {
            get_mut(&mut w.eks.roles, "IAM role", name)?.service = service.to_string();
            Ok(())
        })
        .await
    }

    async fn attach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        self.mutate("attach_policy", |w| {
            let role = get_mut(&mut w.eks.roles, "IAM role", name)?;
            if !policy_arn.starts_with("arn:aws:iam::aws:policy/") {
                return Err(not_found("IAM policy", policy_arn));
            }
            if !role.policies.iter().any(|p| p == policy_arn) {
                role.policies.push(policy_arn.to_string());
            }
            Ok(())
        })
        .await
    }

    async fn put_inline_policy(&self, name: &str, document: &str) -> CloudResult<()> {
        self.mutate("put_inline_policy", |w| {
            if serde_json::from_str::<serde_json::Value>(document).is_err() {
                return Err(service("MalformedPolicyDocument", "not JSON"));
            }
            get_mut(&mut w.eks.roles, "IAM role", name)?.inline_policy = Some(document.to_string());
            Ok(())
        })
        .await
    }

    async fn detach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        self.mutate("detach_policy", |w| {
            let role = get_mut(&mut w.eks.roles, "IAM role", name)?;
            let at = role.policies.iter().position(|p| p == policy_arn);
            let at = at.ok_or_else(|| not_found("IAM policy attachment", policy_arn))?;
            role.policies.remove(at);
            Ok(())
        })
        .await
    }

    async fn retag_role(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_role", |w| {
            let role = get_mut(&mut w.eks.roles, "IAM role", name)?;
            retag_map(&mut role.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_role(&self, name: &str) -> CloudResult<()> {
        let delete = |w: &mut World| take(&mut w.eks.roles, "IAM role", name);
        self.mutate("delete_role", delete).await
    }

    async fn list_oidc_providers(&self, stack: &str) -> CloudResult<Vec<OidcProvider>> {
        self.enter("list_oidc_providers").await?;
        let w = self.world()?;
        let issuer = format!("oidc.eks.{REGION}.amazonaws.com/");
        let listed = |o: &&OidcProvider| {
            in_stack(&o.tags, stack) && o.url.starts_with(&issuer) && w.visible(&o.arn)
        };
        Ok(w.eks.oidc.values().filter(listed).cloned().collect())
    }

    async fn create_oidc_provider(
        &self,
        url: &str,
        thumbprints: &[String],
        tags: &Tags,
    ) -> CloudResult<OidcProvider> {
        self.mutate("create_oidc_provider", |w| {
            let not_https = || service("InvalidInput", format!("{url} is not an https URL"));
            let host = url.strip_prefix("https://").ok_or_else(not_https)?;
            let arn = format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{host}");
            if w.eks.oidc.contains_key(&arn) {
                let message = format!("Provider with url {url} already exists.");
                return Err(service("EntityAlreadyExists", message));
            }
            let provider = OidcProvider {
                url: host.to_string(),
                client_ids: vec!["sts.amazonaws.com".into()],
                thumbprints: thumbprints.to_vec(),
                tags: tags.clone(),
                created: w.born(&arn),
                arn: arn.clone(),
            };
            Ok(insert(&mut w.eks.oidc, arn, provider))
        })
        .await
    }

    async fn retag_oidc_provider(
        &self,
        arn: &str,
        set: &Tags,
        remove: &[String],
    ) -> CloudResult<()> {
        self.mutate("retag_oidc_provider", |w| {
            let provider = get_mut(&mut w.eks.oidc, "OIDC provider", arn)?;
            retag_map(&mut provider.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_oidc_provider(&self, arn: &str) -> CloudResult<()> {
        let delete = |w: &mut World| take(&mut w.eks.oidc, "OIDC provider", arn);
        self.mutate("delete_oidc_provider", delete).await
    }
}

#[async_trait]
impl EksApi for SimCloud {
    async fn get_cluster(&self, name: &str) -> CloudResult<Option<Cluster>> {
        self.enter("get_cluster").await?;
        Ok(self.world()?.eks.clusters.get(name).map(|t| t.obj.clone()))
    }

    async fn create_cluster(&self, new: &NewCluster, tags: &Tags) -> CloudResult<Cluster> {
        let after = self.latency.cluster_ready_after;
        self.mutate("create_cluster", |w| {
            if w.eks.clusters.contains_key(&new.name) {
                let message = format!("Cluster already exists with name: {}", new.name);
                return Err(in_use(message));
            }
            w.assumable(&new.role_arn, "eks.amazonaws.com")?;
            let vpc_id = w.vpc_config(&new.subnet_ids, &new.security_group_ids)?;
            let (access, log_types) = (check_access(&new.access)?, check_logs(&new.log_types)?);
            let key = &new.encryption_key_arn;
            let enabled = |k: &crate::cloud::KmsKey| k.arn == *key && k.state == KeyState::Enabled;
            if !key.is_empty() && !w.keys.values().any(enabled) {
                return Err(invalid(format!("The KMS key {key} is not enabled")));
            }
            if minor(&new.version).is_none() {
                let message = format!("unsupported Kubernetes version {}", new.version);
                return Err(invalid(message));
            }
            let id = hex32(w.serial());
            let arn = format!("{EKS_ARN}:cluster/{}", new.name);
            let cluster = Cluster {
                name: new.name.clone(),
                version: new.version.clone(),
                status: EksStatus::Creating,
                role_arn: new.role_arn.clone(),
                subnet_ids: new.subnet_ids.clone(),
                security_group_ids: new.security_group_ids.clone(),
                cluster_security_group_id: Some(w.cluster_group(&new.name, &vpc_id)),
                vpc_id: Some(vpc_id.clone()),
                access,
                log_types,
                encryption_key_arn: (!key.is_empty()).then(|| key.clone()),
                authentication_mode: Some(new.authentication_mode.clone()),
                endpoint: None,
                certificate_authority: None,
                oidc_issuer: None,
                tags: tags.clone(),
                created: w.born(&arn),
                arn,
            };
            let timed = Timed::new(cluster.clone(), after, |c| {
                c.endpoint = Some(format!("https://{id}.gr7.{REGION}.eks.amazonaws.com"));
                c.certificate_authority = Some(CA.into());
                c.oidc_issuer = Some(format!("https://oidc.eks.{REGION}.amazonaws.com/id/{id}"));
            });
            w.eks.clusters.insert(new.name.clone(), timed);
            Ok(cluster)
        })
        .await
    }

    async fn update_cluster_access(&self, name: &str, access: &EndpointAccess) -> CloudResult<()> {
        let after = self.latency.cluster_update_after;
        self.mutate("update_cluster_access", |w| {
            let access = check_access(access)?;
            let timed = idle(&mut w.eks.clusters, "EKS cluster", name)?;
            if timed.obj.access == access {
                return Err(invalid(format!(
                    "Cluster is already at the desired configuration with endpointPrivateAccess: \
                     {}, endpointPublicAccess: {}, publicAccessCidrs: {:?}",
                    access.private, access.public, access.public_cidrs
                )));
            }
            timed.begin(EksStatus::Updating, after, |c| c.access = access);
            Ok(())
        })
        .await
    }

    async fn update_cluster_subnets(
        &self,
        name: &str,
        subnets: &[String],
        groups: &[String],
    ) -> CloudResult<()> {
        let after = self.latency.cluster_update_after;
        let (subnets, groups) = (subnets.to_vec(), groups.to_vec());
        self.mutate("update_cluster_subnets", |w| {
            w.vpc_config(&subnets, &groups)?;
            let timed = idle(&mut w.eks.clusters, "EKS cluster", name)?;
            let have = &timed.obj;
            if sorted(&have.subnet_ids) == sorted(&subnets)
                && sorted(&have.security_group_ids) == sorted(&groups)
            {
                return Err(invalid(
                    "No changes needed for the subnets and security groups provided",
                ));
            }
            timed.begin(EksStatus::Updating, after, |c| {
                (c.subnet_ids, c.security_group_ids) = (subnets, groups);
            });
            Ok(())
        })
        .await
    }

    async fn update_cluster_logging(&self, name: &str, log_types: &[String]) -> CloudResult<()> {
        let after = self.latency.cluster_update_after;
        self.mutate("update_cluster_logging", |w| {
            let log_types = check_logs(log_types)?;
            let timed = idle(&mut w.eks.clusters, "EKS cluster", name)?;
            if timed.obj.log_types == log_types {
                return Err(invalid("No changes needed for the logging config provided"));
            }
            timed.begin(EksStatus::Updating, after, |c| c.log_types = log_types);
            Ok(())
        })
        .await
    }

    async fn update_cluster_version(&self, name: &str, version: &str) -> CloudResult<()> {
        let after = self.latency.cluster_upgrade_after;
        self.mutate("update_cluster_version", |w| {
            let timed = idle(&mut w.eks.clusters, "EKS cluster", name)?;
            let have = &timed.obj.version;
            if minor(version) != minor(have).map(|m| m + 1) {
                let message =
                    format!("Unsupported Kubernetes minor version update from {have} to {version}");
                return Err(invalid(message));
            }
            timed.begin(EksStatus::Updating, after, |c| c.version = version.into());
            Ok(())
        })
        .await
    }

    async fn delete_cluster(&self, name: &str) -> CloudResult<()> {
        let after = self.latency.cluster_gone_after;
        self.mutate("delete_cluster", |w| {
            get(&w.eks.clusters, "EKS cluster", name)?;
            if values(&w.eks.groups).any(|g| g.cluster == name) {
                return Err(dependency("Cluster has nodegroups attached".into()));
            }
            get_mut(&mut w.eks.clusters, "EKS cluster", name)?.delete(after)
        })
        .await
    }

    async fn list_node_groups(&self, cluster: &str) -> CloudResult<Vec<NodeGroup>> {
        self.enter("list_node_groups").await?;
        let w = self.world()?;
        let listed = |g: &&NodeGroup| g.cluster == cluster && w.visible(&g.arn);
        Ok(values(&w.eks.groups).filter(listed).cloned().collect())
    }

    async fn get_node_group(&self, cluster: &str, name: &str) -> CloudResult<Option<NodeGroup>> {
        self.enter("get_node_group").await?;
        let w = self.world()?;
        Ok(w.eks.groups.get(&key(cluster, name)).map(|t| t.obj.clone()))
    }

    async fn create_node_group(&self, new: &NewNodeGroup, tags: &Tags) -> CloudResult<NodeGroup> {
        let after = self.latency.node_group_ready_after;
        self.mutate("create_node_group", |w| {
            let (cluster, name) = (&new.cluster, &new.name);
            let have = w.cluster_in(cluster, &[EksStatus::Active])?.version.clone();
            if w.eks.groups.contains_key(&key(cluster, name)) {
                let message =
                    format!("NodeGroup already exists with name {name} and cluster name {cluster}");
                return Err(in_use(message));
            }
            w.assumable(&new.node_role_arn, "ec2.amazonaws.com")?;
            for id in &new.subnet_ids {
                w.subnet(id)?;
            }
            let version = Some(&new.version)
                .filter(|v| !v.is_empty())
                .unwrap_or(&have);
            if minor(version).is_none_or(|m| Some(m) > minor(&have)) {
                let message = format!(
                    "Requested version {version} is not supported by cluster version {have}"
                );
                return Err(invalid(message));
            }
            let arn = format!("{EKS_ARN}:nodegroup/{cluster}/{name}/{}", uuid(w.serial()));
            let group = NodeGroup {
                cluster: cluster.clone(),
                name: name.clone(),
                status: EksStatus::Creating,
                version: Some(version.clone()),
                node_role_arn: new.node_role_arn.clone(),
                subnet_ids: new.subnet_ids.clone(),
                instance_types: new.instance_types.clone(),
                capacity_type: new.capacity_type.clone(),
                ami_type: new.ami_type.clone(),
                disk_size: Some(new.disk_size),
                scaling: new.scaling,
                labels: new.labels.clone(),
                taints: new.taints.clone(),
                max_unavailable_percentage: Some(new.max_unavailable_percentage),
                tags: tags.clone(),
                created: w.born(&arn),
                arn,
            };
            check_group(&group)?;
            let timed = Timed::new(group.clone(), after, |_| ());
            w.eks.groups.insert(key(cluster, name), timed);
            Ok(group)
        })
        .await
    }

    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        change: &NodeGroupChange,
    ) -> CloudResult<()> {
        let after = self.latency.node_group_update_after;
        self.mutate("update_node_group", |w| {
            let timed = idle(&mut w.eks.groups, "EKS node group", &key(cluster, name))?;
            let mut next = timed.obj.clone();
            apply(&mut next, change);
            check_group(&next)?;
            timed.begin(EksStatus::Updating, after, |g| *g = next);
            Ok(())
        })
        .await
    }

    async fn update_node_group_version(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
    ) -> CloudResult<()> {
        let after = self.latency.node_group_update_after;
        self.mutate("update_node_group_version", |w| {
            let top = get(&w.eks.clusters, "EKS cluster", cluster)?
                .obj
                .version
                .clone();
            let timed = idle(&mut w.eks.groups, "EKS node group", &key(cluster, name))?;
            let have = timed.obj.version.as_deref().and_then(minor);
            if minor(version).is_none_or(|m| Some(m) > minor(&top) || Some(m) < have) {
                let message = format!(
                    "Requested version {version} is not between the node group's {:?} and the \
                     cluster's {top}",
                    timed.obj.version
                );
                return Err(invalid(message));
            }
            let version = Some(version.to_string());
            timed.begin(EksStatus::Updating, after, |g| g.version = version);
            Ok(())
        })
        .await
    }

    async fn delete_node_group(&self, cluster: &str, name: &str) -> CloudResult<()> {
        let after = self.latency.node_group_gone_after;
        self.mutate("delete_node_group", |w| {
            get_mut(&mut w.eks.groups, "EKS node group", &key(cluster, name))?.delete(after)
        })
        .await
    }

    async fn list_addons(&self, cluster: &str) -> CloudResult<Vec<Addon>> {
        self.enter("list_addons").await?;
        let w = self.world()?;
        let listed = |a: &&Addon| a.cluster == cluster && w.visible(&a.arn);
        Ok(values(&w.eks.addons).filter(listed).cloned().collect())
    }

    async fn get_addon(&self, cluster: &str, name: &str) -> CloudResult<Option<Addon>> {
        self.enter("get_addon").await?;
        let w = self.world()?;
        Ok(w.eks.addons.get(&key(cluster, name)).map(|t| t.obj.clone()))
    }

    async fn default_addon_version(&self, name: &str, k8s_version: &str) -> CloudResult<String> {
        self.enter("default_addon_version").await?;
        let unknown = || invalid(format!("No version of {name} for Kubernetes {k8s_version}"));
        let minor = minor(k8s_version).ok_or_else(unknown)?;
        Ok(format!("v1.{minor}.0-eksbuild.1"))
    }

    async fn create_addon(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
        tags: &Tags,
    ) -> CloudResult<Addon> {
        let after = self.latency.addon_ready_after;
        self.mutate("create_addon", |w| {
            w.cluster_in(cluster, &[EksStatus::Active])?;
            if w.eks.addons.contains_key(&key(cluster, name)) {
                return Err(in_use(format!("Addon {name} already exists.")));
            }
            let arn = format!("{EKS_ARN}:addon/{cluster}/{name}/{}", uuid(w.serial()));
            let addon = Addon {
                cluster: cluster.to_string(),
                name: name.to_string(),
                version: version.to_string(),
                status: EksStatus::Creating,
                tags: tags.clone(),
                created: w.born(&arn),
                arn,
            };
            let timed = Timed::new(addon.clone(), after, |_| ());
            w.eks.addons.insert(key(cluster, name), timed);
            Ok(addon)
        })
        .await
    }

    async fn update_addon(&self, cluster: &str, name: &str, version: &str) -> CloudResult<()> {
        let after = self.latency.addon_ready_after;
        self.mutate("update_addon", |w| {
            let timed = idle(&mut w.eks.addons, "EKS add-on", &key(cluster, name))?;
            timed.begin(EksStatus::Updating, after, |a| a.version = version.into());
            Ok(())
        })
        .await
    }

    async fn delete_addon(&self, cluster: &str, name: &str) -> CloudResult<()> {
        let after = self.latency.addon_gone_after;
        self.mutate("delete_addon", |w| {
            get_mut(&mut w.eks.addons, "EKS add-on", &key(cluster, name))?.delete(after)
        })
        .await
    }

    async fn list_access_entries(&self, cluster: &str) -> CloudResult<Vec<AccessEntry>> {
        self.enter("list_access_entries").await?;
        let w = self.world()?;
        let listed = |e: &&AccessEntry| e.cluster == cluster && w.visible(&e.arn);
        Ok(w.eks.entries.values().filter(listed).cloned().collect())
    }

    async fn create_access_entry(
        &self,
        cluster: &str,
        principal_arn: &str,
        tags: &Tags,
    ) -> CloudResult<AccessEntry> {
        self.mutate("create_access_entry", |w| {
            let up = [EksStatus::Active, EksStatus::Updating];
            if w.cluster_in(cluster, &up)?.authentication_mode.as_deref() == Some("CONFIG_MAP") {
                let message = "The cluster's authentication mode must be set to one of [API, \
                               API_AND_CONFIG_MAP] to perform this operation.";
                return Err(service("InvalidRequestException", message));
            }
            let k = key(cluster, principal_arn);
            if w.eks.entries.contains_key(&k) {
                let message = "The specified access entry resource is already in use on this \
                               cluster.";
                return Err(in_use(message));
            }
            let resource = principal_arn.strip_prefix("arn:aws:iam::").and_then(|r| {
                let (account, resource) = r.split_once(':')?;
                let (kind, path) = resource.split_once('/')?;
                let name = path.rsplit('/').next()?;
                matches!(kind, "role" | "user").then(|| format!("{kind}/{account}/{name}"))
            });
            let invalid_principal = || invalid("The specified principalArn is invalid");
            let resource = resource.ok_or_else(invalid_principal)?;
            let id = uuid(w.serial());
            let arn = format!("{EKS_ARN}:access-entry/{cluster}/{resource}/{id}");
            let entry = AccessEntry {
                cluster: cluster.to_string(),
                principal_arn: principal_arn.to_string(),
                policies: Vec::new(),
                tags: tags.clone(),
                created: w.born(&arn),
                arn,
            };
            Ok(insert(&mut w.eks.entries, k, entry))
        })
        .await
    }

    async fn associate_access_policy(
        &self,
        cluster: &str,
        principal_arn: &str,
        policy_arn: &str,
    ) -> CloudResult<()> {
        self.mutate("associate_access_policy", |w| {
            let k = key(cluster, principal_arn);
            let entry = get_mut(&mut w.eks.entries, "EKS access entry", &k)?;
            if !policy_arn.starts_with("arn:aws:eks::aws:cluster-access-policy/") {
                return Err(invalid(format!("The policyArn {policy_arn} is invalid")));
            }
            if !entry.policies.iter().any(|p| p == policy_arn) {
                entry.policies.push(policy_arn.to_string());
            }
            Ok(())
        })
        .await
    }

    async fn delete_access_entry(&self, cluster: &str, principal_arn: &str) -> CloudResult<()> {
        let k = key(cluster, principal_arn);
        let delete = |w: &mut World| take(&mut w.eks.entries, "EKS access entry", &k);
        self.mutate("delete_access_entry", delete).await
    }

    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("eks_retag", |w| {
            let tags = w
                .eks
                .eks_tags(arn)
                .ok_or_else(|| not_found("EKS resource", arn))?;
            retag_map(tags, set, remove);
            Ok(())
        })
        .await
    }
}

/// Test helpers: what happens to EKS behind the engine's back, and
/// snapshots for assertions.
impl SimCloud {
    /// Sets a node group's desired size behind the engine's back, within
    /// its min and max, as the cluster autoscaler does.
    pub fn scale_out_of_band(&self, cluster: &str, group: &str, desired: i32) {
        self.direct(|w| {
            if let Some(timed) = w.eks.groups.get_mut(&key(cluster, group)) {
                timed.edit(|g| {
                    g.scaling.desired = desired.max(g.scaling.min).min(g.scaling.max);
                });
            }
        });
    }

    /// The IAM roles.
    pub fn roles(&self) -> Vec<Role> {
        self.eks_snapshot(|e| e.roles.values().cloned().collect())
    }

    /// The IAM OIDC providers.
    pub fn oidc_providers(&self) -> Vec<OidcProvider> {
        self.eks_snapshot(|e| e.oidc.values().cloned().collect())
    }

    /// The EKS clusters not yet gone, as a describe shows them now.
    pub fn clusters(&self) -> Vec<Cluster> {
        self.eks_snapshot(|e| values(&e.clusters).cloned().collect())
    }

    /// The node groups not yet gone, as a describe shows them now.
    pub fn node_groups(&self) -> Vec<NodeGroup> {
        self.eks_snapshot(|e| values(&e.groups).cloned().collect())
    }

    /// The add-ons not yet gone, as a describe shows them now.
    pub fn addons(&self) -> Vec<Addon> {
        self.eks_snapshot(|e| values(&e.addons).cloned().collect())
    }

    /// The access entries.
    pub fn access_entries(&self) -> Vec<AccessEntry> {
        self.eks_snapshot(|e| e.entries.values().cloned().collect())
    }

    fn eks_snapshot<T>(&self, f: impl FnOnce(&IamEks) -> Vec<T>) -> Vec<T> {
        self.direct(|w| f(&w.eks)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::cluster::CLUSTER_ADMIN_POLICY;
    use crate::cloud::sim::LatencyModel;
    use crate::cloud::{CloudError, KmsApi, NetworkApi, TAG_STACK};

    fn tags(stack: &str) -> Tags {
        Tags::from([(TAG_STACK.to_string(), stack.to_string())])
    }

    async fn sleep(d: Duration) {
        tokio::time::sleep(d).await;
    }

    use crate::cloud::sim::error_code as code;

    /// What a cluster needs: a VPC with two subnets in two zones and a
    /// group, the two roles, a key.
    struct Base {
        vpc: String,
        subnets: Vec<String>,
        group: String,
        cluster_role: String,
        node_role: String,
        key: String,
    }

    async fn role(sim: &SimCloud, name: &str, service: &str) -> CloudResult<Role> {
        let role = NewRole {
            path: "/todo/us-east-1/s/".into(),
            name: name.into(),
            service: service.into(),
            description: String::new(),
        };
        sim.create_role(&role, &tags("s")).await
    }

    async fn base(sim: &SimCloud) -> Base {
        let t = tags("s");
        let vpc = sim.create_vpc("10.0.0.0/16", &t).await.unwrap().id;
        let mut subnets = Vec::new();
        for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let cidr = format!("10.0.{i}.0/24");
            subnets.push(sim.create_subnet(&vpc, &cidr, az, &t).await.unwrap().id);
        }
        let group = sim.create_security_group(&vpc, "cp", "", &t).await;
        let cluster_role = role(sim, "s-cluster", "eks.amazonaws.com").await;
        let node_role = role(sim, "s-node", "ec2.amazonaws.com").await;
        Base {
            vpc,
            subnets,
            group: group.unwrap().id,
            cluster_role: cluster_role.unwrap().arn,
            node_role: node_role.unwrap().arn,
            key: sim.create_key("", &t).await.unwrap().arn,
        }
    }

    fn new_cluster(b: &Base, name: &str) -> NewCluster {
        NewCluster {
            name: name.into(),
            version: "1.30".into(),
            role_arn: b.cluster_role.clone(),
            subnet_ids: b.subnets.clone(),
            security_group_ids: vec![b.group.clone()],
            access: EndpointAccess {
                private: true,
                public: false,
                public_cidrs: Vec::new(),
            },
            log_types: vec!["audit".into()],
            encryption_key_arn: b.key.clone(),
            authentication_mode: "API".into(),
        }
    }

    async fn create_group(
        sim: &SimCloud,
        b: &Base,
        name: &str,
        (min, max, desired): (i32, i32, i32),
    ) -> CloudResult<NodeGroup> {
        let group = NewNodeGroup {
            cluster: "c".into(),
            name: name.into(),
            version: "1.30".into(),
            node_role_arn: b.node_role.clone(),
            subnet_ids: b.subnets[..1].to_vec(),
            instance_types: vec!["m6i.large".into()],
            capacity_type: "ON_DEMAND".into(),
            ami_type: "AL2023_x86_64_STANDARD".into(),
            disk_size: 20,
            scaling: Scaling { min, max, desired },
            labels: Default::default(),
            taints: Vec::new(),
            max_unavailable_percentage: 33,
        };
        sim.create_node_group(&group, &tags("s")).await
    }

    /// An AWS-like sim, its base, and cluster `c` (1.30), active.
    async fn with_cluster() -> (SimCloud, Base) {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let c = sim.create_cluster(&new_cluster(&b, "c"), &tags("s")).await;
        c.unwrap();
        sleep(sim.latency.cluster_ready_after).await;
        (sim, b)
    }

    /// And node group `g` (1 to 5, 2), active.
    async fn with_group() -> (SimCloud, Base) {
        let (sim, b) = with_cluster().await;
        create_group(&sim, &b, "g", (1, 5, 2)).await.unwrap();
        sleep(sim.latency.node_group_ready_after).await;
        (sim, b)
    }

    async fn cluster(sim: &SimCloud) -> Cluster {
        sim.get_cluster("c").await.unwrap().unwrap()
    }

    async fn group(sim: &SimCloud) -> NodeGroup {
        sim.get_node_group("c", "g").await.unwrap().unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_cluster_becomes_active_only_after_its_time() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let created = sim.create_cluster(&new_cluster(&b, "c"), &tags("s")).await;
        let created = created.unwrap();
        assert_eq!(created.status, EksStatus::Creating);
        assert_eq!(created.arn, "arn:aws:eks:us-east-1:123456789012:cluster/c");
        assert_eq!(created.access.public_cidrs, ["0.0.0.0/0"]);
        assert_eq!((created.endpoint, created.oidc_issuer), (None, None));
        let again = sim.create_cluster(&new_cluster(&b, "c"), &tags("s")).await;
        assert_eq!(code(again), "ResourceInUseException");
        sleep(sim.latency.cluster_ready_after - Duration::from_secs(2)).await;
        assert_eq!(cluster(&sim).await.status, EksStatus::Creating);
        sleep(Duration::from_secs(2)).await;
        let c = cluster(&sim).await;
        assert_eq!(c.status, EksStatus::Active);
        let endpoint = c.endpoint.unwrap();
        assert!(
            endpoint.ends_with(".gr7.us-east-1.eks.amazonaws.com"),
            "{endpoint}"
        );
        let issuer = c.oidc_issuer.unwrap();
        let id = issuer.strip_prefix("https://oidc.eks.us-east-1.amazonaws.com/id/");
        assert!(id.is_some_and(|id| id.len() == 32), "{issuer}");
        assert!(c.certificate_authority.is_some());
        assert!(c.cluster_security_group_id.unwrap().starts_with("sg-"));
        sim.create_cluster(&new_cluster(&b, "d"), &tags("s"))
            .await
            .unwrap();
        sleep(sim.latency.cluster_ready_after).await;
        let other = sim.get_cluster("d").await.unwrap().unwrap();
        assert_ne!(other.oidc_issuer.unwrap(), issuer);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cluster_needs_its_role_subnets_in_two_zones_and_a_live_key() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let sim = &sim;
        let create = |c: NewCluster| async move { code(sim.create_cluster(&c, &tags("s")).await) };
        let mut c = new_cluster(&b, "c");
        c.role_arn = b.node_role.clone();
        assert_eq!(create(c).await, "InvalidParameterException", "an EC2 role");
        let mut c = new_cluster(&b, "c");
        c.subnet_ids.truncate(1);
        assert_eq!(create(c).await, "InvalidParameterException", "one zone");
        let mut c = new_cluster(&b, "c");
        c.subnet_ids.push("subnet-missing".into());
        assert_eq!(create(c).await, "InvalidParameterException", "no subnet");
        sim.schedule_deletion(&b.key, 7).await.unwrap();
        let c = new_cluster(&b, "c");
        assert_eq!(create(c).await, "InvalidParameterException", "no key");
        assert!(sim.clusters().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_role_is_not_assumable_until_iam_propagates() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        sim.set_describe_lag(Duration::from_secs(10));
        let mut c = new_cluster(&b, "c");
        c.role_arn = role(&sim, "late", "eks.amazonaws.com").await.unwrap().arn;
        let early = sim.create_cluster(&c, &tags("s")).await;
        let names_role = |m: &str| m.to_ascii_lowercase().contains("role");
        assert!(matches!(&early, Err(CloudError::Service { message, .. }) if names_role(message)));
        let listed = sim.list_roles("/").await.unwrap();
        assert!(listed.iter().all(|r| r.name != "late"));
        sleep(Duration::from_secs(10)).await;
        sim.create_cluster(&c, &tags("s")).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_cluster_with_node_groups_cannot_be_deleted() {
        let (sim, b) = with_cluster().await;
        let created = create_group(&sim, &b, "g", (1, 5, 2)).await.unwrap();
        assert_eq!(created.status, EksStatus::Creating);
        assert_eq!(created.version.as_deref(), Some("1.30"));
        assert_eq!(code(sim.delete_cluster("c").await), "DependencyViolation");
        let creating = sim.delete_node_group("c", "g").await;
        assert_eq!(code(creating), "DependencyViolation", "still creating");
        sleep(sim.latency.node_group_ready_after).await;
        assert_eq!(group(&sim).await.status, EksStatus::Active);
        sim.delete_node_group("c", "g").await.unwrap();
        sim.delete_node_group("c", "g").await.unwrap();
        assert_eq!(group(&sim).await.status, EksStatus::Deleting);
        assert_eq!(code(sim.delete_cluster("c").await), "DependencyViolation");
        sleep(sim.latency.node_group_gone_after).await;
        assert_eq!(sim.get_node_group("c", "g").await.unwrap(), None);
        let own = cluster(&sim).await.cluster_security_group_id.unwrap();
        sim.delete_cluster("c").await.unwrap();
        assert_eq!(cluster(&sim).await.status, EksStatus::Deleting);
        sleep(sim.latency.cluster_gone_after).await;
        assert_eq!(sim.get_cluster("c").await.unwrap(), None);
        let gone = sim.delete_security_group(&own).await;
        assert_eq!(code(gone), "NotFound", "the group EKS made went with it");
        assert_eq!(code(sim.delete_cluster("c").await), "NotFound");
    }

    #[tokio::test(start_paused = true)]
    async fn node_group_scaling_rules() {
        let (sim, b) = with_cluster().await;
        for counts in [(3, 5, 2), (0, 0, 0), (1, 2, 3), (-1, 2, 0)] {
            let bad = create_group(&sim, &b, "g", counts).await;
            assert_eq!(code(bad), "InvalidParameterException", "{counts:?}");
        }
        create_group(&sim, &b, "spot", (0, 1, 0)).await.unwrap();
        create_group(&sim, &b, "g", (1, 5, 2)).await.unwrap();
        sleep(sim.latency.node_group_ready_after).await;
        let scale = |min, max, desired| NodeGroupChange {
            scaling: Some(Scaling { min, max, desired }),
            ..Default::default()
        };
        let min_only = sim.update_node_group("c", "g", &scale(4, 5, 2)).await;
        assert_eq!(code(min_only), "InvalidParameterException");
        sim.update_node_group("c", "g", &scale(4, 5, 4))
            .await
            .unwrap();
        let g = group(&sim).await;
        assert_eq!(g.status, EksStatus::Updating);
        assert_eq!(g.scaling.min, 1, "the old counts until the update is over");
        sleep(sim.latency.node_group_update_after).await;
        let g = group(&sim).await;
        assert_eq!(g.status, EksStatus::Active);
        assert_eq!(
            g.scaling,
            Scaling {
                min: 4,
                max: 5,
                desired: 4
            }
        );
        sim.scale_out_of_band("c", "g", 9);
        assert_eq!(
            group(&sim).await.scaling.desired,
            5,
            "the autoscaler keeps to max"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn updates_are_refused_while_updating() {
        let (sim, b) = with_group().await;
        let logs = ["api".to_string(), "audit".to_string()];
        sim.update_cluster_logging("c", &logs).await.unwrap();
        let c = cluster(&sim).await;
        assert_eq!(c.status, EksStatus::Updating);
        assert_eq!(
            c.log_types,
            ["audit"],
            "the old logging until the update is over"
        );
        let busy = "ResourceInUseException";
        assert_eq!(
            code(sim.update_cluster_logging("c", &logs[..1]).await),
            busy
        );
        assert_eq!(code(sim.update_cluster_version("c", "1.31").await), busy);
        let mut public = c.access.clone();
        public.public = true;
        assert_eq!(code(sim.update_cluster_access("c", &public).await), busy);
        assert_eq!(code(sim.delete_cluster("c").await), "DependencyViolation");
        let second = create_group(&sim, &b, "h", (1, 2, 1)).await;
        assert_eq!(
            code(second),
            "InvalidRequestException",
            "cluster not active"
        );
        sleep(sim.latency.cluster_update_after).await;
        let c = cluster(&sim).await;
        assert_eq!(
            (&c.status, &c.log_types[..]),
            (&EksStatus::Active, &logs[..])
        );
        let same = sim.update_cluster_logging("c", &logs).await;
        assert_eq!(code(same), "InvalidParameterException", "no change");
        let same = sim.update_cluster_access("c", &c.access).await;
        assert_eq!(code(same), "InvalidParameterException", "no change");
        sim.update_cluster_access("c", &public).await.unwrap();
        let label = NodeGroupChange {
            add_labels: [("tier".to_string(), "web".to_string())].into(),
            ..Default::default()
        };
        sim.update_node_group("c", "g", &label).await.unwrap();
        assert_eq!(code(sim.update_node_group("c", "g", &label).await), busy);
        let version = sim.update_node_group_version("c", "g", "1.30").await;
        assert_eq!(code(version), busy);
        sleep(sim.latency.node_group_update_after).await;
        assert_eq!(group(&sim).await.labels["tier"], "web");
        assert!(cluster(&sim).await.access.public);
    }

    #[tokio::test(start_paused = true)]
    async fn clusters_upgrade_one_minor_version_at_a_time() {
        let (sim, _) = with_group().await;
        for version in ["1.32", "1.29", "1.30", "2.0"] {
            let refused = sim.update_cluster_version("c", version).await;
            assert_eq!(code(refused), "InvalidParameterException", "{version}");
        }
        sim.update_cluster_version("c", "1.31").await.unwrap();
        assert_eq!(
            cluster(&sim).await.version,
            "1.30",
            "until the upgrade is over"
        );
        sleep(sim.latency.cluster_upgrade_after - Duration::from_secs(1)).await;
        let early = sim.update_node_group_version("c", "g", "1.31").await;
        assert_eq!(
            code(early),
            "InvalidParameterException",
            "above the cluster"
        );
        sleep(Duration::from_secs(1)).await;
        assert_eq!(cluster(&sim).await.version, "1.31");
        let above = sim.update_node_group_version("c", "g", "1.32").await;
        assert_eq!(code(above), "InvalidParameterException");
        sim.update_node_group_version("c", "g", "1.31")
            .await
            .unwrap();
        sleep(sim.latency.node_group_update_after).await;
        assert_eq!(group(&sim).await.version.as_deref(), Some("1.31"));
    }

    #[tokio::test(start_paused = true)]
    async fn subnets_and_groups_in_use_by_eks_cannot_be_deleted() {
        let (sim, b) = with_group().await;
        let own = cluster(&sim).await.cluster_security_group_id.unwrap();
        for subnet in &b.subnets {
            assert_eq!(code(sim.delete_subnet(subnet).await), "DependencyViolation");
        }
        for group in [&b.group, &own] {
            let in_use = sim.delete_security_group(group).await;
            assert_eq!(code(in_use), "DependencyViolation");
        }
        assert_eq!(code(sim.delete_vpc(&b.vpc).await), "DependencyViolation");
        sim.delete_node_group("c", "g").await.unwrap();
        sleep(sim.latency.node_group_gone_after).await;
        sim.delete_cluster("c").await.unwrap();
        let deleting = sim.delete_subnet(&b.subnets[0]).await;
        assert_eq!(
            code(deleting),
            "DependencyViolation",
            "until the cluster is gone"
        );
        sleep(sim.latency.cluster_gone_after).await;
        for subnet in &b.subnets {
            sim.delete_subnet(subnet).await.unwrap();
        }
        sim.delete_security_group(&b.group).await.unwrap();
        sim.delete_vpc(&b.vpc).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_node_group_whose_role_is_gone_fails_to_delete() {
        let (sim, _) = with_group().await;
        sim.delete_role("s-node").await.unwrap();
        sim.delete_node_group("c", "g").await.unwrap();
        sleep(sim.latency.node_group_gone_after).await;
        let failed = EksStatus::Failed("DELETE_FAILED".into());
        assert_eq!(group(&sim).await.status, failed);
        role(&sim, "s-node", "ec2.amazonaws.com").await.unwrap();
        sim.delete_node_group("c", "g").await.unwrap();
        sleep(sim.latency.node_group_gone_after).await;
        assert!(sim.node_groups().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn iam_roles_and_oidc_providers() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let r = role(&sim, "r", "eks.amazonaws.com").await.unwrap();
        assert_eq!(r.arn, "arn:aws:iam::123456789012:role/todo/us-east-1/s/r");
        let twin = role(&sim, "R", "ec2.amazonaws.com").await;
        assert_eq!(code(twin), "EntityAlreadyExists");
        let custom = "arn:aws:iam::123456789012:policy/mine";
        assert_eq!(code(sim.attach_policy("r", custom).await), "NotFound");
        let managed = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";
        sim.attach_policy("r", managed).await.unwrap();
        sim.attach_policy("r", managed).await.unwrap();
        let listed = sim.list_roles("/todo/us-east-1/").await.unwrap();
        assert_eq!(listed[0].policies, [managed]);
        assert!(sim.list_roles("/todo/eu-west-1/").await.unwrap().is_empty());
        sim.delete_role("r").await.unwrap();
        assert_eq!(code(sim.delete_role("r").await), "NotFound");
        let url = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC";
        let p = sim
            .create_oidc_provider(url, &[], &tags("s"))
            .await
            .unwrap();
        let arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
        assert_eq!(p.arn, arn);
        let twin = sim.create_oidc_provider(url, &[], &tags("other")).await;
        assert_eq!(code(twin), "EntityAlreadyExists");
        assert_eq!(
            sim.list_oidc_providers("s").await.unwrap(),
            std::slice::from_ref(&p)
        );
        assert!(sim.list_oidc_providers("other").await.unwrap().is_empty());
        sim.delete_oidc_provider(&p.arn).await.unwrap();
        assert!(sim.oidc_providers().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn addons_and_access_entries_go_with_their_cluster() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let s = tags("s");
        sim.create_cluster(&new_cluster(&b, "c"), &s).await.unwrap();
        let early = sim
            .create_addon("c", "vpc-cni", "v1.30.0-eksbuild.1", &s)
            .await;
        assert_eq!(code(early), "InvalidRequestException");
        sleep(sim.latency.cluster_ready_after).await;
        let version = sim.default_addon_version("coredns", "1.30").await.unwrap();
        assert_eq!(version, "v1.30.0-eksbuild.1");
        let addon = sim
            .create_addon("c", "coredns", &version, &s)
            .await
            .unwrap();
        assert_eq!(addon.status, EksStatus::Creating);
        sleep(sim.latency.addon_ready_after).await;
        assert_eq!(
            sim.list_addons("c").await.unwrap()[0].status,
            EksStatus::Active
        );
        let admin = "arn:aws:iam::123456789012:role/admin";
        let entry = sim.create_access_entry("c", admin, &s).await.unwrap();
        let twin = sim.create_access_entry("c", admin, &s).await;
        assert_eq!(code(twin), "ResourceInUseException");
        sim.associate_access_policy("c", admin, CLUSTER_ADMIN_POLICY)
            .await
            .unwrap();
        let entries = sim.list_access_entries("c").await.unwrap();
        assert_eq!(entries[0].policies, [CLUSTER_ADMIN_POLICY]);
        let set = Tags::from([("env".to_string(), "prod".to_string())]);
        let arns = [cluster(&sim).await.arn, addon.arn, entry.arn];
        for arn in &arns {
            EksApi::retag(&sim, arn, &set, &[]).await.unwrap();
        }
        let inventory = sim.inventory();
        let kinds: BTreeSet<&str> = inventory.iter().map(|(k, ..)| *k).collect();
        for kind in ["eks-cluster", "eks-addon", "eks-access-entry", "iam-role"] {
            assert!(kinds.contains(kind), "{kinds:?}");
        }
        assert!(
            inventory.iter().all(|(.., t)| !eks_made(t)),
            "EKS's own group"
        );
        let retagged = inventory.iter().filter(|(_, id, _)| arns.contains(id));
        assert!(retagged.map(|(.., t)| &t["env"]).all(|e| e == "prod"));
        sim.delete_addon("c", "coredns").await.unwrap();
        sleep(sim.latency.addon_gone_after).await;
        assert_eq!(sim.get_addon("c", "coredns").await.unwrap(), None);
        let cni = sim
            .create_addon("c", "vpc-cni", "v1.30.0-eksbuild.1", &s)
            .await;
        cni.unwrap();
        sim.delete_cluster("c").await.unwrap();
        sleep(sim.latency.cluster_gone_after).await;
        assert!(sim.list_access_entries("c").await.unwrap().is_empty());
        assert!(sim.list_addons("c").await.unwrap().is_empty());
        let eks = sim
            .inventory()
            .into_iter()
            .filter(|(k, ..)| k.starts_with("eks"));
        assert_eq!(eks.count(), 0);
    }
}
