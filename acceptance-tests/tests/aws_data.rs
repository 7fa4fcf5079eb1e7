//! The RDS, Secrets Manager and S3 implementations of `RdsApi`,
//! `SecretsApi` and `StorageApi` against the emulator: DB subnet and
//! parameter groups, a primary with a read replica, a secret, and a bucket
//! with every setting the stack manages are created, read back (with the
//! number of requests each read sends where it matters), changed and
//! deleted.
//!
//! One emulator per test, reset first.

use std::collections::BTreeMap;

use acceptance_tests::{Emulator, Target};
use aws_sdk_s3::primitives::ByteStream;
use todo_provider::cloud::aws::AwsClients;
use todo_provider::cloud::aws::data::{AwsRds, AwsSecrets, AwsStorage};
use todo_provider::cloud::data::{
    Bucket, DbInstanceChange, Lifecycle, MasterPassword, NewPrimary, NewReplica, RdsApi,
    SecretsApi, Sensitive, StorageApi,
};
use todo_provider::cloud::{CloudError, TAG_STACK, Tags};

/// A reset emulator and the provider's clients on it.
struct Env {
    emulator: Emulator,
    clients: AwsClients,
    rds: AwsRds,
    secrets: AwsSecrets,
    storage: AwsStorage,
}

impl Env {
    /// Starts and resets the emulator, or `None` (with the reason printed)
    /// when the target does not serve RDS and the test needs it.
    async fn start(needs_rds: bool) -> Option<Env> {
        let target = Target::from_env();
        if needs_rds && !target.serves("rds") {
            println!("skipped: {} does not serve RDS", target.name());
            return None;
        }
        let emulator = Emulator::start_target(target);
        emulator.reset();
        let clients = AwsClients::from_sdk(emulator.sdk_config().await);
        Some(Env {
            rds: clients.rds(),
            secrets: clients.secrets(),
            storage: clients.storage(),
            clients,
            emulator,
        })
    }

    fn calls(&self) -> u64 {
        self.clients.calls.get()
    }

    /// Subnets in three zones and a security group, made through EC2.
    async fn network(&self) -> (String, Vec<String>, String) {
        let ec2 = self.clients.ec2();
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.40.0.0/16")
            .send()
            .await
            .expect("create vpc");
        let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id");
        let mut subnets = Vec::new();
        for (i, zone) in ["us-east-1a", "us-east-1b", "us-east-1c"]
            .iter()
            .enumerate()
        {
            let s = ec2
                .create_subnet()
                .vpc_id(vpc_id)
                .cidr_block(format!("10.40.{i}.0/24"))
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
            .group_name("acc-db")
            .description("database")
            .send()
            .await
            .expect("create security group");
        (
            vpc_id.to_string(),
            subnets,
            sg.group_id().expect("group id").to_string(),
        )
    }

    /// A KMS key.
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
}

impl Env {
    /// Whether the tagging API lists S3 buckets here (LocalStack's does not).
    fn lists_buckets(&self) -> bool {
        self.emulator.target != Target::LocalStack
    }

    /// The bucket `name` of `stack` as the stack reads it: by
    /// `list_buckets`, or, where the tagging API does not list buckets, by
    /// a second `create_bucket`, which reads a bucket the account owns back
    /// as it is.
    async fn bucket(&self, stack: &str, name: &str) -> Bucket {
        if self.lists_buckets() {
            let buckets = self.storage.list_buckets(stack).await.expect("list");
            assert_eq!(buckets.len(), 1, "{buckets:?}");
            buckets.into_iter().next().unwrap()
        } else {
            self.storage
                .create_bucket(name, &Tags::new())
                .await
                .expect("read the bucket back")
        }
    }
}

fn tags(stack: &str, component: &str) -> Tags {
    Tags::from([
        (TAG_STACK.to_string(), stack.to_string()),
        ("todo:component".to_string(), component.to_string()),
    ])
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn subnet_and_parameter_groups_are_created_listed_modified_and_deleted() {
    let Some(env) = Env::start(true).await else {
        return;
    };
    let (vpc, subnets, _) = env.network().await;

    let made = env
        .rds
        .create_subnet_group(
            "acc-db",
            "db of acc",
            &subnets[..2],
            &tags("acc", "db-subnets"),
        )
        .await
        .expect("create subnet group");
    assert_eq!(made.name, "acc-db");
    assert_eq!(made.vpc_id, vpc);
    assert_eq!(
        sorted(made.subnet_ids.clone()),
        sorted(subnets[..2].to_vec())
    );
    assert!(made.arn.contains(":subgrp:acc-db"), "{}", made.arn);
    env.rds
        .create_subnet_group(
            "other-db",
            "another",
            &subnets[..2],
            &tags("other", "db-subnets"),
        )
        .await
        .expect("create other subnet group");

    let before = env.calls();
    let groups = env.rds.list_subnet_groups("acc-").await.expect("list");
    let calls = env.calls() - before;
    println!("list_subnet_groups of 1 group (of 2): {calls} requests");
    assert_eq!(calls, 2, "DescribeDBSubnetGroups + ListTagsForResource");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].name, "acc-db");
    assert_eq!(groups[0].description, "db of acc");
    assert_eq!(groups[0].tags, tags("acc", "db-subnets"));

    env.rds
        .modify_subnet_group("acc-db", &subnets)
        .await
        .expect("modify subnet group");
    let groups = env.rds.list_subnet_groups("acc-").await.expect("list");
    let subnet_group_kept = match groups.first() {
        Some(g) => {
            assert_eq!(sorted(g.subnet_ids.clone()), sorted(subnets.clone()));
            true
        }
        None if env.emulator.target == Target::Moto => {
            println!(
                "moto: ModifyDBSubnetGroup loses the group (it is taken out of the store and never put back)"
            );
            false
        }
        None => panic!("the subnet group is gone after ModifyDBSubnetGroup"),
    };

    let pg = env
        .rds
        .create_parameter_group(
            "acc-pg",
            "postgres16",
            "params of acc",
            &tags("acc", "db-params"),
        )
        .await
        .expect("create parameter group");
    assert_eq!(pg.name, "acc-pg");
    assert_eq!(pg.family, "postgres16");
    assert!(pg.parameters.is_empty());
    env.rds
        .create_parameter_group(
            "other-pg",
            "postgres16",
            "other",
            &tags("other", "db-params"),
        )
        .await
        .expect("create other parameter group");

    // More than one ModifyDBParameterGroup's worth (20).
    let mut set = params(&[
        ("log_min_duration_statement", "500"),
        ("shared_preload_libraries", "pg_stat_statements"),
    ]);
    for i in 0..20 {
        set.insert(format!("acc_custom.setting_{i:02}"), i.to_string());
    }
    env.rds
        .modify_parameters("acc-pg", &set, &[])
        .await
        .expect("set parameters");
    let before = env.calls();
    let groups = env.rds.list_parameter_groups("acc-").await.expect("list");
    let calls = env.calls() - before;
    println!("list_parameter_groups of 1 group (of 2): {calls} requests");
    assert_eq!(
        calls, 3,
        "DescribeDBParameterGroups + ListTagsForResource + DescribeDBParameters"
    );
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].family, "postgres16");
    assert_eq!(groups[0].description, "params of acc");
    assert_eq!(groups[0].tags, tags("acc", "db-params"));
    assert_eq!(groups[0].parameters, set);

    let reset: Vec<String> = (0..20)
        .map(|i| format!("acc_custom.setting_{i:02}"))
        .collect();
    let mut expected = params(&[
        ("log_min_duration_statement", "1000"),
        ("shared_preload_libraries", "pg_stat_statements"),
    ]);
    match env
        .rds
        .modify_parameters(
            "acc-pg",
            &params(&[("log_min_duration_statement", "1000")]),
            &reset,
        )
        .await
    {
        Ok(()) => {}
        Err(CloudError::Unsupported(m)) if env.emulator.target == Target::Moto => {
            println!("moto does not serve ResetDBParameterGroup: {m}");
            expected.extend(
                set.into_iter()
                    .filter(|(k, _)| k.starts_with("acc_custom.")),
            );
        }
        Err(e) => panic!("set and reset parameters: {e:?}"),
    }
    let groups = env.rds.list_parameter_groups("acc-").await.expect("list");
    assert_eq!(groups[0].parameters, expected);

    env.rds
        .retag(
            &groups[0].arn,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag parameter group");
    let groups = env.rds.list_parameter_groups("acc-").await.expect("list");
    assert_eq!(
        groups[0].tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );

    if subnet_group_kept {
        env.rds
            .delete_subnet_group("acc-db")
            .await
            .expect("delete subnet group");
    }
    env.rds
        .delete_parameter_group("acc-pg")
        .await
        .expect("delete parameter group");
    match env.rds.delete_subnet_group("acc-db").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second subnet group delete: expected NotFound, got {other:?}"),
    }
    match env.rds.delete_parameter_group("acc-pg").await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second parameter group delete: expected NotFound, got {other:?}"),
    }
    assert!(
        env.rds
            .list_subnet_groups("acc-")
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        env.rds
            .list_parameter_groups("acc-")
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        env.rds
            .list_subnet_groups("other-")
            .await
            .expect("list")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_primary_and_its_replica_are_created_listed_modified_and_deleted() {
    let Some(env) = Env::start(true).await else {
        return;
    };
    let (_, subnets, sg) = env.network().await;
    let key = env.key().await;
    env.rds
        .create_subnet_group("acc-db", "db of acc", &subnets, &tags("acc", "db-subnets"))
        .await
        .expect("create subnet group");
    env.rds
        .create_parameter_group(
            "acc-pg",
            "postgres16",
            "params of acc",
            &tags("acc", "db-params"),
        )
        .await
        .expect("create parameter group");

    let primary = NewPrimary {
        identifier: "acc-db".into(),
        engine_version: "16.4".into(),
        instance_class: "db.t4g.medium".into(),
        allocated_storage: 50,
        max_allocated_storage: Some(200),
        storage_type: "gp3".into(),
        iops: None,
        multi_az: true,
        kms_key_id: key.clone(),
        backup_retention_days: 7,
        backup_window: "03:00-04:00".into(),
        maintenance_window: "sun:05:00-sun:06:00".into(),
        logs_exports: vec!["postgresql".into()],
        performance_insights: true,
        deletion_protection: false,
        db_name: "todo".into(),
        master_username: "todo_admin".into(),
        password: Some(MasterPassword::Managed {
            kms_key: key.clone(),
        }),
        subnet_group: "acc-db".into(),
        security_groups: vec![sg.clone()],
        parameter_group: "acc-pg".into(),
    };
    let made = env
        .rds
        .create_primary(&primary, &tags("acc", "db-primary"))
        .await
        .expect("create primary");
    assert_eq!(made.identifier, "acc-db");
    assert_eq!(made.engine, "postgres");
    assert_eq!(made.tags, tags("acc", "db-primary"));
    println!("create_primary answered status {:?}", made.status);

    let replica = env
        .rds
        .create_replica(
            &NewReplica {
                identifier: "acc-db-replica-1".into(),
                source: "acc-db".into(),
                instance_class: "db.t4g.medium".into(),
                availability_zone: Some("us-east-1b".into()),
                performance_insights: false,
                kms_key_id: key.clone(),
                security_groups: vec![sg.clone()],
                parameter_group: "acc-pg".into(),
                max_allocated_storage: Some(200),
                deletion_protection: false,
            },
            &tags("acc", "db-replica-1"),
        )
        .await
        .expect("create replica");
    assert_eq!(replica.identifier, "acc-db-replica-1");

    // Another stack's instance, with a given password.
    env.rds
        .create_primary(
            &NewPrimary {
                identifier: "other-db".into(),
                password: Some(MasterPassword::Given(Sensitive::new(
                    "not-a-real-password-1",
                ))),
                multi_az: false,
                performance_insights: false,
                ..primary.clone()
            },
            &tags("other", "db-primary"),
        )
        .await
        .expect("create other primary");

    let before = env.calls();
    let instances = env.rds.list_instances("acc").await.expect("list instances");
    let calls = env.calls() - before;
    println!("list_instances of 2 instances (of 3): {calls} requests");
    assert_eq!(calls, 1, "one DescribeDBInstances, tags inline");
    assert_eq!(
        sorted(instances.iter().map(|d| d.identifier.clone()).collect()),
        vec!["acc-db", "acc-db-replica-1"]
    );
    let p = instances.iter().find(|d| d.identifier == "acc-db").unwrap();
    let r = instances
        .iter()
        .find(|d| d.identifier == "acc-db-replica-1")
        .unwrap();
    println!("primary as listed: {p:?}");
    assert_eq!(
        p.status, "available",
        "moto makes instances available at once"
    );
    assert_eq!(p.engine_version, "16.4");
    assert_eq!(p.instance_class, "db.t4g.medium");
    assert_eq!(p.allocated_storage, 50);
    assert!(p.storage_encrypted);
    assert!(p.kms_key_id.as_deref().is_some_and(|k| !k.is_empty()));
    assert!(p.multi_az);
    assert_eq!(p.backup_retention_days, 7);
    assert_eq!(p.backup_window.as_deref(), Some("03:00-04:00"));
    assert_eq!(p.db_name.as_deref(), Some("todo"));
    assert_eq!(p.master_username.as_deref(), Some("todo_admin"));
    assert_eq!(p.subnet_group.as_deref(), Some("acc-db"));
    assert_eq!(p.security_groups, vec![sg.clone()]);
    assert_eq!(p.parameter_group.as_deref(), Some("acc-pg"));
    assert_eq!(p.logs_exports, vec!["postgresql"]);
    assert!(!p.publicly_accessible);
    assert_eq!(p.replica_of, None);
    assert_eq!(p.replicas, vec!["acc-db-replica-1"]);
    assert!(p.endpoint.is_some());
    assert_eq!(p.port, Some(5432));
    assert_eq!(p.tags, tags("acc", "db-primary"));
    assert!(p.created.is_some());
    assert!(p.master_secret_arn.is_some(), "managed password: a secret");
    if !p.performance_insights {
        println!("moto: Performance Insights reads back off");
    }
    assert_eq!(r.replica_of.as_deref(), Some("acc-db"));
    assert!(r.storage_encrypted);
    assert_eq!(r.tags, tags("acc", "db-replica-1"));

    assert_eq!(env.rds.get_instance("missing").await.expect("get"), None);

    env.rds
        .modify_instance(
            "acc-db",
            &DbInstanceChange {
                instance_class: Some("db.r6g.large".into()),
                backup_retention_days: Some(14),
                apply_immediately: true,
                ..DbInstanceChange::default()
            },
        )
        .await
        .expect("modify primary");
    let p = env
        .rds
        .get_instance("acc-db")
        .await
        .expect("get")
        .expect("primary");
    assert_eq!(p.instance_class, "db.r6g.large", "pending: {:?}", p.pending);
    assert_eq!(p.backup_retention_days, 14);
    env.rds
        .retag(
            &p.arn,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &[],
        )
        .await
        .expect("retag primary");
    let p = env.rds.get_instance("acc-db").await.expect("get").unwrap();
    assert_eq!(p.tags.get("env").map(String::as_str), Some("acc"));

    env.rds
        .delete_instance("acc-db-replica-1", None)
        .await
        .expect("delete replica");
    env.rds
        .delete_instance("acc-db", Some("acc-db-final"))
        .await
        .expect("delete primary");
    assert!(
        env.rds
            .snapshot_exists("acc-db-final")
            .await
            .expect("snapshot")
    );
    assert!(
        !env.rds
            .snapshot_exists("acc-db-none")
            .await
            .expect("snapshot")
    );
    assert!(
        env.rds
            .list_instances("acc")
            .await
            .expect("list")
            .is_empty()
    );
    match env.rds.delete_instance("acc-db", None).await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
    env.rds
        .delete_subnet_group("acc-db")
        .await
        .expect("delete subnet group");
    env.rds
        .delete_parameter_group("acc-pg")
        .await
        .expect("delete parameter group");
}

#[tokio::test]
async fn secrets_are_created_listed_updated_and_deleted() {
    let Some(env) = Env::start(false).await else {
        return;
    };
    let key = env.key().await;
    let other_key = env.key().await;
    let made = env
        .secrets
        .create_secret(
            "todo/acc/db-password",
            "master password of acc",
            &key,
            &Sensitive::new("first-value-1"),
            &tags("acc", "db-secret"),
        )
        .await
        .expect("create secret");
    assert_eq!(made.name, "todo/acc/db-password");
    assert!(made.arn.contains("todo/acc/db-password"), "{}", made.arn);
    // A stack whose name starts with "acc": Secrets Manager's filters match
    // prefixes.
    env.secrets
        .create_secret(
            "todo/accother/db-password",
            "other",
            &key,
            &Sensitive::new("other-value-1"),
            &tags("accother", "db-secret"),
        )
        .await
        .expect("create other secret");

    let listed = env.secrets.list_secrets("acc").await.expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].arn, made.arn);
    assert_eq!(listed[0].description, "master password of acc");
    assert_eq!(listed[0].tags, tags("acc", "db-secret"));
    assert!(listed[0].kms_key_id.is_some());

    // A second create of the name fails, and says nothing of the value.
    match env
        .secrets
        .create_secret(
            "todo/acc/db-password",
            "again",
            &key,
            &Sensitive::new("leak-canary-1"),
            &tags("acc", "db-secret"),
        )
        .await
    {
        Err(e) => {
            let text = format!("{e} {e:?}");
            println!("second create: {text}");
            assert!(!text.contains("leak-canary-1"));
        }
        Ok(s) => panic!("second create succeeded: {s:?}"),
    }

    env.secrets
        .put_secret_value(&made.arn, &Sensitive::new("second-value-2"))
        .await
        .expect("put value");
    let value = env
        .clients
        .secrets_client()
        .get_secret_value()
        .secret_id(&made.arn)
        .send()
        .await
        .expect("get value");
    assert_eq!(value.secret_string(), Some("second-value-2"));

    env.secrets
        .set_secret_key(&made.arn, &other_key)
        .await
        .expect("set key");
    env.secrets
        .retag_secret(
            &made.arn,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag");
    let listed = env.secrets.list_secrets("acc").await.expect("list");
    assert_eq!(listed[0].kms_key_id.as_deref(), Some(other_key.as_str()));
    assert_eq!(
        listed[0].tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );

    env.secrets.delete_secret(&made.arn).await.expect("delete");
    assert!(
        env.secrets
            .list_secrets("acc")
            .await
            .expect("list")
            .is_empty()
    );
    // No recovery window: the name is free again at once.
    env.secrets
        .create_secret(
            "todo/acc/db-password",
            "master password of acc",
            &key,
            &Sensitive::new("third-value-3"),
            &tags("acc", "db-secret"),
        )
        .await
        .expect("create the secret again");
    assert_eq!(
        env.secrets.list_secrets("acc").await.expect("list").len(),
        1
    );
    assert_eq!(
        env.secrets
            .list_secrets("accother")
            .await
            .expect("list")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_bucket_is_created_configured_listed_emptied_and_deleted() {
    let Some(env) = Env::start(false).await else {
        return;
    };
    let key = env.key().await;
    let name = "todo-acc-data-0001";
    let made = env
        .storage
        .create_bucket(name, &tags("acc", "bucket"))
        .await
        .expect("create bucket");
    assert_eq!(made.name, name);
    assert_eq!(made.region, "us-east-1");
    assert_eq!(made.tags, tags("acc", "bucket"));
    // us-east-1 answers a second create with success: the bucket is
    // returned as it is, with its own tags, not retagged.
    let again = env
        .storage
        .create_bucket(name, &tags("someone", "else"))
        .await
        .expect("create the bucket again");
    assert_eq!(again.tags, tags("acc", "bucket"));
    env.storage
        .create_bucket("todo-other-data-0001", &tags("other", "bucket"))
        .await
        .expect("create other bucket");

    if !env.lists_buckets() {
        println!(
            "{}: the tagging API lists no S3 buckets; list_buckets is not checked, buckets are read back by a second create_bucket",
            env.emulator.target.name()
        );
    }
    let bucket = env.bucket("acc", name).await;
    assert!(!bucket.versioning);
    assert_eq!(bucket.kms_key, None);
    // (A new bucket's public access block and ownership controls depend
    // on the endpoint: AWS and LocalStack turn both on, moto neither.)
    println!(
        "new bucket: public access blocked {}, ownership enforced {}",
        bucket.public_access_blocked, bucket.ownership_enforced
    );
    assert_eq!(bucket.policy, None);
    assert_eq!(bucket.lifecycle, None);

    // (Not the stack's TLS-only deny: moto enforces bucket policies, and
    // the emulator is reached over plain HTTP.)
    let account = env.emulator.target.account_id();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AccountRead","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{name}/*"}}]}}"#
    );
    let lifecycle = Lifecycle {
        noncurrent_version_expiration_days: 30,
        transition_to_ia_days: 60,
        abort_incomplete_multipart_upload_days: 7,
    };
    env.storage
        .enable_versioning(name)
        .await
        .expect("versioning");
    env.storage
        .set_encryption(name, &key)
        .await
        .expect("encryption");
    env.storage
        .block_public_access(name)
        .await
        .expect("public access block");
    env.storage
        .enforce_ownership(name)
        .await
        .expect("ownership");
    env.storage.set_policy(name, &policy).await.expect("policy");
    env.storage
        .set_lifecycle(name, &lifecycle)
        .await
        .expect("lifecycle");
    env.storage
        .retag_bucket(
            name,
            &Tags::from([("env".to_string(), "acc".to_string())]),
            &["todo:component".to_string()],
        )
        .await
        .expect("retag");

    if env.lists_buckets() {
        let before = env.calls();
        let buckets = env.storage.list_buckets("acc").await.expect("list");
        let calls = env.calls() - before;
        println!("list_buckets of 1 bucket (of 2): {calls} requests");
        assert_eq!(calls, 1 + 6, "GetResources + six reads per bucket");
        assert_eq!(buckets.len(), 1, "{buckets:?}");
    }
    let b = &env.bucket("acc", name).await;
    assert_eq!(b.name, name);
    assert_eq!(b.region, "us-east-1");
    assert!(b.versioning);
    assert_eq!(b.kms_key.as_deref(), Some(key.as_str()));
    assert!(b.bucket_key);
    assert!(b.public_access_blocked);
    assert!(b.ownership_enforced);
    assert_eq!(b.policy.as_deref(), Some(policy.as_str()));
    assert_eq!(b.lifecycle, Some(lifecycle));
    assert_eq!(
        b.tags,
        Tags::from([
            (TAG_STACK.to_string(), "acc".to_string()),
            ("env".to_string(), "acc".to_string()),
        ])
    );
    assert_eq!(b.arn(), format!("arn:aws:s3:::{name}"));

    // Only one action on: the others read back as 0.
    let abort_only = Lifecycle {
        abort_incomplete_multipart_upload_days: 3,
        ..Lifecycle::default()
    };
    env.storage
        .set_lifecycle(name, &abort_only)
        .await
        .expect("lifecycle");
    let b = &env.bucket("acc", name).await;
    assert_eq!(b.lifecycle, Some(abort_only));
    // All off: the configuration is removed.
    env.storage
        .set_lifecycle(name, &Lifecycle::default())
        .await
        .expect("lifecycle off");
    let b = &env.bucket("acc", name).await;
    assert_eq!(b.lifecycle, None);

    assert!(
        !env.storage
            .bucket_has_objects(name)
            .await
            .expect("has objects")
    );
    let s3 = env.clients.s3_client();
    for body in ["one", "two"] {
        s3.put_object()
            .bucket(name)
            .key("notes/a.txt")
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
            .await
            .expect("put object");
    }
    s3.put_object()
        .bucket(name)
        .key("notes/b.txt")
        .body(ByteStream::from_static(b"b"))
        .send()
        .await
        .expect("put object");
    s3.delete_object()
        .bucket(name)
        .key("notes/b.txt")
        .send()
        .await
        .expect("delete object (a delete marker)");
    assert!(
        env.storage
            .bucket_has_objects(name)
            .await
            .expect("has objects")
    );
    match env.storage.delete_bucket(name).await {
        Err(CloudError::Service { code, .. }) if code == "BucketNotEmpty" => {}
        other => panic!("delete of a bucket with objects: {other:?}"),
    }

    env.storage.empty_bucket(name).await.expect("empty");
    assert!(
        !env.storage
            .bucket_has_objects(name)
            .await
            .expect("has objects")
    );
    env.storage.delete_bucket(name).await.expect("delete");
    match env.storage.delete_bucket(name).await {
        Err(e) if e.is_not_found() => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
    if env.lists_buckets() {
        assert!(
            env.storage
                .list_buckets("acc")
                .await
                .expect("list")
                .is_empty()
        );
        assert_eq!(
            env.storage.list_buckets("other").await.expect("list").len(),
            1
        );
    }
}
