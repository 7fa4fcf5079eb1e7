//! What the engine may ask of CloudWatch Logs, SNS, CloudWatch (alarms and
//! dashboards) and EC2 flow logs: the stack's monitoring. Plain types
//! only; the SDK stays behind [`super::aws`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;

use super::{CloudResult, Tags};

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    /// Its name (unique in the region).
    pub name: String,
    /// Its ARN, without the `:*` suffix.
    pub arn: String,
    /// Days its events are kept (`None`: forever).
    pub retention_days: Option<i32>,
    /// ARN of the KMS key encrypting it (`None`: CloudWatch's own key).
    pub kms_key: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// A subscription of an SNS topic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subscription {
    /// `email`, `https`, `sqs`, `lambda`.
    pub protocol: String,
    /// The address, URL or ARN.
    pub endpoint: String,
    /// Its ARN; `None` while it waits for the endpoint to confirm (AWS
    /// then lists `PendingConfirmation`, and it cannot be removed).
    pub arn: Option<String>,
}

/// An SNS topic with its subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Its ARN (`arn:aws:sns:<region>:<account>:<name>`).
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The KMS key encrypting its messages, as set (`None`: unencrypted).
    pub kms_key: Option<String>,
    /// Its access policy (JSON), as AWS returns it.
    pub policy: Option<String>,
    /// Its subscriptions.
    pub subscriptions: Vec<Subscription>,
    /// Tags.
    pub tags: Tags,
}

/// What a CloudWatch metric alarm watches and when it fires: everything
/// PutMetricAlarm sets, with every reference already an id or ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDefinition {
    /// Its description (it names the stack and the object).
    pub description: String,
    /// Metric namespace (`AWS/RDS`).
    pub namespace: String,
    /// Metric name (`CPUUtilization`).
    pub metric: String,
    /// `Average`, `Maximum`, `Minimum`, `Sum`.
    pub statistic: String,
    /// Metric dimensions.
    pub dimensions: BTreeMap<String, String>,
    /// Seconds per datapoint.
    pub period: i32,
    /// Datapoints evaluated.
    pub evaluation_periods: i32,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
    /// `GreaterThanThreshold`, `LessThanThreshold`, ...
    pub comparison: String,
    /// `missing`, `notBreaching`, `breaching`, `ignore`.
    pub treat_missing_data: String,
    /// ARNs notified on ALARM.
    pub alarm_actions: Vec<String>,
    /// ARNs notified on OK.
    pub ok_actions: Vec<String>,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// What it watches.
    pub definition: AlarmDefinition,
    /// Tags.
    pub tags: Tags,
}

/// A CloudWatch dashboard (dashboards take no tags: the stack records its
/// own in the body, see `kinds::dashboard`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Its name (unique in the account: dashboards are global).
    pub name: String,
    /// Its body (JSON).
    pub body: String,
}

/// An EC2 flow log of a VPC to a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowLog {
    /// `fl-...`.
    pub id: String,
    /// The VPC it records.
    pub vpc_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic: String,
    /// The log group it delivers to.
    pub log_group: String,
    /// The role it delivers with.
    pub role_arn: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// CloudWatch Logs, SNS, CloudWatch and EC2 flow logs.
#[async_trait]
pub trait MonitoringApi: Send + Sync + 'static {
    /// Log groups tagged `todo:stack = stack`.
    async fn list_log_groups(&self, stack: &str) -> CloudResult<Vec<LogGroup>>;
    /// Creates a log group encrypted with `kms_key` (set at creation:
    /// associating a key later is a separate call), with `tags`.
    /// `AlreadyExists` when the name is taken.
    async fn create_log_group(
        &self,
        name: &str,
        kms_key: Option<&str>,
        tags: &Tags,
    ) -> CloudResult<LogGroup>;
    /// The log group `name` as it is now, with its tags (`None`: none of
    /// that name).
    async fn get_log_group(&self, name: &str) -> CloudResult<Option<LogGroup>>;
    /// Keeps the group's events `days` days.
    async fn set_log_retention(&self, name: &str, days: i32) -> CloudResult<()>;
    /// Encrypts the group with `kms_key`.
    async fn set_log_group_key(&self, name: &str, kms_key: &str) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the group's tags.
    async fn retag_log_group(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the log group and its events.
    async fn delete_log_group(&self, name: &str) -> CloudResult<()>;

    /// Topics tagged `todo:stack = stack`, with attributes and
    /// subscriptions.
    async fn list_topics(&self, stack: &str) -> CloudResult<Vec<Topic>>;
    /// Creates a topic encrypted with `kms_key`, with `tags`.
    async fn create_topic(&self, name: &str, kms_key: &str, tags: &Tags) -> CloudResult<Topic>;
    /// Sets a topic attribute (`Policy`, `KmsMasterKeyId`).
    async fn set_topic_attribute(&self, arn: &str, name: &str, value: &str) -> CloudResult<()>;
    /// Subscribes `endpoint` over `protocol`.
    async fn subscribe(&self, topic_arn: &str, protocol: &str, endpoint: &str) -> CloudResult<()>;
    /// Removes a confirmed subscription.
    async fn unsubscribe(&self, subscription_arn: &str) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the topic's tags.
    async fn retag_topic(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the topic (and its subscriptions).
    async fn delete_topic(&self, arn: &str) -> CloudResult<()>;

    /// Alarms named `prefix...` tagged `todo:stack = stack`.
    async fn list_alarms(&self, prefix: &str, stack: &str) -> CloudResult<Vec<Alarm>>;
    /// Creates (with `tags`) or, when `tags` is `None`, updates the alarm
    /// `name` to `definition`.
    async fn put_alarm(
        &self,
        name: &str,
        definition: &AlarmDefinition,
        tags: Option<&Tags>,
    ) -> CloudResult<Alarm>;
    /// Sets `set` and removes `remove` from the alarm's tags.
    async fn retag_alarm(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the alarm.
    async fn delete_alarm(&self, name: &str) -> CloudResult<()>;

    /// The dashboard `name` (`None`: none of that name).
    async fn get_dashboard(&self, name: &str) -> CloudResult<Option<Dashboard>>;
    /// Creates or replaces the dashboard `name`.
    async fn put_dashboard(&self, name: &str, body: &str) -> CloudResult<()>;
    /// Deletes the dashboard.
    async fn delete_dashboard(&self, name: &str) -> CloudResult<()>;

    /// Flow logs tagged `todo:stack = stack`.
    async fn list_flow_logs(&self, stack: &str) -> CloudResult<Vec<FlowLog>>;
    /// Records all traffic of `vpc_id` to `log_group`, delivered with
    /// `role_arn`, with `tags`.
    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &Tags,
    ) -> CloudResult<FlowLog>;
    /// Sets `set` and removes `remove` from the flow log's tags.
    async fn retag_flow_log(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the flow log.
    async fn delete_flow_log(&self, id: &str) -> CloudResult<()>;
}
