//! [`KmsApi`] on KMS. KMS cannot list keys by tag, so the stack's keys are
//! found through the Resource Groups Tagging API (one call for every key of
//! the stack), then described; where that API is not served (some
//! emulators), every key is listed and its tags read instead.

use async_trait::async_trait;
use aws_sdk_kms::types::{KeySpec, KeyState as AwsKeyState, KeyUsageType, Tag};

use super::{Gate, StackTags, map_err};
use crate::cloud::{CloudError, CloudResult, KeyState, KmsApi, KmsKey, TAG_STACK, Tags};

/// The KMS calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsKms {
    kms: aws_sdk_kms::Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
    stack_tags: StackTags,
    gate: Gate,
}

impl AwsKms {
    /// Wraps the clients; calls pass through `gate`.
    pub fn new(
        kms: aws_sdk_kms::Client,
        tagging: aws_sdk_resourcegroupstagging::Client,
        stack_tags: StackTags,
        gate: Gate,
    ) -> AwsKms {
        AwsKms {
            kms,
            tagging,
            stack_tags,
            gate,
        }
    }

    /// ARNs and tags of the keys tagged with the stack, by the tagging API
    /// (the read shared with the other kinds observing the stack).
    async fn tagged(&self, stack: &str) -> CloudResult<Vec<(String, Tags)>> {
        self.stack_tags
            .of(&self.tagging, &self.gate, stack, "kms:key")
            .await
    }

    /// The same, by listing every key and reading its tags (slow: for
    /// endpoints without the tagging API).
    async fn tagged_by_listing(&self, stack: &str) -> CloudResult<Vec<(String, Tags)>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = {
                let _permit = self.gate.enter().await;
                self.kms
                    .list_keys()
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| map_err(e, "KMS keys", "of the account"))?
            };
            for k in page.keys() {
                let Some(arn) = k.key_arn() else { continue };
                let _permit = self.gate.enter().await;
                let tags: Tags = match self.kms.list_resource_tags().key_id(arn).send().await {
                    Ok(t) => t
                        .tags()
                        .iter()
                        .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
                        .collect(),
                    Err(e) => match map_err(e, "KMS key", arn) {
                        // Keys we may not read (AWS-managed, other owners) are not ours.
                        CloudError::Service { code, .. } if code == "AccessDeniedException" => {
                            continue;
                        }
                        // Anything else: a key of ours could be missed, so stop.
                        other => return Err(other),
                    },
                };
                if tags.get(TAG_STACK).is_some_and(|s| s == stack) {
                    out.push((arn.to_string(), tags));
                }
            }
            marker = page.next_marker().map(str::to_string);
            if !page.truncated() || marker.is_none() {
                return Ok(out);
            }
        }
    }

    /// The key's tags, from KMS (consistent, unlike the tagging API).
    async fn resource_tags(&self, key_id: &str) -> CloudResult<Tags> {
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .list_resource_tags()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", key_id))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect())
    }

    /// The key `alias` names, when it carries the stack's tag (for
    /// endpoints whose tagging API does not list KMS keys).
    async fn tagged_by_alias(&self, stack: &str, alias: &str) -> CloudResult<Vec<(String, Tags)>> {
        let Some(key_id) = self.alias_target(alias).await? else {
            return Ok(Vec::new());
        };
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .list_resource_tags()
            .key_id(&key_id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", &key_id))?;
        let tags: Tags = out
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect();
        Ok(if tags.get(TAG_STACK).is_some_and(|s| s == stack) {
            vec![(key_id, tags)]
        } else {
            Vec::new()
        })
    }

    async fn describe(
        &self,
        arn: &str,
        tags: Tags,
        with_policy: bool,
    ) -> CloudResult<Option<KmsKey>> {
        // The key id ends the ARN; KMS takes either, some emulators only the id.
        let key_id = arn.rsplit('/').next().unwrap_or(arn);
        let meta = {
            let _permit = self.gate.enter().await;
            match self.kms.describe_key().key_id(key_id).send().await {
                Ok(out) => out.key_metadata().cloned(),
                Err(e) => {
                    let e = map_err(e, "KMS key", arn);
                    if e.is_not_found() {
                        return Ok(None);
                    }
                    return Err(e);
                }
            }
        };
        let Some(meta) = meta else { return Ok(None) };
        let state = match meta.key_state() {
            Some(AwsKeyState::Enabled) => KeyState::Enabled,
            Some(AwsKeyState::Disabled) => KeyState::Disabled,
            Some(AwsKeyState::PendingDeletion | AwsKeyState::PendingReplicaDeletion) => {
                KeyState::PendingDeletion
            }
            _ => KeyState::Other,
        };
        if state == KeyState::PendingDeletion {
            return Ok(None);
        }
        let id = meta.key_id().to_string();
        let policy = async {
            if with_policy {
                self.policy(&id).await
            } else {
                Ok(None)
            }
        };
        let (rotation, aliases, policy) =
            futures::try_join!(self.rotation(&id), self.aliases(&id), policy)?;
        Ok(Some(KmsKey {
            arn: meta.arn().unwrap_or(arn).to_string(),
            id,
            state,
            rotation,
            aliases,
            created: meta
                .creation_date()
                .and_then(|t| std::time::SystemTime::try_from(*t).ok()),
            tags,
            policy,
        }))
    }

    async fn policy(&self, id: &str) -> CloudResult<Option<String>> {
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .get_key_policy()
            .key_id(id)
            .policy_name("default")
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", id))?;
        Ok(out.policy().map(str::to_string))
    }

    async fn rotation(&self, id: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .get_key_rotation_status()
            .key_id(id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", id))?;
        Ok(out.key_rotation_enabled())
    }

    async fn aliases(&self, id: &str) -> CloudResult<Vec<String>> {
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .list_aliases()
            .key_id(id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", id))?;
        Ok(out
            .aliases()
            .iter()
            .filter(|a| a.target_key_id() == Some(id))
            .filter_map(|a| a.alias_name().map(str::to_string))
            .collect())
    }
}

fn kms_tags(tags: &Tags) -> CloudResult<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .tag_key(k)
                .tag_value(v)
                .build()
                .map_err(|e| CloudError::Service {
                    code: "InvalidTag".into(),
                    message: e.to_string(),
                })
        })
        .collect()
}

#[async_trait]
impl KmsApi for AwsKms {
    async fn list_keys(
        &self,
        stack: &str,
        alias: &str,
        with_policy: bool,
    ) -> CloudResult<Vec<KmsKey>> {
        let tagged = match self.tagged(stack).await {
            Ok(t) if t.is_empty() => self.tagged_by_alias(stack, alias).await?,
            Ok(t) => t,
            Err(
                CloudError::Service { .. } | CloudError::Transport(_) | CloudError::Unsupported(_),
            ) => self.tagged_by_listing(stack).await?,
            Err(e) => return Err(e),
        };
        let described = futures::future::try_join_all(
            tagged
                .into_iter()
                .map(|(arn, tags)| async move { self.describe(&arn, tags, with_policy).await }),
        )
        .await?;
        let mut keys: Vec<KmsKey> = Vec::new();
        for mut key in described.into_iter().flatten() {
            // The tagging API may answer with tags a moment old: a key a
            // destroy just released from the stack (alias deleted, stack
            // tags removed) would look like the stack's. A key without the
            // stack's alias is rare (a create stopped between the key and
            // its alias, or a released key): read its tags from KMS itself.
            if !key.aliases.iter().any(|a| a == alias) {
                key.tags = self.resource_tags(&key.id).await?;
                if key.tags.get(TAG_STACK).is_none_or(|s| s != stack) {
                    continue;
                }
            }
            keys.push(key);
        }
        keys.sort_by(|a, b| a.arn.cmp(&b.arn));
        Ok(keys)
    }

    async fn put_key_policy(&self, key_id: &str, policy: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .put_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .policy(policy)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", key_id))?;
        Ok(())
    }

    async fn create_key(&self, description: &str, tags: &Tags) -> CloudResult<KmsKey> {
        let _permit = self.gate.enter().await;
        let out = self
            .kms
            .create_key()
            .description(description)
            .key_usage(KeyUsageType::EncryptDecrypt)
            .key_spec(KeySpec::SymmetricDefault)
            .set_tags(Some(kms_tags(tags)?))
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", description))?;
        let meta = out.key_metadata().ok_or_else(|| CloudError::Service {
            code: "IncompleteResponse".into(),
            message: "CreateKey answered without the key".into(),
        })?;
        Ok(KmsKey {
            id: meta.key_id().to_string(),
            arn: meta.arn().unwrap_or_default().to_string(),
            state: KeyState::Enabled,
            rotation: false,
            aliases: Vec::new(),
            created: meta
                .creation_date()
                .and_then(|t| std::time::SystemTime::try_from(*t).ok()),
            tags: tags.clone(),
            policy: None,
        })
    }

    async fn enable_key(&self, key_id: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .enable_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", key_id))?;
        Ok(())
    }

    async fn enable_rotation(&self, key_id: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .enable_key_rotation()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", key_id))?;
        Ok(())
    }

    async fn create_alias(&self, alias: &str, key_id: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .create_alias()
            .alias_name(alias)
            .target_key_id(key_id)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS alias", alias))?;
        Ok(())
    }

    async fn alias_target(&self, alias: &str) -> CloudResult<Option<String>> {
        let _permit = self.gate.enter().await;
        match self.kms.describe_key().key_id(alias).send().await {
            Ok(out) => Ok(out.key_metadata().map(|m| m.key_id().to_string())),
            Err(e) => {
                let e = map_err(e, "KMS alias", alias);
                if e.is_not_found() { Ok(None) } else { Err(e) }
            }
        }
    }

    async fn delete_alias(&self, alias: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .delete_alias()
            .alias_name(alias)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS alias", alias))?;
        Ok(())
    }

    async fn schedule_deletion(&self, key_id: &str, days: i32) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.kms
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(days)
            .send()
            .await
            .map_err(|e| map_err(e, "KMS key", key_id))?;
        Ok(())
    }

    async fn retag_key(&self, key_id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if !set.is_empty() {
            let _permit = self.gate.enter().await;
            self.kms
                .tag_resource()
                .key_id(key_id)
                .set_tags(Some(kms_tags(set)?))
                .send()
                .await
                .map_err(|e| map_err(e, "KMS key", key_id))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.kms
                .untag_resource()
                .key_id(key_id)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_err(e, "KMS key", key_id))?;
        }
        Ok(())
    }
}
