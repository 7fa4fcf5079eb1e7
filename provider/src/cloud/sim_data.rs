//! RDS, Secrets Manager and S3 of the in-memory cloud: DB subnet and
//! parameter groups, DB instances (primaries and read replicas) and the
//! final snapshots they leave, secrets, buckets.
//!
//! Instances go through `creating`, `modifying` and `deleting` on the tokio
//! clock (times from the [`LatencyModel`]), checked whenever the world is
//! read; RDS refuses to change or delete one that is not `available`. What
//! a modification changes shows once it is over; the changes RDS defers to
//! the maintenance window (class, storage, IOPS, Multi-AZ, engine version)
//! wait in `pending` unless applied immediately, until
//! [`SimCloud::run_maintenance`]. A subnet group holds its subnets and an
//! instance its security groups (until gone), so EC2 refuses to delete
//! them. Passwords and secret values are never kept: only how many times
//! they were set.
//!
//! Secrets are deleted at once (no recovery window). Buckets live in a
//! global namespace: [`SimCloud::add_foreign_bucket`] makes a name another
//! account owns. A new bucket has S3's defaults since 2023: public access
//! blocked and ACLs off (`BucketOwnerEnforced`), SSE-S3 encryption.
//!
//! [`LatencyModel`]: super::LatencyModel

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    CloudError, CloudResult, Entry, KeyState, Map, SimCloud, Subnet, Tags, World, dependency, get,
    get_mut, in_stack, insert, not_found, retag_map, service,
};
use crate::cloud::data::{
    Bucket, DbInstance, DbInstanceChange, DbParameterGroup, DbSubnetGroup, Lifecycle,
    MasterPassword, NewPrimary, NewReplica, RdsApi, Secret, SecretsApi, Sensitive, StorageApi,
};

const REGION: &str = "us-east-1";
const RDS_ARN: &str = "arn:aws:rds:us-east-1:123456789012";
const SECRET_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret";
/// The part of an endpoint after the instance's identifier.
const ENDPOINT_DOMAIN: &str = "abc123.us-east-1.rds.amazonaws.com";
const PORT: i32 = 5432;
/// The log types RDS PostgreSQL exports to CloudWatch.
const LOG_TYPES: [&str; 3] = ["postgresql", "upgrade", "iam-db-auth-error"];
/// The windows RDS picks when none is given.
const DEFAULT_BACKUP_WINDOW: &str = "07:00-07:30";
const DEFAULT_MAINTENANCE_WINDOW: &str = "sun:05:00-sun:05:30";

const AVAILABLE: &str = "available";
const CREATING: &str = "creating";
const MODIFYING: &str = "modifying";
const DELETING: &str = "deleting";
const IN_SYNC: &str = "in-sync";
const PENDING_REBOOT: &str = "pending-reboot";

/// The modifications RDS holds for the maintenance window unless applied
/// immediately.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Deferred {
    instance_class: Option<String>,
    allocated_storage: Option<i32>,
    storage_type: Option<String>,
    iops: Option<i32>,
    multi_az: Option<bool>,
    engine_version: Option<String>,
    /// Only a change between 0 and some days (backups on or off) waits.
    backup_retention_days: Option<i32>,
    /// A new parameter group given with a deferred engine version goes
    /// with it (not listed in `pending`).
    parameter_group: Option<String>,
}

impl Deferred {
    /// Adds them, by their RDS names, to `PendingModifiedValues`.
    fn list(&self, pending: &mut BTreeMap<String, String>) {
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                pending.insert(name.to_string(), value);
            }
        };
        add("DBInstanceClass", self.instance_class.clone());
        add(
            "AllocatedStorage",
            self.allocated_storage.map(|v| v.to_string()),
        );
        add("StorageType", self.storage_type.clone());
        add("Iops", self.iops.map(|v| v.to_string()));
        add("MultiAZ", self.multi_az.map(|v| v.to_string()));
        add("EngineVersion", self.engine_version.clone());
        add(
            "BackupRetentionPeriod",
            self.backup_retention_days.map(|v| v.to_string()),
        );
    }

    /// Takes `later`'s values over these.
    fn merge(&mut self, later: Deferred) {
        fn take<T>(mine: &mut Option<T>, later: Option<T>) {
            if later.is_some() {
                *mine = later;
            }
        }
        take(&mut self.instance_class, later.instance_class);
        take(&mut self.allocated_storage, later.allocated_storage);
        take(&mut self.storage_type, later.storage_type);
        take(&mut self.iops, later.iops);
        take(&mut self.multi_az, later.multi_az);
        take(&mut self.engine_version, later.engine_version);
        take(&mut self.backup_retention_days, later.backup_retention_days);
        take(&mut self.parameter_group, later.parameter_group);
    }

    /// Applies them: a new class or engine version reboots the instance
    /// (its parameters are then in sync); a new parameter group alone waits
    /// for a reboot.
    fn apply(&self, db: &mut DbInstance) {
        if let Some(group) = &self.parameter_group {
            db.parameter_group = Some(group.clone());
            db.parameter_apply_status = Some(PENDING_REBOOT.into());
        }
        if let Some(class) = &self.instance_class {
            db.instance_class = class.clone();
        }
        if let Some(storage) = self.allocated_storage {
            db.allocated_storage = storage;
        }
        if let Some(kind) = &self.storage_type {
            db.storage_type = kind.clone();
        }
        if let Some(iops) = self.iops {
            db.iops = Some(iops);
        }
        if let Some(multi_az) = self.multi_az {
            db.multi_az = multi_az;
        }
        if let Some(version) = &self.engine_version {
            db.engine_version = version.clone();
        }
        if let Some(days) = self.backup_retention_days {
            db.backup_retention_days = days;
        }
        if self.instance_class.is_some() || self.engine_version.is_some() {
            db.parameter_apply_status = Some(IN_SYNC.into());
        }
    }

    /// Drops the values `db` already has.
    fn without_noops(mut self, db: &DbInstance) -> Deferred {
        fn same<T: PartialEq>(v: &mut Option<T>, have: &T) {
            if v.as_ref() == Some(have) {
                *v = None;
            }
        }
        same(&mut self.instance_class, &db.instance_class);
        same(&mut self.allocated_storage, &db.allocated_storage);
        same(&mut self.storage_type, &db.storage_type);
        if self.iops.is_some() && self.iops == db.iops {
            self.iops = None;
        }
        same(&mut self.multi_az, &db.multi_az);
        same(&mut self.engine_version, &db.engine_version);
        same(&mut self.backup_retention_days, &db.backup_retention_days);
        if self.parameter_group.is_some() && self.parameter_group == db.parameter_group {
            self.parameter_group = None;
        }
        self
    }

    fn is_empty(&self) -> bool {
        *self == Deferred::default()
    }
}

/// A DB instance as describes show it now, and what it becomes when the
/// transition it is in (if any) ends.
#[derive(Debug, Clone)]
struct SimDb {
    /// Now (`replicas` is filled in when read).
    db: DbInstance,
    /// Once `until` has passed (`creating` or `modifying`; its tags are
    /// `db`'s).
    next: Option<DbInstance>,
    /// When the transition ends (`deleting`: when it is gone).
    until: Instant,
    /// What waits for the maintenance window.
    deferred: Deferred,
    /// How many times a given master password was changed.
    password_changes: u32,
}

impl SimDb {
    fn deleting(&self) -> bool {
        self.db.status == DELETING
    }

    /// Enters `status` for `after`; `change` shows once it is over, and
    /// the instance is `available` again.
    fn begin(&mut self, status: &str, after: Duration, change: impl FnOnce(&mut DbInstance)) {
        let mut next = self.db.clone();
        change(&mut next);
        next.status = AVAILABLE.into();
        self.db.status = status.into();
        self.next = Some(next);
        self.until = Instant::now() + after;
    }

    /// Applies `f` now and to what a transition in progress makes of it.
    fn edit(&mut self, f: impl Fn(&mut DbInstance)) {
        f(&mut self.db);
        self.next.iter_mut().for_each(f);
    }

    /// Whether `f` holds of it now or once the transition is over.
    fn any(&self, f: impl Fn(&DbInstance) -> bool) -> bool {
        f(&self.db) || self.next.as_ref().is_some_and(f)
    }

    /// Moves on to `now`: false once gone.
    fn settle(&mut self, now: Instant) -> bool {
        if now < self.until {
            return true;
        }
        if self.deleting() {
            return false;
        }
        if let Some(mut next) = self.next.take() {
            std::mem::swap(&mut next.tags, &mut self.db.tags);
            self.db = next;
        }
        true
    }

    /// Refused unless `available`.
    fn available(&self) -> CloudResult<()> {
        if self.db.status == AVAILABLE {
            return Ok(());
        }
        Err(invalid_state(&self.db))
    }
}

/// A DB snapshot (a final one, left by a delete).
#[derive(Debug, Clone)]
struct Snapshot {
    arn: String,
    /// Not copied from the instance (CopyTagsToSnapshot is off).
    tags: Tags,
}

/// A secret: never its value, only how many versions it has.
#[derive(Debug, Clone)]
struct SimSecret {
    secret: Secret,
    versions: u32,
}

/// A bucket and its object versions (and delete markers), by key.
#[derive(Debug, Clone)]
struct SimBucket {
    bucket: Bucket,
    objects: BTreeMap<String, usize>,
}

/// The RDS, Secrets Manager and S3 part of the world.
#[derive(Debug, Default)]
pub(super) struct Data {
    /// By name.
    subnet_groups: Map<DbSubnetGroup>,
    /// By name.
    parameter_groups: Map<DbParameterGroup>,
    /// By identifier.
    instances: Map<SimDb>,
    /// By identifier.
    snapshots: Map<Snapshot>,
    /// By ARN.
    secrets: Map<SimSecret>,
    /// By name.
    buckets: Map<SimBucket>,
    /// Bucket names another account owns.
    foreign_buckets: BTreeSet<String>,
}

impl Data {
    /// Whether a subnet group holds the subnet `id`, or an instance not
    /// yet gone the security group `id`.
    pub(super) fn holds(&self, id: &str) -> bool {
        let has = |ids: &[String]| ids.iter().any(|s| s == id);
        self.subnet_groups.values().any(|g| has(&g.subnet_ids))
            || self
                .instances
                .values()
                .any(|d| d.any(|db| has(&db.security_groups)))
    }

    /// Whether an instance not yet gone uses the subnet group `name`.
    fn subnet_group_used(&self, name: &str) -> bool {
        let uses = |db: &DbInstance| db.subnet_group.as_deref() == Some(name);
        self.instances.values().any(|d| d.any(uses))
    }

    /// Whether an instance not yet gone uses, or will use, the parameter
    /// group `name`.
    fn parameter_group_used(&self, name: &str) -> bool {
        let uses = |db: &DbInstance| db.parameter_group.as_deref() == Some(name);
        let deferred = |d: &SimDb| d.deferred.parameter_group.as_deref() == Some(name);
        self.instances.values().any(|d| d.any(uses) || deferred(d))
    }

    /// The instance as a describe shows it, its replicas filled in.
    fn view(&self, sim: &SimDb) -> DbInstance {
        let mut db = sim.db.clone();
        let of = |r: &&SimDb| r.db.replica_of.as_deref() == Some(db.identifier.as_str());
        let replicas = self.instances.values().filter(of);
        db.replicas = replicas.map(|r| r.db.identifier.clone()).collect();
        db
    }

    /// The identifiers of the instance's replicas not yet gone.
    fn replicas_of(&self, identifier: &str) -> Vec<String> {
        let of = |r: &&SimDb| r.db.replica_of.as_deref() == Some(identifier);
        let replicas = self.instances.values().filter(of);
        replicas.map(|r| r.db.identifier.clone()).collect()
    }

    /// The tags of an RDS object (by ARN).
    fn rds_tags(&mut self, arn: &str) -> Option<&mut Tags> {
        if let Some(d) = self.instances.values_mut().find(|d| d.db.arn == arn) {
            return Some(&mut d.db.tags);
        }
        if let Some(g) = self.subnet_groups.values_mut().find(|g| g.arn == arn) {
            return Some(&mut g.tags);
        }
        if let Some(g) = self.parameter_groups.values_mut().find(|g| g.arn == arn) {
            return Some(&mut g.tags);
        }
        let snapshot = self.snapshots.values_mut().find(|s| s.arn == arn);
        snapshot.map(|s| &mut s.tags)
    }

    /// The secret `id` (ARN or name).
    fn secret_mut(&mut self, id: &str) -> CloudResult<&mut SimSecret> {
        let found = self.secrets.values_mut();
        let mut found = found.filter(|s| s.secret.arn == id || s.secret.name == id);
        found.next().ok_or_else(|| not_found("secret", id))
    }

    /// The tags of an RDS object or secret (ARN), or a bucket (name).
    pub(super) fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
        if self.buckets.contains_key(id) {
            return self.buckets.get_mut(id).map(|b| &mut b.bucket.tags);
        }
        if self.secrets.contains_key(id) {
            return self.secrets.get_mut(id).map(|s| &mut s.secret.tags);
        }
        self.rds_tags(id)
    }

    /// Removes the object `id` (a name or identifier, or an ARN), whatever
    /// uses it or is in it.
    pub(super) fn remove(&mut self, id: &str) {
        let lower = id.to_lowercase();
        self.instances.retain(|k, d| *k != lower && d.db.arn != id);
        self.subnet_groups.retain(|k, g| *k != lower && g.arn != id);
        self.parameter_groups
            .retain(|k, g| *k != lower && g.arn != id);
        self.snapshots.retain(|k, s| *k != lower && s.arn != id);
        self.secrets.retain(|k, s| k != id && s.secret.name != id);
        self.buckets.remove(id);
    }

    /// Inventory lines: RDS objects by name, secrets by ARN, buckets by
    /// name; instances until gone.
    pub(super) fn inventory(&self) -> impl Iterator<Item = Entry> + '_ {
        fn lines<'a, T>(
            kind: &'static str,
            map: &'a Map<T>,
            tags: impl Fn(&T) -> &Tags + 'a,
        ) -> impl Iterator<Item = Entry> + 'a {
            map.iter()
                .map(move |(id, o)| (kind, id.clone(), tags(o).clone()))
        }
        lines("db-subnet-group", &self.subnet_groups, |g| &g.tags)
            .chain(lines("db-parameter-group", &self.parameter_groups, |g| {
                &g.tags
            }))
            .chain(lines("db-instance", &self.instances, |d| &d.db.tags))
            .chain(lines("db-snapshot", &self.snapshots, |s| &s.tags))
            .chain(lines("secret", &self.secrets, |s| &s.secret.tags))
            .chain(lines("bucket", &self.buckets, |b| &b.bucket.tags))
    }
}

impl World {
    /// Moves RDS instances on to now; drops those gone.
    pub(super) fn settle_data(&mut self) {
        let now = Instant::now();
        self.data.instances.retain(|_, d| d.settle(now));
    }

    /// Records the creation of `arn` now (describes lag it); its creation
    /// time.
    pub(super) fn data_born(&mut self, arn: &str) -> Option<SystemTime> {
        self.next_id += 1;
        self.born.insert(arn.to_string(), Instant::now());
        let n = self.next_id;
        Some(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n))
    }

    /// A new sequence number.
    pub(super) fn data_serial(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Checks a subnet group's subnets: they exist, in one VPC, covering
    /// two zones at least. The VPC and the subnets without duplicates.
    fn db_subnets(&self, subnet_ids: &[String]) -> CloudResult<(String, Vec<String>)> {
        let mut ids: Vec<String> = Vec::new();
        for id in subnet_ids {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        let subnets: Vec<&Subnet> = ids
            .iter()
            .map(|id| {
                let missing = || service("InvalidSubnet", format!("Subnet {id} does not exist"));
                self.subnets.get(id).ok_or_else(missing)
            })
            .collect::<CloudResult<_>>()?;
        let vpc = subnets.first().map(|s| s.vpc_id.clone());
        if subnets.iter().any(|s| Some(&s.vpc_id) != vpc.as_ref()) {
            let message = "The subnets of a DB subnet group must be in the same VPC";
            return Err(service("InvalidSubnet", message));
        }
        let zones: BTreeSet<&str> = subnets
            .iter()
            .map(|s| s.availability_zone.as_str())
            .collect();
        if zones.len() < 2 {
            let covered: Vec<&str> = zones.into_iter().collect();
            let message = format!(
                "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. \
                 Current AZ coverage: {}. Add subnets to cover at least 2 AZs.",
                covered.join(", ")
            );
            return Err(service("DBSubnetGroupDoesNotCoverEnoughAZs", message));
        }
        Ok((vpc.unwrap_or_default(), ids))
    }

    /// The zones the subnet group `name` covers, and its VPC.
    fn db_zones(&self, name: &str) -> CloudResult<(String, Vec<String>)> {
        let missing = || {
            let message = format!("DBSubnetGroupName '{name}' not found.");
            service("DBSubnetGroupNotFoundFault", message)
        };
        let group = self.data.subnet_groups.get(name).ok_or_else(missing)?;
        let zones: BTreeSet<String> = group
            .subnet_ids
            .iter()
            .filter_map(|id| self.subnets.get(id))
            .map(|s| s.availability_zone.clone())
            .collect();
        Ok((group.vpc_id.clone(), zones.into_iter().collect()))
    }

    /// Checks that the parameter group `name` exists and fits the engine
    /// `version`; its name.
    fn db_parameter_group(&self, name: &str, version: &str) -> CloudResult<String> {
        let name = name.to_lowercase();
        let Some(group) = self.data.parameter_groups.get(&name) else {
            let message = format!("DBParameterGroup not found: {name}");
            return Err(service("DBParameterGroupNotFound", message));
        };
        let want = family(version).unwrap_or_default();
        if group.family != want {
            let message = format!(
                "The parameter group {name} with DBParameterGroupFamily {} can't be used for \
                 this instance. Use a parameter group with DBParameterGroupFamily {want}.",
                group.family
            );
            return Err(combination(message));
        }
        Ok(name)
    }

    /// Checks that the security groups exist, in `vpc`.
    fn db_security_groups(&self, ids: &[String], vpc: &str) -> CloudResult<()> {
        for id in ids {
            match self.groups.get(id) {
                None => {
                    let message = format!("Invalid security group, groupId= {id}, groupName=.");
                    return Err(service("InvalidParameterValue", message));
                }
                Some(g) if g.vpc_id != vpc => {
                    let message = format!(
                        "The DB instance and EC2 security group are in different VPCs. The DB \
                         instance is in {vpc} and the EC2 security group is in {}",
                        g.vpc_id
                    );
                    return Err(combination(message));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The ARN of the enabled KMS key `key` (id, ARN, alias or alias ARN),
    /// or `code` naming the failure.
    fn usable_key(&self, key: &str, code: &str) -> CloudResult<String> {
        let alias = key.split_once(":alias/").map(|(_, a)| format!("alias/{a}"));
        let alias = alias.as_deref().unwrap_or(key);
        let id = self.aliases.get(alias).map_or(key, String::as_str);
        let enabled =
            |k: &&crate::cloud::KmsKey| (k.id == id || k.arn == id) && k.state == KeyState::Enabled;
        match self.keys.values().find(enabled) {
            Some(k) => Ok(k.arn.clone()),
            None => {
                let message = format!(
                    "The specified KMS key [{key}] does not exist, is not enabled or you do not have permissions to access it."
                );
                Err(service(code, message))
            }
        }
    }

    /// Refuses an identifier already taken by an instance not yet gone.
    fn identifier_free(&self, identifier: &str) -> CloudResult<()> {
        if self.data.instances.contains_key(identifier) {
            let message = "DB instance already exists";
            return Err(service("DBInstanceAlreadyExists", message));
        }
        Ok(())
    }

    /// The instance `identifier` (any case).
    fn db_mut(&mut self, identifier: &str) -> CloudResult<&mut SimDb> {
        let id = identifier.to_lowercase();
        get_mut(&mut self.data.instances, "DB instance", &id)
    }
}

fn combination(message: impl Into<String>) -> CloudError {
    service("InvalidParameterCombination", message)
}

fn invalid_value(message: impl Into<String>) -> CloudError {
    service("InvalidParameterValue", message)
}

fn invalid_state(db: &DbInstance) -> CloudError {
    let message = format!(
        "Instance {} is in {} state, not available.",
        db.identifier, db.status
    );
    service("InvalidDBInstanceState", message)
}

/// A DB instance or snapshot identifier, lowercased: a letter, then up to
/// 62 letters, digits or hyphens, no two hyphens in a row, none last.
fn valid_identifier(kind: &str, id: &str) -> CloudResult<String> {
    let id = id.to_lowercase();
    let ok = id.len() <= 63
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.contains("--")
        && !id.ends_with('-');
    if !ok {
        let message = format!(
            "The parameter {kind} is not a valid identifier. Identifiers must begin with a \
             letter; must contain only ASCII letters, digits, and hyphens; and must not end \
             with a hyphen or contain two consecutive hyphens."
        );
        return Err(invalid_value(message));
    }
    Ok(id)
}

/// A subnet or parameter group name, lowercased (1 to 255 characters;
/// `default` is RDS's).
fn group_name(name: &str) -> CloudResult<String> {
    let name = name.to_lowercase();
    let allowed = |c: char| c.is_ascii_alphanumeric() || " ._-".contains(c);
    if name.is_empty() || name.len() > 255 || name == "default" || !name.chars().all(allowed) {
        return Err(invalid_value(format!("Invalid group name: {name}")));
    }
    Ok(name)
}

/// The engine version RDS runs for `version`: a major version alone gets
/// its default minor.
fn resolve_version(version: &str) -> CloudResult<String> {
    let unknown = || {
        let message = format!("Cannot find version {version} for postgres");
        combination(message)
    };
    let parts: Vec<u32> = version
        .split('.')
        .map(|p| p.parse().map_err(|_| unknown()))
        .collect::<CloudResult<_>>()?;
    match parts[..] {
        [major] if major >= 10 => {
            let minor = match major {
                17 => 2,
                16 => 4,
                15 => 8,
                14 => 13,
                13 => 16,
                _ => 1,
            };
            Ok(format!("{major}.{minor}"))
        }
        [_, _] | [_, _, _] => Ok(version.to_string()),
        _ => Err(unknown()),
    }
}

/// The parameter group family of a PostgreSQL version.
fn family(version: &str) -> Option<String> {
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    if major >= 10 {
        return Some(format!("postgres{major}"));
    }
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(format!("postgres{major}.{minor}"))
}

fn version_key(version: &str) -> Vec<u32> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn check_logs(logs: &[String]) -> CloudResult<()> {
    match logs.iter().find(|l| !LOG_TYPES.contains(&l.as_str())) {
        Some(l) => Err(combination(format!(
            "You cannot use the log type {l} with engine postgres"
        ))),
        None => Ok(()),
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = v.iter().collect();
    set.into_iter().cloned().collect()
}

fn check_retention(days: i32) -> CloudResult<()> {
    if !(0..=35).contains(&days) {
        let message = format!("Invalid backup retention period {days}: 0 to 35 days");
        return Err(invalid_value(message));
    }
    Ok(())
}

/// Storage RDS PostgreSQL accepts, and an autoscaling ceiling above it.
fn check_storage(storage: i32, ceiling: Option<i32>) -> CloudResult<()> {
    if !(20..=65536).contains(&storage) {
        let message = format!("Invalid storage size for engine name postgres: {storage}");
        return Err(invalid_value(message));
    }
    if ceiling.is_some_and(|m| m <= storage) {
        return Err(combination(
            "Max storage size must be greater than storage size",
        ));
    }
    Ok(())
}

/// A master password RDS accepts (never shown in errors).
fn check_password(password: &Sensitive) -> CloudResult<()> {
    let p = password.expose();
    let printable = |c: char| c.is_ascii_graphic() && !"/\"@".contains(c);
    if !(8..=128).contains(&p.len()) || !p.chars().all(printable) {
        return Err(invalid_value(
            "The parameter MasterUserPassword is not a valid password. Only printable ASCII \
             characters besides '/', '@', '\"', ' ' may be used, 8 to 128 of them.",
        ));
    }
    Ok(())
}

fn uuid(n: u64) -> String {
    format!(
        "{n:08x}-0000-4000-8000-{:012x}",
        n.wrapping_mul(0x9E37_79B9) & 0xFFFF_FFFF_FFFF
    )
}

/// The six characters Secrets Manager appends to a secret's name in its ARN.
fn suffix(n: u64) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..6)
        .map(|_| {
            let c = CHARS[(x % 62) as usize] as char;
            x /= 62;
            c
        })
        .collect()
}

/// The window, or RDS's default when empty (maintenance windows lowercase).
fn window(given: &str, default: &str) -> Option<String> {
    let w = if given.is_empty() { default } else { given };
    Some(w.to_lowercase())
}

#[async_trait]
impl RdsApi for SimCloud {
    async fn list_subnet_groups(&self, prefix: &str) -> CloudResult<Vec<DbSubnetGroup>> {
        self.enter("list_subnet_groups").await?;
        let w = self.world()?;
        let prefix = prefix.to_lowercase();
        let listed = |g: &&DbSubnetGroup| g.name.starts_with(&prefix) && w.visible(&g.arn);
        Ok(w.data
            .subnet_groups
            .values()
            .filter(listed)
            .cloned()
            .collect())
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &Tags,
    ) -> CloudResult<DbSubnetGroup> {
        self.mutate("create_subnet_group", |w| {
            let name = group_name(name)?;
            if w.data.subnet_groups.contains_key(&name) {
                let message = format!("The DB subnet group '{name}' already exists.");
                return Err(service("DBSubnetGroupAlreadyExists", message));
            }
            let (vpc_id, subnet_ids) = w.db_subnets(subnet_ids)?;
            let arn = format!("{RDS_ARN}:subgrp:{name}");
            w.data_born(&arn);
            let group = DbSubnetGroup {
                name: name.clone(),
                arn,
                description: description.to_string(),
                vpc_id,
                subnet_ids,
                tags: tags.clone(),
            };
            Ok(insert(&mut w.data.subnet_groups, name, group))
        })
        .await
    }

    async fn modify_subnet_group(&self, name: &str, subnet_ids: &[String]) -> CloudResult<()> {
        self.mutate("modify_subnet_group", |w| {
            let name = name.to_lowercase();
            let group = get(&w.data.subnet_groups, "DB subnet group", &name)?;
            let (vpc_id, subnet_ids) = w.db_subnets(subnet_ids)?;
            if w.data.subnet_group_used(&name) {
                if vpc_id != group.vpc_id {
                    let message = "The new Subnets are not in the same Vpc as the existing \
                                   subnet group";
                    return Err(invalid_value(message));
                }
                let zones: BTreeSet<&str> = subnet_ids
                    .iter()
                    .filter_map(|id| w.subnets.get(id))
                    .map(|s| s.availability_zone.as_str())
                    .collect();
                let uses = |d: &&SimDb| d.db.subnet_group.as_deref() == Some(name.as_str());
                let mut users = w.data.instances.values().filter(uses);
                let stranded = users.any(|d| {
                    d.db.availability_zone
                        .as_deref()
                        .is_some_and(|z| !zones.contains(z))
                });
                if stranded {
                    let message = "Some of the subnets to be deleted are currently in use.";
                    return Err(service("SubnetAlreadyInUse", message));
                }
            }
            let group = get_mut(&mut w.data.subnet_groups, "DB subnet group", &name)?;
            (group.vpc_id, group.subnet_ids) = (vpc_id, subnet_ids);
            Ok(())
        })
        .await
    }

    async fn delete_subnet_group(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_subnet_group", |w| {
            let name = name.to_lowercase();
            get(&w.data.subnet_groups, "DB subnet group", &name)?;
            if w.data.subnet_group_used(&name) {
                return Err(dependency(format!(
                    "Cannot delete the subnet group '{name}' because at least one database \
                     instance: is still using it."
                )));
            }
            w.data.subnet_groups.remove(&name);
            Ok(())
        })
        .await
    }

    async fn list_parameter_groups(&self, prefix: &str) -> CloudResult<Vec<DbParameterGroup>> {
        self.enter("list_parameter_groups").await?;
        let w = self.world()?;
        let prefix = prefix.to_lowercase();
        let listed = |g: &&DbParameterGroup| g.name.starts_with(&prefix) && w.visible(&g.arn);
        Ok(w.data
            .parameter_groups
            .values()
            .filter(listed)
            .cloned()
            .collect())
    }

    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        description: &str,
        tags: &Tags,
    ) -> CloudResult<DbParameterGroup> {
        self.mutate("create_parameter_group", |w| {
            let name = group_name(name)?;
            if w.data.parameter_groups.contains_key(&name) {
                let message = format!("Parameter group {name} already exists");
                return Err(service("DBParameterGroupAlreadyExists", message));
            }
            if !known_family(family) {
                let message = format!("DBParameterGroupFamily {family} is not supported");
                return Err(invalid_value(message));
            }
            let arn = format!("{RDS_ARN}:pg:{name}");
            w.data_born(&arn);
            let group = DbParameterGroup {
                name: name.clone(),
                arn,
                family: family.to_string(),
                description: description.to_string(),
                parameters: BTreeMap::new(),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.data.parameter_groups, name, group))
        })
        .await
    }

    async fn modify_parameters(
        &self,
        name: &str,
        set: &BTreeMap<String, String>,
        reset: &[String],
    ) -> CloudResult<()> {
        self.mutate("modify_parameters", |w| {
            let name = name.to_lowercase();
            let group = get_mut(&mut w.data.parameter_groups, "DB parameter group", &name)?;
            let before = group.parameters.clone();
            for p in reset {
                group.parameters.remove(p);
            }
            group.parameters.extend(set.clone());
            if group.parameters == before {
                return Ok(());
            }
            for d in w.data.instances.values_mut() {
                d.edit(|db| {
                    if db.parameter_group.as_deref() == Some(name.as_str()) {
                        db.parameter_apply_status = Some(PENDING_REBOOT.into());
                    }
                });
            }
            Ok(())
        })
        .await
    }

    async fn delete_parameter_group(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_parameter_group", |w| {
            let name = name.to_lowercase();
            get(&w.data.parameter_groups, "DB parameter group", &name)?;
            if w.data.parameter_group_used(&name) {
                return Err(dependency(format!(
                    "One or more database instances are still members of the parameter group \
                     {name}"
                )));
            }
            w.data.parameter_groups.remove(&name);
            Ok(())
        })
        .await
    }

    async fn list_instances(&self, stack: &str) -> CloudResult<Vec<DbInstance>> {
        self.enter("list_instances").await?;
        let w = self.world()?;
        let listed =
            |d: &&SimDb| !d.deleting() && in_stack(&d.db.tags, stack) && w.visible(&d.db.arn);
        let data = &w.data;
        Ok(data
            .instances
            .values()
            .filter(listed)
            .map(|d| data.view(d))
            .collect())
    }

    async fn get_instance(&self, identifier: &str) -> CloudResult<Option<DbInstance>> {
        self.enter("get_instance").await?;
        let w = self.world()?;
        let found = w.data.instances.get(&identifier.to_lowercase());
        Ok(found.map(|d| w.data.view(d)))
    }

    async fn create_primary(&self, new: &NewPrimary, tags: &Tags) -> CloudResult<DbInstance> {
        let after = if new.multi_az {
            self.latency.db_multi_az_ready_after
        } else {
            self.latency.db_ready_after
        };
        self.mutate("create_primary", |w| {
            let id = valid_identifier("DBInstanceIdentifier", &new.identifier)?;
            w.identifier_free(&id)?;
            let version = resolve_version(&new.engine_version)?;
            let subnet_group = new.subnet_group.to_lowercase();
            let (vpc, zones) = w.db_zones(&subnet_group)?;
            let parameter_group = w.db_parameter_group(&new.parameter_group, &version)?;
            w.db_security_groups(&new.security_groups, &vpc)?;
            check_storage(new.allocated_storage, new.max_allocated_storage)?;
            check_retention(new.backup_retention_days)?;
            check_logs(&new.logs_exports)?;
            if new.master_username.is_empty() {
                return Err(invalid_value("MasterUsername is required"));
            }
            let kms_key_id = match new.kms_key_id.as_str() {
                "" => None,
                key => Some(w.usable_key(key, "KMSKeyNotAccessibleFault")?),
            };
            let master_secret_arn = match &new.password {
                None => {
                    let message = "A MasterUserPassword or ManageMasterUserPassword is required";
                    return Err(combination(message));
                }
                Some(MasterPassword::Given(p)) => {
                    check_password(p)?;
                    None
                }
                Some(MasterPassword::Managed { kms_key }) => {
                    if !kms_key.is_empty() {
                        w.usable_key(kms_key, "KMSKeyNotAccessibleFault")?;
                    }
                    let n = w.data_serial();
                    Some(format!("{SECRET_ARN}:rds!db-{}-{}", uuid(n), suffix(n)))
                }
            };
            let arn = format!("{RDS_ARN}:db:{id}");
            let db = DbInstance {
                identifier: id.clone(),
                status: CREATING.into(),
                engine: "postgres".into(),
                engine_version: version,
                instance_class: new.instance_class.clone(),
                allocated_storage: new.allocated_storage,
                max_allocated_storage: new.max_allocated_storage,
                storage_type: new.storage_type.clone(),
                iops: new.iops,
                multi_az: new.multi_az,
                storage_encrypted: kms_key_id.is_some(),
                kms_key_id,
                backup_retention_days: new.backup_retention_days,
                backup_window: window(&new.backup_window, DEFAULT_BACKUP_WINDOW),
                maintenance_window: window(&new.maintenance_window, DEFAULT_MAINTENANCE_WINDOW),
                logs_exports: sorted(&new.logs_exports),
                performance_insights: new.performance_insights,
                deletion_protection: new.deletion_protection,
                db_name: Some(new.db_name.clone()).filter(|n| !n.is_empty()),
                master_username: Some(new.master_username.clone()),
                subnet_group: Some(subnet_group),
                security_groups: new.security_groups.clone(),
                parameter_group: Some(parameter_group),
                parameter_apply_status: Some(IN_SYNC.into()),
                publicly_accessible: false,
                availability_zone: zones.first().cloned(),
                master_secret_arn,
                tags: tags.clone(),
                created: w.data_born(&arn),
                arn,
                ..DbInstance::default()
            };
            let mut sim = SimDb {
                db: db.clone(),
                next: None,
                until: Instant::now(),
                deferred: Deferred::default(),
                password_changes: 0,
            };
            sim.begin(CREATING, after, |db| {
                db.endpoint = Some(format!("{id}.{ENDPOINT_DOMAIN}"));
                db.port = Some(PORT);
            });
            w.data.instances.insert(id, sim);
            Ok(db)
        })
        .await
    }

    async fn create_replica(&self, new: &NewReplica, tags: &Tags) -> CloudResult<DbInstance> {
        let after = self.latency.replica_ready_after;
        self.mutate("create_replica", |w| {
            let id = valid_identifier("DBInstanceIdentifier", &new.identifier)?;
            w.identifier_free(&id)?;
            let source_id = new.source.to_lowercase();
            let source = get(&w.data.instances, "DB instance", &source_id)?;
            source.available()?;
            let source = source.db.clone();
            if source.backup_retention_days == 0 {
                let message = format!(
                    "Automated backups are not enabled for this database instance: {source_id}"
                );
                return Err(service("InvalidDBInstanceState", message));
            }
            let subnet_group = source.subnet_group.clone().unwrap_or_default();
            let (vpc, zones) = w.db_zones(&subnet_group)?;
            let version = &source.engine_version;
            let parameter_group = w.db_parameter_group(&new.parameter_group, version)?;
            w.db_security_groups(&new.security_groups, &vpc)?;
            if let Some(zone) = &new.availability_zone
                && !zones.contains(zone)
            {
                let message = format!(
                    "No subnets found for the DB subnet group {subnet_group} in availability \
                     zone {zone}"
                );
                return Err(combination(message));
            }
            if new
                .max_allocated_storage
                .is_some_and(|m| m <= source.allocated_storage)
            {
                return Err(combination(
                    "Max storage size must be greater than storage size",
                ));
            }
            if new.performance_insights && !new.kms_key_id.is_empty() {
                w.usable_key(&new.kms_key_id, "KMSKeyNotAccessibleFault")?;
            }
            let arn = format!("{RDS_ARN}:db:{id}");
            let db = DbInstance {
                identifier: id.clone(),
                status: CREATING.into(),
                instance_class: new.instance_class.clone(),
                max_allocated_storage: new.max_allocated_storage,
                multi_az: false,
                backup_retention_days: 0,
                performance_insights: new.performance_insights,
                deletion_protection: new.deletion_protection,
                subnet_group: Some(subnet_group),
                security_groups: new.security_groups.clone(),
                parameter_group: Some(parameter_group),
                parameter_apply_status: Some(IN_SYNC.into()),
                availability_zone: new
                    .availability_zone
                    .clone()
                    .or(source.availability_zone.clone()),
                replica_of: Some(source_id),
                replicas: Vec::new(),
                endpoint: None,
                port: None,
                master_secret_arn: None,
                pending: BTreeMap::new(),
                tags: tags.clone(),
                created: w.data_born(&arn),
                arn,
                ..source
            };
            let mut sim = SimDb {
                db: db.clone(),
                next: None,
                until: Instant::now(),
                deferred: Deferred::default(),
                password_changes: 0,
            };
            sim.begin(CREATING, after, |db| {
                db.endpoint = Some(format!("{id}.{ENDPOINT_DOMAIN}"));
                db.port = Some(PORT);
            });
            w.data.instances.insert(id, sim);
            Ok(db)
        })
        .await
    }

    async fn modify_instance(
        &self,
        identifier: &str,
        change: &DbInstanceChange,
    ) -> CloudResult<()> {
        let after = self.latency.db_modify_after;
        self.mutate("modify_instance", |w| {
            let id = identifier.to_lowercase();
            let sim = get(&w.data.instances, "DB instance", &id)?;
            sim.available()?;
            let db = sim.db.clone();
            let has_replicas = !w.data.replicas_of(&id).is_empty();
            let version = match &change.engine_version {
                Some(v) => {
                    let v = resolve_version(v)?;
                    if version_key(&v) < version_key(&db.engine_version) {
                        let message =
                            format!("Cannot upgrade postgres from {} to {v}", db.engine_version);
                        return Err(combination(message));
                    }
                    Some(v)
                }
                None => None,
            };
            let target_version = version.clone().unwrap_or(db.engine_version.clone());
            let group = match &change.parameter_group {
                Some(g) => Some(w.db_parameter_group(g, &target_version)?),
                None if family(&target_version) != family(&db.engine_version) => {
                    let name = db.parameter_group.clone().unwrap_or_default();
                    w.db_parameter_group(&name, &target_version)?;
                    None
                }
                None => None,
            };
            if let Some(groups) = &change.security_groups {
                let vpc = w
                    .db_zones(db.subnet_group.as_deref().unwrap_or_default())?
                    .0;
                w.db_security_groups(groups, &vpc)?;
            }
            let storage = change.allocated_storage.unwrap_or(db.allocated_storage);
            if storage < db.allocated_storage {
                return Err(invalid_value(format!(
                    "Invalid storage size {storage}: storage can only be increased"
                )));
            }
            let ceiling = change
                .max_allocated_storage
                .unwrap_or(db.max_allocated_storage);
            check_storage(storage, ceiling)?;
            if let Some(days) = change.backup_retention_days {
                check_retention(days)?;
                if days == 0 && has_replicas {
                    return Err(combination(
                        "Cannot disable automated backups on an instance with read replicas",
                    ));
                }
            }
            check_logs(&change.enable_logs)?;
            check_logs(&change.disable_logs)?;
            if change.performance_insights == Some(true)
                && let Some(key) = &change.performance_insights_key
                && !key.is_empty()
            {
                w.usable_key(key, "KMSKeyNotAccessibleFault")?;
            }
            if let Some(p) = &change.password {
                check_password(p)?;
            }
            // Turning RDS's management of the password on makes its secret;
            // a given password turns it off (the secret goes).
            let secret = match &change.manage_password_key {
                Some(_) if change.password.is_some() => {
                    return Err(combination(
                        "You can't specify both MasterUserPassword and ManageMasterUserPassword",
                    ));
                }
                Some(key) => {
                    if !key.is_empty() {
                        w.usable_key(key, "KMSKeyNotAccessibleFault")?;
                    }
                    let have = db.master_secret_arn.clone();
                    let n = w.data_serial();
                    let arn = format!("{SECRET_ARN}:rds!db-{}-{}", uuid(n), suffix(n));
                    Some(have.or(Some(arn)))
                }
                None if change.password.is_some() => Some(None),
                None => None,
            };

            // A new parameter group given with a new engine version waits
            // for it; otherwise it applies now.
            let group = group.filter(|g| db.parameter_group.as_deref() != Some(g.as_str()));
            let upgrade = version.as_ref().is_some_and(|v| *v != db.engine_version);
            let (group, deferred_group) = if upgrade && !change.apply_immediately {
                (None, group)
            } else {
                (group, None)
            };
            // Turning backups on or off waits; other retention changes do not.
            let switch = |days: &i32| (*days == 0) != (db.backup_retention_days == 0);
            let retention = change.backup_retention_days;
            let (retention, deferred_retention) = match retention {
                Some(days) if switch(&days) => (None, Some(days)),
                _ => (retention, None),
            };
            let deferred = Deferred {
                instance_class: change.instance_class.clone(),
                allocated_storage: change.allocated_storage,
                storage_type: change.storage_type.clone(),
                iops: change.iops,
                multi_az: change.multi_az,
                engine_version: version,
                backup_retention_days: deferred_retention,
                parameter_group: deferred_group,
            };
            let mut logs: BTreeSet<String> = db.logs_exports.iter().cloned().collect();
            logs.extend(change.enable_logs.iter().cloned());
            logs.retain(|l| !change.disable_logs.contains(l));
            let logs: Vec<String> = logs.into_iter().collect();
            let now = |db: &mut DbInstance| {
                if let Some(p) = change.deletion_protection {
                    db.deletion_protection = p;
                }
                if let Some(window) = &change.backup_window {
                    db.backup_window = Some(window.clone());
                }
                if let Some(window) = &change.maintenance_window {
                    db.maintenance_window = Some(window.to_lowercase());
                }
            };
            let later = |db: &mut DbInstance| {
                if let Some(days) = retention {
                    db.backup_retention_days = days;
                }
                if let Some(ceiling) = change.max_allocated_storage {
                    db.max_allocated_storage = ceiling;
                }
                db.logs_exports = logs.clone();
                if let Some(on) = change.performance_insights {
                    db.performance_insights = on;
                }
                if let Some(groups) = &change.security_groups {
                    db.security_groups = groups.clone();
                }
                if let Some(group) = &group {
                    db.parameter_group = Some(group.clone());
                    db.parameter_apply_status = Some(PENDING_REBOOT.into());
                }
                if let Some(secret) = &secret {
                    db.master_secret_arn = secret.clone();
                }
            };
            let mut probe = db.clone();
            later(&mut probe);
            let mut modifying = probe != db || change.password.is_some();

            let sim = w.db_mut(&id)?;
            sim.edit(now);
            if change.password.is_some() {
                sim.password_changes += 1;
            }
            // Applying immediately applies what was pending too.
            let mut held = std::mem::take(&mut sim.deferred);
            held.merge(deferred);
            let held = held.without_noops(&db);
            let apply = if change.apply_immediately {
                modifying |= !held.is_empty();
                held
            } else {
                sim.deferred = held;
                Deferred::default()
            };
            // While it is modifying, what is being applied shows as pending.
            let mut pending = BTreeMap::new();
            sim.deferred.list(&mut pending);
            sim.edit(|db| db.pending = pending.clone());
            if modifying {
                sim.begin(MODIFYING, after, |db| {
                    later(db);
                    apply.apply(db);
                });
                apply.list(&mut pending);
                if change.password.is_some() {
                    pending.insert("MasterUserPassword".into(), "(sensitive)".into());
                }
                sim.db.pending = pending;
            }
            Ok(())
        })
        .await
    }

    async fn delete_instance(
        &self,
        identifier: &str,
        final_snapshot: Option<&str>,
    ) -> CloudResult<()> {
        let after = self.latency.db_gone_after;
        self.mutate("delete_instance", |w| {
            let id = identifier.to_lowercase();
            let sim = get(&w.data.instances, "DB instance", &id)?;
            if sim.deleting() {
                let message = format!("Instance {id} is already being deleted.");
                return Err(service("InvalidDBInstanceState", message));
            }
            if sim.db.deletion_protection {
                let message = "Cannot delete protected DB Instance, please disable deletion \
                               protection and try again.";
                return Err(combination(message));
            }
            sim.available()?;
            let replicas = w.data.replicas_of(&id);
            if !replicas.is_empty() {
                let message = format!(
                    "Cannot delete instance {id} while it has read replicas: {}",
                    replicas.join(", ")
                );
                return Err(service("InvalidDBInstanceState", message));
            }
            let replica = sim.db.replica_of.is_some();
            if let Some(name) = final_snapshot {
                if replica {
                    let message = "FinalDBSnapshotIdentifier can not be specified when deleting \
                                   a replica instance";
                    return Err(combination(message));
                }
                let name = valid_identifier("FinalDBSnapshotIdentifier", name)?;
                if w.data.snapshots.contains_key(&name) {
                    let message = format!("Cannot create the snapshot because a snapshot with the identifier {name} already exists.");
                    return Err(service("DBSnapshotAlreadyExists", message));
                }
                let arn = format!("{RDS_ARN}:snapshot:{name}");
                w.data_born(&arn);
                let snapshot = Snapshot {
                    arn,
                    tags: Tags::new(),
                };
                w.data.snapshots.insert(name, snapshot);
            }
            let sim = w.db_mut(&id)?;
            sim.db.status = DELETING.into();
            sim.next = None;
            sim.until = Instant::now() + after;
            Ok(())
        })
        .await
    }

    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("rds_retag", |w| {
            if let Some(d) = w.data.instances.values_mut().find(|d| d.db.arn == arn) {
                d.edit(|db| retag_map(&mut db.tags, set, remove));
                return Ok(());
            }
            let tags = w.data.rds_tags(arn);
            retag_map(
                tags.ok_or_else(|| not_found("RDS resource", arn))?,
                set,
                remove,
            );
            Ok(())
        })
        .await
    }

    async fn snapshot_exists(&self, identifier: &str) -> CloudResult<bool> {
        self.enter("snapshot_exists").await?;
        let w = self.world()?;
        Ok(w.data.snapshots.contains_key(&identifier.to_lowercase()))
    }
}

/// Whether RDS knows the parameter group family (`postgres16`,
/// `postgres9.6`).
fn known_family(name: &str) -> bool {
    let version = name.strip_prefix("postgres").unwrap_or_default();
    family(version).is_some_and(|f| f == name)
}

#[async_trait]
impl SecretsApi for SimCloud {
    async fn list_secrets(&self, stack: &str) -> CloudResult<Vec<Secret>> {
        self.enter("list_secrets").await?;
        let w = self.world()?;
        let listed = |s: &&SimSecret| in_stack(&s.secret.tags, stack) && w.visible(&s.secret.arn);
        let secrets = w.data.secrets.values().filter(listed);
        Ok(secrets.map(|s| s.secret.clone()).collect())
    }

    async fn create_secret(
        &self,
        name: &str,
        description: &str,
        kms_key: &str,
        _value: &Sensitive,
        tags: &Tags,
    ) -> CloudResult<Secret> {
        self.mutate("create_secret", |w| {
            if w.data.secrets.values().any(|s| s.secret.name == name) {
                let message =
                    format!("The operation failed because the secret {name} already exists.");
                return Err(service("ResourceExistsException", message));
            }
            let kms_key_id = match kms_key {
                "" => None,
                key => Some(w.usable_key(key, "KMSInvalidStateException")?),
            };
            let n = w.data_serial();
            let arn = format!("{SECRET_ARN}:{name}-{}", suffix(n));
            let secret = Secret {
                name: name.to_string(),
                kms_key_id,
                description: description.to_string(),
                tags: tags.clone(),
                created: w.data_born(&arn),
                arn: arn.clone(),
            };
            let sim = SimSecret {
                secret: secret.clone(),
                versions: 1,
            };
            w.data.secrets.insert(arn, sim);
            Ok(secret)
        })
        .await
    }

    async fn put_secret_value(&self, arn: &str, _value: &Sensitive) -> CloudResult<()> {
        self.mutate("put_secret_value", |w| {
            w.data.secret_mut(arn)?.versions += 1;
            Ok(())
        })
        .await
    }

    async fn set_secret_key(&self, arn: &str, kms_key: &str) -> CloudResult<()> {
        self.mutate("set_secret_key", |w| {
            let key = match kms_key {
                "" => None,
                key => Some(w.usable_key(key, "KMSInvalidStateException")?),
            };
            w.data.secret_mut(arn)?.secret.kms_key_id = key;
            Ok(())
        })
        .await
    }

    async fn retag_secret(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_secret", |w| {
            retag_map(&mut w.data.secret_mut(arn)?.secret.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_secret(&self, arn: &str) -> CloudResult<()> {
        self.mutate("delete_secret", |w| {
            let arn = w.data.secret_mut(arn)?.secret.arn.clone();
            w.data.secrets.remove(&arn);
            Ok(())
        })
        .await
    }
}

/// A bucket name S3 accepts: 3 to 63 lowercase letters, digits, dots and
/// hyphens, a letter or digit at both ends.
fn check_bucket_name(name: &str) -> CloudResult<()> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let ok = (3..=63).contains(&name.len())
        && name.chars().all(allowed)
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..");
    if !ok {
        let message = format!("The specified bucket is not valid: {name}");
        return Err(service("InvalidBucketName", message));
    }
    Ok(())
}

impl World {
    fn bucket_mut(&mut self, name: &str) -> CloudResult<&mut SimBucket> {
        get_mut(&mut self.data.buckets, "bucket", name)
    }
}

#[async_trait]
impl StorageApi for SimCloud {
    async fn list_buckets(&self, stack: &str) -> CloudResult<Vec<Bucket>> {
        self.enter("list_buckets").await?;
        let w = self.world()?;
        let listed = |b: &&SimBucket| in_stack(&b.bucket.tags, stack) && w.visible(&b.bucket.arn());
        let buckets = w.data.buckets.values().filter(listed);
        Ok(buckets.map(|b| b.bucket.clone()).collect())
    }

    async fn create_bucket(&self, name: &str, tags: &Tags) -> CloudResult<Bucket> {
        self.mutate("create_bucket", |w| {
            check_bucket_name(name)?;
            if w.data.foreign_buckets.contains(name) {
                let message = "The requested bucket name is not available. The bucket namespace \
                               is shared by all users of the system. Please select a different \
                               name and try again.";
                return Err(service("BucketAlreadyExists", message));
            }
            if let Some(b) = w.data.buckets.get(name) {
                return Ok(b.bucket.clone());
            }
            let mut bucket = Bucket {
                name: name.to_string(),
                region: REGION.into(),
                public_access_blocked: true,
                ownership_enforced: true,
                tags: tags.clone(),
                ..Bucket::default()
            };
            bucket.created = w.data_born(&bucket.arn());
            let sim = SimBucket {
                bucket: bucket.clone(),
                objects: BTreeMap::new(),
            };
            w.data.buckets.insert(name.to_string(), sim);
            Ok(bucket)
        })
        .await
    }

    async fn enable_versioning(&self, name: &str) -> CloudResult<()> {
        self.mutate("enable_versioning", |w| {
            w.bucket_mut(name)?.bucket.versioning = true;
            Ok(())
        })
        .await
    }

    async fn set_encryption(&self, name: &str, kms_key: &str) -> CloudResult<()> {
        self.mutate("set_encryption", |w| {
            let bucket = &mut w.bucket_mut(name)?.bucket;
            bucket.kms_key = Some(kms_key.to_string());
            bucket.bucket_key = true;
            Ok(())
        })
        .await
    }

    async fn block_public_access(&self, name: &str) -> CloudResult<()> {
        self.mutate("block_public_access", |w| {
            w.bucket_mut(name)?.bucket.public_access_blocked = true;
            Ok(())
        })
        .await
    }

    async fn enforce_ownership(&self, name: &str) -> CloudResult<()> {
        self.mutate("enforce_ownership", |w| {
            w.bucket_mut(name)?.bucket.ownership_enforced = true;
            Ok(())
        })
        .await
    }

    async fn set_policy(&self, name: &str, policy: &str) -> CloudResult<()> {
        self.mutate("set_policy", |w| {
            let bucket = &mut w.bucket_mut(name)?.bucket;
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(policy);
            if !parsed.is_ok_and(|p| p.get("Statement").is_some()) {
                return Err(service("MalformedPolicy", "Policies must be valid JSON"));
            }
            bucket.policy = Some(policy.to_string());
            Ok(())
        })
        .await
    }

    async fn delete_policy(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_policy", |w| {
            w.bucket_mut(name)?.bucket.policy = None;
            Ok(())
        })
        .await
    }

    async fn set_lifecycle(&self, name: &str, lifecycle: &Lifecycle) -> CloudResult<()> {
        self.mutate("set_lifecycle", |w| {
            let bucket = &mut w.bucket_mut(name)?.bucket;
            let days = [
                lifecycle.noncurrent_version_expiration_days,
                lifecycle.transition_to_ia_days,
                lifecycle.abort_incomplete_multipart_upload_days,
            ];
            if days.iter().any(|d| *d < 0) {
                return Err(service("InvalidArgument", "Days must be positive"));
            }
            if (1..30).contains(&lifecycle.transition_to_ia_days) {
                let message = "Days in Transition action must be greater than or equal to 30 \
                               for storageClass STANDARD_IA";
                return Err(service("InvalidArgument", message));
            }
            // S3 has no rule without an action: all off is no configuration.
            bucket.lifecycle = (*lifecycle != Lifecycle::default()).then(|| lifecycle.clone());
            Ok(())
        })
        .await
    }

    async fn retag_bucket(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_bucket", |w| {
            retag_map(&mut w.bucket_mut(name)?.bucket.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn bucket_has_objects(&self, name: &str) -> CloudResult<bool> {
        self.enter("bucket_has_objects").await?;
        let w = self.world()?;
        Ok(!get(&w.data.buckets, "bucket", name)?.objects.is_empty())
    }

    async fn empty_bucket(&self, name: &str) -> CloudResult<()> {
        self.mutate("empty_bucket", |w| {
            w.bucket_mut(name)?.objects.clear();
            Ok(())
        })
        .await
    }

    async fn delete_bucket(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_bucket", |w| {
            if !get(&w.data.buckets, "bucket", name)?.objects.is_empty() {
                let message = "The bucket you tried to delete is not empty. You must delete all \
                               versions in the bucket.";
                return Err(service("BucketNotEmpty", message));
            }
            w.data.buckets.remove(name);
            Ok(())
        })
        .await
    }
}

/// Test helpers: RDS, secrets and buckets behind the engine's back, and
/// snapshots for assertions. No call is counted.
impl SimCloud {
    /// How many times the master password of the instance `identifier` was
    /// changed by a modification (a given password; 0 at creation, and for
    /// an unknown instance).
    pub fn password_changes(&self, identifier: &str) -> u32 {
        let id = identifier.to_lowercase();
        let changes = |w: &mut World| w.data.instances.get(&id).map(|d| d.password_changes);
        self.direct(changes).flatten().unwrap_or(0)
    }

    /// The maintenance window of the instance `identifier` comes: the
    /// modifications RDS held for it are applied at once, and `pending`
    /// empties.
    pub fn run_maintenance(&self, identifier: &str) {
        self.direct(|w| {
            if let Ok(sim) = w.db_mut(identifier) {
                let deferred = std::mem::take(&mut sim.deferred);
                sim.edit(|db| {
                    deferred.apply(db);
                    db.pending.clear();
                });
            }
        });
    }

    /// Reboots the instance `identifier` at once: its parameters are then
    /// in sync with its parameter group.
    pub fn reboot_db(&self, identifier: &str) {
        self.direct(|w| {
            if let Ok(sim) = w.db_mut(identifier) {
                sim.edit(|db| db.parameter_apply_status = Some(IN_SYNC.into()));
            }
        });
    }

    /// Sets the status of the instance `identifier` behind the engine's
    /// back (`failed`, `storage-full`, `available`...), ending any
    /// transition it is in (not a deletion).
    pub fn set_db_status(&self, identifier: &str, status: &str) {
        self.direct(|w| {
            if let Ok(sim) = w.db_mut(identifier)
                && !sim.deleting()
            {
                if let Some(mut next) = sim.next.take() {
                    std::mem::swap(&mut next.tags, &mut sim.db.tags);
                    sim.db = next;
                }
                sim.db.status = status.to_string();
            }
        });
    }

    /// The DB instances not yet gone, as a describe shows them now.
    pub fn db_instances(&self) -> Vec<DbInstance> {
        let all = |w: &mut World| {
            let data = &w.data;
            data.instances.values().map(|d| data.view(d)).collect()
        };
        self.direct(all).unwrap_or_default()
    }

    /// The identifiers of the DB snapshots (final snapshots of deleted
    /// instances).
    pub fn snapshots(&self) -> Vec<String> {
        let all = |w: &mut World| w.data.snapshots.keys().cloned().collect();
        self.direct(all).unwrap_or_default()
    }

    /// How many versions the secret `arn` (or name) has had: 1 at creation,
    /// one more for each value put (0 for an unknown secret).
    pub fn secret_versions(&self, arn: &str) -> u32 {
        let versions = |w: &mut World| w.data.secret_mut(arn).map(|s| s.versions).ok();
        self.direct(versions).flatten().unwrap_or(0)
    }

    /// Puts an object `key` in the bucket (a new version of it when
    /// versioning is on); nothing if there is no such bucket.
    pub fn put_object(&self, bucket: &str, key: &str) {
        self.direct(|w| {
            if let Some(b) = w.data.buckets.get_mut(bucket) {
                let versioning = b.bucket.versioning;
                let versions = b.objects.entry(key.to_string()).or_default();
                *versions = if versioning { *versions + 1 } else { 1 };
            }
        });
    }

    /// How many object versions (and delete markers) the bucket holds (0
    /// for an unknown bucket).
    pub fn objects(&self, bucket: &str) -> usize {
        let count = |w: &mut World| {
            let b = w.data.buckets.get(bucket);
            b.map(|b| b.objects.values().sum::<usize>())
        };
        self.direct(count).flatten().unwrap_or(0)
    }

    /// Makes `name` a bucket another account owns: creating it fails with
    /// `BucketAlreadyExists`.
    pub fn add_foreign_bucket(&self, name: &str) {
        self.direct(|w| w.data.foreign_buckets.insert(name.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::sim::{Fault, LatencyModel};
    use crate::cloud::{KmsApi, NetworkApi, TAG_STACK};

    fn tags() -> Tags {
        Tags::from([(TAG_STACK.to_string(), "s".to_string())])
    }

    async fn sleep(d: Duration) {
        tokio::time::sleep(d).await;
    }

    use crate::cloud::sim::error_code as code;

    /// What a database needs: two subnets in two zones, a security group,
    /// a key, a subnet group `db` and a parameter group `db-pg16`.
    struct Base {
        subnets: Vec<String>,
        group: String,
        key: String,
    }

    async fn base(sim: &SimCloud) -> Base {
        let t = tags();
        let vpc = sim.create_vpc("10.0.0.0/16", &t).await.unwrap().id;
        let mut subnets = Vec::new();
        for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let cidr = format!("10.0.{i}.0/24");
            subnets.push(sim.create_subnet(&vpc, &cidr, az, &t).await.unwrap().id);
        }
        let group = sim.create_security_group(&vpc, "db", "", &t).await;
        let key = sim.create_key("", &t).await.unwrap().arn;
        sim.create_subnet_group("DB", "", &subnets, &t)
            .await
            .unwrap();
        sim.create_parameter_group("db-pg16", "postgres16", "", &t)
            .await
            .unwrap();
        Base {
            subnets,
            group: group.unwrap().id,
            key,
        }
    }

    fn primary(b: &Base, id: &str) -> NewPrimary {
        NewPrimary {
            identifier: id.into(),
            engine_version: "16".into(),
            instance_class: "db.t4g.medium".into(),
            allocated_storage: 20,
            max_allocated_storage: Some(100),
            storage_type: "gp3".into(),
            iops: None,
            multi_az: false,
            kms_key_id: b.key.clone(),
            backup_retention_days: 7,
            backup_window: "03:00-03:30".into(),
            maintenance_window: "Mon:04:00-Mon:04:30".into(),
            logs_exports: vec!["postgresql".into()],
            performance_insights: false,
            deletion_protection: false,
            db_name: "app".into(),
            master_username: "app".into(),
            password: Some(MasterPassword::Given(Sensitive::new("correct-horse-9"))),
            subnet_group: "db".into(),
            security_groups: vec![b.group.clone()],
            parameter_group: "db-pg16".into(),
        }
    }

    fn replica(b: &Base, id: &str, source: &str) -> NewReplica {
        NewReplica {
            identifier: id.into(),
            source: source.into(),
            instance_class: "db.t4g.medium".into(),
            availability_zone: Some("us-east-1b".into()),
            performance_insights: false,
            kms_key_id: b.key.clone(),
            security_groups: vec![b.group.clone()],
            parameter_group: "db-pg16".into(),
            max_allocated_storage: None,
            deletion_protection: false,
        }
    }

    /// An AWS-like sim, its base, and primary `main`, available.
    async fn with_primary(deletion_protection: bool) -> (SimCloud, Base) {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let mut db = primary(&b, "Main");
        db.deletion_protection = deletion_protection;
        sim.create_primary(&db, &tags()).await.unwrap();
        sleep(sim.latency.db_ready_after).await;
        (sim, b)
    }

    async fn instance(sim: &SimCloud, id: &str) -> DbInstance {
        sim.get_instance(id).await.unwrap().unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_primary_becomes_available_after_its_time_and_replicas_wait_for_it() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let b = base(&sim).await;
        let created = sim.create_primary(&primary(&b, "Main"), &tags()).await;
        let created = created.unwrap();
        assert_eq!(created.identifier, "main");
        assert_eq!(created.status, "creating");
        assert_eq!(created.engine_version, "16.4");
        assert_eq!(created.arn, "arn:aws:rds:us-east-1:123456789012:db:main");
        assert_eq!((created.endpoint, created.port), (None, None));
        assert_eq!(created.master_secret_arn, None);
        assert!(created.storage_encrypted);
        assert_eq!(
            created.maintenance_window.as_deref(),
            Some("mon:04:00-mon:04:30")
        );
        let again = sim.create_primary(&primary(&b, "main"), &tags()).await;
        assert_eq!(code(again), "DBInstanceAlreadyExists");
        let early = sim
            .create_replica(&replica(&b, "r1", "main"), &tags())
            .await;
        assert_eq!(code(early), "InvalidDBInstanceState");

        // The two refused calls took their latency (2 s).
        sleep(sim.latency.db_ready_after - Duration::from_secs(3)).await;
        assert_eq!(instance(&sim, "main").await.status, "creating");
        sleep(Duration::from_secs(1)).await;
        let db = instance(&sim, "main").await;
        assert_eq!(db.status, "available");
        assert_eq!(
            db.endpoint.as_deref(),
            Some("main.abc123.us-east-1.rds.amazonaws.com")
        );
        assert_eq!(db.port, Some(5432));

        let r = sim
            .create_replica(&replica(&b, "r1", "main"), &tags())
            .await;
        let r = r.unwrap();
        assert_eq!(r.status, "creating");
        assert_eq!(r.replica_of.as_deref(), Some("main"));
        assert_eq!((r.multi_az, r.backup_retention_days), (false, 0));
        assert_eq!(r.kms_key_id, db.kms_key_id);
        assert_eq!(r.db_name.as_deref(), Some("app"));
        assert_eq!(r.engine_version, "16.4");
        assert_eq!(instance(&sim, "main").await.replicas, ["r1"]);
        let cascaded = sim.create_replica(&replica(&b, "r2", "r1"), &tags()).await;
        assert_eq!(code(cascaded), "InvalidDBInstanceState");
        sleep(sim.latency.replica_ready_after).await;
        assert_eq!(instance(&sim, "r1").await.status, "available");
        let listed = sim.list_instances("s").await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|d| d.identifier.as_str()).collect();
        assert_eq!(ids, ["main", "r1"]);
        assert!(sim.list_instances("other").await.unwrap().is_empty());
        let replica_first = sim.delete_instance("main", None).await;
        assert_eq!(code(replica_first), "InvalidDBInstanceState");
    }

    #[tokio::test(start_paused = true)]
    async fn a_primary_is_checked_against_its_groups_key_and_password() {
        let sim = SimCloud::new(LatencyModel::instant());
        let b = base(&sim).await;
        let sim = &sim;
        let create = |db: NewPrimary| async move { code(sim.create_primary(&db, &tags()).await) };
        let mut db = primary(&b, "main");
        db.subnet_group = "missing".into();
        assert_eq!(create(db).await, "DBSubnetGroupNotFoundFault");
        let mut db = primary(&b, "main");
        db.parameter_group = "missing".into();
        assert_eq!(create(db).await, "DBParameterGroupNotFound");
        let mut db = primary(&b, "main");
        db.engine_version = "15.8".into();
        assert_eq!(create(db).await, "InvalidParameterCombination", "family");
        let mut db = primary(&b, "main");
        db.security_groups = vec!["sg-missing".into()];
        assert_eq!(create(db).await, "InvalidParameterValue");
        let mut db = primary(&b, "main");
        db.password = Some(MasterPassword::Given(Sensitive::new("short")));
        let refused = sim.create_primary(&db, &tags()).await;
        assert!(!format!("{refused:?}").contains("short"), "{refused:?}");
        assert_eq!(code(refused), "InvalidParameterValue");
        let mut db = primary(&b, "main");
        db.password = None;
        assert_eq!(create(db).await, "InvalidParameterCombination");
        let mut db = primary(&b, "main");
        db.identifier = "1-bad".into();
        assert_eq!(create(db).await, "InvalidParameterValue");
        sim.schedule_deletion(&b.key, 7).await.unwrap();
        assert_eq!(
            create(primary(&b, "main")).await,
            "KMSKeyNotAccessibleFault"
        );
        assert!(sim.db_instances().is_empty());

        let key = sim.create_key("", &tags()).await.unwrap().arn;
        let mut db = primary(&b, "main");
        db.kms_key_id = key.clone();
        db.password = Some(MasterPassword::Managed { kms_key: key });
        let created = sim.create_primary(&db, &tags()).await.unwrap();
        let secret = created.master_secret_arn.unwrap();
        let prefix = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-";
        assert!(secret.starts_with(prefix), "{secret}");
        assert!(sim.list_secrets("s").await.unwrap().is_empty());
        let change = DbInstanceChange {
            password: Some(Sensitive::new("another-horse-1")),
            apply_immediately: true,
            ..DbInstanceChange::default()
        };
        assert_eq!(sim.password_changes("main"), 0);
        sim.modify_instance("main", &change).await.unwrap();
        assert_eq!(sim.password_changes("main"), 1);
        assert_eq!(instance(sim, "main").await.master_secret_arn, None);
    }

    #[tokio::test(start_paused = true)]
    async fn deletion_protection_refuses_a_delete_and_a_final_snapshot_is_kept() {
        let (sim, _) = with_primary(true).await;
        let refused = sim.delete_instance("main", Some("main-final")).await;
        assert_eq!(code(refused), "InvalidParameterCombination");
        assert!(!sim.snapshot_exists("main-final").await.unwrap());
        let off = DbInstanceChange {
            deletion_protection: Some(false),
            ..DbInstanceChange::default()
        };
        sim.modify_instance("main", &off).await.unwrap();
        assert_eq!(instance(&sim, "main").await.status, "available");
        sim.delete_instance("MAIN", Some("Main-Final"))
            .await
            .unwrap();
        assert!(sim.snapshot_exists("main-final").await.unwrap());
        assert_eq!(sim.snapshots(), ["main-final"]);
        assert_eq!(instance(&sim, "main").await.status, "deleting");
        assert!(sim.list_instances("s").await.unwrap().is_empty());
        let again = sim.delete_instance("main", None).await;
        assert_eq!(code(again), "InvalidDBInstanceState");
        sleep(sim.latency.db_gone_after).await;
        assert_eq!(sim.get_instance("main").await.unwrap(), None);
        let kinds: Vec<&str> = sim.inventory().into_iter().map(|(k, ..)| k).collect();
        assert!(kinds.contains(&"db-snapshot"), "{kinds:?}");
        assert!(!kinds.contains(&"db-instance"), "{kinds:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn deferred_changes_wait_for_the_maintenance_window() {
        let (sim, _) = with_primary(false).await;
        let change = DbInstanceChange {
            instance_class: Some("db.r6g.large".into()),
            allocated_storage: Some(50),
            maintenance_window: Some("Tue:04:00-Tue:04:30".into()),
            ..DbInstanceChange::default()
        };
        sim.modify_instance("main", &change).await.unwrap();
        let db = instance(&sim, "main").await;
        assert_eq!(db.status, "available");
        assert_eq!(
            (db.instance_class.as_str(), db.allocated_storage),
            ("db.t4g.medium", 20)
        );
        let pending: Vec<(&str, &str)> = db
            .pending
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pending,
            [
                ("AllocatedStorage", "50"),
                ("DBInstanceClass", "db.r6g.large")
            ]
        );
        assert_eq!(
            db.maintenance_window.as_deref(),
            Some("tue:04:00-tue:04:30")
        );
        sleep(Duration::from_secs(3600)).await;
        assert_eq!(instance(&sim, "main").await.allocated_storage, 20);
        sim.run_maintenance("main");
        let db = instance(&sim, "main").await;
        assert_eq!(
            (db.instance_class.as_str(), db.allocated_storage),
            ("db.r6g.large", 50)
        );
        assert!(db.pending.is_empty());

        let smaller = DbInstanceChange {
            allocated_storage: Some(40),
            apply_immediately: true,
            ..DbInstanceChange::default()
        };
        let refused = sim.modify_instance("main", &smaller).await;
        assert_eq!(code(refused), "InvalidParameterValue");
        let now = DbInstanceChange {
            multi_az: Some(true),
            enable_logs: vec!["upgrade".into()],
            apply_immediately: true,
            ..DbInstanceChange::default()
        };
        sim.modify_instance("main", &now).await.unwrap();
        let db = instance(&sim, "main").await;
        assert_eq!((db.status.as_str(), db.multi_az), ("modifying", false));
        assert_eq!(db.pending.get("MultiAZ").map(String::as_str), Some("true"));
        let busy = sim.modify_instance("main", &now).await;
        assert_eq!(code(busy), "InvalidDBInstanceState");
        sleep(sim.latency.db_modify_after).await;
        let db = instance(&sim, "main").await;
        assert_eq!((db.status.as_str(), db.multi_az), ("available", true));
        assert_eq!(db.logs_exports, ["postgresql", "upgrade"]);
        assert!(db.pending.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn parameter_changes_wait_for_a_reboot() {
        let (sim, _) = with_primary(false).await;
        let set = BTreeMap::from([(
            "shared_preload_libraries".into(),
            "pg_stat_statements".into(),
        )]);
        sim.modify_parameters("DB-PG16", &set, &[]).await.unwrap();
        let groups = sim.list_parameter_groups("db-").await.unwrap();
        assert_eq!(groups[0].parameters, set);
        let status = instance(&sim, "main").await.parameter_apply_status;
        assert_eq!(status.as_deref(), Some("pending-reboot"));
        sim.reboot_db("main");
        let status = instance(&sim, "main").await.parameter_apply_status;
        assert_eq!(status.as_deref(), Some("in-sync"));
        let in_use = sim.delete_parameter_group("db-pg16").await;
        assert_eq!(code(in_use), "DependencyViolation");
    }

    #[tokio::test(start_paused = true)]
    async fn a_subnet_group_in_use_holds_and_cannot_be_deleted() {
        let (sim, b) = with_primary(false).await;
        let one_zone = sim
            .create_subnet_group("other", "", &b.subnets[..1], &tags())
            .await;
        assert_eq!(code(one_zone), "DBSubnetGroupDoesNotCoverEnoughAZs");
        let duplicate = sim.create_subnet_group("Db", "", &b.subnets, &tags()).await;
        assert_eq!(code(duplicate), "DBSubnetGroupAlreadyExists");
        let in_use = sim.delete_subnet_group("db").await;
        assert_eq!(code(in_use), "DependencyViolation");
        assert_eq!(
            code(sim.delete_subnet(&b.subnets[0]).await),
            "DependencyViolation"
        );
        assert_eq!(
            code(sim.delete_security_group(&b.group).await),
            "DependencyViolation"
        );

        sim.delete_instance("main", None).await.unwrap();
        let deleting = sim.delete_subnet_group("db").await;
        assert_eq!(code(deleting), "DependencyViolation");
        sleep(sim.latency.db_gone_after).await;
        sim.delete_security_group(&b.group).await.unwrap();
        assert_eq!(
            code(sim.delete_subnet(&b.subnets[0]).await),
            "DependencyViolation"
        );
        sim.delete_subnet_group("db").await.unwrap();
        sim.delete_subnet(&b.subnets[0]).await.unwrap();
        assert!(sim.list_subnet_groups("").await.unwrap().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_with_objects_cannot_be_deleted() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let bucket = sim.create_bucket("s-123456789012-us-east-1", &tags()).await;
        let bucket = bucket.unwrap();
        assert!(bucket.public_access_blocked && bucket.ownership_enforced);
        sim.enable_versioning(&bucket.name).await.unwrap();
        let other = Tags::from([(TAG_STACK.to_string(), "t".to_string())]);
        let again = sim.create_bucket(&bucket.name, &other).await.unwrap();
        assert_eq!(again.tags, tags(), "an owned bucket comes back as it is");
        sim.add_foreign_bucket("taken");
        assert_eq!(
            code(sim.create_bucket("taken", &tags()).await),
            "BucketAlreadyExists"
        );
        assert_eq!(
            code(sim.create_bucket("Bad_Name", &tags()).await),
            "InvalidBucketName"
        );

        sim.put_object(&bucket.name, "a");
        sim.put_object(&bucket.name, "a");
        assert_eq!(sim.objects(&bucket.name), 2);
        assert!(sim.bucket_has_objects(&bucket.name).await.unwrap());
        let refused = sim.delete_bucket(&bucket.name).await;
        assert_eq!(code(refused), "BucketNotEmpty");
        sim.empty_bucket(&bucket.name).await.unwrap();
        assert!(!sim.bucket_has_objects(&bucket.name).await.unwrap());
        sim.delete_bucket(&bucket.name).await.unwrap();
        assert!(sim.list_buckets("s").await.unwrap().is_empty());
        assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
    }

    #[tokio::test(start_paused = true)]
    async fn secrets_count_versions_and_free_their_name_on_delete() {
        let sim = SimCloud::new(LatencyModel::instant());
        let key = sim.create_key("", &tags()).await.unwrap().arn;
        let value = Sensitive::new("hunter22-secret");
        let secret = sim.create_secret("s/db", "", &key, &value, &tags()).await;
        let secret = secret.unwrap();
        assert!(
            secret
                .arn
                .starts_with("arn:aws:secretsmanager:us-east-1:123456789012:secret:s/db-")
        );
        let again = sim.create_secret("s/db", "", &key, &value, &tags()).await;
        assert_eq!(code(again), "ResourceExistsException");
        sim.put_secret_value(&secret.arn, &value).await.unwrap();
        assert_eq!(sim.secret_versions(&secret.arn), 2);
        assert_eq!(
            sim.list_secrets("s").await.unwrap(),
            std::slice::from_ref(&secret)
        );
        sim.delete_secret(&secret.arn).await.unwrap();
        assert!(sim.list_secrets("s").await.unwrap().is_empty());
        sim.create_secret("s/db", "", &key, &value, &tags())
            .await
            .unwrap();
        assert!(!format!("{:?}", sim.inventory()).contains("hunter22"));
    }

    #[tokio::test(start_paused = true)]
    async fn faults_and_mutations_count_as_for_every_call() {
        let sim = SimCloud::new(LatencyModel::instant());
        let b = base(&sim).await;
        let before = sim.mutations();
        sim.inject(Fault {
            op: Some("create_primary"),
            after: 0,
            times: 1,
            error: CloudError::Throttled("slow down".into()),
        });
        let failed = sim.create_primary(&primary(&b, "main"), &tags()).await;
        assert_eq!(code(failed), "Err(Throttled(\"slow down\"))");
        assert_eq!(sim.mutations(), before);
        sim.create_primary(&primary(&b, "main"), &tags())
            .await
            .unwrap();
        assert_eq!(sim.mutations(), before + 1);
        sim.get_instance("main").await.unwrap();
        assert_eq!(sim.mutations(), before + 1);
        assert_eq!(sim.calls_by_op().get("create_primary"), Some(&2));
        let kinds: BTreeSet<&str> = sim.inventory().into_iter().map(|(k, ..)| k).collect();
        for kind in ["db-subnet-group", "db-parameter-group", "db-instance"] {
            assert!(kinds.contains(kind), "{kinds:?}");
        }
    }
}
