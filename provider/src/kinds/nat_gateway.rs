//! A NAT gateway in a public subnet, with its own Elastic IP. It takes
//! minutes to become available and to go away; both are waited on.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::cloud::{CloudResult, NatGateway, NatState, NetworkApi, Tags};
use crate::reconcile::{Change, Dep, Expect, Ids, Key, Kind, Meta, Progress};

/// NAT gateways, on EC2.
pub struct NatGateways(pub Arc<dyn NetworkApi>);

/// What the stack wants of one NAT gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct NatGatewaySpec {
    /// Its public subnet.
    pub subnet: Key,
    /// Its Elastic IP (held exclusively: a replaced gateway gets a new one).
    pub address: Key,
    /// The internet gateway, which must be attached first.
    pub internet_gateway: Key,
}

#[async_trait]
impl Kind for NatGateways {
    type Spec = NatGatewaySpec;
    type Seen = NatGateway;
    const NAME: &'static str = "nat";
    const NOUN: &'static str = "NAT gateway";

    fn deps(spec: &NatGatewaySpec) -> Vec<Dep> {
        vec![
            Dep::ready(spec.subnet.clone()),
            Dep::exclusive(spec.address.clone()),
            Dep::ready(spec.internet_gateway.clone()),
        ]
    }

    fn meta(seen: &NatGateway) -> Meta {
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: std::iter::once(seen.subnet_id.clone())
                .chain(seen.allocation_id.clone())
                .collect(),
        }
    }

    fn diff(spec: &NatGatewaySpec, seen: &NatGateway, ids: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if !ids.is(&spec.subnet, &seen.subnet_id) {
            changes.push(Change::replace("its public subnet is replaced"));
        }
        if seen
            .allocation_id
            .as_deref()
            .is_none_or(|a| !ids.is(&spec.address, a))
        {
            changes.push(Change::replace("it gets a new Elastic IP"));
        }
        if seen.state == NatState::Failed {
            changes.push(Change::replace("it failed"));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<NatGateway>> {
        self.0.list_nat_gateways(stack).await
    }

    async fn create(
        &self,
        spec: &NatGatewaySpec,
        ids: &Ids,
        tags: &Tags,
    ) -> CloudResult<NatGateway> {
        let subnet = ids.need(&spec.subnet)?;
        let address = ids.need(&spec.address)?;
        self.0.create_nat_gateway(&subnet, &address, tags).await
    }

    async fn update(&self, _: &NatGatewaySpec, _: &NatGateway, _: &Ids) -> CloudResult<()> {
        Ok(())
    }

    async fn retag(&self, seen: &NatGateway, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &NatGateway) -> CloudResult<()> {
        self.0.delete_nat_gateway(&seen.id).await
    }

    fn expect(&self) -> Expect {
        Expect {
            ready: Duration::from_secs(120),
            gone: Duration::from_secs(60),
            ..Expect::default()
        }
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        Ok(match self.0.get_nat_gateway(id).await?.state {
            NatState::Available => Progress::Done,
            NatState::Pending => Progress::Pending,
            other => Progress::Failed(format!("it went to state {other:?} instead of available")),
        })
    }

    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        match self.0.get_nat_gateway(id).await {
            Ok(n) if n.state == NatState::Deleted => Ok(Progress::Done),
            Ok(_) => Ok(Progress::Pending),
            Err(e) if e.is_not_found() => Ok(Progress::Done),
            Err(e) => Err(e),
        }
    }
}
