//! The stack's internet gateway, attached to its VPC.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudResult, InternetGateway, NetworkApi, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

use super::ignore_not_found;

/// Internet gateways, on EC2.
pub struct InternetGateways(pub Arc<dyn NetworkApi>);

/// What the stack wants of its internet gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct InternetGatewaySpec {
    /// The VPC it is attached to.
    pub vpc: Key,
}

#[async_trait]
impl Kind for InternetGateways {
    type Spec = InternetGatewaySpec;
    type Seen = InternetGateway;
    const NAME: &'static str = "igw";
    const NOUN: &'static str = "internet gateway";

    fn deps(spec: &InternetGatewaySpec) -> Vec<Dep> {
        vec![Dep::ready(spec.vpc.clone())]
    }

    fn meta(seen: &InternetGateway) -> Meta {
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            refs: seen.attached_vpc_ids.clone(),
            ..Meta::default()
        }
    }

    fn diff(spec: &InternetGatewaySpec, seen: &InternetGateway, ids: &Ids) -> Vec<Change> {
        let vpc = ids.get(&spec.vpc);
        let attached = |v: &str| vpc == Some(v);
        let mut changes = Vec::new();
        // Attached to another VPC (the stack's VPC is replaced): a new gateway
        // serves the new VPC while the old one keeps serving the old VPC until
        // it goes with it.
        if seen.attached_vpc_ids.iter().any(|v| !attached(v)) {
            changes.push(Change::replace("its VPC is replaced"));
        } else if seen.attached_vpc_ids.is_empty() {
            changes.push(Change::update("attach to the VPC"));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<InternetGateway>> {
        self.0.list_internet_gateways(stack).await
    }

    async fn create(
        &self,
        _: &InternetGatewaySpec,
        _: &Ids,
        tags: &Tags,
    ) -> CloudResult<InternetGateway> {
        self.0.create_internet_gateway(tags).await
    }

    async fn update(
        &self,
        spec: &InternetGatewaySpec,
        seen: &InternetGateway,
        ids: &Ids,
    ) -> CloudResult<()> {
        let vpc = ids.need(&spec.vpc)?;
        for other in seen.attached_vpc_ids.iter().filter(|v| **v != vpc) {
            ignore_not_found(self.0.detach_internet_gateway(&seen.id, other).await)?;
        }
        if !seen.attached_vpc_ids.contains(&vpc) {
            self.0.attach_internet_gateway(&seen.id, &vpc).await?;
        }
        Ok(())
    }

    async fn retag(
        &self,
        seen: &InternetGateway,
        set: &Tags,
        remove: &[String],
    ) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &InternetGateway) -> CloudResult<()> {
        for vpc in &seen.attached_vpc_ids {
            ignore_not_found(self.0.detach_internet_gateway(&seen.id, vpc).await)?;
        }
        self.0.delete_internet_gateway(&seen.id).await
    }
}
