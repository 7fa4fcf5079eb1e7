//! [`MonitoringApi`] on CloudWatch Logs, SNS, CloudWatch and EC2.
//!
//! Reads, per kind: the stack's log groups, topics and alarms are found
//! with one Resource Groups Tagging API call each (names and tags), then
//! each log group is described by its name (DescribeLogGroups filters by
//! one prefix only), each topic's attributes and subscriptions are read,
//! and the alarms come from one DescribeAlarms by name prefix. The
//! dashboard is one GetDashboard; the flow log one tag-filtered
//! DescribeFlowLogs.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;

use super::{Gate, map_sdk_err, pages};
use crate::cloud::monitoring::{
    Alarm, AlarmDefinition, Dashboard, FlowLog, LogGroup, MonitoringApi, Subscription, Topic,
};
use crate::cloud::{CloudError, CloudResult, NetworkApi, TAG_STACK, Tags};

/// The monitoring calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsMonitoring {
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// CloudWatch.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// EC2 (flow logs).
    pub ec2: aws_sdk_ec2::Client,
    /// The tagging API.
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    /// The tagging-API read shared with the other kinds.
    pub stack_tags: super::StackTags,
    /// Bounds concurrent calls.
    pub gate: Gate,
}

fn incomplete(operation: &str) -> CloudError {
    CloudError::Service {
        code: "IncompleteResponse".into(),
        message: format!("{operation} answered without its object"),
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> CloudError {
    CloudError::Service {
        code: "InvalidRequest".into(),
        message: format!("{what}: {e}"),
    }
}

/// The name a log group ARN names (`arn:...:log-group:<name>[:*]`).
fn log_group_of_arn(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":log-group:")?;
    Some(rest.strip_suffix(":*").unwrap_or(rest))
}

/// Whether a dashboard call failed because the dashboard does not exist:
/// AWS says `ResourceNotFound` (mapped to `NotFound`); LocalStack says
/// `InvalidParameterValue: Dashboard <name> does not exist`.
fn dashboard_missing(e: &CloudError) -> bool {
    match e {
        CloudError::NotFound { .. } => true,
        CloudError::Service { code, message } => {
            code == "InvalidParameterValue" && message.contains("does not exist")
        }
        _ => false,
    }
}

/// The ARN of alarm `name` in the partition, region and account of the
/// topic `topic_arn` (`arn:<p>:sns:<region>:<account>:<topic>`).
fn alarm_arn(topic_arn: &str, name: &str) -> Option<String> {
    let parts: Vec<&str> = topic_arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "sns", region, account, _] => Some(format!(
            "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"
        )),
        _ => None,
    }
}

fn cloudwatch_tags(tags: &Tags) -> Vec<aws_sdk_cloudwatch::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_cloudwatch::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

fn hash_tags(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl AwsMonitoring {
    /// The log group `name` without its tags (`None`: none of that name).
    async fn describe_log_group(&self, name: &str) -> CloudResult<Option<LogGroup>> {
        let _permit = self.gate.enter().await;
        let out = self
            .logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "log group", name))?;
        Ok(out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
            .map(|g| log_group(g, Tags::new())))
    }

    /// ARNs and tags of the stack's objects of `resource_type` (a
    /// tagging-API type filter, such as `sns:topic`), from the read shared
    /// with the other kinds.
    async fn tagged(&self, resource_type: &str, stack: &str) -> CloudResult<Vec<(String, Tags)>> {
        self.stack_tags
            .of(&self.tagging, &self.gate, stack, resource_type)
            .await
    }

    async fn topic(&self, arn: &str, tags: Tags) -> CloudResult<Option<Topic>> {
        let attributes = async {
            let _permit = self.gate.enter().await;
            self.sns
                .get_topic_attributes()
                .topic_arn(arn)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "SNS topic", arn))
        };
        let subscriptions = pages(&self.gate, |token| async move {
            let out = self
                .sns
                .list_subscriptions_by_topic()
                .topic_arn(arn)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "SNS topic", arn))?;
            let subs = out
                .subscriptions()
                .iter()
                .map(|s| Subscription {
                    protocol: s.protocol().unwrap_or_default().to_string(),
                    endpoint: s.endpoint().unwrap_or_default().to_string(),
                    arn: s
                        .subscription_arn()
                        .filter(|a| a.starts_with("arn:"))
                        .map(str::to_string),
                })
                .collect::<Vec<_>>();
            Ok((subs, out.next_token().map(str::to_string)))
        });
        let (attributes, mut subscriptions) = match futures::try_join!(attributes, subscriptions) {
            Err(e) if e.is_not_found() => return Ok(None),
            other => other?,
        };
        subscriptions.sort();
        let attr = |name: &str| {
            attributes
                .attributes()
                .and_then(|a| a.get(name))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        Ok(Some(Topic {
            arn: arn.to_string(),
            name: arn.rsplit(':').next().unwrap_or_default().to_string(),
            kms_key: attr("KmsMasterKeyId"),
            policy: attr("Policy"),
            subscriptions,
            tags,
        }))
    }
}

fn log_group(g: &aws_sdk_cloudwatchlogs::types::LogGroup, tags: Tags) -> LogGroup {
    let name = g.log_group_name().unwrap_or_default().to_string();
    let arn = g
        .log_group_arn()
        .map(str::to_string)
        .or_else(|| {
            g.arn()
                .map(|a| a.strip_suffix(":*").unwrap_or(a).to_string())
        })
        .unwrap_or_default();
    LogGroup {
        name,
        arn,
        retention_days: g.retention_in_days(),
        kms_key: g.kms_key_id().map(str::to_string),
        tags,
        created: g.creation_time().and_then(|ms| {
            u64::try_from(ms)
                .ok()
                .map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        }),
    }
}

fn alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm, tags: Tags) -> Alarm {
    let dimensions: BTreeMap<String, String> = a
        .dimensions()
        .iter()
        .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
        .collect();
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().unwrap_or_default().to_string(),
        definition: AlarmDefinition {
            description: a.alarm_description().unwrap_or_default().to_string(),
            namespace: a.namespace().unwrap_or_default().to_string(),
            metric: a.metric_name().unwrap_or_default().to_string(),
            statistic: a
                .statistic()
                .map(|s| s.as_str())
                .unwrap_or_default()
                .to_string(),
            dimensions,
            period: a.period().unwrap_or_default(),
            evaluation_periods: a.evaluation_periods().unwrap_or_default(),
            threshold: a.threshold().unwrap_or_default(),
            comparison: a
                .comparison_operator()
                .map(|c| c.as_str())
                .unwrap_or_default()
                .to_string(),
            treat_missing_data: a.treat_missing_data().unwrap_or("missing").to_string(),
            alarm_actions: a.alarm_actions().to_vec(),
            ok_actions: a.ok_actions().to_vec(),
        },
        tags,
    }
}

fn flow_log(f: &aws_sdk_ec2::types::FlowLog) -> FlowLog {
    FlowLog {
        id: f.flow_log_id().unwrap_or_default().to_string(),
        vpc_id: f.resource_id().unwrap_or_default().to_string(),
        traffic: f
            .traffic_type()
            .map(|t| t.as_str())
            .unwrap_or_default()
            .to_string(),
        log_group: f.log_group_name().unwrap_or_default().to_string(),
        role_arn: f.deliver_logs_permission_arn().map(str::to_string),
        tags: f
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
            .collect(),
    }
}

#[async_trait]
impl MonitoringApi for AwsMonitoring {
    async fn list_log_groups(&self, stack: &str) -> CloudResult<Vec<LogGroup>> {
        // "logs" matches AWS's `logs:log-group` and emulators' variants.
        let tagged: BTreeMap<String, Tags> = self
            .tagged("logs", stack)
            .await?
            .into_iter()
            .filter_map(|(arn, tags)| Some((log_group_of_arn(&arn)?.to_string(), tags)))
            .collect();
        // DescribeLogGroups takes one name prefix: one call per folder of
        // the stack's groups (`/aws/rds/instance/<id>/` holds both RDS
        // exports), not one per group.
        let folders: std::collections::BTreeSet<String> = tagged
            .keys()
            .map(|n| match n.rsplit_once('/') {
                Some((folder, _)) if !folder.is_empty() => format!("{folder}/"),
                _ => n.clone(),
            })
            .collect();
        let described = futures::future::try_join_all(folders.iter().map(|prefix| {
            pages(&self.gate, move |token| async move {
                let out = self
                    .logs
                    .describe_log_groups()
                    .log_group_name_prefix(prefix)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| map_sdk_err(e, "log groups under", prefix))?;
                Ok((
                    out.log_groups().to_vec(),
                    out.next_token().map(str::to_string),
                ))
            })
        }))
        .await?;
        Ok(described
            .iter()
            .flatten()
            .filter_map(|g| {
                let tags = tagged.get(g.log_group_name()?)?;
                Some(log_group(g, tags.clone()))
            })
            .collect())
    }

    async fn create_log_group(
        &self,
        name: &str,
        kms_key: Option<&str>,
        tags: &Tags,
    ) -> CloudResult<LogGroup> {
        {
            let _permit = self.gate.enter().await;
            self.logs
                .create_log_group()
                .log_group_name(name)
                .set_kms_key_id(kms_key.map(str::to_string))
                .set_tags(Some(hash_tags(tags)))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "log group", name))?;
        }
        let mut group = self
            .describe_log_group(name)
            .await?
            .ok_or_else(|| incomplete("CreateLogGroup"))?;
        group.tags = tags.clone();
        Ok(group)
    }

    async fn get_log_group(&self, name: &str) -> CloudResult<Option<LogGroup>> {
        let Some(mut group) = self.describe_log_group(name).await? else {
            return Ok(None);
        };
        let _permit = self.gate.enter().await;
        let out = self
            .logs
            .list_tags_for_resource()
            .resource_arn(&group.arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "log group", name))?;
        group.tags = out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        Ok(Some(group))
    }

    async fn set_log_retention(&self, name: &str, days: i32) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "log group", name))?;
        Ok(())
    }

    async fn set_log_group_key(&self, name: &str, kms_key: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.logs
            .associate_kms_key()
            .log_group_name(name)
            .kms_key_id(kms_key)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "log group", name))?;
        Ok(())
    }

    async fn retag_log_group(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        if !remove.is_empty() {
            self.logs
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "log group", arn))?;
        }
        if !set.is_empty() {
            self.logs
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(hash_tags(set)))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "log group", arn))?;
        }
        Ok(())
    }

    async fn delete_log_group(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.logs
            .delete_log_group()
            .log_group_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "log group", name))?;
        Ok(())
    }

    async fn list_topics(&self, stack: &str) -> CloudResult<Vec<Topic>> {
        let tagged = self.tagged("sns", stack).await?;
        let found = futures::future::try_join_all(
            tagged
                .into_iter()
                .map(|(arn, tags)| async move { self.topic(&arn, tags).await }),
        )
        .await?;
        Ok(found.into_iter().flatten().collect())
    }

    async fn create_topic(&self, name: &str, kms_key: &str, tags: &Tags) -> CloudResult<Topic> {
        let sns_tags = tags
            .iter()
            .map(|(k, v)| {
                aws_sdk_sns::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .map_err(|e| invalid("SNS tag", e))
            })
            .collect::<CloudResult<Vec<_>>>()?;
        let _permit = self.gate.enter().await;
        let out = self
            .sns
            .create_topic()
            .name(name)
            .attributes("KmsMasterKeyId", kms_key)
            .set_tags(Some(sns_tags))
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "SNS topic", name))?;
        let arn = out
            .topic_arn()
            .ok_or_else(|| incomplete("CreateTopic"))?
            .to_string();
        Ok(Topic {
            arn,
            name: name.to_string(),
            kms_key: Some(kms_key.to_string()),
            policy: None,
            subscriptions: Vec::new(),
            tags: tags.clone(),
        })
    }

    async fn set_topic_attribute(&self, arn: &str, name: &str, value: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.sns
            .set_topic_attributes()
            .topic_arn(arn)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "SNS topic", arn))?;
        Ok(())
    }

    async fn subscribe(&self, topic_arn: &str, protocol: &str, endpoint: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.sns
            .subscribe()
            .topic_arn(topic_arn)
            .protocol(protocol)
            .endpoint(endpoint)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "SNS topic", topic_arn))?;
        Ok(())
    }

    async fn unsubscribe(&self, subscription_arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.sns
            .unsubscribe()
            .subscription_arn(subscription_arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "SNS subscription", subscription_arn))?;
        Ok(())
    }

    async fn retag_topic(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        if !remove.is_empty() {
            self.sns
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "SNS topic", arn))?;
        }
        if !set.is_empty() {
            let tags = set
                .iter()
                .map(|(k, v)| {
                    aws_sdk_sns::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                        .map_err(|e| invalid("SNS tag", e))
                })
                .collect::<CloudResult<Vec<_>>>()?;
            self.sns
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "SNS topic", arn))?;
        }
        Ok(())
    }

    async fn delete_topic(&self, arn: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.sns
            .delete_topic()
            .topic_arn(arn)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "SNS topic", arn))?;
        Ok(())
    }

    async fn list_alarms(&self, prefix: &str, stack: &str) -> CloudResult<Vec<Alarm>> {
        let tagged = async {
            let t = self.tagged("cloudwatch:alarm", stack).await?;
            Ok::<BTreeMap<String, Tags>, CloudError>(t.into_iter().collect())
        };
        let described = pages(&self.gate, |token| async move {
            let out = self
                .cloudwatch
                .describe_alarms()
                .alarm_name_prefix(prefix)
                .alarm_types(aws_sdk_cloudwatch::types::AlarmType::MetricAlarm)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "CloudWatch alarms", prefix))?;
            Ok((
                out.metric_alarms().to_vec(),
                out.next_token().map(str::to_string),
            ))
        });
        let (tags, alarms) = futures::try_join!(tagged, described)?;
        Ok(alarms
            .iter()
            .filter_map(|a| {
                let t = tags.get(a.alarm_arn()?)?;
                Some(alarm(a, t.clone()))
            })
            .collect())
    }

    async fn put_alarm(
        &self,
        name: &str,
        d: &AlarmDefinition,
        tags: Option<&Tags>,
    ) -> CloudResult<Alarm> {
        use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
        let cw_tags = tags.map(cloudwatch_tags);
        let dimensions = d
            .dimensions
            .iter()
            .map(|(k, v)| Dimension::builder().name(k).value(v).build())
            .collect();
        {
            let _permit = self.gate.enter().await;
            self.cloudwatch
                .put_metric_alarm()
                .alarm_name(name)
                .alarm_description(&d.description)
                .namespace(&d.namespace)
                .metric_name(&d.metric)
                .statistic(Statistic::from(d.statistic.as_str()))
                .set_dimensions(Some(dimensions))
                .period(d.period)
                .evaluation_periods(d.evaluation_periods)
                .threshold(d.threshold)
                .comparison_operator(ComparisonOperator::from(d.comparison.as_str()))
                .treat_missing_data(&d.treat_missing_data)
                .set_alarm_actions(Some(d.alarm_actions.clone()))
                .set_ok_actions(Some(d.ok_actions.clone()))
                .actions_enabled(true)
                .set_tags(cw_tags)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "CloudWatch alarm", name))?;
        }
        // PutMetricAlarm answers nothing: the alarm's ARN follows from the
        // topic it notifies (same partition, region and account), so no
        // describe is needed after each put.
        if let Some(arn) = d.alarm_actions.first().and_then(|t| alarm_arn(t, name)) {
            return Ok(Alarm {
                name: name.to_string(),
                arn,
                definition: d.clone(),
                tags: tags.cloned().unwrap_or_default(),
            });
        }
        let _permit = self.gate.enter().await;
        let out = self
            .cloudwatch
            .describe_alarms()
            .alarm_names(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "CloudWatch alarm", name))?;
        let found = out
            .metric_alarms()
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .ok_or_else(|| incomplete("PutMetricAlarm"))?;
        Ok(alarm(found, tags.cloned().unwrap_or_default()))
    }

    async fn retag_alarm(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        if !remove.is_empty() {
            self.cloudwatch
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "CloudWatch alarm", arn))?;
        }
        if !set.is_empty() {
            let tags = cloudwatch_tags(set);
            self.cloudwatch
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "CloudWatch alarm", arn))?;
        }
        Ok(())
    }

    async fn delete_alarm(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.cloudwatch
            .delete_alarms()
            .alarm_names(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "CloudWatch alarm", name))?;
        Ok(())
    }

    async fn get_dashboard(&self, name: &str) -> CloudResult<Option<Dashboard>> {
        let _permit = self.gate.enter().await;
        match self
            .cloudwatch
            .get_dashboard()
            .dashboard_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "CloudWatch dashboard", name))
        {
            Ok(out) => Ok(Some(Dashboard {
                name: name.to_string(),
                body: out.dashboard_body().unwrap_or_default().to_string(),
            })),
            Err(e) if dashboard_missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn put_dashboard(&self, name: &str, body: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        self.cloudwatch
            .put_dashboard()
            .dashboard_name(name)
            .dashboard_body(body)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "CloudWatch dashboard", name))?;
        Ok(())
    }

    async fn delete_dashboard(&self, name: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        match self
            .cloudwatch
            .delete_dashboards()
            .dashboard_names(name)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "CloudWatch dashboard", name))
        {
            Err(e) if dashboard_missing(&e) => Err(CloudError::NotFound {
                kind: "CloudWatch dashboard",
                id: name.to_string(),
            }),
            other => other.map(|_| ()),
        }
    }

    async fn list_flow_logs(&self, stack: &str) -> CloudResult<Vec<FlowLog>> {
        let logs = pages(&self.gate, |token| async move {
            let out = self
                .ec2
                .describe_flow_logs()
                .filter(
                    aws_sdk_ec2::types::Filter::builder()
                        .name(format!("tag:{TAG_STACK}"))
                        .values(stack)
                        .build(),
                )
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_sdk_err(e, "flow logs of stack", stack))?;
            Ok((
                out.flow_logs().to_vec(),
                out.next_token().map(str::to_string),
            ))
        })
        .await?;
        Ok(logs.iter().map(flow_log).collect())
    }

    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &Tags,
    ) -> CloudResult<FlowLog> {
        use aws_sdk_ec2::types::{
            FlowLogsResourceType, LogDestinationType, ResourceType, TagSpecification, TrafficType,
        };
        let ec2_tags = tags
            .iter()
            .map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(k).value(v).build())
            .collect();
        let _permit = self.gate.enter().await;
        let out = self
            .ec2
            .create_flow_logs()
            .resource_ids(vpc_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name(log_group)
            .deliver_logs_permission_arn(role_arn)
            .max_aggregation_interval(600)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::VpcFlowLog)
                    .set_tags(Some(ec2_tags))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "flow log of", vpc_id))?;
        if let Some(u) = out.unsuccessful().first() {
            let e = u.error();
            return Err(CloudError::Service {
                code: e.and_then(|e| e.code()).unwrap_or("Unknown").to_string(),
                message: e
                    .and_then(|e| e.message())
                    .unwrap_or("flow log not created")
                    .to_string(),
            });
        }
        let id = out
            .flow_log_ids()
            .first()
            .ok_or_else(|| incomplete("CreateFlowLogs"))?;
        Ok(FlowLog {
            id: id.clone(),
            vpc_id: vpc_id.to_string(),
            traffic: "ALL".into(),
            log_group: log_group.to_string(),
            role_arn: Some(role_arn.to_string()),
            tags: tags.clone(),
        })
    }

    async fn retag_flow_log(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        super::network::AwsNetwork::new(self.ec2.clone(), self.gate.clone())
            .retag(id, set, remove)
            .await
    }

    async fn delete_flow_log(&self, id: &str) -> CloudResult<()> {
        let _permit = self.gate.enter().await;
        let out = self
            .ec2
            .delete_flow_logs()
            .flow_log_ids(id)
            .send()
            .await
            .map_err(|e| map_sdk_err(e, "flow log", id))?;
        if let Some(u) = out.unsuccessful().first() {
            let code = u.error().and_then(|e| e.code()).unwrap_or("Unknown");
            if code.ends_with("NotFound") {
                return Err(CloudError::NotFound {
                    kind: "flow log",
                    id: id.to_string(),
                });
            }
            return Err(CloudError::Service {
                code: code.to_string(),
                message: u
                    .error()
                    .and_then(|e| e.message())
                    .unwrap_or("flow log not deleted")
                    .to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_dashboard_is_told_apart_from_other_errors() {
        let localstack = CloudError::Service {
            code: "InvalidParameterValue".into(),
            message: "Dashboard acc-import-us-east-1 does not exist.".into(),
        };
        assert!(dashboard_missing(&localstack));
        assert!(dashboard_missing(&CloudError::NotFound {
            kind: "CloudWatch dashboard",
            id: "d".into()
        }));
        let bad = CloudError::Service {
            code: "InvalidParameterValue".into(),
            message: "The dashboard body is invalid".into(),
        };
        assert!(!dashboard_missing(&bad));
    }

    #[test]
    fn an_alarms_arn_follows_from_its_topics() {
        assert_eq!(
            alarm_arn("arn:aws:sns:us-east-1:123456789012:s-alerts", "s-db-cpu").as_deref(),
            Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:s-db-cpu")
        );
        assert_eq!(alarm_arn("not-an-arn", "x"), None);
    }

    #[test]
    fn log_group_names_come_from_either_arn_form() {
        let plain = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/s/cluster";
        assert_eq!(log_group_of_arn(plain), Some("/aws/eks/s/cluster"));
        assert_eq!(
            log_group_of_arn(&format!("{plain}:*")),
            Some("/aws/eks/s/cluster")
        );
        assert_eq!(log_group_of_arn("arn:aws:sns:us-east-1:1:t"), None);
    }
}
