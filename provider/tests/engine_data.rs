//! The data tier on the simulated cloud with AWS-like latencies: the
//! database overlaps the cluster, replicas come up in parallel once the
//! primary is available, a crash after the primary's create adopts it, a
//! failed replica leaves the rest alone, deletion protection and a bucket
//! holding objects refuse destroy before anything is deleted, deferred
//! modifications are not repeated, a given password is rotated.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use todo_provider::cloud::CloudError;
use todo_provider::cloud::data::{RdsApi, StorageApi};
use todo_provider::cloud::sim::{Fault, LatencyModel, SimCloud};
use todo_provider::reconcile::Op;
use todo_provider::reconcile::runner::critical_path;
use todo_provider::stack::engine::creation_plan;
use todo_provider::stack::model::{ClusterState, NodeGroupState, StackState};
use todo_provider::stack::model_data::{DatabaseState, ReplicaState, StorageState};
use todo_provider::stack::plan::{plan_stack_in, with_defaults};

const STACK: &str = "todo-test";

fn replica() -> ReplicaState {
    ReplicaState::default()
}

/// Network, key, database with `replicas`, and the bucket.
fn with_data(replicas: &[&str]) -> StackState {
    let mut s = desired(STACK, "one_per_az");
    s.database = Some(DatabaseState {
        instance_class: Some("db.r6g.large".into()),
        deletion_protection: Some(false),
        replicas: Some(
            replicas
                .iter()
                .map(|r| (r.to_string(), replica()))
                .collect(),
        ),
        ..Default::default()
    });
    s.storage = Some(StorageState::default());
    with_defaults(&s)
}

fn with_cluster(mut s: StackState) -> StackState {
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
    with_defaults(&s)
}

fn change(s: &StackState, f: impl FnOnce(&mut DatabaseState)) -> StackState {
    let mut s = s.clone();
    f(s.database.as_mut().unwrap());
    with_defaults(&s)
}

fn kinds(sim: &SimCloud, kind: &str) -> usize {
    counts(sim).get(kind).copied().unwrap_or(0)
}

/// An instance without the list of its replicas (which adding or removing
/// a replica changes by definition).
fn untouched(d: &todo_provider::cloud::data::DbInstance) -> todo_provider::cloud::data::DbInstance {
    let mut d = d.clone();
    d.replicas.clear();
    d
}

async fn instances(sim: &SimCloud) -> Vec<todo_provider::cloud::data::DbInstance> {
    let mut all = RdsApi::list_instances(sim, STACK).await.unwrap();
    all.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    all
}

#[tokio::test(start_paused = true)]
async fn the_full_stack_overlaps_the_database_with_the_cluster_and_replicas_run_in_parallel() {
    let model = LatencyModel::aws_like();
    let sim = Arc::new(SimCloud::new(model.clone()));
    let s = stacks(&sim);
    let want = with_cluster(with_data(&["r1", "r2"]));
    let start = tokio::time::Instant::now();
    let (state, seen) = timeline(&sim, apply_ok(&s, None, &want)).await;
    let elapsed = start.elapsed();
    println!("database timeline (created, available): {seen:?}");
    assert_complete(&state, "one_per_az");

    let db = state.database.as_ref().unwrap();
    let id = db.identifier.clone().unwrap();
    assert!(id.starts_with("todo-test-db-"), "{id}");
    assert!(db.arn.is_some() && db.endpoint.is_some(), "{db:?}");
    assert_eq!(db.port, Some(5432));
    assert!(
        db.master_secret_arn
            .as_deref()
            .is_some_and(|a| a.contains(":secret:")),
        "managed password secret: {db:?}"
    );
    assert_eq!(
        db.security_group_id,
        state
            .network
            .security_group_ids
            .as_ref()
            .unwrap()
            .get("database")
            .cloned()
    );
    assert_eq!(db.final_snapshot_identifier, Some(format!("{id}-final")));
    let readers = db.reader_endpoints.clone().unwrap();
    assert_eq!(readers.len(), 2, "{readers:?}");
    for (name, r) in db.replicas.as_ref().unwrap() {
        assert!(r.arn.is_some(), "replica {name} has no ARN");
        assert!(r.availability_zone.is_some(), "replica {name} has no zone");
    }
    let st = state.storage.as_ref().unwrap();
    assert_eq!(
        st.bucket_name.as_deref(),
        Some("todo-test-123456789012-us-east-1")
    );
    assert_eq!(
        st.bucket_regional_domain_name.as_deref(),
        Some("todo-test-123456789012-us-east-1.s3.us-east-1.amazonaws.com")
    );

    // In AWS: encrypted with the stack key, multi-AZ, replicas point at
    // the primary and are not multi-AZ.
    let all = instances(&sim).await;
    assert_eq!(all.len(), 3);
    let primary = all.iter().find(|d| d.identifier == id).unwrap();
    assert!(primary.storage_encrypted && primary.multi_az);
    assert_eq!(primary.kms_key_id, state.kms_key_arn);
    assert_eq!(primary.backup_retention_days, 7);
    assert!(!primary.publicly_accessible);
    for r in all.iter().filter(|d| d.identifier != id) {
        assert_eq!(r.replica_of.as_deref(), Some(id.as_str()));
    }
    let bucket = StorageApi::list_buckets(&*sim, STACK).await.unwrap();
    assert_eq!(bucket.len(), 1);
    let b = &bucket[0];
    assert!(b.versioning && b.public_access_blocked && b.ownership_enforced && b.bucket_key);
    assert_eq!(b.kms_key, state.kms_key_arn);
    assert!(b.policy.as_deref().unwrap().contains("aws:SecureTransport"));

    // The apply takes about its critical path: the database's twelve
    // minutes and the replicas' eight run while the cluster comes up.
    let plan = creation_plan(&common::clouds(&sim, Default::default()), &want).unwrap();
    let cost = |op: &Op| create_cost(&model, op);
    let bound = critical_path(&plan.steps, cost);
    println!(
        "sim apply of network + key + cluster (1 node group, 3 add-ons) + multi-AZ database with 2 replicas + bucket: \
         {:.0} s; critical path {:.0} s; ratio {:.2}",
        elapsed.as_secs_f64(),
        bound.as_secs_f64(),
        elapsed.as_secs_f64() / bound.as_secs_f64()
    );
    let serial =
        model.db_multi_az_ready_after + 2 * model.replica_ready_after + model.cluster_ready_after;
    assert!(elapsed < serial, "no overlap: {elapsed:?} vs {serial:?}");
    assert!(
        elapsed.as_secs_f64() < bound.as_secs_f64() * 1.1,
        "{elapsed:?} vs critical path {bound:?}"
    );

    // Nothing to do the second time; refresh finds no drift.
    let before = sim.mutations();
    let again = apply_ok(&s, Some(&state), &want).await;
    assert_eq!(sim.mutations(), before, "a second apply changed AWS");
    assert_eq!(again, state);
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert_eq!(read.drift, Some(Vec::new()));
    assert_eq!(read.database, state.database);
    assert_eq!(read.storage, state.storage);
}

/// When each instance first showed, and first showed available, while
/// `work` ran (sampled every second of the paused clock).
async fn timeline<F: std::future::Future>(
    sim: &SimCloud,
    work: F,
) -> (F::Output, BTreeMap<String, (Duration, Option<Duration>)>) {
    let start = tokio::time::Instant::now();
    let mut seen: BTreeMap<String, (Duration, Option<Duration>)> = BTreeMap::new();
    let work = std::pin::pin!(work);
    let mut work = work;
    loop {
        tokio::select! {
            out = &mut work => return (out, seen),
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                let now = start.elapsed();
                for d in RdsApi::list_instances(sim, STACK).await.unwrap() {
                    let e = seen.entry(d.identifier.clone()).or_insert((now, None));
                    if d.status == "available" && e.1.is_none() {
                        e.1 = Some(now);
                    }
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn replicas_start_together_once_the_primary_is_available() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let (state, seen) = timeline(&sim, apply_ok(&s, None, &with_data(&["r1", "r2", "r3"]))).await;
    let id = state.database.as_ref().unwrap().identifier.clone().unwrap();
    let primary_ready = seen[&id].1.expect("primary never seen available");
    let born: Vec<Duration> = seen
        .iter()
        .filter(|(k, _)| **k != id)
        .map(|(_, (b, _))| *b)
        .collect();
    assert_eq!(born.len(), 3, "{seen:?}");
    let first = *born.iter().min().unwrap();
    let last = *born.iter().max().unwrap();
    assert!(
        last - first < Duration::from_secs(10),
        "replicas were created one after another: {seen:?}"
    );
    assert!(
        first >= primary_ready,
        "a replica was created before the primary was available: {seen:?}"
    );
    assert!(
        first - primary_ready < Duration::from_secs(60),
        "replicas waited long after the primary was available: {seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_the_primarys_create_adopts_it_and_the_replicas_finish() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let want = with_data(&["r1", "r2"]);
    let c = ctx();
    tokio::select! {
        _ = s.apply(&c, None, &want) => panic!("the apply finished before the primary was created"),
        _ = async {
            while kinds(&sim, "db-instance") == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        } => {}
    }
    // The primary exists and is still creating; the engine was killed.
    assert_eq!(instances(&sim).await[0].status, "creating");
    let state = apply_ok(&s, None, &want).await;
    let all = instances(&sim).await;
    assert_eq!(all.len(), 3, "twin or missing instance: {all:?}");
    assert!(all.iter().all(|d| d.status == "available"));
    assert_eq!(
        state
            .database
            .as_ref()
            .unwrap()
            .reader_endpoints
            .as_ref()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(kinds(&sim, "db-subnet-group"), 1);
    assert_eq!(kinds(&sim, "db-parameter-group"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_replica_leaves_the_primary_and_the_other_replicas_alone() {
    let sim = Arc::new(SimCloud::new(LatencyModel::aws_like()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&["r1"])).await;
    let before = instances(&sim).await;
    sim.inject(Fault {
        op: Some("create_replica"),
        after: 1,
        times: 1,
        error: CloudError::Service {
            code: "InsufficientDBInstanceCapacity".into(),
            message: "no capacity for db.r6g.large in us-east-1b".into(),
        },
    });
    let more = with_data(&["r1", "r2", "r3"]);
    let (partial, d) = s.apply(&ctx(), Some(&state), &more).await;
    assert!(d.has_errors(), "the failed replica was not reported");
    let text = format!("{d:?}");
    assert!(text.contains("InsufficientDBInstanceCapacity"), "{text}");
    let after = instances(&sim).await;
    assert_eq!(after.len(), 3, "one new replica should exist: {after:?}");
    for old in &before {
        let now = after
            .iter()
            .find(|d| d.identifier == old.identifier)
            .unwrap();
        assert_eq!(
            untouched(now),
            untouched(old),
            "an existing instance was touched"
        );
    }
    // The next apply finishes the job.
    let state = apply_ok(&s, partial.as_ref(), &more).await;
    assert_eq!(instances(&sim).await.len(), 4);
    assert_eq!(
        state
            .database
            .as_ref()
            .unwrap()
            .reader_endpoints
            .as_ref()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test(start_paused = true)]
async fn adding_and_removing_a_replica_touches_nothing_else() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&["r1"])).await;
    let before = instances(&sim).await;
    let state = apply_ok(&s, Some(&state), &with_data(&["r1", "r2"])).await;
    let after = instances(&sim).await;
    assert_eq!(after.len(), 3);
    for old in &before {
        let now = after
            .iter()
            .find(|d| d.identifier == old.identifier)
            .unwrap();
        assert_eq!(untouched(now), untouched(old), "{} changed", old.identifier);
    }
    let state = apply_ok(&s, Some(&state), &with_data(&["r1"])).await;
    let back: Vec<_> = instances(&sim).await.iter().map(untouched).collect();
    assert_eq!(back, before.iter().map(untouched).collect::<Vec<_>>());
    assert_eq!(
        state
            .database
            .as_ref()
            .unwrap()
            .reader_endpoints
            .as_ref()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_class_change_waits_for_the_maintenance_window_and_is_not_repeated() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let bigger = change(&with_data(&[]), |d| {
        d.instance_class = Some("db.r6g.xlarge".into())
    });
    let planned = plan_stack_in(
        Some(&state),
        &bigger,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(planned.errors.is_empty(), "{:?}", planned.errors);
    assert!(
        planned
            .warnings
            .iter()
            .any(|w| w.contains("maintenance window")
                && w.contains("database.instance_class: db.r6g.large -> db.r6g.xlarge")),
        "{:?}",
        planned.warnings
    );
    let state = apply_ok(&s, Some(&state), &planned.state).await;
    let p = instances(&sim).await.remove(0);
    assert_eq!(p.instance_class, "db.r6g.large", "applied at once");
    assert_eq!(
        p.pending.get("DBInstanceClass").map(String::as_str),
        Some("db.r6g.xlarge")
    );
    // The pending change is not made again, and refresh sees no drift.
    let calls = sim
        .calls_by_op()
        .get("modify_instance")
        .copied()
        .unwrap_or(0);
    let state = apply_ok(&s, Some(&state), &planned.state).await;
    assert_eq!(
        sim.calls_by_op()
            .get("modify_instance")
            .copied()
            .unwrap_or(0),
        calls
    );
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert_eq!(read.drift, Some(Vec::new()));

    // With apply_immediately the next change is made now.
    let now = change(&bigger, |d| {
        d.instance_class = Some("db.r6g.2xlarge".into());
        d.apply_immediately = Some(true);
    });
    apply_ok(&s, Some(&state), &now).await;
    assert_eq!(instances(&sim).await[0].instance_class, "db.r6g.2xlarge");
}

#[tokio::test(start_paused = true)]
async fn a_replacement_is_refused_at_plan_unless_allowed_and_then_made_before_the_old_goes() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&["r1"])).await;
    let old_id = state.database.as_ref().unwrap().identifier.clone().unwrap();
    let renamed = change(&with_data(&["r1"]), |d| {
        d.database_name = Some("todo2".into())
    });
    let planned = plan_stack_in(
        Some(&state),
        &renamed,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(
        planned.errors.iter().any(|e| e.starts_with("database: ")
            && e.contains("database_name todo -> todo2")
            && e.contains("allow_replacement")),
        "{:?}",
        planned.errors
    );
    let allowed = change(&renamed, |d| d.allow_replacement = Some(true));
    let planned = plan_stack_in(
        Some(&state),
        &allowed,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(planned.errors.is_empty(), "{:?}", planned.errors);
    let state = apply_ok(&s, Some(&state), &planned.state).await;
    let new_id = state.database.as_ref().unwrap().identifier.clone().unwrap();
    assert_ne!(new_id, old_id);
    let all = instances(&sim).await;
    assert_eq!(all.len(), 2, "old primary or replica left: {all:?}");
    assert!(all.iter().all(|d| d.identifier != old_id));
    assert!(
        sim.snapshots().contains(&format!("{old_id}-final")),
        "no final snapshot of the replaced database: {:?}",
        sim.snapshots()
    );
}

#[tokio::test(start_paused = true)]
async fn deletion_protection_and_a_bucket_with_objects_refuse_destroy_before_anything_goes() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let protected = change(&with_data(&["r1"]), |d| d.deletion_protection = Some(true));
    let state = apply_ok(&s, None, &protected).await;
    let everything = sim.inventory().len();
    let d = s.destroy(&ctx(), &state).await;
    assert!(d.has_errors());
    let text = format!("{d:?}");
    assert!(
        text.contains("deletion protection")
            && text.contains("database.deletion_protection = false"),
        "{text}"
    );
    assert_eq!(
        sim.inventory().len(),
        everything,
        "destroy deleted something"
    );

    // Protection off; the bucket holds an object.
    let state = apply_ok(&s, Some(&state), &with_data(&["r1"])).await;
    let bucket = state.storage.as_ref().unwrap().bucket_name.clone().unwrap();
    sim.put_object(&bucket, "backups/2026-11-25.dump");
    let d = s.destroy(&ctx(), &state).await;
    let text = format!("{d:?}");
    assert!(
        text.contains("holds objects") && text.contains("storage.force_destroy"),
        "{text}"
    );
    assert_eq!(
        sim.inventory().len(),
        everything,
        "destroy deleted something"
    );

    // force_destroy: everything goes; the final snapshot stays, and the key
    // that encrypts it (released from the stack).
    let mut forced = with_data(&["r1"]);
    forced.storage.as_mut().unwrap().force_destroy = Some(true);
    let state = apply_ok(&s, Some(&state), &with_defaults(&forced)).await;
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    let left: Vec<_> = sim
        .inventory()
        .into_iter()
        .map(|(k, id, _)| (k, id))
        .collect();
    let snapshot = format!(
        "{}-final",
        state
            .database
            .as_ref()
            .unwrap()
            .identifier
            .as_deref()
            .unwrap()
    );
    let key = sim
        .keys()
        .into_iter()
        .find(|k| Some(&k.arn) == state.kms_key_arn.as_ref())
        .unwrap();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        vec![("db-snapshot", snapshot), ("kms-key", key.id)],
        "left behind: the final snapshot and the key encrypting it stay, nothing else"
    );
}

#[tokio::test(start_paused = true)]
async fn a_given_password_is_stored_in_the_stacks_secret_and_rotated_by_its_version() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let password = "correct-horse-battery-staple-42";
    let mut want = change(&with_data(&[]), |d| d.master_password_wo_version = Some(1));
    want.database.as_mut().unwrap().master_password =
        Some(todo_provider::cloud::data::Sensitive::new(password));
    let state = apply_ok(&s, None, &want).await;
    let db = state.database.as_ref().unwrap();
    let secret = db.master_secret_arn.clone().unwrap();
    assert!(
        secret.contains("todo/todo-test/database/master"),
        "{secret}"
    );
    assert_eq!(sim.secret_versions(&secret), 1);
    let id = db.identifier.clone().unwrap();
    assert_eq!(sim.password_changes(&id), 0);
    assert!(
        !format!("{state:?}").contains(password),
        "password in the state"
    );
    assert!(!serde_json::to_string(&state).unwrap().contains(password));

    // Same version: nothing happens. New version: the secret and RDS get it.
    let before = sim.mutations();
    let state = apply_ok(&s, Some(&state), &want).await;
    assert_eq!(sim.mutations(), before);
    let mut rotated = change(&want, |d| d.master_password_wo_version = Some(2));
    rotated.database.as_mut().unwrap().master_password = Some(
        todo_provider::cloud::data::Sensitive::new("another-long-password-43"),
    );
    apply_ok(&s, Some(&state), &rotated).await;
    assert_eq!(sim.secret_versions(&secret), 2);
    assert_eq!(sim.password_changes(&id), 1);
}

#[tokio::test(start_paused = true)]
async fn removing_a_protected_database_is_refused_at_plan() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let protected = change(&with_data(&[]), |d| d.deletion_protection = Some(true));
    let state = apply_ok(&s, None, &protected).await;
    let mut without = protected.clone();
    without.database = None;
    let planned = plan_stack_in(
        Some(&state),
        &without,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(
        planned
            .errors
            .iter()
            .any(|e| e.starts_with("database: ") && e.contains("deletion_protection")),
        "{:?}",
        planned.errors
    );
    // Shrinking storage is refused too.
    let smaller = change(&protected, |d| d.allocated_storage = Some(10));
    let bigger_first = change(&protected, |d| d.allocated_storage = Some(50));
    let state = apply_ok(&s, Some(&state), &bigger_first).await;
    let planned = plan_stack_in(
        Some(&state),
        &smaller,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(
        planned
            .errors
            .iter()
            .any(|e| e.starts_with("database.allocated_storage: RDS cannot shrink")),
        "{:?}",
        planned.errors
    );
}

#[tokio::test(start_paused = true)]
async fn a_bucket_with_every_lifecycle_action_off_converges() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let mut want = with_data(&[]);
    want.storage = Some(StorageState {
        lifecycle: Some(todo_provider::stack::model_data::LifecycleState {
            noncurrent_version_expiration_days: Some(0),
            transition_to_ia_days: Some(0),
            abort_incomplete_multipart_upload_days: Some(0),
        }),
        ..Default::default()
    });
    let want = with_defaults(&want);
    let state = apply_ok(&s, None, &want).await;
    let before = sim.mutations();
    apply_ok(&s, Some(&state), &want).await;
    assert_eq!(
        sim.mutations(),
        before,
        "the lifecycle is set again on every apply"
    );
    let read = s.read(&ctx(), &state).await.unwrap().unwrap();
    assert_eq!(read.drift, Some(Vec::new()));
}

/// Terraform's rule for an apply: every value the plan knew is the value
/// the apply returns.
#[tokio::test(start_paused = true)]
async fn through_the_protocol_plans_hold_and_a_plan_with_unknowns_cannot_bypass_a_refusal() {
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
        replicas: Some(BTreeMap::from([("r1".to_string(), replica())])),
        ..Default::default()
    });
    cfg.storage = Some(StorageState::default());
    let config = to_value(&cfg, &ty).unwrap();
    let protocol = Protocol::on(&sim);
    let planned = protocol.plan(&Value::Null, &config).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
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

    // An unchanged configuration plans exactly the state.
    let again = protocol.plan(&state, &config).await;
    assert_eq!(again.planned_state, state);

    // A replica added: the plan's known values hold.
    cfg.database
        .as_mut()
        .unwrap()
        .replicas
        .as_mut()
        .unwrap()
        .insert("r2".into(), replica());
    let two = to_value(&cfg, &ty).unwrap();
    let planned = protocol.plan(&state, &two).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    let applied = protocol.apply(&state, &planned.planned_state, &two).await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    assert_consistent(&planned.planned_state, &applied.new_state, "add replica");
    let state = applied.new_state;
    let before = instances(&sim).await;

    // A replacing change planned while another value is unknown: the plan
    // cannot check it, so the apply does, and changes nothing.
    cfg.database.as_mut().unwrap().database_name = Some("todo2".into());
    let renamed = to_value(&cfg, &ty).unwrap();
    let mut unknown = renamed.clone();
    set_at(
        &mut unknown,
        &AttributePath::new("database").attr("allowed_cidrs"),
        Value::Unknown,
    );
    let planned = protocol.plan(&state, &unknown).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    assert_eq!(
        planned.planned_state.get("database").get("identifier"),
        &Value::Unknown,
        "a plan with unknowns must leave the data tier's outputs unknown"
    );
    assert_eq!(
        planned
            .planned_state
            .get("database")
            .get("master_password_wo"),
        &Value::Null
    );
    let applied = protocol
        .apply(&state, &planned.planned_state, &renamed)
        .await;
    let text = format!("{:?}", applied.diagnostics);
    assert!(
        applied.diagnostics.has_errors() && text.contains("allow_replacement"),
        "{text}"
    );
    assert_eq!(
        applied.new_state, state,
        "the refused apply changed the state"
    );
    assert_eq!(
        instances(&sim).await,
        before,
        "the refused apply changed AWS"
    );

    // A name unknown at plan: the apply does not build a second stack.
    cfg.database.as_mut().unwrap().database_name = None;
    cfg.name = "todo-test-2".into();
    let renamed_stack = to_value(&cfg, &ty).unwrap();
    let mut unknown_name = renamed_stack.clone();
    set_at(
        &mut unknown_name,
        &AttributePath::new("name"),
        Value::Unknown,
    );
    let planned = protocol.plan(&state, &unknown_name).await;
    let applied = protocol
        .apply(&state, &planned.planned_state, &renamed_stack)
        .await;
    let text = format!("{:?}", applied.diagnostics);
    assert!(
        applied.diagnostics.has_errors() && text.contains("plan` again"),
        "{text}"
    );
    assert_eq!(instances(&sim).await, before);

    // A value unknown at validate is validated at apply.
    cfg.name = STACK.into();
    cfg.storage.as_mut().unwrap().bucket_name = Some("Bad_Bucket".into());
    let bad = to_value(&cfg, &ty).unwrap();
    let applied = protocol.apply(&state, &state, &bad).await;
    let text = format!("{:?}", applied.diagnostics);
    assert!(
        applied.diagnostics.has_errors() && text.contains("storage.bucket_name"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_the_account_id_the_existing_bucket_keeps_its_name_and_a_new_one_is_refused() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let name = state.storage.as_ref().unwrap().bucket_name.clone().unwrap();
    // The provider could not look the account up this time.
    let mut clouds = common::clouds(&sim, Default::default());
    clouds.account = None;
    let blind = todo_provider::stack::Stacks::new(
        todo_provider::stack::CloudSource::Fixed(Box::new(clouds)),
        todo_provider::reconcile::Polling::default(),
    );
    let again = apply_ok(&blind, Some(&state), &with_data(&[])).await;
    assert_eq!(
        again.storage.as_ref().unwrap().bucket_name.as_deref(),
        Some(name.as_str())
    );
    assert_eq!(kinds(&sim, "bucket"), 1, "the bucket was deleted");
    // A new stack cannot be named without it: refused, nothing made.
    let mut other = with_data(&[]);
    other.name = "todo-other".into();
    let before = sim.inventory().len();
    let (_, d) = blind.apply(&ctx(), None, &other).await;
    assert!(format!("{d:?}").contains("storage.bucket_name"), "{d:?}");
    assert_eq!(sim.inventory().len(), before);
}

#[tokio::test(start_paused = true)]
async fn a_bucket_the_stack_did_not_create_is_never_taken_over() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let theirs = "todo-test-123456789012-us-east-1";
    StorageApi::create_bucket(&*sim, theirs, &Default::default())
        .await
        .unwrap();
    sim.put_object(theirs, "their-data");
    let (_, d) = s.apply(&ctx(), None, &with_data(&[])).await;
    let text = format!("{d:?}");
    assert!(
        d.has_errors() && text.contains("not this stack's"),
        "{text}"
    );
    let b = sim_bucket(&sim, theirs).await;
    assert!(
        b.tags.is_empty() && b.policy.is_none() && b.lifecycle.is_none(),
        "{b:?}"
    );
    assert_eq!(sim.objects(theirs), 1);
}

/// The sim's bucket `name`, whatever its tags.
async fn sim_bucket(sim: &SimCloud, name: &str) -> todo_provider::cloud::data::Bucket {
    // create_bucket on an existing name returns it as it is.
    StorageApi::create_bucket(sim, name, &Default::default())
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn destroy_keeps_the_key_of_the_final_snapshot_released_from_the_stack() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let key = state.kms_key_arn.clone().unwrap();
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    let left: Vec<_> = sim
        .inventory()
        .into_iter()
        .map(|(k, _, t)| (k, t))
        .collect();
    let mut kinds_left: Vec<&str> = left.iter().map(|(k, _)| *k).collect();
    kinds_left.sort();
    assert_eq!(kinds_left, vec!["db-snapshot", "kms-key"], "{left:?}");
    let k = sim.keys().into_iter().find(|k| k.arn == key).unwrap();
    assert_eq!(
        k.state,
        todo_provider::cloud::KeyState::Enabled,
        "the snapshot's key is going"
    );
    assert!(k.aliases.is_empty(), "the alias stays: {k:?}");
    assert!(
        !k.tags.contains_key("todo:stack") && !k.tags.contains_key("todo:stack-id"),
        "{k:?}"
    );
    assert!(
        k.tags
            .get("todo:retained")
            .is_some_and(|w| w.contains("final snapshot")),
        "{k:?}"
    );
    // A stack made again under the name gets its own key.
    let again = apply_ok(&s, None, &with_data(&[])).await;
    assert_ne!(again.kms_key_arn, state.kms_key_arn);
}

#[tokio::test(start_paused = true)]
async fn storage_of_100_gib_gets_a_ceiling_rds_accepts() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    // As configured: only the storage is set.
    let big = change(&with_data(&[]), |d| {
        d.allocated_storage = Some(100);
        d.max_allocated_storage = None;
    });
    let state = apply_ok(&s, None, &big).await;
    assert_eq!(
        state.database.as_ref().unwrap().max_allocated_storage,
        Some(110)
    );
}

#[tokio::test(start_paused = true)]
async fn refusals_at_plan_for_changes_that_cannot_be_made_safely_together() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&["r1"])).await;
    let plan = |want: &StackState| {
        plan_stack_in(Some(&state), want, Some("us-east-1"), Some("123456789012"))
    };
    // A major upgrade with replicas, or without apply_immediately.
    let upgrade = change(&with_data(&["r1"]), |d| {
        d.engine_version = Some("17".into())
    });
    let p = plan(&upgrade);
    assert!(
        p.errors.iter().any(|e| e
            .starts_with("database.engine_version: a major version upgrade (16 -> 17)")
            && e.contains("no read replicas")),
        "{:?}",
        p.errors
    );
    // A new bucket name and a different force_destroy in one apply.
    let mut renamed = with_data(&["r1"]);
    let st = renamed.storage.as_mut().unwrap();
    st.bucket_name = Some("todo-test-renamed".into());
    st.force_destroy = Some(true);
    let p = plan(&with_defaults(&renamed));
    assert!(
        p.errors
            .iter()
            .any(|e| e.starts_with("storage.force_destroy:")),
        "{:?}",
        p.errors
    );
    // Adding a zone never moves an existing replica with a default zone:
    // the configuration leaves the zone unset, as a user writes it.
    let mut wider = with_data(&["r1"]);
    wider.network.availability_zones.push("us-east-1d".into());
    wider.network.public_subnet_cidrs = None;
    wider.network.private_subnet_cidrs = None;
    let db = wider.database.as_mut().unwrap();
    db.replicas = Some(BTreeMap::from([("r1".to_string(), replica())]));
    db.max_allocated_storage = None;
    let p = plan(&wider);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let zone = |s: &StackState| {
        s.database.as_ref().unwrap().replicas.as_ref().unwrap()["r1"]
            .availability_zone
            .clone()
    };
    assert_eq!(zone(&p.state), zone(&state));
}

#[tokio::test(start_paused = true)]
async fn replica_outputs_survive_a_failed_read_after_the_apply() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&["r1"])).await;
    let with_tag = {
        let mut w = with_data(&["r1"]);
        w.tags
            .as_mut()
            .unwrap()
            .insert("cost-center".into(), "42".into());
        with_defaults(&w)
    };
    // The apply's own observe works; reading the instances again fails.
    sim.inject(Fault {
        op: Some("list_instances"),
        after: 1,
        times: 1,
        error: CloudError::Throttled("Rate exceeded".into()),
    });
    let after = apply_ok(&s, Some(&state), &with_tag).await;
    let (a, b) = (after.database.unwrap(), state.database.unwrap());
    assert_eq!(a.replicas, b.replicas);
    assert_eq!(a.reader_endpoints, b.reader_endpoints);
    assert_eq!(a.endpoint, b.endpoint);
}

#[tokio::test(start_paused = true)]
async fn import_rebuilds_the_database_and_the_bucket() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = with_data(&["r1"]);
    let state = apply_ok(&s, None, &want).await;
    let imported = s.import(&ctx(), STACK).await.unwrap();
    let (a, b) = (
        imported.database.clone().unwrap(),
        state.database.clone().unwrap(),
    );
    assert_eq!(a.identifier, b.identifier);
    assert_eq!(a.arn, b.arn);
    assert_eq!(a.endpoint, b.endpoint);
    assert_eq!(a.master_secret_arn, b.master_secret_arn);
    assert_eq!(a.reader_endpoints, b.reader_endpoints);
    assert_eq!(a.instance_class, b.instance_class);
    assert_eq!(a.replicas.as_ref().map(|r| r.len()), Some(1));
    assert_eq!(imported.storage, state.storage);
    // Applying the configuration over the imported state changes nothing.
    let before = sim.mutations();
    let planned = plan_stack_in(
        Some(&imported),
        &want,
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(planned.errors.is_empty(), "{:?}", planned.errors);
    apply_ok(&s, Some(&imported), &planned.state).await;
    assert_eq!(
        sim.mutations(),
        before,
        "the apply after import changed AWS"
    );
}

#[tokio::test(start_paused = true)]
async fn a_replica_in_a_zone_the_stack_leaves_is_refused_at_plan() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let want = change(&with_data(&["r1"]), |d| {
        d.replicas
            .as_mut()
            .unwrap()
            .get_mut("r1")
            .unwrap()
            .availability_zone = Some("us-east-1c".into());
    });
    let state = apply_ok(&s, None, &want).await;
    let mut narrower = want.clone();
    narrower
        .network
        .availability_zones
        .retain(|z| z != "us-east-1c");
    narrower.network.public_subnet_cidrs = None;
    narrower.network.private_subnet_cidrs = None;
    let p = plan_stack_in(
        Some(&state),
        &with_defaults(&narrower),
        Some("us-east-1"),
        Some("123456789012"),
    );
    assert!(
        p.errors.iter().any(|e| e.starts_with("database.replicas[\"r1\"].availability_zone: us-east-1c is not one of the stack's zones")),
        "{:?}",
        p.errors
    );
}

#[tokio::test(start_paused = true)]
async fn a_destroy_continued_after_a_failure_still_keeps_the_snapshots_key() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let key = state.kms_key_arn.clone().unwrap();
    // The database goes (its final snapshot taken), then the VPC refuses.
    sim.inject(Fault {
        op: Some("delete_vpc"),
        after: 0,
        times: 1_000,
        error: CloudError::Service {
            code: "UnauthorizedOperation".into(),
            message: "not now".into(),
        },
    });
    let d = s.destroy(&ctx(), &state).await;
    assert!(d.has_errors());
    assert_eq!(
        kinds(&sim, "db-instance"),
        0,
        "the database should be gone already"
    );
    sim.clear_faults();
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    let k = sim.keys().into_iter().find(|k| k.arn == key).unwrap();
    assert_eq!(
        k.state,
        todo_provider::cloud::KeyState::Enabled,
        "the snapshot's key is going"
    );
    assert!(k.tags.contains_key("todo:retained"), "{k:?}");
}

#[tokio::test(start_paused = true)]
async fn the_key_of_a_database_removed_earlier_outlives_the_stack() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let key = state.kms_key_arn.clone().unwrap();
    let mut without = with_data(&[]);
    without.database = None;
    let state = apply_ok(&s, Some(&state), &with_defaults(&without)).await;
    assert_eq!(sim.snapshots().len(), 1);
    let d = s.destroy(&ctx(), &state).await;
    assert!(!d.has_errors(), "{d:?}");
    let k = sim.keys().into_iter().find(|k| k.arn == key).unwrap();
    assert_eq!(
        k.state,
        todo_provider::cloud::KeyState::Enabled,
        "the snapshot's key is going"
    );
}

#[tokio::test(start_paused = true)]
async fn a_database_keeps_its_private_subnets() {
    let sim = Arc::new(SimCloud::new(LatencyModel::instant()));
    let s = stacks(&sim);
    let state = apply_ok(&s, None, &with_data(&[])).await;
    let plan = |want: &StackState| {
        plan_stack_in(
            Some(&state),
            &with_defaults(want),
            Some("us-east-1"),
            Some("123456789012"),
        )
    };
    let mut fewer = with_data(&[]);
    fewer.network.availability_zones.pop();
    fewer.network.public_subnet_cidrs = None;
    fewer.network.private_subnet_cidrs = None;
    let p = plan(&fewer);
    assert!(
        p.errors.iter().any(|e| e.starts_with("network.availability_zones: the database's subnet group uses the private subnets of us-east-1c")),
        "{:?}",
        p.errors
    );
    let mut moved = with_data(&[]);
    moved
        .network
        .private_subnet_cidrs
        .as_mut()
        .unwrap()
        .insert("us-east-1a".into(), "10.0.200.0/24".into());
    let p = plan(&moved);
    assert!(
        p.errors.iter().any(|e| e.starts_with(
            "network.private_subnet_cidrs[\"us-east-1a\"]: the database's subnet group"
        )),
        "{:?}",
        p.errors
    );
    // A zone added is fine.
    let mut more = with_data(&[]);
    more.network.availability_zones.push("us-east-1d".into());
    more.network.public_subnet_cidrs = None;
    more.network.private_subnet_cidrs = None;
    let p = plan(&more);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    apply_ok(&s, Some(&state), &p.state).await;
}
