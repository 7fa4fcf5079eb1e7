//! The database's RDS subnet group: the stack's private subnets. Its
//! subnets converge in place; it never moves to another VPC (the plan
//! refuses a VPC change while a database exists).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::data::{DbSubnetGroup, RdsApi};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// DB subnet groups, on RDS.
pub struct DbSubnetGroups(pub Arc<dyn RdsApi>);

/// What the stack wants of its DB subnet group.
#[derive(Debug, Clone, PartialEq)]
pub struct DbSubnetGroupSpec {
    /// Its name (`<stack>-db`).
    pub name: String,
    /// Description.
    pub description: String,
    /// The subnets.
    pub subnets: Vec<Key>,
}

/// The name prefix of every RDS object of stack `stack`.
pub fn prefix(stack: &str) -> String {
    format!("{stack}-")
}

fn wanted(spec: &DbSubnetGroupSpec, ids: &Ids) -> Option<BTreeSet<String>> {
    spec.subnets
        .iter()
        .map(|k| ids.get(k).map(str::to_string))
        .collect()
}

#[async_trait]
impl Kind for DbSubnetGroups {
    type Spec = DbSubnetGroupSpec;
    type Seen = DbSubnetGroup;
    const NAME: &'static str = "dbsubnets";
    const NOUN: &'static str = "DB subnet group";

    fn deps(spec: &DbSubnetGroupSpec) -> Vec<Dep> {
        spec.subnets.iter().cloned().map(Dep::ready).collect()
    }

    fn meta(seen: &DbSubnetGroup) -> Meta {
        Meta {
            id: seen.name.clone(),
            tags: seen.tags.clone(),
            created: None,
            refs: seen.subnet_ids.clone(),
        }
    }

    fn diff(spec: &DbSubnetGroupSpec, seen: &DbSubnetGroup, ids: &Ids) -> Vec<Change> {
        let have: BTreeSet<String> = seen.subnet_ids.iter().cloned().collect();
        match wanted(spec, ids) {
            Some(w) if w == have => Vec::new(),
            Some(w) => vec![Change::update(format!(
                "subnets: {} -> {}",
                have.into_iter().collect::<Vec<_>>().join(","),
                w.into_iter().collect::<Vec<_>>().join(",")
            ))],
            None => vec![Change::update("subnets: some are being replaced")],
        }
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<DbSubnetGroup>> {
        self.0.list_subnet_groups(&prefix(stack)).await
    }

    async fn create(
        &self,
        spec: &DbSubnetGroupSpec,
        ids: &Ids,
        tags: &Tags,
    ) -> CloudResult<DbSubnetGroup> {
        let subnets = spec
            .subnets
            .iter()
            .map(|k| ids.need(k))
            .collect::<CloudResult<Vec<_>>>()?;
        self.0
            .create_subnet_group(&spec.name, &spec.description, &subnets, tags)
            .await
    }

    async fn update(
        &self,
        spec: &DbSubnetGroupSpec,
        seen: &DbSubnetGroup,
        ids: &Ids,
    ) -> CloudResult<()> {
        let subnets = spec
            .subnets
            .iter()
            .map(|k| ids.need(k))
            .collect::<CloudResult<Vec<_>>>()?;
        self.0.modify_subnet_group(&seen.name, &subnets).await
    }

    async fn retag(&self, seen: &DbSubnetGroup, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &DbSubnetGroup) -> CloudResult<()> {
        self.0.delete_subnet_group(&seen.name).await
    }
}
