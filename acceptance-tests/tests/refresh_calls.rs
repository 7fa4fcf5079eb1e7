//! How many AWS requests a refresh of an unchanged stack sends, counted at
//! the HTTP level by the SDK interceptor of the provider's own clients
//! (every attempt counts). Prints the figure for the note.

use std::collections::BTreeMap;
use std::sync::Arc;

use acceptance_tests::{Emulator, Target};
use tfplugin::Context;
use todo_provider::cloud::aws::AwsClients;
use todo_provider::reconcile::Polling;
use todo_provider::stack::engine::Clouds;
use todo_provider::stack::model::{NetworkState, StackState};
use todo_provider::stack::plan::with_defaults;
use todo_provider::stack::{CloudSource, Stacks};

/// One describe per EC2 kind (7) + the VPC's two DNS attributes, and for
/// the key: the tagging API, DescribeKey, GetKeyRotationStatus, ListAliases.
const MOTO_REFRESH_CALLS: u64 = 7 + 2 + 4;

/// Stacks on the emulator's real clients in us-east-1.
fn stacks_on(clients: &AwsClients, default_tags: BTreeMap<String, String>) -> Stacks {
    Stacks::new(
        CloudSource::Fixed(Box::new(Clouds {
            network: Arc::new(clients.network()),
            kms: Arc::new(clients.kms()),
            iam: Arc::new(clients.iam()),
            eks: Arc::new(clients.eks()),
            leftovers: Arc::new(clients.kube_leftovers()),
            rds: Arc::new(clients.rds()),
            secrets: Arc::new(clients.secrets()),
            storage: Arc::new(clients.storage()),
            monitoring: Arc::new(clients.monitoring()),
            default_tags,
            region: "us-east-1".into(),
            account: Some("123456789012".into()),
        })),
        Polling::default(),
    )
}

/// Applies `want`, then counts the requests of one refresh, which must
/// find no drift.
async fn refresh_requests(stacks: &Stacks, clients: &AwsClients, want: &StackState) -> u64 {
    let ctx = Context {
        stop: tokio_util::sync::CancellationToken::new(),
    };
    let (state, d) = stacks.apply(&ctx, None, want).await;
    assert!(!d.has_errors(), "{d:?}");
    let state = state.unwrap();
    let before = clients.calls.get();
    let refreshed = stacks.read(&ctx, &state).await.unwrap().unwrap();
    let calls = clients.calls.get() - before;
    assert_eq!(
        refreshed, state,
        "the refresh found drift in an unchanged stack"
    );
    calls
}

#[tokio::test]
async fn a_refresh_of_an_unchanged_three_zone_network_with_its_key_makes_13_requests() {
    let emulator = Emulator::start();
    let clients = AwsClients::from_sdk(emulator.sdk_config().await);
    let stacks = stacks_on(
        &clients,
        BTreeMap::from([("team".to_string(), "platform".to_string())]),
    );
    let want = with_defaults(&StackState {
        name: "acc-calls".into(),
        network: NetworkState {
            cidr_block: "10.0.0.0/16".into(),
            availability_zones: vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            nat_gateways: Some("one_per_az".into()),
            ..Default::default()
        },
        ..Default::default()
    });
    let calls = refresh_requests(&stacks, &clients, &want).await;
    println!(
        "refresh of an unchanged 3-zone network (one NAT per zone) with its KMS key on {}: {calls} AWS requests",
        Target::from_env().name()
    );
    let expected = match Target::from_env() {
        Target::Moto => MOTO_REFRESH_CALLS,
        // LocalStack's tagging API lists no KMS key: the stack's alias is
        // resolved and the key's tags read instead, 2 more requests.
        Target::LocalStack => MOTO_REFRESH_CALLS + 2,
    };
    assert_eq!(calls, expected);
}

/// The network and key's 13, and for the cluster: DescribeCluster;
/// ListNodegroups + a DescribeNodegroup per group (2); ListAddons and
/// ListAccessEntries (moto serves neither: one 404 each; on AWS add one
/// DescribeAddon per add-on and two calls per access entry); ListRoles +
/// ListRoleTags and ListAttachedRolePolicies per role (2);
/// ListOpenIDConnectProviders + GetOpenIDConnectProvider.
const MOTO_CLUSTER_REFRESH_CALLS: u64 = MOTO_REFRESH_CALLS + 1 + 3 + 1 + 1 + 5 + 2;

#[tokio::test]
async fn a_refresh_of_an_unchanged_stack_with_a_cluster_and_two_node_groups_makes_26_requests() {
    use todo_provider::stack::model::{ClusterState, NodeGroupState};
    let emulator = Emulator::start();
    if !emulator.target.serves("eks") {
        println!("SKIPPED: {} does not serve EKS", emulator.target.name());
        return;
    }
    let clients = AwsClients::from_sdk(emulator.sdk_config().await);
    let stacks = stacks_on(&clients, BTreeMap::new());
    let group = |min| NodeGroupState {
        min_size: min,
        max_size: 4,
        ..Default::default()
    };
    let want = with_defaults(&StackState {
        name: "acc-calls-eks".into(),
        network: NetworkState {
            cidr_block: "10.0.0.0/16".into(),
            availability_zones: vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            nat_gateways: Some("one_per_az".into()),
            ..Default::default()
        },
        cluster: Some(ClusterState {
            version: "1.31".into(),
            addons: Some(BTreeMap::new()),
            node_groups: Some(BTreeMap::from([
                ("general".to_string(), group(2)),
                ("batch".to_string(), group(0)),
            ])),
            ..Default::default()
        }),
        ..Default::default()
    });
    let calls = refresh_requests(&stacks, &clients, &want).await;
    println!(
        "refresh of an unchanged 3-zone stack with its key, a cluster and two node groups on moto: {calls} AWS requests"
    );
    assert_eq!(calls, MOTO_CLUSTER_REFRESH_CALLS);
}

/// The full stack `name`: a 3-zone network with a NAT per zone, the key, a
/// cluster with two node groups, a multi-AZ PostgreSQL with two replicas
/// and the bucket; with monitoring (an email subscription) when `monitored`.
fn full_stack(name: &str, monitored: bool) -> StackState {
    use todo_provider::stack::model::{ClusterState, NodeGroupState};
    use todo_provider::stack::model_data::{DatabaseState, ReplicaState, StorageState};
    use todo_provider::stack::model_monitoring::{MonitoringState, SubscriptionState};
    let group = |min| NodeGroupState {
        min_size: min,
        max_size: 4,
        ..Default::default()
    };
    with_defaults(&StackState {
        name: name.into(),
        network: NetworkState {
            cidr_block: "10.0.0.0/16".into(),
            availability_zones: vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            nat_gateways: Some("one_per_az".into()),
            ..Default::default()
        },
        cluster: Some(ClusterState {
            version: "1.31".into(),
            addons: Some(BTreeMap::new()),
            node_groups: Some(BTreeMap::from([
                ("general".to_string(), group(2)),
                ("batch".to_string(), group(0)),
            ])),
            ..Default::default()
        }),
        database: Some(DatabaseState {
            deletion_protection: Some(false),
            replicas: Some(BTreeMap::from([
                ("r1".to_string(), ReplicaState::default()),
                ("r2".to_string(), ReplicaState::default()),
            ])),
            ..Default::default()
        }),
        storage: Some(StorageState::default()),
        monitoring: monitored.then(|| MonitoringState {
            subscriptions: Some(vec![SubscriptionState {
                protocol: "email".into(),
                endpoint: "ops@example.com".into(),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Requests of a refresh of the unchanged full stack (`monitored` or not)
/// on moto; `None` (and a printed reason) where EKS or RDS is not served.
async fn full_stack_refresh(name: &str, monitored: bool) -> Option<u64> {
    let emulator = Emulator::start();
    if !emulator.target.serves("eks") || !emulator.target.serves("rds") {
        println!(
            "SKIPPED: {} does not serve EKS or RDS",
            emulator.target.name()
        );
        return None;
    }
    let clients = AwsClients::from_sdk(emulator.sdk_config().await);
    let stacks = stacks_on(&clients, BTreeMap::new());
    Some(refresh_requests(&stacks, &clients, &full_stack(name, monitored)).await)
}

#[tokio::test]
async fn a_refresh_of_the_unchanged_full_stack_counts_its_requests() {
    let Some(calls) = full_stack_refresh("acc-calls-full", false).await else {
        return;
    };
    println!(
        "refresh of the unchanged full stack (3-zone network, key, cluster with two node groups, multi-AZ \
         PostgreSQL with two replicas, bucket) on moto: {calls} AWS requests"
    );
    assert_eq!(calls, MOTO_FULL_REFRESH_CALLS);
}

/// The cluster stack's 26, and for the data tier: DescribeDBSubnetGroups +
/// ListTagsForResource (2); DescribeDBParameterGroups +
/// ListTagsForResource + DescribeDBParameters (3); DescribeDBInstances
/// (tags inline, primary and replicas: 1); ListSecrets (1); for the
/// bucket versioning, encryption, public access block, ownership, policy
/// and lifecycle (6; the bucket is found by the tagging-API read the key
/// already makes: one GetResources serves every kind found that way).
const MOTO_FULL_REFRESH_CALLS: u64 = MOTO_CLUSTER_REFRESH_CALLS + 2 + 3 + 1 + 1 + 6;

/// The full stack's, and for monitoring: GetKeyPolicy (1; read only for a
/// stack with monitoring); DescribeLogGroups per folder of the stack's
/// groups, `/aws/eks/<stack>/`, `/aws/rds/instance/<id>/`, `/todo/<stack>/`
/// (3); GetTopicAttributes + ListSubscriptionsByTopic (2); DescribeAlarms
/// by name prefix (1); GetDashboard (1); DescribeFlowLogs (1); the flow
/// logs' role: ListRoleTags, ListAttachedRolePolicies, GetRolePolicy (3).
/// Log groups, the topic and the alarms are found by the one shared
/// tagging-API read.
const MOTO_MONITORED_REFRESH_CALLS: u64 = MOTO_FULL_REFRESH_CALLS + 1 + 3 + 2 + 1 + 1 + 1 + 3;

#[tokio::test]
async fn a_refresh_of_the_unchanged_full_stack_with_monitoring_counts_its_requests() {
    let Some(calls) = full_stack_refresh("acc-calls-mon", true).await else {
        return;
    };
    println!(
        "refresh of the unchanged full stack with monitoring (3-zone network, key, cluster with two node groups, \
         multi-AZ PostgreSQL with two replicas, bucket, 4 log groups, topic, 12 alarms, dashboard, flow log) on \
         moto: {calls} AWS requests"
    );
    assert_eq!(calls, MOTO_MONITORED_REFRESH_CALLS);
}
