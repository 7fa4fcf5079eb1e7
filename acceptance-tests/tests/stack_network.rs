//! Acceptance tests of `todo_cloud_stack`'s network through the real
//! terraform CLI against the emulator: apply per NAT mode checked in AWS,
//! empty re-plan, drift repair, import, data source, failed-create paths,
//! a SIGKILL mid-create, and destroy leaving nothing behind.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use acceptance_tests::stack::{
    by_stack, count, ec2, plan_exit, provider_block, provider_block_at, rt, stack, tagged_objects,
};
use acceptance_tests::{Emulator, Workspace};

fn nat_mode_round_trip(nat: &str) {
    let emulator = Emulator::start();
    let name = format!("acc-{}", nat.replace('_', "-"));
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let ws = Workspace::new(&(provider_block(&emulator) + &stack(&name, nat, &zones)));
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(out.stdout.contains("1 added"), "{}", out.all());
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "plan after apply is not empty:\n{text}");

    rt().block_on(async {
        let ec2 = ec2(&emulator).await;
        let vpcs = ec2
            .describe_vpcs()
            .filters(by_stack(&name))
            .send()
            .await
            .unwrap();
        let vpc = &vpcs.vpcs()[0];
        assert_eq!(vpcs.vpcs().len(), 1);
        assert_eq!(vpc.cidr_block(), Some("10.20.0.0/16"));
        let tags: BTreeMap<_, _> = vpc
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
            .collect();
        assert_eq!(tags.get("team"), Some(&"platform"), "default tags");
        assert_eq!(tags.get("env"), Some(&"acc"), "stack tags");
        assert_eq!(tags.get("todo:component"), Some(&"vpc"));

        let subnets = ec2
            .describe_subnets()
            .filters(by_stack(&name))
            .send()
            .await
            .unwrap();
        let mut layout: Vec<(String, String, bool)> = subnets
            .subnets()
            .iter()
            .map(|s| {
                (
                    s.availability_zone().unwrap_or_default().to_string(),
                    s.cidr_block().unwrap_or_default().to_string(),
                    s.map_public_ip_on_launch().unwrap_or(false),
                )
            })
            .collect();
        layout.sort();
        assert_eq!(
            layout,
            vec![
                ("us-east-1a".into(), "10.20.0.0/20".into(), false),
                ("us-east-1a".into(), "10.20.128.0/20".into(), true),
                ("us-east-1b".into(), "10.20.144.0/20".into(), true),
                ("us-east-1b".into(), "10.20.16.0/20".into(), false),
                ("us-east-1c".into(), "10.20.160.0/20".into(), true),
                ("us-east-1c".into(), "10.20.32.0/20".into(), false),
            ]
        );

        let objects = tagged_objects(&ec2, &name).await;
        let nats = match nat {
            "one_per_az" => 3,
            "single" => 1,
            _ => 0,
        };
        assert_eq!(count(&objects, "nat"), nats, "{objects:?}");
        assert_eq!(count(&objects, "eip"), nats, "{objects:?}");
        assert_eq!(count(&objects, "igw"), 1);
        assert_eq!(count(&objects, "rtb"), 4);
        assert_eq!(count(&objects, "sg"), 3);

        // Routes: public default route to the IGW, private ones to a NAT (or none).
        let tables = ec2
            .describe_route_tables()
            .filters(by_stack(&name))
            .send()
            .await
            .unwrap();
        for table in tables.route_tables() {
            let component = table
                .tags()
                .iter()
                .find(|t| t.key() == Some("todo:component"))
                .and_then(|t| t.value())
                .unwrap_or_default()
                .to_string();
            let default = table
                .routes()
                .iter()
                .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
            if component == "rt-public" {
                assert!(
                    default
                        .and_then(|r| r.gateway_id())
                        .is_some_and(|g| g.starts_with("igw-")),
                    "{table:?}"
                );
                assert_eq!(
                    table
                        .associations()
                        .iter()
                        .filter(|a| a.subnet_id().is_some())
                        .count(),
                    3
                );
            } else {
                match nat {
                    "none" => assert!(default.is_none(), "{component} has a default route"),
                    _ => assert!(
                        default.and_then(|r| r.nat_gateway_id()).is_some(),
                        "{component}: {table:?}"
                    ),
                }
                assert_eq!(
                    table
                        .associations()
                        .iter()
                        .filter(|a| a.subnet_id().is_some())
                        .count(),
                    1
                );
            }
        }
    });

    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let left = tagged_objects(&ec2(&emulator).await, &name).await;
        assert!(left.is_empty(), "destroy left {left:?}");
    });
}

#[test]
fn network_one_nat_per_az() {
    nat_mode_round_trip("one_per_az");
}

#[test]
fn network_single_nat() {
    nat_mode_round_trip("single");
}

#[test]
fn network_without_nat() {
    nat_mode_round_trip("none");
}

#[test]
fn drift_is_planned_and_repaired() {
    let emulator = Emulator::start();
    let name = "acc-drift";
    let ws = Workspace::new(
        &(provider_block(&emulator) + &stack(name, "single", &["us-east-1a", "us-east-1b"])),
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let ec2 = ec2(&emulator).await;
        let subnets = ec2
            .describe_subnets()
            .filters(by_stack(name))
            .send()
            .await
            .unwrap();
        let victim = subnets
            .subnets()
            .iter()
            .find(|s| {
                s.tags()
                    .iter()
                    .any(|t| t.value() == Some("subnet-private-us-east-1b"))
            })
            .and_then(|s| s.subnet_id())
            .unwrap()
            .to_string();
        // The subnet's route table association goes with it.
        let tables = ec2
            .describe_route_tables()
            .filters(by_stack(name))
            .send()
            .await
            .unwrap();
        for t in tables.route_tables() {
            for a in t.associations() {
                if a.subnet_id() == Some(victim.as_str()) {
                    ec2.disassociate_route_table()
                        .association_id(a.route_table_association_id().unwrap())
                        .send()
                        .await
                        .unwrap();
                }
            }
        }
        ec2.delete_subnet().subnet_id(&victim).send().await.unwrap();
        let table = tables
            .route_tables()
            .iter()
            .find(|t| {
                t.tags()
                    .iter()
                    .any(|tag| tag.value() == Some("rt-private-us-east-1a"))
            })
            .unwrap();
        ec2.delete_route()
            .route_table_id(table.route_table_id().unwrap())
            .destination_cidr_block("0.0.0.0/0")
            .send()
            .await
            .unwrap();
    });
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "drift not planned:\n{text}");
    assert!(text.contains("update in-place"), "{text}");
    // The lost subnet's id becomes unknown; the route table stays known and
    // the drift names what changed in it.
    assert!(text.contains("private_subnet_ids"), "{text}");
    assert!(!text.contains("private_route_table_ids"), "{text}");
    assert!(
        text.contains("drift") && text.contains("0.0.0.0/0"),
        "{text}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "not converged:\n{text}");
    rt().block_on(async {
        let objects = tagged_objects(&ec2(&emulator).await, name).await;
        assert_eq!(count(&objects, "subnet"), 4, "{objects:?}");
    });
}

#[test]
fn import_and_data_source_read_an_existing_stack() {
    let emulator = Emulator::start();
    let name = "acc-import";
    let config =
        provider_block(&emulator) + &stack(name, "one_per_az", &["us-east-1a", "us-east-1b"]);
    let first = Workspace::new(&config);
    first
        .run(&["apply", "-auto-approve", "-no-color"])
        .success();
    let vpc = first.run(&["output", "-raw", "vpc_id"]).success().stdout;

    // terraform import into a fresh state: the next plan is empty.
    let second = Workspace::new(&config);
    let out = second
        .run(&["import", "-no-color", "todo_cloud_stack.net", name])
        .success();
    assert!(out.stdout.contains("Import successful"), "{}", out.all());
    let (code, text) = plan_exit(&second);
    assert_eq!(code, 0, "plan after import is not empty:\n{text}");

    // An import block does the same.
    let third = Workspace::new(&format!(
        "{config}\nimport {{\n  to = todo_cloud_stack.net\n  id = \"{name}\"\n}}\n"
    ));
    let out = third
        .run(&["apply", "-auto-approve", "-no-color"])
        .success();
    assert!(
        out.stdout
            .contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );

    // The data source reads the same outputs by name.
    let reader = Workspace::new(&format!(
        "{}\ndata \"todo_cloud_stack\" \"x\" {{\n  name = \"{name}\"\n}}\noutput \"vpc\" {{\n  value = data.todo_cloud_stack.x.network.vpc_id\n}}\noutput \"zones\" {{\n  value = join(\",\", data.todo_cloud_stack.x.network.availability_zones)\n}}\n",
        provider_block(&emulator)
    ));
    reader
        .run(&["apply", "-auto-approve", "-no-color"])
        .success();
    assert_eq!(reader.run(&["output", "-raw", "vpc"]).success().stdout, vpc);
    assert_eq!(
        reader.run(&["output", "-raw", "zones"]).success().stdout,
        "us-east-1a,us-east-1b"
    );

    let missing = Workspace::new(&format!(
        "{}\ndata \"todo_cloud_stack\" \"x\" {{\n  name = \"acc-missing\"\n}}\n",
        provider_block(&emulator)
    ));
    let out = missing.run(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(
        out.all().contains("No stack named \"acc-missing\""),
        "{}",
        out.all()
    );
}

/// Points `alias/todo/<name>` at a key of nobody's stack, so that a
/// create of `name` fails late (after the network exists); returns the
/// KMS client, to delete the alias again.
async fn block_alias(emulator: &Emulator, name: &str) -> aws_sdk_kms::Client {
    let kms = aws_sdk_kms::Client::new(&emulator.sdk_config().await);
    let key = kms
        .create_key()
        .description("someone else's")
        .send()
        .await
        .unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_string();
    kms.create_alias()
        .alias_name(format!("alias/todo/{name}"))
        .target_key_id(key_id)
        .send()
        .await
        .unwrap();
    kms
}

#[test]
fn a_zone_the_region_lacks_is_refused_at_plan_naming_the_attribute() {
    let emulator = Emulator::start();
    let ws = Workspace::new(
        &(provider_block(&emulator) + &stack("acc-zone", "single", &["us-east-1a", "eu-west-1b"])),
    );
    let out = ws.run(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    let text = out.all();
    assert!(text.contains("network.availability_zones[1]"), "{text}");
    assert!(text.contains("eu-west-1b"), "{text}");
    rt().block_on(async {
        assert!(
            tagged_objects(&ec2(&emulator).await, "acc-zone")
                .await
                .is_empty()
        );
    });
}

#[test]
fn a_failed_create_continues_after_untaint_or_is_replaced_by_a_plain_apply() {
    let emulator = Emulator::start();
    let name = "acc-fail";
    let config = provider_block(&emulator) + &stack(name, "single", &["us-east-1a", "us-east-1b"]);
    // The stack's KMS alias is taken: the create fails after the network
    // was built.
    let kms = rt().block_on(block_alias(&emulator, name));
    let unblock = || {
        rt().block_on(async {
            kms.delete_alias()
                .alias_name(format!("alias/todo/{name}"))
                .send()
                .await
                .unwrap();
        })
    };
    let ws = Workspace::new(&config);
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    assert!(
        text.contains("Creating stack \"acc-fail\" failed"),
        "{text}"
    );
    assert!(
        text.contains("alias/todo/acc-fail"),
        "the cause is named: {text}"
    );
    // Terraform wraps the detail text; the command is named.
    assert!(text.contains("untaint"), "{text}");
    let state = ws
        .run(&["state", "show", "-no-color", "todo_cloud_stack.net"])
        .success()
        .stdout;
    assert!(state.contains("tainted"), "{state}");
    let vpc_before = state
        .lines()
        .find(|l| l.trim_start().starts_with("vpc_id"))
        .unwrap_or_default()
        .to_string();
    // Path 1: fix the cause, untaint, then apply continues from where it stopped.
    unblock();
    ws.run(&["untaint", "todo_cloud_stack.net"]).success();
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    let state = ws
        .run(&["state", "show", "-no-color", "todo_cloud_stack.net"])
        .success()
        .stdout;
    let vpc_after = state
        .lines()
        .find(|l| l.trim_start().starts_with("vpc_id"))
        .unwrap_or_default()
        .to_string();
    assert_eq!(vpc_before, vpc_after, "the VPC was adopted, not replaced");
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    // Path 2: a plain apply after a failed create replaces the partial stack.
    rt().block_on(block_alias(&emulator, name));
    assert_ne!(ws.run(&["apply", "-auto-approve", "-no-color"]).code, 0);
    unblock();
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(
        out.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        out.all()
    );
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
    rt().block_on(async {
        let objects = tagged_objects(&ec2(&emulator).await, name).await;
        assert_eq!(count(&objects, "vpc"), 1, "{objects:?}");
        assert_eq!(count(&objects, "subnet"), 4, "{objects:?}");
    });
}

#[test]
fn a_killed_create_is_adopted_by_the_next_apply() {
    let emulator = Emulator::start();
    let name = "acc-kill";
    // 150 ms per request: the create takes seconds, so the kill lands mid-way.
    let slow =
        acceptance_tests::proxy::SlowProxy::start(&emulator.endpoint, Duration::from_millis(150));
    let ws = Workspace::new(
        &(provider_block_at(&slow.endpoint)
            + &stack(
                name,
                "one_per_az",
                &["us-east-1a", "us-east-1b", "us-east-1c"],
            )),
    );
    let runtime = rt();
    let client = runtime.block_on(ec2(&emulator));
    // Start apply in its own process group, kill -9 the group (terraform and
    // the provider) as soon as the VPC exists.
    let mut child = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    let start = Instant::now();
    loop {
        let objects = runtime.block_on(tagged_objects(&client, name));
        if count(&objects, "vpc") > 0 || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::process::Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
    let partial = runtime.block_on(tagged_objects(&client, name));
    assert!(!partial.is_empty());
    let list = ws.run(&["state", "list"]);
    assert!(
        !list.stdout.contains("todo_cloud_stack.net"),
        "the killed apply saved state: {}",
        list.all()
    );
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(out.stdout.contains("1 added"), "{}", out.all());
    let objects = runtime.block_on(tagged_objects(&client, name));
    assert_eq!(count(&objects, "vpc"), 1, "twin VPC: {objects:?}");
    assert_eq!(count(&objects, "subnet"), 6, "{objects:?}");
    assert_eq!(count(&objects, "nat"), 3, "{objects:?}");
    assert_eq!(count(&objects, "rtb"), 4, "{objects:?}");
    assert_eq!(count(&objects, "sg"), 3, "{objects:?}");
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn validate_names_the_bad_network_attribute() {
    let emulator_free = r#"
terraform {
  required_providers {
    todo = { source = "todo-app/todo" }
  }
}
"#;
    let two_zones = r#"availability_zones = ["us-east-1a", "us-east-1b"]"#;
    let network = |rest: &str| format!("  name = \"todo-val\"\n  network = {{ {rest} }}");
    let good = |rest: &str| {
        network(&format!(
            r#"cidr_block = "10.0.0.0/16", {two_zones}{}{rest}"#,
            if rest.is_empty() { "" } else { ", " }
        ))
    };
    // (the resource's body, the summary, the full path the output names,
    // how the line terraform quotes begins: the top-level attribute's, or a
    // top-level map entry's). One case per check of validate.rs.
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (
            network(&format!(r#"cidr_block = "10.0.0.0/33", {two_zones}"#)),
            "Invalid VPC CIDR",
            "network.cidr_block",
            "network =",
        ),
        (
            network(&format!(r#"cidr_block = "10.0.0.1/16", {two_zones}"#)),
            "Invalid VPC CIDR",
            "network.cidr_block",
            "network =",
        ),
        (
            network(&format!(r#"cidr_block = "10.0.0.0/26", {two_zones}"#)),
            "VPC CIDR prefix out of range",
            "network.cidr_block",
            "network =",
        ),
        (
            network(r#"cidr_block = "10.0.0.0/16""#),
            "No availability zones",
            "network.availability_zones",
            "network =",
        ),
        (
            good("availability_zone_count = 2"),
            "Conflicting availability zone settings",
            "network.availability_zone_count",
            "network =",
        ),
        (
            network(r#"cidr_block = "10.0.0.0/16", availability_zone_count = 7"#),
            "Invalid availability_zone_count",
            "network.availability_zone_count",
            "network =",
        ),
        (
            network(
                r#"cidr_block = "10.0.0.0/16", availability_zone_count = 2, private_subnet_cidrs = { "us-east-1a" = "10.0.0.0/20" }"#,
            ),
            "Explicit subnet CIDRs need named zones",
            "network.private_subnet_cidrs",
            "network =",
        ),
        (
            network(r#"cidr_block = "10.0.0.0/16", availability_zones = ["us-east-1a"]"#),
            "Wrong number of availability zones",
            "network.availability_zones",
            "network =",
        ),
        (
            network(r#"cidr_block = "10.0.0.0/16", availability_zones = ["us-east-1a", "mars"]"#),
            "Invalid availability zone",
            "network.availability_zones[1]",
            "network =",
        ),
        (
            network(
                r#"cidr_block = "10.0.0.0/16", availability_zones = ["us-east-1a", "us-east-1a"]"#,
            ),
            "Duplicate availability zone",
            "network.availability_zones[1]",
            "network =",
        ),
        (
            good(r#"nat_gateways = "two""#),
            "Invalid nat_gateways",
            "network.nat_gateways",
            "network =",
        ),
        // A zone listed twice still misses one entry: reported once.
        (
            network(
                r#"cidr_block = "10.0.0.0/16", availability_zones = ["us-east-1a", "us-east-1b", "us-east-1a"], public_subnet_cidrs = { "us-east-1b" = "10.0.144.0/20" }"#,
            ),
            "Missing subnet CIDR",
            "network.public_subnet_cidrs",
            "network =",
        ),
        (
            good(
                r#"public_subnet_cidrs = { "us-east-1a" = "10.0.128.0/20", "us-east-1b" = "10.0.144.0/20", "us-east-1c" = "10.0.160.0/20" }"#,
            ),
            "Subnet CIDR for an unknown zone",
            "network.public_subnet_cidrs[\"us-east-1c\"]",
            "network =",
        ),
        (
            good(
                r#"public_subnet_cidrs = { "us-east-1a" = "10.1.0.0/20", "us-east-1b" = "10.0.144.0/20" }"#,
            ),
            "Subnet CIDR outside the VPC",
            "network.public_subnet_cidrs[\"us-east-1a\"]",
            "network =",
        ),
        (
            good(
                r#"private_subnet_cidrs = { "us-east-1a" = "10.0.0.0/20", "us-east-1b" = "10.0.16.1/20" }"#,
            ),
            "Invalid subnet CIDR",
            "network.private_subnet_cidrs[\"us-east-1b\"]",
            "network =",
        ),
        (
            network(
                r#"cidr_block = "10.0.0.0/16", availability_zones = ["us-east-1a", "us-east-1z"]"#,
            ),
            "No default subnet CIDR",
            "network.availability_zones[1]",
            "network =",
        ),
        (
            good(
                r#"public_subnet_cidrs = { "us-east-1a" = "10.0.0.0/24", "us-east-1b" = "10.0.200.0/24" }"#,
            ),
            "Overlapping subnet CIDRs",
            "network.public_subnet_cidrs[\"us-east-1a\"]",
            "network =",
        ),
        (
            format!("{}\n  timeouts = {{ create = \"soon\" }}", good("")),
            "Invalid timeout",
            "timeouts.create",
            "timeouts =",
        ),
        (
            format!("{}\n  timeouts = {{ delete = \"0s\" }}", good("")),
            "Invalid timeout",
            "timeouts.delete",
            "timeouts =",
        ),
        (
            good("").replace("todo-val", "Bad_Name"),
            "Invalid stack name",
            "name",
            "name =",
        ),
        (
            format!(
                "{}\n  tags = {{ env = \"acc\", \"aws:team\" = \"x\" }}",
                good("")
            ),
            "Invalid tag",
            "tags[\"aws:team\"]",
            "tags =",
        ),
        (
            format!(
                "{}\n  tags = {{\n    env          = \"acc\"\n    \"todo:stack\" = \"x\"\n  }}",
                good("")
            ),
            "Reserved tag key",
            "tags[\"todo:stack\"]",
            "\"todo:stack\" =",
        ),
    ];
    for (body, summary, path, quoted) in &cases {
        let config =
            format!("{emulator_free}\nresource \"todo_cloud_stack\" \"x\" {{\n{body}\n}}\n");
        let ws = Workspace::new(&config);
        let out = ws.run(&["validate", "-no-color"]);
        let text = out.all();
        assert_ne!(out.code, 0, "{body}: accepted");
        assert_eq!(
            text.matches(&format!("Error: {summary}\n")).count(),
            1,
            "{body}: expected {summary:?} once:\n{text}"
        );
        // The full path opens the detail. Terraform wraps details at spaces
        // only, and a path has none.
        assert!(
            text.contains(&format!("\n{path}: ")),
            "{body}: the output does not name {path}:\n{text}"
        );
        // Terraform resolved the diagnostic's attribute path: it quotes the
        // attribute's line, not the resource's first line.
        let line = config
            .lines()
            .position(|l| l.trim_start().starts_with(quoted))
            .expect("the quoted line is in the configuration")
            + 1;
        assert!(
            text.contains(&format!(
                "on main.tf line {line}, in resource \"todo_cloud_stack\" \"x\":"
            )),
            "{body}: terraform does not point at line {line} ({quoted} ...):\n{text}"
        );
    }
}

#[test]
fn a_zone_count_is_resolved_against_the_region() {
    let emulator = Emulator::start();
    let ws = Workspace::new(&format!(
        r#"{}
resource "todo_cloud_stack" "net" {{
  name = "acc-count"
  network = {{
    cidr_block              = "10.30.0.0/16"
    availability_zone_count = 2
    nat_gateways            = "none"
  }}
}}

output "zones" {{
  value = join(",", todo_cloud_stack.net.network.availability_zones)
}}
"#,
        provider_block(&emulator)
    ));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let zones = ws.run(&["output", "-raw", "zones"]).success().stdout;
    let zones: Vec<&str> = zones.split(',').collect();
    assert_eq!(zones.len(), 2, "{zones:?}");
    assert!(
        zones.iter().all(|z| z.starts_with("us-east-1")),
        "{zones:?}"
    );
    assert!(zones[0] < zones[1], "{zones:?}");
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
}
