//! [`KubeLeftoversApi`] on Elastic Load Balancing (v2 and classic) and EC2:
//! the load balancers Kubernetes made in a VPC for a cluster, and their
//! security groups.
//!
//! Neither ELB API filters by VPC or tag, so every load balancer of the
//! region is listed (one request per page of each API), those in the VPC
//! kept, and their tags read 20 at a time (the most one DescribeTags takes).
//! A load balancer deleted between the two reads is skipped.
//!
//! ELB answers a delete of a load balancer that does not exist with
//! success, so each delete reads the load balancer first: that read says
//! `NotFound` when it is gone.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::Filter;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{Gate, map_sdk_err};
use crate::cloud::cluster::{KubeLeftoversApi, KubeLoadBalancer};
use crate::cloud::{CloudError, CloudResult};

/// The most names or ARNs one ELB DescribeTags takes.
const TAG_BATCH: usize = 20;
/// The tag the in-tree cloud provider (and EKS) puts on what it makes for
/// a cluster, followed by the cluster's name (any value).
const CLUSTER_TAG_PREFIX: &str = "kubernetes.io/cluster/";
/// The tag the AWS Load Balancer Controller puts on what it makes; its
/// value is the cluster's name.
const CONTROLLER_TAG: &str = "elbv2.k8s.aws/cluster";
/// How long a target group may stay in use by the listeners of the load
/// balancer just deleted (ELB lets go of them within seconds).
const TARGET_GROUP_RELEASE: [Duration; 4] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// Whether tags (key, value) mark an object Kubernetes made for `cluster`
/// (the in-memory cloud applies the same rule).
pub(crate) fn for_cluster<'a>(
    tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    cluster: &str,
) -> bool {
    let cluster_tag = format!("{CLUSTER_TAG_PREFIX}{cluster}");
    tags.into_iter()
        .any(|(k, v)| k == cluster_tag || (k == CONTROLLER_TAG && v == Some(cluster)))
}

/// The AWS error code of a failed call, if AWS answered one.
fn code_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// [`map_sdk_err`] for ELB deletes: `ResourceInUse` means something still
/// uses the object.
fn delete_err<E>(err: SdkError<E, HttpResponse>, kind: &'static str, id: &str) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    match map_sdk_err(err, kind, id) {
        CloudError::Service { code, message } if code == "ResourceInUse" => {
            CloudError::DependencyViolation(format!("{kind} {id}: {message}"))
        }
        other => other,
    }
}

/// Tags of one object as (key, value) pairs, owned.
type TagList = Vec<(String, Option<String>)>;

fn tagged_for(tags: &TagList, cluster: &str) -> bool {
    for_cluster(
        tags.iter().map(|(k, v)| (k.as_str(), v.as_deref())),
        cluster,
    )
}

/// The ELB and EC2 calls that find and remove what Kubernetes left in a
/// VPC, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsKubeLeftovers {
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
    elb: aws_sdk_elasticloadbalancing::Client,
    ec2: aws_sdk_ec2::Client,
    gate: Gate,
}

impl AwsKubeLeftovers {
    /// Wraps the clients (ALB/NLB, classic ELB, EC2); calls pass through
    /// `gate`.
    pub fn new(
        elbv2: aws_sdk_elasticloadbalancingv2::Client,
        elb: aws_sdk_elasticloadbalancing::Client,
        ec2: aws_sdk_ec2::Client,
        gate: Gate,
    ) -> AwsKubeLeftovers {
        AwsKubeLeftovers {
            elbv2,
            elb,
            ec2,
            gate,
        }
    }

    /// Sends one request while holding a permit of the gate.
    async fn call<T, E>(
        &self,
        request: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, SdkError<E, HttpResponse>> {
        let _permit = self.gate.enter().await;
        request.await
    }

    /// The ALBs and NLBs in `vpc_id` (ARN, security groups), every page.
    async fn v2_in_vpc(&self, vpc_id: &str) -> CloudResult<Vec<(String, Vec<String>)>> {
        let mut stream = self.elbv2.describe_load_balancers().into_paginator().send();
        let mut out = Vec::new();
        loop {
            let permit = self.gate.enter().await;
            let Some(page) = stream.next().await else {
                return Ok(out);
            };
            drop(permit);
            let page = page.map_err(|e| map_sdk_err(e, "load balancers in VPC", vpc_id))?;
            for lb in page.load_balancers() {
                if let (Some(arn), Some(vpc)) = (lb.load_balancer_arn(), lb.vpc_id())
                    && vpc == vpc_id
                {
                    out.push((arn.to_string(), lb.security_groups().to_vec()));
                }
            }
        }
    }

    /// The classic ELBs in `vpc_id` (name, security groups), every page.
    async fn classic_in_vpc(&self, vpc_id: &str) -> CloudResult<Vec<(String, Vec<String>)>> {
        let mut stream = self.elb.describe_load_balancers().into_paginator().send();
        let mut out = Vec::new();
        loop {
            let permit = self.gate.enter().await;
            let Some(page) = stream.next().await else {
                return Ok(out);
            };
            drop(permit);
            let page = page.map_err(|e| map_sdk_err(e, "classic load balancers in VPC", vpc_id))?;
            for lb in page.load_balancer_descriptions() {
                if let (Some(name), Some(vpc)) = (lb.load_balancer_name(), lb.vpc_id())
                    && vpc == vpc_id
                {
                    out.push((name.to_string(), lb.security_groups().to_vec()));
                }
            }
        }
    }

    /// The tags of ALBs, NLBs or target groups by ARN (one request per 20).
    async fn v2_tags(&self, arns: &[String]) -> CloudResult<Vec<(String, TagList)>> {
        batched(arns, |batch| self.v2_tag_batch(batch)).await
    }

    async fn v2_tag_batch(&self, arns: Vec<String>) -> CloudResult<Vec<(String, TagList)>> {
        let request = self
            .elbv2
            .describe_tags()
            .set_resource_arns(Some(arns.clone()))
            .send();
        let first = arns.first().map(String::as_str).unwrap_or_default();
        let out = self
            .call(request)
            .await
            .map_err(|e| map_sdk_err(e, "load balancer", first))?;
        Ok(out
            .tag_descriptions()
            .iter()
            .filter_map(|d| {
                let tags = d.tags().iter().filter_map(|t| {
                    let key = t.key()?.to_string();
                    Some((key, t.value().map(str::to_string)))
                });
                Some((d.resource_arn()?.to_string(), tags.collect()))
            })
            .collect())
    }

    /// The tags of classic ELBs by name (one request per 20).
    async fn classic_tags(&self, names: &[String]) -> CloudResult<Vec<(String, TagList)>> {
        batched(names, |batch| self.classic_tag_batch(batch)).await
    }

    async fn classic_tag_batch(&self, names: Vec<String>) -> CloudResult<Vec<(String, TagList)>> {
        let request = self
            .elb
            .describe_tags()
            .set_load_balancer_names(Some(names.clone()))
            .send();
        let first = names.first().map(String::as_str).unwrap_or_default();
        let out = self
            .call(request)
            .await
            .map_err(|e| map_sdk_err(e, "classic load balancer", first))?;
        Ok(out
            .tag_descriptions()
            .iter()
            .filter_map(|d| {
                let tags = d
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().map(str::to_string)));
                Some((d.load_balancer_name()?.to_string(), tags.collect()))
            })
            .collect())
    }

    /// The ARNs of the target groups the listeners of ALB/NLB `arn` send
    /// to; `NotFound` when the load balancer is gone.
    async fn target_groups_of(&self, arn: &str) -> CloudResult<Vec<String>> {
        let mut stream = self
            .elbv2
            .describe_target_groups()
            .load_balancer_arn(arn)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        loop {
            let permit = self.gate.enter().await;
            let Some(page) = stream.next().await else {
                return Ok(out);
            };
            drop(permit);
            let page = match page {
                Ok(page) => page,
                // moto says so for a load balancer without target groups
                // (AWS answers an empty list).
                Err(e) if code_of(&e) == Some("TargetGroupNotFound") => return Ok(out),
                Err(e) => return Err(map_sdk_err(e, "load balancer", arn)),
            };
            let arns = page
                .target_groups()
                .iter()
                .filter_map(|g| g.target_group_arn());
            out.extend(arns.map(str::to_string));
        }
    }

    /// Deletes a target group; gone already is done. While the listeners
    /// of the load balancer just deleted still hold it, tries again a few
    /// times (15 s in all), then says `DependencyViolation`.
    async fn delete_target_group(&self, arn: &str) -> CloudResult<()> {
        let mut waits = TARGET_GROUP_RELEASE.iter();
        loop {
            let request = self
                .elbv2
                .delete_target_group()
                .target_group_arn(arn)
                .send();
            match self.call(request).await {
                Ok(_) => return Ok(()),
                Err(e) => match delete_err(e, "target group", arn) {
                    e if e.is_not_found() => return Ok(()),
                    CloudError::DependencyViolation(why) => match waits.next() {
                        Some(wait) => tokio::time::sleep(*wait).await,
                        None => return Err(CloudError::DependencyViolation(why)),
                    },
                    other => return Err(other),
                },
            }
        }
    }

    /// Deletes ALB/NLB `arn`, then the target groups it sent to that
    /// Kubernetes tagged for `cluster` (its listeners go with it).
    async fn delete_v2(&self, arn: &str, cluster: &str) -> CloudResult<()> {
        let groups = self.target_groups_of(arn).await?;
        let tagged = self.v2_tags(&groups).await?;
        let request = self
            .elbv2
            .delete_load_balancer()
            .load_balancer_arn(arn)
            .send();
        self.call(request)
            .await
            .map_err(|e| delete_err(e, "load balancer", arn))?;
        for (group, tags) in &tagged {
            if tagged_for(tags, cluster) {
                self.delete_target_group(group).await?;
            }
        }
        Ok(())
    }

    /// Deletes classic ELB `name`.
    async fn delete_classic(&self, name: &str) -> CloudResult<()> {
        let request = self
            .elb
            .describe_load_balancers()
            .load_balancer_names(name)
            .send();
        self.call(request)
            .await
            .map_err(|e| map_sdk_err(e, "classic load balancer", name))?;
        let request = self
            .elb
            .delete_load_balancer()
            .load_balancer_name(name)
            .send();
        self.call(request)
            .await
            .map_err(|e| delete_err(e, "classic load balancer", name))?;
        Ok(())
    }

    /// The ids of the security groups in `vpc_id` that `filter` matches,
    /// every page.
    async fn groups(&self, vpc_id: &str, filter: Filter) -> CloudResult<Vec<String>> {
        let request = self
            .ec2
            .describe_security_groups()
            .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
            .filters(filter);
        let mut stream = request.into_paginator().send();
        let mut out = Vec::new();
        loop {
            let permit = self.gate.enter().await;
            let Some(page) = stream.next().await else {
                return Ok(out);
            };
            drop(permit);
            let page = page.map_err(|e| map_sdk_err(e, "security groups in VPC", vpc_id))?;
            let ids = page.security_groups().iter().filter_map(|g| g.group_id());
            out.extend(ids.map(str::to_string));
        }
    }
}

/// Tags of `ids` read [`TAG_BATCH`] at a time by `read`. An object gone
/// meanwhile is left out: a batch that names one is read again one id at a
/// time.
async fn batched<F, Fut>(ids: &[String], read: F) -> CloudResult<Vec<(String, TagList)>>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = CloudResult<Vec<(String, TagList)>>>,
{
    let mut out = Vec::new();
    for batch in ids.chunks(TAG_BATCH) {
        match read(batch.to_vec()).await {
            Ok(tags) => out.extend(tags),
            Err(e) if e.is_not_found() => {
                for id in batch {
                    match read(vec![id.clone()]).await {
                        Ok(tags) => out.extend(tags),
                        Err(e) if e.is_not_found() => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[async_trait]
impl KubeLeftoversApi for AwsKubeLeftovers {
    async fn vpc_of_subnet(&self, subnet_id: &str) -> CloudResult<Option<String>> {
        let _permit = self.gate.enter().await;
        match self
            .ec2
            .describe_subnets()
            .subnet_ids(subnet_id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .subnets()
                .first()
                .and_then(|s| s.vpc_id())
                .map(str::to_string)),
            Err(e) => match map_sdk_err(e, "subnet", subnet_id) {
                CloudError::NotFound { .. } => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn list_kube_load_balancers(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<KubeLoadBalancer>> {
        let (v2, classic) =
            futures::try_join!(self.v2_in_vpc(vpc_id), self.classic_in_vpc(vpc_id))?;
        let v2_ids: Vec<String> = v2.iter().map(|(arn, _)| arn.clone()).collect();
        let classic_ids: Vec<String> = classic.iter().map(|(name, _)| name.clone()).collect();
        let (v2_tags, classic_tags) =
            futures::try_join!(self.v2_tags(&v2_ids), self.classic_tags(&classic_ids))?;
        let kept = |found: Vec<(String, Vec<String>)>, tags: &[(String, TagList)], classic| {
            found
                .into_iter()
                .filter(|(id, _)| {
                    tags.iter()
                        .any(|(t, tags)| t == id && tagged_for(tags, cluster))
                })
                .map(move |(id, security_groups)| KubeLoadBalancer {
                    id,
                    classic,
                    security_groups,
                })
                .collect::<Vec<_>>()
        };
        let mut out = kept(v2, &v2_tags, false);
        out.extend(kept(classic, &classic_tags, true));
        Ok(out)
    }

    async fn delete_load_balancer(&self, lb: &KubeLoadBalancer, cluster: &str) -> CloudResult<()> {
        if lb.classic {
            self.delete_classic(&lb.id).await
        } else {
            self.delete_v2(&lb.id, cluster).await
        }
    }

    async fn list_kube_security_groups(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<String>> {
        let in_tree = Filter::builder()
            .name("tag-key")
            .values(format!("{CLUSTER_TAG_PREFIX}{cluster}"))
            .build();
        let controller = Filter::builder()
            .name(format!("tag:{CONTROLLER_TAG}"))
            .values(cluster)
            .build();
        let (a, b) = futures::try_join!(
            self.groups(vpc_id, in_tree),
            self.groups(vpc_id, controller)
        )?;
        let all: BTreeSet<String> = a.into_iter().chain(b).collect();
        Ok(all.into_iter().collect())
    }

    async fn delete_kube_security_group(&self, group_id: &str) -> CloudResult<()> {
        let request = self.ec2.delete_security_group().group_id(group_id).send();
        self.call(request)
            .await
            .map_err(|e| map_sdk_err(e, "security group", group_id))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_tag_marks_a_cluster_and_only_that_cluster() {
        let tags = |pairs: &[(&'static str, Option<&'static str>)]| pairs.to_vec();
        let in_tree = tags(&[("kubernetes.io/cluster/c1", Some("owned"))]);
        assert!(for_cluster(in_tree.clone(), "c1"));
        assert!(
            !for_cluster(in_tree, "c"),
            "a prefix of the name is another cluster"
        );
        let shared = tags(&[("kubernetes.io/cluster/c1", None)]);
        assert!(for_cluster(shared, "c1"), "any value, even none");
        let controller = tags(&[("elbv2.k8s.aws/cluster", Some("c1"))]);
        assert!(for_cluster(controller.clone(), "c1"));
        assert!(!for_cluster(controller, "c2"));
        let other = tags(&[("service.k8s.aws/stack", Some("c1")), ("Name", Some("c1"))]);
        assert!(!for_cluster(other, "c1"));
    }
}
