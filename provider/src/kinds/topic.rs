//! The stack's SNS topic: where its alarms go. Encrypted with the stack's
//! key; its policy lets the account administer it and CloudWatch alarms of
//! the account publish to it; its subscriptions converge to
//! `monitoring.subscriptions` (one awaiting confirmation counts as there:
//! AWS cannot remove it, and it lapses by itself after three days).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use crate::cloud::monitoring::{MonitoringApi, Topic};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// SNS topics.
pub struct Topics(pub Arc<dyn MonitoringApi>);

/// What the stack wants of its topic.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSpec {
    /// Its name (`<stack>-alerts`).
    pub name: String,
    /// The stack's key.
    pub key: Key,
    /// `(protocol, endpoint)` of each subscription.
    pub subscriptions: BTreeSet<(String, String)>,
}

/// The access policy of the topic `arn`: the owning account administers
/// it, and CloudWatch alarms of that account may publish to it.
pub fn topic_policy(arn: &str) -> String {
    let account = arn.split(':').nth(4).unwrap_or_default();
    json!({
        "Version": "2012-10-17",
        "Id": "todo-stack-alerts",
        "Statement": [
            {
                "Sid": "OwnerAdministers",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
                "Action": [
                    "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission",
                    "sns:RemovePermission", "sns:DeleteTopic", "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic", "sns:Publish"
                ],
                "Resource": arn,
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": { "Service": "cloudwatch.amazonaws.com" },
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": { "StringEquals": { "aws:SourceAccount": account } },
            },
        ],
    })
    .to_string()
}

fn wanted(spec: &TopicSpec) -> impl Iterator<Item = &(String, String)> {
    spec.subscriptions.iter()
}

fn has(seen: &Topic, protocol: &str, endpoint: &str) -> bool {
    seen.subscriptions
        .iter()
        .any(|s| s.protocol == protocol && s.endpoint == endpoint)
}

#[async_trait]
impl Kind for Topics {
    type Spec = TopicSpec;
    type Seen = Topic;
    const NAME: &'static str = "topic";
    const NOUN: &'static str = "SNS topic";

    fn deps(spec: &TopicSpec) -> Vec<Dep> {
        vec![Dep::ready(spec.key.clone())]
    }

    fn meta(seen: &Topic) -> Meta {
        Meta {
            id: seen.arn.clone(),
            tags: seen.tags.clone(),
            created: None,
            refs: seen.kms_key.clone().into_iter().collect(),
        }
    }

    fn diff(spec: &TopicSpec, seen: &Topic, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        if seen.name != spec.name {
            out.push(Change::replace(format!(
                "name: {} -> {}",
                seen.name, spec.name
            )));
        }
        let key = ids.get(&spec.key);
        if key.is_none() || seen.kms_key.as_deref() != key {
            out.push(Change::update(format!(
                "key: {} -> {}",
                seen.kms_key.as_deref().unwrap_or("none"),
                key.unwrap_or("the stack's new key")
            )));
        }
        if !seen
            .policy
            .as_deref()
            .is_some_and(|p| super::same_json(p, &topic_policy(&seen.arn)))
        {
            out.push(Change::update(
                "policy: differs from the stack's (account administers, CloudWatch alarms publish)",
            ));
        }
        for (protocol, endpoint) in wanted(spec) {
            if !has(seen, protocol, endpoint) {
                out.push(Change::update(format!(
                    "subscription {protocol} {endpoint}: missing"
                )));
            }
        }
        for s in &seen.subscriptions {
            if s.arn.is_some()
                && !spec
                    .subscriptions
                    .contains(&(s.protocol.clone(), s.endpoint.clone()))
            {
                out.push(Change::update(format!(
                    "subscription {} {}: not in the configuration",
                    s.protocol, s.endpoint
                )));
            }
        }
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Topic>> {
        self.0.list_topics(stack).await
    }

    async fn create(&self, spec: &TopicSpec, ids: &Ids, tags: &Tags) -> CloudResult<Topic> {
        let key = ids.need(&spec.key)?;
        self.0.create_topic(&spec.name, &key, tags).await
    }

    async fn update(&self, spec: &TopicSpec, seen: &Topic, ids: &Ids) -> CloudResult<()> {
        if let Some(key) = ids.get(&spec.key)
            && seen.kms_key.as_deref() != Some(key)
        {
            self.0
                .set_topic_attribute(&seen.arn, "KmsMasterKeyId", key)
                .await?;
        }
        let policy = topic_policy(&seen.arn);
        if !seen
            .policy
            .as_deref()
            .is_some_and(|p| super::same_json(p, &policy))
        {
            self.0
                .set_topic_attribute(&seen.arn, "Policy", &policy)
                .await?;
        }
        for (protocol, endpoint) in wanted(spec) {
            if !has(seen, protocol, endpoint) {
                self.0.subscribe(&seen.arn, protocol, endpoint).await?;
            }
        }
        for s in &seen.subscriptions {
            if let Some(arn) = &s.arn
                && !spec
                    .subscriptions
                    .contains(&(s.protocol.clone(), s.endpoint.clone()))
            {
                super::ignore_not_found(self.0.unsubscribe(arn).await)?;
            }
        }
        Ok(())
    }

    async fn retag(&self, seen: &Topic, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_topic(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &Topic) -> CloudResult<()> {
        super::ignore_not_found(self.0.delete_topic(&seen.arn).await)
    }
}
