//! [`RdsApi`] on RDS, [`SecretsApi`] on Secrets Manager and [`StorageApi`]
//! on S3.
//!
//! RDS lists of subnet and parameter groups carry no tags, so each group
//! kept is read once more (its tags, and a parameter group's user-set
//! parameters); instances carry their tags inline. Secrets Manager filters
//! by tag itself. S3 cannot list buckets by tag: the stack's buckets are
//! found with one Resource Groups Tagging API call, then each bucket's
//! settings are read (six reads at once).
//!
//! No secret value is ever logged or put into an error: a [`Sensitive`] is
//! exposed only to build the request that sends it (the SDK redacts those
//! request fields in its own debug output).

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use async_trait::async_trait;
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::{ApplyMethod, CloudwatchLogsExportConfiguration, Parameter};
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint,
    BucketVersioningStatus, CreateBucketConfiguration, Delete, ExpirationStatus, LifecycleRule,
    LifecycleRuleFilter, NoncurrentVersionExpiration, ObjectIdentifier, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tagging, Transition, TransitionStorageClass, VersioningConfiguration,
};
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime;

use super::{Gate, StackTags, map_sdk_err, pages};
use crate::cloud::data::{
    Bucket, DbInstance, DbInstanceChange, DbParameterGroup, DbSubnetGroup, Lifecycle,
    MasterPassword, NewPrimary, NewReplica, RdsApi, Secret, SecretsApi, Sensitive, StorageApi,
};
use crate::cloud::{CloudError, CloudResult, TAG_STACK, Tags};

/// The id of the one lifecycle rule the stack puts on its bucket.
pub const LIFECYCLE_RULE_ID: &str = "todo-stack";

/// RDS takes at most 20 parameters per ModifyDBParameterGroup or
/// ResetDBParameterGroup.
const PARAMETERS_PER_CALL: usize = 20;

/// S3 DeleteObjects takes at most 1000 keys.
const OBJECTS_PER_DELETE: usize = 1000;

/// The engine of every instance the stack creates.
const ENGINE: &str = "postgres";

/// The PostgreSQL port.
const PORT: i32 = 5432;

fn time(t: Option<&DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

/// `Ok(None)` for `NotFound`.
fn found<T>(result: CloudResult<T>) -> CloudResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `Ok(None)` when the call failed with one of `codes` (S3 answers a read
/// of a setting never made with an error of its own).
fn unless<T>(result: CloudResult<T>, codes: &[&str]) -> CloudResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(CloudError::Service { code, .. }) if codes.contains(&code.as_str()) => Ok(None),
        Err(e) => Err(e),
    }
}

fn incomplete(what: &str) -> CloudError {
    CloudError::Service {
        code: "IncompleteResponse".into(),
        message: format!("{what} answered without the object"),
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> CloudError {
    CloudError::Service {
        code: "InvalidRequest".into(),
        message: format!("{what}: {e}"),
    }
}

/// [`map_sdk_err`] with the codes of these services that do not follow
/// the shared patterns: RDS's `DBSubnetGroupNotFoundFault` and S3's
/// `NoSuchBucket` are `NotFound`; a subnet group or parameter group still
/// used by an instance is a `DependencyViolation`; an HTTP 500 without an
/// AWS error code (an emulator lacking the operation) is `Unsupported`.
fn data_err<E>(err: SdkError<E, HttpResponse>, kind: &'static str, id: &str) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let status = service.raw().status().as_u16();
        // AWS answers every error with a code; a bare HTTP 500 is an
        // emulator that has not implemented the operation (moto).
        if status == 500 && service.err().code().is_none() {
            return CloudError::Unsupported(format!(
                "{kind} {id}: the endpoint answered HTTP 500 without an AWS error (the operation is not served)"
            ));
        }
    }
    match map_sdk_err(err, kind, id) {
        CloudError::Service { code, .. }
            if code == "DBSubnetGroupNotFoundFault"
                || code == "DBParameterGroupNotFoundFault"
                || code == "NoSuchBucket" =>
        {
            CloudError::NotFound {
                kind,
                id: id.to_string(),
            }
        }
        CloudError::Service { code, message }
            if code == "InvalidDBSubnetGroupStateFault"
                || (code == "InvalidDBParameterGroupState"
                    && message.to_ascii_lowercase().contains("in use")) =>
        {
            CloudError::DependencyViolation(format!("{kind} {id}: {message}"))
        }
        other => other,
    }
}

/// [`data_err`] for deletes of RDS groups: RDS refuses to delete a group
/// an instance still uses with an `Invalid...State` code, whatever its
/// message says.
fn delete_err<E>(err: SdkError<E, HttpResponse>, kind: &'static str, id: &str) -> CloudError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    match data_err(err, kind, id) {
        CloudError::Service { code, message } if code == "InvalidDBParameterGroupState" => {
            CloudError::DependencyViolation(format!("{kind} {id}: {message}"))
        }
        other => other,
    }
}

fn from_rds_tags(tags: &[aws_sdk_rds::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            t.key()
                .map(|k| (k.to_string(), t.value().unwrap_or_default().to_string()))
        })
        .collect()
}

fn rds_tags(tags: &Tags) -> Vec<aws_sdk_rds::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

fn from_secret_tags(tags: &[aws_sdk_secretsmanager::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            t.key()
                .map(|k| (k.to_string(), t.value().unwrap_or_default().to_string()))
        })
        .collect()
}

fn secret_tags(tags: &Tags) -> Vec<aws_sdk_secretsmanager::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_secretsmanager::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

fn from_s3_tags(tags: &[aws_sdk_s3::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

fn s3_tagging(tags: &Tags) -> CloudResult<Tagging> {
    let set = tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_s3::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| invalid("S3 tag", e))
        })
        .collect::<CloudResult<Vec<_>>>()?;
    Tagging::builder()
        .set_tag_set(Some(set))
        .build()
        .map_err(|e| invalid("S3 tagging", e))
}

/// The identifier an RDS identifier-or-ARN names (a replica's source may
/// be reported as an ARN: `arn:aws:rds:region:account:db:name`).
fn identifier_of(id_or_arn: &str) -> String {
    id_or_arn
        .rsplit(':')
        .next()
        .unwrap_or(id_or_arn)
        .to_string()
}

fn subnet_group_of(g: &aws_sdk_rds::types::DbSubnetGroup, tags: Tags) -> DbSubnetGroup {
    DbSubnetGroup {
        name: g.db_subnet_group_name().unwrap_or_default().to_string(),
        arn: g.db_subnet_group_arn().unwrap_or_default().to_string(),
        description: g
            .db_subnet_group_description()
            .unwrap_or_default()
            .to_string(),
        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
        subnet_ids: g
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_identifier().map(str::to_string))
            .collect(),
        tags,
    }
}

fn parameter_group_of(
    g: &aws_sdk_rds::types::DbParameterGroup,
    parameters: BTreeMap<String, String>,
    tags: Tags,
) -> DbParameterGroup {
    DbParameterGroup {
        name: g.db_parameter_group_name().unwrap_or_default().to_string(),
        arn: g.db_parameter_group_arn().unwrap_or_default().to_string(),
        family: g
            .db_parameter_group_family()
            .unwrap_or_default()
            .to_string(),
        description: g.description().unwrap_or_default().to_string(),
        parameters,
        tags,
    }
}

/// The modifications RDS holds for the maintenance window, by their RDS
/// names, each with its pending value as text (never the password).
fn pending_of(p: Option<&aws_sdk_rds::types::PendingModifiedValues>) -> BTreeMap<String, String> {
    let Some(p) = p else {
        return BTreeMap::new();
    };
    let text = |v: Option<&str>| v.map(str::to_string);
    let number = |v: Option<i32>| v.map(|n| n.to_string());
    let flag = |v: Option<bool>| v.map(|b| b.to_string());
    let logs = p.pending_cloudwatch_logs_exports().map(|l| {
        format!(
            "enable: [{}], disable: [{}]",
            l.log_types_to_enable().join(", "),
            l.log_types_to_disable().join(", ")
        )
    });
    let processor = (!p.processor_features().is_empty()).then(|| {
        p.processor_features()
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    f.name().unwrap_or_default(),
                    f.value().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    [
        ("DBInstanceClass", text(p.db_instance_class())),
        ("AllocatedStorage", number(p.allocated_storage())),
        (
            "MasterUserPassword",
            p.master_user_password()
                .map(|_| Sensitive::new("").to_string()),
        ),
        ("Port", number(p.port())),
        ("BackupRetentionPeriod", number(p.backup_retention_period())),
        ("MultiAZ", flag(p.multi_az())),
        ("EngineVersion", text(p.engine_version())),
        ("LicenseModel", text(p.license_model())),
        ("Iops", number(p.iops())),
        ("StorageThroughput", number(p.storage_throughput())),
        ("DBInstanceIdentifier", text(p.db_instance_identifier())),
        ("StorageType", text(p.storage_type())),
        (
            "CACertificateIdentifier",
            text(p.ca_certificate_identifier()),
        ),
        ("DBSubnetGroupName", text(p.db_subnet_group_name())),
        ("PendingCloudwatchLogsExports", logs),
        ("ProcessorFeatures", processor),
        (
            "IAMDatabaseAuthenticationEnabled",
            flag(p.iam_database_authentication_enabled()),
        ),
        ("DedicatedLogVolume", flag(p.dedicated_log_volume())),
        ("MultiTenant", flag(p.multi_tenant())),
        ("Engine", text(p.engine())),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name.to_string(), v)))
    .collect()
}

fn instance_of(d: &aws_sdk_rds::types::DbInstance) -> DbInstance {
    let parameter_group = d.db_parameter_groups().first();
    DbInstance {
        identifier: d.db_instance_identifier().unwrap_or_default().to_string(),
        arn: d.db_instance_arn().unwrap_or_default().to_string(),
        status: d.db_instance_status().unwrap_or_default().to_string(),
        engine: d.engine().unwrap_or_default().to_string(),
        engine_version: d.engine_version().unwrap_or_default().to_string(),
        instance_class: d.db_instance_class().unwrap_or_default().to_string(),
        allocated_storage: d.allocated_storage().unwrap_or_default(),
        max_allocated_storage: d.max_allocated_storage(),
        storage_type: d.storage_type().unwrap_or_default().to_string(),
        iops: d.iops(),
        multi_az: d.multi_az().unwrap_or(false),
        storage_encrypted: d.storage_encrypted().unwrap_or(false),
        kms_key_id: d.kms_key_id().map(str::to_string),
        backup_retention_days: d.backup_retention_period().unwrap_or_default(),
        backup_window: d.preferred_backup_window().map(str::to_string),
        maintenance_window: d.preferred_maintenance_window().map(str::to_string),
        logs_exports: d.enabled_cloudwatch_logs_exports().to_vec(),
        performance_insights: d.performance_insights_enabled().unwrap_or(false),
        deletion_protection: d.deletion_protection().unwrap_or(false),
        db_name: d.db_name().map(str::to_string),
        master_username: d.master_username().map(str::to_string),
        subnet_group: d
            .db_subnet_group()
            .and_then(|g| g.db_subnet_group_name())
            .map(str::to_string),
        security_groups: d
            .vpc_security_groups()
            .iter()
            .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
            .collect(),
        parameter_group: parameter_group
            .and_then(|g| g.db_parameter_group_name())
            .map(str::to_string),
        parameter_apply_status: parameter_group
            .and_then(|g| g.parameter_apply_status())
            .map(str::to_string),
        publicly_accessible: d.publicly_accessible().unwrap_or(false),
        availability_zone: d.availability_zone().map(str::to_string),
        replica_of: d
            .read_replica_source_db_instance_identifier()
            .filter(|s| !s.is_empty())
            .map(identifier_of),
        replicas: d
            .read_replica_db_instance_identifiers()
            .iter()
            .map(|r| identifier_of(r))
            .collect(),
        endpoint: d.endpoint().and_then(|e| e.address()).map(str::to_string),
        port: d.endpoint().and_then(|e| e.port()).or(d.db_instance_port()),
        master_secret_arn: d
            .master_user_secret()
            .and_then(|s| s.secret_arn())
            .map(str::to_string),
        pending: pending_of(d.pending_modified_values()),
        tags: from_rds_tags(d.tag_list()),
        created: time(d.instance_create_time()),
    }
}

/// An instance as a create call answers it; the tags asked for where the
/// answer carries none.
fn created_instance(
    d: Option<&aws_sdk_rds::types::DbInstance>,
    tags: &Tags,
    what: &str,
) -> CloudResult<DbInstance> {
    let d = d.ok_or_else(|| incomplete(what))?;
    let mut out = instance_of(d);
    if out.tags.is_empty() {
        out.tags = tags.clone();
    }
    Ok(out)
}

/// The RDS calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsRds {
    rds: aws_sdk_rds::Client,
    gate: Gate,
}

impl AwsRds {
    /// Wraps the client; calls pass through `gate`.
    pub fn new(rds: aws_sdk_rds::Client, gate: Gate) -> AwsRds {
        AwsRds { rds, gate }
    }

    /// The tags of the RDS object `arn`.
    async fn tags_of(&self, arn: &str, kind: &'static str, name: &str) -> CloudResult<Tags> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .list_tags_for_resource()
            .resource_name(arn)
            .send()
            .await
            .map_err(|e| data_err(e, kind, name))?;
        Ok(from_rds_tags(out.tag_list()))
    }

    /// The parameters of the group `name` from `source` (`user`, `system`,
    /// `engine-default`; `None`: all), each with its apply type.
    async fn parameters(
        &self,
        name: &str,
        source: Option<&str>,
    ) -> CloudResult<Vec<aws_sdk_rds::types::Parameter>> {
        pages(&self.gate, |marker| async move {
            let out = self
                .rds
                .describe_db_parameters()
                .db_parameter_group_name(name)
                .set_source(source.map(str::to_string))
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| data_err(e, "DB parameter group", name))?;
            Ok((out.parameters().to_vec(), out.marker().map(str::to_string)))
        })
        .await
    }

    /// A parameter group as DescribeDBParameterGroups gives it, completed
    /// with its tags and user-set parameters; `None` when it went away
    /// meanwhile.
    async fn complete_parameter_group(
        &self,
        g: &aws_sdk_rds::types::DbParameterGroup,
    ) -> CloudResult<Option<DbParameterGroup>> {
        let name = g.db_parameter_group_name().unwrap_or_default();
        let arn = g.db_parameter_group_arn().unwrap_or_default();
        let tags = self.tags_of(arn, "DB parameter group", name);
        let parameters = self.parameters(name, Some("user"));
        let Some((tags, parameters)) = found(futures::try_join!(tags, parameters))? else {
            return Ok(None);
        };
        let parameters = parameters
            .iter()
            .filter_map(|p| {
                p.parameter_name().map(|n| {
                    (
                        n.to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    )
                })
            })
            .collect();
        Ok(Some(parameter_group_of(g, parameters, tags)))
    }

    /// The apply method for each parameter named: `immediate` for the
    /// parameters the group reports as dynamic, `pending-reboot` for the
    /// static ones and for any it does not report (always accepted).
    async fn apply_methods(
        &self,
        name: &str,
        names: &BTreeSet<&str>,
    ) -> CloudResult<BTreeMap<String, ApplyMethod>> {
        let all = self.parameters(name, None).await?;
        let dynamic: BTreeSet<&str> = all
            .iter()
            .filter(|p| p.apply_type() == Some("dynamic"))
            .filter_map(|p| p.parameter_name())
            .collect();
        Ok(names
            .iter()
            .map(|n| {
                let method = if dynamic.contains(n) {
                    ApplyMethod::Immediate
                } else {
                    ApplyMethod::PendingReboot
                };
                (n.to_string(), method)
            })
            .collect())
    }

    /// The storage the instance has now (to turn autoscaling off, RDS
    /// wants the ceiling set to it).
    async fn allocated_storage(&self, identifier: &str) -> CloudResult<i32> {
        let instance =
            self.get_instance(identifier)
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    kind: "DB instance",
                    id: identifier.to_string(),
                })?;
        Ok(instance.allocated_storage)
    }
}

#[async_trait]
impl RdsApi for AwsRds {
    async fn list_subnet_groups(&self, prefix: &str) -> CloudResult<Vec<DbSubnetGroup>> {
        let groups = pages(&self.gate, |marker| async move {
            let out = self
                .rds
                .describe_db_subnet_groups()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| data_err(e, "DB subnet groups starting with", prefix))?;
            Ok((
                out.db_subnet_groups().to_vec(),
                out.marker().map(str::to_string),
            ))
        })
        .await?;
        let kept = groups.iter().filter(|g| {
            g.db_subnet_group_name()
                .is_some_and(|n| n.starts_with(prefix))
        });
        let groups = futures::future::try_join_all(kept.map(|g| async move {
            let name = g.db_subnet_group_name().unwrap_or_default();
            let arn = g.db_subnet_group_arn().unwrap_or_default();
            let tags = found(self.tags_of(arn, "DB subnet group", name).await)?;
            Ok::<_, CloudError>(tags.map(|tags| subnet_group_of(g, tags)))
        }))
        .await?;
        Ok(groups.into_iter().flatten().collect())
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &Tags,
    ) -> CloudResult<DbSubnetGroup> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description(description)
            .set_subnet_ids(Some(subnet_ids.to_vec()))
            .set_tags(Some(rds_tags(tags)))
            .send()
            .await
            .map_err(|e| data_err(e, "DB subnet group", name))?;
        let group = out
            .db_subnet_group()
            .ok_or_else(|| incomplete("CreateDBSubnetGroup"))?;
        Ok(subnet_group_of(group, tags.clone()))
    }

    async fn modify_subnet_group(&self, name: &str, subnet_ids: &[String]) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.rds
            .modify_db_subnet_group()
            .db_subnet_group_name(name)
            .set_subnet_ids(Some(subnet_ids.to_vec()))
            .send()
            .await
            .map_err(|e| data_err(e, "DB subnet group", name))?;
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.rds
            .delete_db_subnet_group()
            .db_subnet_group_name(name)
            .send()
            .await
            .map_err(|e| delete_err(e, "DB subnet group", name))?;
        Ok(())
    }

    async fn list_parameter_groups(&self, prefix: &str) -> CloudResult<Vec<DbParameterGroup>> {
        let groups = pages(&self.gate, |marker| async move {
            let out = self
                .rds
                .describe_db_parameter_groups()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| data_err(e, "DB parameter groups starting with", prefix))?;
            Ok((
                out.db_parameter_groups().to_vec(),
                out.marker().map(str::to_string),
            ))
        })
        .await?;
        let kept = groups.iter().filter(|g| {
            g.db_parameter_group_name()
                .is_some_and(|n| n.starts_with(prefix))
        });
        let groups =
            futures::future::try_join_all(kept.map(|g| self.complete_parameter_group(g))).await?;
        Ok(groups.into_iter().flatten().collect())
    }

    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        description: &str,
        tags: &Tags,
    ) -> CloudResult<DbParameterGroup> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .create_db_parameter_group()
            .db_parameter_group_name(name)
            .db_parameter_group_family(family)
            .description(description)
            .set_tags(Some(rds_tags(tags)))
            .send()
            .await
            .map_err(|e| data_err(e, "DB parameter group", name))?;
        let group = out
            .db_parameter_group()
            .ok_or_else(|| incomplete("CreateDBParameterGroup"))?;
        Ok(parameter_group_of(group, BTreeMap::new(), tags.clone()))
    }

    /// Each parameter is applied `immediate` when the group reports it
    /// dynamic and `pending-reboot` otherwise (static, or not reported):
    /// one DescribeDBParameters of the whole group (paginated) tells which,
    /// since RDS refuses `immediate` for a static parameter and holds a
    /// dynamic one given `pending-reboot` until the next reboot.
    async fn modify_parameters(
        &self,
        name: &str,
        set: &BTreeMap<String, String>,
        reset: &[String],
    ) -> CloudResult<()> {
        if set.is_empty() && reset.is_empty() {
            return Ok(());
        }
        let names: BTreeSet<&str> = set
            .keys()
            .map(String::as_str)
            .chain(reset.iter().map(String::as_str))
            .collect();
        let methods = self.apply_methods(name, &names).await?;
        let method = |n: &str| {
            methods
                .get(n)
                .cloned()
                .unwrap_or(ApplyMethod::PendingReboot)
        };
        let set: Vec<Parameter> = set
            .iter()
            .map(|(k, v)| {
                Parameter::builder()
                    .parameter_name(k)
                    .parameter_value(v)
                    .apply_method(method(k))
                    .build()
            })
            .collect();
        for chunk in set.chunks(PARAMETERS_PER_CALL) {
            let _permit = self.gate.enter().await;
            self.rds
                .modify_db_parameter_group()
                .db_parameter_group_name(name)
                .set_parameters(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| data_err(e, "DB parameter group", name))?;
        }
        let reset: Vec<Parameter> = reset
            .iter()
            .map(|k| {
                Parameter::builder()
                    .parameter_name(k)
                    .apply_method(method(k))
                    .build()
            })
            .collect();
        for chunk in reset.chunks(PARAMETERS_PER_CALL) {
            let _permit = self.gate.enter().await;
            self.rds
                .reset_db_parameter_group()
                .db_parameter_group_name(name)
                .reset_all_parameters(false)
                .set_parameters(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| data_err(e, "DB parameter group", name))?;
        }
        Ok(())
    }

    async fn delete_parameter_group(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.rds
            .delete_db_parameter_group()
            .db_parameter_group_name(name)
            .send()
            .await
            .map_err(|e| delete_err(e, "DB parameter group", name))?;
        Ok(())
    }

    async fn list_instances(&self, stack: &str) -> CloudResult<Vec<DbInstance>> {
        let instances = pages(&self.gate, |marker| async move {
            let out = self
                .rds
                .describe_db_instances()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| data_err(e, "DB instances of stack", stack))?;
            Ok((
                out.db_instances().to_vec(),
                out.marker().map(str::to_string),
            ))
        })
        .await?;
        Ok(instances
            .iter()
            .map(instance_of)
            .filter(|d| d.tags.get(TAG_STACK).is_some_and(|s| s == stack))
            .filter(|d| d.status != "deleting")
            .collect())
    }

    async fn get_instance(&self, identifier: &str) -> CloudResult<Option<DbInstance>> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .describe_db_instances()
            .db_instance_identifier(identifier)
            .send()
            .await
            .map_err(|e| data_err(e, "DB instance", identifier));
        Ok(found(out)?.and_then(|o| o.db_instances().first().map(instance_of)))
    }

    async fn create_primary(&self, db: &NewPrimary, tags: &Tags) -> CloudResult<DbInstance> {
        let mut request = self
            .rds
            .create_db_instance()
            .db_instance_identifier(&db.identifier)
            .engine(ENGINE)
            .engine_version(&db.engine_version)
            .db_instance_class(&db.instance_class)
            .allocated_storage(db.allocated_storage)
            .set_max_allocated_storage(db.max_allocated_storage)
            .storage_type(&db.storage_type)
            .set_iops(db.iops)
            .multi_az(db.multi_az)
            .storage_encrypted(true)
            .kms_key_id(&db.kms_key_id)
            .backup_retention_period(db.backup_retention_days)
            .preferred_backup_window(&db.backup_window)
            .preferred_maintenance_window(&db.maintenance_window)
            .set_enable_cloudwatch_logs_exports(Some(db.logs_exports.clone()))
            .enable_performance_insights(db.performance_insights)
            .set_performance_insights_kms_key_id(
                db.performance_insights.then(|| db.kms_key_id.clone()),
            )
            .deletion_protection(db.deletion_protection)
            .db_name(&db.db_name)
            .master_username(&db.master_username)
            .db_subnet_group_name(&db.subnet_group)
            .set_vpc_security_group_ids(Some(db.security_groups.clone()))
            .db_parameter_group_name(&db.parameter_group)
            .publicly_accessible(false)
            .copy_tags_to_snapshot(true)
            .auto_minor_version_upgrade(true)
            .port(PORT)
            .set_tags(Some(rds_tags(tags)));
        request = match &db.password {
            Some(MasterPassword::Managed { kms_key }) => request
                .manage_master_user_password(true)
                .master_user_secret_kms_key_id(kms_key),
            Some(MasterPassword::Given(password)) => {
                request.master_user_password(password.expose())
            }
            None => request,
        };
        let _permit = self.gate.enter().await;
        let out = request
            .send()
            .await
            .map_err(|e| data_err(e, "DB instance", &db.identifier))?;
        created_instance(out.db_instance(), tags, "CreateDBInstance")
    }

    async fn create_replica(&self, replica: &NewReplica, tags: &Tags) -> CloudResult<DbInstance> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .create_db_instance_read_replica()
            .db_instance_identifier(&replica.identifier)
            .source_db_instance_identifier(&replica.source)
            .db_instance_class(&replica.instance_class)
            .set_availability_zone(replica.availability_zone.clone())
            .publicly_accessible(false)
            .set_vpc_security_group_ids(Some(replica.security_groups.clone()))
            .db_parameter_group_name(&replica.parameter_group)
            .enable_performance_insights(replica.performance_insights)
            .set_performance_insights_kms_key_id(
                replica
                    .performance_insights
                    .then(|| replica.kms_key_id.clone()),
            )
            .set_max_allocated_storage(replica.max_allocated_storage)
            .deletion_protection(replica.deletion_protection)
            .set_tags(Some(rds_tags(tags)))
            .send()
            .await
            .map_err(|e| data_err(e, "DB instance", &replica.identifier))?;
        created_instance(out.db_instance(), tags, "CreateDBInstanceReadReplica")
    }

    /// A new engine version always allows a major upgrade (the current
    /// version is not known here; RDS ignores the flag for a minor one).
    /// A given password is sent with `ManageMasterUserPassword` false (RDS
    /// wants both to stop managing it; false is no change otherwise).
    /// Turning storage autoscaling off sets the ceiling to the allocated
    /// storage, as RDS wants: the new one when it changes too, else the
    /// instance's (one DescribeDBInstances more).
    async fn modify_instance(
        &self,
        identifier: &str,
        change: &DbInstanceChange,
    ) -> CloudResult<()> {
        if change.is_empty() {
            return Ok(());
        }
        let max_allocated_storage = match change.max_allocated_storage {
            None => None,
            Some(Some(max)) => Some(max),
            Some(None) => match change.allocated_storage {
                Some(now) => Some(now),
                None => Some(self.allocated_storage(identifier).await?),
            },
        };
        let logs = (!change.enable_logs.is_empty() || !change.disable_logs.is_empty()).then(|| {
            CloudwatchLogsExportConfiguration::builder()
                .set_enable_log_types(
                    (!change.enable_logs.is_empty()).then(|| change.enable_logs.clone()),
                )
                .set_disable_log_types(
                    (!change.disable_logs.is_empty()).then(|| change.disable_logs.clone()),
                )
                .build()
        });
        let request = self
            .rds
            .modify_db_instance()
            .db_instance_identifier(identifier)
            .set_db_instance_class(change.instance_class.clone())
            .set_allocated_storage(change.allocated_storage)
            .set_max_allocated_storage(max_allocated_storage)
            .set_storage_type(change.storage_type.clone())
            .set_iops(change.iops)
            .set_multi_az(change.multi_az)
            .set_engine_version(change.engine_version.clone())
            .set_allow_major_version_upgrade(change.engine_version.as_ref().map(|_| true))
            .set_backup_retention_period(change.backup_retention_days)
            .set_preferred_backup_window(change.backup_window.clone())
            .set_preferred_maintenance_window(change.maintenance_window.clone())
            .set_cloudwatch_logs_export_configuration(logs)
            .set_enable_performance_insights(change.performance_insights)
            .set_performance_insights_kms_key_id(
                change
                    .performance_insights
                    .filter(|on| *on)
                    .and(change.performance_insights_key.clone()),
            )
            .set_deletion_protection(change.deletion_protection)
            .set_vpc_security_group_ids(change.security_groups.clone())
            .set_db_parameter_group_name(change.parameter_group.clone())
            .set_master_user_password(change.password.as_ref().map(|p| p.expose().to_string()))
            .set_manage_master_user_password(
                match (&change.password, &change.manage_password_key) {
                    (_, Some(_)) => Some(true),
                    (Some(_), None) => Some(false),
                    (None, None) => None,
                },
            )
            .set_master_user_secret_kms_key_id(change.manage_password_key.clone())
            .apply_immediately(change.apply_immediately);
        let _permit = self.gate.enter().await;
        request
            .send()
            .await
            .map_err(|e| data_err(e, "DB instance", identifier))?;
        Ok(())
    }

    async fn delete_instance(
        &self,
        identifier: &str,
        final_snapshot: Option<&str>,
    ) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.rds
            .delete_db_instance()
            .db_instance_identifier(identifier)
            .set_final_db_snapshot_identifier(final_snapshot.map(str::to_string))
            .skip_final_snapshot(final_snapshot.is_none())
            .delete_automated_backups(true)
            .send()
            .await
            .map_err(|e| data_err(e, "DB instance", identifier))?;
        Ok(())
    }

    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if !set.is_empty() {
            let _permit = self.gate.enter().await;
            self.rds
                .add_tags_to_resource()
                .resource_name(arn)
                .set_tags(Some(rds_tags(set)))
                .send()
                .await
                .map_err(|e| data_err(e, "RDS resource", arn))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.rds
                .remove_tags_from_resource()
                .resource_name(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| data_err(e, "RDS resource", arn))?;
        }
        Ok(())
    }

    async fn snapshot_exists(&self, identifier: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        let out = self
            .rds
            .describe_db_snapshots()
            .db_snapshot_identifier(identifier)
            .send()
            .await
            .map_err(|e| data_err(e, "DB snapshot", identifier));
        Ok(found(out)?.is_some_and(|o| !o.db_snapshots().is_empty()))
    }
}

/// The Secrets Manager calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsSecrets {
    secrets: aws_sdk_secretsmanager::Client,
    gate: Gate,
}

impl AwsSecrets {
    /// Wraps the client; calls pass through `gate`.
    pub fn new(secrets: aws_sdk_secretsmanager::Client, gate: Gate) -> AwsSecrets {
        AwsSecrets { secrets, gate }
    }
}

#[async_trait]
impl SecretsApi for AwsSecrets {
    /// Secrets Manager's tag filters match prefixes, and the key and value
    /// filters each any tag: the exact tag is checked here.
    async fn list_secrets(&self, stack: &str) -> CloudResult<Vec<Secret>> {
        let listed = pages(&self.gate, |token| async move {
            let out = self
                .secrets
                .list_secrets()
                .filters(
                    Filter::builder()
                        .key(FilterNameStringType::TagKey)
                        .values(TAG_STACK)
                        .build(),
                )
                .filters(
                    Filter::builder()
                        .key(FilterNameStringType::TagValue)
                        .values(stack)
                        .build(),
                )
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| data_err(e, "secrets of stack", stack))?;
            Ok((
                out.secret_list().to_vec(),
                out.next_token().map(str::to_string),
            ))
        })
        .await?;
        Ok(listed
            .iter()
            .filter(|s| s.deleted_date().is_none())
            .map(|s| Secret {
                name: s.name().unwrap_or_default().to_string(),
                arn: s.arn().unwrap_or_default().to_string(),
                kms_key_id: s.kms_key_id().map(str::to_string),
                description: s.description().unwrap_or_default().to_string(),
                tags: from_secret_tags(s.tags()),
                created: time(s.created_date()),
            })
            .filter(|s| s.tags.get(TAG_STACK).is_some_and(|v| v == stack))
            .collect())
    }

    async fn create_secret(
        &self,
        name: &str,
        description: &str,
        kms_key: &str,
        value: &Sensitive,
        tags: &Tags,
    ) -> CloudResult<Secret> {
        let request = self
            .secrets
            .create_secret()
            .name(name)
            .description(description)
            .kms_key_id(kms_key)
            .secret_string(value.expose())
            .set_tags(Some(secret_tags(tags)));
        let _permit = self.gate.enter().await;
        let out = request
            .send()
            .await
            .map_err(|e| data_err(e, "secret", name))?;
        Ok(Secret {
            name: out.name().unwrap_or(name).to_string(),
            arn: out
                .arn()
                .ok_or_else(|| incomplete("CreateSecret"))?
                .to_string(),
            kms_key_id: Some(kms_key.to_string()),
            description: description.to_string(),
            tags: tags.clone(),
            created: None,
        })
    }

    async fn put_secret_value(&self, arn: &str, value: &Sensitive) -> CloudResult<()> {
        let request = self
            .secrets
            .put_secret_value()
            .secret_id(arn)
            .secret_string(value.expose());
        let _permit = self.gate.enter().await;
        request
            .send()
            .await
            .map_err(|e| data_err(e, "secret", arn))?;
        Ok(())
    }

    async fn set_secret_key(&self, arn: &str, kms_key: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.secrets
            .update_secret()
            .secret_id(arn)
            .kms_key_id(kms_key)
            .send()
            .await
            .map_err(|e| data_err(e, "secret", arn))?;
        Ok(())
    }

    async fn retag_secret(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if !set.is_empty() {
            let _permit = self.gate.enter().await;
            self.secrets
                .tag_resource()
                .secret_id(arn)
                .set_tags(Some(secret_tags(set)))
                .send()
                .await
                .map_err(|e| data_err(e, "secret", arn))?;
        }
        if !remove.is_empty() {
            let _permit = self.gate.enter().await;
            self.secrets
                .untag_resource()
                .secret_id(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| data_err(e, "secret", arn))?;
        }
        Ok(())
    }

    async fn delete_secret(&self, arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.secrets
            .delete_secret()
            .secret_id(arn)
            .force_delete_without_recovery(true)
            .send()
            .await
            .map_err(|e| data_err(e, "secret", arn))?;
        Ok(())
    }
}

/// The stack's rule, when the bucket's lifecycle rules are exactly that
/// one rule, enabled; `None` for no rules or anyone else's.
fn lifecycle_of(rules: &[LifecycleRule]) -> Option<Lifecycle> {
    let [rule] = rules else { return None };
    if rule.id() != Some(LIFECYCLE_RULE_ID) || *rule.status() != ExpirationStatus::Enabled {
        return None;
    }
    Some(Lifecycle {
        noncurrent_version_expiration_days: rule
            .noncurrent_version_expiration()
            .and_then(|n| n.noncurrent_days())
            .unwrap_or(0),
        transition_to_ia_days: rule
            .transitions()
            .iter()
            .find(|t| t.storage_class() == Some(&TransitionStorageClass::StandardIa))
            .and_then(|t| t.days())
            .unwrap_or(0),
        abort_incomplete_multipart_upload_days: rule
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation())
            .unwrap_or(0),
    })
}

/// The stack's one lifecycle rule, with only the actions turned on.
fn lifecycle_rule(lifecycle: &Lifecycle) -> CloudResult<LifecycleRule> {
    let mut rule = LifecycleRule::builder()
        .id(LIFECYCLE_RULE_ID)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .status(ExpirationStatus::Enabled);
    if lifecycle.noncurrent_version_expiration_days > 0 {
        rule = rule.noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(lifecycle.noncurrent_version_expiration_days)
                .build(),
        );
    }
    if lifecycle.transition_to_ia_days > 0 {
        rule = rule.transitions(
            Transition::builder()
                .days(lifecycle.transition_to_ia_days)
                .storage_class(TransitionStorageClass::StandardIa)
                .build(),
        );
    }
    if lifecycle.abort_incomplete_multipart_upload_days > 0 {
        rule = rule.abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(lifecycle.abort_incomplete_multipart_upload_days)
                .build(),
        );
    }
    rule.build().map_err(|e| invalid("S3 lifecycle rule", e))
}

/// The bucket name an S3 ARN (`arn:aws:s3:::name`) names.
fn bucket_of_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":s3:::"))
        .map(|(_, name)| name)
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

/// The S3 calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsStorage {
    s3: aws_sdk_s3::Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
    stack_tags: StackTags,
    region: String,
    gate: Gate,
}

impl AwsStorage {
    /// Wraps the clients of `region`; calls pass through `gate`.
    pub fn new(
        s3: aws_sdk_s3::Client,
        tagging: aws_sdk_resourcegroupstagging::Client,
        stack_tags: StackTags,
        region: &str,
        gate: Gate,
    ) -> AwsStorage {
        AwsStorage {
            s3,
            tagging,
            stack_tags,
            region: region.to_string(),
            gate,
        }
    }

    /// Names and tags of the buckets tagged with the stack, by the tagging
    /// API.
    async fn tagged(&self, stack: &str) -> CloudResult<Vec<(String, Tags)>> {
        let found = self
            .stack_tags
            .of(&self.tagging, &self.gate, stack, "s3")
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|(arn, tags)| Some((bucket_of_arn(&arn)?.to_string(), tags)))
            .collect())
    }

    /// The bucket's tags (none: empty).
    async fn tags_of(&self, name: &str) -> CloudResult<Tags> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_bucket_tagging()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        Ok(unless(out, &["NoSuchTagSet"])?
            .map(|o| from_s3_tags(o.tag_set()))
            .unwrap_or_default())
    }

    async fn versioning(&self, name: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        match self.s3.get_bucket_versioning().bucket(name).send().await {
            Ok(out) => Ok(out.status() == Some(&BucketVersioningStatus::Enabled)),
            // A success the SDK cannot parse: moto names the root element
            // GetBucketVersioningResponse, not VersioningConfiguration. Its
            // Status element says the same.
            Err(SdkError::ServiceError(e))
                if e.raw().status().is_success() && e.err().code().is_none() =>
            {
                let body = e.raw().body().bytes().unwrap_or_default();
                Ok(String::from_utf8_lossy(body).contains("<Status>Enabled</Status>"))
            }
            Err(e) => Err(data_err(e, "S3 bucket", name)),
        }
    }

    /// The SSE-KMS key of the default encryption, if that is it, and
    /// whether bucket keys are on.
    async fn encryption(&self, name: &str) -> CloudResult<(Option<String>, bool)> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_bucket_encryption()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        let Some(out) = unless(out, &["ServerSideEncryptionConfigurationNotFoundError"])? else {
            return Ok((None, false));
        };
        let Some(rule) = out
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
        else {
            return Ok((None, false));
        };
        let key = rule
            .apply_server_side_encryption_by_default()
            .filter(|d| *d.sse_algorithm() == ServerSideEncryption::AwsKms)
            .and_then(|d| d.kms_master_key_id())
            .map(str::to_string);
        Ok((key, rule.bucket_key_enabled().unwrap_or(false)))
    }

    async fn public_access_blocked(&self, name: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_public_access_block()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        let config = unless(out, &["NoSuchPublicAccessBlockConfiguration"])?;
        Ok(config
            .as_ref()
            .and_then(|o| o.public_access_block_configuration())
            .is_some_and(|c| {
                c.block_public_acls() == Some(true)
                    && c.ignore_public_acls() == Some(true)
                    && c.block_public_policy() == Some(true)
                    && c.restrict_public_buckets() == Some(true)
            }))
    }

    async fn ownership_enforced(&self, name: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_bucket_ownership_controls()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        let controls = unless(out, &["OwnershipControlsNotFoundError"])?;
        Ok(controls
            .as_ref()
            .and_then(|o| o.ownership_controls())
            .is_some_and(|c| {
                c.rules()
                    .iter()
                    .any(|r| *r.object_ownership() == ObjectOwnership::BucketOwnerEnforced)
            }))
    }

    async fn policy(&self, name: &str) -> CloudResult<Option<String>> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_bucket_policy()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        Ok(unless(out, &["NoSuchBucketPolicy"])?.and_then(|o| o.policy().map(str::to_string)))
    }

    async fn lifecycle(&self, name: &str) -> CloudResult<Option<Lifecycle>> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name));
        Ok(unless(out, &["NoSuchLifecycleConfiguration"])?.and_then(|o| lifecycle_of(o.rules())))
    }

    /// The bucket's settings (six reads at once), with `tags`; `None` when
    /// it is gone.
    async fn read(&self, name: &str, tags: Tags) -> CloudResult<Option<Bucket>> {
        let read = futures::try_join!(
            self.versioning(name),
            self.encryption(name),
            self.public_access_blocked(name),
            self.ownership_enforced(name),
            self.policy(name),
            self.lifecycle(name),
        );
        let Some((versioning, (kms_key, bucket_key), blocked, enforced, policy, lifecycle)) =
            found(read)?
        else {
            return Ok(None);
        };
        Ok(Some(Bucket {
            name: name.to_string(),
            region: self.region.clone(),
            versioning,
            kms_key,
            bucket_key,
            public_access_blocked: blocked,
            ownership_enforced: enforced,
            policy,
            lifecycle,
            tags,
            created: None,
        }))
    }

    /// The bucket's settings and its own tags.
    async fn read_with_tags(&self, name: &str) -> CloudResult<Bucket> {
        let (tags, bucket) = futures::try_join!(self.tags_of(name), self.read(name, Tags::new()))?;
        let mut bucket = bucket.ok_or_else(|| CloudError::NotFound {
            kind: "S3 bucket",
            id: name.to_string(),
        })?;
        bucket.tags = tags;
        Ok(bucket)
    }

    async fn put_tags(&self, name: &str, tags: &Tags) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        if tags.is_empty() {
            self.s3
                .delete_bucket_tagging()
                .bucket(name)
                .send()
                .await
                .map_err(|e| data_err(e, "S3 bucket", name))?;
        } else {
            self.s3
                .put_bucket_tagging()
                .bucket(name)
                .tagging(s3_tagging(tags)?)
                .send()
                .await
                .map_err(|e| data_err(e, "S3 bucket", name))?;
        }
        Ok(())
    }
}

#[async_trait]
impl StorageApi for AwsStorage {
    /// One GetResources (paginated) finds the stack's buckets, then six
    /// reads per bucket, at once. A bucket the tagging API still lists but
    /// S3 no longer has is left out. `created` stays `None`: only
    /// ListBuckets reports it.
    async fn list_buckets(&self, stack: &str) -> CloudResult<Vec<Bucket>> {
        let tagged = self.tagged(stack).await?;
        let buckets = futures::future::try_join_all(
            tagged
                .into_iter()
                .filter(|(_, tags)| tags.get(TAG_STACK).is_some_and(|s| s == stack))
                .map(|(name, tags)| async move { self.read(&name, tags).await }),
        )
        .await?;
        let mut buckets: Vec<Bucket> = buckets.into_iter().flatten().collect();
        buckets.sort_by(|a, b| a.name.cmp(&b.name));
        buckets.dedup_by(|a, b| a.name == b.name);
        Ok(buckets)
    }

    /// A bucket this account already owns is read and returned as it is:
    /// on `BucketAlreadyOwnedByYou`, and in us-east-1 (where S3 answers a
    /// create of an owned bucket with success) when the bucket already has
    /// tags, since a bucket just made has none. Otherwise the new bucket
    /// is tagged with `tags`.
    async fn create_bucket(&self, name: &str, tags: &Tags) -> CloudResult<Bucket> {
        // A bucket this account owns already is returned as it is, never
        // tagged here: in us-east-1 CreateBucket answers success for it,
        // and tagging it would hand someone's bucket to the stack.
        let exists = {
            let _permit = self.gate.enter().await;
            match self.s3.head_bucket().bucket(name).send().await {
                Ok(_) => true,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => false,
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => false,
                // Another account's bucket: HeadBucket answers 403.
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 403) => {
                    return Err(CloudError::Service {
                        code: "BucketAlreadyExists".into(),
                        message: format!(
                            "bucket {name} exists and belongs to another account (bucket names are global): choose another storage.bucket_name"
                        ),
                    });
                }
                Err(e) => return Err(data_err(e, "S3 bucket", name)),
            }
        };
        if exists {
            return self.read_with_tags(name).await;
        }
        let config = (self.region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(self.region.as_str()))
                .build()
        });
        let created = {
            let _permit = self.gate.enter().await;
            self.s3
                .create_bucket()
                .bucket(name)
                .set_create_bucket_configuration(config)
                .send()
                .await
                .map_err(|e| data_err(e, "S3 bucket", name))
        };
        match created {
            Ok(_) => {}
            Err(CloudError::Service { code, .. }) if code == "BucketAlreadyOwnedByYou" => {
                return self.read_with_tags(name).await;
            }
            Err(e) => return Err(e),
        }
        let existing = self.tags_of(name).await?;
        if !existing.is_empty() {
            return self.read_with_tags(name).await;
        }
        if let Err(e) = self.put_tags(name, tags).await {
            // An untagged bucket is never adopted by a later apply: take
            // the empty bucket just made away again.
            let _permit = self.gate.enter().await;
            if let Err(cleanup) = self.s3.delete_bucket().bucket(name).send().await {
                tracing::warn!(bucket = name, error = %cleanup, "deleting the bucket that could not be tagged failed");
            }
            return Err(e);
        }
        Ok(Bucket {
            name: name.to_string(),
            region: self.region.clone(),
            tags: tags.clone(),
            ..Bucket::default()
        })
    }

    async fn enable_versioning(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.s3
            .put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    async fn set_encryption(&self, name: &str, kms_key: &str) -> CloudResult<()> {
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::AwsKms)
            .kms_master_key_id(kms_key)
            .build()
            .map_err(|e| invalid("S3 encryption", e))?;
        let config = ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(default)
                    .bucket_key_enabled(true)
                    .build(),
            )
            .build()
            .map_err(|e| invalid("S3 encryption", e))?;
        let _permit = self.gate.enter().await;
        self.s3
            .put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    async fn block_public_access(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.s3
            .put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    async fn enforce_ownership(&self, name: &str) -> CloudResult<()> {
        let controls = OwnershipControls::builder()
            .rules(
                OwnershipControlsRule::builder()
                    .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                    .build()
                    .map_err(|e| invalid("S3 ownership controls", e))?,
            )
            .build()
            .map_err(|e| invalid("S3 ownership controls", e))?;
        let _permit = self.gate.enter().await;
        self.s3
            .put_bucket_ownership_controls()
            .bucket(name)
            .ownership_controls(controls)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    async fn set_policy(&self, name: &str, policy: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.s3
            .put_bucket_policy()
            .bucket(name)
            .policy(policy)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    async fn delete_policy(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.s3
            .delete_bucket_policy()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    /// One rule, `todo-stack`, for the whole bucket, with only the actions
    /// whose days are not 0. All 0 (no action: S3 refuses a rule without
    /// one) removes the bucket's lifecycle configuration instead.
    async fn set_lifecycle(&self, name: &str, lifecycle: &Lifecycle) -> CloudResult<()> {
        if *lifecycle == Lifecycle::default() {
            let _permit = self.gate.enter().await;
            self.s3
                .delete_bucket_lifecycle()
                .bucket(name)
                .send()
                .await
                .map_err(|e| data_err(e, "S3 bucket", name))?;
            return Ok(());
        }
        let config = BucketLifecycleConfiguration::builder()
            .rules(lifecycle_rule(lifecycle)?)
            .build()
            .map_err(|e| invalid("S3 lifecycle", e))?;
        let _permit = self.gate.enter().await;
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(config)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }

    /// S3 has no per-key tag calls: the tag set is read, changed and put
    /// back whole (deleted when nothing is left).
    async fn retag_bucket(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if set.is_empty() && remove.is_empty() {
            return Ok(());
        }
        let mut tags = self.tags_of(name).await?;
        let before = tags.clone();
        for key in remove {
            tags.remove(key);
        }
        tags.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        if tags == before {
            return Ok(());
        }
        self.put_tags(name, &tags).await
    }

    async fn bucket_has_objects(&self, name: &str) -> CloudResult<bool> {
        let _permit = self.gate.enter().await;
        let out = self
            .s3
            .list_object_versions()
            .bucket(name)
            .max_keys(1)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(!out.versions().is_empty() || !out.delete_markers().is_empty())
    }

    async fn empty_bucket(&self, name: &str) -> CloudResult<()> {
        let mut key_marker: Option<String> = None;
        let mut version_marker: Option<String> = None;
        loop {
            let page = {
                let _permit = self.gate.enter().await;
                self.s3
                    .list_object_versions()
                    .bucket(name)
                    .set_key_marker(key_marker.take())
                    .set_version_id_marker(version_marker.take())
                    .send()
                    .await
                    .map_err(|e| data_err(e, "S3 bucket", name))?
            };
            let versions = page
                .versions()
                .iter()
                .map(|v| (v.key(), v.version_id()))
                .chain(
                    page.delete_markers()
                        .iter()
                        .map(|m| (m.key(), m.version_id())),
                )
                .filter_map(|(key, version)| {
                    let key = key?;
                    Some(
                        ObjectIdentifier::builder()
                            .key(key)
                            .set_version_id(version.map(str::to_string))
                            .build()
                            .map_err(|e| invalid("S3 object", e)),
                    )
                })
                .collect::<CloudResult<Vec<_>>>()?;
            for chunk in versions.chunks(OBJECTS_PER_DELETE) {
                let delete = Delete::builder()
                    .set_objects(Some(chunk.to_vec()))
                    .quiet(true)
                    .build()
                    .map_err(|e| invalid("S3 delete", e))?;
                let _permit = self.gate.enter().await;
                let out = self
                    .s3
                    .delete_objects()
                    .bucket(name)
                    .delete(delete)
                    .send()
                    .await
                    .map_err(|e| data_err(e, "S3 bucket", name))?;
                if let Some(failed) = out.errors().first() {
                    return Err(CloudError::Service {
                        code: failed.code().unwrap_or("DeleteObjectsFailed").to_string(),
                        message: format!(
                            "S3 bucket {name}: {} object version(s) not deleted: {}",
                            out.errors().len(),
                            super::short(failed.message().unwrap_or("no message"))
                        ),
                    });
                }
            }
            if page.is_truncated() != Some(true) {
                return Ok(());
            }
            key_marker = page.next_key_marker().map(str::to_string);
            version_marker = page.next_version_id_marker().map(str::to_string);
            if key_marker.is_none() && version_marker.is_none() {
                return Ok(());
            }
        }
    }

    async fn delete_bucket(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.s3
            .delete_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(|e| data_err(e, "S3 bucket", name))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_source_arn_gives_the_identifier() {
        assert_eq!(
            identifier_of("arn:aws:rds:us-east-1:123456789012:db:primary"),
            "primary"
        );
        assert_eq!(identifier_of("primary"), "primary");
    }

    #[test]
    fn bucket_arns_give_names() {
        assert_eq!(bucket_of_arn("arn:aws:s3:::my-bucket"), Some("my-bucket"));
        assert_eq!(bucket_of_arn("arn:aws-cn:s3:::b"), Some("b"));
        assert_eq!(bucket_of_arn("arn:aws:s3:::b/key"), None);
        assert_eq!(bucket_of_arn("arn:aws:kms:us-east-1:1:key/x"), None);
    }

    #[test]
    fn the_lifecycle_rule_holds_only_the_actions_turned_on() {
        let rule = lifecycle_rule(&Lifecycle {
            noncurrent_version_expiration_days: 30,
            transition_to_ia_days: 0,
            abort_incomplete_multipart_upload_days: 7,
        })
        .expect("rule");
        assert!(rule.transitions().is_empty());
        assert_eq!(
            lifecycle_of(std::slice::from_ref(&rule)),
            Some(Lifecycle {
                noncurrent_version_expiration_days: 30,
                transition_to_ia_days: 0,
                abort_incomplete_multipart_upload_days: 7,
            })
        );
        let other = LifecycleRule::builder()
            .id("someone-else")
            .status(ExpirationStatus::Enabled)
            .build()
            .expect("rule");
        assert_eq!(lifecycle_of(&[rule, other]), None);
    }

    #[test]
    fn pending_modifications_are_named() {
        let p = aws_sdk_rds::types::PendingModifiedValues::builder()
            .db_instance_class("db.r6g.large")
            .multi_az(true)
            .build();
        assert_eq!(
            pending_of(Some(&p)),
            BTreeMap::from([
                ("DBInstanceClass".to_string(), "db.r6g.large".to_string()),
                ("MultiAZ".to_string(), "true".to_string()),
            ])
        );
        let p = aws_sdk_rds::types::PendingModifiedValues::builder()
            .master_user_password("hunter2-secret")
            .build();
        assert_eq!(
            pending_of(Some(&p)),
            BTreeMap::from([("MasterUserPassword".to_string(), "(sensitive)".to_string())])
        );
        assert!(pending_of(None).is_empty());
    }
}
