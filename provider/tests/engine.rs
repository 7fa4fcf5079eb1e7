//! Engine tests against the in-memory cloud: idempotency, failing each call
//! in turn, crashing after each mutation, drift, timeouts and polling on a
//! paused clock, and apply wall time against the critical path.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tfplugin::Context;
use todo_provider::cloud::sim::{Fault, LatencyModel, SimCloud};
use todo_provider::cloud::{CloudError, NetworkApi, TAG_STACK};
use todo_provider::stack::components::network::{DesiredNetwork, Polling, graph};
use todo_provider::stack::engine::critical_path;
use todo_provider::stack::model::{NetworkState, StackState, Timeouts};
use todo_provider::stack::plan::{plan_stack, with_defaults};
use todo_provider::stack::{CloudSource, Stacks};
use tokio_util::sync::CancellationToken;

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn desired(name: &str, nat: &str) -> StackState {
    with_defaults(&StackState {
        name: name.into(),
        tags: Some(BTreeMap::from([("env".to_string(), "test".to_string())])),
        network: NetworkState {
            cidr_block: "10.0.0.0/16".into(),
            availability_zones: ZONES.iter().map(|z| z.to_string()).collect(),
            nat_gateways: Some(nat.into()),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn stacks(sim: &Arc<SimCloud>) -> Stacks {
    let network: Arc<dyn NetworkApi> = sim.clone();
    Stacks::new(
        CloudSource::Fixed {
            network,
            default_tags: BTreeMap::from([("team".to_string(), "platform".to_string())]),
        },
        Polling {
            interval: Duration::from_secs(2),
        },
    )
}

fn ctx() -> Context {
    Context {
        stop: CancellationToken::new(),
    }
}

/// Objects a 3-zone network has, by kind, for a NAT mode.
fn expected_counts(nat: &str) -> BTreeMap<&'static str, usize> {
    let nats = match nat {
        "one_per_az" => 3,
        "single" => 1,
        _ => 0,
    };
    BTreeMap::from([
        ("vpc", 1),
        ("subnet", 6),
        ("internet-gateway", 1),
        ("elastic-ip", nats),
        ("nat-gateway", nats),
        ("route-table", 4),
        ("security-group", 3),
    ])
}

fn counts(sim: &SimCloud) -> BTreeMap<&'static str, usize> {
    let mut out: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (kind, _, _) in sim.inventory() {
        *out.entry(kind).or_default() += 1;
    }
    out.retain(|_, n| *n > 0);
    out
}

fn nonzero(mut m: BTreeMap<&'static str, usize>) -> BTreeMap<&'static str, usize> {
    m.retain(|_, n| *n > 0);
    m
}

fn assert_complete(state: &StackState, nat: &str) {
    let n = &state.network;
    assert!(
        n.vpc_id.is_some() && n.internet_gateway_id.is_some() && n.public_route_table_id.is_some(),
        "{n:?}"
    );
    assert_eq!(n.public_subnet_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.private_subnet_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.private_route_table_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.security_group_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(
        n.nat_gateway_ids.as_ref().map(|m| m.len()),
        Some(expected_counts(nat)["nat-gateway"])
    );
}

#[tokio::test(start_paused = true)]
async fn create_for_each_nat_mode_then_apply_again_is_a_no_op() {
    for nat in ["one_per_az", "single", "none"] {
        let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
        let s = stacks(&sim);
        let want = desired("todo-test", nat);
        let (state, d) = s.apply(&ctx(), None, &want).await;
        assert!(!d.has_errors(), "{nat}: {d:?}");
        assert_complete(&state, nat);
        assert_eq!(counts(&sim), nonzero(expected_counts(nat)), "{nat}");
        for (_, id, tags) in sim.inventory() {
            assert_eq!(
                tags.get(TAG_STACK).map(String::as_str),
                Some("todo-test"),
                "{id} untagged"
            );
            assert_eq!(
                tags.get("team").map(String::as_str),
                Some("platform"),
                "{id} lacks default tags"
            );
            assert_eq!(
                tags.get("env").map(String::as_str),
                Some("test"),
                "{id} lacks stack tags"
            );
        }
        // The plan of the unchanged configuration is the state itself...
        let planned = plan_stack(Some(&state), &want);
        assert!(planned.unknown.is_empty(), "{nat}: {:?}", planned.unknown);
        assert_eq!(planned.state, state);
        // ...and a second apply changes nothing.
        let before = sim.mutations();
        let (again, d) = s.apply(&ctx(), Some(&state), &want).await;
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(again, state);
        assert_eq!(
            sim.mutations(),
            before,
            "{nat}: second apply mutated the cloud"
        );
        // Refresh is one observe (one describe per object kind on AWS).
        let calls = sim.calls();
        let refreshed = s.read(&state).await.unwrap().unwrap();
        assert_eq!(refreshed, state);
        assert_eq!(sim.calls() - calls, 1);
        // Destroy leaves nothing.
        let d = s.destroy(&ctx(), &state).await;
        assert!(!d.has_errors(), "{d:?}");
        assert!(
            sim.inventory().is_empty(),
            "{nat}: left {:?}",
            sim.inventory()
        );
        assert_eq!(s.read(&state).await.unwrap(), None);
    }
}

#[tokio::test(start_paused = true)]
async fn failing_each_call_in_turn_leaves_a_state_the_next_apply_converges() {
    let clean = Arc::new(SimCloud::new(LatencyModel::instant()));
    let (_, d) = stacks(&clean)
        .apply(&ctx(), None, &desired("todo-test", "one_per_az"))
        .await;
    assert!(!d.has_errors());
    let total = clean.calls();
    assert!(total > 40, "a create makes {total} calls");
    for k in 1..=total {
        let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
        let s = stacks(&sim);
        sim.inject(Fault {
            op: None,
            after: k - 1,
            times: 1,
            error: CloudError::Service {
                code: "InternalError".into(),
                message: format!("injected at call {k}"),
            },
        });
        let want = desired("todo-test", "one_per_az");
        let (partial, d) = s.apply(&ctx(), None, &want).await;
        assert!(d.has_errors(), "call {k}: the failure was not reported");
        let text = format!("{:?}", d);
        assert!(
            text.contains(&format!("injected at call {k}")),
            "call {k}: {text}"
        );
        assert!(
            text.contains("terraform untaint"),
            "call {k}: no guidance: {text}"
        );
        // untaint + apply: an update from the partial state converges.
        let (state, d) = s.apply(&ctx(), Some(&partial), &want).await;
        assert!(!d.has_errors(), "call {k}: re-apply failed: {d:?}");
        assert_complete(&state, "one_per_az");
        assert_eq!(
            counts(&sim),
            expected_counts("one_per_az"),
            "call {k}: twins or leftovers"
        );
        let d = s.destroy(&ctx(), &state).await;
        assert!(!d.has_errors(), "call {k}: {d:?}");
        assert!(
            sim.inventory().is_empty(),
            "call {k}: destroy left {:?}",
            sim.inventory()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_mutation_is_adopted_without_twins() {
    let clean = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let (_, d) = stacks(&clean)
        .apply(&ctx(), None, &desired("todo-test", "one_per_az"))
        .await;
    assert!(!d.has_errors());
    let mutations = clean.mutations();
    let mut crashed_mid_way = 0;
    for k in 1..=mutations {
        let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
        let s = stacks(&sim);
        let want = desired("todo-test", "one_per_az");
        // "kill -9": the apply future is dropped right after mutation k, and
        // no state is saved.
        let c = ctx();
        tokio::select! {
            // The last mutation can finish the apply in the same poll: that
            // is a crash after the work but before the state was saved.
            // Mutations that end at the same instant finish the apply in
            // one poll: that is a crash after the work, before the state.
            _ = s.apply(&c, None, &want) => {}
            _ = sim.wait_mutations(k) => crashed_mid_way += 1,
        }
        let (state, d) = s.apply(&ctx(), None, &want).await;
        assert!(!d.has_errors(), "crash after mutation {k}: {d:?}");
        assert_complete(&state, "one_per_az");
        assert_eq!(
            counts(&sim),
            expected_counts("one_per_az"),
            "crash after mutation {k}: twins"
        );
    }
    assert!(
        crashed_mid_way + 5 >= mutations,
        "only {crashed_mid_way} of {mutations} crashes interrupted the apply"
    );
}

#[tokio::test(start_paused = true)]
async fn drift_is_read_planned_and_repaired() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = desired("todo-test", "single");
    let (state, _) = s.apply(&ctx(), None, &want).await;
    let subnet = state.network.private_subnet_ids.as_ref().unwrap()["us-east-1b"].clone();
    let table = state.network.private_route_table_ids.as_ref().unwrap()["us-east-1c"].clone();
    sim.delete_out_of_band(&subnet);
    sim.delete_route_out_of_band(&table, "0.0.0.0/0");
    let refreshed = s.read(&state).await.unwrap().unwrap();
    assert!(
        !refreshed
            .network
            .private_subnet_ids
            .as_ref()
            .unwrap()
            .contains_key("us-east-1b")
    );
    assert!(
        !refreshed
            .network
            .private_route_table_ids
            .as_ref()
            .unwrap()
            .contains_key("us-east-1c")
    );
    // The lost subnet, its lost route table association, and the lost route.
    let planned = plan_stack(Some(&refreshed), &want);
    assert_eq!(planned.unknown.len(), 3, "{:?}", planned.unknown);
    let (repaired, d) = s.apply(&ctx(), Some(&refreshed), &want).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_complete(&repaired, "single");
    assert_ne!(
        repaired.network.private_subnet_ids.as_ref().unwrap()["us-east-1b"],
        subnet
    );
    assert_eq!(
        repaired.network.private_route_table_ids.as_ref().unwrap()["us-east-1c"],
        table,
        "route table kept"
    );
    assert_eq!(s.read(&repaired).await.unwrap().unwrap(), repaired);
}

#[tokio::test(start_paused = true)]
async fn changing_a_subnet_cidr_replaces_only_that_subnet() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let (state, _) = s.apply(&ctx(), None, &want).await;
    let mut changed = want.clone();
    changed
        .network
        .private_subnet_cidrs
        .as_mut()
        .unwrap()
        .insert("us-east-1a".into(), "10.0.96.0/20".into());
    let (after, d) = s.apply(&ctx(), Some(&state), &changed).await;
    assert!(!d.has_errors(), "{d:?}");
    let before_ids = state.network.private_subnet_ids.clone().unwrap();
    let after_ids = after.network.private_subnet_ids.clone().unwrap();
    assert_ne!(before_ids["us-east-1a"], after_ids["us-east-1a"]);
    assert_eq!(before_ids["us-east-1b"], after_ids["us-east-1b"]);
    assert_eq!(state.network.vpc_id, after.network.vpc_id);
    assert_eq!(state.network.nat_gateway_ids, after.network.nat_gateway_ids);
    assert_eq!(counts(&sim), expected_counts("one_per_az"));
}

#[tokio::test(start_paused = true)]
async fn import_rebuilds_the_state() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let (state, _) = s.apply(&ctx(), None, &want).await;
    let imported = s.import("todo-test").await.unwrap();
    assert_eq!(imported.network, state.network);
    assert_eq!(imported.tags, state.tags);
    assert!(s.import("todo-nothing").await.is_err());
}

#[tokio::test(start_paused = true)]
async fn destroy_sweeps_leftover_interfaces_and_retries_dependencies() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let (state, _) = s.apply(&ctx(), None, &want).await;
    sim.add_interface(
        state.network.vpc_id.as_deref().unwrap(),
        "ELB app/k8s-default-web",
    );
    sim.inject(Fault {
        op: Some("delete_vpc"),
        after: 0,
        times: 2,
        error: CloudError::DependencyViolation("still detaching".into()),
    });
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(sim.inventory().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_short_timeout_stops_while_nat_gateways_are_pending_and_the_next_apply_finishes() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let mut want = desired("todo-test", "one_per_az");
    want.timeouts = Some(Timeouts {
        create: Some("60s".into()),
        ..Default::default()
    });
    let start = tokio::time::Instant::now();
    let (partial, d) = s.apply(&ctx(), None, &want).await;
    let elapsed = start.elapsed();
    assert!(d.has_errors());
    let text = format!("{d:?}");
    assert!(
        text.contains("NAT gateway") && text.contains("timed out"),
        "{text}"
    );
    // The wait gives up at the last poll that fits before the deadline.
    assert!(
        elapsed > Duration::from_secs(50) && elapsed <= Duration::from_secs(60),
        "{elapsed:?}"
    );
    assert_eq!(
        partial.network.nat_gateway_ids.as_ref().map(|m| m.len()),
        Some(3),
        "NAT ids recorded"
    );
    want.timeouts = None;
    let (state, d) = s.apply(&ctx(), Some(&partial), &want).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        state.network.nat_gateway_ids, partial.network.nat_gateway_ids,
        "NATs adopted, not re-created"
    );
    assert_eq!(counts(&sim), expected_counts("one_per_az"));
}

#[tokio::test(start_paused = true)]
async fn stop_provider_cancels_an_apply_at_the_next_safe_point() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let ctx = ctx();
    let stop = ctx.stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        stop.cancel();
    });
    let start = tokio::time::Instant::now();
    let (_, d) = s.apply(&ctx, None, &want).await;
    assert!(d.has_errors());
    assert!(format!("{d:?}").contains("cancelled"));
    assert!(start.elapsed() < Duration::from_secs(31));
}

/// Apply wall time on the AWS-like latency model versus the critical path of
/// the step graph. Prints both (the figures of the note).
#[tokio::test(start_paused = true)]
async fn apply_time_approaches_the_critical_path() {
    let model = LatencyModel::aws_like();
    let sim = Arc::new(SimCloud::new(model.clone()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let start = tokio::time::Instant::now();
    let (_, d) = s.apply(&ctx(), None, &want).await;
    assert!(!d.has_errors(), "{d:?}");
    let elapsed = start.elapsed();
    let m = |op: &str| model.of(op);
    let cost = |key: &str| -> Duration {
        if key == "vpc" {
            m("create_vpc") + m("set_vpc_dns")
        } else if key == "igw" {
            m("create_internet_gateway") + m("attach_internet_gateway")
        } else if key.starts_with("subnet-public") {
            m("create_subnet") + m("set_subnet_public_ip")
        } else if key.starts_with("subnet-private") {
            m("create_subnet")
        } else if key.starts_with("eip") {
            m("allocate_elastic_ip")
        } else if key.starts_with("nat") {
            m("create_nat_gateway") + model.nat_ready_after
        } else if key.starts_with("rt-") {
            m("create_route_table") + m("create_route")
        } else if key.starts_with("assoc") {
            m("associate_route_table")
        } else if key.starts_with("sg-rules") {
            m("authorize_rule") * 5
        } else if key.starts_with("sg-") {
            m("create_security_group")
        } else {
            Duration::ZERO
        }
    };
    let bound = m("observe_network")
        + critical_path(&graph(&DesiredNetwork::from_state(&want.network)), cost);
    let ratio = elapsed.as_secs_f64() / bound.as_secs_f64();
    println!(
        "apply wall time {elapsed:?} vs critical path {bound:?}: {:.1}% over",
        (ratio - 1.0) * 100.0
    );
    println!("calls by operation: {:?}", sim.calls_by_op());
    assert!(
        (1.0..=1.05).contains(&ratio),
        "apply took {elapsed:?}, critical path {bound:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_zone_count_is_resolved_at_plan_and_kept() {
    use tfplugin::{ApplyRequest, PlanRequest, Resource, Value, to_value};
    use todo_provider::stack::StackResource;
    use todo_provider::stack::schema::stack_schema;
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let resource = StackResource::new(stacks(&sim));
    let ty = stack_schema().value_type();
    let mut cfg = StackState {
        name: "todo-count".into(),
        network: NetworkState {
            cidr_block: "10.0.0.0/16".into(),
            availability_zone_count: Some(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut config = to_value(&cfg, &ty).unwrap();
    // As Terraform sends it: the zones are not set at all.
    todo_provider::stack::plan::set_at(
        &mut config,
        &tfplugin::AttributePath::new("network").attr("availability_zones"),
        Value::Null,
    );
    let plan = resource
        .plan(
            &ctx(),
            PlanRequest {
                prior_state: Value::Null,
                proposed_new_state: config.clone(),
                config: config.clone(),
                prior_private: vec![],
                client: Default::default(),
            },
        )
        .await;
    assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
    let zones = plan
        .planned_state
        .get("network")
        .get("availability_zones")
        .clone();
    assert_eq!(
        zones,
        Value::List(vec![
            Value::string("us-east-1a"),
            Value::string("us-east-1b")
        ])
    );
    let applied = resource
        .apply(
            &ctx(),
            ApplyRequest {
                prior_state: Value::Null,
                planned_state: plan.planned_state.clone(),
                config: config.clone(),
                planned_private: vec![],
            },
        )
        .await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    let state: StackState = tfplugin::from_value(&applied.new_state).unwrap();
    assert_eq!(
        state.network.availability_zones,
        vec!["us-east-1a", "us-east-1b"]
    );
    assert_eq!(
        state.network.public_subnet_ids.as_ref().map(|m| m.len()),
        Some(2)
    );
    // The next plan keeps the zones (no AWS call needed) and changes nothing.
    let calls = sim.calls();
    let again = resource
        .plan(
            &ctx(),
            PlanRequest {
                prior_state: applied.new_state.clone(),
                proposed_new_state: applied.new_state.clone(),
                config: config.clone(),
                prior_private: vec![],
                client: Default::default(),
            },
        )
        .await;
    assert_eq!(again.planned_state, applied.new_state);
    assert_eq!(sim.calls(), calls);
    // Both forms at once are refused at validate.
    cfg.network.availability_zones = vec!["us-east-1a".into(), "us-east-1b".into()];
    let both = to_value(&cfg, &ty).unwrap();
    let d = resource.validate(&both).await;
    assert!(
        d.iter()
            .any(|x| x.summary == "Conflicting availability zone settings"),
        "{d:?}"
    );
}
