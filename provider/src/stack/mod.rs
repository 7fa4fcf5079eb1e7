//! The `todo_cloud_stack` resource and data source.

pub mod cidr;
pub mod components;
pub mod engine;
pub mod model;
pub mod plan;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    ApplyRequest, ApplyResponse, Context, DataReadRequest, DataReadResponse, Diagnostic,
    Diagnostics, ImportResponse, ImportedResource, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Schema, Value, from_value, to_value,
};
use tokio::time::Instant;

use crate::cloud::{NetworkApi, NetworkSnapshot, TAG_COMPONENT, TAG_STACK, Tags};
use crate::provider::ProviderState;
use components::network::{
    DesiredNetwork, NetworkApply, Polling, apply_network, destroy_network, ids_from_snapshot,
    refreshed_ids,
};
use engine::StepFailure;
use model::{NatMode, NetworkState, Operation, StackState};
use plan::{plan_stack, set_at, with_defaults};
use schema::{stack_data_source_schema, stack_schema};
use validate::validate_stack_config;

/// Where the resource gets its cloud from.
#[derive(Clone)]
pub enum CloudSource {
    /// The configured provider (real AWS).
    Provider(Arc<ProviderState>),
    /// A fixed cloud (the simulator in tests) and default tags.
    Fixed {
        /// The network API.
        network: Arc<dyn NetworkApi>,
        /// Provider default tags.
        default_tags: Tags,
    },
}

impl CloudSource {
    fn network(&self) -> Result<(Arc<dyn NetworkApi>, Tags), Diagnostic> {
        match self {
            CloudSource::Provider(state) => {
                let clients = state.clients()?;
                Ok((Arc::new(clients.network()), clients.default_tags.clone()))
            }
            CloudSource::Fixed {
                network,
                default_tags,
            } => Ok((network.clone(), default_tags.clone())),
        }
    }
}

/// The operations of a stack, shared by the resource and the data source.
#[derive(Clone)]
pub struct Stacks {
    cloud: CloudSource,
    polling: Polling,
}

fn failures_detail(failures: &[StepFailure]) -> String {
    failures
        .iter()
        .map(|f| format!("- {}: {}", f.what, f.error))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Stacks {
    /// Stacks on `cloud`, polling NAT gateways at `polling`.
    pub fn new(cloud: CloudSource, polling: Polling) -> Stacks {
        Stacks { cloud, polling }
    }

    /// Creates or updates the stack to `desired` (defaults filled in).
    /// Returns the new state (partial on failure) and diagnostics.
    pub async fn apply(
        &self,
        ctx: &Context,
        prior: Option<&StackState>,
        desired: &StackState,
    ) -> (StackState, Diagnostics) {
        let mut d = Diagnostics::new();
        let op = if prior.is_some() {
            Operation::Update
        } else {
            Operation::Create
        };
        let (cloud, default_tags) = match self.cloud.network() {
            Ok(c) => c,
            Err(e) => {
                d.push(e);
                return (prior.cloned().unwrap_or_default(), d);
            }
        };
        let mut base_tags = default_tags;
        base_tags.extend(desired.tags.clone().unwrap_or_default());
        let deadline = Instant::now() + desired.timeout(op);
        let (ids, failures) = apply_network(NetworkApply {
            cloud,
            stack: desired.name.clone(),
            base_tags,
            desired: DesiredNetwork::from_state(&desired.network),
            prior: prior.map(|p| p.network.clone()),
            polling: self.polling,
            deadline,
            stop: ctx.stop.clone(),
        })
        .await;
        let mut state = desired.clone();
        ids.fill(&mut state.network);
        if !failures.is_empty() {
            let first = &failures[0];
            let guidance = match op {
                Operation::Create => {
                    "Everything created so far is recorded in the state, and Terraform marks the resource tainted.\n\
                     To continue from where this stopped, fix the cause, then run `terraform untaint <this resource's address>` \
                     and `terraform apply`: the provider adopts what exists and creates the rest.\n\
                     A plain `terraform apply` instead replaces the stack: it deletes what was created and starts over."
                }
                _ => {
                    "The state records what exists now. Fix the cause and run `terraform apply` again: it continues from here."
                }
            };
            d.push(Diagnostic::error(
                format!(
                    "{} stack {:?} failed: {}",
                    if op == Operation::Create {
                        "Creating"
                    } else {
                        "Updating"
                    },
                    desired.name,
                    first.what
                ),
                format!("{}\n\n{guidance}", failures_detail(&failures)),
            ));
        }
        (state, d)
    }

    /// Deletes every object of the stack named `name`.
    pub async fn destroy(&self, ctx: &Context, prior: &StackState) -> Diagnostics {
        let mut d = Diagnostics::new();
        let (cloud, _) = match self.cloud.network() {
            Ok(c) => c,
            Err(e) => {
                d.push(e);
                return d;
            }
        };
        let deadline = Instant::now() + prior.timeout(Operation::Delete);
        let failures =
            destroy_network(&cloud, &prior.name, self.polling, deadline, &ctx.stop).await;
        if !failures.is_empty() {
            d.push(Diagnostic::error(
                format!("Deleting stack {:?} left objects behind", prior.name),
                format!(
                    "These could not be removed (by id):\n{}\n\nThe stack stays in the state; run `terraform destroy` again once the cause is fixed.",
                    failures_detail(&failures)
                ),
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
        {
            return Ok(Some(p.network.availability_zones.clone()));
        }
        if let CloudSource::Provider(state) = &self.cloud
            && matches!(state.configured(), crate::provider::Configured::Unknown)
        {
            return Ok(None);
        }
        let (cloud, _) = self.cloud.network()?;
        let path = tfplugin::AttributePath::new("network").attr("availability_zone_count");
        let mut zones: Vec<String> = cloud
            .availability_zones()
            .await
            .map_err(|e| {
                Diagnostic::error(
                    "Listing the region's availability zones failed",
                    e.to_string(),
                )
                .at(path.clone())
            })?
            .into_iter()
            .filter(|z| cidr::zone_index(z).is_ok())
            .collect();
        zones.sort();
        let wanted = usize::try_from(count).unwrap_or_default();
        if zones.len() < wanted {
            return Err(Diagnostic::error(
                "Not enough availability zones",
                format!("The region offers {} usable availability zones ({}), fewer than availability_zone_count = {count}.", zones.len(), zones.join(", ")),
            )
            .at(path));
        }
        zones.truncate(wanted);
        Ok(Some(zones))
    }

    /// Refreshes `prior` from AWS; `None` when nothing of the stack exists.
    pub async fn read(&self, prior: &StackState) -> Result<Option<StackState>, Diagnostic> {
        let (cloud, _) = self.cloud.network()?;
        let snapshot = cloud.observe_network(&prior.name).await.map_err(|e| {
            Diagnostic::error(
                format!("Reading stack {:?} failed", prior.name),
                e.to_string(),
            )
        })?;
        if is_empty(&snapshot) {
            return Ok(None);
        }
        let desired = DesiredNetwork::from_state(&with_defaults(prior).network);
        let ids = refreshed_ids(&snapshot, &desired);
        let mut state = prior.clone();
        ids.fill(&mut state.network);
        Ok(Some(state))
    }

    /// Rebuilds a stack's whole state from AWS by name.
    pub async fn import(&self, name: &str) -> Result<StackState, Diagnostic> {
        let (cloud, default_tags) = self.cloud.network()?;
        let snapshot = cloud.observe_network(name).await.map_err(|e| {
            Diagnostic::error(format!("Reading stack {name:?} failed"), e.to_string())
        })?;
        let Some(vpc) = snapshot
            .vpcs
            .iter()
            .find(|v| v.tags.get(TAG_COMPONENT).map(String::as_str) == Some("vpc"))
        else {
            return Err(Diagnostic::error(
                format!("No stack named {name:?}"),
                format!("No VPC tagged {TAG_STACK} = {name:?} exists in this account and region."),
            ));
        };
        let mut public = BTreeMap::new();
        let mut private = BTreeMap::new();
        for s in &snapshot.subnets {
            match s.tags.get(TAG_COMPONENT).map(String::as_str) {
                Some(k) if k.starts_with("subnet-public-") => {
                    public.insert(s.availability_zone.clone(), s.cidr_block.clone());
                }
                Some(k) if k.starts_with("subnet-private-") => {
                    private.insert(s.availability_zone.clone(), s.cidr_block.clone());
                }
                _ => {}
            }
        }
        let zones: Vec<String> = public
            .keys()
            .chain(private.keys())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let ids = ids_from_snapshot(&snapshot);
        let nat = match ids.nats.len() {
            0 => NatMode::None,
            1 if zones.len() > 1 => NatMode::Single,
            _ => NatMode::OnePerAz,
        };
        let mut tags: BTreeMap<String, String> = vpc
            .tags
            .iter()
            .filter(|(k, v)| {
                !k.starts_with("todo:") && k.as_str() != "Name" && default_tags.get(*k) != Some(*v)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut state = StackState {
            id: Some(name.to_string()),
            name: name.to_string(),
            tags: if tags.is_empty() {
                None
            } else {
                Some(std::mem::take(&mut tags))
            },
            timeouts: None,
            network: NetworkState {
                cidr_block: vpc.cidr_block.clone(),
                availability_zones: zones,
                nat_gateways: Some(nat.as_str().to_string()),
                public_subnet_cidrs: Some(public),
                private_subnet_cidrs: Some(private),
                ..Default::default()
            },
        };
        let desired = DesiredNetwork::from_state(&state.network);
        refreshed_ids(&snapshot, &desired).fill(&mut state.network);
        Ok(state)
    }
}

fn is_empty(s: &NetworkSnapshot) -> bool {
    s.vpcs.is_empty()
        && s.subnets.is_empty()
        && s.internet_gateways.is_empty()
        && s.elastic_ips.is_empty()
        && s.nat_gateways.is_empty()
        && s.route_tables.is_empty()
        && s.security_groups.is_empty()
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

    async fn read(&self, _ctx: &Context, request: ReadRequest) -> ReadResponse {
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
        match self.stacks.read(&prior).await {
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
                ..Default::default()
            };
        }
        let mut d = validate_stack_config(&request.config);
        if d.has_errors() {
            return PlanResponse {
                planned_state: request.proposed_new_state,
                diagnostics: d,
                ..Default::default()
            };
        }
        if !request.config.is_wholly_known() {
            return unknown_plan(&request, d);
        }
        let config = match decode_state(&request.config, "configuration") {
            Ok(c) => c,
            Err(e) => {
                return PlanResponse {
                    planned_state: request.proposed_new_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        let prior = match decode_prior(&request.prior_state) {
            Ok(p) => p,
            Err(e) => {
                return PlanResponse {
                    planned_state: request.proposed_new_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        let mut config = config;
        if config.network.availability_zones.is_empty()
            && let Some(count) = config.network.availability_zone_count
        {
            match self.stacks.resolve_zones(prior.as_ref(), count).await {
                Ok(Some(zones)) => config.network.availability_zones = zones,
                Ok(None) => return unknown_plan(&request, d),
                Err(e) => {
                    d.push(e);
                    return PlanResponse {
                        planned_state: request.proposed_new_state,
                        diagnostics: d,
                        ..Default::default()
                    };
                }
            }
        }
        let planned = plan_stack(prior.as_ref(), &config);
        let mut value = match encode_state(&planned.state) {
            Ok(v) => v,
            Err(e) => {
                return PlanResponse {
                    planned_state: request.proposed_new_state,
                    diagnostics: e.into(),
                    ..Default::default()
                };
            }
        };
        for path in &planned.unknown {
            set_at(&mut value, path, Value::Unknown);
        }
        if !planned.replaced.is_empty() {
            d.push(Diagnostic::warning(
                format!("Stack {:?}: some parts will be replaced", config.name),
                format!(
                    "This change replaces (deletes, then creates) only these parts of the stack:\n{}",
                    planned.replaced.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n")
                ),
            ));
        }
        PlanResponse {
            planned_state: value,
            requires_replace: planned.requires_replace,
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
        let desired = with_defaults(&config);
        let (state, mut d) = self.stacks.apply(ctx, prior.as_ref(), &desired).await;
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

    async fn import(&self, _ctx: &Context, id: String) -> ImportResponse {
        if let Err(why) = validate::check_name(&id) {
            return ImportResponse {
                imported: vec![],
                diagnostics: Diagnostic::error("Invalid stack name to import", why).into(),
            };
        }
        match self.stacks.import(&id).await.and_then(|s| encode_state(&s)) {
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

/// The plan of a configuration with values known only after apply (or a
/// provider configuration not known yet): the proposal, with every value
/// the provider computes unknown. The real plan happens at apply.
fn unknown_plan(request: &PlanRequest, diagnostics: Diagnostics) -> PlanResponse {
    let net = tfplugin::AttributePath::new("network");
    let mut planned = request.proposed_new_state.clone();
    for attr in plan::COMPUTED_NETWORK_ATTRIBUTES {
        set_at(&mut planned, &net.attr(attr), Value::Unknown);
    }
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

    async fn read(&self, _ctx: &Context, request: DataReadRequest) -> DataReadResponse {
        let Some(name) = request.config.get("name").as_str().map(str::to_string) else {
            return DataReadResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error("Missing stack name", "Set `name`.")
                    .at(tfplugin::AttributePath::new("name"))
                    .into(),
            };
        };
        let state = match self.stacks.import(&name).await {
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
