//! Typed configuration and state of the data tier of `todo_cloud_stack`:
//! `database = { ... }` (RDS PostgreSQL and its read replicas) and
//! `storage = { ... }` (the S3 bucket).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `database = { ... }`: the PostgreSQL primary, its replicas, inputs and
/// computed outputs. The write-only password never reaches this struct.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseState {
    /// PostgreSQL version (`16.4`, or a major version such as `16`).
    pub engine_version: Option<String>,
    /// Instance class (`db.r6g.large`).
    pub instance_class: Option<String>,
    /// Storage GiB.
    pub allocated_storage: Option<i64>,
    /// Storage autoscaling ceiling GiB (0 or null: off).
    pub max_allocated_storage: Option<i64>,
    /// `gp3`, `gp2`, `io1` or `io2`.
    pub storage_type: Option<String>,
    /// Provisioned IOPS (io1/io2; gp3 above its baseline).
    pub iops: Option<i64>,
    /// Standby in another zone.
    pub multi_az: Option<bool>,
    /// The key encrypting storage and the managed secret (default: the
    /// stack's key).
    pub kms_key_arn: Option<String>,
    /// Days of automated backups (1..35).
    pub backup_retention_days: Option<i64>,
    /// Daily backup window, UTC `hh:mm-hh:mm`.
    pub backup_window: Option<String>,
    /// Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`.
    pub maintenance_window: Option<String>,
    /// Log types exported to CloudWatch (`postgresql`, `upgrade`).
    pub cloudwatch_logs_exports: Option<Vec<String>>,
    /// Performance Insights on the primary.
    pub performance_insights: Option<bool>,
    /// RDS refuses to delete the primary while true.
    pub deletion_protection: Option<bool>,
    /// Delete without a final snapshot.
    pub skip_final_snapshot: Option<bool>,
    /// The database created in the instance.
    pub database_name: Option<String>,
    /// The master user.
    pub master_username: Option<String>,
    /// Bump to rotate `master_password_wo` (the password itself is
    /// write-only and never stored).
    pub master_password_wo_version: Option<i64>,
    /// Engine parameters of the parameter group.
    pub parameters: Option<BTreeMap<String, String>>,
    /// Extra IPv4 ranges admitted on 5432.
    pub allowed_cidrs: Option<Vec<String>>,
    /// Apply modifications now rather than in the next maintenance window.
    pub apply_immediately: Option<bool>,
    /// Allow a change that replaces the primary (its data is lost).
    pub allow_replacement: Option<bool>,
    /// Read replicas by name.
    pub replicas: Option<BTreeMap<String, ReplicaState>>,
    /// Writer endpoint address.
    pub endpoint: Option<String>,
    /// Port.
    pub port: Option<i64>,
    /// Reader endpoint address by replica name.
    pub reader_endpoints: Option<BTreeMap<String, String>>,
    /// The primary's ARN.
    pub arn: Option<String>,
    /// The primary's identifier.
    pub identifier: Option<String>,
    /// ARN of the secret holding the master credentials.
    pub master_secret_arn: Option<String>,
    /// The database security group.
    pub security_group_id: Option<String>,
    /// The name the final snapshot gets when the primary is deleted.
    pub final_snapshot_identifier: Option<String>,
    /// `master_password_wo`, read from the configuration during an apply
    /// only: never serialized, so never in state or plan.
    #[serde(skip)]
    pub master_password: Option<crate::cloud::data::Sensitive>,
}

/// One read replica.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicaState {
    /// Instance class (default: the primary's).
    pub instance_class: Option<String>,
    /// Zone (default: spread over the stack's zones).
    pub availability_zone: Option<String>,
    /// Performance Insights.
    pub performance_insights: Option<bool>,
    /// ARN (computed).
    pub arn: Option<String>,
}

/// Defaults of `database`.
pub mod database_defaults {
    /// PostgreSQL major version.
    pub const ENGINE_VERSION: &str = "16";
    /// Instance class.
    pub const INSTANCE_CLASS: &str = "db.t4g.medium";
    /// Storage GiB.
    pub const ALLOCATED_STORAGE: i64 = 20;
    /// Storage autoscaling ceiling GiB.
    pub const MAX_ALLOCATED_STORAGE: i64 = 100;
    /// Storage type.
    pub const STORAGE_TYPE: &str = "gp3";
    /// Days of automated backups.
    pub const BACKUP_RETENTION_DAYS: i64 = 7;
    /// Backup window (UTC).
    pub const BACKUP_WINDOW: &str = "03:00-04:00";
    /// Maintenance window (UTC).
    pub const MAINTENANCE_WINDOW: &str = "sun:05:00-sun:06:00";
    /// Database name.
    pub const DATABASE_NAME: &str = "todo";
    /// Master user.
    pub const MASTER_USERNAME: &str = "todo_admin";
    /// PostgreSQL's port.
    pub const PORT: i64 = 5432;
    /// Most replicas RDS allows per source.
    pub const MAX_REPLICAS: usize = 15;
}

impl DatabaseState {
    /// With the defaults of optional inputs filled in (`kms_key_arn` stays
    /// null: the stack's key).
    pub fn with_defaults(&self) -> DatabaseState {
        use database_defaults as d;
        let mut s = self.clone();
        s.engine_version
            .get_or_insert_with(|| d::ENGINE_VERSION.into());
        s.instance_class
            .get_or_insert_with(|| d::INSTANCE_CLASS.into());
        s.allocated_storage.get_or_insert(d::ALLOCATED_STORAGE);
        // RDS wants the ceiling at least 10% above the storage.
        let gib = s.allocated_storage.unwrap_or(0);
        s.max_allocated_storage
            .get_or_insert(d::MAX_ALLOCATED_STORAGE.max(gib + (gib + 9) / 10));
        s.storage_type.get_or_insert_with(|| d::STORAGE_TYPE.into());
        s.multi_az.get_or_insert(true);
        s.backup_retention_days
            .get_or_insert(d::BACKUP_RETENTION_DAYS);
        s.backup_window
            .get_or_insert_with(|| d::BACKUP_WINDOW.into());
        s.maintenance_window
            .get_or_insert_with(|| d::MAINTENANCE_WINDOW.into());
        s.cloudwatch_logs_exports
            .get_or_insert_with(|| vec!["postgresql".into(), "upgrade".into()]);
        s.performance_insights.get_or_insert(false);
        s.deletion_protection.get_or_insert(true);
        s.skip_final_snapshot.get_or_insert(false);
        s.database_name
            .get_or_insert_with(|| d::DATABASE_NAME.into());
        s.master_username
            .get_or_insert_with(|| d::MASTER_USERNAME.into());
        s.parameters.get_or_insert_with(BTreeMap::new);
        s.allowed_cidrs.get_or_insert_with(Vec::new);
        s.apply_immediately.get_or_insert(false);
        s.allow_replacement.get_or_insert(false);
        s.replicas.get_or_insert_with(BTreeMap::new);
        s
    }

    /// The engine family of the parameter group (`postgres16`).
    pub fn family(&self) -> String {
        let v = self
            .engine_version
            .as_deref()
            .unwrap_or(database_defaults::ENGINE_VERSION);
        format!("postgres{}", v.split('.').next().unwrap_or(v))
    }
}

/// `storage = { ... }`: the S3 bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageState {
    /// Bucket name (default: derived from the stack, account and region).
    pub bucket_name: Option<String>,
    /// Delete every object (and version) on destroy.
    pub force_destroy: Option<bool>,
    /// Lifecycle rules.
    pub lifecycle: Option<LifecycleState>,
    /// Bucket ARN (computed).
    pub bucket_arn: Option<String>,
    /// `<bucket>.s3.<region>.amazonaws.com` (computed).
    pub bucket_regional_domain_name: Option<String>,
}

/// `storage.lifecycle = { ... }`: days after which each rule acts (0: off).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LifecycleState {
    /// Expire noncurrent versions after this many days.
    pub noncurrent_version_expiration_days: Option<i64>,
    /// Move current objects to STANDARD_IA after this many days.
    pub transition_to_ia_days: Option<i64>,
    /// Abort incomplete multipart uploads after this many days.
    pub abort_incomplete_multipart_upload_days: Option<i64>,
}

/// Defaults of `storage`.
pub mod storage_defaults {
    /// Noncurrent versions expire after (days).
    pub const NONCURRENT_VERSION_EXPIRATION_DAYS: i64 = 90;
    /// Objects move to infrequent access after (days).
    pub const TRANSITION_TO_IA_DAYS: i64 = 30;
    /// Incomplete multipart uploads are aborted after (days).
    pub const ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS: i64 = 7;
}

impl StorageState {
    /// With the defaults of optional inputs filled in (`bucket_name` stays
    /// as given: the derived name needs the account).
    pub fn with_defaults(&self) -> StorageState {
        use storage_defaults as d;
        let mut s = self.clone();
        s.force_destroy.get_or_insert(false);
        let l = s.lifecycle.get_or_insert_with(LifecycleState::default);
        l.noncurrent_version_expiration_days
            .get_or_insert(d::NONCURRENT_VERSION_EXPIRATION_DAYS);
        l.transition_to_ia_days
            .get_or_insert(d::TRANSITION_TO_IA_DAYS);
        l.abort_incomplete_multipart_upload_days
            .get_or_insert(d::ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS);
        s
    }
}

/// Why a new bucket has no default name.
pub const NO_ACCOUNT_FOR_BUCKET: &str = "storage.bucket_name: the default name needs the AWS account id, which the provider \
     did not look up (skip_requesting_account_id, or STS failed): set storage.bucket_name.";

/// The bucket name of `storage` when the configuration gives none: the
/// name of the bucket the stack has (`prior`), else the one derived from
/// the account (`None`: no account known).
pub fn default_bucket_name(
    stack: &str,
    prior: Option<&StorageState>,
    account: Option<&str>,
    region: Option<&str>,
) -> Option<String> {
    prior
        .and_then(|p| p.bucket_name.clone())
        .or_else(|| Some(derived_bucket_name(stack, account?, region?)))
}

/// The bucket name derived from the stack: `<stack>-<account>-<region>`,
/// lowercased and cut to S3's 63 characters.
pub fn derived_bucket_name(stack: &str, account: &str, region: &str) -> String {
    let suffix = format!("-{account}-{region}");
    let room = 63usize.saturating_sub(suffix.len());
    let mut base: String = stack.to_lowercase().chars().take(room).collect();
    while base.ends_with('-') {
        base.pop();
    }
    format!("{base}{suffix}")
}
