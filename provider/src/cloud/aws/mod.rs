//! The real cloud: AWS SDK clients built from the provider configuration,
//! and the plumbing every service shares once: error mapping, tag
//! conversion, request counting (an SDK interceptor, so every HTTP attempt
//! counts, retries included) and a bound on concurrent calls.

pub mod balancers;
pub mod cluster;
pub mod config;
pub mod data;
pub mod kms;
pub mod monitoring;
pub mod network;
pub mod permissions;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::SdkConfig;
use aws_types::region::Region;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::cloud::CloudError;

/// At most this many AWS requests are in flight at once per provider.
pub const MAX_CONCURRENT_CALLS: usize = 16;

/// Counts every HTTP request the SDK sends (each retry attempt too). With
/// `TODO_CALL_LOG=FILE` in the environment each request also appends
/// `<service> <Operation>` (the SDK's names) to FILE: the acceptance suite
/// collects what the provider really calls, to check the IAM policy of
/// [`permissions`] against it.
#[derive(Debug, Clone)]
pub struct CallCounter {
    total: Arc<AtomicU64>,
    log: Option<Arc<std::path::PathBuf>>,
}

impl Default for CallCounter {
    fn default() -> Self {
        CallCounter {
            total: Arc::default(),
            log: std::env::var_os("TODO_CALL_LOG")
                .filter(|p| !p.is_empty())
                .map(|p| Arc::new(p.into())),
        }
    }
}

impl CallCounter {
    /// Requests sent so far.
    pub fn get(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Appends `<service>\t<operation>` to the `TODO_CALL_LOG` file: one
    /// short O_APPEND write per line, so lines of concurrent providers do
    /// not interleave.
    fn log(path: &std::path::Path, service: &str, operation: &str) {
        use std::io::Write;
        let line = format!("{service}\t{operation}\n");
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("TODO_CALL_LOG {}: {e}", path.display());
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Some(path) = &self.log
            && let Some(m) = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
        {
            Self::log(path, m.service(), m.name());
        }
        Ok(())
    }
}

/// Bounds concurrent AWS calls: a call holds a permit while it runs.
#[derive(Debug, Clone)]
pub struct Gate(Arc<Semaphore>);

impl Default for Gate {
    fn default() -> Self {
        Gate(Arc::new(Semaphore::new(MAX_CONCURRENT_CALLS)))
    }
}

impl Gate {
    /// Waits for a permit.
    pub async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().acquire_owned().await.ok()
    }
}

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
    /// Counts the requests of every client made from these.
    pub calls: CallCounter,
    /// Bounds their concurrent calls.
    pub gate: Gate,
    /// Shares one tagging-API read among the kinds observing a stack at
    /// once.
    pub stack_tags: StackTags,
}

impl AwsClients {
    /// Clients on `sdk` with no endpoint overrides (tests, tools).
    pub fn from_sdk(sdk: SdkConfig) -> AwsClients {
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        AwsClients {
            sdk,
            region,
            account_id: None,
            endpoints: BTreeMap::new(),
            default_tags: BTreeMap::new(),
            s3_use_path_style: false,
            calls: CallCounter::default(),
            gate: Gate::default(),
            stack_tags: StackTags::default(),
        }
    }

    /// The same clients in another region (to reach a stack that lives
    /// where the provider no longer points).
    pub fn for_region(&self, region: &str) -> AwsClients {
        let mut out = self.clone();
        out.sdk = self
            .sdk
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        out.region = region.to_string();
        out
    }

    /// The endpoint override for `service`, if any.
    pub fn endpoint(&self, service: &str) -> Option<&str> {
        self.endpoints.get(service).map(String::as_str)
    }

    /// An STS client.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        let mut builder =
            aws_sdk_sts::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("sts") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(builder.build())
    }

    /// An EC2 client.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        let mut builder =
            aws_sdk_ec2::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("ec2") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_ec2::Client::from_conf(builder.build())
    }

    /// A KMS client.
    pub fn kms_client(&self) -> aws_sdk_kms::Client {
        let mut builder =
            aws_sdk_kms::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("kms") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_kms::Client::from_conf(builder.build())
    }

    /// An IAM client.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        let mut builder =
            aws_sdk_iam::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("iam") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_iam::Client::from_conf(builder.build())
    }

    /// An EKS client.
    pub fn eks_client(&self) -> aws_sdk_eks::Client {
        let mut builder =
            aws_sdk_eks::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("eks") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_eks::Client::from_conf(builder.build())
    }

    /// An RDS client.
    pub fn rds_client(&self) -> aws_sdk_rds::Client {
        let mut builder =
            aws_sdk_rds::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("rds") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_rds::Client::from_conf(builder.build())
    }

    /// A Secrets Manager client: endpoint override `secretsmanager`.
    pub fn secrets_client(&self) -> aws_sdk_secretsmanager::Client {
        let mut builder = aws_sdk_secretsmanager::config::Builder::from(&self.sdk)
            .interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("secretsmanager") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_secretsmanager::Client::from_conf(builder.build())
    }

    /// An S3 client. Buckets are addressed by path when
    /// `s3_use_path_style` is set or any custom endpoint is (emulators
    /// serve no per-bucket host names).
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        let mut builder =
            aws_sdk_s3::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        let mut path_style = self.s3_use_path_style || self.sdk.endpoint_url().is_some();
        if let Some(url) = self.endpoint("s3") {
            builder = builder.endpoint_url(url);
            path_style = true;
        }
        aws_sdk_s3::Client::from_conf(builder.force_path_style(path_style).build())
    }

    /// An Elastic Load Balancing v2 client (ALB, NLB): endpoint override
    /// `elbv2`.
    pub fn elbv2_client(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        let mut builder = aws_sdk_elasticloadbalancingv2::config::Builder::from(&self.sdk)
            .interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("elbv2") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_elasticloadbalancingv2::Client::from_conf(builder.build())
    }

    /// A classic Elastic Load Balancing client: endpoint override `elb`.
    pub fn elb_client(&self) -> aws_sdk_elasticloadbalancing::Client {
        let mut builder = aws_sdk_elasticloadbalancing::config::Builder::from(&self.sdk)
            .interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("elb") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_elasticloadbalancing::Client::from_conf(builder.build())
    }

    /// A CloudWatch Logs client: endpoint override `logs`.
    pub fn logs_client(&self) -> aws_sdk_cloudwatchlogs::Client {
        let mut builder = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk)
            .interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("logs") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_cloudwatchlogs::Client::from_conf(builder.build())
    }

    /// An SNS client: endpoint override `sns`.
    pub fn sns_client(&self) -> aws_sdk_sns::Client {
        let mut builder =
            aws_sdk_sns::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("sns") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_sns::Client::from_conf(builder.build())
    }

    /// A CloudWatch client: endpoint override `cloudwatch`.
    pub fn cloudwatch_client(&self) -> aws_sdk_cloudwatch::Client {
        let mut builder =
            aws_sdk_cloudwatch::config::Builder::from(&self.sdk).interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("cloudwatch") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_cloudwatch::Client::from_conf(builder.build())
    }

    /// A Resource Groups Tagging API client (finds tagged objects of
    /// services whose own list calls cannot filter by tag). It has no
    /// endpoint setting of its own: it follows `endpoint_url`, or the KMS
    /// endpoint override.
    pub fn tagging(&self) -> aws_sdk_resourcegroupstagging::Client {
        let mut builder = aws_sdk_resourcegroupstagging::config::Builder::from(&self.sdk)
            .interceptor(self.calls.clone());
        if let Some(url) = self.endpoint("kms") {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_resourcegroupstagging::Client::from_conf(builder.build())
    }

    /// The EC2 networking calls.
    pub fn network(&self) -> network::AwsNetwork {
        network::AwsNetwork::new(self.ec2(), self.gate.clone())
    }

    /// The KMS calls.
    pub fn kms(&self) -> kms::AwsKms {
        kms::AwsKms::new(
            self.kms_client(),
            self.tagging(),
            self.stack_tags.clone(),
            self.gate.clone(),
        )
    }

    /// The IAM calls (roles and OIDC providers of this region's clusters).
    pub fn iam(&self) -> cluster::AwsIam {
        cluster::AwsIam::new(self.iam_client(), &self.region, self.gate.clone())
    }

    /// The EKS calls.
    pub fn eks(&self) -> cluster::AwsEks {
        cluster::AwsEks::new(self.eks_client(), self.gate.clone())
    }

    /// The RDS calls (subnet groups, parameter groups, instances).
    pub fn rds(&self) -> data::AwsRds {
        data::AwsRds::new(self.rds_client(), self.gate.clone())
    }

    /// The Secrets Manager calls.
    pub fn secrets(&self) -> data::AwsSecrets {
        data::AwsSecrets::new(self.secrets_client(), self.gate.clone())
    }

    /// The S3 calls (the stack's bucket, found through the tagging API).
    pub fn storage(&self) -> data::AwsStorage {
        data::AwsStorage::new(
            self.s3_client(),
            self.tagging(),
            self.stack_tags.clone(),
            &self.region,
            self.gate.clone(),
        )
    }

    /// The monitoring calls (log groups, the topic, alarms, the dashboard,
    /// the flow log).
    pub fn monitoring(&self) -> monitoring::AwsMonitoring {
        monitoring::AwsMonitoring {
            logs: self.logs_client(),
            sns: self.sns_client(),
            cloudwatch: self.cloudwatch_client(),
            ec2: self.ec2(),
            tagging: self.tagging(),
            stack_tags: self.stack_tags.clone(),
            gate: self.gate.clone(),
        }
    }

    /// The calls that find and remove what Kubernetes left in a VPC (load
    /// balancers and their security groups).
    pub fn kube_leftovers(&self) -> balancers::AwsKubeLeftovers {
        balancers::AwsKubeLeftovers::new(
            self.elbv2_client(),
            self.elb_client(),
            self.ec2(),
            self.gate.clone(),
        )
    }
}

/// What a stack's objects found through the tagging API are: (ARN, tags).
type Tagged = Vec<(String, crate::cloud::Tags)>;

/// A tagging-API read in flight, shared by whoever asks meanwhile.
type InFlight = futures::future::Shared<
    futures::future::BoxFuture<'static, crate::cloud::CloudResult<Arc<Tagged>>>,
>;

/// The resource types the stack finds through the tagging API (KMS keys,
/// buckets, log groups, topics, alarms): those whose services cannot list
/// by tag themselves.
const TAGGED_TYPES: [&str; 5] = ["kms:key", "s3", "logs", "sns", "cloudwatch:alarm"];

/// One Resource Groups Tagging API read of everything a stack has of
/// [`TAGGED_TYPES`], shared by the kinds that observe it at the same
/// moment (a refresh observes every kind at once): instead of one
/// GetResources per kind, one for all. Only a read still in flight is
/// shared, never a finished one, so no caller sees an answer older than
/// its own question.
#[derive(Clone, Default)]
pub struct StackTags(Arc<std::sync::Mutex<BTreeMap<String, InFlight>>>);

impl std::fmt::Debug for StackTags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StackTags")
    }
}

/// Whether `arn` is of the tagging-API type `resource_type`
/// (`service`, or `service:type` for services whose ARNs name the type:
/// `kms:key`, `cloudwatch:alarm`; an SNS topic's ARN names none, so topics
/// are asked for as `sns`).
fn arn_of_type(arn: &str, resource_type: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let service = parts.nth(2).unwrap_or_default();
    let resource = parts.nth(2).unwrap_or_default();
    let (want_service, want_type) = resource_type.split_once(':').unwrap_or((resource_type, ""));
    let resource_kind = resource.split(['/', ':']).next().unwrap_or_default();
    service == want_service
        && (want_type.is_empty()
            || resource_kind == want_type
            // moto names a log group's type `loggroup`, AWS `log-group`.
            || resource_kind.replace('-', "") == want_type.replace('-', ""))
}

impl StackTags {
    /// The objects of `resource_type` tagged `todo:stack = stack`.
    pub async fn of(
        &self,
        tagging: &aws_sdk_resourcegroupstagging::Client,
        gate: &Gate,
        stack: &str,
        resource_type: &str,
    ) -> crate::cloud::CloudResult<Tagged> {
        use futures::FutureExt;
        let region = tagging
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let key = format!("{region} {stack}");
        let shared = {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(&key) {
                Some(f) => f.clone(),
                None => {
                    let (client, gate, stack, index, k) = (
                        tagging.clone(),
                        gate.clone(),
                        stack.to_string(),
                        self.0.clone(),
                        key.clone(),
                    );
                    let read = async move {
                        let out = read_tagged(&client, &gate, &stack).await.map(Arc::new);
                        index.lock().unwrap_or_else(|p| p.into_inner()).remove(&k);
                        out
                    }
                    .boxed()
                    .shared();
                    map.insert(key, read.clone());
                    read
                }
            }
        };
        let all = shared.await?;
        Ok(all
            .iter()
            .filter(|(arn, _)| arn_of_type(arn, resource_type))
            .cloned()
            .collect())
    }
}

/// Every object of [`TAGGED_TYPES`] tagged `todo:stack = stack`.
async fn read_tagged(
    tagging: &aws_sdk_resourcegroupstagging::Client,
    gate: &Gate,
    stack: &str,
) -> crate::cloud::CloudResult<Tagged> {
    use aws_sdk_resourcegroupstagging::types::TagFilter;
    pages(gate, |token| async move {
        let out = tagging
            .get_resources()
            .set_resource_type_filters(Some(TAGGED_TYPES.map(String::from).to_vec()))
            .tag_filters(
                TagFilter::builder()
                    .key(crate::cloud::TAG_STACK)
                    .values(stack)
                    .build(),
            )
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "objects of stack", stack))?;
        let found = out
            .resource_tag_mapping_list()
            .iter()
            .filter_map(|m| {
                let tags = m
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect();
                Some((m.resource_arn()?.to_string(), tags))
            })
            .collect();
        Ok((found, out.pagination_token().map(str::to_string)))
    })
    .await
}

/// Collects every page of a list call. `page` sends one request for the
/// token it is given and returns the items and the next token.
pub(super) async fn pages<T, F, Fut>(gate: &Gate, mut page: F) -> crate::cloud::CloudResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = crate::cloud::CloudResult<(Vec<T>, Option<String>)>>,
{
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = {
            let _permit = gate.enter().await;
            page(token.take()).await?
        };
        out.extend(items);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Longest AWS message we pass on; the rest is noise in a diagnostic.
pub(crate) const MAX_MESSAGE: usize = 400;

/// Shortens text for a diagnostic: one line, at most [`MAX_MESSAGE`] chars.
pub(crate) fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

/// Maps an SDK error of any service to ours, at the boundary. `kind` and
/// `id` name the object the call was about (reported by `NotFound`).
pub(crate) fn map_err<E, R>(err: SdkError<E, R>, kind: &'static str, id: &str) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("Unknown");
            let message = short(e.message().unwrap_or("no message"));
            match code {
                // "Gateway.NotAttached": detaching what is not attached is done.
                // "NoSuchEntity": IAM; "ResourceNotFoundException": EKS.
                c if c.ends_with("NotFound")
                    || c == "NotFoundException"
                    || c == "ResourceNotFoundException"
                    || c == "NoSuchEntity"
                    || c == "Gateway.NotAttached" =>
                {
                    CloudError::NotFound {
                        kind,
                        id: id.to_string(),
                    }
                }
                // ".InUse": an address or interface still attached to something;
                // "DeleteConflict": an IAM role with policies or profiles.
                c if c == "DependencyViolation"
                    || c.ends_with(".InUse")
                    || c == "DeleteConflict"
                    || c == "DependencyTimeoutException" =>
                {
                    CloudError::DependencyViolation(format!("{kind} {id}: {message}"))
                }
                "RequestLimitExceeded" | "Throttling" | "ThrottlingException" => {
                    CloudError::Throttled(format!("{kind} {id}: {message}"))
                }
                _ => CloudError::Service {
                    code: code.to_string(),
                    message,
                },
            }
        }
        SdkError::TimeoutError(_) => {
            CloudError::Timeout(format!("{kind} {id}: the call timed out"))
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => CloudError::Timeout(format!(
            "{kind} {id}: {}",
            short(&DisplayErrorContext(&err).to_string())
        )),
        _ => CloudError::Transport(short(&DisplayErrorContext(&err).to_string())),
    }
}

/// [`map_err`] for calls whose raw response is at hand: a 404 without an
/// AWS error code is no answer about the object but an endpoint (an
/// emulator's HTML page) lacking the operation, so it is `Unsupported`,
/// never `NotFound`.
pub(crate) fn map_sdk_err<E>(
    err: SdkError<E, HttpResponse>,
    kind: &'static str,
    id: &str,
) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let status = service.raw().status().as_u16();
        // A bare 404 (an emulator without the operation) or 501 (a service
        // outside an emulator's plan) means "not served", never "gone".
        if (status == 404 && service.err().code().is_none()) || status == 501 {
            return CloudError::Unsupported(format!(
                "{kind} {id}: the endpoint answered HTTP {status} (the operation is not served)"
            ));
        }
    }
    map_err(err, kind, id)
}

#[cfg(test)]
mod stack_tags_tests {
    use super::arn_of_type;

    #[test]
    fn arns_are_told_apart_by_service_and_type() {
        let key = "arn:aws:kms:us-east-1:123456789012:key/f11342b9";
        let topic = "arn:aws:sns:us-east-1:123456789012:x-alerts";
        let group = "arn:aws:logs:us-east-1:123456789012:log-group:/todo/x/a";
        let alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x-db-cpu";
        let bucket = "arn:aws:s3:::x-123456789012-us-east-1";
        assert!(arn_of_type(key, "kms:key") && !arn_of_type(key, "sns"));
        assert!(arn_of_type(topic, "sns") && !arn_of_type(topic, "logs"));
        assert!(arn_of_type(group, "logs") && arn_of_type(group, "logs:log-group"));
        assert!(arn_of_type(group, "logs:loggroup"));
        assert!(arn_of_type(alarm, "cloudwatch:alarm") && !arn_of_type(alarm, "kms:key"));
        assert!(arn_of_type(bucket, "s3") && !arn_of_type(bucket, "cloudwatch:alarm"));
        assert!(!arn_of_type(
            "arn:aws:kms:us-east-1:123456789012:alias/todo/x",
            "kms:key"
        ));
    }
}
