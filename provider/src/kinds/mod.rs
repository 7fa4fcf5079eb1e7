//! One file per AWS object kind, each an implementation of
//! [`crate::reconcile::Kind`] over the cloud traits. The engine knows none
//! of them by name; a stack's blueprint lists the ones it uses.

pub mod access_entry;
pub mod addon;
pub mod alarm;
pub mod bucket;
pub mod dashboard;
pub mod db_instance;
pub mod db_parameter_group;
pub mod db_subnet_group;
pub mod eks_cluster;
pub mod elastic_ip;
pub mod flow_log;
pub mod iam_role;
pub mod internet_gateway;
pub mod kms_key;
pub mod log_group;
pub mod nat_gateway;
pub mod node_group;
pub mod oidc_provider;
pub mod route_table;
pub mod secret;
pub mod security_group;
pub mod subnet;
pub mod topic;
pub mod vpc;

use std::sync::Arc;

use crate::cloud::CloudResult;
use crate::reconcile::{AnyKind, erase};
use crate::stack::engine::Clouds;

/// Every kind the stack uses, on the given clouds.
pub fn all(clouds: &Clouds) -> Vec<Arc<dyn AnyKind>> {
    let mut kinds = network_and_key(clouds, true);
    kinds.extend(cluster(clouds));
    kinds.extend(database(clouds));
    kinds.extend(storage(clouds));
    kinds.extend(monitoring(clouds));
    kinds
}

/// The kinds of the monitoring (its flow logs' role is of the cluster's
/// role kind: [`crate::stack::engine`] adds that kind when the stack has no
/// cluster).
pub fn monitoring(clouds: &Clouds) -> Vec<Arc<dyn AnyKind>> {
    let api = &clouds.monitoring;
    vec![
        erase(log_group::LogGroups(api.clone())),
        erase(topic::Topics(api.clone())),
        erase(alarm::Alarms(api.clone())),
        erase(dashboard::Dashboards {
            api: api.clone(),
            region: clouds.region.clone(),
        }),
        erase(flow_log::FlowLogs(api.clone())),
    ]
}

/// The IAM role kind alone (the flow logs' role of a stack without a
/// cluster).
pub fn roles(clouds: &Clouds) -> Arc<dyn AnyKind> {
    erase(iam_role::Roles {
        iam: clouds.iam.clone(),
        region: clouds.region.clone(),
    })
}

/// The kinds of the cluster (read again after an apply for its outputs).
pub fn cluster(clouds: &Clouds) -> Vec<Arc<dyn AnyKind>> {
    let (iam, eks) = (&clouds.iam, &clouds.eks);
    vec![
        erase(iam_role::Roles {
            iam: iam.clone(),
            region: clouds.region.clone(),
        }),
        erase(eks_cluster::Clusters::new(
            eks.clone(),
            clouds.leftovers.clone(),
        )),
        erase(oidc_provider::OidcProviders {
            iam: iam.clone(),
            eks: eks.clone(),
        }),
        erase(node_group::NodeGroups(eks.clone())),
        erase(addon::Addons(eks.clone())),
        erase(access_entry::AccessEntries(eks.clone())),
    ]
}

/// The kinds of the database (its security group is the network's).
pub fn database(clouds: &Clouds) -> Vec<Arc<dyn AnyKind>> {
    vec![
        erase(db_subnet_group::DbSubnetGroups(clouds.rds.clone())),
        erase(db_parameter_group::DbParameterGroups(clouds.rds.clone())),
        erase(db_instance::DbInstances(clouds.rds.clone())),
        erase(secret::Secrets(clouds.secrets.clone())),
    ]
}

/// The kinds of the storage.
pub fn storage(clouds: &Clouds) -> Vec<Arc<dyn AnyKind>> {
    vec![erase(bucket::Buckets(clouds.storage.clone()))]
}

/// The kinds of the network and the key (every stack has them); the key's
/// policy is read when `monitoring` (it must let CloudWatch use the key).
pub fn network_and_key(clouds: &Clouds, monitoring: bool) -> Vec<Arc<dyn AnyKind>> {
    let (network, kms) = (&clouds.network, &clouds.kms);
    vec![
        erase(vpc::Vpcs(network.clone())),
        erase(subnet::Subnets(network.clone())),
        erase(internet_gateway::InternetGateways(network.clone())),
        erase(elastic_ip::ElasticIps(network.clone())),
        erase(nat_gateway::NatGateways(network.clone())),
        erase(route_table::RouteTables(network.clone())),
        erase(security_group::SecurityGroups(network.clone())),
        erase(kms_key::KmsKeys(kms.clone(), monitoring)),
    ]
}

/// Whether two JSON documents (policies, possibly URL-encoded as IAM
/// returns them) say the same, key order and spacing aside.
pub(crate) fn same_json(a: &str, b: &str) -> bool {
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// `Ok` when the call failed only because its object is already gone.
pub(crate) fn ignore_not_found(r: CloudResult<()>) -> CloudResult<()> {
    match r {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}
