//! A public or private subnet in one availability zone. Its CIDR and zone
//! can only change by replacement; `map_public_ip_on_launch` converges in
//! place. Before a subnet is deleted, network interfaces left in it are
//! handled: available ones (left by deleted load balancers) are deleted,
//! ones in use by something else are reported by id and never touched.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudError, CloudResult, NetworkApi, Subnet, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// Subnets, on EC2.
pub struct Subnets(pub Arc<dyn NetworkApi>);

/// What the stack wants of one subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct SubnetSpec {
    /// Its VPC.
    pub vpc: Key,
    /// IPv4 CIDR.
    pub cidr_block: String,
    /// Availability zone.
    pub zone: String,
    /// Public (instances get a public IP) or private.
    pub public: bool,
}

#[async_trait]
impl Kind for Subnets {
    type Spec = SubnetSpec;
    type Seen = Subnet;
    const NAME: &'static str = "subnet";
    const NOUN: &'static str = "subnet";

    fn deps(spec: &SubnetSpec) -> Vec<Dep> {
        vec![Dep::ready(spec.vpc.clone())]
    }

    fn meta(seen: &Subnet) -> Meta {
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            refs: vec![seen.vpc_id.clone()],
            ..Meta::default()
        }
    }

    fn diff(spec: &SubnetSpec, seen: &Subnet, ids: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if !ids.is(&spec.vpc, &seen.vpc_id) {
            changes.push(Change::replace("its VPC is replaced"));
        }
        if seen.cidr_block != spec.cidr_block {
            changes.push(Change::replace(format!(
                "cidr_block {} -> {}",
                seen.cidr_block, spec.cidr_block
            )));
        }
        if seen.availability_zone != spec.zone {
            changes.push(Change::replace(format!(
                "availability zone {} -> {}",
                seen.availability_zone, spec.zone
            )));
        }
        if seen.map_public_ip_on_launch != spec.public {
            changes.push(Change::update(format!(
                "map_public_ip_on_launch {} -> {}",
                seen.map_public_ip_on_launch, spec.public
            )));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Subnet>> {
        self.0.list_subnets(stack).await
    }

    async fn create(&self, spec: &SubnetSpec, ids: &Ids, tags: &Tags) -> CloudResult<Subnet> {
        let vpc = ids.need(&spec.vpc)?;
        self.0
            .create_subnet(&vpc, &spec.cidr_block, &spec.zone, tags)
            .await
    }

    async fn update(&self, spec: &SubnetSpec, seen: &Subnet, _: &Ids) -> CloudResult<()> {
        self.0.set_subnet_public_ip(&seen.id, spec.public).await
    }

    async fn retag(&self, seen: &Subnet, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &Subnet) -> CloudResult<()> {
        let mut foreign = Vec::new();
        let mut waiting = false;
        for eni in self.0.subnet_interfaces(&seen.id).await? {
            if !eni.in_use {
                tracing::info!(interface = %eni.id, description = %eni.description, "deleting a detached network interface left in the subnet");
                super::ignore_not_found(self.0.delete_interface(&eni.id).await)?;
            } else if eni.description.contains("NAT Gateway") {
                // Our own NAT gateway's interface, going away with it.
                waiting = true;
            } else {
                foreign.push(format!("{} ({})", eni.id, eni.description));
            }
        }
        if !foreign.is_empty() {
            return Err(CloudError::Service {
                code: "InterfacesInUse".into(),
                message: format!(
                    "subnet {} holds network interfaces in use by something this stack does not own: {}. \
                     They were not deleted: delete what uses them (for Kubernetes load balancers, delete their \
                     Services), then run the operation again",
                    seen.id,
                    foreign.join(", ")
                ),
            });
        }
        if waiting {
            return Err(CloudError::DependencyViolation(format!(
                "subnet {}: a NAT gateway's interface is still in it",
                seen.id
            )));
        }
        self.0.delete_subnet(&seen.id).await
    }
}
