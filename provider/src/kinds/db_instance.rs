//! The stack's PostgreSQL instances: the primary and its read replicas,
//! one kind (one describe serves both).
//!
//! These hold people's data, so:
//! - what RDS changes in place converges in place, deferred to the
//!   maintenance window unless `apply_immediately` (a modification RDS
//!   holds as pending is not made again);
//! - what RDS makes only by replacement changes the primary's identifier
//!   (`<stack>-db-<hash>`), so the new database is created before the old
//!   one goes; the plan refuses it without `allow_replacement`;
//! - deleting the primary takes the final snapshot its
//!   `todo:final-snapshot` tag names (written from the configuration), and
//!   is refused before anything of the stack is deleted while deletion
//!   protection is on;
//! - an instance still creating or modifying is an update step that waits
//!   until it is available, so an apply continuing a killed one never
//!   builds a replica on a primary that is not ready.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::cloud::data::{
    DbInstance, DbInstanceChange, MasterPassword, NewPrimary, NewReplica, RdsApi, Sensitive,
};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Expect, Ids, Key, Kind, Meta, Progress};

use super::eks_cluster::until_active;

/// Tag naming the final snapshot the primary's deletion takes (`none`:
/// skip it).
pub const TAG_FINAL_SNAPSHOT: &str = "todo:final-snapshot";
/// Tag recording the `master_password_wo_version` the password was last
/// set from.
pub const TAG_PASSWORD_VERSION: &str = "todo:password-version";
/// The value of [`TAG_FINAL_SNAPSHOT`] that skips the final snapshot.
pub const NO_FINAL_SNAPSHOT: &str = "none";

/// RDS instances.
pub struct DbInstances(pub Arc<dyn RdsApi>);

/// The key of the storage (and of the managed secret, and of Performance
/// Insights).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyRef {
    /// The stack's KMS key.
    Stack(Key),
    /// A key given by ARN.
    Arn(String),
}

impl KeyRef {
    /// The key's ARN, when known.
    pub fn resolve(&self, ids: &Ids) -> Option<String> {
        match self {
            KeyRef::Stack(k) => ids.get(k).map(str::to_string),
            KeyRef::Arn(a) => Some(a.clone()),
        }
    }
}

/// What the primary is.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimarySpec {
    /// Engine version (`16` or `16.4`).
    pub engine_version: String,
    /// Storage GiB.
    pub allocated_storage: i32,
    /// Storage type.
    pub storage_type: String,
    /// IOPS.
    pub iops: Option<i32>,
    /// Multi-AZ.
    pub multi_az: bool,
    /// Storage key.
    pub key: KeyRef,
    /// Backups (days).
    pub backup_retention_days: i32,
    /// Backup window.
    pub backup_window: String,
    /// Maintenance window.
    pub maintenance_window: String,
    /// CloudWatch log exports.
    pub logs_exports: Vec<String>,
    /// Database name.
    pub db_name: String,
    /// Master user.
    pub master_username: String,
    /// The given password (`None`: RDS manages it). Known only during an
    /// apply; never printed.
    pub password: Option<Sensitive>,
    /// Whether the password is given (`master_password_wo`) rather than
    /// managed by RDS.
    pub password_given: bool,
    /// The subnet group.
    pub subnet_group: Key,
}

/// What a read replica is.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaSpec {
    /// The primary.
    pub source: Key,
    /// Zone.
    pub availability_zone: Option<String>,
    /// Key for Performance Insights.
    pub key: KeyRef,
}

/// Primary or replica.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// The primary.
    Primary(Box<PrimarySpec>),
    /// A read replica.
    Replica(ReplicaSpec),
}

/// What the stack wants of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct DbInstanceSpec {
    /// Identifier.
    pub identifier: String,
    /// Primary or replica.
    pub role: Role,
    /// Instance class.
    pub instance_class: String,
    /// Autoscaling ceiling GiB (`None`: off).
    pub max_allocated_storage: Option<i32>,
    /// Performance Insights.
    pub performance_insights: bool,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Security groups.
    pub security_groups: Vec<Key>,
    /// Parameter group.
    pub parameter_group: Key,
    /// Apply modifications now rather than in the maintenance window.
    pub apply_immediately: bool,
    /// The `master_password_wo_version` the password should be set from.
    pub password_version: Option<i64>,
}

/// Statuses an instance passes through on its own and leaves.
const SETTLING: [&str; 9] = [
    "creating",
    "modifying",
    "backing-up",
    "rebooting",
    "renaming",
    "upgrading",
    "configuring-enhanced-monitoring",
    "configuring-log-exports",
    "storage-optimization",
];

/// Statuses an instance does not leave without help.
const BROKEN: [&str; 7] = [
    "failed",
    "incompatible-parameters",
    "incompatible-restore",
    "incompatible-network",
    "incompatible-option-group",
    "inaccessible-encryption-credentials",
    "restore-error",
];

/// The final snapshot deleting `seen` takes: its `todo:final-snapshot` tag
/// (`none`: no snapshot), `<identifier>-final` when untagged; a replica
/// takes none.
pub fn final_snapshot_of(seen: &DbInstance) -> Option<String> {
    match (&seen.replica_of, seen.tags.get(TAG_FINAL_SNAPSHOT)) {
        (Some(_), _) => None,
        (None, Some(s)) if s == NO_FINAL_SNAPSHOT => None,
        (None, Some(s)) => Some(s.clone()),
        (None, None) => Some(format!("{}-final", seen.identifier)),
    }
}

/// Where an instance stands, for waits.
pub fn progress(db: Option<&DbInstance>) -> Progress {
    match db {
        None => Progress::Failed("the instance no longer exists".into()),
        Some(d) if d.status == "available" => Progress::Done,
        Some(d) if BROKEN.contains(&d.status.as_str()) => Progress::Failed(format!(
            "RDS instance {} is {}; see its events in the RDS console",
            d.identifier, d.status
        )),
        Some(_) => Progress::Pending,
    }
}

/// Whether the version `have` runs satisfies `want` (`16` or `16.4`): the
/// same major version, and with a minor asked for, that minor or a later
/// one (RDS upgrades minor versions by itself, and never back).
pub fn same_version(want: &str, have: &str) -> bool {
    let parts = |v: &str| -> (String, Option<u32>) {
        let mut it = v.splitn(2, '.');
        let major = it.next().unwrap_or_default().to_string();
        (major, it.next().and_then(|m| m.parse().ok()))
    };
    let ((wm, wn), (hm, hn)) = (parts(want), parts(have));
    wm == hm
        && match (wn, hn) {
            (None, _) => true,
            (Some(w), Some(h)) => h >= w,
            (Some(_), None) => false,
        }
}

/// The major version of `v` (`16.4` → `16`).
pub fn major(v: &str) -> &str {
    v.split('.').next().unwrap_or(v)
}

fn pending<'a>(seen: &'a DbInstance, name: &str) -> Option<&'a str> {
    seen.pending.get(name).map(String::as_str)
}

/// A deferrable field: differs unless RDS already holds the wanted value as
/// pending.
fn deferred(seen: &DbInstance, name: &str, have: String, want: String) -> Option<Change> {
    if have == want || pending(seen, name) == Some(want.as_str()) {
        None
    } else {
        Some(Change::update(format!("{name}: {have} -> {want}")))
    }
}

fn resolve_all(keys: &[Key], ids: &Ids) -> Option<BTreeSet<String>> {
    keys.iter()
        .map(|k| ids.get(k).map(str::to_string))
        .collect()
}

fn password_version(seen: &DbInstance) -> Option<i64> {
    seen.tags
        .get(TAG_PASSWORD_VERSION)
        .and_then(|v| v.parse().ok())
}

/// What differs, and the change that converges it.
fn plan_change(
    spec: &DbInstanceSpec,
    seen: &DbInstance,
    ids: &Ids,
) -> (Vec<Change>, DbInstanceChange) {
    let mut out = Vec::new();
    let mut c = DbInstanceChange {
        apply_immediately: spec.apply_immediately,
        ..DbInstanceChange::default()
    };
    if let Some(ch) = deferred(
        seen,
        "DBInstanceClass",
        seen.instance_class.clone(),
        spec.instance_class.clone(),
    ) {
        out.push(ch);
        c.instance_class = Some(spec.instance_class.clone());
    }
    if seen.max_allocated_storage != spec.max_allocated_storage {
        out.push(Change::update(format!(
            "MaxAllocatedStorage: {} -> {}",
            text(seen.max_allocated_storage),
            text(spec.max_allocated_storage)
        )));
        c.max_allocated_storage = Some(spec.max_allocated_storage);
    }
    if seen.performance_insights != spec.performance_insights {
        out.push(Change::update(format!(
            "PerformanceInsights: {} -> {}",
            seen.performance_insights, spec.performance_insights
        )));
        c.performance_insights = Some(spec.performance_insights);
    }
    if seen.deletion_protection != spec.deletion_protection {
        out.push(Change::update(format!(
            "DeletionProtection: {} -> {}",
            seen.deletion_protection, spec.deletion_protection
        )));
        c.deletion_protection = Some(spec.deletion_protection);
    }
    let have_groups: BTreeSet<String> = seen.security_groups.iter().cloned().collect();
    match resolve_all(&spec.security_groups, ids) {
        Some(w) if w == have_groups => {}
        w => {
            out.push(Change::update(
                "VpcSecurityGroups: the stack's database group",
            ));
            c.security_groups = w.map(|w| w.into_iter().collect());
        }
    }
    match ids.get(&spec.parameter_group) {
        Some(g) if seen.parameter_group.as_deref() == Some(g) => {}
        g => {
            out.push(Change::update(format!(
                "DBParameterGroupName: {} -> {}",
                seen.parameter_group.as_deref().unwrap_or("none"),
                g.unwrap_or("the new group")
            )));
            c.parameter_group = g.map(str::to_string);
        }
    }
    if let Role::Primary(p) = &spec.role {
        primary_changes(spec, p, seen, ids, &mut out, &mut c);
    }
    (out, c)
}

fn text(v: Option<i32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "off".into())
}

fn primary_changes(
    spec: &DbInstanceSpec,
    p: &PrimarySpec,
    seen: &DbInstance,
    ids: &Ids,
    out: &mut Vec<Change>,
    c: &mut DbInstanceChange,
) {
    if seen.allocated_storage < p.allocated_storage
        && pending(seen, "AllocatedStorage") != Some(p.allocated_storage.to_string().as_str())
    {
        out.push(Change::update(format!(
            "AllocatedStorage: {} -> {}",
            seen.allocated_storage, p.allocated_storage
        )));
        c.allocated_storage = Some(p.allocated_storage);
    }
    if let Some(ch) = deferred(
        seen,
        "StorageType",
        seen.storage_type.clone(),
        p.storage_type.clone(),
    ) {
        out.push(ch);
        c.storage_type = Some(p.storage_type.clone());
    }
    if let Some(iops) = p.iops
        && let Some(ch) = deferred(seen, "Iops", text(seen.iops), iops.to_string())
    {
        out.push(ch);
        c.iops = Some(iops);
    }
    if let Some(ch) = deferred(
        seen,
        "MultiAZ",
        seen.multi_az.to_string(),
        p.multi_az.to_string(),
    ) {
        out.push(ch);
        c.multi_az = Some(p.multi_az);
    }
    let upgrade_pending = seen
        .pending
        .get("EngineVersion")
        .is_some_and(|v| same_version(&p.engine_version, v));
    if !same_version(&p.engine_version, &seen.engine_version) && !upgrade_pending {
        out.push(Change::update(format!(
            "EngineVersion: {} -> {}",
            seen.engine_version, p.engine_version
        )));
        c.engine_version = Some(p.engine_version.clone());
    }
    if seen.backup_retention_days != p.backup_retention_days
        && pending(seen, "BackupRetentionPeriod")
            != Some(p.backup_retention_days.to_string().as_str())
    {
        out.push(Change::update(format!(
            "BackupRetentionPeriod: {} -> {}",
            seen.backup_retention_days, p.backup_retention_days
        )));
        c.backup_retention_days = Some(p.backup_retention_days);
    }
    let same =
        |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(b));
    if !same(&seen.backup_window, &p.backup_window) {
        out.push(Change::update(format!(
            "PreferredBackupWindow: {} -> {}",
            seen.backup_window.as_deref().unwrap_or("none"),
            p.backup_window
        )));
        c.backup_window = Some(p.backup_window.clone());
    }
    if !same(&seen.maintenance_window, &p.maintenance_window) {
        out.push(Change::update(format!(
            "PreferredMaintenanceWindow: {} -> {}",
            seen.maintenance_window.as_deref().unwrap_or("none"),
            p.maintenance_window
        )));
        c.maintenance_window = Some(p.maintenance_window.to_lowercase());
    }
    let have: BTreeSet<&String> = seen.logs_exports.iter().collect();
    let want: BTreeSet<&String> = p.logs_exports.iter().collect();
    if have != want {
        out.push(Change::update(format!(
            "EnabledCloudwatchLogsExports: [{}] -> [{}]",
            seen.logs_exports.join(","),
            p.logs_exports.join(",")
        )));
        c.enable_logs = want.difference(&have).map(|s| s.to_string()).collect();
        c.disable_logs = have.difference(&want).map(|s| s.to_string()).collect();
    }
    let managed = seen.master_secret_arn.is_some();
    if p.password_given {
        if managed || password_version(seen) != spec.password_version {
            out.push(Change::update(format!(
                "MasterUserPassword: set from master_password_wo (version {} -> {})",
                password_version(seen)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "none".into()),
                spec.password_version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "none".into())
            )));
            c.password = p.password.clone();
        }
    } else if !managed {
        out.push(Change::update(
            "ManageMasterUserPassword: false -> true (RDS keeps the password in Secrets Manager)",
        ));
        c.manage_password_key = p.key.resolve(ids);
    }
}

/// Whether the storage key, name or user differ: RDS changes these only by
/// creating a new database.
fn replacing(p: &PrimarySpec, seen: &DbInstance, ids: &Ids) -> Vec<Change> {
    let mut out = Vec::new();
    if seen.replica_of.is_some() {
        out.push(Change::replace("it is a read replica, not a primary"));
    }
    let key = p.key.resolve(ids);
    if !seen.storage_encrypted || key.is_none() || seen.kms_key_id != key {
        out.push(Change::replace(format!(
            "storage key: {} -> {}",
            seen.kms_key_id.as_deref().unwrap_or("unencrypted"),
            key.as_deref().unwrap_or("a new key")
        )));
    }
    if seen.db_name.as_deref() != Some(p.db_name.as_str()) {
        out.push(Change::replace(format!(
            "database_name: {} -> {}",
            seen.db_name.as_deref().unwrap_or("none"),
            p.db_name
        )));
    }
    if seen.master_username.as_deref() != Some(p.master_username.as_str()) {
        out.push(Change::replace(format!(
            "master_username: {} -> {}",
            seen.master_username.as_deref().unwrap_or("none"),
            p.master_username
        )));
    }
    out
}

impl DbInstances {
    async fn wait_available(&self, identifier: &str) -> CloudResult<()> {
        until_active(Duration::from_secs(600), || async {
            Ok(progress(self.0.get_instance(identifier).await?.as_ref()))
        })
        .await
    }
}

#[async_trait]
impl Kind for DbInstances {
    type Spec = DbInstanceSpec;
    type Seen = DbInstance;
    const NAME: &'static str = "db";
    const NOUN: &'static str = "RDS instance";

    fn deps(spec: &DbInstanceSpec) -> Vec<Dep> {
        let mut deps: Vec<Dep> = spec
            .security_groups
            .iter()
            .cloned()
            .map(Dep::ready)
            .collect();
        deps.push(Dep::ready(spec.parameter_group.clone()));
        let key = match &spec.role {
            Role::Primary(p) => {
                deps.push(Dep::ready(p.subnet_group.clone()));
                &p.key
            }
            Role::Replica(r) => {
                deps.push(Dep::ready(r.source.clone()));
                &r.key
            }
        };
        if let KeyRef::Stack(k) = key {
            deps.push(Dep::ready(k.clone()));
        }
        deps
    }

    fn meta(seen: &DbInstance) -> Meta {
        let mut refs: Vec<String> = seen.security_groups.clone();
        refs.extend(seen.subnet_group.clone());
        refs.extend(seen.parameter_group.clone());
        refs.extend(seen.replica_of.clone());
        Meta {
            id: seen.identifier.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs,
        }
    }

    fn diff(spec: &DbInstanceSpec, seen: &DbInstance, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        if spec.identifier != seen.identifier {
            out.push(Change::replace(format!(
                "identifier: {} -> {}",
                seen.identifier, spec.identifier
            )));
        }
        match &spec.role {
            Role::Primary(p) => out.extend(replacing(p, seen, ids)),
            Role::Replica(r) => {
                if seen.replica_of.is_none()
                    || !ids.is(&r.source, seen.replica_of.as_deref().unwrap_or(""))
                {
                    out.push(Change::replace(format!(
                        "source: {} -> the primary",
                        seen.replica_of.as_deref().unwrap_or("none")
                    )));
                }
            }
        }
        if out.iter().any(|c| c.replaces) {
            return out;
        }
        if seen.status != "available" && SETTLING.contains(&seen.status.as_str()) {
            out.push(Change::update(format!(
                "status {}: wait until available",
                seen.status
            )));
        }
        out.extend(plan_change(spec, seen, ids).0);
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<DbInstance>> {
        self.0.list_instances(stack).await
    }

    async fn create(
        &self,
        spec: &DbInstanceSpec,
        ids: &Ids,
        tags: &Tags,
    ) -> CloudResult<DbInstance> {
        let groups = spec
            .security_groups
            .iter()
            .map(|k| ids.need(k))
            .collect::<CloudResult<Vec<_>>>()?;
        let parameter_group = ids.need(&spec.parameter_group)?;
        match &spec.role {
            Role::Primary(p) => {
                let key = match &p.key {
                    KeyRef::Stack(k) => ids.need(k)?,
                    KeyRef::Arn(a) => a.clone(),
                };
                let password = if p.password_given {
                    Some(MasterPassword::Given(p.password.clone().ok_or_else(|| {
                        CloudError::Service {
                            code: "PasswordUnknown".into(),
                            message: "database.master_password_wo: the password is not known in this apply (it is write-only: set it in the configuration)".into(),
                        }
                    })?))
                } else {
                    Some(MasterPassword::Managed {
                        kms_key: key.clone(),
                    })
                };
                let db = NewPrimary {
                    identifier: spec.identifier.clone(),
                    engine_version: p.engine_version.clone(),
                    instance_class: spec.instance_class.clone(),
                    allocated_storage: p.allocated_storage,
                    max_allocated_storage: spec.max_allocated_storage,
                    storage_type: p.storage_type.clone(),
                    iops: p.iops,
                    multi_az: p.multi_az,
                    kms_key_id: key,
                    backup_retention_days: p.backup_retention_days,
                    backup_window: p.backup_window.clone(),
                    maintenance_window: p.maintenance_window.to_lowercase(),
                    logs_exports: p.logs_exports.clone(),
                    performance_insights: spec.performance_insights,
                    deletion_protection: spec.deletion_protection,
                    db_name: p.db_name.clone(),
                    master_username: p.master_username.clone(),
                    password,
                    subnet_group: ids.need(&p.subnet_group)?,
                    security_groups: groups,
                    parameter_group,
                };
                self.0.create_primary(&db, tags).await
            }
            Role::Replica(r) => {
                let source = ids.need(&r.source)?;
                // A primary adopted from an interrupted apply may still be
                // creating: RDS refuses a replica of it until it is ready.
                self.wait_available(&source).await?;
                let replica = NewReplica {
                    identifier: spec.identifier.clone(),
                    source,
                    instance_class: spec.instance_class.clone(),
                    availability_zone: r.availability_zone.clone(),
                    performance_insights: spec.performance_insights,
                    kms_key_id: r.key.resolve(ids).unwrap_or_default(),
                    security_groups: groups,
                    parameter_group,
                    max_allocated_storage: spec.max_allocated_storage,
                    deletion_protection: spec.deletion_protection,
                };
                self.0.create_replica(&replica, tags).await
            }
        }
    }

    async fn update(&self, spec: &DbInstanceSpec, seen: &DbInstance, ids: &Ids) -> CloudResult<()> {
        if seen.status != "available" {
            self.wait_available(&seen.identifier).await?;
        }
        // Decide from a fresh read: what the wait revealed, what RDS now
        // holds as pending.
        let now = self
            .0
            .get_instance(&seen.identifier)
            .await?
            .ok_or_else(|| CloudError::NotFound {
                kind: "RDS instance",
                id: seen.identifier.clone(),
            })?;
        let (_, mut change) = plan_change(spec, &now, ids);
        if let Role::Primary(p) = &spec.role
            && p.password_given
            && change.password.is_none()
            && (now.master_secret_arn.is_some() || password_version(&now) != spec.password_version)
        {
            return Err(CloudError::Service {
                code: "PasswordUnknown".into(),
                message: "database.master_password_wo: the password is to be set but is not known in this apply (it is write-only: set it in the configuration)".into(),
            });
        }
        if let Some(true) = change.performance_insights {
            change.performance_insights_key = match &spec.role {
                Role::Primary(p) => p.key.resolve(ids),
                Role::Replica(r) => r.key.resolve(ids),
            };
        }
        if change.is_empty() {
            return Ok(());
        }
        self.0.modify_instance(&seen.identifier, &change).await
    }

    async fn retag(&self, seen: &DbInstance, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &DbInstance) -> CloudResult<()> {
        let snapshot = final_snapshot_of(seen);
        if seen.status != "available"
            && seen.status != "deleting"
            && SETTLING.contains(&seen.status.as_str())
        {
            self.wait_available(&seen.identifier).await?;
        }
        match self
            .0
            .delete_instance(&seen.identifier, snapshot.as_deref())
            .await
        {
            // RDS refuses to delete a primary while its replicas are
            // going: retried like any dependency.
            Err(CloudError::Service { code, message })
                if code == "InvalidDBInstanceState" && !seen.replicas.is_empty() =>
            {
                Err(CloudError::DependencyViolation(message))
            }
            other => other,
        }
    }

    fn expect(&self) -> Expect {
        Expect {
            ready: Duration::from_secs(600),
            gone: Duration::from_secs(300),
            updated: Duration::from_secs(120),
        }
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        Ok(progress(self.0.get_instance(id).await?.as_ref()))
    }

    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        Ok(match self.0.get_instance(id).await? {
            None => Progress::Done,
            Some(d) if d.status == "deleting" => Progress::Pending,
            Some(d) if BROKEN.contains(&d.status.as_str()) => Progress::Failed(format!(
                "RDS instance {} is {} and was not deleted",
                d.identifier, d.status
            )),
            Some(_) => Progress::Pending,
        })
    }

    fn retains(seen: &DbInstance) -> Vec<(String, String)> {
        match (final_snapshot_of(seen), &seen.kms_key_id) {
            (Some(s), Some(key)) => vec![(
                key.clone(),
                format!(
                    "encrypts the final snapshot {s} of RDS instance {}",
                    seen.identifier
                ),
            )],
            _ => Vec::new(),
        }
    }

    async fn refuse_delete(&self, seen: &DbInstance) -> CloudResult<Option<String>> {
        if seen.deletion_protection {
            return Ok(Some(format!(
                "RDS instance {} has deletion protection on: set database.deletion_protection = false and apply, then run this again. Nothing was deleted.",
                seen.identifier
            )));
        }
        if seen.replica_of.is_none()
            && let Some(s) = seen.tags.get(TAG_FINAL_SNAPSHOT)
            && s != NO_FINAL_SNAPSHOT
            && self.0.snapshot_exists(s).await?
        {
            return Ok(Some(format!(
                "the final snapshot of RDS instance {} would be named {s}, and a snapshot of that name exists: delete or copy it away first, or set database.skip_final_snapshot = true. Nothing was deleted.",
                seen.identifier
            )));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::same_version;

    #[test]
    fn a_minor_version_rds_upgraded_to_satisfies_the_one_asked_for() {
        assert!(same_version("16", "16.4"));
        assert!(same_version("16.4", "16.4"));
        assert!(
            same_version("16.4", "16.6"),
            "RDS's automatic minor upgrade is drift"
        );
        assert!(!same_version("16.6", "16.4"));
        assert!(!same_version("16", "17.1"));
        assert!(!same_version("16.4", "17.0"));
        assert!(!same_version("1", "16.4"));
    }
}
