//! Planning the data tier: computed values kept where the database and the
//! bucket stay, unknown where they are created, and the refusals that keep
//! people's data from being lost by surprise (a replacement without
//! `allow_replacement`, a removal under deletion protection, shrinking
//! storage, moving a replica).

use tfplugin::AttributePath;

use super::blueprint::{db_identifier, final_snapshot, regional_domain};
use super::model::StackState;
use super::model_data::{DatabaseState, NO_ACCOUNT_FOR_BUCKET, default_bucket_name};
use super::plan::Planned;

fn db_path() -> AttributePath {
    AttributePath::new("database")
}

fn storage_path() -> AttributePath {
    AttributePath::new("storage")
}

/// Plans `database` and `storage` of `p.state` against `prior` (the
/// account names the default bucket; `None`: not known).
pub fn plan_data(
    prior: Option<&StackState>,
    config: &StackState,
    p: &mut Planned,
    account: Option<&str>,
) {
    plan_database(prior, config, p);
    plan_storage(prior, p, account);
}

fn what_replaces(before: &DatabaseState, after: &DatabaseState) -> String {
    let mut what = Vec::new();
    let mut field = |name: &str, a: &Option<String>, b: &Option<String>| {
        if a != b {
            what.push(format!(
                "{name} {} -> {}",
                a.as_deref().unwrap_or("the stack's key"),
                b.as_deref().unwrap_or("the stack's key")
            ));
        }
    };
    field("kms_key_arn", &before.kms_key_arn, &after.kms_key_arn);
    field("database_name", &before.database_name, &after.database_name);
    field(
        "master_username",
        &before.master_username,
        &after.master_username,
    );
    if what.is_empty() {
        "its storage key is replaced".into()
    } else {
        what.join(", ")
    }
}

fn plan_database(prior: Option<&StackState>, config: &StackState, p: &mut Planned) {
    let prior_db = prior
        .and_then(|x| x.database.as_ref())
        .filter(|d| d.arn.is_some());
    let identifier = db_identifier(&p.state);
    let snapshot = final_snapshot(&p.state);
    let sg = p
        .state
        .network
        .security_group_ids
        .as_ref()
        .and_then(|m| m.get("database"))
        .filter(|id| !id.is_empty())
        .cloned();
    let Some(db) = p.state.database.as_mut() else {
        if let Some(pd) = prior_db {
            let old = pd.identifier.as_deref().unwrap_or("?");
            if pd.with_defaults().deletion_protection == Some(true) {
                p.errors.push(format!(
                    "database: removing `database` deletes the PostgreSQL database {old}, and its deletion_protection \
                     is on. To delete it: set database.deletion_protection = false and apply, then remove `database`."
                ));
            }
            p.replaced.push(format!(
                "the PostgreSQL database {old} and its read replicas (database removed from the configuration): \
                 deleted{}",
                match &pd.final_snapshot_identifier {
                    Some(s) => format!(", after the final snapshot {s}"),
                    None => " without a final snapshot (skip_final_snapshot)".into(),
                }
            ));
        }
        return;
    };
    let path = db_path();
    db.identifier = identifier.clone();
    db.final_snapshot_identifier = snapshot.clone();
    if identifier.is_none() {
        p.unknown.push(path.attr("identifier"));
        if db.skip_final_snapshot != Some(true) {
            p.unknown.push(path.attr("final_snapshot_identifier"));
        }
    }
    db.security_group_id = sg;
    if db.security_group_id.is_none() {
        p.unknown.push(path.attr("security_group_id"));
    }
    let all_new = |unknown: &mut Vec<AttributePath>, db: &DatabaseState| {
        for attr in [
            "endpoint",
            "port",
            "arn",
            "master_secret_arn",
            "reader_endpoints",
        ] {
            unknown.push(db_path().attr(attr));
        }
        for name in db.replicas.iter().flatten().map(|(k, _)| k.clone()) {
            unknown.push(db_path().attr("replicas").key(&name).attr("arn"));
        }
    };
    let Some(pd) = prior_db else {
        all_new(&mut p.unknown, db);
        return;
    };
    let pdd = pd.with_defaults();
    let ddd = db.with_defaults();
    if pd.identifier.is_some() && identifier.is_some() && pd.identifier != identifier {
        let what = what_replaces(&pdd, &ddd);
        let old = pd.identifier.as_deref().unwrap_or("?");
        if pdd.skip_final_snapshot != ddd.skip_final_snapshot {
            p.errors.push(format!(
                "database.skip_final_snapshot: changing it in the same apply as a replacement ({what}) would delete {old} \
                 under the old setting; apply the skip_final_snapshot change first, then the replacement."
            ));
        }
        if ddd.allow_replacement != Some(true) {
            p.errors.push(format!(
                "database: this change ({what}) is one RDS makes only by creating a new, empty database: the data of \
                 {old} would not be in it. Revert the change, or set database.allow_replacement = true to create the new \
                 database, and delete {old}{} once the new one is available.",
                match &pd.final_snapshot_identifier {
                    Some(s) => format!(" after its final snapshot {s}"),
                    None => " without a final snapshot".into(),
                }
            ));
        } else if pdd.deletion_protection == Some(true) {
            p.errors.push(format!(
                "database: replacing the database ({what}) deletes {old}, and its deletion_protection is on: set \
                 database.deletion_protection = false and apply first."
            ));
        }
        p.replaced.push(format!(
            "the PostgreSQL database {old} ({what}): a new, empty database {} is created, then {old} is deleted{}",
            identifier.as_deref().unwrap_or("?"),
            match &pd.final_snapshot_identifier {
                Some(s) => format!(" after its final snapshot {s}"),
                None => " without a final snapshot".into(),
            }
        ));
        all_new(&mut p.unknown, db);
        return;
    }
    if let Some(prior) = prior {
        // The database's subnet group can gain subnets, never lose one its
        // instances may run in (RDS refuses: the apply would stop halfway).
        let (before, after) = (&prior.network, &p.state.network);
        let gone: Vec<&String> = before
            .availability_zones
            .iter()
            .filter(|z| !after.availability_zones.contains(z))
            .collect();
        if !gone.is_empty() {
            p.errors.push(format!(
                "network.availability_zones: the database's subnet group uses the private subnets of {}; RDS cannot \
                 take a subnet its primary, standby or replicas may run in out of the group. Keep the zone, or move the \
                 data to a new stack.",
                gone.iter().map(|z| z.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        for zone in &after.availability_zones {
            let cidr = |n: &super::model::NetworkState| {
                n.private_subnet_cidrs
                    .as_ref()
                    .and_then(|m| m.get(zone))
                    .cloned()
            };
            if before.availability_zones.contains(zone) && cidr(before) != cidr(after) {
                p.errors.push(format!(
                    "network.private_subnet_cidrs[\"{zone}\"]: the database's subnet group uses this subnet; replacing \
                     it ({} -> {}) would take it out of the group while RDS may run an instance in it. Keep the CIDR.",
                    cidr(before).unwrap_or_default(),
                    cidr(after).unwrap_or_default()
                ));
            }
        }
    }
    db.arn = pd.arn.clone();
    db.endpoint = pd.endpoint.clone();
    db.port = pd.port;
    if db.endpoint.is_none() {
        p.unknown.push(path.attr("endpoint"));
    }
    if db.port.is_none() {
        p.unknown.push(path.attr("port"));
    }
    let was_given = pd.master_password_wo_version.is_some();
    let given = db.master_password_wo_version.is_some();
    if was_given == given && pd.master_secret_arn.is_some() {
        db.master_secret_arn = pd.master_secret_arn.clone();
    } else {
        p.unknown.push(path.attr("master_secret_arn"));
    }
    if pdd.allocated_storage > ddd.allocated_storage {
        p.errors.push(format!(
            "database.allocated_storage: RDS cannot shrink storage ({} -> {} GiB); keep {} or more.",
            pdd.allocated_storage.unwrap_or_default(),
            ddd.allocated_storage.unwrap_or_default(),
            pdd.allocated_storage.unwrap_or_default()
        ));
    }
    let (old_v, new_v) = (
        pdd.engine_version.clone().unwrap_or_default(),
        ddd.engine_version.clone().unwrap_or_default(),
    );
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u32>().ok());
    if let (Some(a), Some(b)) = (major(&old_v), major(&new_v))
        && b < a
    {
        p.errors.push(format!(
            "database.engine_version: RDS cannot downgrade PostgreSQL ({old_v} -> {new_v}); keep {a} or a later version."
        ));
    }
    if pdd.family() != ddd.family() {
        let replicas = ddd.replicas.as_ref().is_some_and(|r| !r.is_empty());
        if ddd.apply_immediately != Some(true) || replicas {
            p.errors.push(format!(
                "database.engine_version: a major version upgrade ({old_v} -> {new_v}) moves the database to the {} \
                 parameter group in the same modification, so it needs database.apply_immediately = true{}. {}",
                ddd.family(),
                if replicas { " and no read replicas" } else { "" },
                if replicas {
                    "RDS upgrades read replicas with their primary, each needing the new family's parameter group at that \
                     moment: remove the replicas, upgrade, then add them again."
                } else {
                    "Set it for this apply (the database restarts during the upgrade)."
                }
            ));
        }
        p.replaced.push(format!(
            "the DB parameter group of {} (engine_version {old_v} -> {new_v}): the {} group is created, the database \
             moves to it, then the old group is deleted",
            pdd.family(),
            ddd.family()
        ));
    }
    if ddd.apply_immediately != Some(true) {
        let mut deferred = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                deferred.push(format!("database.{name}: {a} -> {b}"));
            }
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_else(|| "unset".into());
        field(
            "instance_class",
            text(&pdd.instance_class),
            text(&ddd.instance_class),
        );
        field(
            "allocated_storage",
            num(&pdd.allocated_storage),
            num(&ddd.allocated_storage),
        );
        field(
            "storage_type",
            text(&pdd.storage_type),
            text(&ddd.storage_type),
        );
        field("iops", num(&pdd.iops), num(&ddd.iops));
        field(
            "multi_az",
            pdd.multi_az.unwrap_or(true).to_string(),
            ddd.multi_az.unwrap_or(true).to_string(),
        );
        field("engine_version", old_v.clone(), new_v.clone());
        if !deferred.is_empty() {
            p.warnings.push(format!(
                "RDS applies these changes in the database's next maintenance window ({}), not during this apply:\n{}\n\
                 Set database.apply_immediately = true to apply them now (the database may restart).",
                ddd.maintenance_window.clone().unwrap_or_default(),
                deferred.iter().map(|d| format!("- {d}")).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    let prior_replicas = pd.replicas.clone().unwrap_or_default();
    let mut readers = std::collections::BTreeMap::new();
    let configured_zone = |name: &str| {
        config
            .database
            .as_ref()
            .and_then(|d| d.replicas.as_ref())
            .and_then(|m| m.get(name))
            .and_then(|r| r.availability_zone.clone())
    };
    for (name, r) in db.replicas.iter_mut().flatten() {
        match prior_replicas.get(name).filter(|pr| pr.arn.is_some()) {
            Some(pr) => {
                r.arn = pr.arn.clone();
                if configured_zone(name).is_none() && pr.availability_zone.is_some() {
                    // A default zone is chosen once: changing the stack's
                    // zones never "moves" an existing replica.
                    r.availability_zone = pr.availability_zone.clone();
                }
                if let Some(e) = pd.reader_endpoints.as_ref().and_then(|m| m.get(name)) {
                    readers.insert(name.clone(), e.clone());
                } else {
                    readers.insert(name.clone(), String::new());
                    p.unknown.push(path.attr("reader_endpoints").key(name));
                }
                if pr.availability_zone.is_some()
                    && r.availability_zone.is_some()
                    && pr.availability_zone != r.availability_zone
                {
                    p.errors.push(format!(
                        "database.replicas[\"{name}\"].availability_zone: the replica runs in {}; RDS cannot move a read \
                         replica to {}. Set availability_zone = \"{}\" to keep it, or add a replica under another name \
                         and remove this one.",
                        pr.availability_zone.as_deref().unwrap_or("?"),
                        r.availability_zone.as_deref().unwrap_or("?"),
                        pr.availability_zone.as_deref().unwrap_or("?")
                    ));
                }
            }
            None => {
                readers.insert(name.clone(), String::new());
                p.unknown.push(path.attr("reader_endpoints").key(name));
                p.unknown.push(path.attr("replicas").key(name).attr("arn"));
            }
        }
    }
    db.reader_endpoints = Some(readers);
    let zones = &p.state.network.availability_zones;
    for (name, r) in db.replicas.iter().flatten() {
        if let Some(z) = &r.availability_zone
            && !zones.is_empty()
            && !zones.contains(z)
        {
            p.errors.push(format!(
                "database.replicas[\"{name}\"].availability_zone: {z} is not one of the stack's zones ({}); a replica \
                 lives in the stack's private subnets. Keep {z} among network.availability_zones, or move the replica: \
                 add one under another name in a remaining zone and remove this one.",
                zones.join(", ")
            ));
        }
    }
    for (name, pr) in &prior_replicas {
        if pr.arn.is_some() && !db.replicas.iter().flatten().any(|(k, _)| k == name) {
            p.replaced.push(format!(
                "the read replica {name} (removed from database.replicas): deleted; the primary and the other replicas \
                 are not touched"
            ));
        }
    }
}

fn plan_storage(prior: Option<&StackState>, p: &mut Planned, account: Option<&str>) {
    let prior_s = prior
        .and_then(|x| x.storage.as_ref())
        .filter(|s| s.bucket_arn.is_some());
    let region = p.state.region.clone();
    let name = p.state.name.clone();
    let Some(s) = p.state.storage.as_mut() else {
        if let Some(ps) = prior_s {
            p.replaced.push(format!(
                "the S3 bucket {} (storage removed from the configuration): deleted; refused before anything is \
                 deleted while it holds objects, unless force_destroy",
                ps.bucket_name.as_deref().unwrap_or("?")
            ));
        }
        return;
    };
    if s.bucket_name.is_none() {
        // The bucket the stack has keeps its name (as the apply does); a new
        // one is named after the account.
        s.bucket_name = default_bucket_name(&name, prior_s, account, region.as_deref());
        if s.bucket_name.is_none() && region.is_some() {
            p.errors.push(NO_ACCOUNT_FOR_BUCKET.into());
        }
    }
    let path = storage_path();
    match (&s.bucket_name, region.as_deref()) {
        (Some(b), Some(r)) => {
            s.bucket_arn = Some(format!("arn:aws:s3:::{b}"));
            s.bucket_regional_domain_name = Some(regional_domain(b, r));
        }
        (b, _) => {
            if b.is_none() {
                p.unknown.push(path.attr("bucket_name"));
                p.unknown.push(path.attr("bucket_arn"));
            } else {
                s.bucket_arn = b.as_ref().map(|b| format!("arn:aws:s3:::{b}"));
            }
            p.unknown.push(path.attr("bucket_regional_domain_name"));
        }
    }
    if let Some(ps) = prior_s
        && ps.bucket_name != s.bucket_name
        && ps.with_defaults().force_destroy != s.force_destroy
    {
        p.errors.push(format!(
            "storage.force_destroy: changing it in the same apply as storage.bucket_name would delete the old bucket {} \
             under the old setting; apply the force_destroy change first, then the new name.",
            ps.bucket_name.as_deref().unwrap_or("?")
        ));
    }
    if let Some(ps) = prior_s
        && ps.bucket_name != s.bucket_name
    {
        p.replaced.push(format!(
            "the S3 bucket {} (storage.bucket_name -> {}): the new bucket is created, then the old one is deleted; \
             objects are not copied, and the delete is refused while the old bucket holds objects unless force_destroy",
            ps.bucket_name.as_deref().unwrap_or("?"),
            s.bucket_name.as_deref().unwrap_or("(known after apply)")
        ));
    }
}
