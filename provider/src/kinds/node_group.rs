//! Managed node groups. Counts, labels, taints and the update setting
//! change in place (one EKS update at a time, each waited on); instance
//! types, capacity type, AMI type, disk size and subnets are part of the
//! group's EKS name (`<key>-<8 hex>`), so changing them creates the new
//! group under a new name and deletes the old one once the new one is
//! active. A group EKS cannot repair (`CREATE_FAILED`, its role lost) is
//! reported with the way out; `DEGRADED` still serves and is left to EKS.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::eks_cluster::{arn_names, broken, cluster_arn_of, progress, settling, until_active};
use crate::cloud::cluster::{
    EksApi, EksStatus, NewNodeGroup, NodeGroup, NodeGroupChange, Scaling, Taint,
};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Expect, Ids, Key, Kind, Meta, Progress};

/// Node groups of a stack's cluster (named after the stack).
pub struct NodeGroups(pub Arc<dyn EksApi>);

/// What the stack wants of one node group.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroupSpec {
    /// The cluster.
    pub cluster: Key,
    /// The cluster's name.
    pub cluster_name: String,
    /// The EKS name: `<key>-<8 hex of what forces a new group>`.
    pub eks_name: String,
    /// Kubernetes version (the cluster's).
    pub version: String,
    /// The node role.
    pub role: Key,
    /// The private subnets.
    pub subnets: Vec<Key>,
    /// Instance types.
    pub instance_types: Vec<String>,
    /// Capacity type.
    pub capacity_type: String,
    /// AMI type.
    pub ami_type: String,
    /// Root volume GiB.
    pub disk_size: i32,
    /// Minimum nodes.
    pub min: i32,
    /// Maximum nodes.
    pub max: i32,
    /// Desired nodes at creation.
    pub initial: i32,
    /// Whether apply enforces the desired size (else the autoscaler owns it
    /// and apply only keeps it within min and max).
    pub enforce_desired: bool,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Taints.
    pub taints: Vec<Taint>,
    /// Percent of nodes updated at once.
    pub max_unavailable_percentage: i32,
    /// Objects that must be ready first (the vpc-cni add-on).
    pub after: Vec<Key>,
}

/// FNV-1a, 32 bits: a hash that stays the same across Rust versions.
pub fn stable_hash(parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// The EKS name of node group `key`: the key and a hash of what can only
/// change by creating a new group.
pub fn eks_name(
    key: &str,
    instance_types: &[String],
    capacity_type: &str,
    ami_type: &str,
    disk_size: i64,
    subnets: &[String],
) -> String {
    let disk = disk_size.to_string();
    let mut parts: Vec<&str> = vec![capacity_type, ami_type, &disk];
    parts.extend(instance_types.iter().map(String::as_str));
    parts.push("|");
    parts.extend(subnets.iter().map(String::as_str));
    format!("{key}-{:08x}", stable_hash(&parts))
}

impl NodeGroupSpec {
    /// The desired size for a group now at `have`: the enforced size, or
    /// the autoscaler's kept within min and max.
    fn desired(&self, have: i32) -> i32 {
        if self.enforce_desired {
            self.initial
        } else {
            have.clamp(self.min, self.max.max(self.min))
        }
    }

    fn scaling(&self, seen: &NodeGroup) -> Scaling {
        Scaling {
            min: self.min,
            max: self.max,
            desired: self.desired(seen.scaling.desired),
        }
    }

    /// The in-place change from `seen`, if any.
    fn change(&self, seen: &NodeGroup) -> NodeGroupChange {
        let scaling = self.scaling(seen);
        let mut c = NodeGroupChange {
            scaling: (scaling != seen.scaling).then_some(scaling),
            ..Default::default()
        };
        for (k, v) in &self.labels {
            if seen.labels.get(k) != Some(v) {
                c.add_labels.insert(k.clone(), v.clone());
            }
        }
        c.remove_labels = seen
            .labels
            .keys()
            .filter(|k| !self.labels.contains_key(*k))
            .cloned()
            .collect();
        c.add_taints = self
            .taints
            .iter()
            .filter(|t| !seen.taints.contains(t))
            .cloned()
            .collect();
        c.remove_taints = seen
            .taints
            .iter()
            .filter(|t| {
                !self.taints.contains(t)
                    && !self
                        .taints
                        .iter()
                        .any(|n| n.key == t.key && n.effect == t.effect)
            })
            .cloned()
            .collect();
        if seen
            .max_unavailable_percentage
            .is_some_and(|p| p != self.max_unavailable_percentage)
        {
            c.max_unavailable_percentage = Some(self.max_unavailable_percentage);
        }
        c
    }
}

/// Why the group cannot be converged in place and keeps its name (a new
/// group could not be created beside it), if so.
fn unrepairable(spec: &NodeGroupSpec, seen: &NodeGroup, ids: &Ids) -> Option<String> {
    if let Some(s) = broken(&seen.status) {
        return Some(format!("it is in status {s}"));
    }
    (!ids.is(&spec.role, &seen.node_role_arn)).then(|| {
        format!(
            "its node role {} is not the stack's node role (EKS cannot change a group's role)",
            seen.node_role_arn
        )
    })
}

fn is_empty(c: &NodeGroupChange) -> bool {
    *c == NodeGroupChange::default()
}

const UPDATE_TIME: Duration = Duration::from_secs(180);

#[async_trait]
impl Kind for NodeGroups {
    type Spec = NodeGroupSpec;
    type Seen = NodeGroup;
    const NAME: &'static str = "nodegroup";
    const NOUN: &'static str = "node group";

    fn deps(spec: &NodeGroupSpec) -> Vec<Dep> {
        std::iter::once(&spec.cluster)
            .chain(std::iter::once(&spec.role))
            .chain(&spec.subnets)
            .chain(&spec.after)
            .map(|k| Dep::ready(k.clone()))
            .collect()
    }

    fn meta(seen: &NodeGroup) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: [cluster_arn_of(&seen.arn), seen.node_role_arn.clone()]
                .into_iter()
                .chain(seen.subnet_ids.iter().cloned())
                .collect(),
        }
    }

    fn diff(spec: &NodeGroupSpec, seen: &NodeGroup, ids: &Ids) -> Vec<Change> {
        let mut changes: Vec<Change> = settling(&seen.status).into_iter().collect();
        if seen.name != spec.eks_name {
            let mut what = Vec::new();
            if seen.instance_types != spec.instance_types {
                what.push(format!(
                    "instance types {:?} -> {:?}",
                    seen.instance_types, spec.instance_types
                ));
            }
            if seen.capacity_type != spec.capacity_type {
                what.push(format!(
                    "capacity type {} -> {}",
                    seen.capacity_type, spec.capacity_type
                ));
            }
            if seen.ami_type != spec.ami_type {
                what.push(format!("AMI type {} -> {}", seen.ami_type, spec.ami_type));
            }
            if seen.disk_size.is_some_and(|d| d != spec.disk_size) {
                what.push(format!(
                    "disk size {:?} -> {}",
                    seen.disk_size, spec.disk_size
                ));
            }
            if what.is_empty() {
                what.push(format!("its subnets change (new name {})", spec.eks_name));
            }
            changes.push(Change::replace(what.join(", ")));
        }
        if let Some(why) = unrepairable(spec, seen, ids) {
            changes.push(Change::update(why));
        }
        if seen.version.as_deref().is_some_and(|v| v != spec.version) {
            changes.push(Change::update(format!(
                "version {} -> {}",
                seen.version.as_deref().unwrap_or("?"),
                spec.version
            )));
        }
        let c = spec.change(seen);
        if let Some(s) = c.scaling {
            changes.push(Change::update(format!(
                "size min {} max {} desired {} -> min {} max {} desired {}",
                seen.scaling.min, seen.scaling.max, seen.scaling.desired, s.min, s.max, s.desired
            )));
        }
        if !c.add_labels.is_empty() || !c.remove_labels.is_empty() {
            changes.push(Change::update(format!(
                "labels {:?} -> {:?}",
                seen.labels, spec.labels
            )));
        }
        if !c.add_taints.is_empty() || !c.remove_taints.is_empty() {
            changes.push(Change::update("taints differ"));
        }
        if let Some(p) = c.max_unavailable_percentage {
            changes.push(Change::update(format!(
                "max unavailable {:?}% -> {p}%",
                seen.max_unavailable_percentage
            )));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<NodeGroup>> {
        Ok(self
            .0
            .list_node_groups(stack)
            .await?
            .into_iter()
            .filter(|g| g.status != EksStatus::Deleting)
            .collect())
    }

    async fn create(&self, spec: &NodeGroupSpec, ids: &Ids, tags: &Tags) -> CloudResult<NodeGroup> {
        let group = NewNodeGroup {
            cluster: spec.cluster_name.clone(),
            name: spec.eks_name.clone(),
            version: spec.version.clone(),
            node_role_arn: ids.need(&spec.role)?,
            subnet_ids: spec
                .subnets
                .iter()
                .map(|k| ids.need(k))
                .collect::<Result<_, _>>()?,
            instance_types: spec.instance_types.clone(),
            capacity_type: spec.capacity_type.clone(),
            ami_type: spec.ami_type.clone(),
            disk_size: spec.disk_size,
            scaling: Scaling {
                min: spec.min,
                max: spec.max,
                desired: spec.initial.clamp(spec.min, spec.max.max(spec.min)),
            },
            labels: spec.labels.clone(),
            taints: spec.taints.clone(),
            max_unavailable_percentage: spec.max_unavailable_percentage,
        };
        super::eks_cluster::after_iam_propagation(|| self.0.create_node_group(&group, tags)).await
    }

    async fn update(&self, spec: &NodeGroupSpec, seen: &NodeGroup, ids: &Ids) -> CloudResult<()> {
        // Another update may be running (an apply killed mid-way): wait,
        // then decide from what the group is now.
        let fresh;
        let seen = if seen.status == EksStatus::Active {
            seen
        } else {
            until_active(UPDATE_TIME, || self.ready(&seen.arn)).await?;
            fresh = self
                .0
                .get_node_group(&seen.cluster, &seen.name)
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    kind: "node group",
                    id: seen.name.clone(),
                })?;
            &fresh
        };
        if let Some(why) = unrepairable(spec, seen, ids) {
            return Err(CloudError::Service {
                code: "NodeGroupNeedsReplacement".into(),
                message: format!(
                    "node group {}: {why}. EKS cannot repair it in place: remove it from cluster.node_groups and \
                     apply (it is deleted), then add it back",
                    seen.name
                ),
            });
        }
        if seen.version.as_deref().is_some_and(|v| v != spec.version) {
            self.0
                .update_node_group_version(&seen.cluster, &seen.name, &spec.version)
                .await?;
            until_active(UPDATE_TIME, || self.ready(&seen.arn)).await?;
        }
        let change = spec.change(seen);
        if !is_empty(&change) {
            self.0
                .update_node_group(&seen.cluster, &seen.name, &change)
                .await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &NodeGroup, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &NodeGroup) -> CloudResult<()> {
        self.0.delete_node_group(&seen.cluster, &seen.name).await
    }

    fn expect(&self) -> Expect {
        Expect {
            ready: Duration::from_secs(240),
            gone: Duration::from_secs(300),
            updated: UPDATE_TIME,
        }
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        let (cluster, name) = arn_names(id);
        match self.0.get_node_group(&cluster, &name).await? {
            Some(g) => Ok(progress(&g.status)),
            None => Ok(Progress::Failed("it disappeared".into())),
        }
    }

    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        let (cluster, name) = arn_names(id);
        match self.0.get_node_group(&cluster, &name).await {
            Ok(None) => Ok(Progress::Done),
            Err(e) if e.is_not_found() => Ok(Progress::Done),
            Ok(Some(g)) if broken(&g.status).is_some() => {
                Ok(Progress::Failed("its deletion failed".into()))
            }
            Ok(Some(_)) => Ok(Progress::Pending),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_changes_with_what_forces_a_new_group_only() {
        let zones = vec!["us-east-1a".to_string(), "us-east-1b".to_string()];
        let t = |s: &str| vec![s.to_string()];
        let a = eks_name(
            "general",
            &t("m6i.large"),
            "ON_DEMAND",
            "AL2023_x86_64_STANDARD",
            50,
            &zones,
        );
        assert_eq!(
            a,
            eks_name(
                "general",
                &t("m6i.large"),
                "ON_DEMAND",
                "AL2023_x86_64_STANDARD",
                50,
                &zones
            )
        );
        assert!(
            a.starts_with("general-") && a.len() == "general-".len() + 8,
            "{a}"
        );
        assert_ne!(
            a,
            eks_name(
                "general",
                &t("m6i.xlarge"),
                "ON_DEMAND",
                "AL2023_x86_64_STANDARD",
                50,
                &zones
            )
        );
        assert_ne!(
            a,
            eks_name(
                "general",
                &t("m6i.large"),
                "SPOT",
                "AL2023_x86_64_STANDARD",
                50,
                &zones
            )
        );
        assert_ne!(
            a,
            eks_name(
                "general",
                &t("m6i.large"),
                "ON_DEMAND",
                "AL2023_x86_64_STANDARD",
                60,
                &zones
            )
        );
        assert_ne!(
            a,
            eks_name(
                "general",
                &t("m6i.large"),
                "ON_DEMAND",
                "AL2023_x86_64_STANDARD",
                50,
                &zones[..1]
            )
        );
        // A fixed value: the name must not change between provider builds.
        assert_eq!(stable_hash(&["a"]), 0x2b24_d044);
    }
}
