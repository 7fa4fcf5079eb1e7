//! Acceptance tests of the engine's safety rules through the real terraform
//! CLI on the emulator: ownership between configurations, create before
//! destroy, tags, drift of rules, region, precise plans, NAT replacement,
//! the stack's KMS key, and a trace log with no credential in it.

use std::collections::BTreeMap;

use acceptance_tests::stack::{
    by_stack, count, ec2, plan_exit, provider_block, rt, stack, tagged_objects,
};
use acceptance_tests::{Emulator, Workspace};

fn kms(emulator: &Emulator) -> aws_sdk_kms::Client {
    rt().block_on(async { aws_sdk_kms::Client::new(&emulator.sdk_config().await) })
}

fn objects(emulator: &Emulator, name: &str) -> Vec<String> {
    rt().block_on(async {
        let mut o = tagged_objects(&ec2(emulator).await, name).await;
        o.sort();
        o
    })
}

fn output(ws: &Workspace, name: &str) -> String {
    ws.run(&["output", "-raw", name]).success().stdout
}

/// Whether a plan's `after_unknown` value marks anything unknown.
fn any_unknown(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Array(items) => items.iter().any(any_unknown),
        serde_json::Value::Object(m) => m.values().any(any_unknown),
        _ => false,
    }
}

const TWO_ZONES: [&str; 2] = ["us-east-1a", "us-east-1b"];

#[test]
fn a_second_configuration_with_the_same_name_is_refused_and_the_first_stack_is_untouched() {
    let emulator = Emulator::start();
    let name = "acc-owner";
    let config = provider_block(&emulator) + &stack(name, "single", &TWO_ZONES);
    let first = Workspace::new(&config);
    first
        .run(&["apply", "-auto-approve", "-no-color"])
        .success();
    let vpc = output(&first, "vpc_id");
    let before = objects(&emulator, name);
    let second = Workspace::new(&config);
    let out = second.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    assert!(text.contains("already exists"), "{text}");
    assert!(text.contains("terraform import"), "{text}");
    assert!(
        text.contains(&vpc),
        "the existing stack is named by its VPC: {text}"
    );
    assert_eq!(
        objects(&emulator, name),
        before,
        "the refused create touched AWS"
    );
    // The second state holds nothing, and destroying it deletes nothing.
    assert!(
        !second
            .run(&["state", "list"])
            .stdout
            .contains("todo_cloud_stack")
    );
    second
        .run(&["destroy", "-auto-approve", "-no-color"])
        .success();
    assert_eq!(
        objects(&emulator, name),
        before,
        "the second destroy touched AWS"
    );
    let (code, text) = plan_exit(&first);
    assert_eq!(code, 0, "the first stack drifted:\n{text}");
}

#[test]
fn replace_with_create_before_destroy_is_refused_before_anything_is_deleted() {
    let emulator = Emulator::start();
    let name = "acc-cbd";
    let config = provider_block(&emulator)
        + &stack(name, "none", &TWO_ZONES).replace(
            "  name = \"acc-cbd\"",
            "  name = \"acc-cbd\"\n  lifecycle {\n    create_before_destroy = true\n  }",
        );
    let ws = Workspace::new(&config);
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let before = objects(&emulator, name);
    assert!(!before.is_empty());
    let out = ws.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-replace=todo_cloud_stack.net",
    ]);
    assert_ne!(
        out.code,
        0,
        "a replacement adopted its own predecessor: {}",
        out.all()
    );
    assert!(out.all().contains("already exists"), "{}", out.all());
    assert_eq!(
        objects(&emulator, name),
        before,
        "objects were deleted or created"
    );
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn tags_and_default_tags_reach_every_object_in_place() {
    let emulator = Emulator::start();
    let name = "acc-tags";
    let ws = Workspace::new(&(provider_block(&emulator) + &stack(name, "single", &TWO_ZONES)));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let before = objects(&emulator, name);
    ws.write_config(
        &(provider_block(&emulator).replace("team = \"platform\"", "team = \"payments\"")
            + &stack(name, "single", &TWO_ZONES).replace("env = \"acc\"", "env = \"prod\"")),
    );
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(
        objects(&emulator, name),
        before,
        "a tag change replaced objects"
    );
    rt().block_on(async {
        let ec2 = ec2(&emulator).await;
        let tags = ec2
            .describe_tags()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("key")
                    .values("env")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let ids: Vec<String> = before
            .iter()
            .map(|o| o.split(' ').nth(1).unwrap().to_string())
            .collect();
        for id in &ids {
            let env: Vec<&str> = tags
                .tags()
                .iter()
                .filter(|t| t.resource_id() == Some(id.as_str()))
                .filter_map(|t| t.value())
                .collect();
            assert_eq!(env, vec!["prod"], "{id}");
        }
        let teams = ec2
            .describe_tags()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("key")
                    .values("team")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        for id in &ids {
            assert!(
                teams
                    .tags()
                    .iter()
                    .any(|t| t.resource_id() == Some(id.as_str()) && t.value() == Some("payments")),
                "{id} kept the old default tag"
            );
        }
    });
    let key = rt().block_on(async {
        let kms = aws_sdk_kms::Client::new(&emulator.sdk_config().await);
        let id = kms
            .describe_key()
            .key_id(format!("alias/todo/{name}"))
            .send()
            .await
            .unwrap();
        let id = id.key_metadata().unwrap().key_id().to_string();
        let tags = kms.list_resource_tags().key_id(&id).send().await.unwrap();
        tags.tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect::<BTreeMap<_, _>>()
    });
    assert_eq!(key.get("env").map(String::as_str), Some("prod"), "{key:?}");
    assert_eq!(
        key.get("team").map(String::as_str),
        Some("payments"),
        "{key:?}"
    );
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_rule_opened_out_of_band_is_planned_and_removed() {
    let emulator = Emulator::start();
    let name = "acc-rule";
    let ws = Workspace::new(&(provider_block(&emulator) + &stack(name, "none", &TWO_ZONES)));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let group = rt().block_on(async {
        let ec2 = ec2(&emulator).await;
        let groups = ec2
            .describe_security_groups()
            .filters(by_stack(name))
            .send()
            .await
            .unwrap();
        let db = groups
            .security_groups()
            .iter()
            .find(|g| g.tags().iter().any(|t| t.value() == Some("sg-database")))
            .unwrap()
            .group_id()
            .unwrap()
            .to_string();
        ec2.authorize_security_group_ingress()
            .group_id(&db)
            .ip_protocol("tcp")
            .from_port(5432)
            .to_port(5432)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .unwrap();
        db
    });
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "the opened rule is not planned:\n{text}");
    assert!(
        text.contains(&group) && text.contains("0.0.0.0/0"),
        "{text}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let ec2 = ec2(&emulator).await;
        let g = ec2
            .describe_security_groups()
            .group_ids(&group)
            .send()
            .await
            .unwrap();
        let open = g.security_groups()[0].ip_permissions().iter().any(|p| {
            p.ip_ranges()
                .iter()
                .any(|r| r.cidr_ip() == Some("0.0.0.0/0"))
        });
        assert!(!open, "the rule is still there");
    });
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_region_change_replaces_the_stack_and_orphans_nothing() {
    let emulator = Emulator::start();
    let name = "acc-region";
    let counted = |region: &str| {
        provider_block(&emulator).replace(
            "region                     = \"us-east-1\"",
            &format!("region = \"{region}\""),
        ) + &format!(
            "resource \"todo_cloud_stack\" \"net\" {{\n  name = \"{name}\"\n  network = {{\n    cidr_block = \"10.30.0.0/16\"\n    availability_zone_count = 2\n    nat_gateways = \"none\"\n  }}\n}}\n"
        )
    };
    let ws = Workspace::new(&counted("us-east-1"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    ws.write_config(&counted("us-west-2"));
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("forces replacement"), "{text}");
    assert!(
        text.contains("us-west-2") && text.contains("region"),
        "{text}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(objects(&emulator, name).is_empty(), "orphans in us-east-1");
    let west = rt().block_on(async {
        let sdk = emulator
            .sdk_config()
            .await
            .to_builder()
            .region(aws_config::Region::new("us-west-2"))
            .build();
        tagged_objects(&aws_sdk_ec2::Client::new(&sdk), name).await
    });
    assert_eq!(count(&west, "vpc"), 1, "{west:?}");
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_tag_known_only_after_apply_keeps_every_id_known() {
    let emulator = Emulator::start();
    let name = "acc-known";
    let config = |version: &str| {
        provider_block(&emulator)
            + &stack(name, "none", &TWO_ZONES).replace(
                "tags = { env = \"acc\" }",
                "tags = { env = \"acc\", version = terraform_data.version.output }",
            )
            + &format!(
                "resource \"terraform_data\" \"version\" {{\n  input = \"{version}\"\n}}\n\
                 resource \"terraform_data\" \"dependent\" {{\n  triggers_replace = [todo_cloud_stack.net.network.vpc_id]\n}}\n"
            )
    };
    let ws = Workspace::new(&config("1"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    ws.write_config(&config("2"));
    ws.run(&["plan", "-out=tf.plan", "-no-color"]).success();
    let json = ws.run(&["show", "-json", "tf.plan"]).success().stdout;
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changes = plan["resource_changes"].as_array().unwrap();
    let stack = changes
        .iter()
        .find(|c| c["address"] == "todo_cloud_stack.net")
        .unwrap();
    assert_eq!(stack["change"]["actions"], serde_json::json!(["update"]));
    let unknown = &stack["change"]["after_unknown"];
    assert_eq!(unknown["tags"]["version"], true, "{unknown}");
    for attr in ["network", "kms_key_arn", "stack_id", "region", "id"] {
        assert!(
            !any_unknown(&unknown[attr]),
            "{attr} unknown in the plan: {unknown}"
        );
    }
    let dependent = changes
        .iter()
        .find(|c| c["address"] == "terraform_data.dependent")
        .unwrap();
    assert_eq!(
        dependent["change"]["actions"],
        serde_json::json!(["no-op"]),
        "{dependent}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color", "tf.plan"])
        .success();
}

#[test]
fn a_public_subnet_cidr_change_with_one_nat_per_zone_applies() {
    let emulator = Emulator::start();
    let name = "acc-natcidr";
    let config = |cidr: &str| {
        provider_block(&emulator)
            + &stack(name, "one_per_az", &TWO_ZONES).replace(
                "nat_gateways       = \"one_per_az\"",
                &format!(
                    "nat_gateways       = \"one_per_az\"\n    public_subnet_cidrs = {{ \"us-east-1a\" = \"{cidr}\", \"us-east-1b\" = \"10.20.144.0/20\" }}"
                ),
            )
    };
    let ws = Workspace::new(&config("10.20.128.0/20"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    ws.write_config(&config("10.20.112.0/20"));
    let out = ws.run(&["plan", "-no-color"]).success();
    assert!(
        out.all().contains("new Elastic IP"),
        "the plan says the address changes: {}",
        out.all()
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "{text}");
    let after = objects(&emulator, name);
    assert_eq!(count(&after, "nat"), 2, "{after:?}");
    assert_eq!(
        count(&after, "eip"),
        2,
        "the old address was not released: {after:?}"
    );
    assert_eq!(count(&after, "subnet"), 4, "{after:?}");
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    assert!(objects(&emulator, name).is_empty());
}

#[test]
fn the_stack_key_rotates_has_its_alias_and_is_scheduled_for_deletion_on_destroy() {
    let emulator = Emulator::start();
    let name = "acc-key";
    let ws = Workspace::new(
        &(provider_block(&emulator)
            + &stack(name, "none", &TWO_ZONES)
            + "output \"key\" {\n  value = todo_cloud_stack.net.kms_key_arn\n}\n"),
    );
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let arn = output(&ws, "key");
    let kms = kms(&emulator);
    let alias = format!("alias/todo/{name}");
    rt().block_on(async {
        let key = kms.describe_key().key_id(&alias).send().await.unwrap();
        let meta = key.key_metadata().unwrap();
        assert_eq!(meta.arn(), Some(arn.as_str()));
        let rotation = kms
            .get_key_rotation_status()
            .key_id(&arn)
            .send()
            .await
            .unwrap();
        assert!(rotation.key_rotation_enabled(), "rotation off");
    });
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        assert!(
            kms.describe_key().key_id(&alias).send().await.is_err(),
            "the alias is still there"
        );
        let key = kms.describe_key().key_id(&arn).send().await.unwrap();
        assert_eq!(
            key.key_metadata().unwrap().key_state(),
            Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
        );
    });
}

#[test]
fn apply_plan_and_destroy_at_trace_level_work_and_log_no_credential() {
    let emulator = Emulator::start();
    let name = "acc-trace";
    let secret = "Tr4ceSecretKeyValueNeverLogged0123456789";
    let provider = provider_block(&emulator).replace(
        "skip_requesting_account_id = true",
        &format!("skip_requesting_account_id = true\n  access_key = \"AKIATRACEACCESS00001\"\n  secret_key = \"{secret}\""),
    );
    let ws = Workspace::new(&(provider + &stack(name, "none", &TWO_ZONES))).env("TF_LOG", "TRACE");
    for args in [
        vec!["apply", "-auto-approve", "-no-color"],
        vec!["plan", "-no-color"],
        vec!["destroy", "-auto-approve", "-no-color"],
    ] {
        let out = ws.run(&args).success();
        let all = out.all();
        assert!(!all.contains(secret), "{args:?} logged the secret key");
        assert!(
            all.contains("provider.terraform-provider-todo"),
            "{args:?}: no provider lines in the trace"
        );
    }
    assert!(objects(&emulator, name).is_empty());
}
