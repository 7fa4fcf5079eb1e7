//! EKS add-ons. A version not pinned is EKS's default for the cluster's
//! Kubernetes version, resolved when the add-on is created and again when
//! the cluster is upgraded (the add-on's `todo:kubernetes` tag records the
//! version it was resolved for).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::eks_cluster::{arn_names, broken, cluster_arn_of, progress, settling, until_active};
use crate::cloud::cluster::{Addon, EksApi, EksStatus};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Expect, Ids, Key, Kind, Meta, Progress};

/// Tag on an add-on whose version is resolved: the Kubernetes version it
/// was resolved for.
pub const TAG_KUBERNETES: &str = "todo:kubernetes";

/// Add-ons of a stack's cluster.
pub struct Addons(pub Arc<dyn EksApi>);

/// What the stack wants of one add-on.
#[derive(Debug, Clone, PartialEq)]
pub struct AddonSpec {
    /// The cluster.
    pub cluster: Key,
    /// The cluster's name.
    pub cluster_name: String,
    /// The add-on name.
    pub name: String,
    /// A pinned version; `None`: the default for `kubernetes`.
    pub version: Option<String>,
    /// The cluster's Kubernetes version.
    pub kubernetes: String,
    /// Objects that must be ready first (node groups, for coredns).
    pub after: Vec<Key>,
}

impl AddonSpec {
    async fn version(&self, eks: &dyn EksApi) -> CloudResult<String> {
        match &self.version {
            Some(v) => Ok(v.clone()),
            None => {
                eks.default_addon_version(&self.name, &self.kubernetes)
                    .await
            }
        }
    }
}

/// Lists of a cluster's add-ons or access entries: an endpoint that does
/// not serve the API (an emulator) has none of them.
pub(crate) fn none_if_unsupported<T>(r: CloudResult<Vec<T>>, what: &str) -> CloudResult<Vec<T>> {
    match r {
        Err(CloudError::Unsupported(why)) => {
            tracing::warn!(%why, "this endpoint does not serve EKS {what}; reading none");
            Ok(Vec::new())
        }
        other => other,
    }
}

#[async_trait]
impl Kind for Addons {
    type Spec = AddonSpec;
    type Seen = Addon;
    const NAME: &'static str = "addon";
    const NOUN: &'static str = "EKS add-on";

    fn deps(spec: &AddonSpec) -> Vec<Dep> {
        std::iter::once(&spec.cluster)
            .chain(&spec.after)
            .map(|k| Dep::ready(k.clone()))
            .collect()
    }

    fn meta(seen: &Addon) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: vec![cluster_arn_of(&seen.arn)],
        }
    }

    fn diff(spec: &AddonSpec, seen: &Addon, _: &Ids) -> Vec<Change> {
        let mut changes: Vec<Change> = settling(&seen.status).into_iter().collect();
        if let Some(s) = broken(&seen.status) {
            changes.push(Change::update(format!("it is in status {s}")));
        }
        match &spec.version {
            Some(v) if *v != seen.version => {
                changes.push(Change::update(format!("version {} -> {v}", seen.version)));
            }
            None if seen.tags.get(TAG_KUBERNETES) != Some(&spec.kubernetes) => {
                changes.push(Change::update(format!(
                    "version {} -> the default for Kubernetes {}",
                    seen.version, spec.kubernetes
                )));
            }
            _ => {}
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Addon>> {
        let all = none_if_unsupported(self.0.list_addons(stack).await, "add-ons")?;
        Ok(all
            .into_iter()
            .filter(|a| a.status != EksStatus::Deleting)
            .collect())
    }

    async fn create(&self, spec: &AddonSpec, _: &Ids, tags: &Tags) -> CloudResult<Addon> {
        let version = spec.version(self.0.as_ref()).await?;
        self.0
            .create_addon(&spec.cluster_name, &spec.name, &version, tags)
            .await
    }

    async fn update(&self, spec: &AddonSpec, seen: &Addon, _: &Ids) -> CloudResult<()> {
        if matches!(seen.status, EksStatus::Creating | EksStatus::Updating) {
            until_active(Duration::from_secs(60), || self.ready(&seen.arn)).await?;
        }
        let version = spec.version(self.0.as_ref()).await?;
        if version != seen.version || broken(&seen.status).is_some() {
            self.0
                .update_addon(&seen.cluster, &seen.name, &version)
                .await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Addon, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &Addon) -> CloudResult<()> {
        self.0.delete_addon(&seen.cluster, &seen.name).await
    }

    fn expect(&self) -> Expect {
        Expect {
            ready: Duration::from_secs(60),
            gone: Duration::from_secs(30),
            updated: Duration::from_secs(60),
        }
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        let (cluster, name) = arn_names(id);
        match self.0.get_addon(&cluster, &name).await? {
            Some(a) => Ok(progress(&a.status)),
            None => Ok(Progress::Failed("it disappeared".into())),
        }
    }

    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        let (cluster, name) = arn_names(id);
        Ok(match self.0.get_addon(&cluster, &name).await? {
            None => Progress::Done,
            Some(_) => Progress::Pending,
        })
    }
}
