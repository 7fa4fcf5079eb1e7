//! The one trait every AWS object kind implements, and the typed values the
//! planner and the runner exchange with it. The planner and the runner know
//! no kind by name: they see [`Key`]s, [`Meta`]data and [`Change`]s.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::cloud::{CloudResult, Tags};

/// Which object of a stack: its kind and its name within the kind. The
/// object's `todo:component` tag is [`Key::tag`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The kind ([`Kind::NAME`]).
    pub kind: &'static str,
    /// The name within the kind; empty for a kind with one object per stack.
    pub name: String,
}

impl Key {
    /// The key of `kind` named `name`.
    pub fn new(kind: &'static str, name: impl Into<String>) -> Key {
        Key {
            kind,
            name: name.into(),
        }
    }

    /// The value of the object's `todo:component` tag.
    pub fn tag(&self) -> String {
        if self.name.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}-{}", self.kind, self.name)
        }
    }

    /// The key a `todo:component` tag names, when it is of `kind`.
    pub fn parse(kind: &'static str, tag: &str) -> Option<Key> {
        if tag == kind {
            return Some(Key::new(kind, ""));
        }
        let name = tag.strip_prefix(kind)?.strip_prefix('-')?;
        (!name.is_empty()).then(|| Key::new(kind, name))
    }
}

impl Key {
    /// The name, or the kind when the kind has one object per stack.
    pub fn name_or_kind(&self) -> &str {
        if self.name.is_empty() {
            self.kind
        } else {
            &self.name
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag())
    }
}

/// How an object depends on another of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// It needs the other created and converged before it is created (a
    /// subnet needs its VPC; a NAT gateway needs the internet gateway
    /// attached).
    Ready,
    /// It only needs the other to exist when it converges (two security
    /// groups whose rules name each other).
    Exists,
    /// Like [`Link::Ready`], and the other serves one object at a time: when
    /// this object is replaced, the other is replaced with it, so the new
    /// object can be created before the old one is deleted (a NAT gateway's
    /// Elastic IP).
    Exclusive,
}

/// A dependency of a desired object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The object depended on.
    pub key: Key,
    /// How.
    pub link: Link,
}

impl Dep {
    /// Needs `key` ready first.
    pub fn ready(key: Key) -> Dep {
        Dep {
            key,
            link: Link::Ready,
        }
    }

    /// Needs `key` to exist when converging.
    pub fn exists(key: Key) -> Dep {
        Dep {
            key,
            link: Link::Exists,
        }
    }

    /// Needs `key` ready first, and replaces it when replaced.
    pub fn exclusive(key: Key) -> Dep {
        Dep {
            key,
            link: Link::Exclusive,
        }
    }
}

/// What the planner needs to know of an observed object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    /// The AWS id (`vpc-...`, a key id, ...).
    pub id: String,
    /// Its tags.
    pub tags: Tags,
    /// When AWS says it was created, where AWS reports it.
    pub created: Option<SystemTime>,
    /// Ids of other objects it uses or points at (its VPC, the subnets a
    /// route table is associated with, a route's target, a rule's group).
    /// An object is deleted only after every object referring to it has been
    /// updated or deleted.
    pub refs: Vec<String>,
}

/// One difference between an object and its desired spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What differs, in words: `map_public_ip_on_launch: false -> true`.
    pub what: String,
    /// Whether AWS can only make it by replacing the object.
    pub replaces: bool,
}

impl Change {
    /// A difference converged in place.
    pub fn update(what: impl Into<String>) -> Change {
        Change {
            what: what.into(),
            replaces: false,
        }
    }

    /// A difference that needs a new object.
    pub fn replace(what: impl Into<String>) -> Change {
        Change {
            what: what.into(),
            replaces: true,
        }
    }
}

/// The ids of the stack's objects, by key, as known at some point of a
/// plan or an apply. A key without an id is an object not created yet (or
/// being replaced): anything that compares against it sees a difference.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ids(pub BTreeMap<Key, String>);

impl Ids {
    /// The id of `key`, if known.
    pub fn get(&self, key: &Key) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The id of `key`, or an error saying it is needed and not known (a
    /// graph bug: steps run after their dependencies).
    pub fn need(&self, key: &Key) -> CloudResult<String> {
        self.get(key)
            .map(str::to_string)
            .ok_or_else(|| crate::cloud::CloudError::Service {
                code: "Internal".into(),
                message: format!("{key} is needed and not known yet"),
            })
    }

    /// Whether `id` is what `key` is known as.
    pub fn is(&self, key: &Key, id: &str) -> bool {
        self.get(key) == Some(id)
    }
}

/// Where a waited-for object stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Done (ready, or gone).
    Done,
    /// Not yet.
    Pending,
    /// It will never get there (a NAT gateway that failed).
    Failed(String),
}

/// How long an object usually takes to become ready or to go, so that
/// waiters poll near the expected completion instead of at a fixed rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expect {
    /// From the create call to ready; zero when ready at once.
    pub ready: Duration,
    /// From the delete call to gone; zero when gone at once.
    pub gone: Duration,
    /// From an in-place update to ready again; zero when an update takes
    /// effect at once (EKS: the cluster or node group is `UPDATING` first).
    pub updated: Duration,
}

/// One AWS object kind: how to observe, create, converge and delete its
/// objects through the cloud traits. One file per kind under `kinds/`.
#[async_trait]
pub trait Kind: Send + Sync + 'static {
    /// What the stack wants of one object (references to other objects of
    /// the stack are [`Key`]s, resolved through [`Ids`]).
    type Spec: fmt::Debug + Clone + Send + Sync + 'static;
    /// What AWS reports of one object.
    type Seen: fmt::Debug + Clone + Send + Sync + 'static;

    /// The kind's name: the first word of its objects' `todo:component` tags.
    const NAME: &'static str;
    /// What one object is called in messages: `subnet`, `NAT gateway`.
    const NOUN: &'static str;

    /// The objects `spec` depends on.
    fn deps(spec: &Self::Spec) -> Vec<Dep>;

    /// The planner's view of an observed object.
    fn meta(seen: &Self::Seen) -> Meta;

    /// How `seen` differs from `spec`, tags aside. A reference whose id is
    /// not known in `ids` differs.
    fn diff(spec: &Self::Spec, seen: &Self::Seen, ids: &Ids) -> Vec<Change>;

    /// Every object of this kind tagged `todo:stack = stack`, in one call
    /// (a tag-filtered describe or a batch API), objects already going away
    /// left out. A kind that can only list by name or path may return more:
    /// [`crate::reconcile::Inventory::observe`] keeps those of the stack.
    async fn observe(&self, stack: &str) -> CloudResult<Vec<Self::Seen>>;

    /// Creates the object with `tags` set by the create call itself. It
    /// need not converge every attribute: [`Kind::update`] runs next when
    /// [`Kind::diff`] still finds differences.
    async fn create(&self, spec: &Self::Spec, ids: &Ids, tags: &Tags) -> CloudResult<Self::Seen>;

    /// Converges `seen`'s attributes to `spec` in place.
    async fn update(&self, spec: &Self::Spec, seen: &Self::Seen, ids: &Ids) -> CloudResult<()>;

    /// Sets `set` and removes `remove` from the object's tags.
    async fn retag(&self, seen: &Self::Seen, set: &Tags, remove: &[String]) -> CloudResult<()>;

    /// Deletes the object. `NotFound` means done; a dependency AWS still
    /// holds is [`crate::cloud::CloudError::DependencyViolation`] (retried).
    async fn delete(&self, seen: &Self::Seen) -> CloudResult<()>;

    /// How long its objects take to become ready and to go.
    fn expect(&self) -> Expect {
        Expect::default()
    }

    /// Whether a created object is ready (polled when `expect().ready` is
    /// not zero).
    async fn ready(&self, _id: &str) -> CloudResult<Progress> {
        Ok(Progress::Done)
    }

    /// Whether a deleted object is gone (polled when `expect().gone` is not
    /// zero).
    async fn gone(&self, _id: &str) -> CloudResult<Progress> {
        Ok(Progress::Done)
    }

    /// Why `seen` must not be deleted (deletion protection, a bucket that
    /// holds data): asked of every object an operation would delete before
    /// it deletes anything, so a refusal leaves the whole stack as it was.
    /// `None`: it may go.
    async fn refuse_delete(&self, _seen: &Self::Seen) -> CloudResult<Option<String>> {
        Ok(None)
    }

    /// Ids of other objects that must outlive `seen` once it is deleted,
    /// with why (a database's final snapshot needs the key encrypting it):
    /// a destroy releases them from the stack instead of deleting them.
    fn retains(_seen: &Self::Seen) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Releases `seen` from the stack instead of deleting it: its stack
    /// tags go and [`TAG_RETAINED`] says `why`, so no apply or destroy of
    /// the stack sees it again.
    async fn release(&self, seen: &Self::Seen, why: &str) -> CloudResult<()> {
        let set: Tags = [(TAG_RETAINED.to_string(), why.to_string())].into();
        let mut remove = released_tags();
        remove.push(TAG_RETAIN.to_string());
        self.retag(seen, &set, &remove).await
    }
}

/// Tag on an object a destroy kept for data that outlives the stack.
pub const TAG_RETAINED: &str = "todo:retained";

/// Tag on an object of the stack that must outlive it (it encrypts a final
/// snapshot): written before anything is deleted, so every later destroy,
/// also one continuing a failed one, releases the object instead of
/// deleting it. Never removed by tag convergence.
pub const TAG_RETAIN: &str = "todo:retain-on-destroy";

/// The tags a released object loses: those that make it the stack's.
pub fn released_tags() -> Vec<String> {
    [
        crate::cloud::TAG_STACK,
        crate::cloud::TAG_COMPONENT,
        super::inventory::TAG_STACK_ID,
        super::inventory::TAG_COMPLETE,
    ]
    .map(String::from)
    .to_vec()
}

/// An observed object of any kind, as the planner and runner hold it.
#[derive(Clone)]
pub struct Observed {
    /// Its kind's name.
    pub kind: &'static str,
    /// The key its `todo:component` tag names (`None`: not parseable).
    pub key: Option<Key>,
    /// Its metadata.
    pub meta: Meta,
    /// The kind's own value ([`Kind::Seen`]).
    pub(crate) seen: Arc<dyn Any + Send + Sync>,
}

impl fmt::Debug for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observed")
            .field("kind", &self.kind)
            .field("key", &self.key)
            .field("id", &self.meta.id)
            .finish()
    }
}

/// A desired object of any kind.
#[derive(Clone)]
pub struct Desired {
    /// Its key.
    pub key: Key,
    /// What it depends on.
    pub deps: Vec<Dep>,
    /// Tags beyond the stack's own (e.g. Kubernetes discovery tags).
    pub extra_tags: Tags,
    pub(crate) spec: Arc<dyn Any + Send + Sync>,
}

impl fmt::Debug for Desired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Desired")
            .field("key", &self.key)
            .field("deps", &self.deps)
            .finish()
    }
}

impl Desired {
    /// The desired object `name` of kind `K`.
    pub fn new<K: Kind>(name: impl Into<String>, spec: K::Spec) -> Desired {
        Desired {
            key: Key::new(K::NAME, name),
            deps: K::deps(&spec),
            extra_tags: Tags::new(),
            spec: Arc::new(spec),
        }
    }

    /// With extra tags.
    pub fn with_tags(mut self, tags: Tags) -> Desired {
        self.extra_tags = tags;
        self
    }

    /// The typed spec, when this is of kind `K`.
    pub fn spec<K: Kind>(&self) -> Option<&K::Spec> {
        self.spec.downcast_ref::<K::Spec>()
    }
}

impl Observed {
    /// The typed value, when this is of kind `K`.
    pub fn seen<K: Kind>(&self) -> Option<&K::Seen> {
        self.seen.downcast_ref::<K::Seen>()
    }
}

/// A kind with its types erased, so the planner and the runner can hold
/// every kind in one list. Implemented for every [`Kind`] through
/// [`Erased`].
#[async_trait]
pub trait AnyKind: Send + Sync {
    /// [`Kind::NAME`].
    fn name(&self) -> &'static str;
    /// [`Kind::NOUN`].
    fn noun(&self) -> &'static str;
    /// [`Kind::observe`], as [`Observed`] values.
    async fn observe(&self, stack: &str) -> CloudResult<Vec<Observed>>;
    /// [`Kind::diff`].
    fn diff(&self, desired: &Desired, observed: &Observed, ids: &Ids) -> Vec<Change>;
    /// [`Kind::create`].
    async fn create(&self, desired: &Desired, ids: &Ids, tags: &Tags) -> CloudResult<Observed>;
    /// [`Kind::update`].
    async fn update(&self, desired: &Desired, observed: &Observed, ids: &Ids) -> CloudResult<()>;
    /// [`Kind::retag`].
    async fn retag(&self, observed: &Observed, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// [`Kind::delete`].
    async fn delete(&self, observed: &Observed) -> CloudResult<()>;
    /// [`Kind::expect`].
    fn expect(&self) -> Expect;
    /// [`Kind::ready`].
    async fn ready(&self, id: &str) -> CloudResult<Progress>;
    /// [`Kind::gone`].
    async fn gone(&self, id: &str) -> CloudResult<Progress>;
    /// [`Kind::refuse_delete`].
    async fn refuse_delete(&self, observed: &Observed) -> CloudResult<Option<String>>;
    /// [`Kind::retains`].
    fn retains(&self, observed: &Observed) -> Vec<(String, String)>;
    /// [`Kind::release`].
    async fn release(&self, observed: &Observed, why: &str) -> CloudResult<()>;
}

/// A [`Kind`] behind [`AnyKind`].
pub struct Erased<K: Kind>(pub K);

fn mismatch(kind: &str) -> crate::cloud::CloudError {
    crate::cloud::CloudError::Service {
        code: "Internal".into(),
        message: format!("an object was handed to the wrong kind ({kind})"),
    }
}

impl<K: Kind> Erased<K> {
    fn wrap(seen: K::Seen) -> Observed {
        let meta = K::meta(&seen);
        let key = meta
            .tags
            .get(crate::cloud::TAG_COMPONENT)
            .and_then(|t| Key::parse(K::NAME, t));
        Observed {
            kind: K::NAME,
            key,
            meta,
            seen: Arc::new(seen),
        }
    }
}

#[async_trait]
impl<K: Kind> AnyKind for Erased<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn noun(&self) -> &'static str {
        K::NOUN
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Observed>> {
        Ok(self
            .0
            .observe(stack)
            .await?
            .into_iter()
            .map(Self::wrap)
            .collect())
    }

    fn diff(&self, desired: &Desired, observed: &Observed, ids: &Ids) -> Vec<Change> {
        match (desired.spec::<K>(), observed.seen::<K>()) {
            (Some(spec), Some(seen)) => K::diff(spec, seen, ids),
            _ => vec![Change::replace(format!("not a {}", K::NOUN))],
        }
    }

    async fn create(&self, desired: &Desired, ids: &Ids, tags: &Tags) -> CloudResult<Observed> {
        let spec = desired.spec::<K>().ok_or_else(|| mismatch(K::NAME))?;
        Ok(Self::wrap(self.0.create(spec, ids, tags).await?))
    }

    async fn update(&self, desired: &Desired, observed: &Observed, ids: &Ids) -> CloudResult<()> {
        let spec = desired.spec::<K>().ok_or_else(|| mismatch(K::NAME))?;
        let seen = observed.seen::<K>().ok_or_else(|| mismatch(K::NAME))?;
        self.0.update(spec, seen, ids).await
    }

    async fn retag(&self, observed: &Observed, set: &Tags, remove: &[String]) -> CloudResult<()> {
        let seen = observed.seen::<K>().ok_or_else(|| mismatch(K::NAME))?;
        self.0.retag(seen, set, remove).await
    }

    async fn delete(&self, observed: &Observed) -> CloudResult<()> {
        let seen = observed.seen::<K>().ok_or_else(|| mismatch(K::NAME))?;
        self.0.delete(seen).await
    }

    fn expect(&self) -> Expect {
        self.0.expect()
    }

    async fn ready(&self, id: &str) -> CloudResult<Progress> {
        self.0.ready(id).await
    }

    async fn gone(&self, id: &str) -> CloudResult<Progress> {
        self.0.gone(id).await
    }

    async fn refuse_delete(&self, observed: &Observed) -> CloudResult<Option<String>> {
        let seen = observed.seen::<K>().ok_or_else(|| mismatch(K::NAME))?;
        self.0.refuse_delete(seen).await
    }

    fn retains(&self, observed: &Observed) -> Vec<(String, String)> {
        observed.seen::<K>().map(K::retains).unwrap_or_default()
    }

    async fn release(&self, observed: &Observed, why: &str) -> CloudResult<()> {
        let seen = observed.seen::<K>().ok_or_else(|| mismatch(K::NAME))?;
        self.0.release(seen, why).await
    }
}

/// Boxes a kind for the planner's list.
pub fn erase<K: Kind>(kind: K) -> Arc<dyn AnyKind> {
    Arc::new(Erased(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_tag() {
        let k = Key::new("subnet", "public-us-east-1a");
        assert_eq!(k.tag(), "subnet-public-us-east-1a");
        assert_eq!(Key::parse("subnet", &k.tag()), Some(k));
        assert_eq!(Key::parse("vpc", "vpc"), Some(Key::new("vpc", "")));
        assert_eq!(Key::parse("vpc", "vpcx"), None);
        assert_eq!(Key::parse("rt", "subnet-public-a"), None);
        assert_eq!(Key::parse("sg", "sg-"), None);
    }
}
