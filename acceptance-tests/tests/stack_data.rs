//! Acceptance tests of `todo_cloud_stack`'s database and bucket through the
//! real terraform CLI against moto: a multi-AZ PostgreSQL with two replicas
//! and the bucket checked through the SDK, an empty re-plan, adding and
//! removing a replica, scaling the primary in place, a replacement refused
//! at plan, passwords nowhere in state, plan or logs, deletion protection
//! refusing destroy, destroy leaving only the final snapshot.
//!
//! moto makes instances available at once and applies modifications at
//! once: waits and deferred changes are covered by the engine tests on the
//! simulated cloud. LocalStack's community edition does not serve RDS: there
//! these tests print why they skip.

use acceptance_tests::stack::{plan_exit, provider_block, rt, tagged_objects};
use acceptance_tests::{Emulator, Workspace};

/// Whether the emulator serves RDS; prints why not.
fn serves_rds(emulator: &Emulator) -> bool {
    let ok = emulator.target.serves("rds");
    if !ok {
        println!(
            "SKIPPED: {} does not serve RDS (its community edition answers 501); the database tests run on moto",
            emulator.target.name()
        );
    }
    ok
}

/// A stack with a database (`database` is the HCL inside `database = {}`)
/// and the bucket.
fn data_stack(name: &str, database: &str, storage: &str) -> String {
    format!(
        r#"
variable "db_password" {{
  type      = string
  sensitive = true
  default   = null
}}

resource "todo_cloud_stack" "s" {{
  name = "{name}"
  tags = {{ env = "acc" }}

  network = {{
    cidr_block              = "10.40.0.0/16"
    availability_zone_count = 2
    nat_gateways            = "single"
  }}

  database = {{
{database}
  }}

  storage = {{
{storage}
  }}
}}

output "db_endpoint" {{
  value = todo_cloud_stack.s.database.endpoint
}}

output "db_arn" {{
  value = todo_cloud_stack.s.database.arn
}}

output "db_secret" {{
  value = todo_cloud_stack.s.database.master_secret_arn
}}

output "final_snapshot" {{
  value = todo_cloud_stack.s.database.final_snapshot_identifier
}}

output "readers" {{
  value = todo_cloud_stack.s.database.reader_endpoints
}}

output "bucket" {{
  value = todo_cloud_stack.s.storage.bucket_name
}}
"#
    )
}

const TWO_REPLICAS: &str = r#"    instance_class      = "db.r6g.large"
    deletion_protection = false
    apply_immediately   = true
    replicas = {
      r1 = {}
      r2 = { instance_class = "db.r6g.xlarge" }
    }"#;

struct Aws {
    rds: aws_sdk_rds::Client,
    s3: aws_sdk_s3::Client,
    kms: aws_sdk_kms::Client,
    secrets: aws_sdk_secretsmanager::Client,
}

async fn aws(emulator: &Emulator) -> Aws {
    let config = emulator.sdk_config().await;
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(true)
        .build();
    Aws {
        rds: aws_sdk_rds::Client::new(&config),
        s3: aws_sdk_s3::Client::from_conf(s3),
        kms: aws_sdk_kms::Client::new(&config),
        secrets: aws_sdk_secretsmanager::Client::new(&config),
    }
}

/// Every DB instance: (identifier, class, source).
async fn instances(aws: &Aws) -> Vec<(String, String, Option<String>)> {
    let out = aws.rds.describe_db_instances().send().await.unwrap();
    let mut v: Vec<_> = out
        .db_instances()
        .iter()
        .map(|d| {
            (
                d.db_instance_identifier().unwrap_or_default().to_string(),
                d.db_instance_class().unwrap_or_default().to_string(),
                d.read_replica_source_db_instance_identifier()
                    .map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

fn output(ws: &Workspace, name: &str) -> String {
    ws.run(&["output", "-raw", name]).success().stdout
}

#[test]
fn a_database_with_two_replicas_and_a_bucket_round_trips() {
    let emulator = Emulator::start();
    if !serves_rds(&emulator) {
        return;
    }
    let name = "acc-data";
    let provider = provider_block(&emulator);
    let config = |db: &str| provider.clone() + &data_stack(name, db, "force_destroy = true");
    let ws = Workspace::new(&config(TWO_REPLICAS));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 0, "plan after apply is not empty:\n{text}");
    let arn = output(&ws, "db_arn");
    let bucket = output(&ws, "bucket");
    assert_eq!(bucket, format!("{name}-123456789012-us-east-1"));

    let (primary, key_arn) = rt().block_on(async {
        let aws = aws(&emulator).await;
        let key = aws
            .kms
            .describe_key()
            .key_id(format!("alias/todo/{name}"))
            .send()
            .await
            .unwrap();
        let key_arn = key.key_metadata().unwrap().arn().unwrap().to_string();
        let out = aws.rds.describe_db_instances().send().await.unwrap();
        let all = out.db_instances();
        assert_eq!(all.len(), 3, "{all:?}");
        let p = all
            .iter()
            .find(|d| d.db_instance_arn() == Some(arn.as_str()))
            .expect("the primary");
        let primary = p.db_instance_identifier().unwrap().to_string();
        assert_eq!(p.engine(), Some("postgres"));
        assert_eq!(p.storage_encrypted(), Some(true));
        assert_eq!(p.kms_key_id(), Some(key_arn.as_str()));
        assert_eq!(p.multi_az(), Some(true));
        assert_eq!(p.backup_retention_period(), Some(7));
        assert_eq!(p.publicly_accessible(), Some(false));
        assert_eq!(p.deletion_protection(), Some(false));
        assert_eq!(p.db_name(), Some("todo"));
        assert!(p.master_user_secret().is_some(), "no managed secret: {p:?}");
        let tags = p.tag_list();
        assert!(
            tags.iter()
                .any(|t| t.key() == Some("todo:stack") && t.value() == Some(name)),
            "{tags:?}"
        );
        for r in all
            .iter()
            .filter(|d| d.db_instance_arn() != Some(arn.as_str()))
        {
            assert_eq!(
                r.read_replica_source_db_instance_identifier(),
                Some(primary.as_str()),
                "{r:?}"
            );
        }
        assert!(
            all.iter()
                .any(|d| d.db_instance_class() == Some("db.r6g.xlarge")),
            "r2's class: {all:?}"
        );

        // The bucket.
        // moto names the answer's root GetBucketVersioningResponse, which
        // the SDK does not parse: read its Status from the raw body then.
        let enabled = match aws.s3.get_bucket_versioning().bucket(&bucket).send().await {
            Ok(v) => v.status().map(|s| s.as_str()) == Some("Enabled"),
            Err(aws_sdk_s3::error::SdkError::ServiceError(e)) if e.raw().status().is_success() => {
                String::from_utf8_lossy(e.raw().body().bytes().unwrap_or_default())
                    .contains("<Status>Enabled</Status>")
            }
            Err(e) => panic!("GetBucketVersioning: {e:?}"),
        };
        assert!(enabled, "versioning is not enabled");
        let e = aws
            .s3
            .get_bucket_encryption()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let rule = &e.server_side_encryption_configuration().unwrap().rules()[0];
        let by_default = rule.apply_server_side_encryption_by_default().unwrap();
        assert_eq!(by_default.sse_algorithm().as_str(), "aws:kms");
        assert_eq!(by_default.kms_master_key_id(), Some(key_arn.as_str()));
        assert_eq!(rule.bucket_key_enabled(), Some(true));
        let pab = aws
            .s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let pab = pab.public_access_block_configuration().unwrap();
        assert_eq!(
            (
                pab.block_public_acls(),
                pab.ignore_public_acls(),
                pab.block_public_policy(),
                pab.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let policy = aws
            .s3
            .get_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let policy = policy.policy().unwrap();
        assert!(
            policy.contains("aws:SecureTransport") && policy.contains("Deny"),
            "{policy}"
        );
        (primary, key_arn)
    });

    // Another configuration reads the stack through the data source.
    let reader = format!(
        r#"
data "todo_cloud_stack" "read" {{
  name       = "{name}"
  depends_on = [todo_cloud_stack.s]
}}

output "read_endpoint" {{
  value = data.todo_cloud_stack.read.database.endpoint
}}

output "read_bucket" {{
  value = data.todo_cloud_stack.read.storage.bucket_name
}}
"#
    );
    ws.write_config(&(config(TWO_REPLICAS) + &reader));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert_eq!(output(&ws, "read_endpoint"), output(&ws, "db_endpoint"));
    assert_eq!(output(&ws, "read_bucket"), bucket);

    // Add a replica, then remove it: the others are untouched.
    let before = rt().block_on(async { instances(&aws(&emulator).await).await });
    let three = TWO_REPLICAS.replace("      r1 = {}", "      r1 = {}\n      r3 = {}");
    ws.write_config(&config(&three));
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(!text.contains("forces replacement"), "{text}");
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let with_r3 = rt().block_on(async { instances(&aws(&emulator).await).await });
    assert_eq!(with_r3.len(), 4, "{with_r3:?}");
    assert!(before.iter().all(|i| with_r3.contains(i)), "{with_r3:?}");
    ws.write_config(&config(TWO_REPLICAS));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert_eq!(
        rt().block_on(async { instances(&aws(&emulator).await).await }),
        before
    );

    // Scale the primary in place: same ARN.
    let bigger = TWO_REPLICAS.replacen("db.r6g.large", "db.r6g.2xlarge", 1);
    ws.write_config(&config(&bigger));
    let (code, text) = plan_exit(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("update in-place"), "{text}");
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    assert_eq!(output(&ws, "db_arn"), arn);
    let scaled = rt().block_on(async { instances(&aws(&emulator).await).await });
    assert!(
        scaled
            .iter()
            .any(|(id, class, _)| *id == primary && class == "db.r6g.2xlarge"),
        "{scaled:?}"
    );

    // A change RDS makes only by replacement is refused at plan.
    let renamed = format!("{bigger}\n    database_name = \"todo2\"");
    ws.write_config(&config(&renamed));
    let out = ws.run(&["plan", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    assert!(
        text.contains("allow_replacement") && text.contains("database_name todo -> todo2"),
        "{text}"
    );

    // Destroy: the final snapshot stays, nothing else.
    ws.write_config(&config(&bigger));
    let snapshot = output(&ws, "final_snapshot");
    assert_eq!(snapshot, format!("{primary}-final"));
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let aws = aws(&emulator).await;
        assert!(instances(&aws).await.is_empty());
        let snaps = aws.rds.describe_db_snapshots().send().await.unwrap();
        let names: Vec<&str> = snaps
            .db_snapshots()
            .iter()
            .filter_map(|s| s.db_snapshot_identifier())
            .collect();
        assert_eq!(names, vec![snapshot.as_str()]);
        let groups = aws.rds.describe_db_subnet_groups().send().await.unwrap();
        assert!(
            groups.db_subnet_groups().iter().all(|g| !g
                .db_subnet_group_name()
                .unwrap_or_default()
                .starts_with(name)),
            "{groups:?}"
        );
        let buckets = aws.s3.list_buckets().send().await.unwrap();
        assert!(
            buckets
                .buckets()
                .iter()
                .all(|b| b.name() != Some(bucket.as_str())),
            "bucket left"
        );
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk_config().await);
        assert!(tagged_objects(&ec2, name).await.is_empty());
        // The key encrypting the final snapshot stays usable, released from
        // the stack: enabled, its alias gone.
        let key = aws
            .kms
            .describe_key()
            .key_id(&key_arn)
            .send()
            .await
            .unwrap();
        let key = key.key_metadata().unwrap();
        assert_eq!(
            key.key_state().map(|s| s.as_str()),
            Some("Enabled"),
            "{key:?}"
        );
        let alias = aws
            .kms
            .describe_key()
            .key_id(format!("alias/todo/{name}"))
            .send()
            .await;
        assert!(alias.is_err(), "the stack's alias was kept");
    });
}

#[test]
fn passwords_are_nowhere_in_state_plan_or_logs() {
    let emulator = Emulator::start();
    if !serves_rds(&emulator) {
        return;
    }
    let name = "acc-secret";
    let password = "Wr1te-0nly-Passw0rd-Acc";
    let db = r#"    deletion_protection        = false
    skip_final_snapshot        = true
    multi_az                   = false
    master_password_wo         = var.db_password
    master_password_wo_version = 1"#;
    let ws = Workspace::new(&(provider_block(&emulator) + &data_stack(name, db, "")))
        .env("TF_VAR_db_password", password)
        .env("TF_LOG", "TRACE");
    let apply = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let plan = ws.run(&["plan", "-no-color"]).success();
    let show = ws.run(&["show", "-json"]).success();
    let state = std::fs::read_to_string(ws.root().join("terraform.tfstate")).unwrap();
    let secret_arn = output(&ws, "db_secret");
    assert!(
        secret_arn.contains(&format!("todo/{name}/database/master")),
        "{secret_arn}"
    );
    // The password is in the stack's secret...
    let stored = rt().block_on(async {
        let aws = aws(&emulator).await;
        let v = aws
            .secrets
            .get_secret_value()
            .secret_id(&secret_arn)
            .send()
            .await
            .unwrap();
        v.secret_string().unwrap().to_string()
    });
    assert!(
        stored.contains(password),
        "the secret does not hold the password"
    );
    // ... and nowhere else.
    for (what, text) in [
        ("terraform.tfstate", state.as_str()),
        ("terraform show -json", show.stdout.as_str()),
        ("apply output and TRACE log", apply.all().as_str()),
        ("plan output and TRACE log", plan.all().as_str()),
    ] {
        assert!(!text.contains(password), "the password is in the {what}");
    }
    assert!(
        apply.all().contains("[TRACE]"),
        "no TRACE log in the apply's output: is TF_LOG on?"
    );

    // RDS's own managed secret: its value is nowhere either.
    let managed = r#"    deletion_protection = false
    skip_final_snapshot = true
    multi_az            = false"#;
    ws.write_config(&(provider_block(&emulator) + &data_stack(name, managed, "")));
    let apply = ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let managed_arn = output(&ws, "db_secret");
    assert_ne!(managed_arn, secret_arn);
    let value = rt().block_on(async {
        let aws = aws(&emulator).await;
        let v = aws
            .secrets
            .get_secret_value()
            .secret_id(&managed_arn)
            .send()
            .await
            .unwrap();
        let text = v.secret_string().unwrap().to_string();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["password"].as_str().unwrap().to_string()
    });
    let state = std::fs::read_to_string(ws.root().join("terraform.tfstate")).unwrap();
    let show = ws.run(&["show", "-json"]).success();
    for (what, text) in [
        ("terraform.tfstate", state.as_str()),
        ("terraform show -json", show.stdout.as_str()),
        ("apply output and TRACE log", apply.all().as_str()),
    ] {
        assert!(
            !text.contains(&value),
            "the managed password is in the {what}"
        );
    }
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
}

#[test]
fn deletion_protection_refuses_destroy_and_deletes_nothing() {
    let emulator = Emulator::start();
    if !serves_rds(&emulator) {
        return;
    }
    let name = "acc-protect";
    let provider = provider_block(&emulator);
    let db = "    multi_az = false";
    let ws = Workspace::new(&(provider.clone() + &data_stack(name, db, "")));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    let bucket = output(&ws, "bucket");
    let before = rt().block_on(async {
        let aws = aws(&emulator).await;
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk_config().await);
        (instances(&aws).await, tagged_objects(&ec2, name).await)
    });
    let out = ws.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    assert!(
        text.contains("deletion protection")
            && text.contains("database.deletion_protection = false"),
        "{text}"
    );
    let after = rt().block_on(async {
        let aws = aws(&emulator).await;
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk_config().await);
        (instances(&aws).await, tagged_objects(&ec2, name).await)
    });
    assert_eq!(after, before, "destroy deleted something");
    // A bucket holding objects refuses destroy the same way.
    let off =
        "    multi_az = false\n    deletion_protection = false\n    skip_final_snapshot = true";
    ws.write_config(&(provider.clone() + &data_stack(name, off, "")));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let aws = aws(&emulator).await;
        let put = || {
            aws.s3
                .put_object()
                .bucket(&bucket)
                .key("backups/today.dump")
                .body(aws_sdk_s3::primitives::ByteStream::from_static(b"data"))
                .send()
        };
        // The TLS-only policy refuses this plain-HTTP request (moto
        // evaluates it)...
        let refused = put().await.expect_err("a plain-HTTP PutObject was allowed");
        assert_eq!(
            refused.raw_response().map(|r| r.status().as_u16()),
            Some(403)
        );
        // ... so take the policy away (the next apply restores it) to put
        // an object in.
        aws.s3
            .delete_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        put().await.unwrap();
    });
    let out = ws.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.all().contains("storage.force_destroy"), "{}", out.all());
    assert_eq!(
        rt().block_on(async { instances(&aws(&emulator).await).await })
            .len(),
        1,
        "the database was deleted although the bucket refused"
    );
    ws.write_config(&(provider + &data_stack(name, off, "force_destroy = true")));
    ws.run(&["apply", "-auto-approve", "-no-color"]).success();
    ws.run(&["destroy", "-auto-approve", "-no-color"]).success();
    rt().block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk_config().await);
        assert!(tagged_objects(&ec2, name).await.is_empty());
    });
}

#[test]
fn validate_names_the_bad_database_and_storage_attributes() {
    let emulator = Emulator::start();
    let db = r#"    backup_retention_days = 40
    backup_window         = "05:30-06:30"
    replicas = {
      r1 = { availability_zone = "us-west-2a" }
    }"#;
    let ws = Workspace::new(
        &(provider_block(&emulator)
            + &data_stack("acc-bad-db", db, "bucket_name = \"Bad_Bucket\"")),
    );
    let out = ws.run(&["validate", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    for path in [
        "database.backup_retention_days:",
        "database.backup_window:",
        "storage.bucket_name:",
    ] {
        assert!(text.contains(path), "no error names {path}\n{text}");
    }
    // Nothing was called: validate needs no AWS.
    assert!(!text.contains("credentials"), "{text}");
}
