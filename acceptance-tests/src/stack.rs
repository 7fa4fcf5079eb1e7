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
