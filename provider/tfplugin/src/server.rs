//! The `tfplugin6.Provider` gRPC service: decodes each request into values
//! of the right schema type, calls the [`Provider`], and encodes the answer.
//! Every failure becomes a diagnostic; nothing here panics or hangs.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use tonic::{Request, Response, Status};

use crate::diag::{Diagnostic, Diagnostics};
use crate::logging;
use crate::proto::tfplugin6 as pb;
use crate::provider::{
    ApplyRequest, ClientCapabilities, ConfigureRequest, Context, DataReadRequest, DataSource,
    DeferredReason, PlanRequest, Provider, ReadRequest, Resource, UpgradeRequest,
};
use crate::schema::Schema;
use crate::value::{Type, Value, decode_json, decode_msgpack, encode_msgpack};
use crate::wire;

/// Serves one [`Provider`] over the plugin protocol.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: HashMap<String, (Arc<dyn Resource>, Schema)>,
    data_sources: HashMap<String, (Arc<dyn DataSource>, Schema)>,
    ctx: Context,
}

impl ProviderService {
    /// Wraps `provider`; `ctx.stop` is cancelled by `StopProvider`.
    pub fn new(provider: Arc<dyn Provider>, ctx: Context) -> ProviderService {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name().to_string(), (r.clone(), r.schema())))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name().to_string(), (d.clone(), d.schema())))
            .collect();
        ProviderService {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            ctx,
        }
    }

    fn resource(&self, type_name: &str) -> Result<(&Arc<dyn Resource>, &Schema), Diagnostics> {
        self.resources
            .get(type_name)
            .map(|(r, s)| (r, s))
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Unknown resource type {type_name:?}"),
                    format!("This provider has no resource type named {type_name:?}."),
                )
                .into()
            })
    }

    fn data_source(&self, type_name: &str) -> Result<(&Arc<dyn DataSource>, &Schema), Diagnostics> {
        self.data_sources
            .get(type_name)
            .map(|(d, s)| (d, s))
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Unknown data source {type_name:?}"),
                    format!("This provider has no data source named {type_name:?}."),
                )
                .into()
            })
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
        }
    }
}

/// Decodes an optional DynamicValue of type `ty`; absent means null.
fn decode(value: Option<pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        decode_msgpack(&value.msgpack, ty)
    } else if !value.json.is_empty() {
        decode_json(&value.json, ty)
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            format!("Invalid {what} received from Terraform"),
            format!("The value could not be decoded: {e}. This is a bug in Terraform or in the provider's schema."),
        )
        .into()
    })
}

/// Encodes a value of type `ty`.
fn encode(value: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                format!("Provider produced an invalid {what}"),
                format!("The value could not be encoded: {e}. This is a bug in the provider."),
            )
            .into()
        })
}

fn capabilities(c: Option<pb::ClientCapabilities>) -> ClientCapabilities {
    let c = c.unwrap_or_default();
    ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    }
}

fn deferred(reason: Option<DeferredReason>) -> Option<pb::Deferred> {
    reason.map(|r| pb::Deferred {
        reason: match r {
            DeferredReason::ResourceConfigUnknown => pb::deferred::Reason::ResourceConfigUnknown,
            DeferredReason::ProviderConfigUnknown => pb::deferred::Reason::ProviderConfigUnknown,
            DeferredReason::AbsentPrerequisite => pb::deferred::Reason::AbsentPrereq,
        } as i32,
    })
}

/// Runs provider code, turning a panic into an error diagnostic without a
/// backtrace (the panic hook logs the details to the provider log).
async fn guarded<T>(
    rpc: &str,
    fut: impl std::future::Future<Output = T>,
) -> Result<T, Diagnostics> {
    AssertUnwindSafe(fut).catch_unwind().await.map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Diagnostic::error(
            format!("Internal error in the provider during {rpc}"),
            format!(
                "The provider hit a bug and stopped this operation: {message}. Please report it."
            ),
        )
        .into()
    })
}

fn diags(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    wire::diagnostics(d)
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|t| pb::get_metadata::DataSourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|t| pb::get_metadata::ResourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(wire::schema(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, (_, schema))| (name.clone(), wire::schema(schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, (_, schema))| (name.clone(), wire::schema(schema)))
                .collect(),
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(Self::server_capabilities()),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let config = decode(
                request.config,
                &self.provider_schema.value_type(),
                "provider configuration",
            )?;
            logging::redact_sensitive(&self.provider_schema.block, &config);
            guarded("ValidateProviderConfig", self.provider.validate(&config)).await
        }
        .await;
        let d = result.unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags(&d),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, schema) = self.resource(&request.type_name)?;
            let config = decode(
                request.config,
                &schema.value_type(),
                "resource configuration",
            )?;
            logging::redact_sensitive(&schema.block, &config);
            guarded("ValidateResourceConfig", resource.validate(&config)).await
        }
        .await;
        let d = result.unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags(&d),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (data_source, schema) = self.data_source(&request.type_name)?;
            let config = decode(
                request.config,
                &schema.value_type(),
                "data source configuration",
            )?;
            guarded("ValidateDataResourceConfig", data_source.validate(&config)).await
        }
        .await;
        let d = result.unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags(&d),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, schema) = self.resource(&request.type_name)?;
            let raw = request.raw_state.unwrap_or_default();
            let json = if raw.json.is_empty() {
                None
            } else {
                Some(
                    serde_json::from_slice::<serde_json::Value>(&raw.json).map_err(|e| {
                        Diagnostics::from(Diagnostic::error(
                            format!("Stored state of {} is not valid JSON", request.type_name),
                            e.to_string(),
                        ))
                    })?,
                )
            };
            let flatmap = if raw.flatmap.is_empty() || json.is_some() {
                None
            } else {
                Some(raw.flatmap.into_iter().collect())
            };
            let upgrade = UpgradeRequest {
                version: request.version,
                json,
                flatmap,
            };
            let value = guarded("UpgradeResourceState", resource.upgrade_state(upgrade)).await??;
            encode(&value, &schema.value_type(), "upgraded state")
        }
        .await;
        Ok(Response::new(match result {
            Ok(state) => pb::upgrade_resource_state::Response {
                upgraded_state: Some(state),
                diagnostics: Vec::new(),
            },
            Err(d) => pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diags(&d),
            },
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let config = decode(
                request.config,
                &self.provider_schema.value_type(),
                "provider configuration",
            )?;
            logging::redact_sensitive(&self.provider_schema.block, &config);
            let configure = ConfigureRequest {
                terraform_version: request.terraform_version,
                config,
                client: capabilities(request.client_capabilities),
            };
            guarded(
                "ConfigureProvider",
                self.provider.configure(&self.ctx, configure),
            )
            .await
        }
        .await;
        let d = result.unwrap_or_else(|d| d);
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags(&d),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, schema) = self.resource(&request.type_name)?;
            let ty = schema.value_type();
            let current_state = decode(request.current_state, &ty, "current state")?;
            let read = ReadRequest {
                current_state,
                private: request.private,
                client: capabilities(request.client_capabilities),
            };
            let response = guarded("ReadResource", resource.read(&self.ctx, read)).await?;
            let new_state = encode(&response.new_state, &ty, "refreshed state")?;
            Ok::<_, Diagnostics>(pb::read_resource::Response {
                new_state: Some(new_state),
                diagnostics: diags(&response.diagnostics),
                private: response.private,
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            pb::read_resource::Response {
                diagnostics: diags(&d),
                ..Default::default()
            }
        })))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, schema) = self.resource(&request.type_name)?;
            let ty = schema.value_type();
            let plan = PlanRequest {
                prior_state: decode(request.prior_state, &ty, "prior state")?,
                proposed_new_state: decode(request.proposed_new_state, &ty, "proposed new state")?,
                config: decode(request.config, &ty, "configuration")?,
                prior_private: request.prior_private,
                client: capabilities(request.client_capabilities),
            };
            logging::redact_sensitive(&schema.block, &plan.config);
            let response = guarded("PlanResourceChange", resource.plan(&self.ctx, plan)).await?;
            let planned_state = encode(&response.planned_state, &ty, "planned state")?;
            Ok::<_, Diagnostics>(pb::plan_resource_change::Response {
                planned_state: Some(planned_state),
                requires_replace: response.requires_replace.iter().map(wire::path).collect(),
                planned_private: response.planned_private,
                diagnostics: diags(&response.diagnostics),
                legacy_type_system: false,
                deferred: deferred(response.deferred),
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            pb::plan_resource_change::Response {
                diagnostics: diags(&d),
                ..Default::default()
            }
        })))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, schema) = self.resource(&request.type_name)?;
            let ty = schema.value_type();
            let apply = ApplyRequest {
                prior_state: decode(request.prior_state, &ty, "prior state")?,
                planned_state: decode(request.planned_state, &ty, "planned state")?,
                config: decode(request.config, &ty, "configuration")?,
                planned_private: request.planned_private,
            };
            logging::redact_sensitive(&schema.block, &apply.config);
            let response = guarded("ApplyResourceChange", resource.apply(&self.ctx, apply)).await?;
            let new_state = encode(&response.new_state, &ty, "new state")?;
            Ok::<_, Diagnostics>(pb::apply_resource_change::Response {
                new_state: Some(new_state),
                private: response.private,
                diagnostics: diags(&response.diagnostics),
                legacy_type_system: false,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            pb::apply_resource_change::Response {
                diagnostics: diags(&d),
                ..Default::default()
            }
        })))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (resource, _) = self.resource(&request.type_name)?;
            let response = guarded(
                "ImportResourceState",
                resource.import(&self.ctx, request.id),
            )
            .await?;
            let mut imported = Vec::new();
            for object in &response.imported {
                let (_, schema) = self.resource(&object.type_name)?;
                imported.push(pb::import_resource_state::ImportedResource {
                    type_name: object.type_name.clone(),
                    state: Some(encode(
                        &object.state,
                        &schema.value_type(),
                        "imported state",
                    )?),
                    private: object.private.clone(),
                });
            }
            Ok::<_, Diagnostics>(pb::import_resource_state::Response {
                imported_resources: imported,
                diagnostics: diags(&response.diagnostics),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            pb::import_resource_state::Response {
                diagnostics: diags(&d),
                ..Default::default()
            }
        })))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let request = request.into_inner();
        let d = Diagnostics::from(Diagnostic::error(
            "Moving resource state is not supported",
            format!(
                "The provider cannot move state from {} ({}) into {}. Remove the `moved` block and import the object instead.",
                request.source_type_name, request.source_provider_address, request.target_type_name
            ),
        ));
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: None,
            diagnostics: diags(&d),
            target_private: Vec::new(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let request = request.into_inner();
        let result = async {
            let (data_source, schema) = self.data_source(&request.type_name)?;
            let ty = schema.value_type();
            let read = DataReadRequest {
                config: decode(request.config, &ty, "data source configuration")?,
                client: capabilities(request.client_capabilities),
            };
            let response = guarded("ReadDataSource", data_source.read(&self.ctx, read)).await?;
            let state = if response.diagnostics.has_errors() && response.state.is_null() {
                None
            } else {
                Some(encode(&response.state, &ty, "data source state")?)
            };
            Ok::<_, Diagnostics>(pb::read_data_source::Response {
                state,
                diagnostics: diags(&response.diagnostics),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            pb::read_data_source::Response {
                diagnostics: diags(&d),
                ..Default::default()
            }
        })))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let d = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags(&d),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let d = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diags(&d),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let d = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diags(&d),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let d = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags(&d),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: HashMap::new(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let name = request.into_inner().name;
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("This provider defines no function named {name:?}."),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider received: cancelling in-flight operations");
        self.ctx.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn no_ephemeral(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown ephemeral resource type {type_name:?}"),
        "This provider defines no ephemeral resources.",
    )
    .into()
}
