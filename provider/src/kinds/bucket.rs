//! The stack's S3 bucket for backups and static assets: versioning on,
//! SSE-KMS with the stack's key and bucket keys, every public access block
//! setting on, ACLs off (bucket owner enforced), a policy refusing plain
//! HTTP, and the stack's lifecycle rule. Each setting converges on its own.
//!
//! Deleting it never deletes data by surprise: a bucket holding objects is
//! refused before anything of the stack is deleted, unless its
//! `todo:force-destroy` tag (written from `storage.force_destroy`) is
//! `true`; only then are its objects deleted.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::data::{Bucket, Lifecycle, StorageApi};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta, TAG_STACK_ID};

/// Tag saying whether destroy may delete the bucket's objects.
pub const TAG_FORCE_DESTROY: &str = "todo:force-destroy";

/// Buckets, on S3.
pub struct Buckets(pub Arc<dyn StorageApi>);

/// What the stack wants of its bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketSpec {
    /// Its name.
    pub name: String,
    /// The stack's key.
    pub key: Key,
    /// The lifecycle rule.
    pub lifecycle: Lifecycle,
}

/// The bucket policy: every request over plain HTTP is denied.
pub fn tls_only_policy(bucket: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [
                format!("arn:aws:s3:::{bucket}"),
                format!("arn:aws:s3:::{bucket}/*"),
            ],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    })
    .to_string()
}

/// Whether two policies say the same (JSON equality, whitespace and key
/// order aside).
fn same_policy(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whether the bucket's lifecycle is the wanted one. S3 has no rule
/// without an action: all days 0 (every action off) is no configuration.
fn same_lifecycle(want: &Lifecycle, have: Option<&Lifecycle>) -> bool {
    match have {
        Some(h) => h == want,
        None => *want == Lifecycle::default(),
    }
}

fn lifecycle_text(l: &Lifecycle) -> String {
    format!(
        "noncurrent versions expire after {} days, objects to STANDARD_IA after {} days, incomplete uploads aborted after {} days",
        l.noncurrent_version_expiration_days,
        l.transition_to_ia_days,
        l.abort_incomplete_multipart_upload_days
    )
}

#[async_trait]
impl Kind for Buckets {
    type Spec = BucketSpec;
    type Seen = Bucket;
    const NAME: &'static str = "bucket";
    const NOUN: &'static str = "S3 bucket";

    fn deps(spec: &BucketSpec) -> Vec<Dep> {
        vec![Dep::ready(spec.key.clone())]
    }

    fn meta(seen: &Bucket) -> Meta {
        Meta {
            id: seen.name.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: seen.kms_key.clone().into_iter().collect(),
        }
    }

    fn diff(spec: &BucketSpec, seen: &Bucket, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        if seen.name != spec.name {
            return vec![Change::replace(format!(
                "bucket_name: {} -> {}",
                seen.name, spec.name
            ))];
        }
        if !seen.versioning {
            out.push(Change::update("versioning: off -> Enabled"));
        }
        let key = ids.get(&spec.key);
        if key.is_none() || seen.kms_key.as_deref() != key || !seen.bucket_key {
            out.push(Change::update(format!(
                "default encryption: {} -> SSE-KMS with the stack's key and bucket keys",
                seen.kms_key.as_deref().unwrap_or("not the stack's key")
            )));
        }
        if !seen.public_access_blocked {
            out.push(Change::update(
                "public access block: not all on -> all four settings on",
            ));
        }
        if !seen.ownership_enforced {
            out.push(Change::update(
                "object ownership: ACLs enabled -> BucketOwnerEnforced",
            ));
        }
        let policy = tls_only_policy(&spec.name);
        if !seen
            .policy
            .as_deref()
            .is_some_and(|p| same_policy(p, &policy))
        {
            out.push(Change::update(
                "policy: not the stack's -> deny requests without TLS",
            ));
        }
        if !same_lifecycle(&spec.lifecycle, seen.lifecycle.as_ref()) {
            out.push(Change::update(format!(
                "lifecycle: {} -> {}",
                seen.lifecycle
                    .as_ref()
                    .map(lifecycle_text)
                    .unwrap_or_else(|| "not the stack's rule".into()),
                lifecycle_text(&spec.lifecycle)
            )));
        }
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Bucket>> {
        self.0.list_buckets(stack).await
    }

    async fn create(&self, spec: &BucketSpec, _: &Ids, tags: &Tags) -> CloudResult<Bucket> {
        let bucket = self.0.create_bucket(&spec.name, tags).await?;
        let ours = tags.get(TAG_STACK_ID);
        match bucket.tags.get(TAG_STACK_ID) {
            Some(id) if Some(id) == ours => Ok(bucket),
            Some(_) => Err(CloudError::Service {
                code: "BucketAlreadyOwnedByYou".into(),
                message: format!(
                    "storage.bucket_name: bucket {} already exists in this account and belongs to another stack ({} = {}); choose another name",
                    spec.name,
                    crate::cloud::TAG_STACK,
                    bucket
                        .tags
                        .get(crate::cloud::TAG_STACK)
                        .map(String::as_str)
                        .unwrap_or("?")
                ),
            }),
            None => Err(CloudError::Service {
                code: "BucketAlreadyOwnedByYou".into(),
                message: format!(
                    "storage.bucket_name: bucket {} already exists in this account and is not this stack's (it has no {} tag); \
                     the stack never takes over a bucket it did not create. Choose another name, or delete the bucket if it \
                     is the empty leftover of an apply stopped between creating and tagging it.",
                    spec.name, TAG_STACK_ID
                ),
            }),
        }
    }

    async fn update(&self, spec: &BucketSpec, seen: &Bucket, ids: &Ids) -> CloudResult<()> {
        let s3 = &self.0;
        // Who may reach it first: public access and ACLs, then the policy.
        if !seen.public_access_blocked {
            s3.block_public_access(&seen.name).await?;
        }
        if !seen.ownership_enforced {
            s3.enforce_ownership(&seen.name).await?;
        }
        let policy = tls_only_policy(&spec.name);
        if !seen
            .policy
            .as_deref()
            .is_some_and(|p| same_policy(p, &policy))
        {
            s3.set_policy(&seen.name, &policy).await?;
        }
        let key = ids.need(&spec.key)?;
        if seen.kms_key.as_deref() != Some(key.as_str()) || !seen.bucket_key {
            s3.set_encryption(&seen.name, &key).await?;
        }
        if !seen.versioning {
            s3.enable_versioning(&seen.name).await?;
        }
        if !same_lifecycle(&spec.lifecycle, seen.lifecycle.as_ref()) {
            s3.set_lifecycle(&seen.name, &spec.lifecycle).await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Bucket, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_bucket(&seen.name, set, remove).await
    }

    async fn delete(&self, seen: &Bucket) -> CloudResult<()> {
        if seen.tags.get(TAG_FORCE_DESTROY).map(String::as_str) == Some("true") {
            // The bucket goes: its policy first, so no Deny in it (the
            // stack's refuses plain HTTP; one added by hand may refuse
            // more) stops the emptying.
            super::ignore_not_found(self.0.delete_policy(&seen.name).await)?;
            self.0.empty_bucket(&seen.name).await?;
        }
        self.0.delete_bucket(&seen.name).await
    }

    async fn refuse_delete(&self, seen: &Bucket) -> CloudResult<Option<String>> {
        let force = seen.tags.get(TAG_FORCE_DESTROY).map(String::as_str) == Some("true");
        if !force && self.0.bucket_has_objects(&seen.name).await? {
            return Ok(Some(format!(
                "S3 bucket {} holds objects: set storage.force_destroy = true and apply to let destroy delete them, or empty the bucket yourself. Nothing was deleted.",
                seen.name
            )));
        }
        Ok(None)
    }
}
