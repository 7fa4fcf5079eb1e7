//! The stack's customer-managed KMS key: symmetric, yearly rotation on,
//! the default key policy (the account root administers it), the alias
//! `alias/todo/<stack>`. Its id in the state is its ARN; calls use the
//! key id (some emulators resolve only that). Destroy
//! deletes the alias and schedules the key's deletion after the minimum
//! window, 7 days; a key pending deletion is never adopted.
//!
//! The alias is unique in an account and region, so it is also the stack
//! name's lock: of two creates of one name racing, the second to create
//! the alias fails, naming the other's key.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudError, CloudResult, KeyState, KmsApi, KmsKey, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

/// KMS keys; their policies are read only when `policy` (a stack with
/// monitoring, or one that had it), so other stacks pay no call for it.
pub struct KmsKeys(pub Arc<dyn KmsApi>, pub bool);

/// The alias of a stack's key: `alias/todo/<stack>`.
pub fn alias_of(stack: &str) -> String {
    format!("alias/todo/{stack}")
}

/// The days a deleted key waits before it is gone (the minimum KMS allows).
pub const DELETION_WINDOW_DAYS: i32 = 7;

/// What the stack wants of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct KmsKeySpec {
    /// `alias/todo/<stack>`.
    pub alias: String,
    /// The key's description.
    pub description: String,
    /// Whether the key policy lets CloudWatch Logs encrypt the stack's log
    /// groups and CloudWatch alarms publish to its encrypted topic (the
    /// stack has monitoring). `false`: the policy is left as it is.
    pub monitoring: bool,
}

/// The key policy of a stack's key `arn` with monitoring: the account
/// administers and uses it (KMS's default); CloudWatch Logs of the region
/// may use it for the account's log groups; CloudWatch alarms may use it to
/// publish to the stack's encrypted topic.
pub fn key_policy(arn: &str) -> String {
    let mut parts = arn.split(':');
    let region = parts.nth(3).unwrap_or_default();
    let account = parts.next().unwrap_or_default();
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": "todo-stack-key",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsEncryptLogGroups",
                "Effect": "Allow",
                "Principal": { "Service": format!("logs.{region}.amazonaws.com") },
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": format!("arn:aws:logs:{region}:{account}:log-group:*"),
                    },
                },
            },
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": { "Service": "cloudwatch.amazonaws.com" },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    })
    .to_string()
}

fn policy_differs(spec: &KmsKeySpec, seen: &KmsKey) -> bool {
    spec.monitoring
        && !seen
            .policy
            .as_deref()
            .is_some_and(|p| super::same_json(p, &key_policy(&seen.arn)))
}

#[async_trait]
impl Kind for KmsKeys {
    type Spec = KmsKeySpec;
    type Seen = KmsKey;
    const NAME: &'static str = "kms";
    const NOUN: &'static str = "KMS key";

    fn deps(_: &KmsKeySpec) -> Vec<Dep> {
        Vec::new()
    }

    fn meta(seen: &KmsKey) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: Vec::new(),
        }
    }

    fn diff(spec: &KmsKeySpec, seen: &KmsKey, _: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        // A disabled key is enabled again, never replaced: it encrypts the
        // stack's data.
        if seen.state == KeyState::Disabled {
            changes.push(Change::update("disabled -> enabled"));
        }
        if !seen.rotation {
            changes.push(Change::update("automatic rotation off -> on"));
        }
        if !seen.aliases.contains(&spec.alias) {
            changes.push(Change::update(format!("alias {} missing", spec.alias)));
        }
        if policy_differs(spec, seen) {
            changes.push(Change::update(
                "key policy: does not let CloudWatch Logs and alarms use the key",
            ));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<KmsKey>> {
        self.0.list_keys(stack, &alias_of(stack), self.1).await
    }

    async fn create(&self, spec: &KmsKeySpec, _: &Ids, tags: &Tags) -> CloudResult<KmsKey> {
        self.0.create_key(&spec.description, tags).await
    }

    async fn update(&self, spec: &KmsKeySpec, seen: &KmsKey, _: &Ids) -> CloudResult<()> {
        if seen.state == KeyState::Disabled {
            self.0.enable_key(&seen.id).await?;
        }
        if !seen.rotation {
            self.0.enable_rotation(&seen.id).await?;
        }
        if policy_differs(spec, seen) {
            self.0
                .put_key_policy(&seen.id, &key_policy(&seen.arn))
                .await?;
        }
        if !seen.aliases.contains(&spec.alias) {
            match self.0.create_alias(&spec.alias, &seen.id).await {
                Err(CloudError::Service { code, .. }) if code == "AlreadyExistsException" => {
                    let other = self.0.alias_target(&spec.alias).await?.unwrap_or_default();
                    if other != seen.id && other != seen.arn {
                        return Err(CloudError::Service {
                            code: "StackNameTaken".into(),
                            message: format!(
                                "{} already names KMS key {other}, which is not this stack's: another stack of \
                                 this name exists or is being created in this account and region (import it, or \
                                 choose another name)",
                                spec.alias
                            ),
                        });
                    }
                }
                other => other?,
            }
        }
        Ok(())
    }

    async fn retag(&self, seen: &KmsKey, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_key(&seen.id, set, remove).await
    }

    /// Kept for data that outlives the stack: it leaves the stack (tags
    /// first, so a failure halfway leaves it marked, never deleted), then
    /// its alias goes (a stack made again under the name gets its own
    /// key); the key stays enabled.
    async fn release(&self, seen: &KmsKey, why: &str) -> CloudResult<()> {
        let set: Tags = [(crate::reconcile::TAG_RETAINED.to_string(), why.to_string())].into();
        let mut remove = crate::reconcile::released_tags();
        remove.push(crate::reconcile::TAG_RETAIN.to_string());
        self.0.retag_key(&seen.id, &set, &remove).await?;
        for alias in &seen.aliases {
            let target = self.0.alias_target(alias).await?;
            if target.as_deref() == Some(seen.id.as_str()) {
                super::ignore_not_found(self.0.delete_alias(alias).await)?;
            }
        }
        Ok(())
    }

    async fn delete(&self, seen: &KmsKey) -> CloudResult<()> {
        for alias in &seen.aliases {
            let target = self.0.alias_target(alias).await?;
            if target.as_deref() == Some(seen.id.as_str()) {
                super::ignore_not_found(self.0.delete_alias(alias).await)?;
            }
        }
        match self
            .0
            .schedule_deletion(&seen.id, DELETION_WINDOW_DAYS)
            .await
        {
            Err(CloudError::Service { code, .. }) if code == "KMSInvalidStateException" => Ok(()),
            other => other,
        }
    }
}
