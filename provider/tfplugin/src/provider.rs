//! The traits a provider implements. They speak in decoded [`Value`]s and
//! [`Diagnostics`]; the wire (protobuf, msgpack) stays in this crate.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::diag::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::schema::Schema;
use crate::value::{Value, from_json};

/// What Terraform says it can handle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// Terraform accepts deferred responses.
    pub deferral_allowed: bool,
    /// Terraform understands write-only attributes.
    pub write_only_attributes_allowed: bool,
}

/// Why a change is deferred to a later plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeferredReason {
    /// The resource configuration holds unknown values.
    ResourceConfigUnknown,
    /// The provider configuration holds unknown values.
    ProviderConfigUnknown,
    /// A prerequisite is missing.
    AbsentPrerequisite,
}

/// What every resource call can observe besides its request.
#[derive(Debug, Clone)]
pub struct Context {
    /// Cancelled when Terraform calls `StopProvider` (Ctrl-C) or the plugin
    /// shuts down: long operations should stop at the next safe point.
    pub stop: CancellationToken,
}

/// `ConfigureProvider`.
#[derive(Debug, Clone)]
pub struct ConfigureRequest {
    /// The Terraform CLI version.
    pub terraform_version: String,
    /// The provider configuration (may hold unknown values during plan).
    pub config: Value,
    /// What Terraform can handle.
    pub client: ClientCapabilities,
}

/// `UpgradeResourceState`: the raw stored state of some schema version.
#[derive(Debug, Clone)]
pub struct UpgradeRequest {
    /// The schema version the state was written with.
    pub version: i64,
    /// The state as JSON, if stored as JSON.
    pub json: Option<serde_json::Value>,
    /// The state in the legacy flatmap form, if stored that way.
    pub flatmap: Option<std::collections::BTreeMap<String, String>>,
}

/// `ReadResource`.
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// The state as last saved.
    pub current_state: Value,
    /// The private state saved with it.
    pub private: Vec<u8>,
    /// What Terraform can handle.
    pub client: ClientCapabilities,
}

/// The answer to `ReadResource`. A null `new_state` means the object is gone.
#[derive(Debug, Clone, Default)]
pub struct ReadResponse {
    /// The refreshed state.
    pub new_state: Value,
    /// Private state to save.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// `PlanResourceChange`.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The prior state (null when creating).
    pub prior_state: Value,
    /// Terraform's proposal: config merged with prior computed values
    /// (null when destroying).
    pub proposed_new_state: Value,
    /// The configuration (null when destroying).
    pub config: Value,
    /// Private state from the last apply or read.
    pub prior_private: Vec<u8>,
    /// What Terraform can handle.
    pub client: ClientCapabilities,
}

/// The answer to `PlanResourceChange`.
#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    /// The planned new state; unknown where apply decides.
    pub planned_state: Value,
    /// Attributes whose change replaces the whole resource.
    pub requires_replace: Vec<AttributePath>,
    /// Private state handed to apply.
    pub planned_private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
    /// Set to defer the change to a later plan.
    pub deferred: Option<DeferredReason>,
}

/// `ApplyResourceChange`.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// The prior state (null when creating).
    pub prior_state: Value,
    /// The state planned (null when destroying).
    pub planned_state: Value,
    /// The configuration (null when destroying).
    pub config: Value,
    /// Private state from plan.
    pub planned_private: Vec<u8>,
}

/// The answer to `ApplyResourceChange`.
#[derive(Debug, Clone, Default)]
pub struct ApplyResponse {
    /// The new state: what exists now, also when errors are returned.
    pub new_state: Value,
    /// Private state to save.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// One object produced by `ImportResourceState`.
#[derive(Debug, Clone)]
pub struct ImportedResource {
    /// The resource type.
    pub type_name: String,
    /// Its state.
    pub state: Value,
    /// Its private state.
    pub private: Vec<u8>,
}

/// The answer to `ImportResourceState`.
#[derive(Debug, Clone, Default)]
pub struct ImportResponse {
    /// The imported objects.
    pub imported: Vec<ImportedResource>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// `ReadDataSource`.
#[derive(Debug, Clone)]
pub struct DataReadRequest {
    /// The data source configuration.
    pub config: Value,
    /// What Terraform can handle.
    pub client: ClientCapabilities,
}

/// The answer to `ReadDataSource`.
#[derive(Debug, Clone, Default)]
pub struct DataReadResponse {
    /// The data read.
    pub state: Value,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// A provider: its configuration, its resources and data sources.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider configuration schema.
    fn schema(&self) -> Schema;

    /// The managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// The data source types.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Checks a provider configuration without side effects.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider (credentials, clients).
    async fn configure(&self, ctx: &Context, request: ConfigureRequest) -> Diagnostics;
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The resource type name, e.g. `todo_cloud_stack`.
    fn type_name(&self) -> &str;

    /// The resource schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration without side effects.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Upgrades stored state to the current schema. The default accepts
    /// JSON state of the current version and refuses anything else.
    async fn upgrade_state(&self, request: UpgradeRequest) -> Result<Value, Diagnostics> {
        let schema = self.schema();
        default_upgrade(self.type_name(), &schema, request)
    }

    /// Refreshes state from the real world.
    async fn read(&self, ctx: &Context, request: ReadRequest) -> ReadResponse;

    /// Plans a create, update or destroy.
    async fn plan(&self, ctx: &Context, request: PlanRequest) -> PlanResponse;

    /// Applies a planned change.
    async fn apply(&self, ctx: &Context, request: ApplyRequest) -> ApplyResponse;

    /// Imports an existing object by id.
    async fn import(&self, _ctx: &Context, _id: String) -> ImportResponse {
        ImportResponse {
            imported: Vec::new(),
            diagnostics: Diagnostic::error(
                format!("{} does not support import", self.type_name()),
                "This resource type cannot be imported.",
            )
            .into(),
        }
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The data source type name.
    fn type_name(&self) -> &str;

    /// The data source schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration without side effects.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data.
    async fn read(&self, ctx: &Context, request: DataReadRequest) -> DataReadResponse;
}

/// The default state upgrade: JSON state of the current schema version is
/// decoded as is (attributes the schema dropped are ignored); any other
/// version or the flatmap form is refused with a clear diagnostic.
pub fn default_upgrade(
    type_name: &str,
    schema: &Schema,
    request: UpgradeRequest,
) -> Result<Value, Diagnostics> {
    if request.version > schema.version {
        return Err(Diagnostic::error(
            format!("State of {type_name} was written by a newer provider"),
            format!(
                "The state has schema version {}, this provider knows up to {}. Upgrade the provider.",
                request.version, schema.version
            ),
        )
        .into());
    }
    if request.version < schema.version {
        return Err(Diagnostic::error(
            format!(
                "No upgrade path for {type_name} state version {}",
                request.version
            ),
            format!(
                "This provider cannot upgrade state from schema version {}.",
                request.version
            ),
        )
        .into());
    }
    let Some(json) = request.json else {
        return Err(Diagnostic::error(
            format!("Unsupported legacy state format for {type_name}"),
            "The state is in the flatmap format of Terraform 0.11 and earlier, which this provider does not read.",
        )
        .into());
    };
    from_json(&json, &schema.value_type(), &AttributePath::root(), true).map_err(|e| {
        Diagnostic::error(
            format!("Invalid stored state for {type_name}"),
            e.to_string(),
        )
        .into()
    })
}
