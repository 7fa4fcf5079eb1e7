//! Data source `todo_caller_identity`: who the provider is acting as.

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    Attribute, Block, Context, DataReadRequest, DataReadResponse, Diagnostic, Schema, Value,
};

use crate::cloud::aws::config::caller_identity;
use crate::provider::ProviderState;
use crate::provider::schema::ProviderConfig;

/// Reads the caller identity through STS GetCallerIdentity.
pub struct CallerIdentityDataSource {
    state: Arc<ProviderState>,
}

impl CallerIdentityDataSource {
    /// A data source bound to the provider's configuration.
    pub fn new(state: Arc<ProviderState>) -> CallerIdentityDataSource {
        CallerIdentityDataSource { state }
    }
}

#[async_trait]
impl tfplugin::DataSource for CallerIdentityDataSource {
    fn type_name(&self) -> &str {
        "todo_caller_identity"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "The AWS account, identity and region the provider acts as (STS GetCallerIdentity).",
            )
            .attribute(Attribute::string("id").computed().description("The account id."))
            .attribute(Attribute::string("account_id").computed().description("The AWS account id."))
            .attribute(Attribute::string("arn").computed().description("ARN of the calling identity."))
            .attribute(Attribute::string("user_id").computed().description("Unique id of the calling identity."))
            .attribute(Attribute::string("region").computed().description("The region the provider is configured for.")),
        )
    }

    async fn read(&self, _ctx: &Context, _request: DataReadRequest) -> DataReadResponse {
        let clients = match self.state.clients() {
            Ok(c) => c,
            Err(d) => {
                return DataReadResponse {
                    state: Value::Null,
                    diagnostics: d.into(),
                };
            }
        };
        let config = ProviderConfig {
            endpoints: Some(
                clients
                    .endpoints
                    .iter()
                    .map(|(k, v)| (k.clone(), Some(v.clone())))
                    .collect(),
            ),
            ..ProviderConfig::default()
        };
        match caller_identity(&clients, &config).await {
            Ok((account, arn, user_id)) => DataReadResponse {
                state: Value::Object(
                    [
                        ("id", account.clone()),
                        ("account_id", account),
                        ("arn", arn),
                        ("user_id", user_id),
                        ("region", clients.region.clone()),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), Value::String(v)))
                    .collect(),
                ),
                diagnostics: Default::default(),
            },
            Err(e) => DataReadResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error("Reading the caller identity failed", e.to_string())
                    .into(),
            },
        }
    }
}
