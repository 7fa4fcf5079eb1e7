//! The Secrets Manager secret holding the master credentials when the
//! configuration gives the password (`master_password_wo`). Its value is
//! never read back: the `todo:password-version` tag says which
//! `master_password_wo_version` it holds, and a new version puts the new
//! value. (When RDS manages the password, RDS owns its secret.)

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::data::{Secret, SecretsApi, Sensitive};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

use super::db_instance::{KeyRef, TAG_PASSWORD_VERSION};

/// Secrets, on Secrets Manager.
pub struct Secrets(pub Arc<dyn SecretsApi>);

/// What the stack wants of a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretSpec {
    /// Its name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The key encrypting it.
    pub key: KeyRef,
    /// Its value (known only during an apply; never printed).
    pub value: Option<Sensitive>,
    /// The version of the value.
    pub version: Option<i64>,
}

fn version(seen: &Secret) -> Option<i64> {
    seen.tags
        .get(TAG_PASSWORD_VERSION)
        .and_then(|v| v.parse().ok())
}

fn key_of(spec: &SecretSpec, ids: &Ids) -> Option<String> {
    match &spec.key {
        KeyRef::Stack(k) => ids.get(k).map(str::to_string),
        KeyRef::Arn(a) => Some(a.clone()),
    }
}

fn value(spec: &SecretSpec) -> CloudResult<&Sensitive> {
    spec.value.as_ref().ok_or_else(|| CloudError::Service {
        code: "PasswordUnknown".into(),
        message: "database.master_password_wo: the password is to be stored but is not known in this apply (it is write-only: set it in the configuration)".into(),
    })
}

#[async_trait]
impl Kind for Secrets {
    type Spec = SecretSpec;
    type Seen = Secret;
    const NAME: &'static str = "secret";
    const NOUN: &'static str = "secret";

    fn deps(spec: &SecretSpec) -> Vec<Dep> {
        match &spec.key {
            KeyRef::Stack(k) => vec![Dep::ready(k.clone())],
            KeyRef::Arn(_) => Vec::new(),
        }
    }

    fn meta(seen: &Secret) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: seen.kms_key_id.clone().into_iter().collect(),
        }
    }

    fn diff(spec: &SecretSpec, seen: &Secret, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        if seen.name != spec.name {
            out.push(Change::replace(format!(
                "name: {} -> {}",
                seen.name, spec.name
            )));
        }
        if version(seen) != spec.version {
            out.push(Change::update(format!(
                "value: version {} -> {}",
                version(seen)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "none".into()),
                spec.version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "none".into())
            )));
        }
        let key = key_of(spec, ids);
        if key.is_none() || seen.kms_key_id != key {
            out.push(Change::update(format!(
                "key: {} -> {}",
                seen.kms_key_id.as_deref().unwrap_or("aws/secretsmanager"),
                key.as_deref().unwrap_or("the new key")
            )));
        }
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Secret>> {
        self.0.list_secrets(stack).await
    }

    async fn create(&self, spec: &SecretSpec, ids: &Ids, tags: &Tags) -> CloudResult<Secret> {
        let key = match &spec.key {
            KeyRef::Stack(k) => ids.need(k)?,
            KeyRef::Arn(a) => a.clone(),
        };
        self.0
            .create_secret(&spec.name, &spec.description, &key, value(spec)?, tags)
            .await
    }

    async fn update(&self, spec: &SecretSpec, seen: &Secret, ids: &Ids) -> CloudResult<()> {
        if let Some(key) = key_of(spec, ids)
            && seen.kms_key_id.as_deref() != Some(key.as_str())
        {
            self.0.set_secret_key(&seen.arn, &key).await?;
        }
        if version(seen) != spec.version {
            self.0.put_secret_value(&seen.arn, value(spec)?).await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Secret, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_secret(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &Secret) -> CloudResult<()> {
        self.0.delete_secret(&seen.arn).await
    }
}
