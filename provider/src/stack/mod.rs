//! The `todo_cloud_stack` resource and data source.

pub mod blueprint;
pub mod cidr;
pub mod engine;
pub mod import_data;
pub mod model;
pub mod model_data;
pub mod model_monitoring;
pub mod plan;
pub mod plan_data;
pub mod schema;
pub mod schema_data;
pub mod schema_monitoring;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    ApplyRequest, ApplyResponse, AttributePath, Context, DataReadRequest, DataReadResponse,
    Diagnostic, Diagnostics, ImportResponse, ImportedResource, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Schema, Value, from_value, to_value,
};
use tokio::time::Instant;

use crate::cloud::CloudError;
use crate::kinds::access_entry::AccessEntries;
use crate::kinds::addon::Addons;
use crate::kinds::eks_cluster::Clusters;
use crate::kinds::nat_gateway::NatGateways;
use crate::kinds::node_group::NodeGroups;
use crate::kinds::subnet::Subnets;
use crate::kinds::vpc::Vpcs;
use crate::provider::{Configured, ProviderState};
use crate::reconcile::{Limit, Polling, StepFailure};
use engine::{Clouds, Failure, Refreshed};
use model::{
    AddonState, ClusterState, NatMode, NetworkState, NodeGroupState, Operation, StackState,
    TaintState,
};
use plan::{set_at, with_defaults};
use schema::{stack_data_source_schema, stack_schema};
use validate::validate_stack_config;

/// Where the resource gets its cloud from.
#[derive(Clone)]
pub enum CloudSource {
    /// The configured provider (real AWS).
    Provider(Arc<ProviderState>),
    /// A fixed cloud (the simulator in tests), its default tags and region.
    Fixed(Box<Clouds>),
}

impl CloudSource {
    /// The clouds of `region` (the provider's own when `None`).
    fn clouds(&self, region: Option<&str>) -> Result<Clouds, Diagnostic> {
        match self {
            CloudSource::Provider(state) => {
                let clients = state.clients()?;
                let clients = match region {
                    Some(r) if r != clients.region => Arc::new(clients.for_region(r)),
                    _ => clients,
                };
                Ok(Clouds {
                    network: Arc::new(clients.network()),
                    kms: Arc::new(clients.kms()),
                    iam: Arc::new(clients.iam()),
                    eks: Arc::new(clients.eks()),
                    leftovers: Arc::new(clients.kube_leftovers()),
                    rds: Arc::new(clients.rds()),
                    secrets: Arc::new(clients.secrets()),
                    storage: Arc::new(clients.storage()),
                    monitoring: Arc::new(clients.monitoring()),
                    default_tags: clients.default_tags.clone(),
                    region: clients.region.clone(),
                    account: clients.account_id.clone(),
                })
            }
            CloudSource::Fixed(clouds) => Ok((**clouds).clone()),
        }
    }

    /// The account, `None` while the provider configuration is not known
    /// or the account was not looked up.
    fn account(&self) -> Option<String> {
        match self {
            CloudSource::Provider(state) => match state.configured() {
                Configured::Ready(c) => c.account_id.clone(),
                _ => None,
            },
            CloudSource::Fixed(clouds) => clouds.account.clone(),
        }
    }

    /// The provider's region, `None` while the provider configuration is
    /// not known.
    fn region(&self) -> Option<String> {
        match self {
            CloudSource::Provider(state) => match state.configured() {
                Configured::Ready(c) => Some(c.region.clone()),
                _ => None,
            },
            CloudSource::Fixed(clouds) => Some(clouds.region.clone()),
        }
    }
}

/// The operations of a stack, shared by the resource and the data source.
#[derive(Clone)]
pub struct Stacks {
    cloud: CloudSource,
    polling: Polling,
}

/// The setting a timeout comes from, for messages: `timeouts.create = "90m"`.
fn limit(state: &StackState, op: Operation) -> Limit {
    let timeout = state.timeout(op);
    let (attr, configured) = {
        let t = state.timeouts.clone().unwrap_or_default();
        match op {
            Operation::Create => ("create", t.create),
            Operation::Update => ("update", t.update),
            Operation::Delete => ("delete", t.delete),
        }
    };
    let setting = match configured {
        Some(v) => format!("timeouts.{attr} = {v:?}"),
        None => format!(
            "timeouts.{attr}, default {:?}",
            humantime::format_duration(timeout).to_string()
        ),
    };
    Limit {
        deadline: Instant::now() + timeout,
        setting,
    }
}

fn failures_detail(failures: &[StepFailure]) -> String {
    failures
        .iter()
        .map(|f| format!("- {}: {}", f.what, f.error))
        .collect::<Vec<_>>()
        .join("\n")
}

const UNTAINT: &str = "Everything created so far is recorded in the state, and Terraform marks the resource tainted.\n\
     To continue from where this stopped, run `terraform untaint <this resource's address>` and then \
     `terraform apply`: the provider adopts what exists and creates the rest.\n\
     A plain `terraform apply` instead replaces the stack: it deletes what was created and starts over.";

/// The diagnostic of a failed operation on stack `name`.
fn failure_diagnostic(name: &str, region: &str, op: Operation, failure: Failure) -> Diagnostic {
    let verb = match op {
        Operation::Create => "Creating",
        Operation::Update => "Updating",
        Operation::Delete => "Deleting",
    };
    match failure {
        Failure::Observe(e) => Diagnostic::error(
            format!("{verb} stack {name:?}: reading its objects failed"),
            format!("{e}\n\nNothing was changed. Fix the cause and run the command again."),
        ),
        Failure::Taken(t) => Diagnostic::error(
            format!("A stack named {name:?} already exists in {region}"),
            format!(
                "name: another configuration created a stack of this name in this account and region (stack_id \
                 {}, VPC {}). This configuration does not own it and changed nothing.\n\n\
                 To manage that stack from here, import it: `terraform import <this resource's address> {name}` \
                 (or an `import {{}}` block). To create a separate stack, choose another `name`.",
                t.stack_id, t.anchor_id
            ),
        )
        .at(AttributePath::new("name")),
        Failure::Refused(why) => Diagnostic::error(
            format!("{verb} stack {name:?} was refused to keep its data safe"),
            format!(
                "{}\n\nNothing of the stack was changed.",
                why.iter().map(|w| format!("- {w}")).collect::<Vec<_>>().join("\n")
            ),
        ),
        Failure::Graph(e) => Diagnostic::error(
            format!("{verb} stack {name:?}: internal error"),
            format!("The provider built an invalid plan: {e}. This is a bug; please report it."),
        ),
        Failure::Steps(failures) => {
            let interrupted = failures.iter().all(|f| f.error == CloudError::Cancelled);
            let timed_out = failures
                .iter()
                .find_map(|f| match &f.error {
                    CloudError::Timeout(m) if m.contains("time limit passed") => Some(m.clone()),
                    _ => None,
                });
            let detail = failures_detail(&failures);
            if interrupted {
                let next = match op {
                    Operation::Create => UNTAINT,
                    Operation::Update => "What was done so far is recorded; run `terraform apply` again to continue.",
                    Operation::Delete => "The stack stays in the state; run `terraform destroy` again to continue.",
                };
                return Diagnostic::error(
                    format!("{verb} stack {name:?} was interrupted"),
                    format!(
                        "The operation was stopped (Ctrl-C) while these steps ran:\n{detail}\n\n{next}"
                    ),
                );
            }
            let first = &failures[0];
            let mut detail = detail;
            if let Some(m) = timed_out {
                detail.push_str(&format!(
                    "\n\nThe operation ran out of time: {m}. Raise that timeout if AWS is slow today, then run again."
                ));
            }
            let next = match op {
                Operation::Create => UNTAINT,
                Operation::Update => {
                    "The state records what exists now. Fix the cause and run `terraform apply` again: it continues from here."
                }
                Operation::Delete => {
                    "The stack stays in the state; run `terraform destroy` again once the cause is fixed."
                }
            };
            Diagnostic::error(
                format!("{verb} stack {name:?} failed: {}", first.what),
                format!("{detail}\n\n{next}"),
            )
        }
    }
}

impl Stacks {
    /// Stacks on `cloud`, waiters polling at most every `polling.interval`.
    pub fn new(cloud: CloudSource, polling: Polling) -> Stacks {
        Stacks { cloud, polling }
    }

    /// Creates or updates the stack to `desired` (defaults filled in).
    /// Returns the new state (`None`: nothing was created), partial on
    /// failure, and diagnostics.
    pub async fn apply(
        &self,
        ctx: &Context,
        prior: Option<&StackState>,
        desired: &StackState,
    ) -> (Option<StackState>, Diagnostics) {
        let mut d = Diagnostics::new();
        let op = if prior.is_some() {
            Operation::Update
        } else {
            Operation::Create
        };
        let clouds = match self.cloud.clouds(None) {
            Ok(c) => c,
            Err(e) => {
                d.push(e);
                return (prior.cloned(), d);
            }
        };
        if let Some(old) = prior.and_then(|p| p.region.as_deref())
            && old != clouds.region
        {
            // Planned while the provider's region was unknown: this would
            // build a second stack in the new region and orphan the old one.
            d.push(Diagnostic::error(
                format!("Stack {:?} lives in {old}, not {}", desired.name, clouds.region),
                format!(
                    "region: the provider's region became {} after the plan was made. Run `terraform plan` again: \
                     it plans the replacement of the stack (deleted in {old}, created in {}).",
                    clouds.region, clouds.region
                ),
            )
            .at(AttributePath::new("region")));
            return (prior.cloned(), d);
        }
        let limit = limit(desired, op);
        let (state, failure) =
            engine::apply(&clouds, prior, desired, self.polling, &limit, &ctx.stop).await;
        let state = match failure {
            // Nothing was created: a create leaves no state at all.
            Some(
                f @ (Failure::Taken(_)
                | Failure::Observe(_)
                | Failure::Graph(_)
                | Failure::Refused(_)),
            ) => {
                d.push(failure_diagnostic(&desired.name, &clouds.region, op, f));
                return (prior.cloned(), d);
            }
            Some(f) => {
                d.push(failure_diagnostic(&desired.name, &clouds.region, op, f));
                state
            }
            None => state,
        };
        (Some(state), d)
    }

    /// Deletes every object of the stack instance `prior` (in its region).
    pub async fn destroy(&self, ctx: &Context, prior: &StackState) -> Diagnostics {
        let mut d = Diagnostics::new();
        let clouds = match self.cloud.clouds(prior.region.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                d.push(e);
                return d;
            }
        };
        let limit = limit(prior, Operation::Delete);
        if let Some(f) = engine::destroy(&clouds, prior, self.polling, &limit, &ctx.stop).await {
            d.push(failure_diagnostic(
                &prior.name,
                &clouds.region,
                Operation::Delete,
                f,
            ));
        }
        d
    }

    /// The zones of a configuration that gives only a count: the prior
    /// state's when the count is unchanged, else the region's first `count`
    /// available zones (letters a to h, by name). `None` while the provider
    /// configuration is not known.
    pub async fn resolve_zones(
        &self,
        prior: Option<&StackState>,
        count: i64,
    ) -> Result<Option<Vec<String>>, Diagnostic> {
        if let Some(p) = prior
            && p.network.availability_zone_count == Some(count)
            && p.network.availability_zones.len() as i64 == count
            && (p.region.is_none() || p.region == self.cloud.region())
        {
            return Ok(Some(p.network.availability_zones.clone()));
        }
        let Some(mut zones) = self.region_zones(AttributePath::new("network")).await? else {
            return Ok(None);
        };
        zones.retain(|z| cidr::zone_index(z).is_ok());
        let wanted = usize::try_from(count).unwrap_or_default();
        if zones.len() < wanted {
            return Err(Diagnostic::error(
                "Not enough availability zones",
                format!("network.availability_zone_count: the region offers {} usable availability zones ({}), fewer than {count}.", zones.len(), zones.join(", ")),
            )
            .at(AttributePath::new("network")));
        }
        zones.truncate(wanted);
        Ok(Some(zones))
    }

    /// The region's zone names, sorted; `None` while the provider
    /// configuration is not known.
    async fn region_zones(&self, path: AttributePath) -> Result<Option<Vec<String>>, Diagnostic> {
        if self.cloud.region().is_none() {
            return Ok(None);
        }
        let clouds = self.cloud.clouds(None)?;
        let mut zones = clouds.network.availability_zones().await.map_err(|e| {
            Diagnostic::error(
                "Listing the region's availability zones failed",
                e.to_string(),
            )
            .at(path.clone())
        })?;
        zones.sort();
        Ok(Some(zones))
    }

    /// Checks named zones against the region: each must be one of its zones.
    pub async fn check_zones(&self, zones: &[String]) -> Result<(), Diagnostic> {
        let path = AttributePath::new("network");
        let Some(known) = self.region_zones(path.clone()).await? else {
            return Ok(());
        };
        for (i, z) in zones.iter().enumerate() {
            if !known.contains(z) {
                return Err(Diagnostic::error(
                    "Unknown availability zone",
                    format!(
                        "network.availability_zones[{i}]: {z:?} is not an availability zone of {} (its zones: {}).",
                        self.cloud.region().unwrap_or_default(),
                        known.join(", ")
                    ),
                )
                .at(path));
            }
        }
        Ok(())
    }

    /// Refreshes `prior` from AWS; `None` when nothing of the stack exists.
    pub async fn read(
        &self,
        ctx: &Context,
        prior: &StackState,
    ) -> Result<Option<StackState>, Diagnostic> {
        let clouds = self.cloud.clouds(prior.region.as_deref())?;
        let limit = limit(prior, Operation::Update);
        let defaults = with_defaults(prior);
        match engine::refresh(&clouds, &defaults, &limit, &ctx.stop).await {
            Ok(Refreshed::Gone) => Ok(None),
            Ok(Refreshed::Found(state)) => {
                let mut state = *state;
                // Keep the configuration's own values as the prior state had them.
                state.network.public_subnet_cidrs = prior.network.public_subnet_cidrs.clone();
                state.network.private_subnet_cidrs = prior.network.private_subnet_cidrs.clone();
                state.network.nat_gateways = prior.network.nat_gateways.clone();
                state.id = prior.id.clone();
                if state.region.is_none() {
                    state.region = Some(clouds.region.clone());
                }
                Ok(Some(state))
            }
            Err(f) => Err(failure_diagnostic(
                &prior.name,
                &clouds.region,
                Operation::Update,
                f,
            )),
        }
    }

    /// Rebuilds a stack's whole state from AWS by name.
    pub async fn import(&self, ctx: &Context, name: &str) -> Result<StackState, Diagnostic> {
        let clouds = self.cloud.clouds(None)?;
        let limit = Limit {
            deadline: Instant::now() + std::time::Duration::from_secs(300),
            setting: "the 5 minute limit of a read".into(),
        };
        let read_failed =
            |f: Failure| failure_diagnostic(name, &clouds.region, Operation::Update, f);
        let found = engine::find(&clouds, name, &limit, &ctx.stop)
            .await
            .map_err(read_failed)?;
        let vpc = found.as_ref().and_then(|f| {
            f.objects
                .get(&blueprint::anchor())
                .and_then(|o| o.seen::<Vpcs>().cloned())
        });
        let (Some(found), Some(vpc)) = (found, vpc) else {
            return Err(Diagnostic::error(
                format!("No stack named {name:?}"),
                format!(
                    "No VPC tagged todo:stack = {name:?} exists in {} for this account.",
                    clouds.region
                ),
            ));
        };
        let mut public = BTreeMap::new();
        let mut private = BTreeMap::new();
        let mut nats = 0;
        for (key, o) in &found.objects {
            if let Some(s) = o.seen::<Subnets>() {
                let map = if key.name.starts_with("public-") {
                    &mut public
                } else {
                    &mut private
                };
                map.insert(s.availability_zone.clone(), s.cidr_block.clone());
            }
            if o.seen::<NatGateways>().is_some() {
                nats += 1;
            }
        }
        let mut zones: Vec<String> = public.keys().chain(private.keys()).cloned().collect();
        zones.sort();
        zones.dedup();
        let nat = match nats {
            0 => NatMode::None,
            1 if zones.len() > 1 => NatMode::Single,
            _ => NatMode::OnePerAz,
        };
        let settings = blueprint::Settings::read(&vpc.tags);
        if let Some(order) = &settings.zones
            && order.iter().all(|z| zones.contains(z))
            && order.len() == zones.len()
        {
            zones = order.clone();
        }
        let tags: BTreeMap<String, String> = vpc
            .tags
            .iter()
            .filter(|(k, v)| {
                !k.starts_with("todo:")
                    && !k.starts_with("aws:")
                    && k.as_str() != "Name"
                    && clouds.default_tags.get(*k) != Some(*v)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let database = import_data::imported_database(&found.objects);
        let monitoring = import_data::imported_monitoring(
            &found.objects,
            database.as_ref(),
            nat != NatMode::None,
        );
        let state = StackState {
            id: Some(name.to_string()),
            name: name.to_string(),
            tags: (!tags.is_empty()).then_some(tags),
            timeouts: settings.timeouts.clone(),
            network: NetworkState {
                cidr_block: vpc.cidr_block.clone(),
                availability_zones: zones,
                availability_zone_count: settings.zone_count,
                nat_gateways: Some(nat.as_str().to_string()),
                public_subnet_cidrs: Some(public),
                private_subnet_cidrs: Some(private),
                ..Default::default()
            },
            region: Some(clouds.region.clone()),
            stack_id: Some(found.stack_id.clone()),
            kms_key_arn: None,
            drift: Some(Vec::new()),
            cluster: imported_cluster(&found.objects),
            kubeconfig: None,
            database,
            storage: import_data::imported_storage(&found.objects),
            monitoring,
        };
        engine::settle(&clouds, &state, &found.objects).map_err(read_failed)
    }
}

/// The `cluster` configuration that reproduces the imported objects
/// (`None`: the stack has no cluster).
fn imported_cluster(
    objects: &BTreeMap<crate::reconcile::Key, crate::reconcile::Observed>,
) -> Option<ClusterState> {
    let cluster = objects
        .get(&blueprint::cluster())
        .and_then(|o| o.seen::<Clusters>())?;
    let mut c = ClusterState {
        version: cluster.version.clone(),
        endpoint_private_access: Some(cluster.access.private),
        endpoint_public_access: Some(cluster.access.public),
        public_access_cidrs: Some(if cluster.access.public {
            cluster.access.public_cidrs.clone()
        } else {
            Vec::new()
        }),
        log_types: Some(cluster.log_types.clone()),
        admins: Some(Vec::new()),
        addons: Some(BTreeMap::new()),
        node_groups: Some(BTreeMap::new()),
        ..Default::default()
    };
    for (key, o) in objects {
        if let Some(g) = o.seen::<NodeGroups>() {
            let group = NodeGroupState {
                instance_types: Some(g.instance_types.clone()),
                capacity_type: Some(g.capacity_type.clone()),
                ami_type: Some(g.ami_type.clone()),
                disk_size: g.disk_size.map(i64::from),
                min_size: g.scaling.min.into(),
                max_size: g.scaling.max.into(),
                // The autoscaler owns the current size; the configuration's
                // default (the minimum) is what a plan compares against.
                desired_size: Some(g.scaling.min.into()),
                labels: Some(g.labels.clone()),
                taints: Some(
                    g.taints
                        .iter()
                        .map(|t| TaintState {
                            key: t.key.clone(),
                            value: (!t.value.is_empty()).then(|| t.value.clone()),
                            effect: t.effect.clone(),
                        })
                        .collect(),
                ),
                max_unavailable_percentage: g.max_unavailable_percentage.map(i64::from),
                ..Default::default()
            };
            c.node_groups
                .get_or_insert_default()
                .insert(key.name.clone(), group);
        }
        if let Some(a) = o.seen::<Addons>() {
            c.addons.get_or_insert_default().insert(
                key.name.clone(),
                AddonState {
                    version: Some(a.version.clone()),
                },
            );
        }
        if let Some(e) = o.seen::<AccessEntries>() {
            c.admins
                .get_or_insert_default()
                .push(e.principal_arn.clone());
        }
    }
    Some(c.with_defaults())
}

/// The `todo_cloud_stack` resource.
pub struct StackResource {
    stacks: Stacks,
}

impl StackResource {
    /// The resource over `stacks`.
    pub fn new(stacks: Stacks) -> StackResource {
        StackResource { stacks }
    }
}

fn decode_state(value: &Value, what: &str) -> Result<StackState, Diagnostic> {
    from_value(value).map_err(|e| {
        Diagnostic::error(format!("Invalid {what} of todo_cloud_stack"), e.to_string())
    })
}

/// The prior state, `None` when the object does not exist yet.
fn decode_prior(value: &Value) -> Result<Option<StackState>, Diagnostic> {
    if value.is_null() {
        Ok(None)
    } else {
        decode_state(value, "prior state").map(Some)
    }
}

fn encode_state(state: &StackState) -> Result<Value, Diagnostic> {
    to_value(state, &stack_schema().value_type())
        .map_err(|e| Diagnostic::error("Provider produced an invalid state", e.to_string()))
}

#[async_trait]
impl tfplugin::Resource for StackResource {
    fn type_name(&self) -> &str {
        "todo_cloud_stack"
    }

    fn schema(&self) -> Schema {
        stack_schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_stack_config(config)
    }

    async fn read(&self, ctx: &Context, request: ReadRequest) -> ReadResponse {
        let prior = match decode_state(&request.current_state, "state") {
            Ok(s) => s,
            Err(e) => {
                return ReadResponse {
                    new_state: request.current_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        match self.stacks.read(ctx, &prior).await {
            Ok(Some(state)) => match encode_state(&state) {
                Ok(v) => ReadResponse {
                    new_state: v,
                    private: request.private,
                    diagnostics: Diagnostics::new(),
                },
                Err(e) => ReadResponse {
                    new_state: request.current_state,
                    diagnostics: e.into(),
                    ..Default::default()
                },
            },
            Ok(None) => {
                tracing::info!(stack = %prior.name, "no object of the stack exists any more; removing it from state");
                ReadResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    diagnostics: Diagnostics::new(),
                }
            }
            Err(e) => ReadResponse {
                new_state: request.current_state,
                private: request.private,
                diagnostics: e.into(),
            },
        }
    }

    async fn plan(&self, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        if request.proposed_new_state.is_null() {
            return PlanResponse {
                planned_state: Value::Null,
                planned_private: request.prior_private,
                ..Default::default()
            };
        }
        let refuse = |request: PlanRequest, diagnostics: Diagnostics| PlanResponse {
            planned_state: request.proposed_new_state,
            diagnostics,
            ..Default::default()
        };
        let mut d = validate_stack_config(&request.config);
        if d.has_errors() {
            return refuse(request, d);
        }
        // Validation's warnings were shown by `validate` already.
        d.0.retain(|w| w.severity != tfplugin::Severity::Warning);
        // Tags known only after apply change no id: plan with them aside.
        let tags = request.config.get("tags").clone();
        let mut config_value = request.config.clone();
        let tags_unknown = !tags.is_wholly_known();
        if tags_unknown {
            set_at(&mut config_value, &AttributePath::new("tags"), Value::Null);
        }
        if !config_value.is_wholly_known() {
            return unknown_plan(&request, d);
        }
        let mut config = match decode_state(&config_value, "configuration") {
            Ok(c) => c,
            Err(e) => return refuse(request, e.into()),
        };
        let prior = match decode_prior(&request.prior_state) {
            Ok(p) => p,
            Err(e) => return refuse(request, e.into()),
        };
        if config.network.availability_zones.is_empty()
            && let Some(count) = config.network.availability_zone_count
        {
            match self.stacks.resolve_zones(prior.as_ref(), count).await {
                Ok(Some(zones)) => config.network.availability_zones = zones,
                Ok(None) => return unknown_plan(&request, d),
                Err(e) => {
                    d.push(e);
                    return refuse(request, d);
                }
            }
        } else if prior
            .as_ref()
            .is_none_or(|p| p.network.availability_zones != config.network.availability_zones)
            && let Err(e) = self
                .stacks
                .check_zones(&config.network.availability_zones)
                .await
        {
            d.push(e);
            return refuse(request, d);
        }
        let planned = plan::plan_stack_in(
            prior.as_ref(),
            &config,
            self.stacks.cloud.region().as_deref(),
            self.stacks.cloud.account().as_deref(),
        );
        if !planned.errors.is_empty() {
            for e in &planned.errors {
                let top = e.split(['.', ':', '[']).next().unwrap_or("network");
                d.push(
                    Diagnostic::error("This change cannot be applied safely", e.clone())
                        .at(AttributePath::new(top)),
                );
            }
            return refuse(request, d);
        }
        let mut value = match encode_state(&planned.state) {
            Ok(v) => v,
            Err(e) => return refuse(request, e.into()),
        };
        for path in &planned.unknown {
            set_at(&mut value, path, Value::Unknown);
        }
        if tags_unknown {
            set_at(&mut value, &AttributePath::new("tags"), tags);
        }
        for w in &planned.warnings {
            d.push(Diagnostic::warning(
                format!(
                    "Stack {:?}: part of this change waits for the maintenance window",
                    config.name
                ),
                w.clone(),
            ));
        }
        if !planned.replaced.is_empty() {
            d.push(Diagnostic::warning(
                format!(
                    "Stack {:?}: some parts will be replaced or deleted",
                    config.name
                ),
                format!(
                    "This change replaces or deletes only these parts of the stack:\n{}",
                    planned
                        .replaced
                        .iter()
                        .map(|r| format!("- {r}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            ));
        }
        PlanResponse {
            planned_state: value,
            requires_replace: planned.requires_replace,
            planned_private: request.prior_private,
            diagnostics: d,
            ..Default::default()
        }
    }

    async fn apply(&self, ctx: &Context, request: ApplyRequest) -> ApplyResponse {
        let prior = match decode_prior(&request.prior_state) {
            Ok(p) => p,
            Err(e) => {
                return ApplyResponse {
                    new_state: request.prior_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        if request.planned_state.is_null() {
            let Some(prior) = prior else {
                return ApplyResponse::default();
            };
            let d = self.stacks.destroy(ctx, &prior).await;
            let new_state = if d.has_errors() {
                request.prior_state
            } else {
                Value::Null
            };
            return ApplyResponse {
                new_state,
                diagnostics: d,
                ..Default::default()
            };
        }
        let config = match decode_state(&request.config, "configuration") {
            Ok(c) => c,
            Err(e) => {
                return ApplyResponse {
                    new_state: request.prior_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        let mut config = config;
        if config.network.availability_zones.is_empty()
            && let Some(count) = config.network.availability_zone_count
        {
            let planned: Vec<String> = match request
                .planned_state
                .get("network")
                .get("availability_zones")
            {
                Value::List(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            config.network.availability_zones = if planned.len() as i64 == count {
                planned
            } else {
                match self.stacks.resolve_zones(prior.as_ref(), count).await {
                    Ok(Some(zones)) => zones,
                    Ok(None) => Vec::new(),
                    Err(e) => {
                        return ApplyResponse {
                            new_state: request.prior_state,
                            diagnostics: e.into(),
                            ..Default::default()
                        };
                    }
                }
            };
        }
        // What validation and the plan refuse, the apply refuses too: a
        // plan made with values unknown could not check them.
        let invalid = validate_stack_config(&request.config);
        if invalid.has_errors() {
            return ApplyResponse {
                new_state: request.prior_state,
                diagnostics: invalid,
                ..Default::default()
            };
        }
        let checked = plan::plan_stack_in(
            prior.as_ref(),
            &config,
            self.stacks.cloud.region().as_deref(),
            self.stacks.cloud.account().as_deref(),
        );
        if prior.is_some() && !checked.requires_replace.is_empty() {
            // The plan could not see it (an unknown name): applying would
            // build a second stack and orphan this one.
            let what = checked
                .requires_replace
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return ApplyResponse {
                new_state: request.prior_state,
                diagnostics: Diagnostic::error(
                    "The stack would be replaced, and the plan did not say so",
                    format!(
                        "{what}: changed to a value that was not known when the plan was made; changing it replaces \
                         the whole stack. Run `terraform plan` again: it plans the replacement and shows it."
                    ),
                )
                .into(),
                ..Default::default()
            };
        }
        if !checked.errors.is_empty() {
            let mut d = Diagnostics::new();
            for e in &checked.errors {
                let top = e.split(['.', ':', '[']).next().unwrap_or("network");
                d.push(
                    Diagnostic::error("This change cannot be applied safely", e.clone())
                        .at(AttributePath::new(top)),
                );
            }
            return ApplyResponse {
                new_state: request.prior_state,
                diagnostics: d,
                ..Default::default()
            };
        }
        let mut desired = with_defaults(&config);
        planned_choices(&request.planned_state, &mut desired);
        if let Some(db) = desired.database.as_mut() {
            // Write-only: read from the configuration for this apply only.
            db.master_password = request
                .config
                .get("database")
                .get("master_password_wo")
                .as_str()
                .map(crate::cloud::data::Sensitive::new);
        }
        let (state, mut d) = self.stacks.apply(ctx, prior.as_ref(), &desired).await;
        let Some(state) = state else {
            return ApplyResponse {
                new_state: Value::Null,
                diagnostics: d,
                ..Default::default()
            };
        };
        match encode_state(&state) {
            Ok(v) => ApplyResponse {
                new_state: v,
                diagnostics: d,
                ..Default::default()
            },
            Err(e) => {
                d.push(e);
                ApplyResponse {
                    new_state: request.prior_state,
                    diagnostics: d,
                    ..Default::default()
                }
            }
        }
    }

    async fn import(&self, ctx: &Context, id: String) -> ImportResponse {
        if let Err(why) = validate::check_name(&id) {
            return ImportResponse {
                imported: vec![],
                diagnostics: Diagnostic::error("Invalid stack name to import", why).into(),
            };
        }
        match self
            .stacks
            .import(ctx, &id)
            .await
            .and_then(|s| encode_state(&s))
        {
            Ok(state) => ImportResponse {
                imported: vec![ImportedResource {
                    type_name: "todo_cloud_stack".into(),
                    state,
                    private: vec![],
                }],
                diagnostics: Diagnostics::new(),
            },
            Err(e) => ImportResponse {
                imported: vec![],
                diagnostics: e.into(),
            },
        }
    }
}

/// Choices the plan made that the configuration leaves open and that must
/// not change between plan and apply: the bucket's name (derived from the
/// account) and each replica's zone (kept from the prior state).
fn planned_choices(planned: &Value, desired: &mut StackState) {
    if let Some(st) = desired.storage.as_mut()
        && st.bucket_name.is_none()
    {
        st.bucket_name = planned
            .get("storage")
            .get("bucket_name")
            .as_str()
            .map(str::to_string);
    }
    if let Some(db) = desired.database.as_mut() {
        for (name, r) in db.replicas.iter_mut().flatten() {
            if let Some(z) = planned
                .get("database")
                .get("replicas")
                .at(&AttributePath::root().key(name).attr("availability_zone"))
                .and_then(Value::as_str)
            {
                r.availability_zone = Some(z.to_string());
            }
        }
    }
}

/// The data tier in a plan with unknown values: whatever the configuration
/// leaves null (a default, an output) is unknown; the write-only password
/// is null, as Terraform requires of write-only attributes in a plan.
fn unknown_data_plan(request: &PlanRequest, planned: &mut Value) {
    let unknown_unless_set = |planned: &mut Value, path: &AttributePath, names: &[String]| {
        for name in names {
            let p = path.attr(name);
            if request.config.at(&p).is_none_or(Value::is_null) {
                set_at(planned, &p, Value::Unknown);
            }
        }
    };
    let names = |attrs: Vec<tfplugin::Attribute>| -> Vec<String> {
        attrs.into_iter().map(|a| a.name).collect()
    };
    let db = AttributePath::new("database");
    if !request.config.get("database").is_null() {
        let all: Vec<String> = names(schema_data::database_attributes(false))
            .into_iter()
            .filter(|n| n != "master_password_wo")
            .collect();
        unknown_unless_set(planned, &db, &all);
        set_at(planned, &db.attr("master_password_wo"), Value::Null);
        if let Some(Value::Map(items)) = request.config.at(&db.attr("replicas")) {
            let attrs = [
                "instance_class",
                "availability_zone",
                "performance_insights",
                "arn",
            ]
            .map(String::from);
            for key in items.keys() {
                unknown_unless_set(planned, &db.attr("replicas").key(key), &attrs);
            }
        }
    }
    let mon = AttributePath::new("monitoring");
    if !request.config.get("monitoring").is_null() {
        unknown_unless_set(
            planned,
            &mon,
            &names(schema_monitoring::monitoring_attributes(false)),
        );
        let alarms = mon.attr("alarms");
        if request.config.at(&alarms).is_some_and(|v| !v.is_null()) {
            let settings =
                ["enabled", "threshold", "period", "evaluation_periods"].map(String::from);
            for a in &model_monitoring::ALARMS {
                let at = alarms.attr(a.attribute);
                if request.config.at(&at).is_none_or(Value::is_null) {
                    set_at(planned, &at, Value::Unknown);
                } else {
                    unknown_unless_set(planned, &at, &settings);
                }
            }
        }
    }
    let st = AttributePath::new("storage");
    if !request.config.get("storage").is_null() {
        unknown_unless_set(planned, &st, &names(schema_data::storage_attributes(false)));
        if request
            .config
            .at(&st.attr("lifecycle"))
            .is_some_and(|v| !v.is_null())
        {
            let attrs = [
                "noncurrent_version_expiration_days",
                "transition_to_ia_days",
                "abort_incomplete_multipart_upload_days",
            ]
            .map(String::from);
            unknown_unless_set(planned, &st.attr("lifecycle"), &attrs);
        }
    }
}

/// The plan of a configuration with values known only after apply (or a
/// provider configuration not known yet): the proposal, with every value
/// the provider computes unknown. The real plan happens at apply.
fn unknown_plan(request: &PlanRequest, diagnostics: Diagnostics) -> PlanResponse {
    let net = tfplugin::AttributePath::new("network");
    let mut planned = request.proposed_new_state.clone();
    for attr in plan::COMPUTED_NETWORK_ATTRIBUTES {
        set_at(&mut planned, &net.attr(attr), Value::Unknown);
    }
    for attr in plan::COMPUTED_STACK_ATTRIBUTES {
        set_at(&mut planned, &AttributePath::new(attr), Value::Unknown);
    }
    set_at(
        &mut planned,
        &AttributePath::new("drift"),
        Value::List(Vec::new()),
    );
    if !request.config.get("cluster").is_null() {
        let cluster = AttributePath::new("cluster");
        for attr in plan::COMPUTED_CLUSTER_ATTRIBUTES.iter().chain(&["name"]) {
            set_at(&mut planned, &cluster.attr(attr), Value::Unknown);
        }
        for attr in [
            "endpoint_private_access",
            "endpoint_public_access",
            "public_access_cidrs",
            "log_types",
            "admins",
            "addons",
            "node_groups",
        ] {
            let path = cluster.attr(attr);
            if request.config.at(&path).is_none_or(Value::is_null) {
                set_at(&mut planned, &path, Value::Unknown);
            }
        }
        let nested = |planned: &mut Value, map: &str, attrs: &[&str]| {
            let path = cluster.attr(map);
            if let Some(Value::Map(items)) = request.config.at(&path) {
                for (key, item) in items {
                    for attr in attrs {
                        if item.get(attr).is_null() {
                            set_at(planned, &path.key(key).attr(attr), Value::Unknown);
                        }
                    }
                }
            }
        };
        nested(&mut planned, "addons", &["version"]);
        nested(
            &mut planned,
            "node_groups",
            &[
                "instance_types",
                "capacity_type",
                "ami_type",
                "disk_size",
                "desired_size",
                "labels",
                "taints",
                "max_unavailable_percentage",
                "autoscaler_owns_desired_size",
                "name",
                "arn",
                "status",
            ],
        );
        set_at(
            &mut planned,
            &AttributePath::new("kubeconfig"),
            Value::Unknown,
        );
    }
    unknown_data_plan(request, &mut planned);
    for attr in [
        "availability_zones",
        "nat_gateways",
        "public_subnet_cidrs",
        "private_subnet_cidrs",
    ] {
        let path = net.attr(attr);
        if request.config.at(&path).is_none_or(Value::is_null) {
            set_at(&mut planned, &path, Value::Unknown);
        }
    }
    set_at(
        &mut planned,
        &tfplugin::AttributePath::new("id"),
        request.config.get("name").clone(),
    );
    PlanResponse {
        planned_state: planned,
        diagnostics,
        ..Default::default()
    }
}

/// The `todo_cloud_stack` data source.
pub struct StackDataSource {
    stacks: Stacks,
}

impl StackDataSource {
    /// The data source over `stacks`.
    pub fn new(stacks: Stacks) -> StackDataSource {
        StackDataSource { stacks }
    }
}

#[async_trait]
impl tfplugin::DataSource for StackDataSource {
    fn type_name(&self) -> &str {
        "todo_cloud_stack"
    }

    fn schema(&self) -> Schema {
        stack_data_source_schema()
    }

    async fn read(&self, ctx: &Context, request: DataReadRequest) -> DataReadResponse {
        let Some(name) = request.config.get("name").as_str().map(str::to_string) else {
            return DataReadResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error("Missing stack name", "Set `name`.")
                    .at(tfplugin::AttributePath::new("name"))
                    .into(),
            };
        };
        let state = match self.stacks.import(ctx, &name).await {
            Ok(s) => s,
            Err(e) => {
                return DataReadResponse {
                    state: Value::Null,
                    diagnostics: e.at(tfplugin::AttributePath::new("name")).into(),
                };
            }
        };
        let json = serde_json::json!({
            "id": state.id,
            "name": state.name,
            "tags": state.tags,
            "network": state.network,
            "region": state.region,
            "stack_id": state.stack_id,
            "kms_key_arn": state.kms_key_arn,
            "cluster": state.cluster,
            "database": state.database,
            "storage": state.storage,
            "monitoring": state.monitoring,
        });
        match tfplugin::value::from_json(
            &json,
            &stack_data_source_schema().value_type(),
            &tfplugin::AttributePath::root(),
            false,
        ) {
            Ok(v) => DataReadResponse {
                state: v,
                diagnostics: Diagnostics::new(),
            },
            Err(e) => DataReadResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error("Invalid data source state", e.to_string()).into(),
            },
        }
    }
}
