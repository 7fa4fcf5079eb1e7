//! Acceptance tests of `todo_cloud_stack`'s EKS cluster through the real
//! terraform CLI against moto: a stack with two node groups checked through
//! the SDK, an empty re-plan, in-place scaling, adding and removing a group,
//! replacing one group by changing its instance type, import, two stacks of
//! one name in two regions, destroy leaving nothing.
//!
//! moto does not serve EKS add-ons or access entries (404): these
//! configurations set `addons = {}` and no `admins`; the engine tests on
//! the simulated cloud cover both. LocalStack does not serve EKS at all:
//! there these tests print why they skip.

use acceptance_tests::stack::{by_stack, plan_exit, provider_block, rt, tagged_objects};
use acceptance_tests::{Emulator, Workspace};

/// Whether the emulator serves EKS; prints why not.
fn serves_eks(emulator: &Emulator) -> bool {
    let ok = emulator.target.serves("eks");
    if !ok {
        println!(
            "SKIPPED: {} does not serve EKS (its community edition answers 501); the cluster tests run on moto",
            emulator.target.name()
        );
    }
    ok
}

/// A stack with a cluster; `groups` is the HCL of `node_groups`' entries.
fn cluster_stack(name: &str, resource: &str, provider: Option<&str>, groups: &str) -> String {
    let provider = provider
        .map(|p| format!("  provider = todo.{p}\n"))
        .unwrap_or_default();
    format!(
        r#"
resource "todo_cloud_stack" "{resource}" {{
{provider}  name = "{name}"
  tags = {{ env = "acc" }}

  network = {{
    cidr_block         = "10.30.0.0/16"
    availability_zone_count = 2
    nat_gateways       = "single"
  }}

  cluster = {{
    version = "1.31"
    addons  = {{}}
    node_groups = {{
{groups}
    }}
  }}
}}

output "{resource}_cluster_arn" {{
  value = todo_cloud_stack.{resource}.cluster.arn
}}
"#
    )
}

const TWO_GROUPS: &str = r#"      general = {
        instance_types = ["m6i.large"]
        min_size       = 2
        max_size       = 4
        labels         = { role = "general" }
      }
      batch = {
        instance_types = ["c6i.xlarge"]
        capacity_type  = "SPOT"
        min_size       = 1
        max_size       = 3
        taints         = [{ key = "batch", value = "true", effect = "NO_SCHEDULE" }]
      }"#;

struct Aws {
    eks: aws_sdk_eks::Client,
    iam: aws_sdk_iam::Client,
    kms: aws_sdk_kms::Client,
}

async fn aws(emulator: &Emulator) -> Aws {
    let config = emulator.sdk_config().await;
    Aws {
        eks: aws_sdk_eks::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        kms: aws_sdk_kms::Client::new(&config),
    }
}

/// The node groups of cluster `name`: (name, instance types, min, max, desired).
async fn node_groups(aws: &Aws, name: &str) -> Vec<(String, Vec<String>, i32, i32, i32)> {
    let mut out = Vec::new();
    let list = aws
        .eks
        .list_nodegroups()
        .cluster_name(name)
        .send()
        .await
        .unwrap();
    for g in list.nodegroups() {
        let d = aws
            .eks
            .describe_nodegroup()
            .cluster_name(name)
            .nodegroup_name(g)
            .send()
            .await
            .unwrap();
        let g = d.nodegroup().unwrap();
        let s = g.scaling_config().unwrap();
        out.push((
            g.nodegroup_name().unwrap_or_default().to_string(),
            g.instance_types().to_vec(),
            s.min_size().unwrap_or_default(),
            s.max_size().unwrap_or_default(),
            s.desired_size().unwrap_or_default(),
        ));
    }
    out.sort();
    out
}

/// Roles under the stack's path.
async fn roles(aws: &Aws, region: &str, name: &str) -> Vec<String> {
    let roles = aws
        .iam
        .list_roles()
        .path_prefix(format!("/todo/{region}/{name}/"))
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = roles
        .roles()
        .iter()
        .map(|r| r.role_name().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_cluster_with_two_node_groups_round_trips() {
    let emulator = Emulator::start();
    if !serves_eks(&emulator) {
        return;
    }
    let name = "acc-eks";
    let provider = provider_block(&emulator);
    let ws = Workspace::new(&(provider.clone() + &cluster_stack(name, "s", None, TWO_GROUPS)));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "plan after apply is not empty:\n{text}");
    let arn = ws
        .run(&["output", "-raw", "s_cluster_arn"])
        .success()
        .stdout;

    rt().block_on(async {
        let aws = aws(&emulator).await;
        let c = aws.eks.describe_cluster().name(name).send().await.unwrap();
        let c = c.cluster().unwrap();
        assert_eq!(c.arn(), Some(arn.as_str()));
        assert_eq!(c.version(), Some("1.31"));
        assert_eq!(
            c.tags().unwrap().get("todo:stack").map(String::as_str),
            Some(name)
        );
        assert_eq!(
            c.tags().unwrap().get("team").map(String::as_str),
            Some("platform")
        );
        let vpc = c.resources_vpc_config().unwrap();
        assert_eq!(vpc.subnet_ids().len(), 2, "{vpc:?}");
        assert!(vpc.endpoint_private_access());
        assert!(!vpc.endpoint_public_access());
        // Secrets are encrypted with the stack's key.
        let key = c.encryption_config()[0]
            .provider()
            .unwrap()
            .key_arn()
            .unwrap();
        let alias = aws
            .kms
            .describe_key()
            .key_id(format!("alias/todo/{name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(Some(key), alias.key_metadata().unwrap().arn());
        let logging: Vec<String> = c
            .logging()
            .unwrap()
            .cluster_logging()
            .iter()
            .filter(|l| l.enabled() == Some(true))
            .flat_map(|l| l.types().iter().map(|t| t.as_str().to_string()))
            .collect();
        assert_eq!(logging.len(), 3, "{logging:?}");

        // Roles, with their managed policies.
        assert_eq!(
            roles(&aws, "us-east-1", name).await,
            vec![
                format!("{name}-us-east-1-cluster"),
                format!("{name}-us-east-1-nodes")
            ]
        );
        let attached = aws
            .iam
            .list_attached_role_policies()
            .role_name(format!("{name}-us-east-1-nodes"))
            .send()
            .await
            .unwrap();
        assert_eq!(attached.attached_policies().len(), 3);

        // The OIDC provider of the cluster's issuer.
        let issuer = c.identity().unwrap().oidc().unwrap().issuer().unwrap();
        let providers = aws
            .iam
            .list_open_id_connect_providers()
            .send()
            .await
            .unwrap();
        let list = providers.open_id_connect_provider_list();
        assert_eq!(list.len(), 1, "{list:?}");
        let url = issuer.trim_start_matches("https://");
        assert!(
            list[0].arn().unwrap().ends_with(url),
            "{list:?} vs {issuer}"
        );

        let groups = node_groups(&aws, name).await;
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert!(groups[0].0.starts_with("batch-") && groups[1].0.starts_with("general-"));
        assert_eq!((groups[1].2, groups[1].3, groups[1].4), (2, 4, 2));
    });

    // Scale a group in place: the plan shows an update, the cluster stays.
    let scaled = TWO_GROUPS.replace("max_size       = 4", "max_size       = 8");
    ws.write_config(&(provider.clone() + &cluster_stack(name, "s", None, &scaled)));
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("update in-place") && text.contains("max_size"),
        "{text}"
    );
    assert!(!text.contains("forces replacement"), "{text}");
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert_eq!(
        ws.run(&["output", "-raw", "s_cluster_arn"])
            .success()
            .stdout,
        arn
    );
    let before = rt().block_on(async {
        let groups = node_groups(&aws(&emulator).await, name).await;
        assert_eq!(groups[1].3, 8, "{groups:?}");
        groups
    });

    // Add a group, then remove it: the others are untouched.
    let three =
        format!("{scaled}\n      extra = {{\n        min_size = 0\n        max_size = 2\n      }}");
    ws.write_config(&(provider.clone() + &cluster_stack(name, "s", None, &three)));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let groups = node_groups(&aws(&emulator).await, name).await;
        assert_eq!(groups.len(), 3, "{groups:?}");
        assert!(groups.contains(&before[0]) && groups.contains(&before[1]));
    });
    ws.write_config(&(provider.clone() + &cluster_stack(name, "s", None, &scaled)));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        assert_eq!(node_groups(&aws(&emulator).await, name).await, before);
    });

    // A new instance type replaces exactly that group.
    let bigger = scaled.replace("[\"m6i.large\"]", "[\"m6i.2xlarge\"]");
    ws.write_config(&(provider.clone() + &cluster_stack(name, "s", None, &bigger)));
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("the node group general") && text.contains("m6i.2xlarge"),
        "the plan does not say which group is replaced:\n{text}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let groups = node_groups(&aws(&emulator).await, name).await;
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0], before[0], "the batch group was touched");
        assert!(groups[1].0.starts_with("general-") && groups[1].0 != before[1].0);
        assert_eq!(groups[1].1, vec!["m6i.2xlarge".to_string()]);
    });
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");

    // Import into a fresh state reproduces it.
    let fresh = Workspace::new(&(provider.clone() + &cluster_stack(name, "s", None, &bigger)));
    fresh
        .run(&["import", "-no-color", "todo_cloud_stack.s", name])
        .success();
    let (code, text) = plan_exit(&fresh);
    assert_eq!(code, 0, "plan after import is not empty:\n{text}");

    // The data source reads the cluster by the stack's name.
    let reader = Workspace::new(&format!(
        "{provider}\ndata \"todo_cloud_stack\" \"x\" {{\n  name = \"{name}\"\n}}\n\
         output \"arn\" {{\n  value = data.todo_cloud_stack.x.cluster.arn\n}}\n\
         output \"groups\" {{\n  value = join(\",\", sort(keys(data.todo_cloud_stack.x.cluster.node_groups)))\n}}\n"
    ));
    reader
        .run(&["apply", "-auto-approve", "-no-color"])
        .success();
    assert_eq!(reader.run(&["output", "-raw", "arn"]).success().stdout, arn);
    assert_eq!(
        reader.run(&["output", "-raw", "groups"]).success().stdout,
        "batch,general"
    );

    // What the AWS Load Balancer Controller would leave for an Ingress: an
    // ALB in the public subnets with its security group, tagged for the
    // cluster. Destroy removes them once the cluster is gone.
    let lb = rt().block_on(async {
        let config = emulator.sdk_config().await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let subnets = ec2
            .describe_subnets()
            .filters(by_stack(name))
            .send()
            .await
            .unwrap();
        let public: Vec<String> = subnets
            .subnets()
            .iter()
            .filter(|s| s.map_public_ip_on_launch() == Some(true))
            .filter_map(|s| s.subnet_id().map(str::to_string))
            .collect();
        let vpc = subnets.subnets()[0].vpc_id().unwrap().to_string();
        let cluster_tag = aws_sdk_ec2::types::Tag::builder()
            .key("elbv2.k8s.aws/cluster")
            .value(name)
            .build();
        let sg = ec2
            .create_security_group()
            .group_name("k8s-default-web")
            .description("made by the AWS Load Balancer Controller")
            .vpc_id(&vpc)
            .tag_specifications(
                aws_sdk_ec2::types::TagSpecification::builder()
                    .resource_type(aws_sdk_ec2::types::ResourceType::SecurityGroup)
                    .tags(cluster_tag)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
        let lb = elbv2
            .create_load_balancer()
            .name("k8s-default-web-1a2b3c")
            .set_subnets(Some(public))
            .security_groups(sg.group_id().unwrap())
            .tags(
                aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                    .key("elbv2.k8s.aws/cluster")
                    .value(name)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        lb.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_string()
    });

    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let config = emulator.sdk_config().await;
        let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
        let left = elbv2.describe_load_balancers().send().await.unwrap();
        assert!(
            left.load_balancers()
                .iter()
                .all(|l| l.load_balancer_arn() != Some(lb.as_str())),
            "the Kubernetes load balancer is left: {left:?}"
        );
        let objects = tagged_objects(&aws_sdk_ec2::Client::new(&config), name).await;
        assert!(objects.is_empty(), "destroy left {objects:?}");
        let groups = aws_sdk_ec2::Client::new(&config)
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values("k8s-default-web")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert!(groups.security_groups().is_empty(), "{groups:?}");
        let aws = aws(&emulator).await;
        let clusters = aws.eks.list_clusters().send().await.unwrap();
        assert!(clusters.clusters().is_empty(), "{clusters:?}");
        assert!(roles(&aws, "us-east-1", name).await.is_empty());
        let providers = aws
            .iam
            .list_open_id_connect_providers()
            .send()
            .await
            .unwrap();
        assert!(providers.open_id_connect_provider_list().is_empty());
    });
}

#[test]
fn two_stacks_of_one_name_in_two_regions_coexist() {
    let emulator = Emulator::start();
    if !serves_eks(&emulator) {
        return;
    }
    let name = "acc-twin";
    let west = provider_block(&emulator)
        .replace("provider \"todo\" {", "provider \"todo\" {\n  alias = \"west\"")
        .replace("us-east-1", "us-west-2")
        .replace("terraform {\n  required_providers {\n    todo = { source = \"todo-app/todo\" }\n  }\n}\n", "");
    let config = provider_block(&emulator)
        + &west
        + &cluster_stack(name, "east", None, TWO_GROUPS)
        + &cluster_stack(name, "west", Some("west"), TWO_GROUPS).replace("us-east-1", "us-west-2");
    let ws = Workspace::new(&config);
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(out.stdout.contains("2 added"), "{}", out.all());
    let east = ws
        .run(&["output", "-raw", "east_cluster_arn"])
        .success()
        .stdout;
    let west = ws
        .run(&["output", "-raw", "west_cluster_arn"])
        .success()
        .stdout;
    assert!(
        east.contains(":us-east-1:") && west.contains(":us-west-2:"),
        "{east} {west}"
    );
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
    rt().block_on(async {
        let aws = aws(&emulator).await;
        assert_eq!(roles(&aws, "us-east-1", name).await.len(), 2);
        assert_eq!(roles(&aws, "us-west-2", name).await.len(), 2);
    });
    // Destroying one leaves the other whole.
    ws.run(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-target=todo_cloud_stack.west",
    ])
    .success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("todo_cloud_stack.west will be created"),
        "{text}"
    );
    assert!(!text.contains("todo_cloud_stack.east will"), "{text}");
    rt().block_on(async {
        let aws = aws(&emulator).await;
        assert_eq!(roles(&aws, "us-east-1", name).await.len(), 2);
        assert!(roles(&aws, "us-west-2", name).await.is_empty());
    });
}

#[test]
fn validate_names_the_bad_cluster_attribute() {
    let emulator = Emulator::start();
    let bad = TWO_GROUPS.replace("min_size       = 2", "min_size       = 5");
    let ws =
        Workspace::new(&(provider_block(&emulator) + &cluster_stack("acc-bad", "s", None, &bad)));
    let out = ws.run(&["validate", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("cluster.node_groups[\"general\"]"),
        "the error does not name the attribute:\n{}",
        out.all()
    );
}
