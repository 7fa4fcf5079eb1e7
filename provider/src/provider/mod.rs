//! The `todo` provider: configuration schema, validation, and configure.

pub mod schema;
pub mod validate;

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tfplugin::{
    AttributePath, ConfigureRequest, Context, DataSource, Diagnostic, Diagnostics, Resource,
    Schema, Value, from_value,
};

use crate::cloud::aws::AwsClients;
use crate::cloud::aws::config::{ConfigureError, build_clients, caller_identity};
use crate::identity::CallerIdentityDataSource;
use crate::reconcile::Polling;
use crate::stack::{CloudSource, StackDataSource, StackResource, Stacks};
use schema::{ProviderConfig, provider_schema};
use validate::validate_provider_config;

/// What resources see of the provider's configuration.
#[derive(Debug, Clone)]
pub enum Configured {
    /// `ConfigureProvider` has not run.
    NotYet,
    /// The configuration held values unknown until apply (e.g. a region from
    /// another resource): plans must leave provider-derived values unknown.
    Unknown,
    /// Ready to call AWS.
    Ready(Arc<AwsClients>),
}

/// Shared between the provider and its resources.
#[derive(Debug)]
pub struct ProviderState {
    configured: RwLock<Configured>,
}

impl ProviderState {
    /// The current configuration state.
    pub fn configured(&self) -> Configured {
        self.configured
            .read()
            .map(|c| c.clone())
            .unwrap_or(Configured::NotYet)
    }

    /// The AWS clients, or an error diagnostic saying why there are none.
    pub fn clients(&self) -> Result<Arc<AwsClients>, Diagnostic> {
        match self.configured() {
            Configured::Ready(clients) => Ok(clients),
            Configured::Unknown => Err(Diagnostic::error(
                "Provider configuration is not known yet",
                "Some provider settings depend on values known only after apply. Apply the resources they \
                 depend on first (for example with -target), then run again.",
            )),
            Configured::NotYet => Err(Diagnostic::error(
                "Provider is not configured",
                "Terraform did not configure the provider before using it. This is a bug in Terraform or the provider.",
            )),
        }
    }

    fn set(&self, configured: Configured) {
        if let Ok(mut slot) = self.configured.write() {
            *slot = configured;
        }
    }
}

/// The `todo` provider.
pub struct TodoProvider {
    state: Arc<ProviderState>,
}

impl Default for TodoProvider {
    fn default() -> Self {
        TodoProvider::new()
    }
}

impl TodoProvider {
    /// A provider awaiting configuration.
    pub fn new() -> TodoProvider {
        TodoProvider {
            state: Arc::new(ProviderState {
                configured: RwLock::new(Configured::NotYet),
            }),
        }
    }

    /// The state shared with resources.
    pub fn state(&self) -> Arc<ProviderState> {
        self.state.clone()
    }

    fn stacks(&self) -> Stacks {
        Stacks::new(CloudSource::Provider(self.state()), Polling::default())
    }
}

fn configure_error(err: ConfigureError) -> Diagnostic {
    let (summary, detail) = match &err {
        ConfigureError::NoRegion => (
            "No AWS region configured".to_string(),
            "Set `region` in the provider block, or AWS_REGION in the environment, or a region in the selected profile."
                .to_string(),
        ),
        ConfigureError::Unreachable { endpoint, setting, cause } => (
            format!("Cannot reach AWS STS at {endpoint}"),
            format!(
                "Checking the credentials (STS GetCallerIdentity) failed because the endpoint {endpoint} (from `{setting}`) \
                 did not answer: {cause}\n\nCheck the URL and that the service is running, or set \
                 skip_credentials_validation = true to skip this check."
            ),
        ),
        ConfigureError::Rejected { code, message } => (
            format!("AWS rejected the provider credentials ({code})"),
            format!(
                "STS GetCallerIdentity answered: {message}\n\nCheck access_key/secret_key, profile, or the AWS_* \
                 environment variables."
            ),
        ),
        ConfigureError::NoCredentials { cause } => (
            "No AWS credentials found".to_string(),
            format!(
                "None of the credential sources gave credentials: static access_key/secret_key, AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, the profile in the shared config and credentials files, SSO, web identity, \
                 or instance metadata.\n\nDetails: {cause}"
            ),
        ),
        ConfigureError::Check { cause } => (
            "Checking the AWS credentials failed".to_string(),
            format!("STS GetCallerIdentity failed: {cause}"),
        ),
    };
    let d = Diagnostic::error(summary, detail);
    match err.attribute() {
        Some(attr) => {
            let mut path = AttributePath::root();
            for part in attr.split('.') {
                path = path.attr(part);
            }
            d.at(path)
        }
        None => d,
    }
}

#[async_trait]
impl tfplugin::Provider for TodoProvider {
    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(StackResource::new(self.stacks()))]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(CallerIdentityDataSource::new(self.state())),
            Arc::new(StackDataSource::new(self.stacks())),
        ]
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_provider_config(config)
    }

    async fn configure(&self, _ctx: &Context, request: ConfigureRequest) -> Diagnostics {
        tracing::debug!(terraform_version = %request.terraform_version, "configuring provider");
        let mut d = validate_provider_config(&request.config);
        if d.has_errors() {
            return d;
        }
        if !request.config.is_wholly_known() {
            let unknown: Vec<String> = request
                .config
                .unknown_paths()
                .iter()
                .map(|p| p.to_string())
                .collect();
            tracing::info!(unknown = ?unknown, "provider configuration has unknown values; deferring AWS setup");
            self.state.set(Configured::Unknown);
            return d;
        }
        let config: ProviderConfig = match from_value(&request.config) {
            Ok(c) => c,
            Err(e) => {
                d.push(Diagnostic::error(
                    "Invalid provider configuration",
                    e.to_string(),
                ));
                return d;
            }
        };
        let mut clients = match build_clients(&config).await {
            Ok(c) => c,
            Err(e) => {
                d.push(configure_error(e));
                return d;
            }
        };
        let skip_validation = config.skip_credentials_validation.unwrap_or(false);
        let skip_account = config.skip_requesting_account_id.unwrap_or(false);
        if !skip_validation || !skip_account {
            match caller_identity(&clients, &config).await {
                Ok((account, arn, _)) => {
                    tracing::info!(account = %account, arn = %arn, region = %clients.region, "credentials checked");
                    clients.account_id = Some(account);
                }
                Err(e) if skip_validation => {
                    d.push(Diagnostic::warning(
                        "Could not look up the AWS account id",
                        format!(
                            "{e}. Set skip_requesting_account_id = true to silence this warning."
                        ),
                    ));
                }
                Err(e) => {
                    d.push(configure_error(e));
                    return d;
                }
            }
        }
        self.state.set(Configured::Ready(Arc::new(clients)));
        d
    }
}
