//! The IAM OIDC provider of the cluster's issuer, for IAM roles for
//! service accounts. Its thumbprint is the root CA thumbprint EKS issuers
//! have published; IAM trusts EKS issuers through its own CA store and
//! does not rely on it.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::cluster::{EksApi, IamApi, OidcProvider};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// The root CA thumbprint of EKS OIDC issuers.
pub const EKS_ISSUER_THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/// OIDC providers of a stack's cluster.
pub struct OidcProviders {
    /// IAM.
    pub iam: Arc<dyn IamApi>,
    /// EKS (to read the cluster's issuer).
    pub eks: Arc<dyn EksApi>,
}

/// What the stack wants of its OIDC provider.
#[derive(Debug, Clone, PartialEq)]
pub struct OidcProviderSpec {
    /// The cluster whose issuer it trusts.
    pub cluster: Key,
    /// That cluster's name.
    pub cluster_name: String,
}

#[async_trait]
impl Kind for OidcProviders {
    type Spec = OidcProviderSpec;
    type Seen = OidcProvider;
    const NAME: &'static str = "oidc";
    const NOUN: &'static str = "IAM OIDC provider";

    fn deps(spec: &OidcProviderSpec) -> Vec<Dep> {
        vec![Dep::ready(spec.cluster.clone())]
    }

    fn meta(seen: &OidcProvider) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: Vec::new(),
        }
    }

    fn diff(_: &OidcProviderSpec, seen: &OidcProvider, _: &Ids) -> Vec<Change> {
        if seen.client_ids.iter().any(|c| c == "sts.amazonaws.com") {
            Vec::new()
        } else {
            vec![Change::replace("its audience is not sts.amazonaws.com")]
        }
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<OidcProvider>> {
        self.iam.list_oidc_providers(stack).await
    }

    async fn create(
        &self,
        spec: &OidcProviderSpec,
        _: &Ids,
        tags: &Tags,
    ) -> CloudResult<OidcProvider> {
        let issuer = self
            .eks
            .get_cluster(&spec.cluster_name)
            .await?
            .and_then(|c| c.oidc_issuer)
            .ok_or_else(|| CloudError::Service {
                code: "NoIssuer".into(),
                message: format!(
                    "EKS cluster {} reports no OIDC issuer yet",
                    spec.cluster_name
                ),
            })?;
        self.iam
            .create_oidc_provider(&issuer, &[EKS_ISSUER_THUMBPRINT.to_string()], tags)
            .await
    }

    async fn update(&self, _: &OidcProviderSpec, _: &OidcProvider, _: &Ids) -> CloudResult<()> {
        Ok(())
    }

    async fn retag(&self, seen: &OidcProvider, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.iam.retag_oidc_provider(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &OidcProvider) -> CloudResult<()> {
        self.iam.delete_oidc_provider(&seen.arn).await
    }
}
