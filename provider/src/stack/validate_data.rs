//! Validation of `database` and `storage` (no AWS call), with the
//! conventions of the parent module: unknown and null values are skipped
//! (a null input is judged by its default where a rule needs it), and each
//! diagnostic's detail begins with the full path as the user writes it
//! (`database.replicas["r1"].availability_zone: ...`).
//!
//! The limits are those of RDS for PostgreSQL and S3 (RDS `CreateDBInstance`
//! and `ModifyDBInstance` constraints, RDS storage types, S3 bucket naming
//! and lifecycle rules). The write-only master password is never quoted.

use std::ops::RangeInclusive;

use ipnet::Ipv4Net;
use tfplugin::{AttributePath, Value};

use super::{PARTITIONS, Report, check_list, is_zone_name, one_of, whole_in};
use crate::provider::validate::check_region;
use crate::stack::model_data::database_defaults;

/// The PostgreSQL major versions RDS supports (standard support).
const POSTGRES_MAJORS: RangeInclusive<u32> = 13..=17;

/// The storage types a primary may use (magnetic `standard` is legacy).
const STORAGE_TYPES: [&str; 4] = ["gp2", "gp3", "io1", "io2"];
/// Storage GiB of RDS for PostgreSQL, any storage type.
const STORAGE_GIB: RangeInclusive<i64> = 20..=65536;
/// The smallest io1 or io2 volume, GiB.
const MIN_PROVISIONED_IOPS_GIB: i64 = 100;
/// Provisioned IOPS of io1 and io2.
const PROVISIONED_IOPS: RangeInclusive<i64> = 1000..=256_000;
/// From this size (GiB) on, a gp3 volume's IOPS may be provisioned.
const GP3_IOPS_FROM_GIB: i64 = 400;
/// The fixed IOPS of a gp3 volume below [`GP3_IOPS_FROM_GIB`].
const GP3_BASELINE_IOPS: i64 = 3000;
/// Provisioned IOPS of a gp3 volume of [`GP3_IOPS_FROM_GIB`] or more (the
/// lower end is its baseline).
const GP3_IOPS: RangeInclusive<i64> = 12_000..=64_000;

/// Days of automated backups (0, which turns them off, would break read
/// replicas and point-in-time recovery).
const BACKUP_RETENTION_DAYS: RangeInclusive<i64> = 1..=35;
/// The shortest backup or maintenance window, minutes.
const MIN_WINDOW_MINUTES: u32 = 30;
/// The days of a maintenance window, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_MINUTES: u32 = 24 * 60;
const WEEK_MINUTES: u32 = 7 * DAY_MINUTES;

/// The PostgreSQL log types RDS exports to CloudWatch Logs.
const LOG_EXPORTS: [&str; 2] = ["postgresql", "upgrade"];

/// Length of a database name or of the master user name.
const MAX_PG_NAME: usize = 63;

/// The SQL key words PostgreSQL reserves (SQL Key Words appendix, the
/// "reserved" and "reserved (can be function or type)" entries, which
/// cannot be names). RDS refuses them as a database or master user name.
const SQL_RESERVED: [&str; 101] = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Database names taken by PostgreSQL or RDS: RDS creates `postgres` and
/// `rdsadmin` in every instance, `template0` and `template1` are
/// PostgreSQL's templates, `public` is the default schema's name.
const RESERVED_DATABASE_NAMES: [&str; 5] =
    ["postgres", "rdsadmin", "template0", "template1", "public"];

/// Role names PostgreSQL refuses (`public` and `none` name pseudo-roles).
const RESERVED_ROLE_NAMES: [&str; 2] = ["public", "none"];

/// Read replicas per source instance (RDS quota).
const MAX_REPLICAS: usize = database_defaults::MAX_REPLICAS;
/// Length of a replica's key: it becomes part of the replica's RDS
/// identifier, `<stack>-<key>` within RDS's 63 characters.
const MAX_REPLICA_KEY: usize = 40;
/// Longest RDS instance identifier.
const MAX_DB_IDENTIFIER: usize = 63;
/// What a replica's identifier adds to the stack name and its key:
/// `<stack>-<key>-<6 hex>`.
const REPLICA_ID_EXTRA: usize = 8;

/// Characters RDS refuses in a master password (besides anything that is
/// not printable ASCII).
const PASSWORD_FORBIDDEN: [char; 4] = ['/', '"', '@', ' '];
/// Length of an RDS for PostgreSQL master password.
const PASSWORD_LENGTH: RangeInclusive<usize> = 8..=128;

/// Days a lifecycle rule may wait (S3 allows any positive number; this is
/// 100 years).
const LIFECYCLE_DAYS: RangeInclusive<i64> = 0..=36500;
/// S3 moves objects to STANDARD_IA no sooner than this many days after
/// their creation.
const MIN_IA_DAYS: i64 = 30;

/// Bucket name prefixes S3 reserves.
const BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
/// Bucket name suffixes S3 reserves (access point aliases, Object Lambda
/// access point aliases, Multi-Region Access Points, directory buckets).
const BUCKET_SUFFIXES: [&str; 4] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"];

/// Checks `database = { ... }`; `network` gives the stack's zones, which a
/// replica's zone must be one of.
pub(super) fn validate_database(database: &Value, network: &Value, name: &Value, r: &mut Report) {
    if database.is_null() || database.is_unknown() {
        return;
    }
    let path = AttributePath::new("database");
    check_engine_version(database.get("engine_version"), &path, r);
    if let Some(class) = database.get("instance_class").as_str()
        && let Err(why) = check_instance_class(class)
    {
        r.error(&path.attr("instance_class"), "Invalid instance class", why);
    }
    check_storage(database, &path, r);
    whole_in(
        database.get("backup_retention_days"),
        &path.attr("backup_retention_days"),
        "Invalid backup_retention_days",
        BACKUP_RETENTION_DAYS,
        "keep automated backups 1 to 35 days (0, which turns them off, is not allowed: read replicas and point-in-time recovery need them)",
        r,
    );
    check_windows(database, &path, r);
    check_list(
        database.get("cloudwatch_logs_exports"),
        &path.attr("cloudwatch_logs_exports"),
        ("Invalid log export", "Duplicate log export", "log type"),
        |t| {
            if LOG_EXPORTS.contains(&t) {
                Ok(())
            } else {
                Err(format!(
                    "{t:?} is not a log type RDS for PostgreSQL exports; use {}.",
                    one_of(&LOG_EXPORTS)
                ))
            }
        },
        r,
    );
    if let Some(arn) = database.get("kms_key_arn").as_str()
        && let Err(why) = check_kms_key_arn(arn)
    {
        r.error(&path.attr("kms_key_arn"), "Invalid KMS key ARN", why);
    }
    if let Some(name) = database.get("database_name").as_str()
        && let Err(why) = check_database_name(name)
    {
        r.error(&path.attr("database_name"), "Invalid database name", why);
    }
    if let Some(name) = database.get("master_username").as_str()
        && let Err(why) = check_master_username(name)
    {
        r.error(
            &path.attr("master_username"),
            "Invalid master user name",
            why,
        );
    }
    check_password(database, &path, r);
    check_parameters(database.get("parameters"), &path.attr("parameters"), r);
    check_allowed_cidrs(
        database.get("allowed_cidrs"),
        &path.attr("allowed_cidrs"),
        r,
    );
    check_replicas(database, network, name, &path, r);
    if let Value::Bool(false) = database.get("multi_az") {
        r.warning(
            &path.attr("multi_az"),
            "Database without a standby",
            "false: the primary has no standby in another zone, so an instance or zone failure stops the database until RDS recovers it, and read replicas do not take over on their own. Acceptable for development; set it to true (the default) for production.",
        );
    }
    if let (Value::Bool(false), Value::Bool(true)) = (
        database.get("deletion_protection"),
        database.get("skip_final_snapshot"),
    ) {
        r.warning(
            &path.attr("skip_final_snapshot"),
            "Database deleted without a snapshot",
            "true while database.deletion_protection is false: destroying the stack, or a change that replaces the primary, deletes the database with no final snapshot to restore it from. Unless the data is disposable, set skip_final_snapshot to false or deletion_protection to true.",
        );
    }
}

/// Checks `storage = { ... }`.
pub(super) fn validate_storage(storage: &Value, r: &mut Report) {
    if storage.is_null() || storage.is_unknown() {
        return;
    }
    let path = AttributePath::new("storage");
    if let Some(name) = storage.get("bucket_name").as_str() {
        let at = path.attr("bucket_name");
        match check_bucket_name(name) {
            Err(why) => r.error(&at, "Invalid bucket name", why),
            Ok(()) if name.contains('.') => r.warning(
                &at,
                "Bucket name with dots",
                format!(
                    "{name:?} contains dots: HTTPS requests to its virtual-hosted-style address (<bucket>.s3.<region>.amazonaws.com) fail certificate validation, since S3's wildcard certificate covers a single label, and S3 Transfer Acceleration cannot be used. Prefer hyphens."
                ),
            ),
            Ok(()) => {}
        }
    }
    let lifecycle = storage.get("lifecycle");
    let lpath = path.attr("lifecycle");
    let rule = "use 0 to turn the rule off, or 1 to 36500 days";
    for attr in [
        "noncurrent_version_expiration_days",
        "abort_incomplete_multipart_upload_days",
    ] {
        whole_in(
            lifecycle.get(attr),
            &lpath.attr(attr),
            "Invalid lifecycle days",
            LIFECYCLE_DAYS,
            rule,
            r,
        );
    }
    let ia_path = lpath.attr("transition_to_ia_days");
    if let Some(days) = whole_in(
        lifecycle.get("transition_to_ia_days"),
        &ia_path,
        "Invalid lifecycle days",
        LIFECYCLE_DAYS,
        rule,
        r,
    ) && (1..MIN_IA_DAYS).contains(&days)
    {
        r.error(
            &ia_path,
            "Invalid lifecycle days",
            format!(
                "{days} days is too soon: S3 moves objects to STANDARD_IA no sooner than {MIN_IA_DAYS} days after their creation; use 0 (off) or {MIN_IA_DAYS} to 36500."
            ),
        );
    }
}

/// `engine_version`: a supported PostgreSQL `NN` or `NN.N` version.
fn check_engine_version(value: &Value, path: &AttributePath, r: &mut Report) {
    let Some(version) = value.as_str() else {
        return;
    };
    let at = path.attr("engine_version");
    let majors = format!("{} to {}", POSTGRES_MAJORS.start(), POSTGRES_MAJORS.end());
    match postgres_major(version) {
        None => r.error(
            &at,
            "Invalid PostgreSQL version",
            format!(
                "{version:?} is not a PostgreSQL version of the form \"NN\" or \"NN.N\", like \"16\" or \"16.4\"; supported major versions: {majors}."
            ),
        ),
        Some(major) if !POSTGRES_MAJORS.contains(&major) => r.error(
            &at,
            "Unsupported PostgreSQL version",
            format!(
                "{version:?} is not supported; use a PostgreSQL major version from {majors} (\"16\", or a minor version such as \"16.4\")."
            ),
        ),
        Some(_) => {}
    }
}

/// The major version of `NN` or `NN.N` (one or two digits each, no leading
/// zero in the major version).
fn postgres_major(version: &str) -> Option<u32> {
    let number = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    let (major, minor) = match version.split_once('.') {
        Some((major, minor)) => (major, Some(minor)),
        None => (version, None),
    };
    let ok = number(major) && !major.starts_with('0') && minor.is_none_or(number);
    if ok { major.parse().ok() } else { None }
}

/// Checks a DB instance class, `db.<family>.<size>` like `db.r6g.large`:
/// the family is letters, a generation number and optional letters; the
/// size micro, small, medium, large, xlarge, `<n>xlarge` or metal.
fn check_instance_class(class: &str) -> Result<(), String> {
    let family_ok = |family: &str| {
        let letters = family
            .find(|c: char| !c.is_ascii_lowercase())
            .unwrap_or(family.len());
        let rest = &family[letters..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        letters > 0 && digits > 0 && rest[digits..].chars().all(|c| c.is_ascii_lowercase())
    };
    let size_ok = |size: &str| match size {
        "micro" | "small" | "medium" | "large" | "xlarge" | "metal" => true,
        _ => size.strip_suffix("xlarge").is_some_and(|n| {
            !n.is_empty() && !n.starts_with('0') && n.chars().all(|c| c.is_ascii_digit())
        }),
    };
    let ok = class
        .strip_prefix("db.")
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(family, size)| family_ok(family) && size_ok(size));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{class:?} is not a DB instance class of the form db.<family>.<size> (lowercase), like \"db.t4g.medium\", \"db.r6g.large\" or \"db.m7g.2xlarge\"."
        ))
    }
}

/// `allocated_storage`, `max_allocated_storage`, `storage_type` and `iops`,
/// each and together.
fn check_storage(database: &Value, path: &AttributePath, r: &mut Report) {
    let type_path = path.attr("storage_type");
    // The storage type in effect: given, or the default; None while unknown
    // or invalid.
    let storage_type = match database.get("storage_type") {
        Value::Null => Some(database_defaults::STORAGE_TYPE),
        Value::String(t) if STORAGE_TYPES.contains(&t.as_str()) => Some(t.as_str()),
        Value::String(t) => {
            r.error(
                &type_path,
                "Invalid storage type",
                format!(
                    "{t:?} is not {} (magnetic \"standard\" storage is not supported).",
                    one_of(&STORAGE_TYPES)
                ),
            );
            None
        }
        _ => None,
    };
    let provisioned = matches!(storage_type, Some("io1" | "io2"));

    let alloc_path = path.attr("allocated_storage");
    let alloc_value = database.get("allocated_storage");
    let given = whole_in(
        alloc_value,
        &alloc_path,
        "Invalid allocated_storage",
        STORAGE_GIB,
        "RDS for PostgreSQL storage is 20 to 65536 GiB (io1 and io2: 100 to 65536)",
        r,
    );
    // The size in effect: given and valid, or the default; None while
    // unknown or invalid.
    let allocated = match alloc_value {
        Value::Null => Some(database_defaults::ALLOCATED_STORAGE),
        _ => given,
    };
    if provisioned
        && let Some(gib) = allocated
        && gib < MIN_PROVISIONED_IOPS_GIB
    {
        let size = if alloc_value.is_null() {
            format!("not set (default {gib} GiB)")
        } else {
            format!("{gib} GiB")
        };
        r.error(
            &alloc_path,
            "Invalid allocated_storage",
            format!(
                "{size} is too small for {} storage: Provisioned IOPS volumes are {MIN_PROVISIONED_IOPS_GIB} to 65536 GiB.",
                storage_type.unwrap_or_default()
            ),
        );
    }

    let max_path = path.attr("max_allocated_storage");
    if let Some(max) = whole_in(
        database.get("max_allocated_storage"),
        &max_path,
        "Invalid max_allocated_storage",
        0..=*STORAGE_GIB.end(),
        "use 0 to turn storage autoscaling off, or a ceiling of at most 65536 GiB",
        r,
    ) && max != 0
        && let Some(gib) = allocated
        && max < min_ceiling(gib)
    {
        let of = if alloc_value.is_null() {
            format!("the default allocated_storage {gib}")
        } else {
            format!("allocated_storage {gib}")
        };
        let least = min_ceiling(gib);
        r.error(
            &max_path,
            "Invalid max_allocated_storage",
            format!(
                "{max} GiB is too close to {of} GiB: RDS wants a storage autoscaling ceiling at least 10% above the allocated storage. Use 0 to turn autoscaling off, or a ceiling from {least} to 65536 GiB."
            ),
        );
    }

    let iops_path = path.attr("iops");
    let iops = database.get("iops");
    match storage_type {
        Some("gp2") if !iops.is_null() => r.error(
            &iops_path,
            "IOPS not allowed",
            "gp2 storage has no provisioned IOPS (it gets 3 IOPS per GiB); remove iops, or use storage_type \"gp3\" (400 GiB or more), \"io1\" or \"io2\".",
        ),
        Some(t @ ("io1" | "io2")) if iops.is_null() => r.error(
            &iops_path,
            "IOPS required",
            format!(
                "not set, but {t} storage is Provisioned IOPS storage: set iops from {} to {}.",
                PROVISIONED_IOPS.start(),
                PROVISIONED_IOPS.end()
            ),
        ),
        Some(t @ ("io1" | "io2")) => {
            let Some(n) = whole_in(
                iops,
                &iops_path,
                "Invalid iops",
                PROVISIONED_IOPS,
                &format!(
                    "{t} storage takes {} to {} IOPS",
                    PROVISIONED_IOPS.start(),
                    PROVISIONED_IOPS.end()
                ),
                r,
            ) else {
                return;
            };
            // IOPS per GiB: 0.5 to 50 (io1) or 1000 (io2).
            let per_gib = if t == "io1" { 50 } else { 1000 };
            if let Some(gib) = allocated
                && gib >= MIN_PROVISIONED_IOPS_GIB
                && (n * 2 < gib || n > gib * per_gib)
            {
                r.error(
                    &iops_path,
                    "Invalid iops",
                    format!(
                        "{n} IOPS for {gib} GiB of {t} storage is out of proportion: RDS needs 0.5 to {per_gib} IOPS per GiB, here {} to {}.",
                        ((gib + 1) / 2).max(*PROVISIONED_IOPS.start()),
                        (gib * per_gib).min(*PROVISIONED_IOPS.end())
                    ),
                );
            }
        }
        Some("gp3") if !iops.is_null() && !iops.is_unknown() => match allocated {
            Some(gib) if gib < GP3_IOPS_FROM_GIB => r.error(
                &iops_path,
                "IOPS not allowed",
                format!(
                    "gp3 storage below {GP3_IOPS_FROM_GIB} GiB has a fixed baseline of {GP3_BASELINE_IOPS} IOPS that cannot be set (allocated_storage is {gib} GiB); remove iops, or set allocated_storage to {GP3_IOPS_FROM_GIB} GiB or more to provision {} to {} IOPS.",
                    GP3_IOPS.start(),
                    GP3_IOPS.end()
                ),
            ),
            Some(_) => {
                whole_in(
                    iops,
                    &iops_path,
                    "Invalid iops",
                    GP3_IOPS,
                    &format!(
                        "gp3 storage of {GP3_IOPS_FROM_GIB} GiB or more takes {} (its baseline) to {} IOPS",
                        GP3_IOPS.start(),
                        GP3_IOPS.end()
                    ),
                    r,
                );
            }
            None => {}
        },
        _ => {}
    }
}

/// `backup_window` and `maintenance_window`: each well formed and at least
/// 30 minutes, and apart from each other (a missing one is its default).
fn check_windows(database: &Value, path: &AttributePath, r: &mut Report) {
    let backup_path = path.attr("backup_window");
    let maintenance_path = path.attr("maintenance_window");
    let backup_value = database.get("backup_window");
    let maintenance_value = database.get("maintenance_window");

    let backup = backup_value.as_str().and_then(|text| {
        let Some((start, end)) = parse_backup_window(text) else {
            r.error(
                &backup_path,
                "Invalid backup window",
                format!(
                    "{text:?} is not a daily window of the form \"hh:mm-hh:mm\" (UTC, 24-hour clock), like \"03:00-04:00\"."
                ),
            );
            return None;
        };
        let minutes = (end + DAY_MINUTES - start) % DAY_MINUTES;
        if minutes < MIN_WINDOW_MINUTES {
            r.error(
                &backup_path,
                "Backup window too short",
                format!(
                    "{text:?} lasts {minutes} minutes; a backup window lasts at least {MIN_WINDOW_MINUTES} minutes."
                ),
            );
            return None;
        }
        Some((text, start, minutes))
    });
    let maintenance = maintenance_value.as_str().and_then(|text| {
        let Some((start, end)) = parse_maintenance_window(text) else {
            r.error(
                &maintenance_path,
                "Invalid maintenance window",
                format!(
                    "{text:?} is not a weekly window of the form \"ddd:hh:mm-ddd:hh:mm\" (UTC, days {}), like \"sun:05:00-sun:06:00\".",
                    WEEKDAYS.join(", ")
                ),
            );
            return None;
        };
        let minutes = (end + WEEK_MINUTES - start) % WEEK_MINUTES;
        if minutes < MIN_WINDOW_MINUTES {
            r.error(
                &maintenance_path,
                "Maintenance window too short",
                format!(
                    "{text:?} lasts {minutes} minutes; a maintenance window lasts at least {MIN_WINDOW_MINUTES} minutes."
                ),
            );
            return None;
        }
        Some((text, start, minutes))
    });

    // Each window as given, or its default when null; the overlap is
    // reported on a window the user wrote.
    let default_backup = || {
        let text = database_defaults::BACKUP_WINDOW;
        parse_backup_window(text).map(|(s, e)| (text, s, (e + DAY_MINUTES - s) % DAY_MINUTES))
    };
    let default_maintenance = || {
        let text = database_defaults::MAINTENANCE_WINDOW;
        parse_maintenance_window(text)
            .map(|(s, e)| (text, s, (e + WEEK_MINUTES - s) % WEEK_MINUTES))
    };
    let (backup, maintenance, at) = match (backup_value, maintenance_value) {
        (Value::Null, Value::Null) => return,
        (Value::Null, _) => (default_backup(), maintenance, &maintenance_path),
        (_, Value::Null) => (backup, default_maintenance(), &backup_path),
        _ => (backup, maintenance, &backup_path),
    };
    let (Some((b_text, b_start, b_minutes)), Some((m_text, m_start, m_minutes))) =
        (backup, maintenance)
    else {
        return;
    };
    let mut in_backup = vec![false; WEEK_MINUTES as usize];
    for day in 0..7 {
        for m in 0..b_minutes {
            in_backup[((day * DAY_MINUTES + b_start + m) % WEEK_MINUTES) as usize] = true;
        }
    }
    let Some(first) = (0..m_minutes)
        .map(|m| (m_start + m) % WEEK_MINUTES)
        .find(|&minute| in_backup[minute as usize])
    else {
        return;
    };
    let when = format!(
        "{} {:02}:{:02} UTC",
        WEEKDAYS[(first / DAY_MINUTES) as usize],
        first % DAY_MINUTES / 60,
        first % 60
    );
    let detail = if backup_value.is_null() {
        format!(
            "{m_text:?} overlaps the default daily backup window {b_text:?} (database.backup_window) from {when}; RDS needs the two windows apart: move the maintenance window, or set database.backup_window."
        )
    } else if maintenance_value.is_null() {
        format!(
            "{b_text:?} overlaps the default maintenance window {m_text:?} (database.maintenance_window) from {when}; RDS needs the two windows apart: move the backup window, or set database.maintenance_window."
        )
    } else {
        format!(
            "{b_text:?} overlaps database.maintenance_window {m_text:?} from {when} (the backup window recurs daily); RDS needs the two windows apart: move one of them."
        )
    };
    r.error(at, "Overlapping backup and maintenance windows", detail);
}

/// Minutes since midnight of `hh:mm` (24-hour clock).
fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let two_digits = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The start and end minute of the day of `hh:mm-hh:mm`.
fn parse_backup_window(text: &str) -> Option<(u32, u32)> {
    let (start, end) = text.split_once('-')?;
    Some((parse_time(start)?, parse_time(end)?))
}

/// The start and end minute of the week (Monday 00:00 first) of
/// `ddd:hh:mm-ddd:hh:mm`; day names in any case.
fn parse_maintenance_window(text: &str) -> Option<(u32, u32)> {
    let minute = |part: &str| {
        let (day, time) = part.split_once(':')?;
        let day = WEEKDAYS.iter().position(|d| d.eq_ignore_ascii_case(day))?;
        Some(day as u32 * DAY_MINUTES + parse_time(time)?)
    };
    let (start, end) = text.split_once('-')?;
    Some((minute(start)?, minute(end)?))
}

/// Checks a KMS key ARN, `arn:<partition>:kms:<region>:<account>:key/<id>`.
fn check_kms_key_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok_prefix = |partition: &str, region: &str, account: &str| {
        PARTITIONS.contains(&partition)
            && check_region(region).is_ok()
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
    };
    let id_ok =
        |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if let ["arn", partition, "kms", region, account, resource] = parts[..]
        && ok_prefix(partition, region, account)
    {
        if resource.strip_prefix("key/").is_some_and(id_ok) {
            return Ok(());
        }
        if let Some(alias) = resource.strip_prefix("alias/")
            && !alias.is_empty()
        {
            return Err(format!(
                "{arn:?} is a KMS alias ARN; RDS refuses an alias for storage encryption: give the ARN of the key itself, arn:<partition>:kms:<region>:<account>:key/<key id> (\"aws kms describe-key --key-id alias/{alias}\" shows it)."
            ));
        }
    }
    Err(format!(
        "{arn:?} is not a KMS key ARN; expected arn:<partition>:kms:<region>:<account>:key/<key id>, like \"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\" (partition aws, aws-cn or aws-us-gov)."
    ))
}

/// Whether `name` is 1 to 63 letters, digits and underscores, starting
/// with a letter.
fn is_pg_name(name: &str) -> bool {
    (1..=MAX_PG_NAME).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks the name of the database created in the instance.
fn check_database_name(name: &str) -> Result<(), String> {
    if !is_pg_name(name) {
        return Err(format!(
            "{name:?} is not a valid database name: use 1 to {MAX_PG_NAME} letters, digits and underscores, starting with a letter, like \"todo\"."
        ));
    }
    let folded = name.to_ascii_lowercase();
    if RESERVED_DATABASE_NAMES.contains(&folded.as_str()) {
        return Err(format!(
            "{name:?} is reserved: RDS and PostgreSQL use the names {} themselves; choose another, like \"todo\".",
            one_of(&RESERVED_DATABASE_NAMES)
        ));
    }
    if SQL_RESERVED.contains(&folded.as_str()) {
        return Err(format!(
            "{name:?} is an SQL reserved word in PostgreSQL, which RDS refuses as a database name; choose another, like \"todo\"."
        ));
    }
    Ok(())
}

/// Checks the master user name.
fn check_master_username(name: &str) -> Result<(), String> {
    if !is_pg_name(name) {
        return Err(format!(
            "{name:?} is not a valid master user name: use 1 to {MAX_PG_NAME} letters, digits and underscores, starting with a letter, like \"todo_admin\"."
        ));
    }
    let folded = name.to_ascii_lowercase();
    let why = if folded.starts_with("rds") {
        "RDS reserves names starting with \"rds\" for its own roles (rdsadmin, rds_superuser, ...)"
    } else if folded.starts_with("pg_") {
        "PostgreSQL reserves role names starting with \"pg_\""
    } else if RESERVED_ROLE_NAMES.contains(&folded.as_str()) {
        "PostgreSQL reserves it for a pseudo-role"
    } else if SQL_RESERVED.contains(&folded.as_str()) {
        "it is an SQL reserved word in PostgreSQL"
    } else {
        return Ok(());
    };
    Err(format!(
        "{name:?} cannot be the master user name: {why}; choose another, like \"todo_admin\"."
    ))
}

/// `master_password_wo` (never quoted) and `master_password_wo_version`:
/// a valid password, and both or neither.
fn check_password(database: &Value, path: &AttributePath, r: &mut Report) {
    let password = database.get("master_password_wo");
    let version = database.get("master_password_wo_version");
    let version_path = path.attr("master_password_wo_version");
    if let Some(text) = password.as_str() {
        let mut problems = Vec::new();
        let length = text.chars().count();
        if length < *PASSWORD_LENGTH.start() {
            problems.push(format!(
                "is shorter than {} characters",
                PASSWORD_LENGTH.start()
            ));
        } else if length > *PASSWORD_LENGTH.end() {
            problems.push(format!(
                "is longer than {} characters",
                PASSWORD_LENGTH.end()
            ));
        }
        if text.chars().any(|c| PASSWORD_FORBIDDEN.contains(&c)) {
            problems.push("contains '/', '\"', '@' or a space".to_string());
        }
        if text.chars().any(|c| !c.is_ascii_graphic() && c != ' ') {
            problems.push(
                "contains a character that is not printable ASCII (such as an accented letter, a tab or a line break)"
                    .to_string(),
            );
        }
        if !problems.is_empty() {
            r.error(
                &path.attr("master_password_wo"),
                "Invalid master password",
                format!(
                    "the password {}; RDS needs {} to {} printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)",
                    problems.join(" and "),
                    PASSWORD_LENGTH.start(),
                    PASSWORD_LENGTH.end()
                ),
            );
        }
    }
    match (password, version) {
        (Value::Null, Value::Null | Value::Unknown) => {}
        (Value::Null, _) => r.error(
            &version_path,
            "Password version without a password",
            "set while database.master_password_wo is not: the version only tells the provider when to set that password. Set master_password_wo too, or remove master_password_wo_version to let RDS manage the master password in Secrets Manager.",
        ),
        (_, Value::Null) => r.error(
            &version_path,
            "Password version required",
            "not set while database.master_password_wo is: Terraform keeps no trace of a write-only value, so the provider sets the password when this number changes. Set it (for example to 1) and increase it each time you change master_password_wo.",
        ),
        _ => {
            whole_in(
                version,
                &version_path,
                "Invalid password version",
                0..=i64::MAX,
                "use a whole number of 0 or more, and increase it to rotate the password",
                r,
            );
        }
    }
}

/// `parameters`: PostgreSQL parameter names, non-empty values.
fn check_parameters(value: &Value, path: &AttributePath, r: &mut Report) {
    let Value::Map(parameters) = value else {
        return;
    };
    for (name, value) in parameters {
        let at = path.key(name);
        let name_ok = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !name_ok {
            r.error(
                &at,
                "Invalid parameter name",
                format!(
                    "{name:?} is not a PostgreSQL parameter name: use lowercase letters, digits, underscores and dots, starting with a letter, like \"log_min_duration_statement\" or \"rds.force_ssl\"."
                ),
            );
        }
        if value.as_str() == Some("") {
            r.error(
                &at,
                "Empty parameter value",
                "the value is empty; give the parameter a value, or remove it to keep the engine's default.",
            );
        }
    }
}

/// `allowed_cidrs`: IPv4 networks, each once; a warning for 0.0.0.0/0.
fn check_allowed_cidrs(value: &Value, path: &AttributePath, r: &mut Report) {
    check_list(
        value,
        path,
        ("Invalid allowed CIDR", "Duplicate allowed CIDR", "CIDR"),
        |text| match text.parse::<Ipv4Net>() {
            Ok(net) if net.network() == net.addr() => Ok(()),
            Ok(net) => Err(format!(
                "{text:?} has host bits set; did you mean \"{}\"?",
                net.trunc()
            )),
            Err(_) => Err(format!(
                "{text:?} is not an IPv4 CIDR block like \"10.1.0.0/16\" or \"192.0.2.10/32\"."
            )),
        },
        r,
    );
    let Value::List(items) = value else { return };
    for (i, item) in items.iter().enumerate() {
        if item.as_str() == Some("0.0.0.0/0") {
            r.warning(
                &path.index(i as i64),
                "Database open to every address",
                "\"0.0.0.0/0\" admits every IPv4 address on port 5432. The database is in private subnets, so only networks routed into the VPC reach it, but all of them would (peered VPCs, VPN, Transit Gateway); list the ranges that need the database instead.",
            );
        }
    }
}

/// `replicas`: at most 15, valid keys, instance classes and zones (one of
/// the stack's zones when they are named).
fn check_replicas(
    database: &Value,
    network: &Value,
    name: &Value,
    path: &AttributePath,
    r: &mut Report,
) {
    let Value::Map(replicas) = database.get("replicas") else {
        return;
    };
    let rpath = path.attr("replicas");
    if replicas.len() > MAX_REPLICAS {
        r.error(
            &rpath,
            "Too many read replicas",
            format!(
                "{} replicas; RDS allows at most {MAX_REPLICAS} read replicas per source instance.",
                replicas.len()
            ),
        );
    }
    // The stack's zones, when named and all known.
    let zones: Option<Vec<&str>> = match network.get("availability_zones") {
        Value::List(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    for (key, replica) in replicas {
        let at = rpath.key(key);
        if let Err(why) = check_replica_key(key) {
            r.error(&at, "Invalid replica name", why);
        } else if let Some(stack) = name.as_str()
            && stack.len() + key.len() + REPLICA_ID_EXTRA > MAX_DB_IDENTIFIER
        {
            r.error(
                &at,
                "Replica name too long",
                format!(
                    "{key:?} makes the replica's RDS identifier \"{stack}-{key}-<6 hex>\" {} characters long; RDS allows {MAX_DB_IDENTIFIER}: use at most {} characters for a replica of the stack {stack:?}.",
                    stack.len() + key.len() + REPLICA_ID_EXTRA,
                    MAX_DB_IDENTIFIER.saturating_sub(stack.len() + REPLICA_ID_EXTRA)
                ),
            );
        }
        if let Some(class) = replica.get("instance_class").as_str()
            && let Err(why) = check_instance_class(class)
        {
            r.error(&at.attr("instance_class"), "Invalid instance class", why);
        }
        let Some(zone) = replica.get("availability_zone").as_str() else {
            continue;
        };
        let zpath = at.attr("availability_zone");
        if !is_zone_name(zone) {
            r.error(
                &zpath,
                "Invalid availability zone",
                format!("{zone:?} is not an availability zone name like \"us-east-1a\"."),
            );
        } else if let Some(zones) = &zones
            && !zones.contains(&zone)
        {
            let mut listed: Vec<&str> = Vec::new();
            for z in zones {
                if !listed.contains(z) {
                    listed.push(z);
                }
            }
            r.error(
                &zpath,
                "Replica outside the stack's zones",
                format!(
                    "{zone:?} is not one of the stack's zones (network.availability_zones); use {}, or omit it to spread the replicas over them.",
                    one_of(&listed)
                ),
            );
        }
    }
}

/// The smallest storage autoscaling ceiling RDS accepts for `gib` of
/// storage: 10% above it.
pub(super) fn min_ceiling(gib: i64) -> i64 {
    gib + (gib + 9) / 10
}

/// Checks a replica's key: part of its RDS identifier.
fn check_replica_key(key: &str) -> Result<(), String> {
    let ok = (1..=MAX_REPLICA_KEY).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !key.ends_with('-')
        && !key.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{key:?} is not a valid replica name: use 1 to {MAX_REPLICA_KEY} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it becomes part of the replica's RDS identifier)."
        ))
    }
}

/// Checks an S3 general purpose bucket name.
fn check_bucket_name(name: &str) -> Result<(), String> {
    let length = name.chars().count();
    if !(3..=63).contains(&length) {
        return Err(format!(
            "{name:?} is {length} characters long; a bucket name is 3 to 63 characters."
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'))
    {
        return Err(format!(
            "{name:?} contains {c:?}; a bucket name uses only lowercase letters, digits, dots and hyphens."
        ));
    }
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !name.starts_with(edge) || !name.ends_with(edge) {
        return Err(format!(
            "{name:?} must start and end with a lowercase letter or digit."
        ));
    }
    if name.contains("..") {
        return Err(format!(
            "{name:?} has two adjacent dots; S3 does not allow them."
        ));
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() == 4 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return Err(format!(
            "{name:?} is formatted as an IP address, which S3 does not allow as a bucket name."
        ));
    }
    if let Some(prefix) = BUCKET_PREFIXES.iter().find(|p| name.starts_with(*p)) {
        return Err(format!(
            "{name:?} starts with {prefix:?}, a prefix S3 reserves (reserved prefixes: {}).",
            one_of(&BUCKET_PREFIXES)
        ));
    }
    if let Some(suffix) = BUCKET_SUFFIXES.iter().find(|s| name.ends_with(*s)) {
        return Err(format!(
            "{name:?} ends with {suffix:?}, a suffix S3 reserves for access point aliases, Object Lambda, Multi-Region Access Points and directory buckets (reserved suffixes: {}).",
            one_of(&BUCKET_SUFFIXES)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::validate_stack_config;
    use super::*;
    use tfplugin::{Diagnostic, Number, PathStep, Severity};

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn number(n: i64) -> Value {
        Value::Number(Number::Int(n))
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| s(i)).collect())
    }

    /// A good stack (zones us-east-1a and us-east-1b) with `database` and
    /// `storage`.
    fn stack(database: Value, storage: Value) -> Value {
        obj(vec![
            ("name", s("todo-prod")),
            (
                "network",
                obj(vec![
                    ("cidr_block", s("10.0.0.0/16")),
                    ("availability_zones", list(&["us-east-1a", "us-east-1b"])),
                ]),
            ),
            ("database", database),
            ("storage", storage),
        ])
    }

    /// A stack whose database has these attributes (the others default).
    fn db(attrs: Vec<(&str, Value)>) -> Value {
        stack(obj(attrs), Value::Null)
    }

    /// A stack whose storage has these attributes.
    fn st(attrs: Vec<(&str, Value)>) -> Value {
        stack(Value::Null, obj(attrs))
    }

    fn lifecycle(attr: &str, days: i64) -> Value {
        st(vec![("lifecycle", obj(vec![(attr, number(days))]))])
    }

    fn diagnostics(v: &Value) -> Vec<Diagnostic> {
        validate_stack_config(v).0
    }

    #[track_caller]
    fn clean(v: &Value) {
        let found = diagnostics(v);
        assert!(found.is_empty(), "expected no diagnostic, got {found:#?}");
    }

    /// Asserts that `v` has exactly one diagnostic, of `severity`, whose
    /// detail starts with `start`.
    #[track_caller]
    fn one(v: &Value, severity: Severity, start: &str) {
        let found = diagnostics(v);
        assert!(
            found.len() == 1 && found[0].severity == severity && found[0].detail.starts_with(start),
            "expected one {severity:?} starting {start:?}, got {found:#?}"
        );
    }

    #[track_caller]
    fn one_error(v: &Value, start: &str) {
        one(v, Severity::Error, start);
    }

    #[track_caller]
    fn one_warning(v: &Value, start: &str) {
        one(v, Severity::Warning, start);
    }

    #[test]
    fn a_replica_name_that_makes_too_long_an_identifier_is_refused() {
        // <stack>-<key>-<6 hex> must fit RDS's 63 characters.
        let with = |stack: &str, key: &str| {
            let mut v = db(vec![(
                "replicas",
                Value::Map([(key.to_string(), obj(vec![]))].into()),
            )]);
            if let Value::Object(m) = &mut v {
                m.insert("name".into(), s(stack));
            }
            v
        };
        let key = "r".repeat(40);
        clean(&with("todo-prod", &key));
        clean(&with(&"t".repeat(15), &key));
        one_error(
            &with(&"t".repeat(16), &key),
            &format!(
                "database.replicas[\"{key}\"]: {key:?} makes the replica's RDS identifier \"{}-{key}-<6 hex>\" 64 characters long; RDS allows 63: use at most 39 characters",
                "t".repeat(16)
            ),
        );
    }

    /// Every attribute of both set, and set well.
    fn full() -> Value {
        stack(
            obj(vec![
                ("engine_version", s("16.4")),
                ("instance_class", s("db.r6g.large")),
                ("allocated_storage", number(500)),
                ("max_allocated_storage", number(1000)),
                ("storage_type", s("gp3")),
                ("iops", number(12000)),
                ("multi_az", Value::Bool(true)),
                (
                    "kms_key_arn",
                    s(
                        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    ),
                ),
                ("backup_retention_days", number(14)),
                ("backup_window", s("23:30-00:30")),
                ("maintenance_window", s("Sat:01:00-sat:02:00")),
                ("cloudwatch_logs_exports", list(&["postgresql", "upgrade"])),
                ("performance_insights", Value::Bool(true)),
                ("deletion_protection", Value::Bool(true)),
                ("skip_final_snapshot", Value::Bool(true)),
                ("database_name", s("todo_app")),
                ("master_username", s("todo_admin")),
                ("master_password_wo", s("Correct-Horse_Battery#9")),
                ("master_password_wo_version", number(1)),
                (
                    "parameters",
                    map(vec![
                        ("log_min_duration_statement", s("500")),
                        ("rds.force_ssl", s("1")),
                    ]),
                ),
                ("allowed_cidrs", list(&["10.1.0.0/16", "192.0.2.10/32"])),
                ("apply_immediately", Value::Bool(false)),
                ("allow_replacement", Value::Bool(false)),
                (
                    "replicas",
                    map(vec![
                        (
                            "r1",
                            obj(vec![
                                ("instance_class", s("db.m7g.2xlarge")),
                                ("availability_zone", s("us-east-1b")),
                                ("performance_insights", Value::Bool(false)),
                            ]),
                        ),
                        ("reporting-2", obj(vec![])),
                    ]),
                ),
                ("endpoint", Value::Null),
                ("arn", Value::Null),
            ]),
            obj(vec![
                ("bucket_name", s("todo-prod-assets-123456789012")),
                ("force_destroy", Value::Bool(false)),
                (
                    "lifecycle",
                    obj(vec![
                        ("noncurrent_version_expiration_days", number(90)),
                        ("transition_to_ia_days", number(30)),
                        ("abort_incomplete_multipart_upload_days", number(0)),
                    ]),
                ),
                ("bucket_arn", Value::Null),
            ]),
        )
    }

    #[test]
    fn good_and_default_configs_pass_and_unknowns_are_skipped() {
        clean(&full());
        clean(&db(vec![]));
        clean(&st(vec![]));
        clean(&stack(Value::Unknown, Value::Unknown));
        let Value::Object(mut config) = full() else {
            unreachable!()
        };
        for part in ["database", "storage"] {
            let Value::Object(attrs) = config.get_mut(part).unwrap() else {
                unreachable!()
            };
            for value in attrs.values_mut() {
                *value = Value::Unknown;
            }
        }
        clean(&Value::Object(config));
        // Unknown pieces inside collections, and unknowns a rule depends on.
        clean(&db(vec![
            ("cloudwatch_logs_exports", Value::List(vec![Value::Unknown])),
            ("allowed_cidrs", Value::List(vec![Value::Unknown])),
            ("parameters", map(vec![("work_mem", Value::Unknown)])),
            ("replicas", map(vec![("r1", Value::Unknown)])),
            ("storage_type", Value::Unknown),
            ("iops", number(5)),
            ("allocated_storage", Value::Unknown),
            ("max_allocated_storage", number(30)),
            ("backup_window", Value::Unknown),
            ("maintenance_window", s("sun:03:00-sun:04:00")),
            ("master_password_wo", Value::Unknown),
            ("master_password_wo_version", number(1)),
        ]));
    }

    #[test]
    fn diagnostics_point_at_the_top_level_attribute() {
        let cases = [
            db(vec![(
                "replicas",
                map(vec![("r1", obj(vec![("availability_zone", s("mars"))]))]),
            )]),
            db(vec![("parameters", map(vec![("Work-Mem", s("4MB"))]))]),
            db(vec![("allowed_cidrs", list(&["0.0.0.0/0"]))]),
            st(vec![(
                "lifecycle",
                obj(vec![("transition_to_ia_days", number(5))]),
            )]),
        ];
        for case in cases {
            let found = diagnostics(&case);
            assert_eq!(found.len(), 1, "{found:#?}");
            let d = &found[0];
            let attribute = d.attribute.clone().expect("a path");
            assert!(
                matches!(attribute.steps(), [PathStep::Attribute(a)] if a == "database" || a == "storage"),
                "{d:#?}"
            );
            assert!(d.detail.starts_with(&format!("{attribute}.")), "{d:#?}");
        }
    }

    #[test]
    fn engine_version_and_instance_class() {
        for good in ["13", "16", "16.4", "17.10", "15.0"] {
            clean(&db(vec![("engine_version", s(good))]));
        }
        for bad in ["16.4.1", "v16", "16.", "016", "sixteen", "", "16.123"] {
            one_error(
                &db(vec![("engine_version", s(bad))]),
                &format!(
                    "database.engine_version: {bad:?} is not a PostgreSQL version of the form \"NN\" or \"NN.N\""
                ),
            );
        }
        for unsupported in ["12", "12.22", "18", "9"] {
            one_error(
                &db(vec![("engine_version", s(unsupported))]),
                &format!(
                    "database.engine_version: {unsupported:?} is not supported; use a PostgreSQL major version from 13 to 17"
                ),
            );
        }
        for good in [
            "db.t4g.micro",
            "db.t4g.medium",
            "db.r6g.large",
            "db.m7g.2xlarge",
            "db.x2iedn.24xlarge",
            "db.r6gd.xlarge",
            "db.m5.metal",
        ] {
            clean(&db(vec![("instance_class", s(good))]));
        }
        for bad in [
            "t4g.medium",
            "db.T4g.medium",
            "db.t4g.Medium",
            "db.t4g",
            "db.tg.medium",
            "db.4g.medium",
            "db.t4g.huge",
            "db.t4g.0xlarge",
            "db.t4g.xlarge2",
            "db.r5.large.tpc1.mem2x",
        ] {
            one_error(
                &db(vec![("instance_class", s(bad))]),
                &format!(
                    "database.instance_class: {bad:?} is not a DB instance class of the form db.<family>.<size> (lowercase), like \"db.t4g.medium\""
                ),
            );
        }
    }

    #[test]
    fn storage_sizes_and_types() {
        for good in [20, 400, 65536] {
            clean(&db(vec![("allocated_storage", number(good))]));
        }
        for bad in [0, 19, 65537] {
            one_error(
                &db(vec![("allocated_storage", number(bad))]),
                &format!(
                    "database.allocated_storage: {bad} is out of range: RDS for PostgreSQL storage is 20 to 65536 GiB"
                ),
            );
        }
        one_error(
            &db(vec![
                ("storage_type", s("io1")),
                ("allocated_storage", number(50)),
                ("iops", number(1000)),
            ]),
            "database.allocated_storage: 50 GiB is too small for io1 storage: Provisioned IOPS volumes are 100 to 65536 GiB.",
        );
        one_error(
            &db(vec![("storage_type", s("io2")), ("iops", number(1000))]),
            "database.allocated_storage: not set (default 20 GiB) is too small for io2 storage",
        );
        one_error(
            &db(vec![("storage_type", s("standard"))]),
            "database.storage_type: \"standard\" is not \"gp2\", \"gp3\", \"io1\" or \"io2\"",
        );
        clean(&db(vec![("storage_type", s("gp2"))]));
        // Storage autoscaling: off, or a ceiling from allocated_storage on.
        for (allocated, max) in [(100, 0), (100, 110), (100, 65536), (20, 22)] {
            clean(&db(vec![
                ("allocated_storage", number(allocated)),
                ("max_allocated_storage", number(max)),
            ]));
        }
        one_error(
            &db(vec![
                ("allocated_storage", number(200)),
                ("max_allocated_storage", number(150)),
            ]),
            "database.max_allocated_storage: 150 GiB is too close to allocated_storage 200 GiB: RDS wants a storage autoscaling ceiling at least 10% above the allocated storage. Use 0 to turn autoscaling off, or a ceiling from 220 to 65536 GiB.",
        );
        one_error(
            &db(vec![("max_allocated_storage", number(10))]),
            "database.max_allocated_storage: 10 GiB is too close to the default allocated_storage 20 GiB:",
        );
        for bad in [-1, 65537] {
            one_error(
                &db(vec![("max_allocated_storage", number(bad))]),
                &format!(
                    "database.max_allocated_storage: {bad} is out of range: use 0 to turn storage autoscaling off"
                ),
            );
        }
    }

    #[test]
    fn iops_follow_the_storage_type() {
        let with = |storage_type: &str, gib: i64, iops: Value| {
            db(vec![
                ("storage_type", s(storage_type)),
                ("allocated_storage", number(gib)),
                ("iops", iops),
            ])
        };
        clean(&with("io1", 100, number(1000)));
        clean(&with("io1", 1000, number(50000)));
        clean(&with("io2", 256, number(256000)));
        clean(&with("gp3", 400, number(12000)));
        clean(&with("gp3", 1000, number(64000)));
        clean(&with("gp3", 20, Value::Null));
        one_error(
            &with("io1", 100, Value::Null),
            "database.iops: not set, but io1 storage is Provisioned IOPS storage: set iops from 1000 to 256000.",
        );
        one_error(
            &with("io2", 100, number(999)),
            "database.iops: 999 is out of range: io2 storage takes 1000 to 256000 IOPS.",
        );
        one_error(
            &with("io1", 100, number(6000)),
            "database.iops: 6000 IOPS for 100 GiB of io1 storage is out of proportion: RDS needs 0.5 to 50 IOPS per GiB, here 1000 to 5000.",
        );
        one_error(
            &with("gp2", 100, number(3000)),
            "database.iops: gp2 storage has no provisioned IOPS",
        );
        one_error(
            &with("gp3", 399, number(3000)),
            "database.iops: gp3 storage below 400 GiB has a fixed baseline of 3000 IOPS that cannot be set (allocated_storage is 399 GiB); remove iops, or set allocated_storage to 400 GiB or more to provision 12000 to 64000 IOPS.",
        );
        // gp3 is the default type, 20 GiB the default size.
        one_error(
            &db(vec![("iops", number(3000))]),
            "database.iops: gp3 storage below 400 GiB has a fixed baseline",
        );
        one_error(
            &with("gp3", 400, number(64001)),
            "database.iops: 64001 is out of range: gp3 storage of 400 GiB or more takes 12000 (its baseline) to 64000 IOPS.",
        );
    }

    #[test]
    fn backup_retention_and_window_formats() {
        for good in [1, 35] {
            clean(&db(vec![("backup_retention_days", number(good))]));
        }
        for bad in [0, 36] {
            one_error(
                &db(vec![("backup_retention_days", number(bad))]),
                &format!(
                    "database.backup_retention_days: {bad} is out of range: keep automated backups 1 to 35 days"
                ),
            );
        }
        for good in ["00:00-00:30", "22:00-23:59", "23:45-00:15"] {
            clean(&db(vec![("backup_window", s(good))]));
        }
        for bad in [
            "3:00-4:00",
            "03:00",
            "24:00-01:00",
            "03:60-04:30",
            "03:00 - 04:00",
        ] {
            one_error(
                &db(vec![("backup_window", s(bad))]),
                &format!(
                    "database.backup_window: {bad:?} is not a daily window of the form \"hh:mm-hh:mm\" (UTC, 24-hour clock)"
                ),
            );
        }
        one_error(
            &db(vec![("backup_window", s("23:50-00:10"))]),
            "database.backup_window: \"23:50-00:10\" lasts 20 minutes; a backup window lasts at least 30 minutes.",
        );
        one_error(
            &db(vec![("backup_window", s("02:00-02:00"))]),
            "database.backup_window: \"02:00-02:00\" lasts 0 minutes;",
        );
        for good in [
            "mon:00:00-mon:00:30",
            "SUN:23:00-Mon:01:00",
            "tue:10:00-wed:02:00",
        ] {
            clean(&db(vec![("maintenance_window", s(good))]));
        }
        for bad in [
            "sun:05:00",
            "sunday:05:00-sunday:06:00",
            "sun:5:00-sun:6:00",
            "05:00-06:00",
            "sun:05:00-xyz:06:00",
        ] {
            one_error(
                &db(vec![("maintenance_window", s(bad))]),
                &format!(
                    "database.maintenance_window: {bad:?} is not a weekly window of the form \"ddd:hh:mm-ddd:hh:mm\" (UTC, days mon, tue, wed, thu, fri, sat, sun)"
                ),
            );
        }
        one_error(
            &db(vec![("maintenance_window", s("sun:23:50-mon:00:10"))]),
            "database.maintenance_window: \"sun:23:50-mon:00:10\" lasts 20 minutes; a maintenance window lasts at least 30 minutes.",
        );
    }

    #[test]
    fn backup_and_maintenance_windows_do_not_overlap() {
        let windows = |backup: &str, maintenance: &str| {
            db(vec![
                ("backup_window", s(backup)),
                ("maintenance_window", s(maintenance)),
            ])
        };
        // Touching windows are apart.
        clean(&windows("03:00-04:00", "sun:04:00-sun:05:00"));
        clean(&windows("03:00-04:00", "mon:04:00-tue:03:00"));
        one_error(
            &windows("03:00-04:00", "wed:03:30-wed:05:00"),
            "database.backup_window: \"03:00-04:00\" overlaps database.maintenance_window \"wed:03:30-wed:05:00\" from wed 03:30 UTC (the backup window recurs daily); RDS needs the two windows apart: move one of them.",
        );
        // A backup window across midnight, a maintenance window across the
        // end of the week.
        one_error(
            &windows("23:30-00:30", "sun:22:00-mon:00:10"),
            "database.backup_window: \"23:30-00:30\" overlaps database.maintenance_window \"sun:22:00-mon:00:10\" from sun 23:30 UTC",
        );
        one_error(
            &windows("23:30-00:30", "mon:00:20-mon:01:00"),
            "database.backup_window: \"23:30-00:30\" overlaps database.maintenance_window \"mon:00:20-mon:01:00\" from mon 00:20 UTC",
        );
        // A maintenance window longer than a day meets every backup window.
        one_error(
            &windows("12:00-12:30", "mon:13:00-tue:13:00"),
            "database.backup_window: \"12:00-12:30\" overlaps database.maintenance_window \"mon:13:00-tue:13:00\" from tue 12:00 UTC",
        );
        // One given: checked against the other's default.
        one_error(
            &db(vec![("maintenance_window", s("fri:03:00-fri:03:30"))]),
            "database.maintenance_window: \"fri:03:00-fri:03:30\" overlaps the default daily backup window \"03:00-04:00\" (database.backup_window) from fri 03:00 UTC; RDS needs the two windows apart: move the maintenance window, or set database.backup_window.",
        );
        one_error(
            &db(vec![("backup_window", s("05:30-06:30"))]),
            "database.backup_window: \"05:30-06:30\" overlaps the default maintenance window \"sun:05:00-sun:06:00\" (database.maintenance_window) from sun 05:30 UTC; RDS needs the two windows apart: move the backup window, or set database.maintenance_window.",
        );
        clean(&db(vec![("backup_window", s("06:00-07:00"))]));
    }

    #[test]
    fn log_exports_are_known_and_listed_once() {
        let logs = |items: &[&str]| db(vec![("cloudwatch_logs_exports", list(items))]);
        clean(&logs(&[]));
        clean(&logs(&["upgrade"]));
        one_error(
            &logs(&["postgresql", "slowquery"]),
            "database.cloudwatch_logs_exports[1]: \"slowquery\" is not a log type RDS for PostgreSQL exports; use \"postgresql\" or \"upgrade\".",
        );
        one_error(
            &logs(&["upgrade", "postgresql", "upgrade"]),
            "database.cloudwatch_logs_exports[2]: \"upgrade\" is listed twice",
        );
    }

    #[test]
    fn kms_key_is_a_key_arn_not_an_alias() {
        let key = |arn: &str| db(vec![("kms_key_arn", s(arn))]);
        for good in [
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
            "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            clean(&key(good));
        }
        one_error(
            &key("arn:aws:kms:us-east-1:123456789012:alias/todo"),
            "database.kms_key_arn: \"arn:aws:kms:us-east-1:123456789012:alias/todo\" is a KMS alias ARN; RDS refuses an alias for storage encryption",
        );
        for bad in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/todo",
            "arn:aws:kms:us-east-1:12345678901:key/abcd",
            "arn:aws:kms::123456789012:key/abcd",
            "arn:aws:kms:us-east-1:123456789012:key/",
            "arn:aws:iam::123456789012:role/todo",
            "arn:aws-eu:kms:us-east-1:123456789012:key/abcd",
            "arn:aws:kms:us-east-1:123456789012:key/ab/cd",
        ] {
            one_error(
                &key(bad),
                &format!("database.kms_key_arn: {bad:?} is not a KMS key ARN; expected"),
            );
        }
    }

    #[test]
    fn database_and_master_user_names() {
        for good in ["todo", "T", "app_2", &"a".repeat(63)] {
            clean(&db(vec![("database_name", s(good))]));
        }
        for bad in ["", "_todo", "2fa", "todo-app", "todo app", &"a".repeat(64)] {
            one_error(
                &db(vec![("database_name", s(bad))]),
                &format!(
                    "database.database_name: {bad:?} is not a valid database name: use 1 to 63 letters, digits and underscores, starting with a letter"
                ),
            );
        }
        for reserved in ["postgres", "Template1", "rdsadmin", "public"] {
            one_error(
                &db(vec![("database_name", s(reserved))]),
                &format!(
                    "database.database_name: {reserved:?} is reserved: RDS and PostgreSQL use the names"
                ),
            );
        }
        for word in ["select", "USER", "table", "default"] {
            one_error(
                &db(vec![("database_name", s(word))]),
                &format!("database.database_name: {word:?} is an SQL reserved word in PostgreSQL"),
            );
        }
        for good in ["todo_admin", "postgres", "admin", "a", "pgadmin"] {
            clean(&db(vec![("master_username", s(good))]));
        }
        for bad in ["", "1admin", "todo-admin", "_admin", &"u".repeat(64)] {
            one_error(
                &db(vec![("master_username", s(bad))]),
                &format!(
                    "database.master_username: {bad:?} is not a valid master user name: use 1 to 63 letters"
                ),
            );
        }
        for (reserved, why) in [
            (
                "rdsadmin",
                "RDS reserves names starting with \"rds\" for its own roles (rdsadmin, rds_superuser, ...)",
            ),
            (
                "rds_superuser",
                "RDS reserves names starting with \"rds\" for its own roles (rdsadmin, rds_superuser, ...)",
            ),
            (
                "pg_monitor",
                "PostgreSQL reserves role names starting with \"pg_\"",
            ),
            ("public", "PostgreSQL reserves it for a pseudo-role"),
            ("user", "it is an SQL reserved word in PostgreSQL"),
        ] {
            one_error(
                &db(vec![("master_username", s(reserved))]),
                &format!(
                    "database.master_username: {reserved:?} cannot be the master user name: {why}; choose another"
                ),
            );
        }
    }

    #[test]
    fn password_rules_and_its_version() {
        let pw = |password: &str| {
            db(vec![
                ("master_password_wo", s(password)),
                ("master_password_wo_version", number(1)),
            ])
        };
        clean(&pw("abcdefgh"));
        clean(&pw(&"x".repeat(128)));
        clean(&pw("!#$%&'()*+,-.:;<=>?[\\]^_`{|}~09Az"));
        let rule = "; RDS needs 8 to 128 printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)";
        for (bad, problem) in [
            ("short", "is shorter than 8 characters"),
            (&"x".repeat(129) as &str, "is longer than 128 characters"),
            ("abc/defgh", "contains '/', '\"', '@' or a space"),
            ("abc\"defgh", "contains '/', '\"', '@' or a space"),
            ("abc@defgh", "contains '/', '\"', '@' or a space"),
            ("abc defgh", "contains '/', '\"', '@' or a space"),
            (
                "abcdéfgh",
                "contains a character that is not printable ASCII",
            ),
            (
                "abc\tdefgh",
                "contains a character that is not printable ASCII",
            ),
            (
                "a@b",
                "is shorter than 8 characters and contains '/', '\"', '@' or a space",
            ),
        ] {
            one_error(
                &pw(bad),
                &format!("database.master_password_wo: the password {problem}"),
            );
        }
        assert!(diagnostics(&pw("short"))[0].detail.ends_with(rule));
        one_error(
            &db(vec![("master_password_wo", s("abcdefgh"))]),
            "database.master_password_wo_version: not set while database.master_password_wo is: Terraform keeps no trace of a write-only value",
        );
        one_error(
            &db(vec![("master_password_wo", Value::Unknown)]),
            "database.master_password_wo_version: not set while database.master_password_wo is",
        );
        one_error(
            &db(vec![("master_password_wo_version", number(2))]),
            "database.master_password_wo_version: set while database.master_password_wo is not",
        );
        one_error(
            &db(vec![
                ("master_password_wo", s("abcdefgh")),
                ("master_password_wo_version", number(-1)),
            ]),
            "database.master_password_wo_version: -1 is out of range: use a whole number of 0 or more",
        );
    }

    #[test]
    fn the_password_never_appears_in_a_diagnostic() {
        for secret in [
            "Sh0rt!",
            "tooLongSecret-ZQX".repeat(10).as_str(),
            "has/slash-Secret-ZQX",
            "has@at-Secret-ZQX",
            "has space-Secret-ZQX",
            "has\"quote-Secret-ZQX",
            "naïve-Secret-ZQX",
            "valid-Secret-ZQX",
        ] {
            // With a bad version too, and everything else wrong, so that as
            // many checks as possible speak.
            let v = db(vec![
                ("master_password_wo", s(secret)),
                ("master_password_wo_version", number(-3)),
                ("master_username", s(secret)),
                ("database_name", s("select")),
                ("parameters", map(vec![("work_mem", s(""))])),
            ]);
            let found = diagnostics(&v);
            assert!(found.len() >= 3, "{found:#?}");
            // The user name is the password here: only its own check may
            // quote it, never a check of the password.
            for d in found
                .iter()
                .filter(|d| !d.detail.starts_with("database.master_username: "))
            {
                for text in [&d.summary, &d.detail] {
                    assert!(!text.contains(secret), "{d:#?}");
                    assert!(
                        !text.contains("Secret-ZQX") && !text.contains("Sh0rt"),
                        "{d:#?}"
                    );
                }
            }
        }
    }

    #[test]
    fn parameters_have_names_and_values() {
        clean(&db(vec![(
            "parameters",
            map(vec![
                ("shared_preload_libraries", s("pg_stat_statements")),
                ("pg_stat_statements.track", s("all")),
                ("rds.force_ssl", s("1")),
            ]),
        )]));
        for bad in ["", "Work_Mem", "work-mem", "1work", "_work", "work mem"] {
            one_error(
                &db(vec![("parameters", map(vec![(bad, s("4MB"))]))]),
                &format!(
                    "database.parameters[{bad:?}]: {bad:?} is not a PostgreSQL parameter name: use lowercase letters, digits, underscores and dots, starting with a letter"
                ),
            );
        }
        one_error(
            &db(vec![("parameters", map(vec![("work_mem", s(""))]))]),
            "database.parameters[\"work_mem\"]: the value is empty",
        );
    }

    #[test]
    fn allowed_cidrs_are_ipv4_networks_and_the_internet_is_warned_about() {
        let cidrs = |items: &[&str]| db(vec![("allowed_cidrs", list(items))]);
        clean(&cidrs(&["10.1.0.0/16", "192.0.2.10/32", "172.16.0.0/12"]));
        one_error(
            &cidrs(&["10.1.2.3/16"]),
            "database.allowed_cidrs[0]: \"10.1.2.3/16\" has host bits set; did you mean \"10.1.0.0/16\"?",
        );
        for bad in ["10.1.0.0", "10.1.0.0/33", "2001:db8::/32", "office"] {
            one_error(
                &cidrs(&["10.0.0.0/8", bad]),
                &format!("database.allowed_cidrs[1]: {bad:?} is not an IPv4 CIDR block"),
            );
        }
        one_error(
            &cidrs(&["10.1.0.0/16", "10.2.0.0/16", "10.1.0.0/16"]),
            "database.allowed_cidrs[2]: \"10.1.0.0/16\" is listed twice",
        );
        one_warning(
            &cidrs(&["10.1.0.0/16", "0.0.0.0/0"]),
            "database.allowed_cidrs[1]: \"0.0.0.0/0\" admits every IPv4 address on port 5432.",
        );
    }

    #[test]
    fn replicas_names_classes_zones_and_count() {
        let replica = |key: &str, attrs: Vec<(&str, Value)>| {
            db(vec![("replicas", map(vec![(key, obj(attrs))]))])
        };
        for good in ["r1", "reporting", "eu-reader-2", &"r".repeat(40)] {
            clean(&replica(good, vec![]));
        }
        for bad in ["", "1r", "R1", "r_1", "r--1", "r1-", "-r1", &"r".repeat(41)] {
            one_error(
                &replica(bad, vec![]),
                &format!(
                    "database.replicas[{bad:?}]: {bad:?} is not a valid replica name: use 1 to 40 lowercase letters, digits and single hyphens"
                ),
            );
        }
        one_error(
            &replica("r1", vec![("instance_class", s("r6g.large"))]),
            "database.replicas[\"r1\"].instance_class: \"r6g.large\" is not a DB instance class",
        );
        clean(&replica("r1", vec![("availability_zone", s("us-east-1a"))]));
        one_error(
            &replica("r1", vec![("availability_zone", s("us-east-1c"))]),
            "database.replicas[\"r1\"].availability_zone: \"us-east-1c\" is not one of the stack's zones (network.availability_zones); use \"us-east-1a\" or \"us-east-1b\", or omit it to spread the replicas over them.",
        );
        one_error(
            &replica("r1", vec![("availability_zone", s("east"))]),
            "database.replicas[\"r1\"].availability_zone: \"east\" is not an availability zone name like \"us-east-1a\".",
        );
        // Counted zones: the names are not known, only the form is checked.
        let counted = obj(vec![
            ("name", s("todo-prod")),
            (
                "network",
                obj(vec![
                    ("cidr_block", s("10.0.0.0/16")),
                    ("availability_zone_count", number(3)),
                ]),
            ),
            (
                "database",
                obj(vec![(
                    "replicas",
                    map(vec![(
                        "r1",
                        obj(vec![("availability_zone", s("eu-west-1c"))]),
                    )]),
                )]),
            ),
        ]);
        clean(&counted);
        let replicas = |n: usize| {
            db(vec![(
                "replicas",
                Value::Map((0..n).map(|i| (format!("r{i}"), obj(vec![]))).collect()),
            )])
        };
        clean(&replicas(15));
        one_error(
            &replicas(16),
            "database.replicas: 16 replicas; RDS allows at most 15 read replicas per source instance.",
        );
    }

    #[test]
    fn single_az_and_unprotected_deletion_are_warned_about() {
        one_warning(
            &db(vec![("multi_az", Value::Bool(false))]),
            "database.multi_az: false: the primary has no standby in another zone",
        );
        clean(&db(vec![("multi_az", Value::Bool(true))]));
        one_warning(
            &db(vec![
                ("deletion_protection", Value::Bool(false)),
                ("skip_final_snapshot", Value::Bool(true)),
            ]),
            "database.skip_final_snapshot: true while database.deletion_protection is false: destroying the stack, or a change that replaces the primary, deletes the database with no final snapshot",
        );
        // Either one alone, or with the default of the other, is fine.
        clean(&db(vec![("deletion_protection", Value::Bool(false))]));
        clean(&db(vec![("skip_final_snapshot", Value::Bool(true))]));
        clean(&db(vec![
            ("deletion_protection", Value::Bool(false)),
            ("skip_final_snapshot", Value::Unknown),
        ]));
    }

    #[test]
    fn bucket_names() {
        let bucket = |name: &str| st(vec![("bucket_name", s(name))]);
        for good in [
            "abc",
            "todo-prod-123456789012-us-east-1",
            &"b".repeat(63),
            "1bucket",
        ] {
            clean(&bucket(good));
        }
        let at = |name: &str| format!("storage.bucket_name: {name:?}");
        for (bad, problem) in [
            (
                "ab",
                " is 2 characters long; a bucket name is 3 to 63 characters.",
            ),
            (&"b".repeat(64) as &str, " is 64 characters long"),
            (
                "Todo-Assets",
                " contains 'T'; a bucket name uses only lowercase letters, digits, dots and hyphens.",
            ),
            ("todo_assets", " contains '_'"),
            (
                "-todo",
                " must start and end with a lowercase letter or digit.",
            ),
            (
                "todo.",
                " must start and end with a lowercase letter or digit.",
            ),
            ("todo..assets", " has two adjacent dots"),
            ("192.168.5.4", " is formatted as an IP address"),
            ("xn--todo", " starts with \"xn--\", a prefix S3 reserves"),
            ("sthree-todo", " starts with \"sthree-\""),
            ("amzn-s3-demo-todo", " starts with \"amzn-s3-demo-\""),
            (
                "todo-s3alias",
                " ends with \"-s3alias\", a suffix S3 reserves",
            ),
            ("todo--ol-s3", " ends with \"--ol-s3\""),
            ("todo.mrap", " ends with \".mrap\""),
            ("todo--x-s3", " ends with \"--x-s3\""),
        ] {
            one_error(&bucket(bad), &format!("{}{problem}", at(bad)));
        }
        one_warning(
            &bucket("assets.example.com"),
            "storage.bucket_name: \"assets.example.com\" contains dots: HTTPS requests to its virtual-hosted-style address",
        );
    }

    #[test]
    fn lifecycle_days() {
        for attr in [
            "noncurrent_version_expiration_days",
            "transition_to_ia_days",
            "abort_incomplete_multipart_upload_days",
        ] {
            for good in [0, 30, 36500] {
                clean(&lifecycle(attr, good));
            }
            for bad in [-1, 36501] {
                one_error(
                    &lifecycle(attr, bad),
                    &format!(
                        "storage.lifecycle.{attr}: {bad} is out of range: use 0 to turn the rule off, or 1 to 36500 days."
                    ),
                );
            }
        }
        clean(&lifecycle("noncurrent_version_expiration_days", 1));
        clean(&lifecycle("abort_incomplete_multipart_upload_days", 1));
        for soon in [1, 29] {
            one_error(
                &lifecycle("transition_to_ia_days", soon),
                &format!(
                    "storage.lifecycle.transition_to_ia_days: {soon} days is too soon: S3 moves objects to STANDARD_IA no sooner than 30 days after their creation; use 0 (off) or 30 to 36500."
                ),
            );
        }
        clean(&st(vec![("lifecycle", Value::Unknown)]));
    }
}
