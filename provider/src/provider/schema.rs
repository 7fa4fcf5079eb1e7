//! The provider configuration schema and its typed model.

use std::collections::BTreeMap;

use serde::Deserialize;
use tfplugin::schema::BlockNesting;
use tfplugin::{Attribute, Block, NestedBlock, Schema, Type};

/// The AWS services whose endpoint can be overridden one by one.
pub const ENDPOINT_SERVICES: [&str; 13] = [
    "ec2",
    "eks",
    "rds",
    "s3",
    "secretsmanager",
    "iam",
    "kms",
    "sts",
    "logs",
    "sns",
    "cloudwatch",
    "elbv2",
    "elb",
];

/// The `provider "todo"` schema.
pub fn provider_schema() -> Schema {
    let mut endpoints = Block::new(
        "Custom endpoint URLs, one per AWS service, e.g. for a local emulator. \
         A service set here wins over `endpoint_url`.",
    );
    for service in ENDPOINT_SERVICES {
        endpoints = endpoints.attribute(Attribute::string(service).description(format!(
            "Endpoint URL for the {service} API (`http://` or `https://`)."
        )));
    }
    Schema::new(
        Block::new(
            "The `todo` provider provisions the Todo application's production stack on AWS. \
             Credentials and region come from the standard AWS chain (environment, shared config \
             and credentials files, profiles, SSO, web identity, instance metadata) unless set here.",
        )
        .attribute(Attribute::string("region").description(
            "AWS region, e.g. `us-east-1`. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's region.",
        ))
        .attribute(Attribute::string("profile").description("Named profile from the shared config files."))
        .attribute(
            Attribute::new("shared_config_files", Type::list(Type::String))
                .description("Shared config files to read instead of `~/.aws/config`."),
        )
        .attribute(
            Attribute::new("shared_credentials_files", Type::list(Type::String))
                .description("Shared credentials files to read instead of `~/.aws/credentials`."),
        )
        .attribute(Attribute::string("access_key").sensitive().description(
            "Static access key id. Prefer the credential chain; if set, `secret_key` is required too.",
        ))
        .attribute(Attribute::string("secret_key").sensitive().description("Static secret access key."))
        .attribute(Attribute::string("token").sensitive().description("Session token for temporary static credentials."))
        .attribute(Attribute::string("endpoint_url").description(
            "One endpoint URL for every AWS service (LocalStack, moto). Per-service `endpoints` win over it.",
        ))
        .attribute(Attribute::bool("s3_use_path_style").description(
            "Address S3 buckets by path (`http://host/bucket`) rather than by virtual host. Needed by most emulators.",
        ))
        .attribute(Attribute::bool("skip_credentials_validation").description(
            "Skip the STS GetCallerIdentity call that checks the credentials at configure time.",
        ))
        .attribute(Attribute::bool("skip_requesting_account_id").description(
            "Do not look up the AWS account id (it is then unknown to the provider).",
        ))
        .attribute(Attribute::number("max_retries").description(
            "How many times a throttled or failed AWS call is retried (0..100). Default 25.",
        ))
        .block(NestedBlock::single(
            "assume_role",
            Block::new("Assume an IAM role with the base credentials before any AWS call.")
                .attribute(Attribute::string("role_arn").required().description("ARN of the role to assume."))
                .attribute(Attribute::string("session_name").description("Session name (2-64 characters). Default `terraform-provider-todo`."))
                .attribute(Attribute::string("external_id").description("External id required by the role's trust policy."))
                .attribute(Attribute::string("duration").description("Session duration, e.g. `1h` or `45m` (15m..12h). Default 1h.")),
        ))
        .block(NestedBlock::single("endpoints", endpoints))
        .block(NestedBlock {
            type_name: "default_tags".into(),
            nesting: BlockNesting::Single,
            min_items: 0,
            max_items: 0,
            block: Block::new("Tags added to every AWS object the provider creates; a resource's own tags win.")
                .attribute(
                    Attribute::new("tags", Type::map(Type::String))
                        .description("Key/value tags."),
                ),
        }),
    )
}

/// The provider configuration, decoded.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProviderConfig {
    /// `region`.
    pub region: Option<String>,
    /// `profile`.
    pub profile: Option<String>,
    /// `shared_config_files`.
    pub shared_config_files: Option<Vec<String>>,
    /// `shared_credentials_files`.
    pub shared_credentials_files: Option<Vec<String>>,
    /// `access_key`.
    pub access_key: Option<String>,
    /// `secret_key`.
    pub secret_key: Option<String>,
    /// `token`.
    pub token: Option<String>,
    /// `endpoint_url`.
    pub endpoint_url: Option<String>,
    /// `s3_use_path_style`.
    pub s3_use_path_style: Option<bool>,
    /// `skip_credentials_validation`.
    pub skip_credentials_validation: Option<bool>,
    /// `skip_requesting_account_id`.
    pub skip_requesting_account_id: Option<bool>,
    /// `max_retries`.
    pub max_retries: Option<i64>,
    /// `assume_role { ... }`.
    pub assume_role: Option<AssumeRoleConfig>,
    /// `endpoints { ... }`.
    pub endpoints: Option<BTreeMap<String, Option<String>>>,
    /// `default_tags { tags = ... }`.
    pub default_tags: Option<DefaultTagsConfig>,
}

/// `assume_role { ... }`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssumeRoleConfig {
    /// `role_arn`.
    pub role_arn: Option<String>,
    /// `session_name`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration`.
    pub duration: Option<String>,
}

/// `default_tags { ... }`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DefaultTagsConfig {
    /// `tags`.
    pub tags: Option<BTreeMap<String, String>>,
}

impl ProviderConfig {
    /// The endpoint for `service` and the setting it came from.
    pub fn endpoint_for(&self, service: &str) -> Option<(String, String)> {
        if let Some(url) = self
            .endpoints
            .as_ref()
            .and_then(|e| e.get(service).cloned().flatten())
        {
            return Some((url, format!("endpoints.{service}")));
        }
        self.endpoint_url
            .clone()
            .map(|url| (url, "endpoint_url".to_string()))
    }

    /// The default tags (empty when unset).
    pub fn default_tags(&self) -> BTreeMap<String, String> {
        self.default_tags
            .as_ref()
            .and_then(|d| d.tags.clone())
            .unwrap_or_default()
    }
}
