//! Monitoring on the simulated cloud: log groups, the alerts topic, alarms,
//! the dashboard and the flow log come up beside everything they do not
//! depend on; alarms follow replicas and NAT gateways as they come and go;
//! drift is found and repaired; import rebuilds the settings; destroy
//! leaves nothing; a stack without monitoring makes no monitoring call.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use todo_provider::cloud::CloudError;
use todo_provider::cloud::cluster::IamApi;
use todo_provider::cloud::sim::{Fault, LatencyModel, SimCloud};
use todo_provider::reconcile::Op;
use todo_provider::reconcile::runner::critical_path;
use todo_provider::stack::engine::creation_plan;
use todo_provider::stack::model::{ClusterState, NodeGroupState, StackState};
use todo_provider::stack::model_data::{DatabaseState, ReplicaState};
use todo_provider::stack::model_monitoring::{
    AlarmSettings, AlarmsState, MonitoringState, SubscriptionState,
};
use todo_provider::stack::plan::with_defaults;

const STACK: &str = "todo-mon";

fn subscription(protocol: &str, endpoint: &str) -> SubscriptionState {
    SubscriptionState {
        protocol: protocol.into(),
        endpoint: endpoint.into(),
    }
}

/// Network (NAT layout `nat`), database with `replicas`, monitoring with
/// an email and an SQS subscription; a cluster when `cluster`.
fn monitored(replicas: &[&str], nat: &str, cluster: bool) -> StackState {
    let mut s = desired(STACK, nat);
    if cluster {
        s.cluster = Some(ClusterState {
            version: "1.31".into(),
            node_groups: Some(BTreeMap::from([(
                "general".to_string(),
                NodeGroupState {
                    min_size: 2,
                    max_size: 4,
                    ..Default::default()
                },
            )])),
            ..Default::default()
        });
    }
    s.database = Some(DatabaseState {
        deletion_protection: Some(false),
        skip_final_snapshot: Some(true),
        replicas: Some(
            replicas
                .iter()
                .map(|r| (r.to_string(), ReplicaState::default()))
                .collect(),
        ),
        ..Default::default()
    });
    s.monitoring = Some(MonitoringState {
        subscriptions: Some(vec![
            subscription("email", "ops@example.com"),
            subscription("sqs", "arn:aws:sqs:us-east-1:123456789012:alerts"),
        ]),
        ..Default::default()
    });
    with_defaults(&s)
}

fn with_monitoring(s: &StackState, f: impl FnOnce(&mut MonitoringState)) -> StackState {
    let mut s = s.clone();
    f(s.monitoring.as_mut().unwrap());
    with_defaults(&s)
}

fn alarm_names(sim: &SimCloud) -> Vec<String> {
    sim.monitoring_objects().alarm_names()
}

#[tokio::test(start_paused = true)]
async fn the_full_stack_with_monitoring_converges_and_monitoring_stays_off_the_critical_path() {
    let model = LatencyModel::aws_like();
    let sim = Arc::new(SimCloud::new(model.clone()));
    let s = stacks(&sim);
    let want = monitored(&["r1", "r2"], "one_per_az", true);
    let start = tokio::time::Instant::now();
    let state = apply_ok(&s, None, &want).await;
    let elapsed = start.elapsed();
    assert_complete(&state, "one_per_az");
    let key = state.kms_key_arn.clone().unwrap();
    let db_id = state.database.as_ref().unwrap().identifier.clone().unwrap();
    let objects = sim.monitoring_objects();

    // Log groups: EKS's, the two RDS exports', the flow logs'; each with
    // the retention and the stack's key, tagged with the stack.
    let mut names: Vec<String> = objects.log_groups.iter().map(|g| g.name.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "/aws/eks/todo-mon/cluster".to_string(),
            format!("/aws/rds/instance/{db_id}/postgresql"),
            format!("/aws/rds/instance/{db_id}/upgrade"),
            "/todo/todo-mon/vpc-flow-logs".to_string(),
        ]
    );
    for g in &objects.log_groups {
        assert_eq!(g.retention_days, Some(30), "{g:?}");
        assert_eq!(g.kms_key.as_deref(), Some(key.as_str()), "{g:?}");
        assert_eq!(g.tags.get("todo:stack").map(String::as_str), Some(STACK));
        assert_eq!(g.tags.get("team").map(String::as_str), Some("platform"));
    }

    // The topic: the stack's key, CloudWatch may publish, both
    // subscriptions (the email one awaits confirmation).
    assert_eq!(objects.topics.len(), 1);
    let topic = &objects.topics[0];
    assert_eq!(topic.kms_key.as_deref(), Some(key.as_str()));
    assert!(
        topic
            .policy
            .as_deref()
            .unwrap()
            .contains("cloudwatch.amazonaws.com")
    );
    let subs: Vec<(&str, bool)> = topic
        .subscriptions
        .iter()
        .map(|s| (s.protocol.as_str(), s.arn.is_some()))
        .collect();
    assert_eq!(subs, vec![("email", false), ("sqs", true)]);

    // Alarms: 4 on the primary, one lag alarm per replica, two per NAT
    // gateway; each notifies the topic on ALARM and OK and names the stack.
    let nats = state.network.nat_gateway_ids.clone().unwrap();
    assert_eq!(objects.alarms.len(), 4 + 2 + 2 * nats.len());
    for a in &objects.alarms {
        assert_eq!(a.definition.alarm_actions, vec![topic.arn.clone()], "{a:?}");
        assert_eq!(a.definition.ok_actions, vec![topic.arn.clone()], "{a:?}");
        assert!(a.definition.description.contains("todo-mon"), "{a:?}");
        assert_eq!(a.tags.get("todo:stack").map(String::as_str), Some(STACK));
    }
    for (zone, nat) in &nats {
        let a = objects
            .alarms
            .iter()
            .find(|a| a.name == format!("todo-mon-nat-packets-dropped-{zone}"))
            .unwrap();
        assert_eq!(a.definition.dimensions.get("NatGatewayId"), Some(nat));
    }
    let cpu = objects
        .alarms
        .iter()
        .find(|a| a.name == "todo-mon-db-cpu")
        .unwrap();
    assert_eq!(
        cpu.definition.dimensions.get("DBInstanceIdentifier"),
        Some(&db_id)
    );
    assert_eq!(cpu.definition.threshold, 80.0);
    let storage = objects
        .alarms
        .iter()
        .find(|a| a.name == "todo-mon-db-free-storage")
        .unwrap();
    assert_eq!(storage.definition.threshold, 2.0 * 1024.0 * 1024.0 * 1024.0);

    // The dashboard shows the database, the replicas and every NAT gateway.
    assert_eq!(objects.dashboards.len(), 1);
    let dash = &objects.dashboards[0];
    assert_eq!(dash.name, "todo-mon-us-east-1");
    assert!(dash.body.contains(&db_id));
    for nat in nats.values() {
        assert!(dash.body.contains(nat.as_str()), "dashboard lacks {nat}");
    }

    // The flow log: the VPC, to its group, with a role that may write there.
    assert_eq!(objects.flow_logs.len(), 1);
    let flow = &objects.flow_logs[0];
    assert_eq!(Some(&flow.vpc_id), state.network.vpc_id.as_ref());
    assert_eq!(flow.log_group, "/todo/todo-mon/vpc-flow-logs");
    let roles = IamApi::list_roles(&*sim, "/todo/us-east-1/todo-mon/")
        .await
        .unwrap();
    let role = roles.iter().find(|r| r.name.ends_with("-flowlog")).unwrap();
    assert_eq!(flow.role_arn.as_ref(), Some(&role.arn));
    assert!(
        role.inline_policy
            .as_deref()
            .unwrap()
            .contains("logs:PutLogEvents")
    );

    // The key lets CloudWatch Logs and alarms use it.
    let k = sim.keys().into_iter().find(|k| k.arn == key).unwrap();
    let policy = k.policy.unwrap();
    assert!(
        policy.contains("logs.us-east-1.amazonaws.com")
            && policy.contains("cloudwatch.amazonaws.com")
    );

    // The outputs.
    let m = state.monitoring.as_ref().unwrap();
    assert_eq!(m.topic_arn.as_ref(), Some(&topic.arn));
    assert_eq!(m.log_group_names.as_ref().unwrap().len(), 4);
    assert_eq!(
        m.alarm_names
            .as_ref()
            .unwrap()
            .get("replica_lag/r2")
            .map(String::as_str),
        Some("todo-mon-replica-lag-r2")
    );
    assert_eq!(m.alarm_names.as_ref().unwrap().len(), objects.alarms.len());
    assert_eq!(m.dashboard_name.as_deref(), Some("todo-mon-us-east-1"));
    assert!(
        m.dashboard_url
            .as_deref()
            .unwrap()
            .contains("#dashboards/dashboard/todo-mon-us-east-1")
    );

    // Monitoring runs beside the rest: the apply takes about the critical
    // path, and monitoring lengthens that path by seconds at most.
    let cost = |op: &Op| create_cost(&model, op);
    let clouds = common::clouds(&sim, Default::default());
    let bound = critical_path(&creation_plan(&clouds, &want).unwrap().steps, cost);
    let mut plain = want.clone();
    plain.monitoring = None;
    let plain_bound = critical_path(&creation_plan(&clouds, &plain).unwrap().steps, cost);
    println!(
        "sim apply of the full stack with monitoring: {:.0} s; critical path {:.0} s (without monitoring {:.0} s); ratio {:.2}",
        elapsed.as_secs_f64(),
        bound.as_secs_f64(),
        plain_bound.as_secs_f64(),
        elapsed.as_secs_f64() / bound.as_secs_f64()
    );
    assert!(
        elapsed.as_secs_f64() < bound.as_secs_f64() * 1.1,
        "{elapsed:?} vs critical path {bound:?}"
    );
    assert!(
        bound <= plain_bound + Duration::from_secs(3),
        "monitoring lengthens the critical path: {bound:?} vs {plain_bound:?}"
    );

    // Nothing to do the second time; refresh finds no drift.
    let before = sim.mutations();
    let again = apply_ok(&s, Some(&state), &want).await;
    assert_eq!(sim.mutations(), before, "a second apply changed AWS");
    assert_eq!(again, state);
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert_eq!(read.drift, Some(Vec::new()));
    assert_eq!(read.monitoring, state.monitoring);
}

#[tokio::test(start_paused = true)]
async fn alarms_follow_replicas_and_nat_gateways() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let one = apply_ok(&s, None, &monitored(&["r1"], "one_per_az", false)).await;
    let names = alarm_names(&sim);
    assert!(names.contains(&"todo-mon-replica-lag-r1".to_string()));
    assert_eq!(names.iter().filter(|n| n.contains("-nat-")).count(), 6);
    let before = sim.monitoring_objects().alarms;

    // A replica added: its lag alarm appears, nothing else changes.
    let two = apply_ok(
        &s,
        Some(&one),
        &monitored(&["r1", "r2"], "one_per_az", false),
    )
    .await;
    let after = sim.monitoring_objects().alarms;
    assert_eq!(after.len(), before.len() + 1);
    for a in &before {
        assert!(after.contains(a), "{} changed", a.name);
    }
    assert!(alarm_names(&sim).contains(&"todo-mon-replica-lag-r2".to_string()));

    // A replica removed: its alarm goes with it.
    let back = apply_ok(&s, Some(&two), &monitored(&["r2"], "one_per_az", false)).await;
    let names = alarm_names(&sim);
    assert!(
        !names.contains(&"todo-mon-replica-lag-r1".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"todo-mon-replica-lag-r2".to_string()));
    assert_eq!(
        back.monitoring
            .as_ref()
            .unwrap()
            .alarm_names
            .as_ref()
            .unwrap()
            .len(),
        names.len()
    );

    // One NAT gateway instead of three: the other zones' alarms go, and
    // the one left watches the gateway that is left.
    let single = apply_ok(&s, Some(&back), &monitored(&["r2"], "single", false)).await;
    let objects = sim.monitoring_objects();
    let nat_alarms: Vec<_> = objects
        .alarms
        .iter()
        .filter(|a| a.name.contains("-nat-"))
        .collect();
    assert_eq!(nat_alarms.len(), 2, "{:?}", alarm_names(&sim));
    let nat = single
        .network
        .nat_gateway_ids
        .as_ref()
        .unwrap()
        .values()
        .next()
        .unwrap();
    for a in nat_alarms {
        assert_eq!(a.definition.dimensions.get("NatGatewayId"), Some(nat));
    }

    // Switched off one by one, tuned in place.
    let tuned = with_monitoring(&monitored(&["r2"], "single", false), |m| {
        m.alarms = Some(AlarmsState {
            database_cpu: Some(AlarmSettings {
                enabled: Some(false),
                ..Default::default()
            }),
            replica_lag: Some(AlarmSettings {
                threshold: Some(120.0),
                ..Default::default()
            }),
            ..Default::default()
        });
    });
    let tuned_state = apply_ok(&s, Some(&single), &tuned).await;
    let objects = sim.monitoring_objects();
    assert!(
        !objects
            .alarm_names()
            .contains(&"todo-mon-db-cpu".to_string())
    );
    let lag = objects
        .alarms
        .iter()
        .find(|a| a.name == "todo-mon-replica-lag-r2")
        .unwrap();
    assert_eq!(lag.definition.threshold, 120.0);
    assert!(
        !tuned_state
            .monitoring
            .unwrap()
            .alarm_names
            .unwrap()
            .contains_key("database_cpu")
    );
}

#[tokio::test(start_paused = true)]
async fn drift_is_repaired_import_rebuilds_the_settings_and_destroy_leaves_nothing() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = with_monitoring(&monitored(&["r1"], "single", true), |m| {
        m.log_retention_days = Some(90);
        m.alarms = Some(AlarmsState {
            nat_packets_dropped: Some(AlarmSettings {
                enabled: Some(false),
                ..Default::default()
            }),
            database_connections: Some(AlarmSettings {
                threshold: Some(500.0),
                period: Some(60),
                evaluation_periods: Some(10),
                ..Default::default()
            }),
            ..Default::default()
        });
    });
    let state = apply_ok(&s, None, &want).await;

    sim.set_alarm_threshold_out_of_band("todo-mon-db-cpu", 99.0);
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    let drift = read.drift.clone().unwrap();
    assert!(
        drift
            .iter()
            .any(|d| d.contains("todo-mon-db-cpu") && d.contains("threshold")),
        "{drift:?}"
    );
    let repaired = apply_ok(&s, Some(&read), &want).await;
    let cpu = sim
        .monitoring_objects()
        .alarms
        .into_iter()
        .find(|a| a.name == "todo-mon-db-cpu");
    assert_eq!(cpu.unwrap().definition.threshold, 80.0);

    let imported = s.import(&ctx(), STACK).await.unwrap();
    assert_eq!(imported.monitoring, repaired.monitoring);

    let d = s.destroy(&ctx(), &repaired).await;
    assert!(!d.has_errors(), "{d:?}");
    let left: Vec<_> = sim.inventory();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_step_is_continued_without_twins_and_a_stack_without_monitoring_makes_no_monitoring_call()
 {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let mut plain = monitored(&[], "single", false);
    plain.monitoring = None;
    let plain_state = apply_ok(&s, None, &plain).await;
    let ops = sim.calls_by_op();
    for op in [
        "list_log_groups",
        "list_topics",
        "list_alarms",
        "get_dashboard",
        "list_flow_logs",
    ] {
        assert!(
            !ops.contains_key(op),
            "{op} called for a stack without monitoring"
        );
    }

    // EKS or RDS made a log group of the stack's before it had monitoring:
    // it is taken over, not refused.
    let db_id = plain_state
        .database
        .as_ref()
        .unwrap()
        .identifier
        .clone()
        .unwrap();
    let rds_group = format!("/aws/rds/instance/{db_id}/postgresql");
    sim.add_log_group_out_of_band(&rds_group, Default::default());

    sim.inject(Fault {
        op: Some("create_flow_log"),
        after: 0,
        times: 1,
        error: CloudError::Service {
            code: "InternalError".into(),
            message: "injected".into(),
        },
    });
    let want = monitored(&[], "single", false);
    let (partial, d) = s.apply(&ctx(), Some(&plain_state), &want).await;
    assert!(d.has_errors(), "the injected failure must surface");
    let partial = partial.unwrap();
    let done = apply_ok(&s, Some(&partial), &want).await;
    let objects = sim.monitoring_objects();
    assert_eq!(objects.flow_logs.len(), 1);
    assert_eq!(objects.topics.len(), 1);
    assert_eq!(objects.dashboards.len(), 1);
    let adopted = objects
        .log_groups
        .iter()
        .find(|g| g.name == rds_group)
        .unwrap();
    assert_eq!(adopted.retention_days, Some(30));
    assert_eq!(
        adopted.tags.get("todo:stack").map(String::as_str),
        Some(STACK)
    );
    let again = apply_ok(&s, Some(&done), &want).await;
    assert_eq!(again, done);

    // Monitoring removed: its objects go, the rest stays.
    let before = counts(&sim);
    let removed = apply_ok(&s, Some(&done), &plain).await;
    assert!(removed.monitoring.is_none());
    let after = counts(&sim);
    for kind in ["log-group", "sns-topic", "alarm", "dashboard", "flow-log"] {
        assert_eq!(after.get(kind), None, "{kind} left: {after:?}");
    }
    assert_eq!(after.get("db-instance"), before.get("db-instance"));
    assert_eq!(after.get("vpc"), before.get("vpc"));
}

#[tokio::test(start_paused = true)]
async fn through_the_protocol_the_plans_known_monitoring_values_hold() {
    use tfplugin::{AttributePath, Value, to_value};
    use todo_provider::stack::plan::set_at;
    use todo_provider::stack::schema::stack_schema;
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let ty = stack_schema().value_type();
    let mut cfg = desired(STACK, "single");
    cfg.network.public_subnet_cidrs = None;
    cfg.network.private_subnet_cidrs = None;
    cfg.database = Some(DatabaseState {
        deletion_protection: Some(false),
        replicas: Some(BTreeMap::from([(
            "r1".to_string(),
            ReplicaState::default(),
        )])),
        ..Default::default()
    });
    cfg.monitoring = Some(MonitoringState {
        subscriptions: Some(vec![subscription("email", "ops@example.com")]),
        alarms: Some(AlarmsState {
            database_cpu: Some(AlarmSettings {
                threshold: Some(90.0),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    });
    let protocol = Protocol::on(&sim);
    let config = to_value(&cfg, &ty).unwrap();
    let planned = protocol.plan(&Value::Null, &config).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    let mon = AttributePath::new("monitoring");
    // Known at plan: the alarms' names and settings, the dashboard's name.
    assert_eq!(
        planned
            .planned_state
            .at(&mon.attr("alarm_names").key("replica_lag/r1")),
        Some(&Value::String(format!("{STACK}-replica-lag-r1")))
    );
    assert_eq!(
        planned.planned_state.at(&mon.attr("dashboard_name")),
        Some(&Value::String(format!("{STACK}-us-east-1")))
    );
    assert_eq!(
        planned.planned_state.at(&mon.attr("topic_arn")),
        Some(&Value::Unknown)
    );
    let applied = protocol
        .apply(&Value::Null, &planned.planned_state, &config)
        .await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    assert_consistent(&planned.planned_state, &applied.new_state, "create");
    let state = applied.new_state;
    assert_eq!(protocol.plan(&state, &config).await.planned_state, state);

    // A replica added: its alarm is planned by name, and the plan holds.
    cfg.database
        .as_mut()
        .unwrap()
        .replicas
        .as_mut()
        .unwrap()
        .insert("r2".into(), ReplicaState::default());
    let two = to_value(&cfg, &ty).unwrap();
    let planned = protocol.plan(&state, &two).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    assert!(
        planned
            .planned_state
            .at(&mon.attr("alarm_names").key("replica_lag/r2"))
            .is_some_and(|v| !v.is_unknown())
    );
    let applied = protocol.apply(&state, &planned.planned_state, &two).await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    assert_consistent(&planned.planned_state, &applied.new_state, "add replica");
    let state = applied.new_state;

    // A plan with an unknown monitoring input leaves what depends on it
    // unknown, and the apply's result matches it.
    let mut unknown = two.clone();
    set_at(
        &mut unknown,
        &mon.attr("log_retention_days"),
        Value::Unknown,
    );
    let planned = protocol.plan(&state, &unknown).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    assert_eq!(
        planned.planned_state.at(&mon.attr("flow_logs")),
        Some(&Value::Unknown)
    );
    let mut known = two.clone();
    set_at(
        &mut known,
        &mon.attr("log_retention_days"),
        Value::Number(tfplugin::Number::Int(90)),
    );
    let applied = protocol.apply(&state, &planned.planned_state, &known).await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    assert_consistent(
        &planned.planned_state,
        &applied.new_state,
        "unknown retention",
    );
    assert!(
        sim.monitoring_objects()
            .log_groups
            .iter()
            .all(|g| g.retention_days == Some(90))
    );
}
