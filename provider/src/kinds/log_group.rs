//! The stack's CloudWatch Logs log groups: the EKS control plane's, the
//! RDS exports', the VPC flow logs'. Each is encrypted with the stack's key
//! (set when it is created) and keeps its events `log_retention_days`.
//!
//! EKS and RDS create their log groups themselves on first write, without
//! a retention or key: the stack creates them first (the cluster and the
//! database depend on them). A group of the stack's name that such a
//! service made before the stack had monitoring carries no stack tags: it
//! is taken over (tagged, then converged); one tagged by another stack
//! instance never is.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::monitoring::{LogGroup, MonitoringApi};
use crate::cloud::{CloudError, CloudResult, TAG_STACK, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

use super::db_instance::KeyRef;

/// Log groups, on CloudWatch Logs.
pub struct LogGroups(pub Arc<dyn MonitoringApi>);

/// What the stack wants of one log group.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupSpec {
    /// Its name.
    pub name: String,
    /// Days its events are kept.
    pub retention_days: i32,
    /// The key encrypting it.
    pub key: KeyRef,
    /// Whether an untagged group of this name (made by the AWS service
    /// that writes to it) may be taken over.
    pub adopt_untagged: bool,
}

/// `found` as it is once it carries `tags`.
fn found_with(found: LogGroup, tags: &Tags) -> LogGroup {
    LogGroup {
        tags: tags.clone(),
        ..found
    }
}

#[async_trait]
impl Kind for LogGroups {
    type Spec = LogGroupSpec;
    type Seen = LogGroup;
    const NAME: &'static str = "loggroup";
    const NOUN: &'static str = "log group";

    fn deps(spec: &LogGroupSpec) -> Vec<Dep> {
        match &spec.key {
            KeyRef::Stack(k) => vec![Dep::ready(k.clone())],
            KeyRef::Arn(_) => Vec::new(),
        }
    }

    fn meta(seen: &LogGroup) -> Meta {
        Meta {
            id: seen.name.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: seen.kms_key.clone().into_iter().collect(),
        }
    }

    fn diff(spec: &LogGroupSpec, seen: &LogGroup, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        if seen.name != spec.name {
            out.push(Change::replace(format!(
                "name: {} -> {}",
                seen.name, spec.name
            )));
        }
        if seen.retention_days != Some(spec.retention_days) {
            out.push(Change::update(format!(
                "retention: {} -> {} days",
                seen.retention_days
                    .map(|d| format!("{d} days"))
                    .unwrap_or_else(|| "never expire".into()),
                spec.retention_days
            )));
        }
        let key = spec.key.resolve(ids);
        if key.is_none() || seen.kms_key != key {
            out.push(Change::update(format!(
                "key: {} -> {}",
                seen.kms_key.as_deref().unwrap_or("none"),
                key.as_deref().unwrap_or("the stack's new key")
            )));
        }
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<LogGroup>> {
        self.0.list_log_groups(stack).await
    }

    async fn create(&self, spec: &LogGroupSpec, ids: &Ids, tags: &Tags) -> CloudResult<LogGroup> {
        let key = match &spec.key {
            KeyRef::Stack(k) => ids.need(k)?,
            KeyRef::Arn(a) => a.clone(),
        };
        match self.0.create_log_group(&spec.name, Some(&key), tags).await {
            Err(CloudError::Service { code, .. }) if code == "ResourceAlreadyExistsException" => {
                let Some(found) = self.0.get_log_group(&spec.name).await? else {
                    return Err(CloudError::Service {
                        code,
                        message: format!(
                            "log group {} exists but cannot be read: look again in a moment",
                            spec.name
                        ),
                    });
                };
                let owner = found.tags.get(TAG_STACK);
                let id = crate::reconcile::TAG_STACK_ID;
                if owner.is_some()
                    && found.tags.contains_key(id)
                    && found.tags.get(id) == tags.get(id)
                {
                    // This instance's own, made by an apply that stopped
                    // before it was listed (the tagging API lags): adopt.
                    return Ok(found_with(found, tags));
                }
                if !spec.adopt_untagged || owner.is_some() {
                    return Err(CloudError::Service {
                        code: "LogGroupTaken".into(),
                        message: format!(
                            "log group {} already exists and is not this stack's ({}): delete or rename it, or turn \
                             the stack's monitoring off",
                            spec.name,
                            owner
                                .map(|s| format!("tagged todo:stack = {s}"))
                                .unwrap_or_else(|| "made outside the stack".into())
                        ),
                    });
                }
                // Made by EKS or RDS for this stack's own cluster or
                // instance (the name says so): the stack takes it over.
                self.0.retag_log_group(&found.arn, tags, &[]).await?;
                Ok(found_with(found, tags))
            }
            other => other,
        }
    }

    async fn update(&self, spec: &LogGroupSpec, seen: &LogGroup, ids: &Ids) -> CloudResult<()> {
        if seen.retention_days != Some(spec.retention_days) {
            self.0
                .set_log_retention(&seen.name, spec.retention_days)
                .await?;
        }
        if let Some(key) = spec.key.resolve(ids)
            && seen.kms_key.as_deref() != Some(key.as_str())
        {
            self.0.set_log_group_key(&seen.name, &key).await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &LogGroup, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_log_group(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &LogGroup) -> CloudResult<()> {
        super::ignore_not_found(self.0.delete_log_group(&seen.name).await)
    }
}
