//! The data tier of the blueprint: the database's objects (subnet group,
//! parameter group, primary, replicas, the secret of a given password) and
//! the bucket, and how their ids and reports fill the state back in.

use std::collections::BTreeMap;

use crate::cloud::data::{Lifecycle, Sensitive};
use crate::kinds::bucket::{BucketSpec, Buckets, TAG_FORCE_DESTROY};
use crate::kinds::db_instance::{
    DbInstanceSpec, DbInstances, KeyRef, NO_FINAL_SNAPSHOT, PrimarySpec, ReplicaSpec, Role,
    TAG_FINAL_SNAPSHOT, TAG_PASSWORD_VERSION,
};
use crate::kinds::db_parameter_group::{DbParameterGroupSpec, DbParameterGroups};
use crate::kinds::db_subnet_group::{DbSubnetGroupSpec, DbSubnetGroups};
use crate::kinds::node_group::stable_hash;
use crate::kinds::secret::{SecretSpec, Secrets};
use crate::reconcile::{Desired, Ids, Key, Observed};

use super::super::model::StackState;
use super::super::model_data::{DatabaseState, StorageState, database_defaults};
use super::{key, kms_key, security_group, subnet};

/// The DB subnet group.
pub fn db_subnet_group() -> Key {
    key::<DbSubnetGroups>("")
}

/// The DB parameter group.
pub fn db_parameter_group() -> Key {
    key::<DbParameterGroups>("")
}

/// The primary.
pub fn db_primary() -> Key {
    key::<DbInstances>("primary")
}

/// The read replica `name`.
pub fn db_replica(name: &str) -> Key {
    key::<DbInstances>(format!("replica-{name}"))
}

/// The secret of a given master password.
pub fn db_secret() -> Key {
    key::<Secrets>("master")
}

/// The bucket.
pub fn bucket() -> Key {
    key::<Buckets>("")
}

/// The primary's identifier, `<stack>-db-<8 hex>`: the hash covers the
/// stack instance and what RDS changes only by creating a new database,
/// so a replacement gets a new identifier (created before the old one
/// goes) and a stack made again never meets its predecessor's final
/// snapshot. `None` while the instance identity is not known (a plan of a
/// create).
pub fn db_identifier(state: &StackState) -> Option<String> {
    let db = state.database.as_ref()?.with_defaults();
    let stack_id = state.stack_id.as_deref()?;
    let key = db.kms_key_arn.as_deref().unwrap_or("stack-key");
    let h = stable_hash(&[
        stack_id,
        key,
        db.database_name.as_deref().unwrap_or_default(),
        db.master_username.as_deref().unwrap_or_default(),
    ]);
    Some(format!("{}-db-{h:08x}", state.name))
}

/// The identifier of replica `name`: `<stack>-<name>-<6 hex of the
/// primary's identifier>` (a new primary gets new replicas).
pub fn replica_identifier(state: &StackState, name: &str) -> Option<String> {
    let primary = db_identifier(state)?;
    let h = stable_hash(&[&primary]) & 0x00ff_ffff;
    Some(format!("{}-{name}-{h:06x}", state.name))
}

/// The final snapshot's name, `None` with `skip_final_snapshot`.
pub fn final_snapshot(state: &StackState) -> Option<String> {
    let db = state.database.as_ref()?.with_defaults();
    if db.skip_final_snapshot == Some(true) {
        return None;
    }
    Some(format!("{}-final", db_identifier(state)?))
}

/// The name of the secret holding a given master password.
pub fn secret_name(state: &StackState) -> String {
    format!("todo/{}/database/master", state.name)
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

fn key_ref(db: &DatabaseState) -> KeyRef {
    match &db.kms_key_arn {
        Some(arn) => KeyRef::Arn(arn.clone()),
        None => KeyRef::Stack(kms_key()),
    }
}

/// The database's objects (its security group is the network's).
pub(super) fn database_objects(state: &StackState, db: &DatabaseState, out: &mut Vec<Desired>) {
    let db = db.with_defaults();
    let Some(identifier) = db_identifier(state) else {
        return;
    };
    let private: Vec<Key> = state
        .network
        .availability_zones
        .iter()
        .map(|z| subnet(z, false))
        .collect();
    out.push(Desired::new::<DbSubnetGroups>(
        "",
        DbSubnetGroupSpec {
            name: format!("{}-db", state.name),
            description: format!("Private subnets of the Todo stack {}", state.name),
            subnets: private,
        },
    ));
    out.push(Desired::new::<DbParameterGroups>(
        "",
        DbParameterGroupSpec {
            name: format!("{}-{}", state.name, db.family()),
            family: db.family(),
            description: format!("PostgreSQL parameters of the Todo stack {}", state.name),
            parameters: db.parameters.clone().unwrap_or_default(),
        },
    ));
    let given = db.master_password_wo_version.is_some();
    let max_storage = db.max_allocated_storage.filter(|m| *m > 0).map(to_i32);
    let mut primary_tags: crate::cloud::Tags = [(
        TAG_FINAL_SNAPSHOT.to_string(),
        final_snapshot(state).unwrap_or_else(|| NO_FINAL_SNAPSHOT.into()),
    )]
    .into();
    if let Some(v) = db.master_password_wo_version.filter(|_| given) {
        primary_tags.insert(TAG_PASSWORD_VERSION.into(), v.to_string());
    }
    out.push(
        Desired::new::<DbInstances>(
            "primary",
            DbInstanceSpec {
                identifier: identifier.clone(),
                role: Role::Primary(Box::new(PrimarySpec {
                    engine_version: db.engine_version.clone().unwrap_or_default(),
                    allocated_storage: to_i32(db.allocated_storage.unwrap_or_default()),
                    storage_type: db.storage_type.clone().unwrap_or_default(),
                    iops: db.iops.map(to_i32),
                    multi_az: db.multi_az.unwrap_or(true),
                    key: key_ref(&db),
                    backup_retention_days: to_i32(db.backup_retention_days.unwrap_or_default()),
                    backup_window: db.backup_window.clone().unwrap_or_default(),
                    maintenance_window: db.maintenance_window.clone().unwrap_or_default(),
                    logs_exports: db.cloudwatch_logs_exports.clone().unwrap_or_default(),
                    db_name: db.database_name.clone().unwrap_or_default(),
                    master_username: db.master_username.clone().unwrap_or_default(),
                    password: db.master_password.clone(),
                    password_given: given,
                    subnet_group: db_subnet_group(),
                })),
                instance_class: db.instance_class.clone().unwrap_or_default(),
                max_allocated_storage: max_storage,
                performance_insights: db.performance_insights.unwrap_or(false),
                deletion_protection: db.deletion_protection.unwrap_or(true),
                security_groups: vec![security_group("database")],
                parameter_group: db_parameter_group(),
                apply_immediately: db.apply_immediately.unwrap_or(false),
                password_version: db.master_password_wo_version.filter(|_| given),
            },
        )
        .with_tags(primary_tags),
    );
    for (name, r) in db.replicas.iter().flatten() {
        let Some(id) = replica_identifier(state, name) else {
            continue;
        };
        out.push(Desired::new::<DbInstances>(
            format!("replica-{name}"),
            DbInstanceSpec {
                identifier: id,
                role: Role::Replica(ReplicaSpec {
                    source: db_primary(),
                    availability_zone: r.availability_zone.clone(),
                    key: key_ref(&db),
                }),
                instance_class: r
                    .instance_class
                    .clone()
                    .or_else(|| db.instance_class.clone())
                    .unwrap_or_default(),
                max_allocated_storage: max_storage,
                performance_insights: r
                    .performance_insights
                    .or(db.performance_insights)
                    .unwrap_or(false),
                deletion_protection: false,
                security_groups: vec![security_group("database")],
                parameter_group: db_parameter_group(),
                apply_immediately: db.apply_immediately.unwrap_or(false),
                password_version: None,
            },
        ));
    }
    if given {
        let value = db.master_password.as_ref().map(|p| {
            Sensitive::new(
                serde_json::json!({
                    "engine": "postgres",
                    "username": db.master_username,
                    "password": p.expose(),
                    "dbname": db.database_name,
                    "port": database_defaults::PORT,
                    "dbInstanceIdentifier": identifier,
                })
                .to_string(),
            )
        });
        let version = db.master_password_wo_version;
        out.push(
            Desired::new::<Secrets>(
                "master",
                SecretSpec {
                    name: secret_name(state),
                    description: format!(
                        "Master credentials of the Todo stack {}'s PostgreSQL",
                        state.name
                    ),
                    key: key_ref(&db),
                    value,
                    version,
                },
            )
            .with_tags(
                version
                    .map(|v| (TAG_PASSWORD_VERSION.to_string(), v.to_string()))
                    .into_iter()
                    .collect(),
            ),
        );
    }
}

/// The bucket (its name already resolved in the state).
pub(super) fn storage_objects(s: &StorageState, out: &mut Vec<Desired>) {
    let s = s.with_defaults();
    let Some(name) = s.bucket_name.clone() else {
        return;
    };
    let l = s.lifecycle.clone().unwrap_or_default();
    out.push(
        Desired::new::<Buckets>(
            "",
            BucketSpec {
                name,
                key: kms_key(),
                lifecycle: Lifecycle {
                    noncurrent_version_expiration_days: to_i32(
                        l.noncurrent_version_expiration_days.unwrap_or_default(),
                    ),
                    transition_to_ia_days: to_i32(l.transition_to_ia_days.unwrap_or_default()),
                    abort_incomplete_multipart_upload_days: to_i32(
                        l.abort_incomplete_multipart_upload_days.unwrap_or_default(),
                    ),
                },
            },
        )
        .with_tags(
            [(
                TAG_FORCE_DESTROY.to_string(),
                s.force_destroy.unwrap_or(false).to_string(),
            )]
            .into(),
        ),
    );
}

/// The S3 regional domain name of `bucket` in `region`.
pub fn regional_domain(bucket: &str, region: &str) -> String {
    format!("{bucket}.s3.{region}.amazonaws.com")
}

/// Fills the data tier's computed attributes from `ids` and what
/// `objects` report.
pub(super) fn fill_data(ids: &Ids, objects: &BTreeMap<Key, Observed>, state: &mut StackState) {
    let identifier = db_identifier(state);
    let snapshot = final_snapshot(state);
    let sg = ids.get(&security_group("database")).map(str::to_string);
    let region = state.region.clone().unwrap_or_default();
    let replica_ids: BTreeMap<String, Option<String>> = state
        .database
        .iter()
        .flat_map(|d| d.replicas.iter().flatten())
        .map(|(n, _)| (n.clone(), replica_identifier(state, n)))
        .collect();
    if let Some(db) = state.database.as_mut() {
        let seen = |k: &Key, id: Option<&String>| {
            objects
                .get(k)
                .and_then(|o| o.seen::<DbInstances>())
                .filter(|s| Some(&s.identifier) == id && ids.is(k, &s.identifier))
        };
        let primary = seen(&db_primary(), identifier.as_ref());
        db.identifier = identifier.clone();
        db.final_snapshot_identifier = snapshot;
        db.security_group_id = sg;
        db.arn = primary.map(|p| p.arn.clone());
        db.endpoint = primary.and_then(|p| p.endpoint.clone());
        db.port = primary.and_then(|p| p.port).map(i64::from);
        db.master_secret_arn = if db.master_password_wo_version.is_some() {
            ids.get(&db_secret()).map(str::to_string)
        } else {
            primary.and_then(|p| p.master_secret_arn.clone())
        };
        let mut readers = BTreeMap::new();
        for (name, r) in db.replicas.iter_mut().flatten() {
            let s = seen(
                &db_replica(name),
                replica_ids.get(name).and_then(Option::as_ref),
            );
            r.arn = s.map(|s| s.arn.clone());
            if let Some(e) = s.and_then(|s| s.endpoint.clone()) {
                readers.insert(name.clone(), e);
            }
        }
        db.reader_endpoints = Some(readers);
    }
    if let Some(s) = state.storage.as_mut() {
        match s.bucket_name.clone().filter(|n| ids.is(&bucket(), n)) {
            Some(name) => {
                s.bucket_arn = Some(format!("arn:aws:s3:::{name}"));
                s.bucket_regional_domain_name = Some(regional_domain(&name, &region));
            }
            None => {
                s.bucket_arn = None;
                s.bucket_regional_domain_name = None;
            }
        }
    }
}

/// Keeps what the database reported before where reading it again failed.
pub(super) fn keep_reported(
    state: &mut StackState,
    prior: Option<&StackState>,
    reread_failed: bool,
) {
    if let (Some(d), Some(pd)) = (
        state.database.as_mut(),
        prior.and_then(|p| p.database.as_ref()),
    ) && d.identifier == pd.identifier
        && d.arn.is_none()
        && reread_failed
    {
        d.arn = pd.arn.clone();
        d.endpoint = pd.endpoint.clone();
        d.port = pd.port;
        d.master_secret_arn = d.master_secret_arn.clone().or(pd.master_secret_arn.clone());
        let prior_replicas = pd.replicas.clone().unwrap_or_default();
        let readers = d.reader_endpoints.get_or_insert_with(BTreeMap::new);
        for (name, r) in d.replicas.iter_mut().flatten() {
            if let Some(pr) = prior_replicas.get(name) {
                r.arn = r.arn.clone().or(pr.arn.clone());
            }
            if let Some(e) = pd.reader_endpoints.as_ref().and_then(|m| m.get(name)) {
                readers.entry(name.clone()).or_insert_with(|| e.clone());
            }
        }
    }
}

/// The data tier's ids a state records (objects it says exist).
pub(super) fn data_ids_of(state: &StackState, ids: &mut Ids) {
    let mut put = |k: Key, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            ids.0.insert(k, v);
        }
    };
    if let Some(db) = &state.database
        && db.arn.is_some()
    {
        let d = db.with_defaults();
        put(db_primary(), db.identifier.clone());
        put(db_subnet_group(), Some(format!("{}-db", state.name)));
        put(
            db_parameter_group(),
            Some(format!("{}-{}", state.name, d.family())),
        );
        for (name, r) in db.replicas.iter().flatten() {
            if r.arn.is_some() {
                put(db_replica(name), replica_identifier(state, name));
            }
        }
        if db.master_password_wo_version.is_some() {
            put(db_secret(), db.master_secret_arn.clone());
        }
    }
    if let Some(s) = &state.storage
        && s.bucket_arn.is_some()
    {
        put(bucket(), s.bucket_name.clone());
    }
}
