//! The stack's VPC: its CIDR (a change replaces it, and everything in it)
//! and DNS support and hostnames (both on; converged in place).

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudResult, NetworkApi, Tags, Vpc};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

/// VPCs, on EC2.
pub struct Vpcs(pub Arc<dyn NetworkApi>);

/// What the stack wants of its VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcSpec {
    /// IPv4 CIDR.
    pub cidr_block: String,
}

#[async_trait]
impl Kind for Vpcs {
    type Spec = VpcSpec;
    type Seen = Vpc;
    const NAME: &'static str = "vpc";
    const NOUN: &'static str = "VPC";

    fn deps(_: &VpcSpec) -> Vec<Dep> {
        Vec::new()
    }

    fn meta(seen: &Vpc) -> Meta {
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            ..Meta::default()
        }
    }

    fn diff(spec: &VpcSpec, seen: &Vpc, _: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if seen.cidr_block != spec.cidr_block {
            changes.push(Change::replace(format!(
                "cidr_block {} -> {}",
                seen.cidr_block, spec.cidr_block
            )));
        }
        if !seen.dns_support {
            changes.push(Change::update("DNS support off -> on"));
        }
        if !seen.dns_hostnames {
            changes.push(Change::update("DNS hostnames off -> on"));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Vpc>> {
        self.0.list_vpcs(stack).await
    }

    async fn create(&self, spec: &VpcSpec, _: &Ids, tags: &Tags) -> CloudResult<Vpc> {
        self.0.create_vpc(&spec.cidr_block, tags).await
    }

    async fn update(&self, _: &VpcSpec, seen: &Vpc, _: &Ids) -> CloudResult<()> {
        self.0.set_vpc_dns(&seen.id, true, true).await
    }

    async fn retag(&self, seen: &Vpc, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &Vpc) -> CloudResult<()> {
        self.0.delete_vpc(&seen.id).await
    }
}
