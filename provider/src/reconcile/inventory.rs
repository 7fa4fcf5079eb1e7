//! What exists: every object tagged with the stack's name, read with one
//! call per kind, and the ownership rules that decide which of them belong
//! to this stack instance.
//!
//! An instance has an identity, its `stack_id`, written on every object it
//! creates as `todo:stack-id`. Its anchor object (the VPC) gets
//! `todo:complete` once its first create has finished. Then:
//! - an existing instance (update, refresh, destroy) owns exactly the
//!   objects that carry its id;
//! - a create owns the leftovers of creates that never completed (a killed
//!   run, no state saved) and adopts them by retagging; it refuses when a
//!   completed instance of the same name exists, and says how to import it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::cloud::{CloudResult, TAG_STACK};

use super::kind::{AnyKind, Observed};

/// Tag key of the instance identity.
pub const TAG_STACK_ID: &str = "todo:stack-id";
/// Tag key set on the anchor object once the instance's first create finished.
pub const TAG_COMPLETE: &str = "todo:complete";
/// Tag key of the moment the object was created (RFC 3339), for kinds
/// whose describe does not say.
pub const TAG_CREATED: &str = "todo:created";

/// Every object tagged with one stack name, of every kind.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The objects.
    pub objects: Vec<Observed>,
}

/// A completed instance of the stack's name that is not this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Its identity.
    pub stack_id: String,
    /// Its anchor object's id.
    pub anchor_id: String,
}

impl Inventory {
    /// Observes every kind concurrently: one call (one describe) per kind.
    pub async fn observe(kinds: &[Arc<dyn AnyKind>], stack: &str) -> CloudResult<Inventory> {
        let all = futures::future::try_join_all(kinds.iter().map(|k| k.observe(stack))).await?;
        Ok(Inventory {
            objects: all
                .into_iter()
                .flatten()
                .filter(|o| o.meta.tags.get(TAG_STACK).map(String::as_str) == Some(stack))
                .collect(),
        })
    }

    /// Whether nothing of the stack exists.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The identities of instances whose anchor is complete.
    pub fn completed(&self) -> BTreeMap<String, String> {
        self.objects
            .iter()
            .filter(|o| o.meta.tags.contains_key(TAG_COMPLETE))
            .filter_map(|o| Some((stack_id(o)?.to_string(), o.meta.id.clone())))
            .collect()
    }

    /// The objects of the instance `stack_id` (an update, refresh or destroy).
    pub fn owned_by(&self, stack_id: &str) -> Vec<Observed> {
        self.objects
            .iter()
            .filter(|o| stack_id_is(o, stack_id))
            .cloned()
            .collect()
    }

    /// What a create of instance `stack_id` owns: its own objects and the
    /// leftovers of creates that never completed. Refuses when another
    /// instance of the name completed.
    pub fn claim_for_create(&self, ours: &str) -> Result<Vec<Observed>, Taken> {
        let completed = self.completed();
        if let Some((id, anchor)) = completed.iter().find(|(id, _)| id.as_str() != ours) {
            return Err(Taken {
                stack_id: id.clone(),
                anchor_id: anchor.clone(),
            });
        }
        let done: BTreeSet<&String> = completed.keys().collect();
        // Objects with no identity at all were not made by a create of this
        // provider: never adopted.
        Ok(self
            .objects
            .iter()
            .filter(|o| stack_id(o).is_some_and(|id| id == ours || !done.contains(&id.to_string())))
            .cloned()
            .collect())
    }

    /// The identity an import takes: the completed instance's, else the
    /// one most objects carry.
    pub fn identity(&self) -> Option<String> {
        if let Some((id, _)) = self.completed().into_iter().next() {
            return Some(id);
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for o in &self.objects {
            if let Some(id) = stack_id(o) {
                *counts.entry(id).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(id, _)| id.to_string())
    }
}

fn stack_id(o: &Observed) -> Option<&str> {
    o.meta.tags.get(TAG_STACK_ID).map(String::as_str)
}

fn stack_id_is(o: &Observed, id: &str) -> bool {
    stack_id(o) == Some(id)
}
