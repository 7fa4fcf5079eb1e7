//! The EKS cluster on the simulated cloud with AWS-like latencies: order,
//! overlap, in-place updates, create-before-destroy replacement of a node
//! group, version upgrades, crashes after every mutation, destroy.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use todo_provider::cloud::CloudError;
use todo_provider::cloud::sim::{Fault, LatencyModel, SimCloud};
use todo_provider::reconcile::Op;
use todo_provider::reconcile::runner::critical_path;
use todo_provider::stack::engine::creation_plan;
use todo_provider::stack::model::{AddonState, ClusterState, NodeGroupState, StackState};
use todo_provider::stack::plan::with_defaults;

const ADMIN: &str = "arn:aws:iam::123456789012:role/platform-admins";

fn group(min: i64, max: i64, types: &[&str]) -> NodeGroupState {
    NodeGroupState {
        instance_types: Some(types.iter().map(|t| t.to_string()).collect()),
        min_size: min,
        max_size: max,
        ..Default::default()
    }
}

/// A stack with a cluster, two node groups, the default add-ons and one
/// admin.
fn with_cluster(version: &str) -> StackState {
    let mut s = desired("todo-test", "one_per_az");
    s.cluster = Some(ClusterState {
        version: version.into(),
        admins: Some(vec![ADMIN.into()]),
        node_groups: Some(BTreeMap::from([
            ("general".to_string(), group(2, 6, &["m6i.large"])),
            ("batch".to_string(), group(0, 3, &["c6i.xlarge"])),
        ])),
        ..Default::default()
    });
    with_defaults(&s)
}

fn change(s: &StackState, f: impl FnOnce(&mut ClusterState)) -> StackState {
    let mut s = s.clone();
    f(s.cluster.as_mut().unwrap());
    with_defaults(&s)
}

fn groups(state: &StackState) -> BTreeMap<String, NodeGroupState> {
    state.cluster.as_ref().unwrap().node_groups.clone().unwrap()
}

/// Adds a load balancer Kubernetes made for `todo-test` in the public
/// (`public == true`) or private subnets of `state`.
fn kube_load_balancer(sim: &SimCloud, state: &StackState, public: bool, classic: bool) {
    let n = &state.network;
    let ids = if public {
        &n.public_subnet_ids
    } else {
        &n.private_subnet_ids
    };
    let ids: Vec<String> = ids.clone().unwrap().into_values().collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    sim.add_kube_load_balancer(n.vpc_id.as_deref().unwrap(), &ids, "todo-test", classic);
}

fn kinds(sim: &SimCloud, kind: &str) -> usize {
    counts(sim).get(kind).copied().unwrap_or(0)
}

#[tokio::test(start_paused = true)]
async fn a_cluster_is_created_with_its_outputs_and_overlaps_the_network() {
    let model = LatencyModel::aws_like();
    let sim = Arc::new(SimCloud::new(model.clone()));
    let s = stacks(&sim);
    let want = with_cluster("1.31");
    let start = tokio::time::Instant::now();
    let state = apply_ok(&s, None, &want).await;
    let elapsed = start.elapsed();
    assert_complete(&state, "one_per_az");
    let c = state.cluster.as_ref().unwrap();
    for (what, v) in [
        ("arn", &c.arn),
        ("endpoint", &c.endpoint),
        ("certificate_authority", &c.certificate_authority),
        ("oidc_issuer_url", &c.oidc_issuer_url),
        ("oidc_provider_arn", &c.oidc_provider_arn),
        ("security_group_id", &c.security_group_id),
        ("cluster_role_arn", &c.cluster_role_arn),
        ("node_role_arn", &c.node_role_arn),
    ] {
        assert!(
            v.as_deref().is_some_and(|v| !v.is_empty()),
            "cluster.{what} unset: {c:?}"
        );
    }
    assert_eq!(c.name.as_deref(), Some("todo-test"));
    for (key, g) in groups(&state) {
        assert_eq!(g.status.as_deref(), Some("ACTIVE"), "{key}");
        assert!(g.name.as_deref().unwrap().starts_with(&format!("{key}-")));
        assert!(g.arn.is_some());
    }
    for (name, a) in c.addons.as_ref().unwrap() {
        assert!(a.version.is_some(), "add-on {name} version not resolved");
    }
    let kubeconfig = state.kubeconfig.as_deref().unwrap();
    assert!(
        kubeconfig.contains(c.endpoint.as_deref().unwrap()),
        "{kubeconfig}"
    );
    assert!(kubeconfig.contains("get-token"), "{kubeconfig}");

    // The apply takes about its critical path: the cluster's ten minutes
    // run while the NAT gateways come up, not after them.
    let plan = creation_plan(&common::clouds(&sim, Default::default()), &want).unwrap();
    let cost = |op: &Op| -> Duration {
        match op {
            Op::Create(k) => match k.kind {
                "eks" => model.of("create_cluster") + model.cluster_ready_after,
                "nodegroup" => model.of("create_node_group") + model.node_group_ready_after,
                "addon" => model.of("create_addon") + model.addon_ready_after,
                "nat" => model.of("create_nat_gateway") + model.nat_ready_after,
                _ => Duration::from_secs(1),
            },
            _ => Duration::from_secs(1),
        }
    };
    let bound = critical_path(&plan.steps, cost);
    println!(
        "sim apply of network + key + cluster (2 node groups, 3 add-ons, 1 admin): {:.0} s; critical path {:.0} s; ratio {:.2}",
        elapsed.as_secs_f64(),
        bound.as_secs_f64(),
        elapsed.as_secs_f64() / bound.as_secs_f64()
    );
    let serial = model.cluster_ready_after + model.nat_ready_after + model.node_group_ready_after;
    assert!(
        elapsed < serial + Duration::from_secs(60),
        "no overlap: {elapsed:?}"
    );
    assert!(
        elapsed.as_secs_f64() < bound.as_secs_f64() * 1.25,
        "{elapsed:?} vs critical path {bound:?}"
    );

    // Nothing to do the second time.
    let before = sim.mutations();
    let again = apply_ok(&s, Some(&state), &want).await;
    assert_eq!(sim.mutations(), before, "a second apply changed AWS");
    assert_eq!(again, state);
    // Refresh finds no drift.
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert_eq!(read.drift, Some(Vec::new()));
    assert_eq!(read.cluster, state.cluster);
}

#[tokio::test(start_paused = true)]
async fn scaling_is_in_place_and_the_autoscalers_desired_size_is_kept() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let arn = groups(&state)["general"].arn.clone();
    // The cluster autoscaler scales out: apply leaves it be.
    let general = groups(&state)["general"].name.clone().unwrap();
    sim.scale_out_of_band("todo-test", &general, 5);
    let before = sim.mutations();
    let state = apply_ok(&s, Some(&state), &with_cluster("1.31")).await;
    assert_eq!(
        sim.mutations(),
        before,
        "the autoscaler's size was reverted"
    );
    // Raising min above the current desired raises desired with it.
    let bigger = change(&with_cluster("1.31"), |c| {
        let g = c.node_groups.as_mut().unwrap().get_mut("general").unwrap();
        g.min_size = 6;
        g.max_size = 8;
        g.desired_size = None;
    });
    let state = apply_ok(&s, Some(&state), &bigger).await;
    assert_eq!(
        groups(&state)["general"].arn,
        arn,
        "scaling replaced the group"
    );
    let seen = sim
        .node_groups()
        .into_iter()
        .find(|g| g.name == general)
        .unwrap();
    assert_eq!(
        (seen.scaling.min, seen.scaling.max, seen.scaling.desired),
        (6, 8, 6)
    );
    // Labels and taints change in place too.
    let labelled = change(&bigger, |c| {
        let g = c.node_groups.as_mut().unwrap().get_mut("batch").unwrap();
        g.labels = Some(BTreeMap::from([(
            "workload".to_string(),
            "batch".to_string(),
        )]));
    });
    let state = apply_ok(&s, Some(&state), &labelled).await;
    let batch = groups(&state)["batch"].name.clone().unwrap();
    let seen = sim
        .node_groups()
        .into_iter()
        .find(|g| g.name == batch)
        .unwrap();
    assert_eq!(
        seen.labels.get("workload").map(String::as_str),
        Some("batch")
    );
    assert_eq!(kinds(&sim, "eks-nodegroup"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_new_instance_type_replaces_that_group_alone_create_before_destroy() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let old = groups(&state)["general"].clone();
    let batch = groups(&state)["batch"].clone();
    let bigger = change(&with_cluster("1.31"), |c| {
        c.node_groups
            .as_mut()
            .unwrap()
            .get_mut("general")
            .unwrap()
            .instance_types = Some(vec!["m6i.2xlarge".into()]);
    });
    // The old group may not go: the apply fails after the new one is up.
    sim.inject(Fault {
        op: Some("delete_node_group"),
        after: 0,
        times: 1_000,
        error: CloudError::Service {
            code: "AccessDenied".into(),
            message: "not today".into(),
        },
    });
    let (partial, d) = s.apply(&ctx(), Some(&state), &bigger).await;
    assert!(d.has_errors());
    let live = sim.node_groups();
    let new_name = groups(&bigger)["general"].name.clone().unwrap();
    assert_ne!(Some(&new_name), old.name.as_ref());
    let new = live
        .iter()
        .find(|g| g.name == new_name)
        .expect("new group created first");
    assert_eq!(new.status, todo_provider::cloud::cluster::EksStatus::Active);
    assert!(
        live.iter().any(|g| Some(&g.name) == old.name.as_ref()),
        "old group deleted first"
    );
    sim.clear_faults();
    let state = apply_ok(&s, partial.as_ref(), &bigger).await;
    let names: Vec<String> = sim.node_groups().into_iter().map(|g| g.name).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&new_name) && names.contains(batch.name.as_ref().unwrap()));
    assert_eq!(
        groups(&state)["batch"].arn,
        batch.arn,
        "the other group was touched"
    );
}

#[tokio::test(start_paused = true)]
async fn adding_and_removing_a_group_leaves_the_others_alone() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let general = groups(&state)["general"].arn.clone();
    let more = change(&with_cluster("1.31"), |c| {
        c.node_groups.as_mut().unwrap().insert(
            "spot".into(),
            NodeGroupState {
                capacity_type: Some("SPOT".into()),
                ..group(0, 10, &["m6i.large", "m5.large"])
            },
        );
    });
    let state = apply_ok(&s, Some(&state), &more).await;
    assert_eq!(kinds(&sim, "eks-nodegroup"), 3);
    let fewer = change(&more, |c| {
        c.node_groups.as_mut().unwrap().remove("batch");
    });
    let state = apply_ok(&s, Some(&state), &fewer).await;
    assert_eq!(kinds(&sim, "eks-nodegroup"), 2);
    assert_eq!(groups(&state)["general"].arn, general);
    assert!(!groups(&state).contains_key("batch"));
}

#[tokio::test(start_paused = true)]
async fn a_version_upgrade_runs_the_control_plane_then_the_groups_and_add_ons() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.30")).await;
    let arn = state.cluster.as_ref().unwrap().arn.clone();
    let old_addons = state.cluster.as_ref().unwrap().addons.clone().unwrap();
    // The node group update fails: the control plane is upgraded already.
    sim.inject(Fault {
        op: Some("update_node_group_version"),
        after: 0,
        times: 1,
        error: CloudError::Service {
            code: "ServerException".into(),
            message: "try again".into(),
        },
    });
    let (partial, d) = s.apply(&ctx(), Some(&state), &with_cluster("1.31")).await;
    assert!(d.has_errors());
    assert_eq!(sim.clusters()[0].version, "1.31");
    assert!(
        sim.node_groups()
            .iter()
            .any(|g| g.version.as_deref() == Some("1.30"))
    );
    let state = apply_ok(&s, partial.as_ref(), &with_cluster("1.31")).await;
    let c = state.cluster.as_ref().unwrap();
    assert_eq!(c.arn, arn, "the upgrade replaced the cluster");
    for g in sim.node_groups() {
        assert_eq!(g.version.as_deref(), Some("1.31"), "{}", g.name);
    }
    for (name, a) in c.addons.as_ref().unwrap() {
        assert_ne!(
            a.version, old_addons[name].version,
            "add-on {name} not upgraded"
        );
    }
    // Pinned add-on versions are kept as given.
    let pinned = change(&with_cluster("1.31"), |c| {
        c.addons.as_mut().unwrap().insert(
            "coredns".into(),
            AddonState {
                version: Some("v1.11.4-eksbuild.2".into()),
            },
        );
    });
    let state = apply_ok(&s, Some(&state), &pinned).await;
    let c = state.cluster.as_ref().unwrap();
    assert_eq!(
        c.addons.as_ref().unwrap()["coredns"].version.as_deref(),
        Some("v1.11.4-eksbuild.2")
    );
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_mutation_of_a_cluster_create_leaves_no_twins() {
    let want = with_cluster("1.31");
    let clean = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    apply_ok(&stacks(&clean), None, &want).await;
    let expected = counts(&clean);
    let mutations = clean.mutations();
    for k in 1..mutations {
        let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
        let s = stacks(&sim);
        let c = ctx();
        tokio::select! {
            _ = s.apply(&c, None, &want) => {}
            _ = sim.wait_mutations(k) => {}
        }
        let state = apply_ok(&s, None, &want).await;
        assert_complete(&state, "one_per_az");
        assert_eq!(
            counts(&sim),
            expected,
            "crash after mutation {k}: twins or orphans"
        );
        assert_eq!(groups(&state).len(), 2);
    }
}

#[tokio::test(start_paused = true)]
async fn destroy_removes_the_cluster_first_and_leaves_nothing() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
    assert!(sim.roles().is_empty() && sim.oidc_providers().is_empty());
}

#[tokio::test(start_paused = true)]
async fn removing_the_cluster_deletes_it_and_keeps_the_network() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let vpc = state.network.vpc_id.clone();
    let without = with_defaults(&StackState {
        cluster: None,
        ..desired("todo-test", "one_per_az")
    });
    let state = apply_ok(&s, Some(&state), &without).await;
    assert_eq!(state.network.vpc_id, vpc);
    assert!(state.cluster.is_none() && state.kubeconfig.is_none());
    assert_eq!(counts(&sim), expected_counts("one_per_az"));
    assert!(sim.roles().is_empty());
}

#[tokio::test(start_paused = true)]
async fn import_reproduces_the_cluster() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let imported = s.import(&ctx(), "todo-test").await.unwrap();
    assert_eq!(imported.cluster, state.cluster);
    assert_eq!(imported.kubeconfig, state.kubeconfig);
}

#[tokio::test(start_paused = true)]
async fn destroy_removes_the_load_balancers_kubernetes_made_in_the_vpc() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    // A Service of type LoadBalancer (classic ELB, in-tree provider) and an
    // Ingress (ALB, the AWS Load Balancer Controller).
    kube_load_balancer(&sim, &state, true, true);
    kube_load_balancer(&sim, &state, false, false);
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
}

/// Waits (on the sim's clock) until `check` holds.
async fn until(check: impl Fn() -> bool) {
    while !check() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_cluster_removal_keeps_it_in_the_state_until_it_is_gone() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    sim.inject(Fault {
        op: Some("delete_cluster"),
        after: 0,
        times: 1_000,
        error: CloudError::Service {
            code: "AccessDenied".into(),
            message: "not now".into(),
        },
    });
    let without = desired("todo-test", "one_per_az");
    let (partial, d) = s.apply(&ctx(), Some(&state), &without).await;
    assert!(d.has_errors());
    let partial = partial.unwrap();
    assert!(
        partial.cluster.is_some(),
        "the state forgot a cluster that still exists"
    );
    sim.clear_faults();
    let state = apply_ok(&s, Some(&partial), &without).await;
    assert!(state.cluster.is_none());
    assert!(
        sim.clusters().is_empty() && sim.roles().is_empty(),
        "orphans"
    );
}

#[tokio::test(start_paused = true)]
async fn endpoint_access_changes_alone_and_a_public_endpoint_without_cidrs_converges() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    let public = change(&with_cluster("1.31"), |c| {
        c.endpoint_public_access = Some(true);
        c.public_access_cidrs = Some(Vec::new());
    });
    let state = apply_ok(&s, Some(&state), &public).await;
    let access = sim.clusters()[0].access.clone();
    assert!(access.public && access.private, "{access:?}");
    let before = sim.mutations();
    apply_ok(&s, Some(&state), &public).await;
    assert_eq!(
        sim.mutations(),
        before,
        "the open endpoint is updated on every apply"
    );
}

#[tokio::test(start_paused = true)]
async fn an_apply_killed_during_an_upgrade_continues_without_upgrading_twice() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.30")).await;
    let c = ctx();
    let upgraded = with_cluster("1.31");
    tokio::select! {
        _ = s.apply(&c, Some(&state), &upgraded) => panic!("the upgrade finished at once"),
        _ = until(|| sim.clusters()[0].status == todo_provider::cloud::cluster::EksStatus::Updating) => {}
    }
    // No state was saved: the next apply starts from the 1.30 state while
    // the control plane is still upgrading.
    let state = apply_ok(&s, Some(&state), &with_cluster("1.31")).await;
    assert_eq!(sim.clusters()[0].version, "1.31");
    for g in sim.node_groups() {
        assert_eq!(g.version.as_deref(), Some("1.31"), "{}", g.name);
    }
    assert_eq!(state.cluster.unwrap().version, "1.31");
}

#[tokio::test(start_paused = true)]
async fn an_access_entry_eks_made_for_an_admin_is_adopted() {
    use todo_provider::cloud::cluster::EksApi;
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let no_admins = change(&with_cluster("1.31"), |c| c.admins = Some(Vec::new()));
    let state = apply_ok(&s, None, &no_admins).await;
    // What bootstrapClusterCreatorAdminPermissions makes: an untagged entry.
    sim.create_access_entry("todo-test", ADMIN, &Default::default())
        .await
        .unwrap();
    let state = apply_ok(&s, Some(&state), &with_cluster("1.31")).await;
    let entries = sim.access_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        entries[0].tags.get("todo:stack").map(String::as_str),
        Some("todo-test")
    );
    let before = sim.mutations();
    apply_ok(&s, Some(&state), &with_cluster("1.31")).await;
    assert_eq!(sim.mutations(), before);
}

#[tokio::test(start_paused = true)]
async fn a_destroy_stopped_after_the_cluster_went_still_removes_the_load_balancers() {
    use todo_provider::cloud::cluster::EksStatus;
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_cluster("1.31")).await;
    kube_load_balancer(&sim, &state, true, false);
    let c = ctx();
    tokio::select! {
        _ = s.destroy(&c, &state) => panic!("the destroy finished at once"),
        _ = until(|| sim.clusters().iter().all(|c| c.status == EksStatus::Deleting) && !sim.clusters().is_empty()) => {}
    }
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
}

#[test]
fn changing_the_zones_of_a_stack_with_a_cluster_is_refused_at_plan() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let state = rt.block_on(apply_ok(&stacks(&sim), None, &with_cluster("1.31")));
    let mut fewer = with_cluster("1.31");
    fewer.network.availability_zones.pop();
    fewer.network.public_subnet_cidrs = None;
    fewer.network.private_subnet_cidrs = None;
    let fewer = with_defaults(&fewer);
    let planned = todo_provider::stack::plan::plan_stack(Some(&state), &fewer, Some("us-east-1"));
    assert!(
        planned
            .errors
            .iter()
            .any(|e| e.starts_with("network.availability_zones:")),
        "{:?}",
        planned.errors
    );
}
