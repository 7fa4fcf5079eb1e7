//! Engine tests against the in-memory cloud: idempotency, failing each call
//! of a create and of an update in turn, crashing after each mutation,
//! drift, timeouts and polling on a paused clock, and apply wall time
//! against the critical path.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use todo_provider::cloud::sim::{Fault, LatencyModel, SimCloud};
use todo_provider::cloud::{CloudError, TAG_STACK};
use todo_provider::reconcile::runner::critical_path;
use todo_provider::reconcile::{Op, TAG_STACK_ID};
use todo_provider::stack::engine::creation_plan;
use todo_provider::stack::model::{NetworkState, StackState, Timeouts};
use todo_provider::stack::plan::plan_stack;

#[tokio::test(start_paused = true)]
async fn create_for_each_nat_mode_then_apply_again_is_a_no_op() {
    for nat in ["one_per_az", "single", "none"] {
        let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
        let s = stacks(&sim);
        let want = desired("todo-test", nat);
        let state = apply_ok(&s, None, &want).await;
        assert_complete(&state, nat);
        assert_eq!(counts(&sim), expected_counts(nat), "{nat}");
        let id = state.stack_id.clone().unwrap();
        for (_, obj, tags) in sim.inventory() {
            let tag = |k: &str| tags.get(k).map(String::as_str);
            assert_eq!(tag(TAG_STACK), Some("todo-test"), "{obj} untagged");
            assert_eq!(
                tag(TAG_STACK_ID),
                Some(id.as_str()),
                "{obj} lacks the identity"
            );
            assert_eq!(tag("team"), Some("platform"), "{obj} lacks default tags");
            assert_eq!(tag("env"), Some("test"), "{obj} lacks stack tags");
        }
        let key = &sim.keys()[0];
        assert!(key.rotation, "rotation off");
        // The plan of the unchanged configuration is the state itself...
        let planned = plan_stack(Some(&state), &want, Some("us-east-1"));
        assert!(planned.unknown.is_empty(), "{nat}: {:?}", planned.unknown);
        assert_eq!(planned.state, state);
        // ...and a second apply changes nothing.
        let before = sim.mutations();
        let again = apply_ok(&s, Some(&state), &want).await;
        assert_eq!(again, state);
        assert_eq!(
            sim.mutations(),
            before,
            "{nat}: second apply mutated the cloud"
        );
        // Refresh is one observe: one list call per object kind.
        let calls = sim.calls();
        let refreshed = s.read(&ctx(), &state).await.unwrap().unwrap();
        assert_eq!(refreshed, state);
        assert_eq!(sim.calls() - calls, 8, "{:?}", sim.calls_by_op());
        // Destroy leaves nothing but the key, pending deletion.
        let d = s.destroy(&ctx(), &state).await;
        assert!(!d.has_errors(), "{d:?}");
        assert!(
            sim.inventory().is_empty(),
            "{nat}: left {:?}",
            sim.inventory()
        );
        assert!(sim.keys().iter().all(|k| k.aliases.is_empty()));
        assert_eq!(s.read(&ctx(), &state).await.unwrap(), None);
    }
}

/// Fails call `k` of an operation; the next apply must converge with no
/// twin and destroy must leave nothing.
async fn fail_each_call(update: bool) {
    let want = desired("todo-test", "one_per_az");
    let changed = {
        let mut c = desired("todo-test", "single");
        c.tags = Some([("env".to_string(), "prod".to_string())].into());
        c
    };
    let prepare = |sim: &Arc<SimCloud>| {
        let s = stacks(sim);
        let want = want.clone();
        async move {
            if update {
                Some(apply_ok(&s, None, &want).await)
            } else {
                None
            }
        }
    };
    let target = if update { &changed } else { &want };
    let clean = Arc::new(SimCloud::new(LatencyModel::instant()));
    let prior = prepare(&clean).await;
    let before = clean.calls();
    apply_ok(&stacks(&clean), prior.as_ref(), target).await;
    let total = clean.calls() - before;
    assert!(total > 20, "the operation makes {total} calls");
    for k in 1..=total {
        let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
        let s = stacks(&sim);
        let prior = prepare(&sim).await;
        sim.inject(Fault {
            op: None,
            after: k - 1,
            times: 1,
            error: CloudError::Service {
                code: "InternalError".into(),
                message: format!("injected at call {k}"),
            },
        });
        let (partial, d) = s.apply(&ctx(), prior.as_ref(), target).await;
        assert!(d.has_errors(), "call {k}: the failure was not reported");
        let text = format!("{d:?}");
        assert!(
            text.contains(&format!("injected at call {k}")),
            "call {k}: {text}"
        );
        if text.contains("reading its objects failed") {
            // Observe failed: nothing changed, and a create leaves no state.
            assert!(text.contains("Nothing was changed"), "call {k}: {text}");
            assert_eq!(partial, prior, "call {k}");
        } else if !update {
            assert!(
                text.contains("terraform untaint"),
                "call {k}: no guidance: {text}"
            );
        }
        // untaint + apply (or apply again): converges from the partial state.
        let state = apply_ok(&s, partial.as_ref(), target).await;
        let nat = if update { "single" } else { "one_per_az" };
        assert_complete(&state, nat);
        assert_eq!(
            counts(&sim),
            expected_counts(nat),
            "call {k}: twins or leftovers"
        );
        for (_, obj, tags) in sim.inventory() {
            if update {
                assert_eq!(
                    tags.get("env").map(String::as_str),
                    Some("prod"),
                    "call {k}: {obj}"
                );
            }
        }
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
async fn failing_each_call_of_a_create_in_turn_leaves_a_state_the_next_apply_converges() {
    fail_each_call(false).await;
}

#[tokio::test(start_paused = true)]
async fn failing_each_call_of_an_update_in_turn_leaves_a_state_the_next_apply_converges() {
    fail_each_call(true).await;
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_mutation_of_a_create_is_adopted_without_twins() {
    let want = desired("todo-test", "one_per_az");
    let clean = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    apply_ok(&stacks(&clean), None, &want).await;
    let mutations = clean.mutations();
    let mut crashed_mid_way = 0;
    for k in 1..=mutations {
        let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
        let s = stacks(&sim);
        // "kill -9": the apply future is dropped right after mutation k,
        // and no state is saved.
        let c = ctx();
        tokio::select! {
            _ = s.apply(&c, None, &want) => {}
            _ = sim.wait_mutations(k) => crashed_mid_way += 1,
        }
        let (state, d) = s.apply(&ctx(), None, &want).await;
        let state = if k == mutations {
            // The crash came after the stack was marked complete: a new
            // create refuses to take it over, and import adopts it.
            assert!(format!("{d:?}").contains("terraform import"), "{d:?}");
            assert!(state.is_none());
            let imported = s.import(&ctx(), "todo-test").await.unwrap();
            apply_ok(&s, Some(&imported), &want).await
        } else {
            assert!(!d.has_errors(), "crash after mutation {k}: {d:?}");
            state.unwrap()
        };
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
async fn a_crash_after_any_mutation_of_an_update_converges_on_the_next_apply() {
    let want = desired("todo-test", "one_per_az");
    let mut changed = desired("todo-test", "single");
    changed
        .network
        .public_subnet_cidrs
        .as_mut()
        .unwrap()
        .insert("us-east-1a".into(), "10.0.112.0/20".into());
    changed.tags = Some([("env".to_string(), "prod".to_string())].into());
    let clean = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&clean);
    let prior = apply_ok(&s, None, &want).await;
    let base = clean.mutations();
    apply_ok(&s, Some(&prior), &changed).await;
    let mutations = clean.mutations() - base;
    assert!(mutations > 10, "{mutations}");
    for k in 1..=mutations {
        let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
        let s = stacks(&sim);
        let prior = apply_ok(&s, None, &want).await;
        let base = sim.mutations();
        let c = ctx();
        tokio::select! {
            _ = s.apply(&c, Some(&prior), &changed) => {}
            _ = sim.wait_mutations(base + k) => {}
        }
        // No state was saved: the next apply starts from the old state.
        let state = apply_ok(&s, Some(&prior), &changed).await;
        assert_complete(&state, "single");
        assert_eq!(
            counts(&sim),
            expected_counts("single"),
            "crash after update mutation {k}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn drift_is_read_planned_and_repaired() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = desired("todo-test", "single");
    let state = apply_ok(&s, None, &want).await;
    let subnet = state.network.private_subnet_ids.as_ref().unwrap()["us-east-1b"].clone();
    let table = state.network.private_route_table_ids.as_ref().unwrap()["us-east-1c"].clone();
    sim.delete_out_of_band(&subnet);
    sim.delete_route_out_of_band(&table, "0.0.0.0/0");
    let refreshed = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert!(
        !refreshed
            .network
            .private_subnet_ids
            .as_ref()
            .unwrap()
            .contains_key("us-east-1b"),
        "a deleted subnet loses its id"
    );
    // The route table is still there: its id stays, the drift says why.
    assert_eq!(
        refreshed
            .network
            .private_route_table_ids
            .as_ref()
            .unwrap()
            .get("us-east-1c"),
        Some(&table)
    );
    let drift = refreshed.drift.clone().unwrap();
    assert!(
        drift
            .iter()
            .any(|l| l.contains(&table) && l.contains("0.0.0.0/0")),
        "{drift:?}"
    );
    assert!(
        drift
            .iter()
            .any(|l| l.contains("private-us-east-1b") && l.contains("missing")),
        "{drift:?}"
    );
    // Only the lost subnet's id is unknown in the plan.
    let planned = plan_stack(Some(&refreshed), &want, Some("us-east-1"));
    assert_eq!(planned.unknown.len(), 1, "{:?}", planned.unknown);
    assert_eq!(planned.state.drift, Some(Vec::new()));
    let repaired = apply_ok(&s, Some(&refreshed), &want).await;
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
    assert_eq!(s.read(&ctx(), &repaired).await.unwrap().unwrap(), repaired);
}

#[tokio::test(start_paused = true)]
async fn changing_a_subnet_cidr_replaces_only_that_subnet() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let state = apply_ok(&s, None, &want).await;
    let mut changed = want.clone();
    changed
        .network
        .private_subnet_cidrs
        .as_mut()
        .unwrap()
        .insert("us-east-1a".into(), "10.0.96.0/20".into());
    let after = apply_ok(&s, Some(&state), &changed).await;
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
    let mut want = desired("todo-test", "one_per_az");
    // Zones listed out of alphabetical order, and timeouts set: import
    // reproduces both from what the stack recorded.
    want.network.availability_zones = vec![
        "us-east-1c".into(),
        "us-east-1a".into(),
        "us-east-1b".into(),
    ];
    want.timeouts = Some(Timeouts {
        create: Some("2h".into()),
        ..Default::default()
    });
    let state = apply_ok(&s, None, &want).await;
    let imported = s.import(&ctx(), "todo-test").await.unwrap();
    assert_eq!(imported.network, state.network);
    assert_eq!(imported.tags, state.tags);
    assert_eq!(imported.timeouts, state.timeouts);
    assert_eq!(imported.stack_id, state.stack_id);
    assert_eq!(imported.kms_key_arn, state.kms_key_arn);
    let planned = plan_stack(Some(&imported), &want, Some("us-east-1"));
    assert_eq!(
        planned.state, imported,
        "the plan after import changes nothing"
    );
    assert!(s.import(&ctx(), "todo-nothing").await.is_err());
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
        text.contains("NAT gateway") && text.contains("timeouts.create = \\\"60s\\\""),
        "{text}"
    );
    assert!(elapsed <= Duration::from_secs(60), "{elapsed:?}");
    let partial = partial.unwrap();
    assert_eq!(
        partial.network.nat_gateway_ids.as_ref().map(|m| m.len()),
        Some(3),
        "NAT ids recorded"
    );
    want.timeouts = None;
    let state = apply_ok(&s, Some(&partial), &want).await;
    assert_eq!(
        state.network.nat_gateway_ids, partial.network.nat_gateway_ids,
        "NATs adopted, not re-created"
    );
    assert_eq!(counts(&sim), expected_counts("one_per_az"));
}

#[tokio::test(start_paused = true)]
async fn stop_provider_interrupts_an_apply_and_says_how_to_continue() {
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
    let (partial, d) = s.apply(&ctx, None, &want).await;
    assert!(start.elapsed() < Duration::from_secs(31));
    let text = format!("{d:?}");
    assert!(
        text.contains("was interrupted") && text.contains("terraform untaint"),
        "{text}"
    );
    assert!(!text.contains("fix the cause"), "{text}");
    let state = apply_ok(&s, partial.as_ref(), &want).await;
    assert_complete(&state, "one_per_az");
    assert_eq!(counts(&sim), expected_counts("one_per_az"));
}

/// Apply wall time on the AWS-like latency model, with the production
/// poll settings, versus the critical path of the step graph. Prints both
/// (the figures of the note).
#[tokio::test(start_paused = true)]
async fn apply_time_approaches_the_critical_path() {
    let model = LatencyModel::aws_like();
    let sim = Arc::new(SimCloud::new(model.clone()));
    let s = stacks(&sim);
    let want = desired("todo-test", "one_per_az");
    let start = tokio::time::Instant::now();
    let state = apply_ok(&s, None, &want).await;
    let elapsed = start.elapsed();
    let m = |op: &str| model.of(op);
    let clouds = common::clouds(&sim, Default::default());
    let plan = creation_plan(&clouds, &want).unwrap();
    let cost = |op: &Op| -> Duration {
        match op {
            Op::Create(k) => match k.kind {
                "vpc" => m("create_vpc"),
                "igw" => m("create_internet_gateway"),
                "subnet" => m("create_subnet"),
                "eip" => m("allocate_elastic_ip"),
                "nat" => m("create_nat_gateway") + model.nat_ready_after,
                "rt" => m("create_route_table"),
                "sg" => m("create_security_group"),
                "kms" => m("create_key"),
                _ => Duration::ZERO,
            },
            Op::Update(k) => match (k.kind, k.name.as_str()) {
                ("vpc", _) => m("set_vpc_dns"),
                ("igw", _) => m("attach_internet_gateway"),
                ("subnet", n) if n.starts_with("public") => m("set_subnet_public_ip"),
                ("rt", "public") => m("create_route") + m("associate_route_table") * 3,
                ("rt", _) => m("create_route") + m("associate_route_table"),
                ("sg", "nodes") => m("authorize_rule") * 3,
                ("sg", _) => m("authorize_rule"),
                ("kms", _) => m("enable_rotation") + m("create_alias"),
                _ => Duration::ZERO,
            },
            Op::Seal(_) => m("retag"),
            Op::Delete(..) => Duration::ZERO,
        }
    };
    let observe = [
        "list_vpcs",
        "list_subnets",
        "list_internet_gateways",
        "list_elastic_ips",
        "list_nat_gateways",
        "list_route_tables",
        "list_security_groups",
        "list_keys",
    ]
    .iter()
    .map(|op| m(op))
    .max()
    .unwrap_or_default();
    let bound = observe + critical_path(&plan.steps, cost);
    let ratio = elapsed.as_secs_f64() / bound.as_secs_f64();
    println!(
        "apply wall time {elapsed:?} vs critical path {bound:?} (production polling): {:.1}% over",
        (ratio - 1.0) * 100.0
    );
    println!("calls by operation: {:?}", sim.calls_by_op());
    assert_complete(&state, "one_per_az");
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
    // Import of a counted stack reproduces the count: its plan is empty.
    let imported = stacks(&sim).import(&ctx(), "todo-count").await.unwrap();
    assert_eq!(imported.network.availability_zone_count, Some(2));
    // Both forms at once are refused at validate.
    cfg.network.availability_zones = vec!["us-east-1a".into(), "us-east-1b".into()];
    let both = to_value(&cfg, &ty).unwrap();
    let d = resource.validate(&both).await;
    assert!(
        d.iter().any(|x| x.summary.contains("availability zone")),
        "{d:?}"
    );
}
