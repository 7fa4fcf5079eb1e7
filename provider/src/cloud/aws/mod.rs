//! The real cloud: AWS SDK clients built from the provider configuration.

pub mod config;
pub mod network;

use std::collections::BTreeMap;

use aws_types::SdkConfig;

/// Everything a configured provider knows to talk to AWS: the shared SDK
/// configuration, per-service endpoint overrides, and the tags every
/// object gets.
#[derive(Debug, Clone)]
pub struct AwsClients {
    /// The shared SDK configuration (region, credentials, retries, timeouts).
    pub sdk: SdkConfig,
    /// The region in use.
    pub region: String,
    /// The account id, unless `skip_requesting_account_id`.
    pub account_id: Option<String>,
    /// Per-service endpoint overrides (service name to URL).
    pub endpoints: BTreeMap<String, String>,
    /// `default_tags` of the provider.
    pub default_tags: BTreeMap<String, String>,
    /// Address S3 by path.
    pub s3_use_path_style: bool,
}

impl AwsClients {
    /// The endpoint override for `service`, if any.
    pub fn endpoint(&self, service: &str) -> Option<&str> {
        self.endpoints.get(service).map(String::as_str)
    }

    /// An STS client.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        let mut builder = aws_sdk_sts::config::Builder::from(&self.sdk);
        if let Some(url) = self.endpoint("sts") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(builder.build())
    }

    /// An EC2 client.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        let mut builder = aws_sdk_ec2::config::Builder::from(&self.sdk);
        if let Some(url) = self.endpoint("ec2") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_ec2::Client::from_conf(builder.build())
    }

    /// The EC2 networking calls, on a fresh EC2 client.
    pub fn network(&self) -> network::AwsNetwork {
        network::AwsNetwork::new(self.ec2())
    }
}
