//! The stack's effects: apply, destroy, refresh and import, each one
//! observe of the inventory, the generic planner and the runner over the
//! stack's blueprint. Nothing here knows an object kind either: the
//! blueprint says what the stack is made of.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::cloud::cluster::{EksApi, IamApi, KubeLeftoversApi};
use crate::cloud::data::{RdsApi, SecretsApi, StorageApi};
use crate::cloud::monitoring::MonitoringApi;
use crate::cloud::{CloudError, KmsApi, NetworkApi, Tags};
use crate::kinds;
use crate::reconcile::{
    Action, AnyKind, Ids, Inventory, Limit, Observed, Plan, Polling, Removal, Runner, StepFailure,
    Tagging, Taken, plan,
    runner::{race, unthrottled},
};

use super::blueprint;
use super::model::StackState;

/// The clouds one stack operation talks to.
#[derive(Clone)]
pub struct Clouds {
    /// EC2 networking.
    pub network: Arc<dyn NetworkApi>,
    /// KMS.
    pub kms: Arc<dyn KmsApi>,
    /// IAM.
    pub iam: Arc<dyn IamApi>,
    /// EKS.
    pub eks: Arc<dyn EksApi>,
    /// What Kubernetes leaves in a VPC (load balancers).
    pub leftovers: Arc<dyn KubeLeftoversApi>,
    /// RDS.
    pub rds: Arc<dyn RdsApi>,
    /// Secrets Manager.
    pub secrets: Arc<dyn SecretsApi>,
    /// S3.
    pub storage: Arc<dyn StorageApi>,
    /// CloudWatch Logs, SNS, CloudWatch and EC2 flow logs.
    pub monitoring: Arc<dyn MonitoringApi>,
    /// The provider's `default_tags`.
    pub default_tags: Tags,
    /// The region these clients talk to.
    pub region: String,
    /// The account id, when known (it names the default bucket).
    pub account: Option<String>,
}

/// Which optional parts a stack has (or had): each brings its kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parts {
    /// The EKS cluster.
    pub cluster: bool,
    /// The database.
    pub database: bool,
    /// The bucket.
    pub storage: bool,
    /// Logs, alarms, the topic, the dashboard and the flow log.
    pub monitoring: bool,
}

impl Parts {
    /// Every part.
    pub const ALL: Parts = Parts {
        cluster: true,
        database: true,
        storage: true,
        monitoring: true,
    };

    /// The parts any of `states` has.
    pub fn of(states: &[Option<&StackState>]) -> Parts {
        let mut p = Parts::default();
        for s in states.iter().flatten() {
            p.cluster |= s.cluster.is_some();
            p.database |= s.database.is_some();
            p.storage |= s.storage.is_some();
            p.monitoring |= s.monitoring.is_some();
        }
        p
    }
}

impl Clouds {
    /// The kinds to observe: a part's only when the stack has or had it (a
    /// stack without a cluster makes no EKS or IAM call at all, one without
    /// a database no RDS call, and so on: it works where those services are
    /// not served).
    fn kinds(&self, parts: Parts) -> Vec<Arc<dyn AnyKind>> {
        let mut out = kinds::network_and_key(self, parts.monitoring);
        if parts.cluster {
            out.extend(kinds::cluster(self));
        }
        if parts.database {
            out.extend(kinds::database(self));
        }
        if parts.storage {
            out.extend(kinds::storage(self));
        }
        if parts.monitoring {
            out.extend(kinds::monitoring(self));
            if !parts.cluster {
                out.push(kinds::roles(self));
            }
        }
        out
    }
}

/// Why a stack operation failed before or while it ran.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Reading what exists failed.
    Observe(CloudError),
    /// A completed stack of the same name exists and this is not it.
    Taken(Taken),
    /// The planner refused the graph (a bug).
    Graph(String),
    /// Steps failed.
    Steps(Vec<StepFailure>),
    /// Objects the operation would delete refuse it (deletion protection,
    /// a bucket holding data): nothing was changed.
    Refused(Vec<String>),
}

/// Marks, before anything is deleted, the objects that must outlive the
/// `doomed` ones (the key of a final snapshot) with
/// [`crate::reconcile::TAG_RETAIN`]; returns every object of `all` so
/// marked now or before, with why.
async fn mark_retained(
    kinds: &[Arc<dyn AnyKind>],
    doomed: &[&Observed],
    all: &[&Observed],
    limit: &Limit,
    stop: &CancellationToken,
) -> Result<BTreeMap<String, String>, Failure> {
    let kind_of = |o: &Observed| kinds.iter().find(|k| k.name() == o.kind).cloned();
    let mut out: BTreeMap<String, String> = all
        .iter()
        .filter_map(|o| {
            let why = o.meta.tags.get(crate::reconcile::TAG_RETAIN)?;
            Some((o.meta.id.clone(), why.clone()))
        })
        .collect();
    let wanted: Vec<(String, String)> = doomed
        .iter()
        .filter_map(|o| Some(kind_of(o)?.retains(o)))
        .flatten()
        .collect();
    for (id, why) in wanted {
        let Some(o) = all.iter().find(|o| o.meta.id == id) else {
            continue;
        };
        if out.contains_key(&id) {
            continue;
        }
        let Some(kind) = kind_of(o) else { continue };
        let set: Tags = [(crate::reconcile::TAG_RETAIN.to_string(), why.clone())].into();
        race(
            limit,
            stop,
            unthrottled(limit, stop, || kind.retag(o, &set, &[])),
        )
        .await
        .map_err(|error| {
            Failure::Steps(vec![StepFailure {
                what: format!("marking {} {id} to outlive the stack ({why})", kind.noun()),
                error,
            }])
        })?;
        out.insert(id, why);
    }
    Ok(out)
}

/// Asks every object about to be deleted whether it may go; the refusals,
/// one line each (empty: all may go).
async fn refusals(
    kinds: &[Arc<dyn AnyKind>],
    doomed: &[&Observed],
    limit: &Limit,
    stop: &CancellationToken,
) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for o in doomed {
        let Some(kind) = kinds.iter().find(|k| k.name() == o.kind) else {
            continue;
        };
        let answer = race(
            limit,
            stop,
            unthrottled(limit, stop, || kind.refuse_delete(o)),
        )
        .await
        .map_err(Failure::Observe)?;
        out.extend(answer);
    }
    Ok(out)
}

/// A new, random instance identity: 16 hex digits.
pub fn new_stack_id() -> String {
    let random = std::collections::hash_map::RandomState::new().hash_one(SystemTime::now());
    format!("{random:016x}")
}

fn tagging(clouds: &Clouds, state: &StackState, stack_id: &str) -> Tagging {
    let mut base = clouds.default_tags.clone();
    base.extend(state.tags.clone().unwrap_or_default());
    Tagging {
        stack: state.name.clone(),
        stack_id: stack_id.to_string(),
        base,
    }
}

/// How often observe looks again for objects the state records and a
/// describe did not list (describes may lag creates for a few seconds).
const SETTLE_DELAYS: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// Observes the stack. When objects the state records are missing, looks
/// again a few times before believing they are gone: a describe may not
/// list an object created a moment ago, and creating it again would make
/// a twin.
async fn observe(
    clouds: &Clouds,
    kinds: &[Arc<dyn AnyKind>],
    name: &str,
    recorded: &Ids,
    limit: &Limit,
    stop: &CancellationToken,
) -> Result<Inventory, Failure> {
    let mut delays = SETTLE_DELAYS.iter();
    loop {
        let inventory = race(
            limit,
            stop,
            unthrottled(limit, stop, || Inventory::observe(kinds, name)),
        )
        .await
        .map_err(Failure::Observe)?;
        let seen: std::collections::BTreeSet<&str> = inventory
            .objects
            .iter()
            .map(|o| o.meta.id.as_str())
            .collect();
        let missing: Vec<&String> = recorded
            .0
            .values()
            .filter(|id| !seen.contains(id.as_str()))
            .collect();
        match delays.next() {
            Some(delay) if !missing.is_empty() => {
                tracing::debug!(region = %clouds.region, stack = name, missing = ?missing, "recorded objects not listed yet; looking again");
                race(limit, stop, async {
                    tokio::time::sleep(*delay).await;
                    Ok(())
                })
                .await
                .map_err(Failure::Observe)?;
            }
            _ => return Ok(inventory),
        }
    }
}

/// The objects an existing instance owns; an instance recorded before
/// identities existed owns the objects that carry none.
fn owned(inventory: &Inventory, stack_id: Option<&str>) -> Vec<Observed> {
    match stack_id {
        Some(id) => inventory.owned_by(id),
        None => inventory
            .objects
            .iter()
            .filter(|o| !o.meta.tags.contains_key(crate::reconcile::TAG_STACK_ID))
            .cloned()
            .collect(),
    }
}

/// Applies `desired` (defaults filled in) over `prior` (`None`: a create).
/// Returns the new state, partial when the apply failed, and the failure.
pub async fn apply(
    clouds: &Clouds,
    prior: Option<&StackState>,
    desired: &StackState,
    polling: Polling,
    limit: &Limit,
    stop: &CancellationToken,
) -> (StackState, Option<Failure>) {
    let prior_id = prior.and_then(|p| p.stack_id.clone());
    let stack_id = prior_id.clone().unwrap_or_else(new_stack_id);
    let mut state = desired.clone();
    state.stack_id = Some(stack_id.clone());
    state.region = Some(clouds.region.clone());
    state.drift = Some(Vec::new());
    let prior_ids = prior.map(blueprint::ids_of).unwrap_or_default();
    let partial = |state: &mut StackState, ids: &Ids| blueprint::fill(ids, &BTreeMap::new(), state);
    if let Some(st) = state.storage.as_mut()
        && st.bucket_name.is_none()
    {
        // The bucket the stack has keeps its name; a new one is named after
        // the account. Without either, no bucket is wanted by mistake (the
        // one that exists would be deleted): refuse instead.
        st.bucket_name = crate::stack::model_data::default_bucket_name(
            &desired.name,
            prior.and_then(|p| p.storage.as_ref()),
            clouds.account.as_deref(),
            Some(&clouds.region),
        );
        if st.bucket_name.is_none() {
            let why = crate::stack::model_data::NO_ACCOUNT_FOR_BUCKET.to_string();
            return (state, Some(Failure::Refused(vec![why])));
        }
    }
    let kinds = clouds.kinds(Parts::of(&[Some(desired), prior]));
    let inventory = match observe(clouds, &kinds, &desired.name, &prior_ids, limit, stop).await {
        Ok(i) => i,
        Err(f) => {
            partial(&mut state, &prior_ids);
            return (state, Some(f));
        }
    };
    let owned = match prior_id {
        Some(id) => inventory.owned_by(&id),
        None => match inventory.claim_for_create(&stack_id) {
            Ok(o) => o,
            Err(taken) => {
                // Nothing was created: no state at all.
                return (StackState::default(), Some(Failure::Taken(taken)));
            }
        },
    };
    let tagging = tagging(clouds, desired, &stack_id);
    let plan = match plan(
        &kinds,
        blueprint::desired(&state),
        owned,
        &prior_ids,
        &tagging,
        &blueprint::anchor(),
    ) {
        Ok(p) => p,
        Err(e) => {
            partial(&mut state, &prior_ids);
            return (state, Some(Failure::Graph(e.to_string())));
        }
    };
    let doomed: Vec<&Observed> = plan.removals.iter().map(|(o, _)| o).collect();
    match refusals(&kinds, &doomed, limit, stop).await {
        Ok(r) if r.is_empty() => {}
        Ok(r) => {
            partial(&mut state, &prior_ids);
            return (state, Some(Failure::Refused(r)));
        }
        Err(f) => {
            partial(&mut state, &prior_ids);
            return (state, Some(f));
        }
    }
    let everything: Vec<&Observed> = plan
        .kept
        .values()
        .chain(plan.removals.iter().map(|(o, _)| o))
        .collect();
    if let Err(f) = mark_retained(&kinds, &doomed, &everything, limit, stop).await {
        partial(&mut state, &prior_ids);
        return (state, Some(f));
    }
    for line in plan.destructive() {
        tracing::info!(stack = %desired.name, "{line}");
    }
    let outcome = run(plan, tagging, polling, limit, stop).await;
    // The cluster reports its endpoint, CA and statuses once active, the
    // database its endpoints once available: read them again for the
    // outputs.
    let mut reread_kinds = Vec::new();
    if desired.cluster.is_some() {
        reread_kinds.extend(kinds::cluster(clouds));
    }
    if desired.database.is_some() {
        reread_kinds.push(crate::reconcile::erase(kinds::db_instance::DbInstances(
            clouds.rds.clone(),
        )));
    }
    let objects = if reread_kinds.is_empty() {
        BTreeMap::new()
    } else {
        reread(&reread_kinds, &desired.name, &stack_id, limit, stop).await
    };
    blueprint::fill(&outcome.ids, &objects, &mut state);
    // What the cluster and the database reported before stands where
    // reading them again failed.
    blueprint::keep_reported(&mut state, prior, objects.is_empty());
    let failure = (!outcome.failures.is_empty()).then_some(Failure::Steps(outcome.failures));
    if failure.is_some()
        && state.cluster.is_none()
        && let Some(pc) = prior.and_then(|p| p.cluster.as_ref())
    {
        // The cluster was being removed and not all of it is gone: the
        // state keeps it, so the next apply (or destroy) looks for the rest.
        state.cluster = Some(pc.clone());
        state.kubeconfig = prior.and_then(|p| p.kubeconfig.clone());
    }
    (state, failure)
}

/// The objects of `kinds` of instance `stack_id` as they are now, by key
/// (empty when reading fails: the outputs then stay unset).
async fn reread(
    kinds: &[Arc<dyn AnyKind>],
    name: &str,
    stack_id: &str,
    limit: &Limit,
    stop: &CancellationToken,
) -> BTreeMap<crate::reconcile::Key, Observed> {
    match race(limit, stop, Inventory::observe(kinds, name)).await {
        Ok(inventory) => by_key(inventory.owned_by(stack_id)),
        Err(e) => {
            tracing::warn!(stack = name, error = %e, "reading the outputs again failed");
            BTreeMap::new()
        }
    }
}

/// Objects by key, the first of twins.
fn by_key(objects: Vec<Observed>) -> BTreeMap<crate::reconcile::Key, Observed> {
    let mut out = BTreeMap::new();
    for o in objects {
        if let Some(k) = o.key.clone() {
            out.entry(k).or_insert(o);
        }
    }
    out
}

/// Deletes every object of the instance `prior`, in reverse dependency
/// order. Objects of other instances are never touched.
pub async fn destroy(
    clouds: &Clouds,
    prior: &StackState,
    polling: Polling,
    limit: &Limit,
    stop: &CancellationToken,
) -> Option<Failure> {
    let kinds = clouds.kinds(Parts::of(&[Some(prior)]));
    let recorded = blueprint::ids_of(prior);
    let inventory = match observe(clouds, &kinds, &prior.name, &recorded, limit, stop).await {
        Ok(i) => i,
        Err(f) => return Some(f),
    };
    let owned = owned(&inventory, prior.stack_id.as_deref());
    match refusals(&kinds, &owned.iter().collect::<Vec<_>>(), limit, stop).await {
        Ok(r) if r.is_empty() => {}
        Ok(r) => return Some(Failure::Refused(r)),
        Err(f) => return Some(f),
    }
    // What must outlive the stack (the key of a final snapshot) is marked
    // before anything goes, and released, not deleted.
    let kind_of = |o: &Observed| kinds.iter().find(|k| k.name() == o.kind).cloned();
    let all: Vec<&Observed> = owned.iter().collect();
    let retained = match mark_retained(&kinds, &all, &all, limit, stop).await {
        Ok(r) => r,
        Err(f) => return Some(f),
    };
    let (kept, owned): (Vec<Observed>, Vec<Observed>) = owned
        .into_iter()
        .partition(|o| retained.contains_key(&o.meta.id));
    let stack_id = prior.stack_id.clone().unwrap_or_default();
    let tagging = tagging(clouds, prior, &stack_id);
    // The cluster's objects go first, as one phase: once the cluster is
    // gone, the load balancers Kubernetes made in the VPC are removed (its
    // kind waits for that), and only then can any subnet or the VPC go.
    let cluster_kinds: Vec<&str> = kinds::cluster(clouds).iter().map(|k| k.name()).collect();
    let (first, rest): (Vec<Observed>, Vec<Observed>) = owned
        .into_iter()
        .partition(|o| blueprint::goes_with_cluster(o, &cluster_kinds));
    for (n, phase) in [first, rest].into_iter().enumerate() {
        if n == 1
            && prior.cluster.is_some()
            && let Some(vpc) = &prior.network.vpc_id
            && let Err(e) = race(limit, stop, sweep(clouds, vpc, &prior.name)).await
        {
            return Some(Failure::Steps(vec![StepFailure {
                what: format!("deleting what Kubernetes made in {vpc}"),
                error: e,
            }]));
        }
        if phase.is_empty() {
            continue;
        }
        let plan = match plan(
            &kinds,
            Vec::new(),
            phase,
            &Ids::default(),
            &tagging,
            &blueprint::anchor(),
        ) {
            Ok(p) => p,
            Err(e) => return Some(Failure::Graph(e.to_string())),
        };
        let outcome = run(plan, tagging.clone(), polling, limit, stop).await;
        if !outcome.failures.is_empty() {
            return Some(Failure::Steps(outcome.failures));
        }
    }
    for o in &kept {
        let Some(kind) = kind_of(o) else { continue };
        let why = retained.get(&o.meta.id).cloned().unwrap_or_default();
        tracing::info!(stack = %prior.name, id = %o.meta.id, "kept: {why}");
        if let Err(error) = race(
            limit,
            stop,
            unthrottled(limit, stop, || kind.release(o, &why)),
        )
        .await
        {
            return Some(Failure::Steps(vec![StepFailure {
                what: format!("releasing {} {} from the stack", kind.noun(), o.meta.id),
                error,
            }]));
        }
    }
    None
}

/// Removes what Kubernetes made for the stack's cluster in its VPC,
/// waiting while AWS releases it (also when the cluster went before: a
/// destroy that stopped after deleting it).
async fn sweep(clouds: &Clouds, vpc: &str, name: &str) -> Result<(), CloudError> {
    let sweeper = kinds::eks_cluster::Clusters::new(clouds.eks.clone(), clouds.leftovers.clone());
    kinds::eks_cluster::until_active(Duration::from_secs(120), || sweeper.sweep(vpc, name)).await
}

async fn run(
    plan: Plan,
    tagging: Tagging,
    polling: Polling,
    limit: &Limit,
    stop: &CancellationToken,
) -> crate::reconcile::Outcome {
    Runner {
        plan,
        tagging,
        polling,
        limit: limit.clone(),
        stop: stop.clone(),
    }
    .run()
    .await
}

/// What refresh found.
#[derive(Debug, Clone, PartialEq)]
pub enum Refreshed {
    /// Nothing of the instance exists any more.
    Gone,
    /// The state as AWS has it: ids of what exists and is not to be
    /// replaced, and the drift, one line per difference.
    Found(Box<StackState>),
}

fn plan_against(
    clouds: &Clouds,
    kinds: &[Arc<dyn AnyKind>],
    state: &StackState,
    owned: Vec<Observed>,
) -> Result<Plan, Failure> {
    let stack_id = state.stack_id.clone().unwrap_or_default();
    plan(
        kinds,
        blueprint::desired(state),
        owned,
        &blueprint::ids_of(state),
        &tagging(clouds, state, &stack_id),
        &blueprint::anchor(),
    )
    .map_err(|e| Failure::Graph(e.to_string()))
}

/// Drift lines of a plan made against the prior state: every difference an
/// apply would converge.
fn drift(plan: &Plan) -> Vec<String> {
    let noun = |kind: &str| plan.kinds.get(kind).map(|k| k.noun()).unwrap_or("object");
    let mut out = Vec::new();
    for (key, action) in &plan.actions {
        let id = plan.kept.get(key).map(|o| o.meta.id.as_str()).unwrap_or("");
        let object = format!("{} {key} ({id})", noun(key.kind));
        match action {
            Action::Keep => {}
            Action::Create => out.push(format!("{} {key}: missing", noun(key.kind))),
            Action::Replace(changes) | Action::Update { changes, .. } => {
                for c in changes {
                    out.push(format!("{object}: {}", c.what));
                }
            }
        }
        if let Action::Update {
            set_tags,
            remove_tags,
            ..
        } = action
        {
            for (k, v) in set_tags {
                let now = plan
                    .kept
                    .get(key)
                    .and_then(|o| o.meta.tags.get(k))
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_else(|| "absent".into());
                out.push(format!("{object}: tag {k} = {now}, configured {v:?}"));
            }
            for k in remove_tags {
                out.push(format!("{object}: tag {k} not in the configuration"));
            }
        }
    }
    for (o, why) in &plan.removals {
        let key = o
            .key
            .as_ref()
            .map(|k| k.tag())
            .unwrap_or_else(|| "?".into());
        match why {
            Removal::Unwanted => out.push(format!(
                "{} {} ({key}): not in the configuration",
                noun(o.kind),
                o.meta.id
            )),
            Removal::Twin { kept } => out.push(format!(
                "{} {} ({key}): a second object for {kept}",
                noun(o.kind),
                o.meta.id
            )),
            Removal::Replaced => {}
        }
    }
    out
}

/// Reads the instance `prior` back from AWS.
pub async fn refresh(
    clouds: &Clouds,
    prior: &StackState,
    limit: &Limit,
    stop: &CancellationToken,
) -> Result<Refreshed, Failure> {
    let kinds = clouds.kinds(Parts::of(&[Some(prior)]));
    let inventory = observe(
        clouds,
        &kinds,
        &prior.name,
        &blueprint::ids_of(prior),
        limit,
        stop,
    )
    .await?;
    let owned = owned(&inventory, prior.stack_id.as_deref());
    if owned.is_empty() {
        return Ok(Refreshed::Gone);
    }
    let plan = plan_against(clouds, &kinds, prior, owned)?;
    let mut state = prior.clone();
    blueprint::fill(&plan.ids, &plan.kept, &mut state);
    state.drift = Some(drift(&plan));
    Ok(Refreshed::Found(Box::new(state)))
}

/// Everything import needs: the instance's objects by key, its identity
/// and the settings recorded on its anchor.
pub struct Found {
    /// The instance's identity.
    pub stack_id: String,
    /// Its objects, by key (the first of twins).
    pub objects: BTreeMap<crate::reconcile::Key, Observed>,
}

/// Reads a stack by name: the completed instance, else the leftovers.
pub async fn find(
    clouds: &Clouds,
    name: &str,
    limit: &Limit,
    stop: &CancellationToken,
) -> Result<Option<Found>, Failure> {
    let all = clouds.kinds(Parts::ALL);
    let inventory = match observe(clouds, &all, name, &Ids::default(), limit, stop).await {
        // An endpoint without EKS (an emulator) has no cluster to import.
        Err(Failure::Observe(CloudError::Unsupported(why))) => {
            tracing::info!(%why, "EKS or RDS is not served here: importing the stack without a cluster or database");
            observe(
                clouds,
                &clouds.kinds(Parts {
                    storage: true,
                    monitoring: true,
                    ..Parts::default()
                }),
                name,
                &Ids::default(),
                limit,
                stop,
            )
            .await?
        }
        other => other?,
    };
    let Some(stack_id) = inventory.identity() else {
        return Ok(None);
    };
    let objects = by_key(inventory.owned_by(&stack_id));
    Ok(Some(Found { stack_id, objects }))
}

/// Refreshes a freshly imported state: its ids and drift as of now.
pub fn settle(
    clouds: &Clouds,
    state: &StackState,
    objects: &BTreeMap<crate::reconcile::Key, Observed>,
) -> Result<StackState, Failure> {
    let kinds = clouds.kinds(Parts::of(&[Some(state)]));
    let plan = plan_against(clouds, &kinds, state, objects.values().cloned().collect())?;
    let mut out = state.clone();
    blueprint::fill(&plan.ids, &plan.kept, &mut out);
    out.drift = Some(Vec::new());
    Ok(out)
}

/// The plan of creating `desired` from nothing, for the critical-path bound
/// of benchmarks and tests.
pub fn creation_plan(clouds: &Clouds, desired: &StackState) -> Result<Plan, String> {
    let mut desired = desired.clone();
    desired.region = Some(clouds.region.clone());
    // Names derived from the instance's identity (the database's) need one.
    desired.stack_id.get_or_insert_with(|| "bench".into());
    plan(
        &clouds.kinds(Parts::of(&[Some(&desired)])),
        blueprint::desired(&desired),
        Vec::new(),
        &Ids::default(),
        &tagging(clouds, &desired, "bench"),
        &blueprint::anchor(),
    )
    .map_err(|e| e.to_string())
}
