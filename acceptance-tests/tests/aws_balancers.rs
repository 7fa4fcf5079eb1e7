//! The ELB and EC2 implementation of `KubeLeftoversApi` against the
//! emulator: the load balancers Kubernetes made for a cluster in a VPC
//! (an ALB of the AWS Load Balancer Controller, a classic ELB of the
//! in-tree cloud provider) are found among others (another cluster's,
//! another VPC's), deleted with the target groups tagged for the cluster,
//! and then read as gone; their security groups likewise. Each step prints
//! the requests it sent.
//!
//! moto, unlike AWS, makes no network interfaces for a load balancer and
//! lets a security group in use be deleted: the tests assert and print
//! what it does. LocalStack (community) serves no ELB at all (HTTP 501):
//! there the load balancer test asserts that the list fails rather than
//! finding nothing, and the security group test runs but for its ELB step.

use acceptance_tests::{Emulator, Target};
use aws_sdk_elasticloadbalancing::types::{Listener, Tag as ClassicTag};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerTypeEnum, ProtocolEnum, Tag, TargetTypeEnum,
};
use todo_provider::cloud::CloudError;
use todo_provider::cloud::aws::AwsClients;
use todo_provider::cloud::aws::balancers::AwsKubeLeftovers;
use todo_provider::cloud::cluster::{KubeLeftoversApi, KubeLoadBalancer};

/// A fresh emulator and the provider's clients on it.
struct Env {
    _emulator: Emulator,
    clients: AwsClients,
    api: AwsKubeLeftovers,
}

/// A VPC with subnets in two zones and a security group for load
/// balancers.
struct Network {
    vpc: String,
    subnets: Vec<String>,
    group: String,
}

impl Env {
    async fn start() -> Env {
        let emulator = Emulator::start();
        let clients = AwsClients::from_sdk(emulator.sdk_config().await);
        Env {
            api: clients.kube_leftovers(),
            clients,
            _emulator: emulator,
        }
    }

    fn calls(&self) -> u64 {
        self.clients.calls.get()
    }

    /// A VPC `10.<n>.0.0/16` with two subnets and a group.
    async fn network(&self, n: u8) -> Network {
        let ec2 = self.clients.ec2();
        let vpc = ec2
            .create_vpc()
            .cidr_block(format!("10.{n}.0.0/16"))
            .send()
            .await
            .expect("create vpc");
        let vpc = vpc
            .vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string();
        let mut subnets = Vec::new();
        for (i, zone) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let s = ec2
                .create_subnet()
                .vpc_id(&vpc)
                .cidr_block(format!("10.{n}.{i}.0/24"))
                .availability_zone(*zone)
                .send()
                .await
                .expect("create subnet");
            let id = s.subnet().and_then(|s| s.subnet_id()).expect("subnet id");
            subnets.push(id.to_string());
        }
        let group = self.group(&vpc, &format!("lb-{n}"), &[]).await;
        Network {
            vpc,
            subnets,
            group,
        }
    }

    /// A security group in `vpc` with `tags`.
    async fn group(&self, vpc: &str, name: &str, tags: &[(&str, &str)]) -> String {
        let ec2 = self.clients.ec2();
        let group = ec2
            .create_security_group()
            .vpc_id(vpc)
            .group_name(name)
            .description(name)
            .send()
            .await
            .expect("create security group");
        let id = group.group_id().expect("group id").to_string();
        if !tags.is_empty() {
            let tags = tags
                .iter()
                .map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(*k).value(*v).build());
            ec2.create_tags()
                .resources(&id)
                .set_tags(Some(tags.collect()))
                .send()
                .await
                .expect("tag security group");
        }
        id
    }

    /// An ALB or NLB in the network's subnets with `tags`; its ARN.
    async fn v2(
        &self,
        net: &Network,
        name: &str,
        kind: LoadBalancerTypeEnum,
        tags: &[(&str, &str)],
    ) -> String {
        let out = self
            .clients
            .elbv2_client()
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(net.subnets.clone()))
            .security_groups(&net.group)
            .r#type(kind)
            .set_tags(Some(v2_tags(tags)))
            .send()
            .await
            .expect("create load balancer");
        let lb = out.load_balancers().first().expect("load balancer");
        lb.load_balancer_arn().expect("arn").to_string()
    }

    /// A target group in the network with `tags`, and a listener of `lb`
    /// on `port` forwarding to it; the group's ARN.
    async fn target_group(
        &self,
        net: &Network,
        lb: &str,
        name: &str,
        port: i32,
        tags: &[(&str, &str)],
    ) -> String {
        let elbv2 = self.clients.elbv2_client();
        let out = elbv2
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(&net.vpc)
            .target_type(TargetTypeEnum::Ip)
            .set_tags(Some(v2_tags(tags)))
            .send()
            .await
            .expect("create target group");
        let group = out.target_groups().first().expect("target group");
        let arn = group.target_group_arn().expect("arn").to_string();
        elbv2
            .create_listener()
            .load_balancer_arn(lb)
            .protocol(ProtocolEnum::Http)
            .port(port)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(&arn)
                    .build(),
            )
            .send()
            .await
            .expect("create listener");
        arn
    }

    /// A classic ELB in the network's subnets with `tags`.
    async fn classic(&self, net: &Network, name: &str, tags: &[(&str, &str)]) {
        let listener = Listener::builder()
            .protocol("HTTP")
            .load_balancer_port(80)
            .instance_protocol("HTTP")
            .instance_port(30080)
            .build()
            .expect("listener");
        let tags = tags.iter().map(|(k, v)| {
            ClassicTag::builder()
                .key(*k)
                .value(*v)
                .build()
                .expect("tag")
        });
        self.clients
            .elb_client()
            .create_load_balancer()
            .load_balancer_name(name)
            .listeners(listener)
            .set_subnets(Some(net.subnets.clone()))
            .security_groups(&net.group)
            .set_tags(Some(tags.collect()))
            .send()
            .await
            .expect("create classic load balancer");
    }

    /// Whether the target group still exists.
    async fn target_group_exists(&self, arn: &str) -> bool {
        let out = self
            .clients
            .elbv2_client()
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await;
        match out {
            Ok(out) => !out.target_groups().is_empty(),
            Err(e) => {
                let code = aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata::code(&e);
                assert_eq!(code, Some("TargetGroupNotFound"), "{e:?}");
                false
            }
        }
    }

    /// How many network interfaces are in the subnet.
    async fn interfaces_in(&self, subnet: &str) -> usize {
        let out = self
            .clients
            .ec2()
            .describe_network_interfaces()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("subnet-id")
                    .values(subnet)
                    .build(),
            )
            .send()
            .await
            .expect("describe network interfaces");
        out.network_interfaces().len()
    }
}

fn v2_tags(tags: &[(&str, &str)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
        .collect()
}

/// `Some(env)` on moto; on an emulator without ELB (LocalStack community),
/// asserts that listing fails (an endpoint that does not serve ELB must
/// not read as "no load balancers"), prints it, and returns `None`.
async fn start() -> Option<Env> {
    let env = Env::start().await;
    if Target::from_env() == Target::Moto {
        return Some(env);
    }
    let net = env.network(40).await;
    let listed = env.api.list_kube_load_balancers(&net.vpc, "c1").await;
    println!(
        "{}: list_kube_load_balancers -> {listed:?}",
        Target::from_env().name()
    );
    assert!(
        listed.is_err(),
        "an endpoint without ELB must not list nothing: {listed:?}"
    );
    None
}

fn ids(found: &[KubeLoadBalancer]) -> Vec<(&str, bool)> {
    let mut ids: Vec<(&str, bool)> = found.iter().map(|b| (b.id.as_str(), b.classic)).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn kube_load_balancers_are_found_by_vpc_and_cluster_and_deleted() {
    let Some(env) = start().await else {
        return;
    };
    let net = env.network(40).await;
    let other = env.network(41).await;
    let alb = env
        .v2(
            &net,
            "k8s-default-web-0a1b2c3d4e",
            LoadBalancerTypeEnum::Application,
            &[
                ("elbv2.k8s.aws/cluster", "c1"),
                ("ingress.k8s.aws/stack", "default/web"),
            ],
        )
        .await;
    let tagged_group = env
        .target_group(
            &net,
            &alb,
            "k8s-default-web-tg",
            80,
            &[("elbv2.k8s.aws/cluster", "c1")],
        )
        .await;
    let untagged_group = env
        .target_group(&net, &alb, "someone-elses-tg", 8080, &[])
        .await;
    let nlb_c2 = env
        .v2(
            &net,
            "k8s-default-api-5f6a7b8c9d",
            LoadBalancerTypeEnum::Network,
            &[("elbv2.k8s.aws/cluster", "c2")],
        )
        .await;
    let classic = "a0123456789abcdef0123456789abcd";
    env.classic(
        &net,
        classic,
        &[
            ("kubernetes.io/cluster/c1", "owned"),
            ("kubernetes.io/service-name", "default/web"),
        ],
    )
    .await;
    let classic_c1x = "a0123456789abcdef0123456789abce";
    env.classic(&net, classic_c1x, &[("kubernetes.io/cluster/c1x", "owned")])
        .await;
    let elsewhere = "afedcba9876543210fedcba98765432";
    env.classic(&other, elsewhere, &[("kubernetes.io/cluster/c1", "owned")])
        .await;
    let enis = env.interfaces_in(&net.subnets[0]).await;
    println!(
        "moto: network interfaces in a subnet with 4 load balancers: {enis} (AWS: one per load balancer)"
    );
    assert_eq!(enis, 0, "moto makes no interfaces for load balancers");

    let before = env.calls();
    let found = env
        .api
        .list_kube_load_balancers(&net.vpc, "c1")
        .await
        .expect("list");
    let list_calls = env.calls() - before;
    println!("list_kube_load_balancers (5 load balancers in the region): {list_calls} requests");
    assert_eq!(
        ids(&found),
        ids(&[
            KubeLoadBalancer {
                id: alb.clone(),
                classic: false,
                security_groups: vec![]
            },
            KubeLoadBalancer {
                id: classic.into(),
                classic: true,
                security_groups: vec![]
            },
        ])
    );
    assert!(
        found
            .iter()
            .all(|b| b.security_groups == [net.group.clone()]),
        "{found:?}"
    );
    assert_eq!(list_calls, 4, "a describe and a DescribeTags per API");
    let c2 = env
        .api
        .list_kube_load_balancers(&net.vpc, "c2")
        .await
        .expect("list c2");
    assert_eq!(ids(&c2), [(nlb_c2.as_str(), false)]);
    let there = env
        .api
        .list_kube_load_balancers(&other.vpc, "c1")
        .await
        .expect("list other");
    assert_eq!(ids(&there), [(elsewhere, true)]);

    for lb in &found {
        let before = env.calls();
        env.api
            .delete_load_balancer(lb, "c1")
            .await
            .expect("delete");
        let kind = if lb.classic { "classic" } else { "ALB" };
        println!(
            "delete_load_balancer ({kind}): {} requests",
            env.calls() - before
        );
    }
    let before = env.calls();
    let after = env
        .api
        .list_kube_load_balancers(&net.vpc, "c1")
        .await
        .expect("list again");
    println!(
        "list_kube_load_balancers (3 left): {} requests",
        env.calls() - before
    );
    assert!(after.is_empty(), "{after:?}");
    for lb in &found {
        let again = env.api.delete_load_balancer(lb, "c1").await;
        assert!(
            matches!(again, Err(CloudError::NotFound { .. })),
            "{lb:?}: {again:?}"
        );
    }

    assert!(
        !env.target_group_exists(&tagged_group).await,
        "the cluster's target group goes"
    );
    assert!(
        env.target_group_exists(&untagged_group).await,
        "an untagged target group stays"
    );
    let c2 = env
        .api
        .list_kube_load_balancers(&net.vpc, "c2")
        .await
        .expect("list c2");
    assert_eq!(
        ids(&c2),
        [(nlb_c2.as_str(), false)],
        "another cluster's load balancer stays"
    );
    let left = env
        .clients
        .elb_client()
        .describe_load_balancers()
        .send()
        .await
        .expect("describe classic");
    let mut names: Vec<&str> = left
        .load_balancer_descriptions()
        .iter()
        .filter_map(|d| d.load_balancer_name())
        .collect();
    names.sort();
    assert_eq!(names, [classic_c1x, elsewhere]);
}

#[tokio::test]
async fn kube_security_groups_are_found_by_tag_and_deleted() {
    // EC2 only, but for one step: it runs on every emulator.
    let env = Env::start().await;
    let net = env.network(42).await;
    let other = env.network(43).await;
    let in_tree = env
        .group(
            &net.vpc,
            "k8s-elb-a01",
            &[("kubernetes.io/cluster/c1", "owned")],
        )
        .await;
    let shared = env
        .group(
            &net.vpc,
            "shared",
            &[("kubernetes.io/cluster/c1", "shared")],
        )
        .await;
    let controller = env
        .group(
            &net.vpc,
            "k8s-traffic-c1",
            &[
                ("elbv2.k8s.aws/cluster", "c1"),
                ("elbv2.k8s.aws/resource", "backend-sg"),
            ],
        )
        .await;
    env.group(&net.vpc, "c2", &[("elbv2.k8s.aws/cluster", "c2")])
        .await;
    env.group(&net.vpc, "c1x", &[("kubernetes.io/cluster/c1x", "owned")])
        .await;
    env.group(
        &net.vpc,
        "key-only-c1",
        &[("elbv2.k8s.aws/cluster-c1", "c1")],
    )
    .await;
    env.group(
        &other.vpc,
        "k8s-elb-b02",
        &[("kubernetes.io/cluster/c1", "owned")],
    )
    .await;

    let before = env.calls();
    let found = env
        .api
        .list_kube_security_groups(&net.vpc, "c1")
        .await
        .expect("list");
    let list_calls = env.calls() - before;
    println!("list_kube_security_groups: {list_calls} requests");
    let mut expected = vec![in_tree.clone(), shared.clone(), controller.clone()];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(list_calls, 2, "one describe per tag");

    let with_lb = Network {
        group: in_tree.clone(),
        ..net
    };
    if Target::from_env() == Target::Moto {
        // A classic ELB uses the in-tree group: AWS refuses to delete it.
        env.classic(
            &with_lb,
            "a0000000000000000000000000000001",
            &[("kubernetes.io/cluster/c1", "owned")],
        )
        .await;
        let in_use = env.api.delete_kube_security_group(&in_tree).await;
        println!(
            "moto: deleting a security group a live load balancer uses -> {in_use:?} (AWS: DependencyViolation)"
        );
        assert_eq!(in_use, Ok(()), "moto does not check what uses a group");
    } else {
        env.api
            .delete_kube_security_group(&in_tree)
            .await
            .expect("delete");
    }

    for group in [&shared, &controller] {
        let before = env.calls();
        env.api
            .delete_kube_security_group(group)
            .await
            .expect("delete");
        assert_eq!(env.calls() - before, 1);
    }
    for group in &found {
        let again = env.api.delete_kube_security_group(group).await;
        assert!(
            matches!(again, Err(CloudError::NotFound { .. })),
            "{group}: {again:?}"
        );
    }
    let left = env
        .api
        .list_kube_security_groups(&with_lb.vpc, "c1")
        .await
        .expect("list again");
    assert!(left.is_empty(), "{left:?}");
    let there = env
        .api
        .list_kube_security_groups(&other.vpc, "c1")
        .await
        .expect("other vpc");
    assert_eq!(there.len(), 1, "another VPC's group stays");
}
