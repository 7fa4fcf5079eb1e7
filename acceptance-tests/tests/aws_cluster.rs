//! The IAM and EKS implementations of `IamApi` and `EksApi` against the
//! emulator: roles, the OIDC provider, the cluster and its node groups are
//! created, read back (with the number of requests each read sends),
//! changed and deleted; missing objects read as `None` or empty; what moto
//! does not serve (add-ons, access entries, version updates) answers
//! `Unsupported`, which the engine relies on.
//!
//! Every test resets the emulator first: every cluster of one moto process
//! gets the same OIDC issuer.

use std::collections::BTreeMap;

use acceptance_tests::{Emulator, Target};
use aws_sdk_iam::error::ProvideErrorMetadata;
use todo_provider::cloud::aws::AwsClients;
use todo_provider::cloud::aws::cluster::{AwsEks, AwsIam};
use todo_provider::cloud::cluster::{
    CLUSTER_ADMIN_POLICY, Cluster, EksApi, EksStatus, EndpointAccess, IamApi, NewCluster,
    NewNodeGroup, NewRole, NodeGroupChange, Role, Scaling, Taint,
};
use todo_provider::cloud::{CloudError, TAG_STACK, Tags};

const CLUSTER_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";
const WORKER_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy";
const CNI_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy";
const THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/// A reset emulator and the provider's clients on it.
struct Env {
    emulator: Emulator,
    clients: AwsClients,
    iam: AwsIam,
    eks: AwsEks,
}

impl Env {
    /// Starts and resets the emulator, or `None` (with the reason printed)
    /// when the target does not serve EKS and the test needs it.
    async fn start(needs_eks: bool) -> Option<Env> {
        let target = Target::from_env();
        if needs_eks && !target.serves("eks") {
            println!("skipped: {} does not serve EKS", target.name());
            return None;
        }
        let emulator = Emulator::start_target(target);
        emulator.reset();
        let clients = AwsClients::from_sdk(emulator.sdk_config().await);
        Some(Env {
            iam: clients.iam(),
            eks: clients.eks(),
            clients,
            emulator,
        })
    }

    fn calls(&self) -> u64 {
        self.clients.calls.get()
    }

    fn role_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:iam::{}:role/todo/us-east-1/acc/{name}",
            self.emulator.target.account_id()
        )
    }

    /// Subnets in two zones and a security group, made through EC2.
    async fn network(&self) -> (Vec<String>, String) {
        let ec2 = self.clients.ec2();
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.30.0.0/16")
            .send()
            .await
            .expect("create vpc");
        let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id");
        let mut subnets = Vec::new();
        for (i, zone) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let s = ec2
                .create_subnet()
                .vpc_id(vpc_id)
                .cidr_block(format!("10.30.{i}.0/24"))
                .availability_zone(*zone)
                .send()
                .await
                .expect("create subnet");
            subnets.push(
                s.subnet()
                    .and_then(|s| s.subnet_id())
                    .expect("subnet id")
                    .to_string(),
            );
        }
        let sg = ec2
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name("acc-cluster")
            .description("cluster")
            .send()
            .await
            .expect("create security group");
        (subnets, sg.group_id().expect("group id").to_string())
    }

    /// A KMS key for the cluster's secrets.
    async fn key(&self) -> String {
        let key = self
            .clients
            .kms_client()
            .create_key()
            .send()
            .await
            .expect("create key");
        key.key_metadata()
            .and_then(|m| m.arn())
            .expect("key arn")
            .to_string()
    }

    /// The cluster `acc` with its role, network and key.
    async fn cluster(&self) -> Cluster {
        let role = self
            .iam
            .create_role(
                &new_role("acc-cluster", "eks.amazonaws.com"),
                &tags("acc", "cluster-role"),
            )
            .await
            .expect("create cluster role");
        let (subnets, sg) = self.network().await;
        let key = self.key().await;
        self.eks
            .create_cluster(
                &NewCluster {
                    name: "acc".into(),
                    version: "1.31".into(),
                    role_arn: role.arn,
                    subnet_ids: subnets,
                    security_group_ids: vec![sg],
                    access: EndpointAccess {
                        private: true,
                        public: true,
                        public_cidrs: vec!["203.0.113.0/24".into()],
                    },
                    log_types: vec!["api".into(), "audit".into()],
                    encryption_key_arn: key,
                    authentication_mode: "API".into(),
                },
                &tags("acc", "cluster"),
            )
            .await
            .expect("create cluster")
    }

    fn new_group(&self, cluster: &Cluster, name: &str) -> NewNodeGroup {
        NewNodeGroup {
            cluster: cluster.name.clone(),
            name: name.into(),
            version: cluster.version.clone(),
            node_role_arn: self.role_arn("acc-nodes"),
            subnet_ids: cluster.subnet_ids.clone(),
            instance_types: vec!["m6i.large".into()],
            capacity_type: "ON_DEMAND".into(),
            ami_type: "AL2023_x86_64_STANDARD".into(),
            disk_size: 50,
            scaling: Scaling {
                min: 1,
                max: 4,
                desired: 2,
            },
            labels: BTreeMap::from([("role".to_string(), name.to_string())]),
            taints: vec![Taint {
                key: "dedicated".into(),
                value: name.into(),
                effect: "NO_SCHEDULE".into(),
            }],
            max_unavailable_percentage: 33,
        }
    }
}

fn tags(stack: &str, component: &str) -> Tags {
    Tags::from([
        (TAG_STACK.to_string(), stack.to_string()),
        ("todo:component".to_string(), component.to_string()),
    ])
}

fn new_role(name: &str, service: &str) -> NewRole {
    NewRole {
        path: "/todo/us-east-1/acc/".into(),
        name: name.into(),
        service: service.into(),
        description: format!("{name} of stack acc"),
    }
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

fn find<'a>(roles: &'a [Role], name: &str) -> &'a Role {
    roles
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("role {name} in {roles:?}"))
}

#[tokio::test]
async fn roles_are_created_listed_retagged_and_deleted_with_their_policies() {
    let Some(env) = Env::start(false).await else {
        return;
    };
    let cluster_role = env
        .iam
        .create_role(
            &new_role("acc-cluster", "eks.amazonaws.com"),
            &tags("acc", "cluster-role"),
        )
        .await
        .expect("create cluster role");
    assert_eq!(cluster_role.path, "/todo/us-east-1/acc/");
    assert_eq!(cluster_role.service, "eks.amazonaws.com");
    assert_eq!(cluster_role.arn, env.role_arn("acc-cluster"));
    assert!(cluster_role.created.is_some());
    env.iam
        .create_role(
            &new_role("acc-nodes", "ec2.amazonaws.com"),
            &tags("acc", "node-role"),
        )
        .await
        .expect("create node role");
    // Another stack's role, under another path.
    env.iam
        .create_role(
            &NewRole {
                path: "/todo/us-east-1/accother/".into(),
                ..new_role("accother-cluster", "eks.amazonaws.com")
            },
            &tags("accother", "cluster-role"),
        )
        .await
        .expect("create other role");
    env.iam
        .attach_policy("acc-cluster", CLUSTER_POLICY)
        .await
        .expect("attach cluster policy");
    for policy in [WORKER_POLICY, CNI_POLICY] {
        env.iam
            .attach_policy("acc-nodes", policy)
            .await
            .expect("attach node policy");
    }

    let before = env.calls();
    let roles = env
        .iam
        .list_roles("/todo/us-east-1/acc/")
        .await
        .expect("list roles");
    let calls = env.calls() - before;
    println!("list_roles of 2 roles: {calls} requests");
    assert_eq!(
        calls,
        1 + 2 * 2,
        "ListRoles + ListRoleTags and ListAttachedRolePolicies per role"
    );
    assert_eq!(
        sorted(roles.iter().map(|r| r.name.clone()).collect()),
        vec!["acc-cluster", "acc-nodes"]
    );
    let cluster = find(&roles, "acc-cluster");
    assert_eq!(cluster.service, "eks.amazonaws.com");
    assert_eq!(cluster.policies, vec![CLUSTER_POLICY]);
    assert_eq!(cluster.tags, tags("acc", "cluster-role"));
    assert_eq!(cluster.path, "/todo/us-east-1/acc/");
    assert!(cluster.created.is_some());
    let nodes = find(&roles, "acc-nodes");
    assert_eq!(nodes.service, "ec2.amazonaws.com");
    assert_eq!(
        sorted(nodes.policies.clone()),
        sorted(vec![WORKER_POLICY.to_string(), CNI_POLICY.to_string()])
    );

    env.iam
        .detach_policy("acc-nodes", CNI_POLICY)
        .await
        .expect("detach");
    env.iam
        .retag_role(
            "acc-cluster",
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag role");
    let roles = env
        .iam
        .list_roles("/todo/us-east-1/acc/")
        .await
        .expect("list roles");
    assert_eq!(find(&roles, "acc-nodes").policies, vec![WORKER_POLICY]);
    assert_eq!(
        find(&roles, "acc-cluster").tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );

    // Deleting a role with managed and inline policies and an instance profile.
    let raw = env.clients.iam_client();
    raw.put_role_policy()
        .role_name("acc-nodes")
        .policy_name("inline")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("put inline policy");
    raw.create_instance_profile()
        .instance_profile_name("acc-nodes")
        .send()
        .await
        .expect("create instance profile");
    raw.add_role_to_instance_profile()
        .instance_profile_name("acc-nodes")
        .role_name("acc-nodes")
        .send()
        .await
        .expect("add role to instance profile");
    match raw.delete_role().role_name("acc-nodes").send().await {
        Err(e) => println!(
            "a plain DeleteRole of a role in use is refused: {}",
            e.code().unwrap_or("no code")
        ),
        Ok(_) => panic!("DeleteRole of a role with policies succeeded"),
    }
    env.iam
        .delete_role("acc-nodes")
        .await
        .expect("delete node role");
    env.iam
        .delete_role("acc-cluster")
        .await
        .expect("delete cluster role");
    match env.iam.delete_role("acc-nodes").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
    let roles = env
        .iam
        .list_roles("/todo/us-east-1/acc/")
        .await
        .expect("list roles");
    assert!(roles.is_empty(), "{roles:?}");
    let others = env
        .iam
        .list_roles("/todo/us-east-1/accother/")
        .await
        .expect("list other roles");
    assert_eq!(others.len(), 1, "{others:?}");
}

#[tokio::test]
async fn the_oidc_provider_of_a_cluster_is_created_listed_retagged_and_deleted() {
    let Some(env) = Env::start(true).await else {
        return;
    };
    let cluster = env.cluster().await;
    let issuer = cluster.oidc_issuer.clone().expect("issuer");
    assert!(
        issuer.starts_with("https://oidc.eks.us-east-1.amazonaws.com/id/"),
        "{issuer}"
    );
    let made = env
        .iam
        .create_oidc_provider(&issuer, &[THUMBPRINT.to_string()], &tags("acc", "oidc"))
        .await
        .expect("create oidc provider");
    let url = issuer.trim_start_matches("https://");
    assert_eq!(made.url, url);
    assert!(
        made.arn.ends_with(&format!("oidc-provider/{url}")),
        "{}",
        made.arn
    );
    // Another stack's provider in this region, and one of another region.
    for (issuer, stack) in [
        (
            "https://oidc.eks.us-east-1.amazonaws.com/id/OTHERSTACK",
            "accother",
        ),
        (
            "https://oidc.eks.eu-west-1.amazonaws.com/id/OTHERREGION",
            "acc",
        ),
    ] {
        env.iam
            .create_oidc_provider(issuer, &[THUMBPRINT.to_string()], &tags(stack, "oidc"))
            .await
            .expect("create other oidc provider");
    }

    let before = env.calls();
    let found = env.iam.list_oidc_providers("acc").await.expect("list");
    let calls = env.calls() - before;
    println!("list_oidc_providers with 2 providers of the region: {calls} requests");
    assert_eq!(calls, 1 + 2, "one list, one get per provider of the region");
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert_eq!(p.arn, made.arn);
    assert_eq!(p.url, url);
    assert_eq!(p.client_ids, vec!["sts.amazonaws.com"]);
    assert_eq!(p.thumbprints, vec![THUMBPRINT]);
    assert_eq!(p.tags, tags("acc", "oidc"));
    assert!(p.created.is_some());

    env.iam
        .retag_oidc_provider(
            &made.arn,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag");
    let found = env.iam.list_oidc_providers("acc").await.expect("list");
    assert_eq!(
        found[0].tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );
    env.iam
        .delete_oidc_provider(&made.arn)
        .await
        .expect("delete");
    assert!(
        env.iam
            .list_oidc_providers("acc")
            .await
            .expect("list")
            .is_empty()
    );
    // AWS answers NoSuchEntity; moto 5.2.5 deletes a missing provider silently.
    match env.iam.delete_oidc_provider(&made.arn).await {
        Err(e) if e.is_not_found() => {}
        Ok(()) if env.emulator.target == Target::Moto => {
            println!("moto: deleting a missing OIDC provider succeeds (AWS: NoSuchEntity)");
        }
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cluster_is_created_read_updated_and_deleted() {
    let Some(env) = Env::start(true).await else {
        return;
    };
    let made = env.cluster().await;
    let before = env.calls();
    let got = env
        .eks
        .get_cluster("acc")
        .await
        .expect("get cluster")
        .expect("cluster exists");
    let calls = env.calls() - before;
    println!("get_cluster: {calls} requests");
    assert_eq!(calls, 1);
    assert_eq!(got, made);
    assert_eq!(got.name, "acc");
    assert_eq!(got.version, "1.31");
    assert_eq!(got.status, EksStatus::Active);
    assert_eq!(got.role_arn, env.role_arn("acc-cluster"));
    assert_eq!(got.subnet_ids.len(), 2);
    assert_eq!(got.security_group_ids.len(), 1);
    assert_eq!(
        got.access,
        EndpointAccess {
            private: true,
            public: true,
            public_cidrs: vec!["203.0.113.0/24".into()],
        }
    );
    assert_eq!(sorted(got.log_types.clone()), vec!["api", "audit"]);
    assert!(
        got.encryption_key_arn
            .as_deref()
            .is_some_and(|k| k.starts_with("arn:aws:kms:us-east-1:")),
        "{:?}",
        got.encryption_key_arn
    );
    assert!(
        got.endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("https://"))
    );
    assert!(
        got.certificate_authority
            .as_deref()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(got.oidc_issuer.is_some());
    assert_eq!(got.tags, tags("acc", "cluster"));
    assert!(got.created.is_some());
    if got.authentication_mode.is_none() {
        println!("moto drops accessConfig: the authentication mode reads back as None");
    }

    env.eks
        .update_cluster_access(
            "acc",
            &EndpointAccess {
                private: true,
                public: false,
                public_cidrs: Vec::new(),
            },
        )
        .await
        .expect("update access");
    env.eks
        .update_cluster_logging("acc", &["scheduler".to_string()])
        .await
        .expect("update logging");
    env.eks
        .retag(
            &got.arn,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag cluster");
    let updated = env
        .eks
        .get_cluster("acc")
        .await
        .expect("get")
        .expect("exists");
    assert!(
        updated.access.private && !updated.access.public,
        "{:?}",
        updated.access
    );
    if updated.subnet_ids != got.subnet_ids {
        // AWS keeps the subnets of an endpoint-only update; moto replaces
        // the whole VPC configuration. The subnets update puts them back.
        println!(
            "moto dropped the subnets on an endpoint-only update ({:?} -> {:?})",
            got.subnet_ids, updated.subnet_ids
        );
        env.eks
            .update_cluster_subnets("acc", &got.subnet_ids, &got.security_group_ids)
            .await
            .expect("update subnets");
        let again = env
            .eks
            .get_cluster("acc")
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(again.subnet_ids, got.subnet_ids);
        println!(
            "after the subnets update moto reads access {:?}",
            again.access
        );
    }
    let updated = env
        .eks
        .get_cluster("acc")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(updated.subnet_ids, got.subnet_ids);
    assert_eq!(updated.security_group_ids, got.security_group_ids);
    assert_eq!(updated.log_types, vec!["scheduler"]);
    assert_eq!(
        updated.tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );

    env.eks.delete_cluster("acc").await.expect("delete cluster");
    assert_eq!(env.eks.get_cluster("acc").await.expect("get"), None);
    match env.eks.delete_cluster("acc").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn node_groups_are_created_listed_updated_and_deleted() {
    let Some(env) = Env::start(true).await else {
        return;
    };
    let cluster = env.cluster().await;
    let mut made = Vec::new();
    for name in ["general", "batch"] {
        made.push(
            env.eks
                .create_node_group(&env.new_group(&cluster, name), &tags("acc", name))
                .await
                .expect("create node group"),
        );
    }
    let general = &made[0];
    assert_eq!(general.cluster, "acc");
    assert_eq!(general.name, "general");
    assert_eq!(general.status, EksStatus::Active);
    assert_eq!(general.version.as_deref(), Some("1.31"));
    assert_eq!(general.node_role_arn, env.role_arn("acc-nodes"));
    assert_eq!(general.subnet_ids, cluster.subnet_ids);
    assert_eq!(general.instance_types, vec!["m6i.large"]);
    assert_eq!(general.capacity_type, "ON_DEMAND");
    assert_eq!(general.ami_type, "AL2023_x86_64_STANDARD");
    assert_eq!(general.disk_size, Some(50));
    assert_eq!(
        general.scaling,
        Scaling {
            min: 1,
            max: 4,
            desired: 2
        }
    );
    assert_eq!(
        general.labels,
        BTreeMap::from([("role".to_string(), "general".to_string())])
    );
    assert_eq!(
        general.taints,
        vec![Taint {
            key: "dedicated".into(),
            value: "general".into(),
            effect: "NO_SCHEDULE".into(),
        }]
    );
    assert_eq!(general.tags, tags("acc", "general"));
    assert!(general.created.is_some());
    if general.max_unavailable_percentage.is_none() {
        println!("moto drops a node group's updateConfig on create");
    }

    let before = env.calls();
    let listed = env.eks.list_node_groups("acc").await.expect("list");
    let calls = env.calls() - before;
    println!("list_node_groups with 2 groups: {calls} requests");
    assert_eq!(calls, 1 + 2, "ListNodegroups + DescribeNodegroup per group");
    assert_eq!(
        sorted(listed.iter().map(|g| g.name.clone()).collect()),
        vec!["batch", "general"]
    );
    let got = env
        .eks
        .get_node_group("acc", "general")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(&got, general);

    env.eks
        .update_node_group(
            "acc",
            "general",
            &NodeGroupChange {
                scaling: Some(Scaling {
                    min: 2,
                    max: 6,
                    desired: 3,
                }),
                add_labels: BTreeMap::from([("tier".to_string(), "web".to_string())]),
                remove_labels: vec!["role".into()],
                add_taints: vec![Taint {
                    key: "spot".into(),
                    value: String::new(),
                    effect: "PREFER_NO_SCHEDULE".into(),
                }],
                remove_taints: general.taints.clone(),
                max_unavailable_percentage: Some(50),
            },
        )
        .await
        .expect("update node group");
    // Nothing to change: no request.
    let before = env.calls();
    env.eks
        .update_node_group("acc", "general", &NodeGroupChange::default())
        .await
        .expect("empty update");
    assert_eq!(env.calls(), before);
    let updated = env
        .eks
        .get_node_group("acc", "general")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        updated.scaling,
        Scaling {
            min: 2,
            max: 6,
            desired: 3
        }
    );
    assert_eq!(
        updated.labels,
        BTreeMap::from([("tier".to_string(), "web".to_string())])
    );
    assert_eq!(
        updated.taints,
        vec![Taint {
            key: "spot".into(),
            value: String::new(),
            effect: "PREFER_NO_SCHEDULE".into(),
        }]
    );
    assert_eq!(updated.max_unavailable_percentage, Some(50));
    let batch = env
        .eks
        .get_node_group("acc", "batch")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        batch.scaling, made[1].scaling,
        "the other group is untouched"
    );

    match env.eks.delete_cluster("acc").await {
        Err(CloudError::DependencyViolation(m)) => println!("cluster with node groups: {m}"),
        other => panic!("delete of a cluster with node groups: {other:?}"),
    }
    for name in ["general", "batch"] {
        env.eks
            .delete_node_group("acc", name)
            .await
            .expect("delete node group");
    }
    assert!(
        env.eks
            .list_node_groups("acc")
            .await
            .expect("list")
            .is_empty()
    );
    match env.eks.delete_node_group("acc", "general").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
    env.eks.delete_cluster("acc").await.expect("delete cluster");
}

#[tokio::test]
async fn missing_objects_read_as_none_or_empty() {
    let Some(env) = Env::start(false).await else {
        return;
    };
    match env.iam.delete_role("acc-missing").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("delete of a missing role: {other:?}"),
    }
    assert!(
        env.iam
            .list_roles("/todo/us-east-1/acc/")
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        env.iam
            .list_oidc_providers("acc")
            .await
            .expect("list")
            .is_empty()
    );
    if !env.emulator.target.serves("eks") {
        println!(
            "EKS part skipped: {} does not serve EKS",
            env.emulator.target.name()
        );
        return;
    }
    assert_eq!(env.eks.get_cluster("acc-missing").await.expect("get"), None);
    assert_eq!(
        env.eks
            .get_node_group("acc-missing", "general")
            .await
            .expect("get"),
        None
    );
    let before = env.calls();
    let groups = env.eks.list_node_groups("acc-missing").await.expect("list");
    let calls = env.calls() - before;
    println!("list_node_groups of a missing cluster: {calls} requests");
    assert!(groups.is_empty());
    assert!(
        calls <= 2,
        "one unretried ListNodegroups, then DescribeCluster: {calls}"
    );
    env.cluster().await;
    assert_eq!(
        env.eks.get_node_group("acc", "missing").await.expect("get"),
        None
    );
    assert!(
        env.eks
            .list_node_groups("acc")
            .await
            .expect("list")
            .is_empty()
    );
    match env.eks.delete_node_group("acc", "missing").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("delete of a missing node group: {other:?}"),
    }
}

#[tokio::test]
async fn add_ons_access_entries_and_version_updates_are_unsupported_on_moto() {
    if Target::from_env() != Target::Moto {
        println!("skipped: only moto is known to lack these EKS operations");
        return;
    }
    let Some(env) = Env::start(true).await else {
        return;
    };
    let cluster = env.cluster().await;
    env.eks
        .create_node_group(&env.new_group(&cluster, "general"), &tags("acc", "general"))
        .await
        .expect("create node group");
    let principal = env.role_arn("acc-admin");

    fn unsupported<T: std::fmt::Debug>(what: &str, result: Result<T, CloudError>) {
        match result {
            Err(CloudError::Unsupported(m)) => println!("not served by moto: {what} ({m})"),
            other => panic!("{what}: expected Unsupported, got {other:?}"),
        }
    }
    let before = env.calls();
    unsupported("ListAddons", env.eks.list_addons("acc").await);
    let addons = env.calls() - before;
    let before = env.calls();
    unsupported(
        "ListAccessEntries",
        env.eks.list_access_entries("acc").await,
    );
    let entries = env.calls() - before;
    println!("list_addons: {addons} request(s), list_access_entries: {entries} request(s) on moto");
    assert_eq!((addons, entries), (1, 1), "a bare 404 is not retried");
    let eks = &env.eks;
    unsupported("DescribeAddon", eks.get_addon("acc", "vpc-cni").await);
    unsupported(
        "DescribeAddonVersions",
        eks.default_addon_version("vpc-cni", "1.31").await,
    );
    unsupported(
        "CreateAddon",
        eks.create_addon(
            "acc",
            "vpc-cni",
            "v1.18.3-eksbuild.1",
            &tags("acc", "addon"),
        )
        .await,
    );
    unsupported(
        "UpdateAddon",
        eks.update_addon("acc", "vpc-cni", "v1.19.0-eksbuild.1")
            .await,
    );
    unsupported("DeleteAddon", eks.delete_addon("acc", "vpc-cni").await);
    unsupported(
        "CreateAccessEntry",
        eks.create_access_entry("acc", &principal, &tags("acc", "access"))
            .await,
    );
    unsupported(
        "AssociateAccessPolicy",
        eks.associate_access_policy("acc", &principal, CLUSTER_ADMIN_POLICY)
            .await,
    );
    unsupported(
        "DeleteAccessEntry",
        eks.delete_access_entry("acc", &principal).await,
    );
    unsupported(
        "UpdateClusterVersion",
        eks.update_cluster_version("acc", "1.32").await,
    );
    unsupported(
        "UpdateNodegroupVersion",
        eks.update_node_group_version("acc", "general", "1.32")
            .await,
    );
}
