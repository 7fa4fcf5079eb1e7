//! [`IamApi`] on IAM and [`EksApi`] on EKS. IAM lists carry neither tags
//! nor policies, so each role and OIDC provider found is read once more;
//! EKS lists carry only names, so each object found is described.
//!
//! Emulators lack some operations and answer a bare HTTP 404: those calls
//! fail with [`CloudError::Unsupported`], never `NotFound`.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_sdk_eks::error::ProvideErrorMetadata;
use aws_sdk_eks::types::{
    AccessScope, AccessScopeType, AmiTypes, AuthenticationMode, CapacityTypes,
    CreateAccessConfigRequest, EncryptionConfig, LogSetup, LogType, Logging,
    NodegroupScalingConfig, NodegroupUpdateConfig, Provider, ResolveConflicts, TaintEffect,
    UpdateLabelsPayload, UpdateTaintsPayload, VpcConfigRequest,
};
use aws_sdk_iam::types::Tag as IamTag;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime;
use serde_json::Value;

use super::{Gate, map_sdk_err, pages};
use crate::cloud::cluster::{
    AccessEntry, Addon, Cluster, EksApi, EksStatus, EndpointAccess, INLINE_POLICY, IamApi,
    NewCluster, NewNodeGroup, NewRole, NodeGroup, NodeGroupChange, OidcProvider, Role, Scaling,
    TAG_INLINE_POLICY, Taint,
};
use crate::cloud::{CloudError, CloudResult, TAG_STACK, Tags};

/// Every control-plane log type (those not enabled are sent as disabled).
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The audience of a cluster's OIDC provider.
const STS_AUDIENCE: &str = "sts.amazonaws.com";

fn time(t: Option<&DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn map_tags(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn hash_map(tags: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    (!tags.is_empty()).then(|| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

fn from_iam_tags(tags: &[IamTag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

fn iam_tags(tags: &Tags) -> CloudResult<Vec<IamTag>> {
    tags.iter()
        .map(|(k, v)| {
            IamTag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| CloudError::Service {
                    code: "InvalidTag".into(),
                    message: e.to_string(),
                })
        })
        .collect()
}

/// `Ok(None)` for `NotFound`.
fn found<T>(result: CloudResult<T>) -> CloudResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// [`map_sdk_err`] for EKS deletes. EKS says `ResourceInUseException` both
/// for "still in use" and for "busy" or "exists"; on a delete it means the
/// object still has dependents (a cluster its node groups).
fn delete_err<E>(err: SdkError<E, HttpResponse>, kind: &'static str, id: &str) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    match map_sdk_err(err, kind, id) {
        CloudError::Service { code, message } if code == "ResourceInUseException" => {
            CloudError::DependencyViolation(format!("{kind} {id}: {message}"))
        }
        other => other,
    }
}

fn incomplete(what: &str) -> CloudError {
    CloudError::Service {
        code: "IncompleteResponse".into(),
        message: format!("{what} answered without the object"),
    }
}

/// The trust policy letting `service` assume a role.
fn trust_policy(service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string()
}

/// Decodes `%XX` escapes (IAM returns policy documents URL-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The one service a trust policy lets assume the role with
/// `sts:AssumeRole`, or empty when the policy is anything else.
fn trusted_service(document: Option<&str>) -> String {
    let Some(text) = document else {
        return String::new();
    };
    let doc: Value = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&percent_decode(text)))
        .unwrap_or(Value::Null);
    let statements = match &doc["Statement"] {
        Value::Array(items) => items.as_slice(),
        single @ Value::Object(_) => std::slice::from_ref(single),
        _ => return String::new(),
    };
    let [s] = statements else {
        return String::new();
    };
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if items.len() == 1 => items[0].as_str().map(str::to_string),
        _ => None,
    };
    let principal = s["Principal"].as_object();
    let simple = s["Effect"] == "Allow"
        && s.get("Condition").is_none()
        && one(&s["Action"]).as_deref() == Some("sts:AssumeRole")
        && principal.is_some_and(|p| p.len() == 1);
    match principal.and_then(|p| p.get("Service")).and_then(one) {
        Some(service) if simple => service,
        _ => String::new(),
    }
}

fn status(s: Option<&str>) -> EksStatus {
    match s.unwrap_or("UNKNOWN") {
        "CREATING" | "PENDING" => EksStatus::Creating,
        "ACTIVE" => EksStatus::Active,
        "UPDATING" => EksStatus::Updating,
        "DELETING" => EksStatus::Deleting,
        other => EksStatus::Failed(other.to_string()),
    }
}

/// Enables `enabled` and disables every other log type.
fn logging(enabled: &[String]) -> Logging {
    let off: Vec<LogType> = LOG_TYPES
        .iter()
        .filter(|t| !enabled.iter().any(|e| e == *t))
        .map(|t| LogType::from(*t))
        .collect();
    let on: Vec<LogType> = enabled.iter().map(|t| LogType::from(t.as_str())).collect();
    let setups = [(on, true), (off, false)]
        .into_iter()
        .filter(|(types, _)| !types.is_empty())
        .map(|(types, enabled)| {
            LogSetup::builder()
                .set_types(Some(types))
                .enabled(enabled)
                .build()
        });
    Logging::builder()
        .set_cluster_logging(Some(setups.collect()))
        .build()
}

fn vpc_config(subnets: &[String], groups: &[String], access: &EndpointAccess) -> VpcConfigRequest {
    VpcConfigRequest::builder()
        .set_subnet_ids(Some(subnets.to_vec()))
        .set_security_group_ids(Some(groups.to_vec()))
        .endpoint_private_access(access.private)
        .endpoint_public_access(access.public)
        .set_public_access_cidrs(
            (access.public && !access.public_cidrs.is_empty()).then(|| access.public_cidrs.clone()),
        )
        .build()
}

fn cluster_of(c: &aws_sdk_eks::types::Cluster) -> Cluster {
    let vpc = c.resources_vpc_config();
    let log_types = c
        .logging()
        .map(|l| l.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()))
        .collect();
    Cluster {
        name: c.name().unwrap_or_default().to_string(),
        arn: c.arn().unwrap_or_default().to_string(),
        version: c.version().unwrap_or_default().to_string(),
        status: status(c.status().map(|s| s.as_str())),
        role_arn: c.role_arn().unwrap_or_default().to_string(),
        subnet_ids: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
        security_group_ids: vpc
            .map(|v| v.security_group_ids().to_vec())
            .unwrap_or_default(),
        vpc_id: vpc.and_then(|v| v.vpc_id()).map(str::to_string),
        cluster_security_group_id: vpc
            .and_then(|v| v.cluster_security_group_id())
            .map(str::to_string),
        access: EndpointAccess {
            private: vpc.is_some_and(|v| v.endpoint_private_access()),
            public: vpc.is_some_and(|v| v.endpoint_public_access()),
            public_cidrs: vpc
                .map(|v| v.public_access_cidrs().to_vec())
                .unwrap_or_default(),
        },
        log_types,
        encryption_key_arn: c
            .encryption_config()
            .iter()
            .find_map(|e| e.provider().and_then(|p| p.key_arn()))
            .map(str::to_string),
        authentication_mode: c
            .access_config()
            .and_then(|a| a.authentication_mode())
            .map(|m| m.as_str().to_string()),
        endpoint: c.endpoint().map(str::to_string),
        certificate_authority: c
            .certificate_authority()
            .and_then(|a| a.data())
            .map(str::to_string),
        oidc_issuer: c
            .identity()
            .and_then(|i| i.oidc())
            .and_then(|o| o.issuer())
            .map(str::to_string),
        tags: map_tags(c.tags()),
        created: time(c.created_at()),
    }
}

fn taint_of(t: &aws_sdk_eks::types::Taint) -> Taint {
    Taint {
        key: t.key().unwrap_or_default().to_string(),
        value: t.value().unwrap_or_default().to_string(),
        effect: t
            .effect()
            .map(|e| e.as_str().to_string())
            .unwrap_or_default(),
    }
}

fn aws_taint(t: &Taint) -> aws_sdk_eks::types::Taint {
    aws_sdk_eks::types::Taint::builder()
        .key(&t.key)
        .set_value((!t.value.is_empty()).then(|| t.value.clone()))
        .effect(TaintEffect::from(t.effect.as_str()))
        .build()
}

fn scaling_config(s: &Scaling) -> NodegroupScalingConfig {
    NodegroupScalingConfig::builder()
        .min_size(s.min)
        .max_size(s.max)
        .desired_size(s.desired)
        .build()
}

fn node_group_of(g: &aws_sdk_eks::types::Nodegroup) -> NodeGroup {
    let scaling = g.scaling_config();
    NodeGroup {
        cluster: g.cluster_name().unwrap_or_default().to_string(),
        name: g.nodegroup_name().unwrap_or_default().to_string(),
        arn: g.nodegroup_arn().unwrap_or_default().to_string(),
        status: status(g.status().map(|s| s.as_str())),
        version: g.version().map(str::to_string),
        node_role_arn: g.node_role().unwrap_or_default().to_string(),
        subnet_ids: g.subnets().to_vec(),
        instance_types: g.instance_types().to_vec(),
        capacity_type: g
            .capacity_type()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        ami_type: g
            .ami_type()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        disk_size: g.disk_size(),
        scaling: Scaling {
            min: scaling.and_then(|s| s.min_size()).unwrap_or_default(),
            max: scaling.and_then(|s| s.max_size()).unwrap_or_default(),
            desired: scaling.and_then(|s| s.desired_size()).unwrap_or_default(),
        },
        labels: map_tags(g.labels()),
        taints: g.taints().iter().map(taint_of).collect(),
        max_unavailable_percentage: g
            .update_config()
            .and_then(|u| u.max_unavailable_percentage()),
        tags: map_tags(g.tags()),
        created: time(g.created_at()),
    }
}

fn addon_of(a: &aws_sdk_eks::types::Addon) -> Addon {
    Addon {
        cluster: a.cluster_name().unwrap_or_default().to_string(),
        name: a.addon_name().unwrap_or_default().to_string(),
        arn: a.addon_arn().unwrap_or_default().to_string(),
        version: a.addon_version().unwrap_or_default().to_string(),
        status: status(a.status().map(|s| s.as_str())),
        tags: map_tags(a.tags()),
        created: time(a.created_at()),
    }
}

fn access_entry_of(e: &aws_sdk_eks::types::AccessEntry, policies: Vec<String>) -> AccessEntry {
    AccessEntry {
        cluster: e.cluster_name().unwrap_or_default().to_string(),
        principal_arn: e.principal_arn().unwrap_or_default().to_string(),
        arn: e.access_entry_arn().unwrap_or_default().to_string(),
        policies,
        tags: map_tags(e.tags()),
        created: time(e.created_at()),
    }
}

/// The IAM calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsIam {
    iam: aws_sdk_iam::Client,
    region: String,
    gate: Gate,
}

impl AwsIam {
    /// Wraps the client; OIDC providers are those of EKS issuers in
    /// `region`; calls pass through `gate`.
    pub fn new(iam: aws_sdk_iam::Client, region: &str, gate: Gate) -> AwsIam {
        AwsIam {
            iam,
            region: region.to_string(),
            gate,
        }
    }

    /// A role as ListRoles gives it, completed with its tags and policies;
    /// `None` when it went away meanwhile.
    async fn complete_role(&self, role: &aws_sdk_iam::types::Role) -> CloudResult<Option<Role>> {
        let name = role.role_name();
        let tags = async {
            let _permit = self.gate.enter().await;
            self.iam
                .list_role_tags()
                .role_name(name)
                .max_items(1000)
                .send()
                .await
                .map(|out| from_iam_tags(out.tags()))
                .map_err(|e| map_sdk_err(e, "IAM role", name))
        };
        let (tags, policies) = match futures::try_join!(tags, self.attached(name)) {
            Err(e) if e.is_not_found() => return Ok(None),
            other => other?,
        };
        let inline_policy = if tags.contains_key(TAG_INLINE_POLICY) {
            match self.inline(name).await {
                Err(e) if e.is_not_found() => None,
                other => other?,
            }
        } else {
            None
        };
        Ok(Some(Role {
            name: name.to_string(),
            arn: role.arn().to_string(),
            path: role.path().to_string(),
            service: trusted_service(role.assume_role_policy_document()),
            policies,
            tags,
            created: time(Some(role.create_date())),
            inline_policy,
        }))
    }

    /// The role's inline policy [`INLINE_POLICY`], decoded.
    async fn inline(&self, name: &str) -> CloudResult<Option<String>> {
        let _permit = self.gate.enter().await;
        let out = self
            .iam
            .get_role_policy()
            .role_name(name)
            .policy_name(INLINE_POLICY)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role policy", name))?;
        let doc = out.policy_document();
        Ok(Some(if doc.trim_start().starts_with('{') {
            doc.to_string()
        } else {
            percent_decode(doc)
        }))
    }

    /// ARNs of the managed policies attached to the role.
    async fn attached(&self, name: &str) -> CloudResult<Vec<String>> {
        let _permit = self.gate.enter().await;
        let out = self
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .max_items(1000)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        Ok(out
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect())
    }

    /// One OIDC provider, `None` when it went away meanwhile.
    async fn oidc_provider(&self, arn: &str) -> CloudResult<Option<OidcProvider>> {
        let _permit = self.gate.enter().await;
        let out = self
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM OIDC provider", arn));
        Ok(found(out)?.map(|out| OidcProvider {
            arn: arn.to_string(),
            url: out.url().unwrap_or_default().to_string(),
            client_ids: out.client_id_list().to_vec(),
            thumbprints: out.thumbprint_list().to_vec(),
            tags: from_iam_tags(out.tags()),
            created: time(out.create_date()),
        }))
    }
}

#[async_trait]
impl IamApi for AwsIam {
    async fn list_roles(&self, path: &str) -> CloudResult<Vec<Role>> {
        let roles = pages(&self.gate, |marker| async move {
            let out = self
                .iam
                .list_roles()
                .path_prefix(path)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM roles under", path))?;
            let next = out.is_truncated().then(|| out.marker().map(str::to_string));
            Ok((out.roles().to_vec(), next.flatten()))
        })
        .await?;
        let roles =
            futures::future::try_join_all(roles.iter().map(|r| self.complete_role(r))).await?;
        Ok(roles.into_iter().flatten().collect())
    }

    async fn create_role(&self, role: &NewRole, tags: &Tags) -> CloudResult<Role> {
        let _permit = self.gate.enter().await;
        let out = self
            .iam
            .create_role()
            .path(&role.path)
            .role_name(&role.name)
            .assume_role_policy_document(trust_policy(&role.service))
            .description(&role.description)
            .set_tags(Some(iam_tags(tags)?))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role", &role.name))?;
        let made = out.role().ok_or_else(|| incomplete("CreateRole"))?;
        Ok(Role {
            name: made.role_name().to_string(),
            arn: made.arn().to_string(),
            path: made.path().to_string(),
            service: trusted_service(made.assume_role_policy_document()),
            policies: Vec::new(),
            tags: tags.clone(),
            created: time(Some(made.create_date())),
            inline_policy: None,
        })
    }

    async fn update_trust(&self, name: &str, service: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust_policy(service))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        Ok(())
    }

    async fn put_inline_policy(&self, name: &str, document: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.iam
            .put_role_policy()
            .role_name(name)
            .policy_name(INLINE_POLICY)
            .policy_document(document)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        Ok(())
    }

    async fn attach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.iam
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role or policy", &format!("{name} {policy_arn}")))?;
        Ok(())
    }

    async fn detach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.iam
            .detach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role policy", &format!("{name} {policy_arn}")))?;
        Ok(())
    }

    async fn retag_role(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if !set.is_empty() {
            let _permit = self.gate.enter().await;
            self.iam
                .tag_role()
                .role_name(name)
                .set_tags(Some(iam_tags(set)?))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.iam
                .untag_role()
                .role_name(name)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        }
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CloudResult<()> {
        let gone = |r: CloudResult<()>| found(r).map(|_| ());
        for policy in self.attached(name).await? {
            gone(self.detach_policy(name, &policy).await)?;
        }
        let inline = {
            let _permit = self.gate.enter().await;
            self.iam
                .list_role_policies()
                .role_name(name)
                .max_items(1000)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM role", name))?
        };
        for policy in inline.policy_names() {
            let _permit = self.gate.enter().await;
            let sent = self
                .iam
                .delete_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await;
            gone(
                sent.map(|_| ())
                    .map_err(|e| map_sdk_err(e, "IAM role policy", policy)),
            )?;
        }
        let profiles = {
            let _permit = self.gate.enter().await;
            self.iam
                .list_instance_profiles_for_role()
                .role_name(name)
                .max_items(1000)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM role", name))?
        };
        for profile in profiles.instance_profiles() {
            let profile = profile.instance_profile_name();
            let _permit = self.gate.enter().await;
            let sent = self
                .iam
                .remove_role_from_instance_profile()
                .instance_profile_name(profile)
                .role_name(name)
                .send()
                .await;
            gone(
                sent.map(|_| ())
                    .map_err(|e| map_sdk_err(e, "IAM instance profile", profile)),
            )?;
        }
        let _permit = self.gate.enter().await;
        self.iam
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM role", name))?;
        Ok(())
    }

    async fn list_oidc_providers(&self, stack: &str) -> CloudResult<Vec<OidcProvider>> {
        let listed = {
            let _permit = self.gate.enter().await;
            self.iam
                .list_open_id_connect_providers()
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM OIDC providers of stack", stack))?
        };
        let host = format!("oidc.eks.{}.amazonaws.com", self.region);
        let arns = listed
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn())
            .filter(|arn| arn.contains(&host));
        let providers =
            futures::future::try_join_all(arns.map(|arn| self.oidc_provider(arn))).await?;
        Ok(providers
            .into_iter()
            .flatten()
            .filter(|p| p.tags.get(TAG_STACK).is_some_and(|s| s == stack))
            .collect())
    }

    async fn create_oidc_provider(
        &self,
        url: &str,
        thumbprints: &[String],
        tags: &Tags,
    ) -> CloudResult<OidcProvider> {
        let _permit = self.gate.enter().await;
        let out = self
            .iam
            .create_open_id_connect_provider()
            .url(url)
            .client_id_list(STS_AUDIENCE)
            .set_thumbprint_list(Some(thumbprints.to_vec()))
            .set_tags(Some(iam_tags(tags)?))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM OIDC provider", url))?;
        let arn = out
            .open_id_connect_provider_arn()
            .ok_or_else(|| incomplete("CreateOpenIDConnectProvider"))?;
        Ok(OidcProvider {
            arn: arn.to_string(),
            url: url.trim_start_matches("https://").to_string(),
            client_ids: vec![STS_AUDIENCE.to_string()],
            thumbprints: thumbprints.to_vec(),
            tags: tags.clone(),
            created: None,
        })
    }

    async fn retag_oidc_provider(
        &self,
        arn: &str,
        set: &Tags,
        remove: &[String],
    ) -> CloudResult<()> {
        if !set.is_empty() {
            let _permit = self.gate.enter().await;
            self.iam
                .tag_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .set_tags(Some(iam_tags(set)?))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM OIDC provider", arn))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.iam
                .untag_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "IAM OIDC provider", arn))?;
        }
        Ok(())
    }

    async fn delete_oidc_provider(&self, arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.iam
            .delete_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "IAM OIDC provider", arn))?;
        Ok(())
    }
}

/// The EKS calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsEks {
    eks: aws_sdk_eks::Client,
    gate: Gate,
}

impl AwsEks {
    /// Wraps the client; calls pass through `gate`.
    pub fn new(eks: aws_sdk_eks::Client, gate: Gate) -> AwsEks {
        AwsEks { eks, gate }
    }

    /// The names of the cluster's node groups. With `retry` false the SDK
    /// does not retry: some emulators answer 500 for a missing cluster.
    async fn node_group_names(&self, cluster: &str, retry: bool) -> CloudResult<Vec<String>> {
        pages(&self.gate, |token| async move {
            let mut call = self
                .eks
                .list_nodegroups()
                .cluster_name(cluster)
                .set_next_token(token)
                .customize();
            if !retry {
                call = call.config_override(
                    aws_sdk_eks::config::Builder::default().retry_config(RetryConfig::disabled()),
                );
            }
            let out = call
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS cluster", cluster))?;
            Ok((
                out.nodegroups().to_vec(),
                out.next_token().map(str::to_string),
            ))
        })
        .await
    }

    /// One access entry with its associated policies; `None` when it went
    /// away meanwhile.
    async fn access_entry(
        &self,
        cluster: &str,
        principal: &str,
    ) -> CloudResult<Option<AccessEntry>> {
        let id = format!("{cluster} {principal}");
        let entry = async {
            let _permit = self.gate.enter().await;
            self.eks
                .describe_access_entry()
                .cluster_name(cluster)
                .principal_arn(principal)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS access entry", &id))
        };
        let policies = pages(&self.gate, |token| {
            let id = &id;
            async move {
                let out = self
                    .eks
                    .list_associated_access_policies()
                    .cluster_name(cluster)
                    .principal_arn(principal)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| map_sdk_err(e, "EKS access entry", id))?;
                let arns = out
                    .associated_access_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_string))
                    .collect();
                Ok((arns, out.next_token().map(str::to_string)))
            }
        });
        let Some((entry, policies)) = found(futures::try_join!(entry, policies))? else {
            return Ok(None);
        };
        Ok(entry.access_entry().map(|e| access_entry_of(e, policies)))
    }
}

#[async_trait]
impl EksApi for AwsEks {
    async fn get_cluster(&self, name: &str) -> CloudResult<Option<Cluster>> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .describe_cluster()
            .name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster", name));
        Ok(found(out)?.and_then(|o| o.cluster().map(cluster_of)))
    }

    async fn create_cluster(&self, cluster: &NewCluster, tags: &Tags) -> CloudResult<Cluster> {
        let encryption = (!cluster.encryption_key_arn.is_empty()).then(|| {
            EncryptionConfig::builder()
                .resources("secrets")
                .provider(
                    Provider::builder()
                        .key_arn(&cluster.encryption_key_arn)
                        .build(),
                )
                .build()
        });
        let access = (!cluster.authentication_mode.is_empty()).then(|| {
            CreateAccessConfigRequest::builder()
                .authentication_mode(AuthenticationMode::from(
                    cluster.authentication_mode.as_str(),
                ))
                .build()
        });
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .create_cluster()
            .name(&cluster.name)
            .version(&cluster.version)
            .role_arn(&cluster.role_arn)
            .resources_vpc_config(vpc_config(
                &cluster.subnet_ids,
                &cluster.security_group_ids,
                &cluster.access,
            ))
            .logging(logging(&cluster.log_types))
            .set_encryption_config(encryption.map(|e| vec![e]))
            .set_access_config(access)
            .set_tags(hash_map(tags))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster", &cluster.name))?;
        out.cluster()
            .map(cluster_of)
            .ok_or_else(|| incomplete("CreateCluster"))
    }

    async fn update_cluster_access(&self, name: &str, access: &EndpointAccess) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        let config = VpcConfigRequest::builder()
            .endpoint_private_access(access.private)
            .endpoint_public_access(access.public)
            .set_public_access_cidrs(
                (access.public && !access.public_cidrs.is_empty())
                    .then(|| access.public_cidrs.clone()),
            )
            .build();
        self.eks
            .update_cluster_config()
            .name(name)
            .resources_vpc_config(config)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster", name))?;
        Ok(())
    }

    async fn update_cluster_subnets(
        &self,
        name: &str,
        subnet_ids: &[String],
        security_group_ids: &[String],
    ) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        let config = VpcConfigRequest::builder()
            .set_subnet_ids(Some(subnet_ids.to_vec()))
            .set_security_group_ids(Some(security_group_ids.to_vec()))
            .build();
        self.eks
            .update_cluster_config()
            .name(name)
            .resources_vpc_config(config)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster", name))?;
        Ok(())
    }

    async fn update_cluster_logging(&self, name: &str, log_types: &[String]) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .update_cluster_config()
            .name(name)
            .logging(logging(log_types))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster", name))?;
        Ok(())
    }

    async fn update_cluster_version(&self, name: &str, version: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .update_cluster_version()
            .name(name)
            .version(version)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS cluster version update of", name))?;
        Ok(())
    }

    async fn delete_cluster(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .delete_cluster()
            .name(name)
            .send()
            .await
            .map_err(|e| delete_err(e, "EKS cluster", name))?;
        Ok(())
    }

    async fn list_node_groups(&self, cluster: &str) -> CloudResult<Vec<NodeGroup>> {
        let names = match self.node_group_names(cluster, false).await {
            // Tried once without SDK retries (moto answers 500 for a missing
            // cluster): on failure, look whether the cluster exists, then retry.
            Err(e) if !e.is_not_found() && !matches!(e, CloudError::Unsupported(_)) => {
                match self.get_cluster(cluster).await? {
                    None => return Ok(Vec::new()),
                    Some(_) => self.node_group_names(cluster, true).await,
                }
            }
            other => other,
        };
        let Some(names) = found(names)? else {
            return Ok(Vec::new());
        };
        let groups =
            futures::future::try_join_all(names.iter().map(|n| self.get_node_group(cluster, n)))
                .await?;
        Ok(groups.into_iter().flatten().collect())
    }

    async fn get_node_group(&self, cluster: &str, name: &str) -> CloudResult<Option<NodeGroup>> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS node group", &format!("{cluster}/{name}")));
        Ok(found(out)?.and_then(|o| o.nodegroup().map(node_group_of)))
    }

    async fn create_node_group(&self, group: &NewNodeGroup, tags: &Tags) -> CloudResult<NodeGroup> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .create_nodegroup()
            .cluster_name(&group.cluster)
            .nodegroup_name(&group.name)
            .version(&group.version)
            .node_role(&group.node_role_arn)
            .set_subnets(Some(group.subnet_ids.clone()))
            .set_instance_types(Some(group.instance_types.clone()))
            .capacity_type(CapacityTypes::from(group.capacity_type.as_str()))
            .ami_type(AmiTypes::from(group.ami_type.as_str()))
            .set_disk_size((group.disk_size > 0).then_some(group.disk_size))
            .scaling_config(scaling_config(&group.scaling))
            .set_labels(hash_map(&group.labels))
            .set_taints(
                (!group.taints.is_empty()).then(|| group.taints.iter().map(aws_taint).collect()),
            )
            .update_config(
                NodegroupUpdateConfig::builder()
                    .max_unavailable_percentage(group.max_unavailable_percentage)
                    .build(),
            )
            .set_tags(hash_map(tags))
            .send()
            .await
            .map_err(|e| {
                map_sdk_err(
                    e,
                    "EKS cluster of node group",
                    &format!("{}/{}", group.cluster, group.name),
                )
            })?;
        out.nodegroup()
            .map(node_group_of)
            .ok_or_else(|| incomplete("CreateNodegroup"))
    }

    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        change: &NodeGroupChange,
    ) -> CloudResult<()> {
        let labels =
            (!change.add_labels.is_empty() || !change.remove_labels.is_empty()).then(|| {
                UpdateLabelsPayload::builder()
                    .set_add_or_update_labels(hash_map(&change.add_labels))
                    .set_remove_labels(
                        (!change.remove_labels.is_empty()).then(|| change.remove_labels.clone()),
                    )
                    .build()
            });
        let taints =
            (!change.add_taints.is_empty() || !change.remove_taints.is_empty()).then(|| {
                let some = |t: &[Taint]| (!t.is_empty()).then(|| t.iter().map(aws_taint).collect());
                UpdateTaintsPayload::builder()
                    .set_add_or_update_taints(some(&change.add_taints))
                    .set_remove_taints(some(&change.remove_taints))
                    .build()
            });
        let update = change.max_unavailable_percentage.map(|p| {
            NodegroupUpdateConfig::builder()
                .max_unavailable_percentage(p)
                .build()
        });
        if change.scaling.is_none() && labels.is_none() && taints.is_none() && update.is_none() {
            return Ok(());
        }
        let _permit = self.gate.enter().await;
        self.eks
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .set_scaling_config(change.scaling.as_ref().map(scaling_config))
            .set_labels(labels)
            .set_taints(taints)
            .set_update_config(update)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS node group", &format!("{cluster}/{name}")))?;
        Ok(())
    }

    async fn update_node_group_version(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
    ) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .update_nodegroup_version()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .version(version)
            .send()
            .await
            .map_err(|e| {
                map_sdk_err(
                    e,
                    "EKS node group version update of",
                    &format!("{cluster}/{name}"),
                )
            })?;
        Ok(())
    }

    async fn delete_node_group(&self, cluster: &str, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .delete_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await
            .map_err(|e| delete_err(e, "EKS node group", &format!("{cluster}/{name}")))?;
        Ok(())
    }

    async fn list_addons(&self, cluster: &str) -> CloudResult<Vec<Addon>> {
        let names = pages(&self.gate, |token| async move {
            let out = self
                .eks
                .list_addons()
                .cluster_name(cluster)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS add-ons of cluster", cluster))?;
            Ok((out.addons().to_vec(), out.next_token().map(str::to_string)))
        })
        .await;
        let Some(names) = found(names)? else {
            return Ok(Vec::new());
        };
        let addons =
            futures::future::try_join_all(names.iter().map(|n| self.get_addon(cluster, n))).await?;
        Ok(addons.into_iter().flatten().collect())
    }

    async fn get_addon(&self, cluster: &str, name: &str) -> CloudResult<Option<Addon>> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .describe_addon()
            .cluster_name(cluster)
            .addon_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS add-on", &format!("{cluster}/{name}")));
        Ok(found(out)?.and_then(|o| o.addon().map(addon_of)))
    }

    async fn default_addon_version(&self, name: &str, k8s_version: &str) -> CloudResult<String> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .describe_addon_versions()
            .addon_name(name)
            .kubernetes_version(k8s_version)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS add-on versions of", name))?;
        let versions = out
            .addons()
            .iter()
            .filter(|a| a.addon_name() == Some(name))
            .flat_map(|a| a.addon_versions());
        let default = versions.clone().find(|v| {
            v.compatibilities().iter().any(|c| {
                c.default_version() && c.cluster_version().is_none_or(|cv| cv == k8s_version)
            })
        });
        default
            .or_else(|| versions.clone().next())
            .and_then(|v| v.addon_version())
            .map(str::to_string)
            .ok_or_else(|| CloudError::Service {
                code: "NoAddonVersion".into(),
                message: format!(
                    "EKS offers no version of add-on {name} for Kubernetes {k8s_version}"
                ),
            })
    }

    async fn create_addon(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
        tags: &Tags,
    ) -> CloudResult<Addon> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .create_addon()
            .cluster_name(cluster)
            .addon_name(name)
            .addon_version(version)
            .resolve_conflicts(ResolveConflicts::Overwrite)
            .set_tags(hash_map(tags))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS add-on", &format!("{cluster}/{name}")))?;
        out.addon()
            .map(addon_of)
            .ok_or_else(|| incomplete("CreateAddon"))
    }

    async fn update_addon(&self, cluster: &str, name: &str, version: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .update_addon()
            .cluster_name(cluster)
            .addon_name(name)
            .addon_version(version)
            .resolve_conflicts(ResolveConflicts::Overwrite)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "EKS add-on", &format!("{cluster}/{name}")))?;
        Ok(())
    }

    async fn delete_addon(&self, cluster: &str, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .delete_addon()
            .cluster_name(cluster)
            .addon_name(name)
            .send()
            .await
            .map_err(|e| delete_err(e, "EKS add-on", &format!("{cluster}/{name}")))?;
        Ok(())
    }

    async fn list_access_entries(&self, cluster: &str) -> CloudResult<Vec<AccessEntry>> {
        let principals = pages(&self.gate, |token| async move {
            let out = self
                .eks
                .list_access_entries()
                .cluster_name(cluster)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS access entries of cluster", cluster))?;
            Ok((
                out.access_entries().to_vec(),
                out.next_token().map(str::to_string),
            ))
        })
        .await;
        let Some(principals) = found(principals)? else {
            return Ok(Vec::new());
        };
        let entries =
            futures::future::try_join_all(principals.iter().map(|p| self.access_entry(cluster, p)))
                .await?;
        Ok(entries.into_iter().flatten().collect())
    }

    async fn create_access_entry(
        &self,
        cluster: &str,
        principal_arn: &str,
        tags: &Tags,
    ) -> CloudResult<AccessEntry> {
        let _permit = self.gate.enter().await;
        let out = self
            .eks
            .create_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal_arn)
            .r#type("STANDARD")
            .set_tags(hash_map(tags))
            .send()
            .await
            .map_err(|e| {
                map_sdk_err(e, "EKS access entry", &format!("{cluster} {principal_arn}"))
            })?;
        out.access_entry()
            .map(|e| access_entry_of(e, Vec::new()))
            .ok_or_else(|| incomplete("CreateAccessEntry"))
    }

    async fn associate_access_policy(
        &self,
        cluster: &str,
        principal_arn: &str,
        policy_arn: &str,
    ) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .associate_access_policy()
            .cluster_name(cluster)
            .principal_arn(principal_arn)
            .policy_arn(policy_arn)
            .access_scope(
                AccessScope::builder()
                    .r#type(AccessScopeType::Cluster)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| {
                map_sdk_err(e, "EKS access entry", &format!("{cluster} {principal_arn}"))
            })?;
        Ok(())
    }

    async fn delete_access_entry(&self, cluster: &str, principal_arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.eks
            .delete_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal_arn)
            .send()
            .await
            .map_err(|e| {
                map_sdk_err(e, "EKS access entry", &format!("{cluster} {principal_arn}"))
            })?;
        Ok(())
    }

    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if let Some(tags) = hash_map(set) {
            let _permit = self.gate.enter().await;
            self.eks
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS object", arn))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.eks
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "EKS object", arn))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_name_their_one_service() {
        let doc = trust_policy("eks.amazonaws.com");
        assert_eq!(trusted_service(Some(&doc)), "eks.amazonaws.com");
        let encoded = doc
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
            .replace(':', "%3A");
        assert_eq!(trusted_service(Some(&encoded)), "eks.amazonaws.com");
        let two = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["a","b"]},"Action":"sts:AssumeRole"}]}"#;
        assert_eq!(trusted_service(Some(two)), "");
        let federated = r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
        assert_eq!(trusted_service(Some(federated)), "");
        assert_eq!(trusted_service(None), "");
        assert_eq!(trusted_service(Some("not json")), "");
    }

    #[test]
    fn statuses_and_logging() {
        assert_eq!(status(Some("ACTIVE")), EksStatus::Active);
        assert_eq!(status(Some("CREATING")), EksStatus::Creating);
        assert_eq!(
            status(Some("DEGRADED")),
            EksStatus::Failed("DEGRADED".into())
        );
        let l = logging(&["api".to_string(), "audit".to_string()]);
        let setups = l.cluster_logging();
        assert_eq!(setups.len(), 2);
        assert_eq!(setups[0].enabled(), Some(true));
        assert_eq!(setups[0].types().len(), 2);
        assert_eq!(setups[1].enabled(), Some(false));
        assert_eq!(setups[1].types().len(), 3);
    }

    #[test]
    fn a_bare_404_is_unsupported_and_a_coded_one_not_found() {
        use aws_sdk_eks::error::ErrorMetadata;
        use aws_sdk_eks::operation::describe_addon::DescribeAddonError;
        use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
        use aws_smithy_runtime_api::client::result::SdkError;
        use aws_smithy_runtime_api::http::StatusCode;
        use aws_smithy_types::body::SdkBody;

        let raw = || HttpResponse::new(StatusCode::try_from(404).expect("404"), SdkBody::empty());
        let bare = SdkError::service_error(
            DescribeAddonError::generic(ErrorMetadata::builder().build()),
            raw(),
        );
        assert!(matches!(
            map_sdk_err(bare, "EKS add-on", "c/vpc-cni"),
            CloudError::Unsupported(_)
        ));
        let coded = SdkError::service_error(
            DescribeAddonError::generic(
                ErrorMetadata::builder()
                    .code("ResourceNotFoundException")
                    .build(),
            ),
            raw(),
        );
        assert!(map_sdk_err(coded, "EKS add-on", "c/vpc-cni").is_not_found());
    }
}
