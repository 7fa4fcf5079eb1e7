//! The `database` and `storage` attributes of `todo_cloud_stack`.
//! Descriptions here are the documentation.

use tfplugin::{Attribute, ObjectNesting, Type};

fn input(for_data_source: bool) -> impl Fn(Attribute) -> Attribute {
    move |a: Attribute| {
        if for_data_source {
            a.computed()
        } else {
            a.optional_computed()
        }
    }
}

/// The `database` attributes (all computed in the data source, which has
/// no write-only password).
pub fn database_attributes(for_data_source: bool) -> Vec<Attribute> {
    let input = input(for_data_source);
    let replica = vec![
        input(Attribute::string("instance_class").description(
            "Instance class of this replica (default: the primary's). Updated in place.",
        )),
        input(Attribute::string("availability_zone").description(
            "Zone of this replica (default: one of the stack's zones chosen from the replica's name, kept once created). Fixed once created: to move a replica, add one under another name and remove this one.",
        )),
        input(Attribute::bool("performance_insights").description(
            "Performance Insights on this replica (default: as on the primary).",
        )),
        Attribute::string("arn").computed().description("The replica's ARN."),
    ];
    let mut out = vec![
        input(Attribute::string("engine_version").description(
            "PostgreSQL version: a major version (`16`, default; RDS picks its default minor and upgrades minors automatically) or an exact one (`16.4`). Raising the major version upgrades in place (with `apply_immediately`, or in the maintenance window) and moves to the new family's parameter group.",
        )),
        input(Attribute::string("instance_class").description(
            "Instance class of the primary, e.g. `db.r6g.large` (default `db.t4g.medium`). Changed in place: in the next maintenance window unless `apply_immediately`.",
        )),
        input(Attribute::number("allocated_storage").description(
            "Storage in GiB, 20 to 65536 (default 20; io1/io2 at least 100). Grown in place; RDS cannot shrink storage.",
        )),
        input(Attribute::number("max_allocated_storage").description(
            "Storage autoscaling ceiling in GiB, at least 10% above `allocated_storage` (default 100, or that minimum when larger); 0 turns autoscaling off.",
        )),
        input(Attribute::string("storage_type").description("`gp3` (default), `gp2`, `io1` or `io2`.")),
        input(Attribute::number("iops").description(
            "Provisioned IOPS: required for io1/io2; for gp3 only from 400 GiB (below, gp3 has a fixed 3000 baseline).",
        )),
        input(Attribute::bool("multi_az").description(
            "A synchronous standby in another zone (default true). Changed in place.",
        )),
        input(Attribute::string("kms_key_arn").description(
            "ARN of the KMS key encrypting the storage, the managed password's secret and Performance Insights (default: the stack's key). Changing it replaces the database (needs `allow_replacement`).",
        )),
        input(Attribute::number("backup_retention_days").description("Days of automated backups, 1 to 35 (default 7).")),
        input(Attribute::string("backup_window").description(
            "Daily backup window in UTC, `hh:mm-hh:mm`, at least 30 minutes (default `03:00-04:00`); must not overlap the maintenance window.",
        )),
        input(Attribute::string("maintenance_window").description(
            "Weekly maintenance window in UTC, `ddd:hh:mm-ddd:hh:mm`, at least 30 minutes (default `sun:05:00-sun:06:00`).",
        )),
        input(Attribute::new("cloudwatch_logs_exports", Type::list(Type::String)).description(
            "PostgreSQL logs exported to CloudWatch Logs: `postgresql`, `upgrade` (default both).",
        )),
        input(Attribute::bool("performance_insights").description("Performance Insights on the primary (default false).")),
        input(Attribute::bool("deletion_protection").description(
            "RDS refuses to delete the primary (default true). While it is on, `terraform destroy` (or removing `database`) fails before anything of the stack is deleted and says how to turn it off.",
        )),
        input(Attribute::bool("skip_final_snapshot").description(
            "Delete the primary without a final snapshot (default false: the snapshot `final_snapshot_identifier` is taken and kept).",
        )),
        input(Attribute::string("database_name").description(
            "The database created in the instance (default `todo`). Changing it replaces the database (needs `allow_replacement`).",
        )),
        input(Attribute::string("master_username").description(
            "The master user (default `todo_admin`). Changing it replaces the database (needs `allow_replacement`).",
        )),
    ];
    if !for_data_source {
        out.push(
            Attribute::string("master_password_wo")
                .sensitive()
                .write_only()
                .description(
                    "The master password, write-only (Terraform 1.11+): sent to RDS and to a Secrets Manager secret the stack owns, never stored in state or plan. Omit it (default) to have RDS generate and rotate the password in Secrets Manager (ManageMasterUserPassword). Requires `master_password_wo_version`.",
                ),
        );
    }
    out.extend([
        input(Attribute::number("master_password_wo_version").description(
            "Version of `master_password_wo`: change it (e.g. increment) to set a new password; the password itself is not compared.",
        )),
        input(Attribute::new("parameters", Type::map(Type::String)).description(
            "PostgreSQL parameters of the stack's parameter group, e.g. `{ log_min_duration_statement = \"500\" }`. Static parameters take effect at the next reboot.",
        )),
        input(Attribute::new("allowed_cidrs", Type::list(Type::String)).description(
            "IPv4 ranges admitted on port 5432 besides the stack's node security group (default none).",
        )),
        input(Attribute::bool("apply_immediately").description(
            "Apply class, storage, Multi-AZ and version changes now (default false: RDS applies them in the next maintenance window, and the plan says so).",
        )),
        input(Attribute::bool("allow_replacement").description(
            "Allow a change RDS makes only by creating a new database (`kms_key_arn`, `database_name`, `master_username`). The new, empty database is created before the old one is deleted (with its final snapshot). Default false: such a change is refused at plan.",
        )),
        input(Attribute::nested("replicas", ObjectNesting::Map, replica).description(
            "Read replicas by name (at most 15), created in parallel once the primary is available. Adding or removing one never touches the primary or the others.",
        )),
        Attribute::string("endpoint").computed().description("The primary's endpoint address (writer)."),
        Attribute::number("port").computed().description("The port (5432)."),
        Attribute::new("reader_endpoints", Type::map(Type::String))
            .computed()
            .description("Endpoint addresses of the replicas, by name."),
        Attribute::string("arn").computed().description("The primary's ARN."),
        Attribute::string("identifier").computed().description(
            "The primary's RDS identifier, `<stack>-db-<hash>`: it changes only when the database is replaced.",
        ),
        Attribute::string("master_secret_arn").computed().description(
            "ARN of the Secrets Manager secret holding the master credentials (RDS's own with a managed password; the stack's with `master_password_wo`).",
        ),
        Attribute::string("security_group_id").computed().description("The database security group."),
        Attribute::string("final_snapshot_identifier").computed().description(
            "The name of the snapshot taken when the primary is deleted (null with `skip_final_snapshot`).",
        ),
    ]);
    out
}

/// The `storage` attributes (all computed in the data source).
pub fn storage_attributes(for_data_source: bool) -> Vec<Attribute> {
    let input = input(for_data_source);
    let lifecycle =
        vec![
        input(Attribute::number("noncurrent_version_expiration_days").description(
            "Delete noncurrent object versions after this many days (default 90; 0: never).",
        )),
        input(Attribute::number("transition_to_ia_days").description(
            "Move objects to STANDARD_IA after this many days (default 30, at least 30; 0: never).",
        )),
        input(Attribute::number("abort_incomplete_multipart_upload_days").description(
            "Abort incomplete multipart uploads after this many days (default 7; 0: never).",
        )),
    ];
    vec![
        input(Attribute::string("bucket_name").description(
            "Bucket name (global namespace: 3 to 63 lowercase letters, digits, hyphens). Default `<stack>-<account>-<region>`. Changing it creates the new bucket and deletes the old one (refused while the old one holds objects, unless `force_destroy`).",
        )),
        input(Attribute::bool("force_destroy").description(
            "Let destroy delete every object and version in the bucket (default false: destroy of a bucket holding objects fails before anything of the stack is deleted).",
        )),
        input(Attribute::nested("lifecycle", ObjectNesting::Single, lifecycle).description("The bucket's lifecycle rule.")),
        Attribute::string("bucket_arn").computed().description("The bucket's ARN."),
        Attribute::string("bucket_regional_domain_name")
            .computed()
            .description("`<bucket>.s3.<region>.amazonaws.com`."),
    ]
}
