//! CloudWatch Logs, SNS, CloudWatch and EC2 flow logs of the in-memory
//! cloud: log groups (a key must exist and be enabled), topics with
//! subscriptions (email and https ones wait for confirmation, as on AWS:
//! [`SimCloud::confirm_subscriptions`]), metric alarms (tags only at
//! creation; PutMetricAlarm replaces every setting), dashboards (the body
//! must be JSON with a `widgets` list) and flow logs (the VPC must exist,
//! the role must be assumable by the flow-logs service, one per VPC and
//! log group).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{
    CloudError, CloudResult, Entry, KeyState, Map, SimCloud, Tags, World, get, get_mut, in_stack,
    insert, not_found, retag_map, service,
};
use crate::cloud::monitoring::{
    Alarm, AlarmDefinition, Dashboard, FlowLog, LogGroup, MonitoringApi, Subscription, Topic,
};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// The monitoring objects of the world.
#[derive(Debug, Default)]
pub(super) struct Monitoring {
    log_groups: Map<LogGroup>,
    topics: Map<Topic>,
    alarms: Map<Alarm>,
    dashboards: Map<Dashboard>,
    flow_logs: Map<FlowLog>,
}

impl Monitoring {
    /// Inventory lines: log groups, alarms and dashboards by name, topics
    /// by ARN, flow logs by id. A dashboard's tags are those its body
    /// carries.
    pub(super) fn inventory(&self) -> impl Iterator<Item = Entry> + '_ {
        let groups = self
            .log_groups
            .iter()
            .map(|(id, g)| ("log-group", id.clone(), g.tags.clone()));
        let topics = self
            .topics
            .iter()
            .map(|(id, t)| ("sns-topic", id.clone(), t.tags.clone()));
        let alarms = self
            .alarms
            .iter()
            .map(|(id, a)| ("alarm", id.clone(), a.tags.clone()));
        let dashboards = self
            .dashboards
            .keys()
            .map(|id| ("dashboard", id.clone(), Tags::new()));
        let flows = self
            .flow_logs
            .iter()
            .map(|(id, f)| ("flow-log", id.clone(), f.tags.clone()));
        groups
            .chain(topics)
            .chain(alarms)
            .chain(dashboards)
            .chain(flows)
    }
}

fn invalid(message: impl Into<String>) -> CloudError {
    service("InvalidParameterException", message)
}

/// A key CloudWatch Logs or SNS can use: it exists and is enabled.
fn usable_key(w: &World, key: &str) -> CloudResult<()> {
    let found = w.keys.values().find(|k| k.arn == key || k.id == key);
    match found {
        Some(k) if k.state == KeyState::Enabled => Ok(()),
        Some(_) => Err(invalid(format!("The KMS key {key} is not enabled"))),
        None => Err(invalid(format!("The KMS key {key} does not exist"))),
    }
}

fn valid_period(p: i32) -> bool {
    [10, 20, 30].contains(&p) || (p >= 60 && p % 60 == 0)
}

#[async_trait]
impl MonitoringApi for SimCloud {
    async fn list_log_groups(&self, stack: &str) -> CloudResult<Vec<LogGroup>> {
        self.enter("list_log_groups").await?;
        let w = self.world()?;
        let m = &w.monitoring;
        let listed = |g: &&LogGroup| in_stack(&g.tags, stack) && w.visible(&g.arn);
        Ok(m.log_groups.values().filter(listed).cloned().collect())
    }

    async fn create_log_group(
        &self,
        name: &str,
        kms_key: Option<&str>,
        tags: &Tags,
    ) -> CloudResult<LogGroup> {
        self.mutate("create_log_group", |w| {
            if w.monitoring.log_groups.contains_key(name) {
                return Err(service(
                    "ResourceAlreadyExistsException",
                    "The specified log group already exists",
                ));
            }
            if let Some(k) = kms_key {
                usable_key(w, k)?;
            }
            let arn = format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}");
            let created = w.data_born(&arn);
            let group = LogGroup {
                name: name.to_string(),
                arn,
                retention_days: None,
                kms_key: kms_key.map(str::to_string),
                tags: tags.clone(),
                created,
            };
            Ok(insert(
                &mut w.monitoring.log_groups,
                name.to_string(),
                group,
            ))
        })
        .await
    }

    async fn get_log_group(&self, name: &str) -> CloudResult<Option<LogGroup>> {
        self.enter("get_log_group").await?;
        let w = self.world()?;
        Ok(w.monitoring.log_groups.get(name).cloned())
    }

    async fn set_log_retention(&self, name: &str, days: i32) -> CloudResult<()> {
        self.mutate("set_log_retention", |w| {
            if !crate::stack::model_monitoring::RETENTION_DAYS.contains(&i64::from(days)) {
                return Err(invalid(format!("{days} is not a valid retention")));
            }
            get_mut(&mut w.monitoring.log_groups, "log group", name)?.retention_days = Some(days);
            Ok(())
        })
        .await
    }

    async fn set_log_group_key(&self, name: &str, kms_key: &str) -> CloudResult<()> {
        self.mutate("set_log_group_key", |w| {
            usable_key(w, kms_key)?;
            get_mut(&mut w.monitoring.log_groups, "log group", name)?.kms_key =
                Some(kms_key.to_string());
            Ok(())
        })
        .await
    }

    async fn retag_log_group(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_log_group", |w| {
            let g = w.monitoring.log_groups.values_mut().find(|g| g.arn == arn);
            let g = g.ok_or_else(|| not_found("log group", arn))?;
            retag_map(&mut g.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_log_group(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_log_group", |w| {
            w.monitoring
                .log_groups
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| not_found("log group", name))
        })
        .await
    }

    async fn list_topics(&self, stack: &str) -> CloudResult<Vec<Topic>> {
        self.enter("list_topics").await?;
        let w = self.world()?;
        let listed = |t: &&Topic| in_stack(&t.tags, stack) && w.visible(&t.arn);
        Ok(w.monitoring
            .topics
            .values()
            .filter(listed)
            .cloned()
            .collect())
    }

    async fn create_topic(&self, name: &str, kms_key: &str, tags: &Tags) -> CloudResult<Topic> {
        self.mutate("create_topic", |w| {
            let arn = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}");
            // CreateTopic of an existing name answers that topic.
            if let Some(t) = w.monitoring.topics.get(&arn) {
                return Ok(t.clone());
            }
            usable_key(w, kms_key)?;
            w.data_born(&arn);
            let topic = Topic {
                arn: arn.clone(),
                name: name.to_string(),
                kms_key: Some(kms_key.to_string()),
                policy: Some(format!(
                    r#"{{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"SNS:Publish","Resource":"{arn}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{ACCOUNT}"}}}}}}]}}"#
                )),
                subscriptions: Vec::new(),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.monitoring.topics, arn, topic))
        })
        .await
    }

    async fn set_topic_attribute(&self, arn: &str, name: &str, value: &str) -> CloudResult<()> {
        self.mutate("set_topic_attribute", |w| {
            if name == "KmsMasterKeyId" {
                usable_key(w, value)?;
            }
            let t = get_mut(&mut w.monitoring.topics, "SNS topic", arn)?;
            match name {
                "KmsMasterKeyId" => t.kms_key = Some(value.to_string()),
                "Policy" => {
                    if serde_json::from_str::<serde_json::Value>(value).is_err() {
                        return Err(invalid("Policy is not JSON"));
                    }
                    t.policy = Some(value.to_string());
                }
                other => return Err(invalid(format!("attribute {other} is not modelled"))),
            }
            Ok(())
        })
        .await
    }

    async fn subscribe(&self, topic_arn: &str, protocol: &str, endpoint: &str) -> CloudResult<()> {
        self.mutate("subscribe", |w| {
            let serial = w.data_serial();
            let t = get_mut(&mut w.monitoring.topics, "SNS topic", topic_arn)?;
            if t.subscriptions
                .iter()
                .any(|s| s.protocol == protocol && s.endpoint == endpoint)
            {
                return Ok(());
            }
            let confirmed = matches!(protocol, "sqs" | "lambda");
            t.subscriptions.push(Subscription {
                protocol: protocol.to_string(),
                endpoint: endpoint.to_string(),
                arn: confirmed.then(|| format!("{topic_arn}:sub-{serial:08x}")),
            });
            t.subscriptions.sort();
            Ok(())
        })
        .await
    }

    async fn unsubscribe(&self, subscription_arn: &str) -> CloudResult<()> {
        self.mutate("unsubscribe", |w| {
            for t in w.monitoring.topics.values_mut() {
                t.subscriptions
                    .retain(|s| s.arn.as_deref() != Some(subscription_arn));
            }
            Ok(())
        })
        .await
    }

    async fn retag_topic(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_topic", |w| {
            let t = get_mut(&mut w.monitoring.topics, "SNS topic", arn)?;
            retag_map(&mut t.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_topic(&self, arn: &str) -> CloudResult<()> {
        self.mutate("delete_topic", |w| {
            w.monitoring.topics.remove(arn);
            Ok(())
        })
        .await
    }

    async fn list_alarms(&self, prefix: &str, stack: &str) -> CloudResult<Vec<Alarm>> {
        self.enter("list_alarms").await?;
        let w = self.world()?;
        let listed = |a: &&Alarm| {
            a.name.starts_with(prefix) && in_stack(&a.tags, stack) && w.visible(&a.arn)
        };
        Ok(w.monitoring
            .alarms
            .values()
            .filter(listed)
            .cloned()
            .collect())
    }

    async fn put_alarm(
        &self,
        name: &str,
        definition: &AlarmDefinition,
        tags: Option<&Tags>,
    ) -> CloudResult<Alarm> {
        self.mutate("put_alarm", |w| {
            let d = definition;
            if !valid_period(d.period) || d.evaluation_periods < 1 || !d.threshold.is_finite() {
                return Err(service(
                    "ValidationError",
                    format!("alarm {name}: invalid period, evaluation periods or threshold"),
                ));
            }
            for action in d.alarm_actions.iter().chain(&d.ok_actions) {
                if !w.monitoring.topics.contains_key(action) {
                    return Err(service(
                        "ValidationError",
                        format!("Invalid SNS topic {action}"),
                    ));
                }
            }
            let arn = format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}");
            let kept_tags = w.monitoring.alarms.get(name).map(|a| a.tags.clone());
            if kept_tags.is_none() {
                w.data_born(&arn);
            }
            let alarm = Alarm {
                name: name.to_string(),
                arn,
                definition: d.clone(),
                // Tags are set only when the alarm is created.
                tags: kept_tags.unwrap_or_else(|| tags.cloned().unwrap_or_default()),
            };
            Ok(insert(&mut w.monitoring.alarms, name.to_string(), alarm))
        })
        .await
    }

    async fn retag_alarm(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_alarm", |w| {
            let a = w.monitoring.alarms.values_mut().find(|a| a.arn == arn);
            let a = a.ok_or_else(|| not_found("alarm", arn))?;
            retag_map(&mut a.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_alarm(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_alarm", |w| {
            w.monitoring.alarms.remove(name);
            Ok(())
        })
        .await
    }

    async fn get_dashboard(&self, name: &str) -> CloudResult<Option<Dashboard>> {
        self.enter("get_dashboard").await?;
        let w = self.world()?;
        Ok(w.monitoring.dashboards.get(name).cloned())
    }

    async fn put_dashboard(&self, name: &str, body: &str) -> CloudResult<()> {
        self.mutate("put_dashboard", |w| {
            let doc: serde_json::Value = serde_json::from_str(body)
                .map_err(|_| service("InvalidParameterInput", "the body is not JSON"))?;
            if !doc["widgets"].is_array() {
                return Err(service(
                    "InvalidParameterInput",
                    "The dashboard body must have a widgets list",
                ));
            }
            let d = Dashboard {
                name: name.to_string(),
                body: body.to_string(),
            };
            insert(&mut w.monitoring.dashboards, name.to_string(), d);
            Ok(())
        })
        .await
    }

    async fn delete_dashboard(&self, name: &str) -> CloudResult<()> {
        self.mutate("delete_dashboard", |w| {
            w.monitoring
                .dashboards
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| not_found("dashboard", name))
        })
        .await
    }

    async fn list_flow_logs(&self, stack: &str) -> CloudResult<Vec<FlowLog>> {
        self.enter("list_flow_logs").await?;
        let w = self.world()?;
        let listed = |f: &&FlowLog| in_stack(&f.tags, stack) && w.visible(&f.id);
        Ok(w.monitoring
            .flow_logs
            .values()
            .filter(listed)
            .cloned()
            .collect())
    }

    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &Tags,
    ) -> CloudResult<FlowLog> {
        self.mutate("create_flow_log", |w| {
            get(&w.vpcs, "VPC", vpc_id)?;
            w.assumable(role_arn, "vpc-flow-logs.amazonaws.com")?;
            if w
                .monitoring
                .flow_logs
                .values()
                .any(|f| f.vpc_id == vpc_id && f.log_group == log_group)
            {
                return Err(service(
                    "FlowLogAlreadyExists",
                    "Error. There is an existing Flow Log with the same configuration and log destination.",
                ));
            }
            let id = w.id("fl");
            let flow = FlowLog {
                id: id.clone(),
                vpc_id: vpc_id.to_string(),
                traffic: "ALL".into(),
                log_group: log_group.to_string(),
                role_arn: Some(role_arn.to_string()),
                tags: tags.clone(),
            };
            Ok(insert(&mut w.monitoring.flow_logs, id, flow))
        })
        .await
    }

    async fn retag_flow_log(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.mutate("retag_flow_log", |w| {
            let f = get_mut(&mut w.monitoring.flow_logs, "flow log", id)?;
            retag_map(&mut f.tags, set, remove);
            Ok(())
        })
        .await
    }

    async fn delete_flow_log(&self, id: &str) -> CloudResult<()> {
        self.mutate("delete_flow_log", |w| {
            w.monitoring
                .flow_logs
                .remove(id)
                .map(|_| ())
                .ok_or_else(|| not_found("flow log", id))
        })
        .await
    }
}

impl SimCloud {
    /// Confirms every subscription waiting for its endpoint (an operator
    /// clicking the link in the mail).
    pub fn confirm_subscriptions(&self) {
        self.direct(|w| {
            let mut n = 0u64;
            for t in w.monitoring.topics.values_mut() {
                for s in t.subscriptions.iter_mut().filter(|s| s.arn.is_none()) {
                    n += 1;
                    s.arn = Some(format!("{}:confirmed-{n:08x}", t.arn));
                }
            }
        });
    }

    /// The stack's topics, alarms, log groups and flow logs, as they are.
    pub fn monitoring_objects(&self) -> MonitoringObjects {
        self.direct(|w| MonitoringObjects {
            log_groups: w.monitoring.log_groups.values().cloned().collect(),
            topics: w.monitoring.topics.values().cloned().collect(),
            alarms: w.monitoring.alarms.values().cloned().collect(),
            dashboards: w.monitoring.dashboards.values().cloned().collect(),
            flow_logs: w.monitoring.flow_logs.values().cloned().collect(),
        })
        .unwrap_or_default()
    }

    /// Makes a log group behind the engine's back, as EKS or RDS do on
    /// their first write (no retention, no key, the given tags).
    pub fn add_log_group_out_of_band(&self, name: &str, tags: Tags) {
        self.direct(|w| {
            let arn = format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}");
            let group = LogGroup {
                name: name.to_string(),
                arn,
                retention_days: None,
                kms_key: None,
                tags,
                created: None,
            };
            w.monitoring.log_groups.insert(name.to_string(), group);
        });
    }

    /// Changes an alarm's threshold behind the engine's back (drift).
    pub fn set_alarm_threshold_out_of_band(&self, name: &str, threshold: f64) {
        self.direct(|w| {
            if let Some(a) = w.monitoring.alarms.get_mut(name) {
                a.definition.threshold = threshold;
            }
        });
    }
}

/// Every monitoring object of the sim, for tests.
#[derive(Debug, Clone, Default)]
pub struct MonitoringObjects {
    /// Log groups.
    pub log_groups: Vec<LogGroup>,
    /// Topics.
    pub topics: Vec<Topic>,
    /// Alarms.
    pub alarms: Vec<Alarm>,
    /// Dashboards.
    pub dashboards: Vec<Dashboard>,
    /// Flow logs.
    pub flow_logs: Vec<FlowLog>,
}

impl MonitoringObjects {
    /// The alarm names, sorted.
    pub fn alarm_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.alarms.iter().map(|a| a.name.clone()).collect();
        v.sort();
        v
    }

    /// Log group retention by name.
    pub fn retention(&self) -> BTreeMap<String, Option<i32>> {
        self.log_groups
            .iter()
            .map(|g| (g.name.clone(), g.retention_days))
            .collect()
    }
}
