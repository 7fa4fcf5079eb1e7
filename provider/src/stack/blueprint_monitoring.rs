//! The monitoring part of the blueprint: log groups, the alerts topic, the
//! alarms (one per watched object), the dashboard and the VPC flow log with
//! its role, and how their ids fill the state back in.

use std::collections::{BTreeMap, BTreeSet};

use crate::kinds::alarm::{AlarmSpec, Alarms, DimensionValue};
use crate::kinds::dashboard::{DashboardSpec, Dashboards, dashboard_name, dashboard_url};
use crate::kinds::db_instance::KeyRef;
use crate::kinds::flow_log::{FlowLogSpec, FlowLogs};
use crate::kinds::iam_role::{RoleSpec, role_name, role_path};
use crate::kinds::log_group::{LogGroupSpec, LogGroups};
use crate::kinds::topic::{TopicSpec, Topics};
use crate::reconcile::{Dep, Desired, Ids, Key};

use super::super::model::StackState;
use super::super::model_monitoring::{ALARMS, AlarmType, MonitoringState, Watched};
use super::{
    DesiredNetwork, anchor, cluster, db_identifier, db_primary, key, kms_key, nat_gateway,
    replica_identifier, role,
};

/// The log group of `role` (`eks`, `postgresql`, `upgrade`, `flow_logs`).
pub fn log_group(role: &str) -> Key {
    key::<LogGroups>(role.replace('_', "-"))
}

/// The alerts topic.
pub fn topic() -> Key {
    key::<Topics>("")
}

/// The alarm `name` (`db-cpu`, `replica-lag-r1`, `nat-packets-dropped-us-east-1a`).
pub fn alarm(name: &str) -> Key {
    key::<Alarms>(name)
}

/// The dashboard.
pub fn dashboard() -> Key {
    key::<Dashboards>("")
}

/// The VPC flow log.
pub fn flow_log() -> Key {
    key::<FlowLogs>("")
}

/// The flow logs' delivery role.
pub fn flow_log_role() -> Key {
    role("flowlog")
}

/// The stack's log group names by role, `None` while one of them cannot
/// be named yet (the database's identifier needs the instance identity).
pub fn log_group_names(state: &StackState) -> Option<BTreeMap<String, String>> {
    let m = state.monitoring.as_ref()?.with_defaults(None);
    let mut out = BTreeMap::new();
    if state.cluster.is_some() {
        out.insert("eks".into(), format!("/aws/eks/{}/cluster", state.name));
    }
    if let Some(db) = &state.database {
        let id = db_identifier(state)?;
        for export in db
            .with_defaults()
            .cloudwatch_logs_exports
            .unwrap_or_default()
        {
            out.insert(export.clone(), format!("/aws/rds/instance/{id}/{export}"));
        }
    }
    if m.flow_logs == Some(true) {
        out.insert(
            "flow_logs".into(),
            format!("/todo/{}/vpc-flow-logs", state.name),
        );
    }
    Some(out)
}

/// One alarm the stack wants: its output name, its key name, its type and
/// what it watches (a label and the dimension value).
struct WantedAlarm {
    output: String,
    name: String,
    alarm: &'static AlarmType,
    object: String,
    dimension: DimensionValue,
}

/// The alarms `state` wants, in a stable order (`None` for a database
/// alarm while the database's identifier is not known).
fn wanted_alarms(state: &StackState, m: &MonitoringState) -> Vec<WantedAlarm> {
    let settings = m.alarms.clone().unwrap_or_default();
    let n = DesiredNetwork::from_state(&state.network);
    let mut out = Vec::new();
    for a in &ALARMS {
        if settings.get(a.attribute).and_then(|s| s.enabled) != Some(true) {
            continue;
        }
        match a.watched {
            Watched::Primary => {
                if state.database.is_some() {
                    out.push(WantedAlarm {
                        output: a.attribute.into(),
                        name: a.key.into(),
                        alarm: a,
                        object: "the database's primary".into(),
                        dimension: DimensionValue::Fixed(db_identifier(state).unwrap_or_default()),
                    });
                }
            }
            Watched::Replica => {
                for r in state
                    .database
                    .iter()
                    .flat_map(|d| d.replicas.iter().flatten())
                    .map(|(r, _)| r)
                {
                    out.push(WantedAlarm {
                        output: format!("{}/{r}", a.attribute),
                        name: format!("{}-{r}", a.key),
                        alarm: a,
                        object: format!("the read replica {r}"),
                        dimension: DimensionValue::Fixed(
                            replica_identifier(state, r).unwrap_or_default(),
                        ),
                    });
                }
            }
            Watched::NatGateway => {
                for zone in n.nat.nat_zones(&n.zones) {
                    out.push(WantedAlarm {
                        output: format!("{}/{zone}", a.attribute),
                        name: format!("{}-{zone}", a.key),
                        alarm: a,
                        object: format!("the NAT gateway in {zone}"),
                        dimension: DimensionValue::Id(nat_gateway(&zone)),
                    });
                }
            }
        }
    }
    out
}

/// The stack's alarm names, by output name.
pub fn alarm_names(state: &StackState) -> BTreeMap<String, String> {
    let Some(m) = &state.monitoring else {
        return BTreeMap::new();
    };
    wanted_alarms(state, &m.with_defaults(None))
        .into_iter()
        .map(|w| (w.output, format!("{}-{}", state.name, w.name)))
        .collect()
}

/// The inline policy of the flow logs' role: write to the stack's flow-log
/// group only.
fn flow_log_policy(region: &str, group: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DeliverFlowLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogStream", "logs:PutLogEvents",
                "logs:DescribeLogGroups", "logs:DescribeLogStreams"
            ],
            "Resource": [
                format!("arn:aws:logs:{region}:*:log-group:{group}"),
                format!("arn:aws:logs:{region}:*:log-group:{group}:*"),
            ],
        }],
    })
    .to_string()
}

/// The monitoring objects, and the dependencies of the cluster and the
/// database on the log groups their services would otherwise make.
pub(super) fn monitoring_objects(state: &StackState, m: &MonitoringState, out: &mut Vec<Desired>) {
    let allocated = state
        .database
        .as_ref()
        .and_then(|d| d.with_defaults().allocated_storage);
    let m = m.with_defaults(allocated);
    let region = state.region.clone().unwrap_or_default();
    let retention = i32::try_from(m.log_retention_days.unwrap_or_default()).unwrap_or(i32::MAX);
    let groups = log_group_names(state).unwrap_or_default();
    for (r, name) in &groups {
        out.push(Desired::new::<LogGroups>(
            r.replace('_', "-"),
            LogGroupSpec {
                name: name.clone(),
                retention_days: retention,
                key: KeyRef::Stack(kms_key()),
                adopt_untagged: r != "flow_logs",
            },
        ));
    }
    // EKS and RDS would make these log groups themselves on first write:
    // the stack's are made first.
    for d in out.iter_mut() {
        if d.key == cluster() && groups.contains_key("eks") {
            d.deps.push(Dep::ready(log_group("eks")));
        }
        if d.key == db_primary() {
            for export in groups.keys().filter(|k| *k != "eks" && *k != "flow_logs") {
                d.deps.push(Dep::ready(log_group(export)));
            }
        }
    }
    let subscriptions: BTreeSet<(String, String)> = m
        .subscriptions
        .iter()
        .flatten()
        .map(|s| (s.protocol.clone(), s.endpoint.clone()))
        .collect();
    out.push(Desired::new::<Topics>(
        "",
        TopicSpec {
            name: format!("{}-alerts", state.name),
            key: kms_key(),
            subscriptions,
        },
    ));
    let wanted = wanted_alarms(state, &m);
    let settings = m.alarms.clone().unwrap_or_default();
    let mut alarm_names = Vec::new();
    for w in wanted {
        let s = settings.get(w.alarm.attribute).cloned().unwrap_or_default();
        let threshold = s.threshold.unwrap_or_default();
        let name = format!("{}-{}", state.name, w.name);
        let dimension = match w.alarm.namespace {
            "AWS/NATGateway" => "NatGatewayId",
            _ => "DBInstanceIdentifier",
        };
        alarm_names.push(name.clone());
        out.push(Desired::new::<Alarms>(
            w.name,
            AlarmSpec {
                description: format!(
                    "Todo stack {}: {} on {} (managed by Terraform, todo_cloud_stack)",
                    state.name,
                    w.alarm.condition.replace("{}", &threshold.to_string()),
                    w.object
                ),
                name,
                namespace: w.alarm.namespace.into(),
                metric: w.alarm.metric.into(),
                statistic: w.alarm.statistic.into(),
                dimensions: [(dimension.to_string(), w.dimension)].into(),
                period: i32::try_from(s.period.unwrap_or(w.alarm.period)).unwrap_or(60),
                evaluation_periods: i32::try_from(
                    s.evaluation_periods.unwrap_or(w.alarm.evaluation_periods),
                )
                .unwrap_or(1),
                threshold: threshold * w.alarm.scale,
                comparison: w.alarm.comparison.into(),
                treat_missing_data: w.alarm.treat_missing_data.into(),
                topic: topic(),
            },
        ));
    }
    let n = DesiredNetwork::from_state(&state.network);
    let database = state.database.as_ref().and_then(|d| {
        let primary = db_identifier(state)?;
        let replicas = d
            .replicas
            .iter()
            .flatten()
            .filter_map(|(r, _)| replica_identifier(state, r))
            .collect();
        Some((primary, replicas))
    });
    out.push(Desired::new::<Dashboards>(
        "",
        DashboardSpec {
            name: dashboard_name(&state.name, &region),
            stack: state.name.clone(),
            region: region.clone(),
            topic: topic(),
            alarms: alarm_names,
            database,
            nat_gateways: n
                .nat
                .nat_zones(&n.zones)
                .into_iter()
                .map(|z| (z.clone(), nat_gateway(&z)))
                .collect(),
            cluster: state.cluster.as_ref().map(|_| state.name.clone()),
        },
    ));
    if m.flow_logs == Some(true) {
        let group = format!("/todo/{}/vpc-flow-logs", state.name);
        out.push(
            Desired::new::<crate::kinds::iam_role::Roles>(
                "flowlog",
                RoleSpec {
                    path: role_path(&region, &state.name),
                    name: role_name(&region, &state.name, "flowlog"),
                    service: "vpc-flow-logs.amazonaws.com".into(),
                    policies: Vec::new(),
                    description: format!("VPC flow logs delivery of the Todo stack {}", state.name),
                    inline_policy: Some(flow_log_policy(&region, &group)),
                },
            )
            .with_tags(
                [(
                    crate::cloud::cluster::TAG_INLINE_POLICY.to_string(),
                    crate::cloud::cluster::INLINE_POLICY.to_string(),
                )]
                .into(),
            ),
        );
        out.push(Desired::new::<FlowLogs>(
            "",
            FlowLogSpec {
                vpc: anchor(),
                log_group: log_group("flow_logs"),
                role: flow_log_role(),
            },
        ));
    }
}

/// Fills the monitoring outputs from `ids`: what exists is named.
pub(super) fn fill_monitoring(ids: &Ids, state: &mut StackState) {
    let groups = log_group_names(state).unwrap_or_default();
    let alarms = alarm_names(state);
    let region = state.region.clone().unwrap_or_default();
    let name = state.name.clone();
    let Some(m) = state.monitoring.as_mut() else {
        return;
    };
    m.topic_arn = ids.get(&topic()).map(str::to_string);
    m.log_group_names = Some(
        groups
            .into_iter()
            .filter(|(r, _)| ids.get(&log_group(r)).is_some())
            .collect(),
    );
    let alarm_key = |output: &str| {
        let (attr, rest) = output.split_once('/').unwrap_or((output, ""));
        let a = ALARMS.iter().find(|a| a.attribute == attr)?;
        Some(alarm(&if rest.is_empty() {
            a.key.to_string()
        } else {
            format!("{}-{rest}", a.key)
        }))
    };
    m.alarm_names = Some(
        alarms
            .into_iter()
            .filter(|(o, _)| alarm_key(o).is_some_and(|k| ids.get(&k).is_some()))
            .collect(),
    );
    let dash = dashboard_name(&name, &region);
    if ids.is(&dashboard(), &dash) {
        m.dashboard_url = Some(dashboard_url(&dash, &region));
        m.dashboard_name = Some(dash);
    } else {
        m.dashboard_name = None;
        m.dashboard_url = None;
    }
}

/// The monitoring ids a state records.
pub(super) fn monitoring_ids_of(state: &StackState, ids: &mut Ids) {
    let Some(m) = &state.monitoring else { return };
    if let Some(arn) = &m.topic_arn {
        ids.0.insert(topic(), arn.clone());
    }
    for (r, name) in m.log_group_names.iter().flatten() {
        ids.0.insert(log_group(r), name.clone());
    }
    let recorded: BTreeSet<&String> = m.alarm_names.iter().flat_map(|a| a.values()).collect();
    let prefix = format!("{}-", state.name);
    for name in recorded {
        if let Some(k) = name.strip_prefix(&prefix) {
            ids.0.insert(alarm(k), name.clone());
        }
    }
    if let Some(d) = &m.dashboard_name {
        ids.0.insert(dashboard(), d.clone());
    }
}
