//! Helpers shared by the engine test files.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use tfplugin::Context;
use todo_provider::cloud::sim::SimCloud;
use todo_provider::reconcile::Polling;
use todo_provider::stack::engine::Clouds;
use todo_provider::stack::model::{NetworkState, StackState};
use todo_provider::stack::plan::with_defaults;
use todo_provider::stack::{CloudSource, Stacks};
use tokio_util::sync::CancellationToken;

/// The zones of every test stack.
pub const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

/// A 3-zone stack named `name` with NAT layout `nat`, defaults filled in.
pub fn desired(name: &str, nat: &str) -> StackState {
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

/// Stacks on `sim` with default tags `team = platform`, production polling.
pub fn stacks(sim: &Arc<SimCloud>) -> Stacks {
    stacks_tagged(
        sim,
        BTreeMap::from([("team".to_string(), "platform".to_string())]),
    )
}

/// Stacks on `sim` with the given default tags.
pub fn stacks_tagged(sim: &Arc<SimCloud>, default_tags: BTreeMap<String, String>) -> Stacks {
    Stacks::new(
        CloudSource::Fixed(Box::new(clouds(sim, default_tags))),
        Polling::default(),
    )
}

/// Every API of the sim, in us-east-1.
pub fn clouds(sim: &Arc<SimCloud>, default_tags: BTreeMap<String, String>) -> Clouds {
    Clouds {
        network: sim.clone(),
        kms: sim.clone(),
        iam: sim.clone(),
        eks: sim.clone(),
        leftovers: sim.clone(),
        rds: sim.clone(),
        secrets: sim.clone(),
        storage: sim.clone(),
        monitoring: sim.clone(),
        default_tags,
        region: "us-east-1".into(),
        account: Some("123456789012".into()),
    }
}

/// A fresh context.
pub fn ctx() -> Context {
    Context {
        stop: CancellationToken::new(),
    }
}

/// Objects a 3-zone network with its key has, by kind, for a NAT mode.
pub fn expected_counts(nat: &str) -> BTreeMap<&'static str, usize> {
    let nats = match nat {
        "one_per_az" => 3,
        "single" => 1,
        _ => 0,
    };
    let mut m = BTreeMap::from([
        ("vpc", 1),
        ("subnet", 6),
        ("internet-gateway", 1),
        ("elastic-ip", nats),
        ("nat-gateway", nats),
        ("route-table", 4),
        ("security-group", 3),
        ("kms-key", 1),
    ]);
    m.retain(|_, n| *n > 0);
    m
}

/// Objects in the sim, by kind.
pub fn counts(sim: &SimCloud) -> BTreeMap<&'static str, usize> {
    let mut out: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (kind, _, _) in sim.inventory() {
        *out.entry(kind).or_default() += 1;
    }
    out
}

/// Asserts the state records every object of a complete 3-zone stack.
pub fn assert_complete(state: &StackState, nat: &str) {
    let n = &state.network;
    assert!(
        n.vpc_id.is_some() && n.internet_gateway_id.is_some() && n.public_route_table_id.is_some(),
        "{n:?}"
    );
    assert_eq!(n.public_subnet_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.private_subnet_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.private_route_table_ids.as_ref().map(|m| m.len()), Some(3));
    assert_eq!(n.security_group_ids.as_ref().map(|m| m.len()), Some(3));
    let nats = expected_counts(nat)
        .get("nat-gateway")
        .copied()
        .unwrap_or(0);
    assert_eq!(n.nat_gateway_ids.as_ref().map(|m| m.len()), Some(nats));
    assert!(state.kms_key_arn.is_some(), "no key");
    assert!(state.stack_id.is_some(), "no identity");
    assert_eq!(state.region.as_deref(), Some("us-east-1"));
}

/// Applies and expects success.
pub async fn apply_ok(s: &Stacks, prior: Option<&StackState>, want: &StackState) -> StackState {
    let (state, d) = s.apply(&ctx(), prior, want).await;
    assert!(!d.has_errors(), "{d:?}");
    state.expect("a state")
}

/// Asserts every value known in `planned` is the same in `applied` (the
/// plan contract Terraform enforces after an apply).
pub fn assert_consistent(planned: &tfplugin::Value, applied: &tfplugin::Value, path: &str) {
    use tfplugin::Value;
    match (planned, applied) {
        (Value::Unknown, _) => {}
        (Value::Object(p), Value::Object(a)) | (Value::Map(p), Value::Map(a)) => {
            let pk: Vec<_> = p.keys().collect();
            let ak: Vec<_> = a.keys().collect();
            assert_eq!(pk, ak, "{path}: keys differ");
            for (k, v) in p {
                assert_consistent(v, &a[k], &format!("{path}.{k}"));
            }
        }
        (Value::List(p), Value::List(a)) => {
            assert_eq!(p.len(), a.len(), "{path}: lengths differ");
            for (i, (x, y)) in p.iter().zip(a).enumerate() {
                assert_consistent(x, y, &format!("{path}[{i}]"));
            }
        }
        (p, a) => assert_eq!(p, a, "{path}: planned and applied values differ"),
    }
}

/// The stack resource driven through its protocol-level calls, as
/// Terraform drives it: plan, then apply the planned state.
pub struct Protocol {
    /// The resource.
    pub resource: todo_provider::stack::StackResource,
    ctx: Context,
}

impl Protocol {
    /// The resource on `sim`, with the default test tags.
    pub fn on(sim: &Arc<SimCloud>) -> Protocol {
        Protocol {
            resource: todo_provider::stack::StackResource::new(stacks(sim)),
            ctx: ctx(),
        }
    }

    /// PlanResourceChange of `config` over `prior`.
    pub async fn plan(
        &self,
        prior: &tfplugin::Value,
        config: &tfplugin::Value,
    ) -> tfplugin::PlanResponse {
        use tfplugin::Resource;
        let request = tfplugin::PlanRequest {
            prior_state: prior.clone(),
            proposed_new_state: config.clone(),
            config: config.clone(),
            prior_private: vec![],
            client: Default::default(),
        };
        self.resource.plan(&self.ctx, request).await
    }

    /// ApplyResourceChange of `planned` over `prior`.
    pub async fn apply(
        &self,
        prior: &tfplugin::Value,
        planned: &tfplugin::Value,
        config: &tfplugin::Value,
    ) -> tfplugin::ApplyResponse {
        use tfplugin::Resource;
        let request = tfplugin::ApplyRequest {
            prior_state: prior.clone(),
            planned_state: planned.clone(),
            config: config.clone(),
            planned_private: vec![],
        };
        self.resource.apply(&self.ctx, request).await
    }
}

/// What creating the object of step `op` costs under `model`, for the
/// critical-path bound of an apply: the waits of the slow kinds (cluster,
/// node groups, add-ons, NAT gateways, a multi-AZ primary, replicas), a
/// second for anything else.
pub fn create_cost(
    model: &todo_provider::cloud::sim::LatencyModel,
    op: &todo_provider::reconcile::Op,
) -> std::time::Duration {
    use std::time::Duration;
    use todo_provider::reconcile::Op;
    match op {
        Op::Create(k) => match (k.kind, k.name.as_str()) {
            ("eks", _) => model.of("create_cluster") + model.cluster_ready_after,
            ("nodegroup", _) => model.of("create_node_group") + model.node_group_ready_after,
            ("addon", _) => model.of("create_addon") + model.addon_ready_after,
            ("nat", _) => model.of("create_nat_gateway") + model.nat_ready_after,
            ("db", "primary") => model.of("create_primary") + model.db_multi_az_ready_after,
            ("db", _) => model.of("create_replica") + model.replica_ready_after,
            _ => Duration::from_secs(1),
        },
        _ => Duration::from_secs(1),
    }
}
