//! The Elastic IP of a NAT gateway. A replaced NAT gateway gets a new
//! address (the old one is still held by the old gateway until it is
//! deleted, which happens only once the private routes use the new one).

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudResult, ElasticIp, NetworkApi, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

/// Elastic IPs, on EC2.
pub struct ElasticIps(pub Arc<dyn NetworkApi>);

/// An Elastic IP has nothing to configure.
#[derive(Debug, Clone, PartialEq)]
pub struct ElasticIpSpec;

#[async_trait]
impl Kind for ElasticIps {
    type Spec = ElasticIpSpec;
    type Seen = ElasticIp;
    const NAME: &'static str = "eip";
    const NOUN: &'static str = "Elastic IP";

    fn deps(_: &ElasticIpSpec) -> Vec<Dep> {
        Vec::new()
    }

    fn meta(seen: &ElasticIp) -> Meta {
        Meta {
            id: seen.allocation_id.clone(),
            tags: seen.tags.clone(),
            ..Meta::default()
        }
    }

    fn diff(_: &ElasticIpSpec, _: &ElasticIp, _: &Ids) -> Vec<Change> {
        Vec::new()
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<ElasticIp>> {
        self.0.list_elastic_ips(stack).await
    }

    async fn create(&self, _: &ElasticIpSpec, _: &Ids, tags: &Tags) -> CloudResult<ElasticIp> {
        self.0.allocate_elastic_ip(tags).await
    }

    async fn update(&self, _: &ElasticIpSpec, _: &ElasticIp, _: &Ids) -> CloudResult<()> {
        Ok(())
    }

    async fn retag(&self, seen: &ElasticIp, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.allocation_id, set, remove).await
    }

    async fn delete(&self, seen: &ElasticIp) -> CloudResult<()> {
        self.0.release_elastic_ip(&seen.allocation_id).await
    }
}
