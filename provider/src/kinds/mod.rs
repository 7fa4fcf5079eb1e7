//! One file per AWS object kind, each an implementation of
//! [`crate::reconcile::Kind`] over the cloud traits. The engine knows none
//! of them by name; a stack's blueprint lists the ones it uses.

pub mod elastic_ip;
pub mod internet_gateway;
pub mod kms_key;
pub mod nat_gateway;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod vpc;

use std::sync::Arc;

use crate::cloud::{CloudResult, KmsApi, NetworkApi};
use crate::reconcile::{AnyKind, erase};

/// Every kind the stack uses, on the given clouds.
pub fn all(network: &Arc<dyn NetworkApi>, kms: &Arc<dyn KmsApi>) -> Vec<Arc<dyn AnyKind>> {
    vec![
        erase(vpc::Vpcs(network.clone())),
        erase(subnet::Subnets(network.clone())),
        erase(internet_gateway::InternetGateways(network.clone())),
        erase(elastic_ip::ElasticIps(network.clone())),
        erase(nat_gateway::NatGateways(network.clone())),
        erase(route_table::RouteTables(network.clone())),
        erase(security_group::SecurityGroups(network.clone())),
        erase(kms_key::KmsKeys(kms.clone())),
    ]
}

/// `Ok` when the call failed only because its object is already gone.
pub(crate) fn ignore_not_found(r: CloudResult<()>) -> CloudResult<()> {
    match r {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}
