//! A security group and its rules. Rules converge exactly: a missing rule
//! is added, a rule nobody configured (opened out of band) is revoked;
//! AWS's default allow-all egress is kept.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudResult, NetworkApi, Rule, RulePeer, SecurityGroup, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

use super::ignore_not_found;

/// Security groups, on EC2.
pub struct SecurityGroups(pub Arc<dyn NetworkApi>);

/// Where a desired rule lets traffic come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// A security group of the stack.
    Group(Key),
    /// An IPv4 range.
    Cidr(String),
}

/// A desired ingress rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    /// First port (-1 for all).
    pub from_port: i32,
    /// Last port (-1 for all).
    pub to_port: i32,
    /// Source.
    pub peer: Peer,
    /// Description.
    pub description: String,
}

impl RuleSpec {
    fn resolve(&self, ids: &Ids) -> Option<Rule> {
        Some(Rule {
            egress: false,
            protocol: self.protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            peer: match &self.peer {
                Peer::Group(k) => RulePeer::Group(ids.get(k)?.to_string()),
                Peer::Cidr(c) => RulePeer::Cidr(c.clone()),
            },
            description: self.description.clone(),
        })
    }
}

/// What the stack wants of one security group.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroupSpec {
    /// Its VPC.
    pub vpc: Key,
    /// Group name (unique in the VPC).
    pub name: String,
    /// Description (fixed at creation).
    pub description: String,
    /// Ingress rules.
    pub rules: Vec<RuleSpec>,
}

fn default_egress(rule: &Rule) -> bool {
    rule.egress && rule.protocol == "-1" && rule.peer == RulePeer::Cidr("0.0.0.0/0".into())
}

fn rule_text(r: &Rule) -> String {
    let peer = match &r.peer {
        RulePeer::Group(g) => g.clone(),
        RulePeer::Cidr(c) => c.clone(),
    };
    let ports = if r.protocol == "-1" {
        "all traffic".to_string()
    } else if r.from_port == r.to_port {
        format!("{} {}", r.protocol, r.from_port)
    } else {
        format!("{} {}-{}", r.protocol, r.from_port, r.to_port)
    };
    let dir = if r.egress { "to" } else { "from" };
    format!("{ports} {dir} {peer}")
}

#[async_trait]
impl Kind for SecurityGroups {
    type Spec = SecurityGroupSpec;
    type Seen = SecurityGroup;
    const NAME: &'static str = "sg";
    const NOUN: &'static str = "security group";

    fn deps(spec: &SecurityGroupSpec) -> Vec<Dep> {
        let mut deps = vec![Dep::ready(spec.vpc.clone())];
        for r in &spec.rules {
            if let Peer::Group(k) = &r.peer {
                deps.push(Dep::exists(k.clone()));
            }
        }
        deps
    }

    fn meta(seen: &SecurityGroup) -> Meta {
        // Rules naming other groups are not listed: deleting a group revokes
        // its own rules first, so groups that name each other can go.
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            refs: vec![seen.vpc_id.clone()],
            ..Meta::default()
        }
    }

    fn diff(spec: &SecurityGroupSpec, seen: &SecurityGroup, ids: &Ids) -> Vec<Change> {
        if !ids.is(&spec.vpc, &seen.vpc_id) {
            return vec![Change::replace("its VPC is replaced")];
        }
        let mut changes = Vec::new();
        let wanted: Vec<Option<Rule>> = spec.rules.iter().map(|r| r.resolve(ids)).collect();
        for (want, spec_rule) in wanted.iter().zip(&spec.rules) {
            match want {
                Some(w) if seen.rules.iter().any(|r| r.same_traffic(w)) => {}
                Some(w) => changes.push(Change::update(format!("add rule: {}", rule_text(w)))),
                None => changes.push(Change::update(format!(
                    "add rule: {}",
                    spec_rule.description
                ))),
            }
        }
        for r in &seen.rules {
            let configured = wanted.iter().flatten().any(|w| w.same_traffic(r));
            if !configured && !default_egress(r) {
                changes.push(Change::update(format!(
                    "remove rule not in the configuration: {}",
                    rule_text(r)
                )));
            }
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<SecurityGroup>> {
        self.0.list_security_groups(stack).await
    }

    async fn create(
        &self,
        spec: &SecurityGroupSpec,
        ids: &Ids,
        tags: &Tags,
    ) -> CloudResult<SecurityGroup> {
        let vpc = ids.need(&spec.vpc)?;
        self.0
            .create_security_group(&vpc, &spec.name, &spec.description, tags)
            .await
    }

    async fn update(
        &self,
        spec: &SecurityGroupSpec,
        seen: &SecurityGroup,
        ids: &Ids,
    ) -> CloudResult<()> {
        let mut wanted = Vec::new();
        for r in &spec.rules {
            if let Peer::Group(k) = &r.peer {
                ids.need(k)?;
            }
            wanted.extend(r.resolve(ids));
        }
        for w in &wanted {
            if !seen.rules.iter().any(|r| r.same_traffic(w)) {
                self.0.authorize_rule(&seen.id, w).await?;
            }
        }
        for r in &seen.rules {
            if !default_egress(r) && !wanted.iter().any(|w| w.same_traffic(r)) {
                ignore_not_found(self.0.revoke_rule(&seen.id, r).await)?;
            }
        }
        Ok(())
    }

    async fn retag(&self, seen: &SecurityGroup, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &SecurityGroup) -> CloudResult<()> {
        for r in seen
            .rules
            .iter()
            .filter(|r| matches!(r.peer, RulePeer::Group(_)))
        {
            ignore_not_found(self.0.revoke_rule(&seen.id, r).await)?;
        }
        self.0.delete_security_group(&seen.id).await
    }
}
