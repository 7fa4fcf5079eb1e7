//! The one planner: owned objects x desired objects x prior ids -> what
//! happens to each object -> one checked graph of create, update and delete
//! steps.
//!
//! Create before destroy: an object being replaced or removed is deleted
//! only after every object that refers to it has been updated (to point at
//! its replacement) or deleted; deletes therefore run in reverse dependency
//! order. The graph is checked when it is built: a dependency on an object
//! that is not desired, or a cycle, is an error, never a skipped step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::cloud::Tags;

use super::inventory::{TAG_COMPLETE, TAG_CREATED};
use super::kind::{AnyKind, Change, Desired, Ids, Key, Link, Observed};

/// What happens to one desired object.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// It exists as desired.
    Keep,
    /// It exists and is converged in place: attribute changes, tags to set,
    /// tag keys to remove.
    Update {
        /// Attribute changes.
        changes: Vec<Change>,
        /// Tags to set.
        set_tags: Tags,
        /// Tag keys to remove.
        remove_tags: Vec<String>,
    },
    /// It does not exist: it is created.
    Create,
    /// It exists and must be replaced: a new one is created, then the old
    /// one deleted.
    Replace(Vec<Change>),
}

/// Why an observed object is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// The configuration no longer wants it.
    Unwanted,
    /// A newer object replaces it.
    Replaced,
    /// Another object holds the same key (a twin) and is kept.
    Twin {
        /// The id kept instead.
        kept: String,
    },
}

/// One step of the graph.
#[derive(Debug, Clone)]
pub enum Op {
    /// Create the desired object (and wait until it is ready).
    Create(Key),
    /// Converge the desired object's attributes and tags.
    Update(Key),
    /// Delete an observed object (and wait until it is gone).
    Delete(Observed, Removal),
    /// Mark the anchor complete: the instance's create has finished.
    Seal(Key),
}

/// A step with its dependencies (indexes into [`Plan::steps`]).
#[derive(Debug, Clone)]
pub struct Node {
    /// The operation.
    pub op: Op,
    /// Steps that must finish first.
    pub deps: Vec<usize>,
}

/// A planning error: the desired graph is malformed (a bug, caught by tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Two desired objects share a key.
    #[error("two desired objects have the key {0}")]
    Duplicate(Key),
    /// A desired object depends on one that is not desired.
    #[error("{0} depends on {1}, which is not part of the stack")]
    UnknownDependency(Key, Key),
    /// A desired object names a kind nobody registered.
    #[error("no kind {0} is registered")]
    UnknownKind(&'static str),
    /// The steps depend on each other in a circle.
    #[error("the steps form a cycle: {0}")]
    Cycle(String),
}

/// The plan of one apply (or of one refresh, which reads its actions).
#[derive(Clone)]
pub struct Plan {
    /// The desired objects, by key.
    pub desired: BTreeMap<Key, Desired>,
    /// What happens to each desired object.
    pub actions: BTreeMap<Key, Action>,
    /// The object kept for each key that exists (before the apply).
    pub kept: BTreeMap<Key, Observed>,
    /// The ids known before the apply: kept objects.
    pub ids: Ids,
    /// Observed objects to delete.
    pub removals: Vec<(Observed, Removal)>,
    /// The steps, in a valid order.
    pub steps: Vec<Node>,
    /// Per kind name, the kind.
    pub kinds: BTreeMap<&'static str, Arc<dyn AnyKind>>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("actions", &self.actions)
            .field("removals", &self.removals)
            .finish()
    }
}

/// The tags every object of a stack carries, and how a kept object's tags
/// compare with them.
#[derive(Debug, Clone)]
pub struct Tagging {
    /// Stack name.
    pub stack: String,
    /// Instance identity.
    pub stack_id: String,
    /// Provider default tags, then the stack's own tags.
    pub base: Tags,
}

impl Tagging {
    /// The tags `desired` should carry (the completion marker aside).
    pub fn tags_of(&self, desired: &Desired) -> Tags {
        let mut tags = self.base.clone();
        tags.extend(desired.extra_tags.clone());
        tags.insert(
            "Name".into(),
            format!("{}-{}", self.stack, desired.key.tag()),
        );
        tags.insert(crate::cloud::TAG_STACK.into(), self.stack.clone());
        tags.insert(crate::cloud::TAG_COMPONENT.into(), desired.key.tag());
        tags.insert(super::inventory::TAG_STACK_ID.into(), self.stack_id.clone());
        tags
    }

    /// The tags to set and the keys to remove so that `have` becomes the
    /// desired tags. Keys AWS reserves (`aws:`) and the engine's own markers
    /// (creation time, completion) are left alone.
    pub fn diff(&self, desired: &Desired, have: &Tags) -> (Tags, Vec<String>) {
        let want = self.tags_of(desired);
        let set: Tags = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let remove = have
            .keys()
            .filter(|k| !want.contains_key(*k) && !managed_elsewhere(k))
            .cloned()
            .collect();
        (set, remove)
    }
}

fn managed_elsewhere(key: &str) -> bool {
    key.starts_with("aws:")
        || key == TAG_CREATED
        || key == TAG_COMPLETE
        || key == super::kind::TAG_RETAIN
}

/// When an object was created: AWS's answer, else our creation tag.
fn created(o: &Observed) -> Option<SystemTime> {
    o.meta.created.or_else(|| {
        o.meta
            .tags
            .get(TAG_CREATED)
            .and_then(|t| humantime::parse_rfc3339(t).ok())
    })
}

/// Plans `desired` against the `owned` objects. `prior` holds the ids the
/// state recorded (they win twin contests). `anchor` is marked complete at
/// the end when it is not yet.
pub fn plan(
    kinds: &[Arc<dyn AnyKind>],
    desired: Vec<Desired>,
    owned: Vec<Observed>,
    prior: &Ids,
    tagging: &Tagging,
    anchor: &Key,
) -> Result<Plan, GraphError> {
    let kinds: BTreeMap<&'static str, Arc<dyn AnyKind>> =
        kinds.iter().map(|k| (k.name(), k.clone())).collect();
    let mut wanted: BTreeMap<Key, Desired> = BTreeMap::new();
    for d in desired {
        if !kinds.contains_key(d.key.kind) {
            return Err(GraphError::UnknownKind(d.key.kind));
        }
        if wanted.contains_key(&d.key) {
            return Err(GraphError::Duplicate(d.key));
        }
        wanted.insert(d.key.clone(), d);
    }
    for d in wanted.values() {
        if let Some(dep) = d.deps.iter().find(|dep| !wanted.contains_key(&dep.key)) {
            return Err(GraphError::UnknownDependency(
                d.key.clone(),
                dep.key.clone(),
            ));
        }
    }
    let order = creation_order(&wanted)?;

    // Keepers and twins.
    let mut by_key: BTreeMap<Key, Vec<Observed>> = BTreeMap::new();
    let mut removals = Vec::new();
    for o in owned {
        match &o.key {
            Some(k) if wanted.contains_key(k) => by_key.entry(k.clone()).or_default().push(o),
            Some(_) => removals.push((o, Removal::Unwanted)),
            // Not one of ours by its component tag (tagged by hand, or by a
            // newer version): never deleted.
            None => {
                tracing::warn!(id = %o.meta.id, kind = o.kind, "an object carries the stack's tag but no component this provider knows; left alone")
            }
        }
    }
    // Keepers, in creation order so the ids of a key's dependencies are
    // known: one that fits (needs no replacement) over one that does not,
    // then the one the state records, then the oldest.
    let mut kept: BTreeMap<Key, Observed> = BTreeMap::new();
    let mut chosen = Ids::default();
    for key in &order {
        let Some(mut candidates) = by_key.remove(key) else {
            continue;
        };
        let d = &wanted[key];
        let fits = |o: &Observed| {
            !kinds[key.kind]
                .diff(d, o, &chosen)
                .iter()
                .any(|c| c.replaces)
        };
        candidates.sort_by_cached_key(|o| {
            (
                !fits(o),
                !prior.is(key, &o.meta.id),
                created(o).is_none(),
                created(o),
                o.meta.id.clone(),
            )
        });
        let mut rest = candidates.into_iter();
        if let Some(keeper) = rest.next() {
            for twin in rest {
                removals.push((
                    twin,
                    Removal::Twin {
                        kept: keeper.meta.id.clone(),
                    },
                ));
            }
            chosen.0.insert(key.clone(), keeper.meta.id.clone());
            kept.insert(key.clone(), keeper);
        }
    }

    // Decide each key in creation order until nothing changes: a replaced
    // object's id becomes unknown, which may replace what depends on it.
    let mut ids = Ids(kept
        .iter()
        .map(|(k, o)| (k.clone(), o.meta.id.clone()))
        .collect());
    let mut actions: BTreeMap<Key, Action> = BTreeMap::new();
    loop {
        let mut changed = false;
        for key in &order {
            let d = &wanted[key];
            let action = match kept.get(key) {
                None => Action::Create,
                Some(o) => {
                    let changes = kinds[key.kind].diff(d, o, &ids);
                    let forced = matches!(actions.get(key), Some(Action::Replace(_)));
                    if forced || changes.iter().any(|c| c.replaces) {
                        let mut why: Vec<Change> =
                            changes.into_iter().filter(|c| c.replaces).collect();
                        if let Some(Action::Replace(before)) = actions.get(key) {
                            for c in before {
                                if !why.contains(c) {
                                    why.push(c.clone());
                                }
                            }
                        }
                        Action::Replace(why)
                    } else {
                        let (set_tags, remove_tags) = tagging.diff(d, &o.meta.tags);
                        if changes.is_empty() && set_tags.is_empty() && remove_tags.is_empty() {
                            Action::Keep
                        } else {
                            Action::Update {
                                changes,
                                set_tags,
                                remove_tags,
                            }
                        }
                    }
                }
            };
            if matches!(action, Action::Create | Action::Replace(_)) && ids.0.remove(key).is_some()
            {
                changed = true;
            }
            // Replacing an object replaces what it holds exclusively.
            if matches!(action, Action::Replace(_)) {
                for dep in d.deps.iter().filter(|d| d.link == Link::Exclusive) {
                    if kept.contains_key(&dep.key)
                        && !matches!(actions.get(&dep.key), Some(Action::Replace(_)))
                    {
                        actions.insert(
                            dep.key.clone(),
                            Action::Replace(vec![Change::replace(format!(
                                "it serves {key}, which is replaced"
                            ))]),
                        );
                        ids.0.remove(&dep.key);
                        changed = true;
                    }
                }
            }
            if actions.get(key) != Some(&action) {
                actions.insert(key.clone(), action);
            }
        }
        if !changed {
            break;
        }
    }
    for (key, action) in &actions {
        if let (Action::Replace(_), Some(old)) = (action, kept.get(key)) {
            removals.push((old.clone(), Removal::Replaced));
        }
    }

    let steps = build_steps(&wanted, &actions, &kept, &removals, anchor)?;
    Ok(Plan {
        desired: wanted,
        actions,
        kept,
        ids,
        removals,
        steps,
        kinds,
    })
}

/// Desired keys ordered so that every key comes after the keys it needs
/// at creation ([`Link::Ready`], [`Link::Exclusive`]).
fn creation_order(wanted: &BTreeMap<Key, Desired>) -> Result<Vec<Key>, GraphError> {
    let mut order = Vec::new();
    let mut placed: BTreeSet<Key> = BTreeSet::new();
    while order.len() < wanted.len() {
        let before = order.len();
        for (key, d) in wanted {
            if placed.contains(key) {
                continue;
            }
            let ready = d
                .deps
                .iter()
                .filter(|dep| dep.link != Link::Exists)
                .all(|dep| placed.contains(&dep.key));
            if ready {
                placed.insert(key.clone());
                order.push(key.clone());
            }
        }
        if order.len() == before {
            let stuck: Vec<String> = wanted
                .keys()
                .filter(|k| !placed.contains(*k))
                .map(Key::tag)
                .collect();
            return Err(GraphError::Cycle(stuck.join(", ")));
        }
    }
    Ok(order)
}

fn build_steps(
    wanted: &BTreeMap<Key, Desired>,
    actions: &BTreeMap<Key, Action>,
    kept: &BTreeMap<Key, Observed>,
    removals: &[(Observed, Removal)],
    anchor: &Key,
) -> Result<Vec<Node>, GraphError> {
    let mut steps: Vec<Node> = Vec::new();
    let mut create_of: BTreeMap<Key, usize> = BTreeMap::new();
    let mut update_of: BTreeMap<Key, usize> = BTreeMap::new();
    for (key, action) in actions {
        let (create, update) = match action {
            Action::Keep => (false, false),
            Action::Update { .. } => (false, true),
            Action::Create | Action::Replace(_) => (true, true),
        };
        if create {
            create_of.insert(key.clone(), steps.len());
            steps.push(Node {
                op: Op::Create(key.clone()),
                deps: vec![],
            });
        }
        if update {
            update_of.insert(key.clone(), steps.len());
            steps.push(Node {
                op: Op::Update(key.clone()),
                deps: vec![],
            });
        }
    }
    let last = |k: &Key| update_of.get(k).or(create_of.get(k)).copied();
    for (key, d) in wanted {
        if let Some(&c) = create_of.get(key) {
            steps[c].deps = d
                .deps
                .iter()
                .filter(|dep| dep.link != Link::Exists)
                .filter_map(|dep| last(&dep.key))
                .collect();
        }
        if let Some(&u) = update_of.get(key) {
            let mut deps: Vec<usize> = create_of.get(key).copied().into_iter().collect();
            for dep in &d.deps {
                let step = match dep.link {
                    Link::Exists => create_of.get(&dep.key).copied(),
                    _ => last(&dep.key),
                };
                deps.extend(step);
            }
            steps[u].deps = deps;
        }
    }
    // Deletes: after whatever refers to the object stopped doing so, and
    // after the object's replacement exists.
    let first_delete = steps.len();
    for (o, why) in removals {
        let mut deps = Vec::new();
        if let (Some(key), Removal::Replaced | Removal::Twin { .. }) = (&o.key, why) {
            deps.extend(last(key));
        }
        steps.push(Node {
            op: Op::Delete(o.clone(), why.clone()),
            deps,
        });
    }
    let delete_of: BTreeMap<&str, usize> = removals
        .iter()
        .enumerate()
        .map(|(i, (o, _))| (o.meta.id.as_str(), first_delete + i))
        .collect();
    for (i, (o, _)) in removals.iter().enumerate() {
        let id = o.meta.id.as_str();
        let mut deps = Vec::new();
        let referrers = kept
            .iter()
            .map(|(k, y)| (Some(k), y))
            .chain(removals.iter().map(|(y, _)| (None, y)));
        for (kept_key, y) in referrers {
            if y.meta.id == id || !y.meta.refs.iter().any(|r| r == id) {
                continue;
            }
            match delete_of.get(y.meta.id.as_str()) {
                Some(&d) => deps.push(d),
                None => deps.extend(kept_key.and_then(|k| update_of.get(k).copied())),
            }
        }
        steps[first_delete + i].deps.extend(deps);
    }
    // The anchor is sealed once everything else is in place.
    let anchor_sealed = kept
        .get(anchor)
        .is_some_and(|o| o.meta.tags.contains_key(TAG_COMPLETE) && !create_of.contains_key(anchor));
    if wanted.contains_key(anchor) && !anchor_sealed {
        let deps = (0..first_delete).collect();
        let seal = steps.len();
        steps.push(Node {
            op: Op::Seal(anchor.clone()),
            deps,
        });
        // A replaced anchor goes only once its successor is sealed, so the
        // instance is never without a sealed anchor.
        for node in &mut steps[first_delete..seal] {
            if let Op::Delete(o, _) = &node.op
                && o.key.as_ref() == Some(anchor)
            {
                node.deps.push(seal);
            }
        }
    }
    for node in &mut steps {
        node.deps.sort_unstable();
        node.deps.dedup();
    }
    check_acyclic(&steps)?;
    Ok(steps)
}

fn describe(op: &Op) -> String {
    match op {
        Op::Create(k) => format!("create {k}"),
        Op::Update(k) => format!("update {k}"),
        Op::Delete(o, _) => format!("delete {}", o.meta.id),
        Op::Seal(k) => format!("seal {k}"),
    }
}

fn check_acyclic(steps: &[Node]) -> Result<(), GraphError> {
    let mut done = vec![false; steps.len()];
    let mut remaining = steps.len();
    loop {
        let mut progressed = false;
        for (i, node) in steps.iter().enumerate() {
            if !done[i] && node.deps.iter().all(|d| *d < steps.len() && done[*d]) {
                done[i] = true;
                remaining -= 1;
                progressed = true;
            }
        }
        if remaining == 0 {
            return Ok(());
        }
        if !progressed {
            let stuck: Vec<String> = steps
                .iter()
                .enumerate()
                .filter(|(i, _)| !done[*i])
                .map(|(_, n)| describe(&n.op))
                .collect();
            return Err(GraphError::Cycle(stuck.join(", ")));
        }
    }
}

impl Plan {
    /// Whether the apply changes nothing.
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty()
    }

    /// Human lines for everything the plan deletes or replaces.
    pub fn destructive(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, action) in &self.actions {
            if let Action::Replace(why) = action {
                let noun = self
                    .kinds
                    .get(key.kind)
                    .map(|k| k.noun())
                    .unwrap_or("object");
                let old = self
                    .kept
                    .get(key)
                    .map(|o| o.meta.id.as_str())
                    .unwrap_or("?");
                let why: Vec<&str> = why.iter().map(|c| c.what.as_str()).collect();
                out.push(format!("replace {noun} {key} ({old}): {}", why.join("; ")));
            }
        }
        for (o, why) in &self.removals {
            let noun = self.kinds.get(o.kind).map(|k| k.noun()).unwrap_or("object");
            let key = o.key.as_ref().map(Key::tag).unwrap_or_else(|| "?".into());
            match why {
                Removal::Unwanted => out.push(format!(
                    "delete {noun} {key} ({}): no longer wanted",
                    o.meta.id
                )),
                Removal::Twin { kept } => out.push(format!(
                    "delete {noun} {key} ({}): a twin of {kept}, which is kept",
                    o.meta.id
                )),
                Removal::Replaced => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::{CloudResult, TAG_COMPONENT};
    use crate::reconcile::kind::{Dep, Kind, Meta, erase};
    use async_trait::async_trait;

    /// A kind for planner tests: a number that only replacement changes,
    /// and a pointer to another thing that converges in place.
    struct Things;

    #[derive(Debug, Clone, PartialEq)]
    struct ThingSpec {
        number: u32,
        points_at: Option<Key>,
        deps: Vec<Dep>,
    }

    #[derive(Debug, Clone)]
    struct Thing {
        id: String,
        number: u32,
        points_at: Option<String>,
        tags: Tags,
    }

    #[async_trait]
    impl Kind for Things {
        type Spec = ThingSpec;
        type Seen = Thing;
        const NAME: &'static str = "thing";
        const NOUN: &'static str = "thing";

        fn deps(spec: &ThingSpec) -> Vec<Dep> {
            spec.deps.clone()
        }

        fn meta(seen: &Thing) -> Meta {
            Meta {
                id: seen.id.clone(),
                tags: seen.tags.clone(),
                refs: seen.points_at.clone().into_iter().collect(),
                ..Meta::default()
            }
        }

        fn diff(spec: &ThingSpec, seen: &Thing, ids: &Ids) -> Vec<Change> {
            let mut c = Vec::new();
            if spec.number != seen.number {
                c.push(Change::replace("number"));
            }
            let want = spec.points_at.as_ref().and_then(|k| ids.get(k));
            if spec.points_at.is_some() && want != seen.points_at.as_deref() {
                c.push(Change::update("points elsewhere"));
            }
            c
        }

        async fn observe(&self, _: &str) -> CloudResult<Vec<Thing>> {
            Ok(Vec::new())
        }

        async fn create(&self, _: &ThingSpec, _: &Ids, _: &Tags) -> CloudResult<Thing> {
            unreachable!("planner tests run nothing")
        }

        async fn update(&self, _: &ThingSpec, _: &Thing, _: &Ids) -> CloudResult<()> {
            Ok(())
        }

        async fn retag(&self, _: &Thing, _: &Tags, _: &[String]) -> CloudResult<()> {
            Ok(())
        }

        async fn delete(&self, _: &Thing) -> CloudResult<()> {
            Ok(())
        }
    }

    fn key(name: &str) -> Key {
        Key::new("thing", name)
    }

    fn want(name: &str, number: u32, points_at: Option<&str>, deps: Vec<Dep>) -> Desired {
        Desired::new::<Things>(
            name,
            ThingSpec {
                number,
                points_at: points_at.map(key),
                deps,
            },
        )
    }

    fn tagging() -> Tagging {
        Tagging {
            stack: "s".into(),
            stack_id: "i".into(),
            base: Tags::new(),
        }
    }

    fn seen(name: &str, id: &str, number: u32, points_at: Option<&str>) -> Observed {
        let d = want(name, number, None, vec![]);
        let mut tags = tagging().tags_of(&d);
        tags.insert(TAG_COMPONENT.into(), key(name).tag());
        let thing = Thing {
            id: id.into(),
            number,
            points_at: points_at.map(str::to_string),
            tags,
        };
        Observed {
            kind: "thing",
            key: Some(key(name)),
            meta: Things::meta(&thing),
            seen: std::sync::Arc::new(thing),
        }
    }

    fn run(desired: Vec<Desired>, owned: Vec<Observed>, prior: &Ids) -> Result<Plan, GraphError> {
        plan(
            &[erase(Things)],
            desired,
            owned,
            prior,
            &tagging(),
            &key("anchor"),
        )
    }

    #[test]
    fn an_unknown_dependency_is_an_error() {
        let r = run(
            vec![want("a", 1, None, vec![Dep::ready(key("ghost"))])],
            vec![],
            &Ids::default(),
        );
        assert_eq!(
            r.unwrap_err(),
            GraphError::UnknownDependency(key("a"), key("ghost"))
        );
    }

    #[test]
    fn a_cycle_of_creation_dependencies_is_an_error() {
        let r = run(
            vec![
                want("a", 1, None, vec![Dep::ready(key("b"))]),
                want("b", 1, None, vec![Dep::ready(key("a"))]),
            ],
            vec![],
            &Ids::default(),
        );
        assert!(matches!(r.unwrap_err(), GraphError::Cycle(_)));
    }

    #[test]
    fn objects_that_only_name_each_other_are_not_a_cycle() {
        let r = run(
            vec![
                want("a", 1, Some("b"), vec![Dep::exists(key("b"))]),
                want("b", 1, Some("a"), vec![Dep::exists(key("a"))]),
            ],
            vec![],
            &Ids::default(),
        );
        assert!(r.is_ok(), "{r:?}");
    }

    /// Create before destroy: the replacement exists, then what pointed at
    /// the old object is updated, then the old object is deleted.
    #[test]
    fn a_replaced_object_is_deleted_after_its_referrers_moved_to_the_new_one() {
        let p = run(
            vec![
                want("target", 2, None, vec![]),
                want("user", 1, Some("target"), vec![Dep::ready(key("target"))]),
            ],
            vec![
                seen("target", "t-old", 1, None),
                seen("user", "u-1", 1, Some("t-old")),
            ],
            &Ids::default(),
        )
        .unwrap();
        let at = |f: &dyn Fn(&Op) -> bool| p.steps.iter().position(|n| f(&n.op)).unwrap();
        let create = at(&|op| matches!(op, Op::Create(k) if k.name == "target"));
        let update = at(&|op| matches!(op, Op::Update(k) if k.name == "user"));
        let delete =
            at(&|op| matches!(op, Op::Delete(o, Removal::Replaced) if o.meta.id == "t-old"));
        let reaches = |from: usize, to: usize| {
            let mut stack = vec![from];
            let mut seen = vec![false; p.steps.len()];
            while let Some(i) = stack.pop() {
                if i == to {
                    return true;
                }
                if !std::mem::replace(&mut seen[i], true) {
                    stack.extend(p.steps[i].deps.iter().copied());
                }
            }
            false
        };
        assert!(
            reaches(update, create),
            "the update does not wait for the new object"
        );
        assert!(
            reaches(delete, update),
            "the delete does not wait for the referrer"
        );
        assert_eq!(
            p.actions[&key("user")],
            Action::Update {
                changes: vec![Change::update("points elsewhere")],
                set_tags: Tags::new(),
                remove_tags: vec![],
            }
        );
    }

    #[test]
    fn twins_keep_the_recorded_id_and_unwanted_objects_go() {
        let prior = Ids([(key("a"), "a-2".to_string())].into());
        let p = run(
            vec![want("a", 1, None, vec![])],
            vec![
                seen("a", "a-1", 1, None),
                seen("a", "a-2", 1, None),
                seen("old", "o-1", 1, None),
            ],
            &prior,
        )
        .unwrap();
        assert_eq!(p.kept[&key("a")].meta.id, "a-2");
        let removed: Vec<(&str, &Removal)> = p
            .removals
            .iter()
            .map(|(o, r)| (o.meta.id.as_str(), r))
            .collect();
        assert!(
            removed.contains(&("a-1", &Removal::Twin { kept: "a-2".into() })),
            "{removed:?}"
        );
        assert!(
            removed.contains(&("o-1", &Removal::Unwanted)),
            "{removed:?}"
        );
    }
}
