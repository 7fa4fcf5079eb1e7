//! The stack's IAM roles (the cluster's and the nodes'), with their
//! AWS-managed policies. IAM is global: a role's path and name carry the
//! region, so stacks of one name in two regions never share a role.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::cluster::{IamApi, NewRole, Role};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Kind, Meta};

/// IAM roles of a stack in one region.
pub struct Roles {
    /// IAM.
    pub iam: Arc<dyn IamApi>,
    /// The region the stack lives in.
    pub region: String,
}

/// The path of a stack's roles: `/todo/<region>/<stack>/`.
pub fn role_path(region: &str, stack: &str) -> String {
    format!("/todo/{region}/{stack}/")
}

/// The name of a stack's role: `<stack>-<region>-<role>` (at most 32 + 1 +
/// 14 + 1 + 7 characters, within IAM's 64).
pub fn role_name(region: &str, stack: &str, role: &str) -> String {
    format!("{stack}-{region}-{role}")
}

/// The ARN of an AWS-managed policy.
pub fn managed_policy(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

/// What the stack wants of one role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpec {
    /// Its path.
    pub path: String,
    /// Its name.
    pub name: String,
    /// The service that assumes it.
    pub service: String,
    /// The managed policies attached to it, exactly.
    pub policies: Vec<String>,
    /// Its description.
    pub description: String,
    /// Its inline policy (JSON), when it has one (the role is then tagged
    /// [`crate::cloud::cluster::TAG_INLINE_POLICY`] by the blueprint).
    pub inline_policy: Option<String>,
}

#[async_trait]
impl Kind for Roles {
    type Spec = RoleSpec;
    type Seen = Role;
    const NAME: &'static str = "role";
    const NOUN: &'static str = "IAM role";

    fn deps(_: &RoleSpec) -> Vec<Dep> {
        Vec::new()
    }

    fn meta(seen: &Role) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: seen.created,
            refs: Vec::new(),
        }
    }

    fn diff(spec: &RoleSpec, seen: &Role, _: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if seen.name != spec.name {
            changes.push(Change::replace(format!(
                "named {} instead of {}",
                seen.name, spec.name
            )));
        }
        if seen.service != spec.service {
            changes.push(Change::update(format!(
                "trust policy: assumable by {:?} instead of {}",
                seen.service, spec.service
            )));
        }
        for p in spec.policies.iter().filter(|p| !seen.policies.contains(p)) {
            changes.push(Change::update(format!("policy {p} not attached")));
        }
        for p in seen.policies.iter().filter(|p| !spec.policies.contains(p)) {
            changes.push(Change::update(format!(
                "policy {p} attached outside the configuration"
            )));
        }
        if let Some(want) = &spec.inline_policy
            && !seen
                .inline_policy
                .as_deref()
                .is_some_and(|have| super::same_json(have, want))
        {
            changes.push(Change::update(format!(
                "inline policy {}: {}",
                crate::cloud::cluster::INLINE_POLICY,
                if seen.inline_policy.is_some() {
                    "differs"
                } else {
                    "missing"
                }
            )));
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Role>> {
        self.iam.list_roles(&role_path(&self.region, stack)).await
    }

    async fn create(&self, spec: &RoleSpec, _: &Ids, tags: &Tags) -> CloudResult<Role> {
        let role = NewRole {
            path: spec.path.clone(),
            name: spec.name.clone(),
            service: spec.service.clone(),
            description: spec.description.clone(),
        };
        self.iam.create_role(&role, tags).await
    }

    async fn update(&self, spec: &RoleSpec, seen: &Role, _: &Ids) -> CloudResult<()> {
        if seen.service != spec.service {
            self.iam.update_trust(&seen.name, &spec.service).await?;
        }
        for p in spec.policies.iter().filter(|p| !seen.policies.contains(p)) {
            self.iam.attach_policy(&seen.name, p).await?;
        }
        for p in seen.policies.iter().filter(|p| !spec.policies.contains(p)) {
            super::ignore_not_found(self.iam.detach_policy(&seen.name, p).await)?;
        }
        if let Some(want) = &spec.inline_policy
            && !seen
                .inline_policy
                .as_deref()
                .is_some_and(|have| super::same_json(have, want))
        {
            self.iam.put_inline_policy(&seen.name, want).await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Role, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.iam.retag_role(&seen.name, set, remove).await
    }

    async fn delete(&self, seen: &Role) -> CloudResult<()> {
        self.iam.delete_role(&seen.name).await
    }
}
