//! The stack's EKS cluster: control plane in the private subnets, secrets
//! encrypted with the stack's key, authentication mode `API`. It takes
//! about ten minutes to create; in-place changes (version, endpoint access,
//! logging) are EKS updates, one at a time, each waited on.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use crate::cloud::cluster::{
    Cluster, EksApi, EksStatus, EndpointAccess, KubeLeftoversApi, NewCluster,
};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Expect, Ids, Key, Kind, Meta, Progress};

/// EKS clusters, and what Kubernetes leaves in their VPC.
pub struct Clusters {
    /// EKS.
    pub eks: Arc<dyn EksApi>,
    /// Load balancers and security groups Kubernetes made.
    pub leftovers: Arc<dyn KubeLeftoversApi>,
    /// The VPC of each cluster being deleted, by ARN (its load balancers
    /// are removed once it is gone).
    pub deleting: Mutex<BTreeMap<String, String>>,
}

impl Clusters {
    /// Clusters on `eks`, cleaning up through `leftovers`.
    pub fn new(eks: Arc<dyn EksApi>, leftovers: Arc<dyn KubeLeftoversApi>) -> Clusters {
        Clusters {
            eks,
            leftovers,
            deleting: Mutex::new(BTreeMap::new()),
        }
    }

    /// Deletes what Kubernetes made for cluster `name` in `vpc_id`: its
    /// load balancers, then their security groups. `Done` once none is
    /// left; `Pending` while AWS still releases their interfaces.
    pub async fn sweep(&self, vpc_id: &str, name: &str) -> CloudResult<Progress> {
        let balancers = self
            .leftovers
            .list_kube_load_balancers(vpc_id, name)
            .await?;
        for lb in &balancers {
            tracing::info!(cluster = name, load_balancer = %lb.id, "deleting a load balancer Kubernetes made");
            super::ignore_not_found(self.leftovers.delete_load_balancer(lb, name).await)?;
        }
        // Their security groups are refused (dependency) until AWS has
        // released the load balancers' interfaces: then this is polled again.
        let mut pending = false;
        for group in self
            .leftovers
            .list_kube_security_groups(vpc_id, name)
            .await?
        {
            match self.leftovers.delete_kube_security_group(&group).await {
                Ok(()) => {
                    tracing::info!(cluster = name, %group, "deleted a security group Kubernetes made")
                }
                Err(e) if e.is_not_found() => {}
                Err(CloudError::DependencyViolation(_)) => pending = true,
                Err(e) => {
                    return Err(CloudError::Service {
                        code: "KubernetesLeftovers".into(),
                        message: format!(
                            "security group {group}, made by Kubernetes for cluster {name} in {vpc_id}, cannot be deleted: {e}"
                        ),
                    });
                }
            }
        }
        Ok(if pending {
            Progress::Pending
        } else {
            Progress::Done
        })
    }
}

/// What the stack wants of its cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    /// Its name (the stack's).
    pub name: String,
    /// Kubernetes version.
    pub version: String,
    /// The cluster role.
    pub role: Key,
    /// The private subnets.
    pub subnets: Vec<Key>,
    /// The control plane's security group.
    pub security_groups: Vec<Key>,
    /// Endpoint access.
    pub access: EndpointAccess,
    /// Control-plane log types.
    pub log_types: Vec<String>,
    /// The key that encrypts Kubernetes secrets.
    pub key: Key,
}

/// The name in an EKS ARN's resource part (`cluster/<name>`,
/// `nodegroup/<cluster>/<name>/<uuid>`, `addon/<cluster>/<name>/<uuid>`):
/// the cluster and, below it, the object's own name.
pub fn arn_names(arn: &str) -> (String, String) {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let mut parts = resource.split('/').skip(1);
    let cluster = parts.next().unwrap_or_default().to_string();
    let name = parts.next().unwrap_or_default().to_string();
    (cluster, name)
}

/// The ARN of the cluster an EKS object ARN belongs to.
pub fn cluster_arn_of(arn: &str) -> String {
    let (cluster, _) = arn_names(arn);
    let prefix: Vec<&str> = arn.splitn(6, ':').take(5).collect();
    format!("{}:cluster/{cluster}", prefix.join(":"))
}

/// Whether an EKS object is broken beyond in-place repair (`DEGRADED`
/// still serves, and EKS repairs it).
pub fn broken(status: &EksStatus) -> Option<&str> {
    match status {
        EksStatus::Failed(s) if s != "DEGRADED" => Some(s),
        _ => None,
    }
}

/// The progress an EKS status means for a waiter.
pub fn progress(status: &EksStatus) -> Progress {
    match status {
        EksStatus::Active => Progress::Done,
        EksStatus::Failed(s) if s == "DEGRADED" => Progress::Done,
        EksStatus::Creating | EksStatus::Updating => Progress::Pending,
        EksStatus::Deleting => Progress::Failed("it is being deleted".into()),
        EksStatus::Failed(s) => Progress::Failed(format!("it went to status {s}")),
    }
}

/// The change a cluster, node group or add-on that is not active yet
/// needs: an update step that waits for it (its dependents wait for that
/// step), so an apply that continues a killed one never builds on an
/// object still being created.
pub fn settling(status: &EksStatus) -> Option<Change> {
    match status {
        EksStatus::Creating => Some(Change::update("still being created; waiting for it")),
        EksStatus::Updating => Some(Change::update("still being updated; waiting for it")),
        _ => None,
    }
}

/// Polls `check` until it is done, every `expected / 40` (1 to 10 s): the
/// EKS updates of one object run one after another, each once the object
/// is active again. The runner bounds the whole step by the deadline.
pub async fn until_active<F, Fut>(expected: Duration, mut check: F) -> CloudResult<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<Progress>>,
{
    let every = (expected / 40).clamp(Duration::from_secs(1), Duration::from_secs(10));
    loop {
        match check().await? {
            Progress::Done => return Ok(()),
            Progress::Pending => tokio::time::sleep(every).await,
            Progress::Failed(why) => {
                return Err(CloudError::Service {
                    code: "UpdateFailed".into(),
                    message: why,
                });
            }
        }
    }
}

/// Retries `call` while IAM has not yet propagated a role it names (EKS
/// answers `InvalidParameterException` mentioning the role): up to a
/// minute, every 5 s.
pub async fn after_iam_propagation<T, F, Fut>(mut call: F) -> CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<T>>,
{
    let mut left = 12;
    loop {
        match call().await {
            Err(CloudError::Service { code, message })
                if left > 0
                    && code == "InvalidParameterException"
                    && message.to_ascii_lowercase().contains("role") =>
            {
                left -= 1;
                tracing::debug!(%message, "waiting for IAM to propagate a new role");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            other => return other,
        }
    }
}

/// Why the cluster cannot be converged in place, if it cannot.
fn unrepairable(spec: &ClusterSpec, seen: &Cluster, ids: &Ids) -> Option<String> {
    if let Some(s) = broken(&seen.status) {
        return Some(format!("it is in status {s}"));
    }
    if !ids.is(&spec.role, &seen.role_arn) {
        return Some(format!(
            "its IAM role {} is not the stack's cluster role (EKS cannot change a cluster's role)",
            seen.role_arn
        ));
    }
    if seen
        .encryption_key_arn
        .as_deref()
        .is_none_or(|k| !ids.is(&spec.key, k))
    {
        return Some(format!(
            "its secrets are encrypted with {}, not the stack's key (EKS cannot change that)",
            seen.encryption_key_arn.as_deref().unwrap_or("no key")
        ));
    }
    None
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

fn ids_of(keys: &[Key], ids: &Ids) -> Option<Vec<String>> {
    keys.iter()
        .map(|k| ids.get(k).map(str::to_string))
        .collect()
}

fn minor(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}

/// Endpoint access as it matters: the CIDRs count only when public.
fn access_differs(want: &EndpointAccess, have: &EndpointAccess) -> bool {
    want.private != have.private
        || want.public != have.public
        || (want.public && sorted(&want.public_cidrs) != sorted(&have.public_cidrs))
}

const UPDATE_TIME: Duration = Duration::from_secs(300);

#[async_trait]
impl Kind for Clusters {
    type Spec = ClusterSpec;
    type Seen = Cluster;
    const NAME: &'static str = "eks";
    const NOUN: &'static str = "EKS cluster";

    fn deps(spec: &ClusterSpec) -> Vec<Dep> {
        std::iter::once(&spec.role)
            .chain(&spec.subnets)
            .chain(&spec.security_groups)
            .chain(std::iter::once(&spec.key))
            .map(|k| Dep::ready(k.clone()))
            .collect()
    }

    fn meta(seen: &Cluster) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: std::iter::once(seen.role_arn.clone())
                .chain(seen.subnet_ids.iter().cloned())
                .chain(seen.security_group_ids.iter().cloned())
                .chain(seen.encryption_key_arn.clone())
                .collect(),
        }
    }

    fn diff(spec: &ClusterSpec, seen: &Cluster, ids: &Ids) -> Vec<Change> {
        // Nothing here replaces the cluster: its name is the stack's, so a
        // successor could not exist beside it. What EKS cannot change in
        // place is an update that fails saying so (`unrepairable`).
        let mut changes: Vec<Change> = settling(&seen.status).into_iter().collect();
        if let Some(why) = unrepairable(spec, seen, ids) {
            changes.push(Change::update(why));
        }
        if seen.version != spec.version {
            changes.push(Change::update(format!(
                "version {} -> {}",
                seen.version, spec.version
            )));
        }
        let subnets = ids_of(&spec.subnets, ids).map(|v| sorted(&v));
        let groups = ids_of(&spec.security_groups, ids).map(|v| sorted(&v));
        if subnets.as_ref() != Some(&sorted(&seen.subnet_ids))
            || groups.as_ref() != Some(&sorted(&seen.security_group_ids))
        {
            changes.push(Change::update("subnets or security groups differ"));
        }
        if access_differs(&spec.access, &seen.access) {
            changes.push(Change::update(format!(
                "endpoint access private={} public={} {:?} -> private={} public={} {:?}",
                seen.access.private,
                seen.access.public,
                seen.access.public_cidrs,
                spec.access.private,
                spec.access.public,
                spec.access.public_cidrs
            )));
        }
        if sorted(&seen.log_types) != sorted(&spec.log_types) {
            changes.push(Change::update(format!(
                "log types {:?} -> {:?}",
                seen.log_types, spec.log_types
            )));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Cluster>> {
        Ok(self
            .eks
            .get_cluster(stack)
            .await?
            .filter(|c| c.status != EksStatus::Deleting)
            .into_iter()
            .collect())
    }

    async fn create(&self, spec: &ClusterSpec, ids: &Ids, tags: &Tags) -> CloudResult<Cluster> {
        let new = NewCluster {
            name: spec.name.clone(),
            version: spec.version.clone(),
            role_arn: ids.need(&spec.role)?,
            subnet_ids: spec
                .subnets
                .iter()
                .map(|k| ids.need(k))
                .collect::<Result<_, _>>()?,
            security_group_ids: spec
                .security_groups
                .iter()
                .map(|k| ids.need(k))
                .collect::<Result<_, _>>()?,
            access: spec.access.clone(),
            log_types: spec.log_types.clone(),
            encryption_key_arn: ids.need(&spec.key)?,
            authentication_mode: "API".into(),
        };
        after_iam_propagation(|| self.eks.create_cluster(&new, tags)).await
    }

    async fn update(&self, spec: &ClusterSpec, seen: &Cluster, ids: &Ids) -> CloudResult<()> {
        let name = &seen.name;
        let active = || until_active(UPDATE_TIME, || self.ready(&seen.arn));
        // Another update may be running (an apply killed mid-way): wait,
        // then decide from what the cluster is now.
        let fresh;
        let seen = if seen.status == EksStatus::Active {
            seen
        } else {
            active().await?;
            fresh = self
                .eks
                .get_cluster(name)
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    kind: "EKS cluster",
                    id: name.clone(),
                })?;
            &fresh
        };
        if let Some(why) = unrepairable(spec, seen, ids) {
            return Err(CloudError::Service {
                code: "ClusterNeedsReplacement".into(),
                message: format!(
                    "EKS cluster {name}: {why}. It cannot be repaired in place and a new cluster cannot be \
                     created beside it under the same name: remove `cluster` from the configuration and \
                     apply (the cluster is deleted), then add it back"
                ),
            });
        }
        if seen.version != spec.version {
            match (minor(&seen.version), minor(&spec.version)) {
                (Some(have), Some(want)) if want == have + 1 => {
                    self.eks.update_cluster_version(name, &spec.version).await?;
                    active().await?;
                }
                _ => {
                    return Err(CloudError::Service {
                        code: "InvalidVersion".into(),
                        message: format!(
                            "cluster.version: the cluster runs {} and EKS upgrades one minor version at a time and \
                             never downgrades; {} cannot be reached from it",
                            seen.version, spec.version
                        ),
                    });
                }
            }
        }
        // EKS takes subnets, endpoint access and logging as separate
        // updates, one at a time.
        if let (Some(subnets), Some(groups)) = (
            ids_of(&spec.subnets, ids),
            ids_of(&spec.security_groups, ids),
        ) && (sorted(&subnets) != sorted(&seen.subnet_ids)
            || sorted(&groups) != sorted(&seen.security_group_ids))
        {
            self.eks
                .update_cluster_subnets(name, &subnets, &groups)
                .await?;
            active().await?;
        }
        if access_differs(&spec.access, &seen.access) {
            self.eks.update_cluster_access(name, &spec.access).await?;
            active().await?;
        }
        if sorted(&seen.log_types) != sorted(&spec.log_types) {
            self.eks
                .update_cluster_logging(name, &spec.log_types)
                .await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Cluster, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.eks.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &Cluster) -> CloudResult<()> {
        let vpc = match (&seen.vpc_id, seen.subnet_ids.first()) {
            (Some(vpc), _) => Some(vpc.clone()),
            (None, Some(subnet)) => self.leftovers.vpc_of_subnet(subnet).await?,
            (None, None) => None,
        };
        if let (Some(vpc), Ok(mut deleting)) = (vpc, self.deleting.lock()) {
            deleting.insert(seen.arn.clone(), vpc);
        }
        self.eks.delete_cluster(&seen.name).await
    }

    fn expect(&self) -> Expect {
        Expect {
            ready: Duration::from_secs(600),
            gone: Duration::from_secs(300),
            updated: UPDATE_TIME,
        }
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        let (name, _) = arn_names(id);
        match self.eks.get_cluster(&name).await? {
            Some(c) => Ok(progress(&c.status)),
            None => Ok(Progress::Failed("it disappeared".into())),
        }
    }

    /// Gone once the cluster is, and then what Kubernetes made in its VPC
    /// (nothing recreates them once the control plane is gone).
    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        let (name, _) = arn_names(id);
        match self.eks.get_cluster(&name).await? {
            None => {}
            Some(c) if broken(&c.status).is_some() => {
                return Ok(Progress::Failed("its deletion failed".into()));
            }
            Some(_) => return Ok(Progress::Pending),
        }
        let vpc = self.deleting.lock().ok().and_then(|d| d.get(id).cloned());
        match vpc {
            Some(vpc) => self.sweep(&vpc, &name).await,
            None => Ok(Progress::Done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_cluster_and_object() {
        let ng = "arn:aws:eks:us-east-1:123456789012:nodegroup/todo/general-1a2b3c4d/uuid";
        assert_eq!(arn_names(ng), ("todo".into(), "general-1a2b3c4d".into()));
        assert_eq!(
            cluster_arn_of(ng),
            "arn:aws:eks:us-east-1:123456789012:cluster/todo"
        );
        let c = "arn:aws:eks:us-east-1:123456789012:cluster/todo";
        assert_eq!(arn_names(c), ("todo".into(), String::new()));
        assert_eq!(cluster_arn_of(c), c);
    }
}
