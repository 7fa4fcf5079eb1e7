//! The database's parameter group: one per engine family
//! (`<stack>-postgres16`), so a major version upgrade creates the next
//! family's group before the old one goes. Parameters converge exactly:
//! one set out of band is reset to the engine default.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::data::{DbParameterGroup, RdsApi};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

use super::db_subnet_group::prefix;

/// DB parameter groups, on RDS.
pub struct DbParameterGroups(pub Arc<dyn RdsApi>);

/// What the stack wants of its parameter group.
#[derive(Debug, Clone, PartialEq)]
pub struct DbParameterGroupSpec {
    /// Its name (`<stack>-<family>`).
    pub name: String,
    /// Engine family (`postgres16`).
    pub family: String,
    /// Description.
    pub description: String,
    /// Parameters by name.
    pub parameters: BTreeMap<String, String>,
}

#[async_trait]
impl Kind for DbParameterGroups {
    type Spec = DbParameterGroupSpec;
    type Seen = DbParameterGroup;
    const NAME: &'static str = "dbparams";
    const NOUN: &'static str = "DB parameter group";

    fn deps(_: &DbParameterGroupSpec) -> Vec<Dep> {
        Vec::new()
    }

    fn meta(seen: &DbParameterGroup) -> Meta {
        Meta {
            id: seen.name.clone(),
            tags: seen.tags.clone(),
            ..Meta::default()
        }
    }

    fn diff(spec: &DbParameterGroupSpec, seen: &DbParameterGroup, _: &Ids) -> Vec<Change> {
        if spec.family != seen.family || spec.name != seen.name {
            return vec![Change::replace(format!(
                "family: {} -> {}",
                seen.family, spec.family
            ))];
        }
        let mut out = Vec::new();
        for (k, v) in &spec.parameters {
            match seen.parameters.get(k) {
                Some(have) if have == v => {}
                Some(have) => out.push(Change::update(format!("parameter {k}: {have:?} -> {v:?}"))),
                None => out.push(Change::update(format!("parameter {k}: default -> {v:?}"))),
            }
        }
        for k in seen.parameters.keys() {
            if !spec.parameters.contains_key(k) {
                out.push(Change::update(format!(
                    "parameter {k}: not in the configuration, reset to the default"
                )));
            }
        }
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<DbParameterGroup>> {
        self.0.list_parameter_groups(&prefix(stack)).await
    }

    async fn create(
        &self,
        spec: &DbParameterGroupSpec,
        _: &Ids,
        tags: &Tags,
    ) -> CloudResult<DbParameterGroup> {
        self.0
            .create_parameter_group(&spec.name, &spec.family, &spec.description, tags)
            .await
    }

    async fn update(
        &self,
        spec: &DbParameterGroupSpec,
        seen: &DbParameterGroup,
        _: &Ids,
    ) -> CloudResult<()> {
        let set: BTreeMap<String, String> = spec
            .parameters
            .iter()
            .filter(|(k, v)| seen.parameters.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let reset: Vec<String> = seen
            .parameters
            .keys()
            .filter(|k| !spec.parameters.contains_key(*k))
            .cloned()
            .collect();
        self.0.modify_parameters(&seen.name, &set, &reset).await
    }

    async fn retag(
        &self,
        seen: &DbParameterGroup,
        set: &Tags,
        remove: &[String],
    ) -> CloudResult<()> {
        self.0.retag(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &DbParameterGroup) -> CloudResult<()> {
        self.0.delete_parameter_group(&seen.name).await
    }
}
