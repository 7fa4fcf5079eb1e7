//! Access entries: the IAM principals given cluster-admin access (EKS
//! authentication mode `API`; no call to the Kubernetes API).

use std::sync::Arc;

use async_trait::async_trait;

use super::addon::none_if_unsupported;
use super::eks_cluster::cluster_arn_of;
use crate::cloud::cluster::{AccessEntry, CLUSTER_ADMIN_POLICY, EksApi};
use crate::cloud::{CloudError, CloudResult, TAG_STACK, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// Access entries of a stack's cluster.
pub struct AccessEntries(pub Arc<dyn EksApi>);

/// What the stack wants of one access entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessEntrySpec {
    /// The cluster.
    pub cluster: Key,
    /// The cluster's name.
    pub cluster_name: String,
    /// The principal given cluster-admin access.
    pub principal_arn: String,
}

#[async_trait]
impl Kind for AccessEntries {
    type Spec = AccessEntrySpec;
    type Seen = AccessEntry;
    const NAME: &'static str = "access";
    const NOUN: &'static str = "access entry";

    fn deps(spec: &AccessEntrySpec) -> Vec<Dep> {
        vec![Dep::ready(spec.cluster.clone())]
    }

    fn meta(seen: &AccessEntry) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: vec![cluster_arn_of(&seen.arn)],
        }
    }

    fn diff(spec: &AccessEntrySpec, seen: &AccessEntry, _: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if seen.principal_arn != spec.principal_arn {
            changes.push(Change::replace(format!("it admits {}", seen.principal_arn)));
        }
        if !seen.policies.iter().any(|p| p == CLUSTER_ADMIN_POLICY) {
            changes.push(Change::update("cluster-admin policy not associated"));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<AccessEntry>> {
        none_if_unsupported(self.0.list_access_entries(stack).await, "access entries")
    }

    /// Creates the entry; an entry of the principal that EKS made itself
    /// (the cluster creator's, when it is among `admins`) is adopted and
    /// tagged instead.
    async fn create(
        &self,
        spec: &AccessEntrySpec,
        _: &Ids,
        tags: &Tags,
    ) -> CloudResult<AccessEntry> {
        let made = self
            .0
            .create_access_entry(&spec.cluster_name, &spec.principal_arn, tags)
            .await;
        match made {
            Err(CloudError::Service { code, .. }) if code == "ResourceInUseException" => {
                let existing = self
                    .0
                    .list_access_entries(&spec.cluster_name)
                    .await?
                    .into_iter()
                    .find(|e| {
                        e.principal_arn == spec.principal_arn && !e.tags.contains_key(TAG_STACK)
                    });
                let Some(mut entry) = existing else {
                    return Err(CloudError::Service {
                        code: "ResourceInUseException".into(),
                        message: format!(
                            "an access entry for {} exists in cluster {} and belongs to another stack",
                            spec.principal_arn, spec.cluster_name
                        ),
                    });
                };
                self.0.retag(&entry.arn, tags, &[]).await?;
                entry.tags.extend(tags.clone());
                Ok(entry)
            }
            other => other,
        }
    }

    async fn update(&self, spec: &AccessEntrySpec, seen: &AccessEntry, _: &Ids) -> CloudResult<()> {
        self.0
            .associate_access_policy(&seen.cluster, &spec.principal_arn, CLUSTER_ADMIN_POLICY)
            .await
    }

    async fn retag(&self, seen: &AccessEntry, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &AccessEntry) -> CloudResult<()> {
        self.0
            .delete_access_entry(&seen.cluster, &seen.principal_arn)
            .await
    }
}
