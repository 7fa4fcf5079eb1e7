//! Helpers for the `todo_cloud_stack` acceptance tests: configurations and
//! checks in AWS through the SDK.

use aws_sdk_ec2::types::Filter;

use crate::{Emulator, Workspace};

/// The provider block against the emulator, with `team = platform` default tags.
pub fn provider_block(emulator: &Emulator) -> String {
    provider_block_at(&emulator.endpoint)
}

/// The provider block against `endpoint`.
pub fn provider_block_at(endpoint: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    todo = {{ source = "todo-app/todo" }}
  }}
}}

provider "todo" {{
  region                     = "us-east-1"
  endpoint_url               = "{}"
  skip_requesting_account_id = true
  default_tags {{
    tags = {{ team = "platform" }}
  }}
}}
"#,
        endpoint
    )
}

/// A `todo_cloud_stack.net` named `name` in 10.20.0.0/16.
pub fn stack(name: &str, nat: &str, zones: &[&str]) -> String {
    let zones = zones
        .iter()
        .map(|z| format!("\"{z}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
resource "todo_cloud_stack" "net" {{
  name = "{name}"
  tags = {{ env = "acc" }}

  network = {{
    cidr_block         = "10.20.0.0/16"
    availability_zones = [{zones}]
    nat_gateways       = "{nat}"
  }}
}}

output "vpc_id" {{
  value = todo_cloud_stack.net.network.vpc_id
}}

output "private_subnet_ids" {{
  value = todo_cloud_stack.net.network.private_subnet_ids
}}
"#
    )
}

/// A runtime for the SDK checks.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

/// An EC2 client on the emulator.
pub async fn ec2(emulator: &Emulator) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&emulator.sdk_config().await)
}

/// The filter on the stack tag.
pub fn by_stack(name: &str) -> Filter {
    Filter::builder()
        .name("tag:todo:stack")
        .values(name)
        .build()
}

/// Every EC2 object tagged with the stack, as "kind id" strings.
pub async fn tagged_objects(ec2: &aws_sdk_ec2::Client, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in ec2
        .describe_vpcs()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .vpcs()
    {
        out.push(format!("vpc {}", v.vpc_id().unwrap_or_default()));
    }
    for s in ec2
        .describe_subnets()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .subnets()
    {
        out.push(format!("subnet {}", s.subnet_id().unwrap_or_default()));
    }
    for g in ec2
        .describe_internet_gateways()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .internet_gateways()
    {
        out.push(format!(
            "igw {}",
            g.internet_gateway_id().unwrap_or_default()
        ));
    }
    for a in ec2
        .describe_addresses()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .addresses()
    {
        out.push(format!("eip {}", a.allocation_id().unwrap_or_default()));
    }
    for n in ec2
        .describe_nat_gateways()
        .filter(by_stack(name))
        .send()
        .await
        .unwrap()
        .nat_gateways()
    {
        if n.state().map(|s| s.as_str()) != Some("deleted") {
            out.push(format!("nat {}", n.nat_gateway_id().unwrap_or_default()));
        }
    }
    for r in ec2
        .describe_route_tables()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .route_tables()
    {
        out.push(format!("rtb {}", r.route_table_id().unwrap_or_default()));
    }
    for g in ec2
        .describe_security_groups()
        .filters(by_stack(name))
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        out.push(format!("sg {}", g.group_id().unwrap_or_default()));
    }
    out
}

/// How many of `objects` are of `kind`.
pub fn count(objects: &[String], kind: &str) -> usize {
    objects
        .iter()
        .filter(|o| o.starts_with(&format!("{kind} ")))
        .count()
}

/// `terraform plan -detailed-exitcode`: (exit code, all output).
pub fn plan_exit(ws: &Workspace) -> (i32, String) {
    let out = ws.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    (out.code, out.all())
}

/// Everything a stack could leave behind in the emulator, whoever made it,
/// as "kind id" strings: EC2 objects tagged `todo:stack` (any stack), EKS
/// clusters, RDS instances, buckets other than `keep_buckets`, secrets,
/// log groups, SNS topics, alarms, dashboards and KMS aliases of the
/// customer's keys. An emulator serves one test, so after a destroy this
/// is empty.
pub async fn everything_left(emulator: &Emulator, keep_buckets: &[&str]) -> Vec<String> {
    let sdk = emulator.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let any_stack = || {
        Filter::builder()
            .name("tag-key")
            .values("todo:stack")
            .build()
    };
    let mut out = Vec::new();
    for v in ec2
        .describe_vpcs()
        .filters(any_stack())
        .send()
        .await
        .unwrap()
        .vpcs()
    {
        out.push(format!("vpc {}", v.vpc_id().unwrap_or_default()));
    }
    for s in ec2
        .describe_subnets()
        .filters(any_stack())
        .send()
        .await
        .unwrap()
        .subnets()
    {
        out.push(format!("subnet {}", s.subnet_id().unwrap_or_default()));
    }
    let nats = ec2
        .describe_nat_gateways()
        .filter(any_stack())
        .send()
        .await
        .unwrap();
    for n in nats.nat_gateways() {
        if n.state().map(|s| s.as_str()) != Some("deleted") {
            out.push(format!("nat {}", n.nat_gateway_id().unwrap_or_default()));
        }
    }
    for a in ec2
        .describe_addresses()
        .filters(any_stack())
        .send()
        .await
        .unwrap()
        .addresses()
    {
        out.push(format!("eip {}", a.allocation_id().unwrap_or_default()));
    }
    if emulator.target.serves("eks") {
        let eks = aws_sdk_eks::Client::new(&sdk);
        for c in eks.list_clusters().send().await.unwrap().clusters() {
            out.push(format!("cluster {c}"));
        }
    }
    if emulator.target.serves("rds") {
        let rds = aws_sdk_rds::Client::new(&sdk);
        for db in rds
            .describe_db_instances()
            .send()
            .await
            .unwrap()
            .db_instances()
        {
            out.push(format!(
                "db {}",
                db.db_instance_identifier().unwrap_or_default()
            ));
        }
    }
    let s3 = aws_sdk_s3::Client::new(&sdk);
    for b in s3.list_buckets().send().await.unwrap().buckets() {
        let name = b.name().unwrap_or_default();
        if !keep_buckets.contains(&name) {
            out.push(format!("bucket {name}"));
        }
    }
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    for s in secrets.list_secrets().send().await.unwrap().secret_list() {
        out.push(format!("secret {}", s.name().unwrap_or_default()));
    }
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    for g in logs
        .describe_log_groups()
        .send()
        .await
        .unwrap()
        .log_groups()
    {
        out.push(format!(
            "log group {}",
            g.log_group_name().unwrap_or_default()
        ));
    }
    let sns = aws_sdk_sns::Client::new(&sdk);
    for t in sns.list_topics().send().await.unwrap().topics() {
        out.push(format!("topic {}", t.topic_arn().unwrap_or_default()));
    }
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    for a in cloudwatch
        .describe_alarms()
        .send()
        .await
        .unwrap()
        .metric_alarms()
    {
        out.push(format!("alarm {}", a.alarm_name().unwrap_or_default()));
    }
    for d in cloudwatch
        .list_dashboards()
        .send()
        .await
        .unwrap()
        .dashboard_entries()
    {
        out.push(format!(
            "dashboard {}",
            d.dashboard_name().unwrap_or_default()
        ));
    }
    let kms = aws_sdk_kms::Client::new(&sdk);
    for a in kms.list_aliases().send().await.unwrap().aliases() {
        let name = a.alias_name().unwrap_or_default();
        if !name.starts_with("alias/aws/") {
            out.push(format!("key alias {name}"));
        }
    }
    out
}
