//! Acceptance tests of the provider itself: schema, validation, configure
//! against the emulator, unreachable endpoints, and the binary run by hand.

use std::time::Duration;

use acceptance_tests::{Emulator, Workspace, provider_binary};

const REQUIRED: &str = r#"
terraform {
  required_providers {
    todo = { source = "todo-app/todo" }
  }
}
"#;

fn config(provider_body: &str, rest: &str) -> String {
    format!("{REQUIRED}\nprovider \"todo\" {{\n{provider_body}\n}}\n{rest}")
}

fn emulator_provider(emulator: &Emulator) -> String {
    format!(
        r#"  region                      = "us-east-1"
  endpoint_url                = "{}"
  s3_use_path_style           = true
  skip_requesting_account_id  = false
  default_tags {{
    tags = {{ team = "platform" }}
  }}"#,
        emulator.endpoint
    )
}

#[test]
fn providers_schema_json_lists_the_provider_schema() {
    let ws = Workspace::new(&config("", ""));
    let out = ws.run(&["providers", "schema", "-json"]).success();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema is JSON");
    let provider = &json["provider_schemas"]["registry.terraform.io/todo-app/todo"];
    let attrs = &provider["provider"]["block"]["attributes"];
    for name in [
        "region",
        "profile",
        "endpoint_url",
        "access_key",
        "max_retries",
        "skip_credentials_validation",
    ] {
        assert!(
            attrs.get(name).is_some(),
            "provider attribute {name} missing: {attrs}"
        );
    }
    assert_eq!(
        attrs["secret_key"]["sensitive"], true,
        "secret_key must be sensitive"
    );
    let blocks = &provider["provider"]["block"]["block_types"];
    for name in ["assume_role", "endpoints", "default_tags"] {
        assert!(
            blocks.get(name).is_some(),
            "provider block {name} missing: {blocks}"
        );
    }
    assert!(
        provider["data_source_schemas"]
            .get("todo_caller_identity")
            .is_some(),
        "data source missing"
    );
}

#[test]
fn validate_names_the_bad_provider_setting() {
    let cases = [
        ("region = \"us east 1\"", "Invalid AWS region", "region"),
        ("region = \"US-EAST-1\"", "Invalid AWS region", "region"),
        (
            "endpoint_url = \"localhost:5000\"",
            "Invalid endpoint URL",
            "endpoint_url",
        ),
        ("max_retries = -1", "Invalid max_retries", "max_retries"),
        (
            "access_key = \"AKIAEXAMPLE\"",
            "Missing secret_key",
            "secret_key",
        ),
        (
            "assume_role {\n role_arn = \"arn:aws:iam::1:role/x\"\n }",
            "Invalid role ARN",
            "role_arn",
        ),
        (
            "endpoints {\n sts = \"ftp://x\"\n }",
            "Invalid endpoint URL",
            "sts",
        ),
    ];
    for (body, summary, attr) in cases {
        let ws = Workspace::new(&config(body, "data \"todo_caller_identity\" \"me\" {}\n"));
        let out = ws.run(&["validate", "-no-color"]);
        assert_ne!(out.code, 0, "validate accepted {body}:\n{}", out.all());
        let text = out.all();
        assert!(
            text.contains(summary),
            "{body}: expected {summary:?} in:\n{text}"
        );
        assert!(
            text.contains(attr),
            "{body}: expected the attribute {attr:?} in:\n{text}"
        );
    }
}

#[test]
fn plan_configures_against_the_emulator_and_reads_the_caller_identity() {
    let emulator = Emulator::start();
    let ws = Workspace::new(&config(
        &emulator_provider(&emulator),
        r#"
data "todo_caller_identity" "me" {}

output "account_id" {
  value = data.todo_caller_identity.me.account_id
}

output "region" {
  value = data.todo_caller_identity.me.region
}
"#,
    ));
    let out = ws.run(&["plan", "-no-color"]).success();
    // The account id the emulator reports proves STS GetCallerIdentity was called.
    assert!(
        out.stdout.contains(emulator.target.account_id()),
        "account id missing from plan:\n{}",
        out.all()
    );
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert!(out.stdout.contains("Apply complete"), "{}", out.all());
    let account_out = ws.run(&["output", "-raw", "account_id"]).success();
    assert_eq!(account_out.stdout.trim(), emulator.target.account_id());
    let region = ws.run(&["output", "-raw", "region"]).success();
    assert_eq!(region.stdout.trim(), "us-east-1");
}

#[test]
fn an_unreachable_endpoint_fails_fast_naming_the_endpoint_and_setting() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    for (body, setting) in [
        (
            format!("region = \"us-east-1\"\nendpoint_url = \"{endpoint}\""),
            "endpoint_url",
        ),
        (
            format!("region = \"us-east-1\"\nendpoints {{\n sts = \"{endpoint}\"\n }}"),
            "endpoints.sts",
        ),
    ] {
        let ws = Workspace::new(&config(&body, "data \"todo_caller_identity\" \"me\" {}\n"));
        let out = ws.run(&["plan", "-no-color"]);
        assert_ne!(
            out.code,
            0,
            "plan succeeded against a closed port:\n{}",
            out.all()
        );
        let text = out.all();
        assert!(
            text.contains(&format!("Cannot reach AWS STS at {endpoint}")),
            "{text}"
        );
        assert!(
            text.contains(setting),
            "setting {setting} not named:\n{text}"
        );
        assert!(
            out.elapsed < Duration::from_secs(60),
            "took {:?}",
            out.elapsed
        );
    }
}

#[test]
fn rejected_and_missing_credentials_are_explained() {
    let emulator = Emulator::start();
    // moto accepts any key, so an unknown profile is the failure we can make.
    let ws = Workspace::new(&config(
        &format!(
            "region = \"us-east-1\"\nendpoint_url = \"{}\"\nprofile = \"does-not-exist\"\nshared_config_files = [\"/nonexistent/config\"]\nshared_credentials_files = [\"/nonexistent/credentials\"]",
            emulator.endpoint
        ),
        "data \"todo_caller_identity\" \"me\" {}\n",
    ))
    .env("AWS_ACCESS_KEY_ID", "")
    .env("AWS_SECRET_ACCESS_KEY", "");
    let out = ws.run(&["plan", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    assert!(
        text.contains("No AWS credentials found")
            || text.contains("Checking the AWS credentials failed"),
        "{text}"
    );
    assert!(
        !text.contains("RUST_BACKTRACE") && !text.contains("stack backtrace"),
        "{text}"
    );
}

#[test]
fn skip_credentials_validation_makes_no_sts_call() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ws = Workspace::new(&config(
        &format!(
            "region = \"us-east-1\"\nendpoint_url = \"http://127.0.0.1:{port}\"\nskip_credentials_validation = true\nskip_requesting_account_id = true"
        ),
        "output \"ok\" { value = true }\n",
    ));
    ws.run(&["plan", "-no-color"]).success();
}

#[test]
fn running_the_binary_by_hand_prints_a_sentence() {
    let out = std::process::Command::new(provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run the provider binary");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a plugin for Terraform"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn emulator_reset_clears_state() {
    let emulator = Emulator::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sdk = emulator.sdk_config().await;
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        ec2.create_vpc()
            .cidr_block("10.9.0.0/16")
            .send()
            .await
            .expect("create vpc");
        let count = |vpcs: Vec<aws_sdk_ec2::types::Vpc>| {
            vpcs.iter()
                .filter(|v| v.cidr_block() == Some("10.9.0.0/16"))
                .count()
        };
        let before = ec2
            .describe_vpcs()
            .send()
            .await
            .unwrap()
            .vpcs
            .unwrap_or_default();
        assert_eq!(count(before), 1);
        emulator.reset();
        let after = ec2
            .describe_vpcs()
            .send()
            .await
            .unwrap()
            .vpcs
            .unwrap_or_default();
        assert_eq!(count(after), 0);
    });
}

/// Distinctive credentials: moto and LocalStack accept any, and none of them
/// may show up in a log, however verbose.
const LEAK_ACCESS_KEY: &str = "AKIALEAKPROBE7Q3ZX9W1";
const LEAK_SECRET_KEY: &str = "leak-probe-secret/Zq8vN3wR6tY1uI4oP7aS0dF";
const LEAK_TOKEN: &str = "leak-probe-session-token-Hj5kL2mN9bV6cX3z";

/// `terraform plan` of a caller-identity read with `var=TRACE`: Terraform
/// reads every line the provider writes to stderr through go-plugin, which
/// panicked (`interface conversion: interface {} is nil, not string`) on a
/// log line whose `@message` was not a string.
fn plan_with_trace_logging(var: &str) {
    let emulator = Emulator::start();
    let ws = Workspace::new(&config(
        &format!(
            r#"  region       = "us-east-1"
  endpoint_url = "{}"
  access_key   = "{LEAK_ACCESS_KEY}"
  secret_key   = "{LEAK_SECRET_KEY}"
  token        = "{LEAK_TOKEN}""#,
            emulator.endpoint
        ),
        r#"
data "todo_caller_identity" "me" {}

output "account_id" {
  value = data.todo_caller_identity.me.account_id
}
"#,
    ))
    .env(var, "TRACE")
    // Nothing but the provider block may give credentials.
    .env("AWS_ACCESS_KEY_ID", "")
    .env("AWS_SECRET_ACCESS_KEY", "");
    let out = ws.run(&["plan", "-no-color"]);
    let text = out.all();
    for crash in ["panic:", "interface conversion", "TERRAFORM CRASH"] {
        assert!(
            !text.contains(crash),
            "{var}=TRACE: terraform crashed ({crash:?}):\n{text}"
        );
    }
    assert_eq!(out.code, 0, "{var}=TRACE: plan failed:\n{text}");
    assert!(
        out.stdout.contains(emulator.target.account_id()),
        "{var}=TRACE: the plan did not read the caller identity:\n{text}"
    );
    // The provider's own lines, parsed by go-plugin and re-logged by
    // Terraform under the plugin's name with their level:
    // `[DEBUG] provider.terraform-provider-todo: MESSAGE: key=value ...`.
    const PREFIX: &str = "provider.terraform-provider-todo: ";
    let provider_lines: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.split_once(PREFIX).map(|(_, rest)| rest))
        .collect();
    assert!(
        provider_lines
            .iter()
            .any(|l| l.starts_with("configuring provider:")),
        "{var}=TRACE: the provider's debug line is missing from the trace:\n{}",
        out.stderr
    );
    // The crash came from a line without a message (hclog then prints the
    // key=value pairs right after the plugin name). If none reaches
    // Terraform any more, this test no longer covers that path: find
    // another event without a message to drive it.
    assert!(
        provider_lines.iter().any(|l| l
            .split_whitespace()
            .next()
            .is_some_and(|first| first.contains('='))),
        "{var}=TRACE: no provider line without a message reached Terraform:\n{}",
        out.stderr
    );
    // go-plugin logs a line it cannot parse as hclog JSON as it is, under
    // the plugin's name: no line of ours may end up like that.
    for line in out.stderr.lines() {
        assert!(
            !line.contains("terraform-provider-todo: {\""),
            "{var}=TRACE: a provider line was not read as hclog JSON: {line}"
        );
    }
    for (name, value) in [
        ("access_key", LEAK_ACCESS_KEY),
        ("secret_key", LEAK_SECRET_KEY),
        ("token", LEAK_TOKEN),
    ] {
        assert!(
            !text.contains(value),
            "{var}=TRACE: the {name} appears in terraform's output or log:\n{}",
            text.lines()
                .filter(|l| l.contains(value))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn tf_log_trace_plan_succeeds_and_leaks_no_credential() {
    plan_with_trace_logging("TF_LOG");
}

#[test]
fn tf_log_provider_trace_plan_succeeds_and_leaks_no_credential() {
    plan_with_trace_logging("TF_LOG_PROVIDER");
}
