//! Acceptance tests of `todo_cloud_stack`'s monitoring through the real
//! terraform CLI against moto: a full stack (network, cluster, database
//! with a replica) with monitoring, checked through the SDK (the topic, its
//! key, policy and subscriptions; log groups with retention and key; the
//! flow log and its role; alarms with their dimensions and actions; the
//! dashboard; the key policy); an empty re-plan; a replica added and
//! removed with its lag alarm; destroy leaving nothing; validate naming the
//! bad attributes.
//!
//! moto confirms subscriptions at once and starts alarms in OK; pending
//! confirmations and waits are covered by the engine tests on the sim.
//! LocalStack's community edition serves no EKS or RDS: there these tests
//! print why they skip.

use acceptance_tests::stack::{plan_exit, provider_block, rt, tagged_objects};
use acceptance_tests::{Emulator, Workspace};

const NAME: &str = "acc-mon";

/// Whether the emulator serves what the full stack needs; prints why not.
fn serves_full_stack(emulator: &Emulator) -> bool {
    let ok = emulator.target.serves("rds") && emulator.target.serves("eks");
    if !ok {
        println!(
            "SKIPPED: {} does not serve EKS and RDS (its community edition answers 501); the monitoring tests run on moto",
            emulator.target.name()
        );
    }
    ok
}

/// The full stack with monitoring; `replicas` is the HCL inside
/// `replicas = {}`.
fn monitored(replicas: &str) -> String {
    format!(
        r#"
resource "todo_cloud_stack" "s" {{
  name = "{NAME}"
  tags = {{ env = "acc" }}

  network = {{
    cidr_block              = "10.50.0.0/16"
    availability_zone_count = 2
    nat_gateways            = "single"
  }}

  cluster = {{
    version = "1.31"
    addons  = {{}}
    node_groups = {{
      general = {{ min_size = 1, max_size = 2 }}
    }}
  }}

  database = {{
    deletion_protection = false
    skip_final_snapshot = true
    apply_immediately   = true
    replicas = {{
{replicas}
    }}
  }}

  monitoring = {{
    log_retention_days = 14
    subscriptions = [
      {{ protocol = "email", endpoint = "ops@example.com" }},
      {{ protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:alerts" }},
    ]
    alarms = {{
      database_cpu = {{ threshold = 90 }}
    }}
  }}
}}

output "topic_arn" {{
  value = todo_cloud_stack.s.monitoring.topic_arn
}}

output "dashboard" {{
  value = todo_cloud_stack.s.monitoring.dashboard_name
}}

output "alarm_count" {{
  value = length(todo_cloud_stack.s.monitoring.alarm_names)
}}

output "flow_log_group" {{
  value = todo_cloud_stack.s.monitoring.log_group_names["flow_logs"]
}}

output "db_identifier" {{
  value = todo_cloud_stack.s.database.identifier
}}

output "key" {{
  value = todo_cloud_stack.s.kms_key_arn
}}

output "vpc_id" {{
  value = todo_cloud_stack.s.network.vpc_id
}}
"#
    )
}

fn output(ws: &Workspace, name: &str) -> String {
    ws.run(&["output", "-raw", name]).success().stdout
}

struct Aws {
    logs: aws_sdk_cloudwatchlogs::Client,
    sns: aws_sdk_sns::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    ec2: aws_sdk_ec2::Client,
    iam: aws_sdk_iam::Client,
    kms: aws_sdk_kms::Client,
}

async fn aws(emulator: &Emulator) -> Aws {
    let config = emulator.sdk_config().await;
    Aws {
        logs: aws_sdk_cloudwatchlogs::Client::new(&config),
        sns: aws_sdk_sns::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
        ec2: aws_sdk_ec2::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        kms: aws_sdk_kms::Client::new(&config),
    }
}

/// The stack's alarms: (name, dimensions, alarm actions, ok actions, threshold).
async fn alarms(aws: &Aws) -> Vec<(String, Vec<(String, String)>, Vec<String>, Vec<String>, f64)> {
    let out = aws
        .cloudwatch
        .describe_alarms()
        .alarm_name_prefix(format!("{NAME}-"))
        .send()
        .await
        .unwrap();
    let mut v: Vec<_> = out
        .metric_alarms()
        .iter()
        .map(|a| {
            (
                a.alarm_name().unwrap_or_default().to_string(),
                a.dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_string(),
                            d.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                a.alarm_actions().to_vec(),
                a.ok_actions().to_vec(),
                a.threshold().unwrap_or_default(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Names of the log groups under `prefix`.
async fn log_groups(aws: &Aws, prefix: &str) -> Vec<(String, Option<i32>, Option<String>)> {
    let out = aws
        .logs
        .describe_log_groups()
        .log_group_name_prefix(prefix)
        .send()
        .await
        .unwrap();
    out.log_groups()
        .iter()
        .map(|g| {
            (
                g.log_group_name().unwrap_or_default().to_string(),
                g.retention_in_days(),
                g.kms_key_id().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn a_full_stack_with_monitoring_round_trips_and_alarms_follow_replicas() {
    let emulator = Emulator::start();
    if !serves_full_stack(&emulator) {
        return;
    }
    let provider = provider_block(&emulator);
    let config = |replicas: &str| provider.clone() + &monitored(replicas);
    let ws = Workspace::new(&config("      r1 = {}"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "plan after apply is not empty:\n{text}");
    let topic = output(&ws, "topic_arn");
    let key = output(&ws, "key");
    let db = output(&ws, "db_identifier");
    let vpc = output(&ws, "vpc_id");
    assert_eq!(output(&ws, "dashboard"), format!("{NAME}-us-east-1"));
    assert_eq!(
        output(&ws, "flow_log_group"),
        format!("/todo/{NAME}/vpc-flow-logs")
    );
    assert_eq!(output(&ws, "alarm_count"), "7");

    rt().block_on(async {
        let aws = aws(&emulator).await;
        // The topic: encrypted with the stack's key, CloudWatch may
        // publish, both subscriptions.
        let attrs = aws
            .sns
            .get_topic_attributes()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        let attrs = attrs.attributes().unwrap();
        assert_eq!(attrs.get("KmsMasterKeyId"), Some(&key));
        let policy = attrs.get("Policy").unwrap();
        assert!(
            policy.contains("cloudwatch.amazonaws.com") && policy.contains("sns:Publish"),
            "{policy}"
        );
        let subs = aws
            .sns
            .list_subscriptions_by_topic()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        let mut subs: Vec<(String, String)> = subs
            .subscriptions()
            .iter()
            .map(|s| {
                (
                    s.protocol().unwrap_or_default().into(),
                    s.endpoint().unwrap_or_default().into(),
                )
            })
            .collect();
        subs.sort();
        assert_eq!(
            subs,
            vec![
                ("email".to_string(), "ops@example.com".to_string()),
                (
                    "sqs".to_string(),
                    "arn:aws:sqs:us-east-1:123456789012:alerts".to_string()
                ),
            ]
        );

        // Log groups: EKS's, the RDS exports', the flow logs'; retention
        // and key on each.
        let mut groups = log_groups(&aws, &format!("/aws/eks/{NAME}/")).await;
        groups.extend(log_groups(&aws, &format!("/aws/rds/instance/{db}/")).await);
        groups.extend(log_groups(&aws, &format!("/todo/{NAME}/")).await);
        let names: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            names,
            vec![
                format!("/aws/eks/{NAME}/cluster"),
                format!("/aws/rds/instance/{db}/postgresql"),
                format!("/aws/rds/instance/{db}/upgrade"),
                format!("/todo/{NAME}/vpc-flow-logs"),
            ]
        );
        for (name, retention, kms) in &groups {
            assert_eq!(*retention, Some(14), "{name}");
            assert_eq!(kms.as_deref(), Some(key.as_str()), "{name}");
        }

        // The flow log: the VPC, all traffic, to its group, with the
        // stack's flow-log role, whose inline policy may write there.
        let flows = aws
            .ec2
            .describe_flow_logs()
            .filter(
                aws_sdk_ec2::types::Filter::builder()
                    .name("resource-id")
                    .values(&vpc)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let flows = flows.flow_logs();
        assert_eq!(flows.len(), 1, "{flows:?}");
        let f = &flows[0];
        assert_eq!(
            f.log_group_name(),
            Some(format!("/todo/{NAME}/vpc-flow-logs").as_str())
        );
        assert_eq!(f.traffic_type().map(|t| t.as_str()), Some("ALL"));
        let role_arn = f.deliver_logs_permission_arn().unwrap();
        let role = role_arn.rsplit('/').next().unwrap();
        assert_eq!(role, format!("{NAME}-us-east-1-flowlog"));
        let inline = aws
            .iam
            .get_role_policy()
            .role_name(role)
            .policy_name("todo-stack")
            .send()
            .await
            .unwrap();
        let doc = inline.policy_document();
        assert!(
            doc.contains("PutLogEvents")
                || doc.contains("PutLogEvents".replace(':', "%3A").as_str()),
            "{doc}"
        );

        // Alarms: the primary's four (CPU at the configured 90), the
        // replica's lag, the NAT gateway's two; each notifies the topic.
        let all = alarms(&aws).await;
        let names: Vec<&str> = all.iter().map(|a| a.0.as_str()).collect();
        let zone = "us-east-1a";
        assert_eq!(
            names,
            vec![
                format!("{NAME}-db-connections"),
                format!("{NAME}-db-cpu"),
                format!("{NAME}-db-free-storage"),
                format!("{NAME}-db-freeable-memory"),
                format!("{NAME}-nat-packets-dropped-{zone}"),
                format!("{NAME}-nat-port-allocation-errors-{zone}"),
                format!("{NAME}-replica-lag-r1"),
            ]
        );
        for (name, dims, on_alarm, on_ok, _) in &all {
            assert_eq!(on_alarm, &vec![topic.clone()], "{name}");
            assert_eq!(on_ok, &vec![topic.clone()], "{name}");
            assert_eq!(dims.len(), 1, "{name}: {dims:?}");
        }
        let cpu = all.iter().find(|a| a.0.ends_with("-db-cpu")).unwrap();
        assert_eq!(
            cpu.1,
            vec![("DBInstanceIdentifier".to_string(), db.clone())]
        );
        assert_eq!(cpu.4, 90.0);
        let nat = all.iter().find(|a| a.0.contains("nat-packets")).unwrap();
        assert_eq!(nat.1[0].0, "NatGatewayId");
        assert!(nat.1[0].1.starts_with("nat-"), "{nat:?}");
        let arn = format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{}", cpu.0);
        let tags = aws
            .cloudwatch
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        assert!(
            tags.tags()
                .iter()
                .any(|t| t.key() == Some("todo:stack") && t.value() == Some(NAME)),
            "{tags:?}"
        );

        // The dashboard shows the database and the NAT gateway.
        let dash = aws
            .cloudwatch
            .get_dashboard()
            .dashboard_name(format!("{NAME}-us-east-1"))
            .send()
            .await
            .unwrap();
        let body = dash.dashboard_body().unwrap();
        assert!(body.contains(&db) && body.contains(&nat.1[0].1), "{body}");
        assert!(body.contains("todo-stack-tags"), "{body}");

        // The key lets CloudWatch Logs and alarms use it.
        let policy = aws
            .kms
            .get_key_policy()
            .key_id(&key)
            .policy_name("default")
            .send()
            .await
            .unwrap();
        let policy = policy.policy().unwrap();
        assert!(policy.contains("logs.us-east-1.amazonaws.com"), "{policy}");
    });

    // Another configuration reads the monitoring through the data source.
    let reader = format!(
        r#"
data "todo_cloud_stack" "read" {{
  name       = "{NAME}"
  depends_on = [todo_cloud_stack.s]
}}

output "read_topic" {{
  value = data.todo_cloud_stack.read.monitoring.topic_arn
}}
"#
    );
    ws.write_config(&(config("      r1 = {}") + &reader));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert_eq!(output(&ws, "read_topic"), topic);

    // A replica added: its lag alarm appears; removed: it goes.
    let before = rt().block_on(async { alarms(&aws(&emulator).await).await });
    ws.write_config(&config("      r1 = {}\n      r2 = {}"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let with_r2 = rt().block_on(async { alarms(&aws(&emulator).await).await });
    assert_eq!(with_r2.len(), before.len() + 1);
    assert!(
        with_r2
            .iter()
            .any(|a| a.0 == format!("{NAME}-replica-lag-r2"))
    );
    assert!(before.iter().all(|a| with_r2.contains(a)), "{with_r2:?}");
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "plan after adding a replica is not empty:\n{text}");
    ws.write_config(&config("      r1 = {}"));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let back = rt().block_on(async { alarms(&aws(&emulator).await).await });
    assert_eq!(back, before);
    let (code, text) = plan_exit(&ws);
    assert_eq!(
        code, 0,
        "plan after removing a replica is not empty:\n{text}"
    );

    // Destroy leaves nothing of the stack.
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let aws = aws(&emulator).await;
        assert!(alarms(&aws).await.is_empty());
        for prefix in [
            format!("/aws/eks/{NAME}/"),
            format!("/aws/rds/instance/{db}/"),
            format!("/todo/{NAME}/"),
        ] {
            let left = log_groups(&aws, &prefix).await;
            assert!(left.is_empty(), "{left:?}");
        }
        let topics = aws.sns.list_topics().send().await.unwrap();
        assert!(
            topics
                .topics()
                .iter()
                .all(|t| t.topic_arn() != Some(topic.as_str())),
            "topic left"
        );
        assert!(
            aws.cloudwatch
                .get_dashboard()
                .dashboard_name(format!("{NAME}-us-east-1"))
                .send()
                .await
                .is_err(),
            "dashboard left"
        );
        let flows = aws.ec2.describe_flow_logs().send().await.unwrap();
        assert!(flows.flow_logs().is_empty(), "{flows:?}");
        let roles = aws
            .iam
            .list_roles()
            .path_prefix(format!("/todo/us-east-1/{NAME}/"))
            .send()
            .await
            .unwrap();
        assert!(roles.roles().is_empty(), "{roles:?}");
        assert!(tagged_objects(&aws.ec2, NAME).await.is_empty());
    });
}

#[test]
fn validate_names_the_bad_monitoring_attributes() {
    let emulator = Emulator::start();
    let config = provider_block(&emulator)
        + &format!(
            r#"
resource "todo_cloud_stack" "s" {{
  name    = "{NAME}"
  network = {{
    cidr_block              = "10.50.0.0/16"
    availability_zone_count = 2
  }}
  monitoring = {{
    log_retention_days = 10
    subscriptions      = [{{ protocol = "https", endpoint = "http://hooks.example.com" }}]
    alarms = {{
      nat_packets_dropped = {{ period = 45 }}
    }}
  }}
}}
"#
        );
    let ws = Workspace::new(&config);
    let out = ws.run(&["validate", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    for path in [
        "monitoring.log_retention_days",
        "monitoring.subscriptions[0].endpoint",
        "monitoring.alarms.nat_packets_dropped.period",
    ] {
        assert!(text.contains(path), "{path} not named:\n{text}");
    }
}
