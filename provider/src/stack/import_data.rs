//! The `database`, `storage` and `monitoring` configurations that reproduce imported
//! objects (import and the data source).

use std::collections::BTreeMap;

use crate::cloud::{RulePeer, SecurityGroup};
use crate::kinds::bucket::{Buckets, TAG_FORCE_DESTROY};
use crate::kinds::db_instance::{
    DbInstances, NO_FINAL_SNAPSHOT, TAG_FINAL_SNAPSHOT, TAG_PASSWORD_VERSION,
};
use crate::kinds::db_parameter_group::DbParameterGroups;
use crate::reconcile::{Key, Observed};

use super::blueprint;
use super::model_data::{DatabaseState, LifecycleState, ReplicaState, StorageState};
use super::model_monitoring::MonitoringState;

/// The `database` configuration of the imported objects (`None`: no
/// primary).
pub fn imported_database(objects: &BTreeMap<Key, Observed>) -> Option<DatabaseState> {
    let p = objects
        .get(&blueprint::db_primary())
        .and_then(|o| o.seen::<DbInstances>())?;
    let stack_key = objects
        .get(&blueprint::kms_key())
        .map(|o| o.meta.id.clone());
    let parameters = objects
        .get(&blueprint::db_parameter_group())
        .and_then(|o| o.seen::<DbParameterGroups>())
        .map(|g| g.parameters.clone())
        .unwrap_or_default();
    let allowed_cidrs: Vec<String> = objects
        .get(&blueprint::security_group("database"))
        .and_then(|o| o.seen::<crate::kinds::security_group::SecurityGroups>())
        .map(|g: &SecurityGroup| {
            g.rules
                .iter()
                .filter(|r| !r.egress && r.from_port == 5432)
                .filter_map(|r| match &r.peer {
                    RulePeer::Cidr(c) => Some(c.clone()),
                    RulePeer::Group(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut replicas = BTreeMap::new();
    for (key, o) in objects {
        if let (Some(name), Some(r)) = (key.name.strip_prefix("replica-"), o.seen::<DbInstances>())
            && key.kind == blueprint::db_primary().kind
        {
            replicas.insert(
                name.to_string(),
                ReplicaState {
                    instance_class: Some(r.instance_class.clone()),
                    availability_zone: r.availability_zone.clone(),
                    performance_insights: Some(r.performance_insights),
                    arn: None,
                },
            );
        }
    }
    let provisioned = ["io1", "io2"].contains(&p.storage_type.as_str());
    Some(
        DatabaseState {
            engine_version: Some(p.engine_version.clone()),
            instance_class: Some(p.instance_class.clone()),
            allocated_storage: Some(p.allocated_storage.into()),
            max_allocated_storage: Some(p.max_allocated_storage.unwrap_or(0).into()),
            storage_type: Some(p.storage_type.clone()),
            iops: p.iops.filter(|_| provisioned).map(i64::from),
            multi_az: Some(p.multi_az),
            kms_key_arn: p
                .kms_key_id
                .clone()
                .filter(|k| Some(k) != stack_key.as_ref()),
            backup_retention_days: Some(p.backup_retention_days.into()),
            backup_window: p.backup_window.clone(),
            maintenance_window: p.maintenance_window.clone(),
            cloudwatch_logs_exports: Some(p.logs_exports.clone()),
            performance_insights: Some(p.performance_insights),
            deletion_protection: Some(p.deletion_protection),
            skip_final_snapshot: Some(
                p.tags.get(TAG_FINAL_SNAPSHOT).map(String::as_str) == Some(NO_FINAL_SNAPSHOT),
            ),
            database_name: p.db_name.clone(),
            master_username: p.master_username.clone(),
            master_password_wo_version: p
                .tags
                .get(TAG_PASSWORD_VERSION)
                .and_then(|v| v.parse().ok()),
            parameters: Some(parameters),
            allowed_cidrs: Some(allowed_cidrs),
            replicas: Some(replicas),
            ..Default::default()
        }
        .with_defaults(),
    )
}

/// The `storage` configuration of the imported bucket (`None`: none).
pub fn imported_storage(objects: &BTreeMap<Key, Observed>) -> Option<StorageState> {
    let b = objects
        .get(&blueprint::bucket())
        .and_then(|o| o.seen::<Buckets>())?;
    let l = b.lifecycle.clone().unwrap_or_default();
    Some(StorageState {
        bucket_name: Some(b.name.clone()),
        force_destroy: Some(b.tags.get(TAG_FORCE_DESTROY).map(String::as_str) == Some("true")),
        lifecycle: Some(LifecycleState {
            noncurrent_version_expiration_days: Some(l.noncurrent_version_expiration_days.into()),
            transition_to_ia_days: Some(l.transition_to_ia_days.into()),
            abort_incomplete_multipart_upload_days: Some(
                l.abort_incomplete_multipart_upload_days.into(),
            ),
        }),
        ..Default::default()
    })
}

/// The `monitoring` configuration that reproduces the imported objects
/// (`None`: the stack has no alerts topic, so no monitoring). An alarm
/// type with no alarm while its objects exist was switched off.
pub fn imported_monitoring(
    objects: &BTreeMap<Key, Observed>,
    database: Option<&DatabaseState>,
    nat_gateways: bool,
) -> Option<MonitoringState> {
    use crate::kinds::alarm::Alarms;
    use crate::kinds::log_group::LogGroups;
    use crate::kinds::topic::Topics;
    use crate::stack::model_monitoring::{
        ALARMS, AlarmSettings, AlarmsState, SubscriptionState, Watched,
    };
    let topic = objects
        .get(&blueprint::topic())
        .and_then(|o| o.seen::<Topics>())?;
    let retention = objects
        .values()
        .filter_map(|o| o.seen::<LogGroups>())
        .find_map(|g| g.retention_days)
        .map(i64::from);
    let mut alarms = AlarmsState::default();
    for a in &ALARMS {
        let found = objects.iter().find_map(|(k, o)| {
            let seen = o.seen::<Alarms>()?;
            let rest = k.name.strip_prefix(a.key)?;
            (rest.is_empty() || rest.starts_with('-')).then_some(seen)
        });
        let watched_exists = match a.watched {
            Watched::Primary => database.is_some(),
            Watched::Replica => {
                database.is_some_and(|d| d.replicas.as_ref().is_some_and(|r| !r.is_empty()))
            }
            Watched::NatGateway => nat_gateways,
        };
        let settings = match found {
            Some(al) => AlarmSettings {
                enabled: Some(true),
                threshold: Some(al.definition.threshold / a.scale),
                period: Some(al.definition.period.into()),
                evaluation_periods: Some(al.definition.evaluation_periods.into()),
            },
            None if watched_exists => AlarmSettings {
                enabled: Some(false),
                ..AlarmSettings::default()
            },
            None => continue,
        };
        if let Some(slot) = alarms.get_mut(a.attribute) {
            *slot = Some(settings);
        }
    }
    let flow_logs = objects.contains_key(&blueprint::flow_log());
    let gib = database.and_then(|d| d.with_defaults().allocated_storage);
    Some(
        MonitoringState {
            log_retention_days: retention,
            flow_logs: Some(flow_logs),
            subscriptions: Some(
                topic
                    .subscriptions
                    .iter()
                    .map(|s| SubscriptionState {
                        protocol: s.protocol.clone(),
                        endpoint: s.endpoint.clone(),
                    })
                    .collect(),
            ),
            alarms: Some(alarms),
            ..MonitoringState::default()
        }
        .with_defaults(gib),
    )
}
