//! Builds [`AwsClients`] from the provider configuration through aws-config's
//! standard chain, and checks the credentials with STS GetCallerIdentity.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_types::region::Region;

use super::AwsClients;
use crate::provider::schema::{ENDPOINT_SERVICES, ProviderConfig};
use crate::provider::validate::parse_session_duration;

/// Default number of retries of a throttled or failed call (as
/// terraform-provider-aws: AWS throttles large accounts often).
pub const DEFAULT_MAX_RETRIES: u32 = 25;
/// How long a TCP connect to an AWS endpoint may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One HTTP attempt of any AWS call may take this long (no API call of the
/// stack's services takes more than a few seconds; waits are polls).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// One AWS call, retries included, may take this long.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(180);
/// How long the configure-time credential check may take in all.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the provider could not be configured. Each variant names the setting
/// the user should look at.
#[derive(Debug, thiserror::Error)]
pub enum ConfigureError {
    /// No region anywhere in the chain.
    #[error("no AWS region is configured")]
    NoRegion,
    /// The credential check could not reach STS.
    #[error("could not reach the STS endpoint {endpoint} ({setting}): {cause}")]
    Unreachable {
        /// The endpoint tried.
        endpoint: String,
        /// The setting it came from.
        setting: String,
        /// What failed.
        cause: String,
    },
    /// STS answered, and refused the credentials.
    #[error("AWS rejected the credentials ({code}): {message}")]
    Rejected {
        /// The AWS error code.
        code: String,
        /// The AWS error message.
        message: String,
    },
    /// No credentials were found anywhere in the chain.
    #[error("no AWS credentials found: {cause}")]
    NoCredentials {
        /// The SDK's explanation.
        cause: String,
    },
    /// Any other failure of the check.
    #[error("checking the credentials with STS GetCallerIdentity failed: {cause}")]
    Check {
        /// What failed.
        cause: String,
    },
}

impl ConfigureError {
    /// The provider attribute the error is about, if one.
    pub fn attribute(&self) -> Option<String> {
        match self {
            ConfigureError::NoRegion => Some("region".into()),
            ConfigureError::Unreachable { setting, .. } if setting != "default endpoint" => {
                Some(setting.clone())
            }
            _ => None,
        }
    }
}

/// Builds the SDK configuration. No network call is made here except what
/// the credential chain itself needs (profiles, SSO, IMDS) when first used.
pub async fn build_clients(config: &ProviderConfig) -> Result<AwsClients, ConfigureError> {
    let max_retries = config
        .max_retries
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(DEFAULT_MAX_RETRIES);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(max_retries + 1))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if config.shared_config_files.is_some() || config.shared_credentials_files.is_some() {
        let mut files = EnvConfigFiles::builder();
        match &config.shared_config_files {
            Some(paths) => {
                for p in paths {
                    files = files.with_file(EnvConfigFileKind::Config, p);
                }
            }
            None => files = files.include_default_config_file(true),
        }
        match &config.shared_credentials_files {
            Some(paths) => {
                for p in paths {
                    files = files.with_file(EnvConfigFileKind::Credentials, p);
                }
            }
            None => files = files.include_default_credentials_file(true),
        }
        loader = loader.profile_files(files.build());
    }
    if let (Some(access_key), Some(secret_key)) = (&config.access_key, &config.secret_key) {
        loader = loader.credentials_provider(Credentials::new(
            access_key,
            secret_key,
            config.token.clone(),
            None,
            "provider-config",
        ));
    }
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut sdk = loader.load().await;
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return Err(ConfigureError::NoRegion);
    };

    let mut endpoints = BTreeMap::new();
    for service in ENDPOINT_SERVICES {
        if let Some((url, _)) = config.endpoint_for(service) {
            endpoints.insert(service.to_string(), url);
        }
    }

    if let Some(role) = &config.assume_role
        && let Some(arn) = &role.role_arn
    {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(arn.clone()).session_name(
            role.session_name
                .clone()
                .unwrap_or_else(|| "terraform-provider-todo".into()),
        );
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id.clone());
        }
        if let Some(text) = &role.duration
            && let Ok(d) = parse_session_duration(text)
        {
            builder = builder.session_length(d);
        }
        // The role is assumed through STS at the sts endpoint override.
        let mut base = sdk.to_builder();
        if let Some(url) = endpoints.get("sts") {
            base = base.endpoint_url(url);
        }
        let provider = builder.configure(&base.build()).build().await;
        sdk = sdk
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
    }

    if let Some(inner) = sdk.credentials_provider() {
        sdk = sdk
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(Redacting(inner)),
            )
            .build();
    }

    Ok(AwsClients {
        sdk,
        region,
        account_id: None,
        endpoints,
        default_tags: config.default_tags(),
        s3_use_path_style: config.s3_use_path_style.unwrap_or(false),
        calls: super::CallCounter::default(),
        stack_tags: super::StackTags::default(),
        gate: super::Gate::default(),
    })
}

/// Calls STS GetCallerIdentity with a bounded time (a couple of attempts,
/// a 10 s connect timeout, 30 s in all) and returns (account, arn, user id).
pub async fn caller_identity(
    clients: &AwsClients,
    config: &ProviderConfig,
) -> Result<(String, String, String), ConfigureError> {
    // Counted and logged like every other call (the IAM policy check reads
    // the log), with its own short retry and timeout bounds.
    let mut builder = aws_sdk_sts::config::Builder::from(&clients.sdk)
        .interceptor(clients.calls.clone())
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_timeout(CHECK_TIMEOUT)
                .build(),
        );
    if let Some(url) = clients.endpoint("sts") {
        builder = builder.endpoint_url(url);
    }
    let sts = aws_sdk_sts::Client::from_conf(builder.build());
    match sts.get_caller_identity().send().await {
        Ok(out) => Ok((
            out.account().unwrap_or_default().to_string(),
            out.arn().unwrap_or_default().to_string(),
            out.user_id().unwrap_or_default().to_string(),
        )),
        Err(err) => Err(classify_sts_error(err, clients, config)),
    }
}

fn classify_sts_error<E, R>(
    err: SdkError<E, R>,
    clients: &AwsClients,
    config: &ProviderConfig,
) -> ConfigureError
where
    E: std::error::Error
        + aws_smithy_types::error::metadata::ProvideErrorMetadata
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug,
{
    let (endpoint, setting) = config.endpoint_for("sts").unwrap_or_else(|| {
        (
            format!("https://sts.{}.amazonaws.com", clients.region),
            "default endpoint".into(),
        )
    });
    let cause = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            ConfigureError::Rejected {
                code: e.code().unwrap_or("unknown").to_string(),
                message: e.message().unwrap_or("no message").to_string(),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_)
            if !cause.contains("credentials") =>
        {
            ConfigureError::Unreachable {
                endpoint,
                setting,
                cause: short_cause(&cause),
            }
        }
        _ if cause.contains("credentials") => ConfigureError::NoCredentials {
            cause: short_cause(&cause),
        },
        _ => ConfigureError::Check {
            cause: short_cause(&cause),
        },
    }
}

/// The SDK's error chain, without repeated context words.
fn short_cause(cause: &str) -> String {
    cause.replace("\n", " ").trim().to_string()
}

/// A credentials provider that registers every credential it hands out
/// (from the environment, profiles, SSO, assumed roles, refreshes included)
/// with the log redaction, so no log line shows them: the SDK's debug and
/// signing output names the access key id and the session token.
#[derive(Debug)]
struct Redacting(aws_credential_types::provider::SharedCredentialsProvider);

impl aws_credential_types::provider::ProvideCredentials for Redacting {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let creds = self.0.provide_credentials().await?;
            tfplugin::logging::redact(creds.access_key_id());
            tfplugin::logging::redact(creds.secret_access_key());
            if let Some(token) = creds.session_token() {
                tfplugin::logging::redact(token);
            }
            Ok(creds)
        })
    }
}
