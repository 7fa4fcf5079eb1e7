//! What the engine may ask of RDS, Secrets Manager and S3: the database's
//! subnet and parameter groups, its instances (primary and read replicas),
//! the secret holding a password given by the configuration, and the
//! stack's bucket. Plain types only; the SDK stays behind [`super::aws`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;

use super::{CloudResult, Tags};

/// A value that must never be printed: its `Debug` and `Display` say
/// `(sensitive)`. Only [`Sensitive::expose`] reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Sensitive {
        Sensitive(value.into())
    }

    /// The value, for the one call that sends it to AWS.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

/// An RDS DB subnet group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSubnetGroup {
    /// Its name (unique in the region; RDS lowercases it).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Description.
    pub description: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its subnets.
    pub subnet_ids: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// An RDS DB parameter group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbParameterGroup {
    /// Its name (unique in the region; RDS lowercases it).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Engine family (`postgres16`).
    pub family: String,
    /// Description.
    pub description: String,
    /// The parameters set by the user (source `user`), by name.
    pub parameters: BTreeMap<String, String>,
    /// Tags.
    pub tags: Tags,
}

/// How the master password of a new primary is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterPassword {
    /// RDS generates it and keeps it in a Secrets Manager secret encrypted
    /// with this key (ManageMasterUserPassword).
    Managed {
        /// KMS key ARN of the secret.
        kms_key: String,
    },
    /// The configuration gave it (write-only attribute).
    Given(Sensitive),
}

/// An RDS DB instance: a primary or a read replica.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbInstance {
    /// Its identifier (unique in the region).
    pub identifier: String,
    /// Its ARN.
    pub arn: String,
    /// RDS status (`creating`, `available`, `modifying`, `backing-up`,
    /// `deleting`, `failed`, `storage-full`, ...).
    pub status: String,
    /// Engine (`postgres`).
    pub engine: String,
    /// Engine version (`16.4`).
    pub engine_version: String,
    /// Instance class.
    pub instance_class: String,
    /// Storage GiB.
    pub allocated_storage: i32,
    /// Storage autoscaling ceiling GiB (`None`: off).
    pub max_allocated_storage: Option<i32>,
    /// Storage type.
    pub storage_type: String,
    /// Provisioned IOPS, where reported.
    pub iops: Option<i32>,
    /// Multi-AZ.
    pub multi_az: bool,
    /// Storage encrypted.
    pub storage_encrypted: bool,
    /// The storage key's ARN.
    pub kms_key_id: Option<String>,
    /// Days of automated backups.
    pub backup_retention_days: i32,
    /// Backup window.
    pub backup_window: Option<String>,
    /// Maintenance window (RDS reports it lowercase).
    pub maintenance_window: Option<String>,
    /// Log types exported to CloudWatch.
    pub logs_exports: Vec<String>,
    /// Performance Insights.
    pub performance_insights: bool,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// The database name.
    pub db_name: Option<String>,
    /// Master user.
    pub master_username: Option<String>,
    /// Its subnet group's name.
    pub subnet_group: Option<String>,
    /// Its VPC security groups.
    pub security_groups: Vec<String>,
    /// Its parameter group's name.
    pub parameter_group: Option<String>,
    /// Parameter group status (`in-sync`, `applying`, `pending-reboot`).
    pub parameter_apply_status: Option<String>,
    /// Publicly accessible.
    pub publicly_accessible: bool,
    /// Its zone.
    pub availability_zone: Option<String>,
    /// For a read replica: the source's identifier (RDS may report an ARN;
    /// implementations give the identifier).
    pub replica_of: Option<String>,
    /// Identifiers of its read replicas.
    pub replicas: Vec<String>,
    /// Endpoint address (once available).
    pub endpoint: Option<String>,
    /// Port.
    pub port: Option<i32>,
    /// The secret RDS manages for the master password.
    pub master_secret_arn: Option<String>,
    /// The modifications RDS holds for the maintenance window, by their
    /// RDS names (`DBInstanceClass`, `AllocatedStorage`, `MultiAZ`,
    /// `EngineVersion`, `StorageType`, `Iops`, `BackupRetentionPeriod`,
    /// `MasterUserPassword`) with the pending value as text (`db.r6g.large`,
    /// `100`, `true`; `(sensitive)` for the password).
    pub pending: BTreeMap<String, String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// What a new primary is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewPrimary {
    /// Identifier.
    pub identifier: String,
    /// Engine version.
    pub engine_version: String,
    /// Instance class.
    pub instance_class: String,
    /// Storage GiB.
    pub allocated_storage: i32,
    /// Autoscaling ceiling GiB (`None`: off).
    pub max_allocated_storage: Option<i32>,
    /// Storage type.
    pub storage_type: String,
    /// IOPS.
    pub iops: Option<i32>,
    /// Multi-AZ.
    pub multi_az: bool,
    /// KMS key ARN of the storage.
    pub kms_key_id: String,
    /// Backups.
    pub backup_retention_days: i32,
    /// Backup window.
    pub backup_window: String,
    /// Maintenance window.
    pub maintenance_window: String,
    /// CloudWatch log exports.
    pub logs_exports: Vec<String>,
    /// Performance Insights (encrypted with `kms_key_id`).
    pub performance_insights: bool,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Database name.
    pub db_name: String,
    /// Master user.
    pub master_username: String,
    /// The master password: managed by RDS, or given.
    pub password: Option<MasterPassword>,
    /// Subnet group name.
    pub subnet_group: String,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// Parameter group name.
    pub parameter_group: String,
}

/// What a new read replica is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewReplica {
    /// Identifier.
    pub identifier: String,
    /// The primary's identifier.
    pub source: String,
    /// Instance class.
    pub instance_class: String,
    /// Zone.
    pub availability_zone: Option<String>,
    /// Performance Insights.
    pub performance_insights: bool,
    /// KMS key for Performance Insights.
    pub kms_key_id: String,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// Parameter group name.
    pub parameter_group: String,
    /// Storage autoscaling ceiling GiB.
    pub max_allocated_storage: Option<i32>,
    /// Deletion protection (off: a replica holds no data of its own).
    pub deletion_protection: bool,
}

/// A ModifyDBInstance: only the `Some` fields change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbInstanceChange {
    /// Instance class.
    pub instance_class: Option<String>,
    /// Storage GiB.
    pub allocated_storage: Option<i32>,
    /// Autoscaling ceiling (`Some(None)`: off).
    pub max_allocated_storage: Option<Option<i32>>,
    /// Storage type.
    pub storage_type: Option<String>,
    /// IOPS.
    pub iops: Option<i32>,
    /// Multi-AZ.
    pub multi_az: Option<bool>,
    /// Engine version (a major upgrade sets `AllowMajorVersionUpgrade`).
    pub engine_version: Option<String>,
    /// Backups.
    pub backup_retention_days: Option<i32>,
    /// Backup window.
    pub backup_window: Option<String>,
    /// Maintenance window.
    pub maintenance_window: Option<String>,
    /// Log exports to enable.
    pub enable_logs: Vec<String>,
    /// Log exports to disable.
    pub disable_logs: Vec<String>,
    /// Performance Insights.
    pub performance_insights: Option<bool>,
    /// KMS key for Performance Insights when turning it on.
    pub performance_insights_key: Option<String>,
    /// Deletion protection.
    pub deletion_protection: Option<bool>,
    /// Security groups.
    pub security_groups: Option<Vec<String>>,
    /// Parameter group.
    pub parameter_group: Option<String>,
    /// A new master password (a given one; turns RDS's management of the
    /// password off when it was on).
    pub password: Option<Sensitive>,
    /// Turns RDS's management of the master password on, its secret
    /// encrypted with this key (ManageMasterUserPassword).
    pub manage_password_key: Option<String>,
    /// Apply now rather than in the maintenance window.
    pub apply_immediately: bool,
}

impl DbInstanceChange {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self
            == DbInstanceChange {
                apply_immediately: self.apply_immediately,
                ..DbInstanceChange::default()
            }
    }
}

/// RDS: subnet groups, parameter groups and instances.
#[async_trait]
pub trait RdsApi: Send + Sync + 'static {
    /// The subnet groups whose names start with `prefix`, with tags.
    async fn list_subnet_groups(&self, prefix: &str) -> CloudResult<Vec<DbSubnetGroup>>;
    /// Creates a subnet group with `tags`.
    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &Tags,
    ) -> CloudResult<DbSubnetGroup>;
    /// Sets the subnets of the group `name`.
    async fn modify_subnet_group(&self, name: &str, subnet_ids: &[String]) -> CloudResult<()>;
    /// Deletes the subnet group `name` (`DependencyViolation` while an
    /// instance uses it).
    async fn delete_subnet_group(&self, name: &str) -> CloudResult<()>;

    /// The parameter groups whose names start with `prefix`, with tags and
    /// their user-set parameters.
    async fn list_parameter_groups(&self, prefix: &str) -> CloudResult<Vec<DbParameterGroup>>;
    /// Creates a parameter group of `family` with `tags`.
    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        description: &str,
        tags: &Tags,
    ) -> CloudResult<DbParameterGroup>;
    /// Sets `set` (apply method `pending-reboot` for static parameters,
    /// `immediate` otherwise) and resets `reset` to the engine default.
    async fn modify_parameters(
        &self,
        name: &str,
        set: &BTreeMap<String, String>,
        reset: &[String],
    ) -> CloudResult<()>;
    /// Deletes the parameter group `name` (`DependencyViolation` while an
    /// instance uses it).
    async fn delete_parameter_group(&self, name: &str) -> CloudResult<()>;

    /// Every instance tagged `todo:stack = stack` (one describe, tags
    /// included), deleting ones left out.
    async fn list_instances(&self, stack: &str) -> CloudResult<Vec<DbInstance>>;
    /// One instance, `None` when it does not exist.
    async fn get_instance(&self, identifier: &str) -> CloudResult<Option<DbInstance>>;
    /// Creates a primary with `tags`.
    async fn create_primary(&self, db: &NewPrimary, tags: &Tags) -> CloudResult<DbInstance>;
    /// Creates a read replica of `replica.source` with `tags`.
    async fn create_replica(&self, replica: &NewReplica, tags: &Tags) -> CloudResult<DbInstance>;
    /// Modifies an instance.
    async fn modify_instance(&self, identifier: &str, change: &DbInstanceChange)
    -> CloudResult<()>;
    /// Deletes an instance: with a final snapshot named `final_snapshot`
    /// when given, else skipping it. Backups are deleted with it.
    async fn delete_instance(
        &self,
        identifier: &str,
        final_snapshot: Option<&str>,
    ) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the tags of the RDS object `arn`.
    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Whether the DB snapshot `identifier` exists.
    async fn snapshot_exists(&self, identifier: &str) -> CloudResult<bool>;
}

/// A Secrets Manager secret of the stack (its value is never read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The KMS key encrypting it.
    pub kms_key_id: Option<String>,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// Secrets Manager.
#[async_trait]
pub trait SecretsApi: Send + Sync + 'static {
    /// The secrets tagged `todo:stack = stack` (not scheduled for deletion).
    async fn list_secrets(&self, stack: &str) -> CloudResult<Vec<Secret>>;
    /// Creates a secret holding `value`, encrypted with `kms_key`.
    async fn create_secret(
        &self,
        name: &str,
        description: &str,
        kms_key: &str,
        value: &Sensitive,
        tags: &Tags,
    ) -> CloudResult<Secret>;
    /// Stores a new value.
    async fn put_secret_value(&self, arn: &str, value: &Sensitive) -> CloudResult<()>;
    /// Sets the key encrypting the secret.
    async fn set_secret_key(&self, arn: &str, kms_key: &str) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the secret's tags.
    async fn retag_secret(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the secret at once (no recovery window: its name can be
    /// used again by the next create).
    async fn delete_secret(&self, arn: &str) -> CloudResult<()>;
}

/// One lifecycle rule set of the bucket (0 days: that action is off).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lifecycle {
    /// Expire noncurrent versions after (days).
    pub noncurrent_version_expiration_days: i32,
    /// Transition current objects to STANDARD_IA after (days).
    pub transition_to_ia_days: i32,
    /// Abort incomplete multipart uploads after (days).
    pub abort_incomplete_multipart_upload_days: i32,
}

/// An S3 bucket and the settings the stack manages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bucket {
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Versioning `Enabled`.
    pub versioning: bool,
    /// Default encryption SSE-KMS with this key (`None`: something else).
    pub kms_key: Option<String>,
    /// S3 bucket keys on.
    pub bucket_key: bool,
    /// All four public access block settings on.
    pub public_access_blocked: bool,
    /// Object ownership `BucketOwnerEnforced`.
    pub ownership_enforced: bool,
    /// The bucket policy (JSON), if any.
    pub policy: Option<String>,
    /// The lifecycle rules, when they are the stack's (`None`: none or
    /// others).
    pub lifecycle: Option<Lifecycle>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

impl Bucket {
    /// Its ARN.
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
    }
}

/// S3.
#[async_trait]
pub trait StorageApi: Send + Sync + 'static {
    /// The buckets in this region tagged `todo:stack = stack`, with the
    /// settings the stack manages.
    async fn list_buckets(&self, stack: &str) -> CloudResult<Vec<Bucket>>;
    /// Creates the bucket in this region and tags it. A bucket of that
    /// name this account already owns is returned as it is, with its own
    /// tags and never retagged (the caller decides whether it is the
    /// stack's); one owned by another account is
    /// `Service { code: "BucketAlreadyExists" }`.
    async fn create_bucket(&self, name: &str, tags: &Tags) -> CloudResult<Bucket>;
    /// Turns versioning on.
    async fn enable_versioning(&self, name: &str) -> CloudResult<()>;
    /// Sets SSE-KMS with `kms_key` and bucket keys as default encryption.
    async fn set_encryption(&self, name: &str, kms_key: &str) -> CloudResult<()>;
    /// Turns all four public access block settings on.
    async fn block_public_access(&self, name: &str) -> CloudResult<()>;
    /// Sets object ownership to `BucketOwnerEnforced` (ACLs off).
    async fn enforce_ownership(&self, name: &str) -> CloudResult<()>;
    /// Sets the bucket policy.
    async fn set_policy(&self, name: &str, policy: &str) -> CloudResult<()>;
    /// Deletes the bucket policy (none: done).
    async fn delete_policy(&self, name: &str) -> CloudResult<()>;
    /// Sets the lifecycle rules.
    async fn set_lifecycle(&self, name: &str, lifecycle: &Lifecycle) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the bucket's tags.
    async fn retag_bucket(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Whether the bucket holds any object or object version.
    async fn bucket_has_objects(&self, name: &str) -> CloudResult<bool>;
    /// Deletes every object version and delete marker in the bucket.
    async fn empty_bucket(&self, name: &str) -> CloudResult<()>;
    /// Deletes the (empty) bucket (`Service { code: "BucketNotEmpty" }`
    /// otherwise).
    async fn delete_bucket(&self, name: &str) -> CloudResult<()>;
}
