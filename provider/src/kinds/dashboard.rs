//! The stack's CloudWatch dashboard, what an operator opens first: the
//! alarms' states, then the database's, the replicas' and the NAT
//! gateways' metrics, its body generated from the stack's objects.
//!
//! Dashboards take no tags, so the stack writes its tags into the body:
//! the first widget is a text widget naming the stack and carrying the
//! tags on one line (`todo-stack-tags: {...}`); observe reads them back
//! from there, and retagging rewrites that line. Dashboards are global in
//! an account: the name carries the region (`<stack>-<region>`).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::cloud::monitoring::{Dashboard, MonitoringApi};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// The marker of the line that carries the tags.
const TAGS_MARKER: &str = "todo-stack-tags: ";

/// Dashboards, on CloudWatch.
pub struct Dashboards {
    /// CloudWatch.
    pub api: Arc<dyn MonitoringApi>,
    /// The region the stack lives in (part of the name).
    pub region: String,
}

/// The name of the dashboard of `stack` in `region`.
pub fn dashboard_name(stack: &str, region: &str) -> String {
    format!("{stack}-{region}")
}

/// The console address of the dashboard `name` in `region`.
pub fn dashboard_url(name: &str, region: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/{name}"
    )
}

/// What the stack wants of its dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardSpec {
    /// Its name.
    pub name: String,
    /// The stack's name.
    pub stack: String,
    /// The region its metrics come from.
    pub region: String,
    /// The topic (its ARN tells the account of the alarms).
    pub topic: Key,
    /// The alarms' names.
    pub alarms: Vec<String>,
    /// The primary's RDS identifier and the replicas', when there is a
    /// database.
    pub database: Option<(String, Vec<String>)>,
    /// The NAT gateways, by zone.
    pub nat_gateways: Vec<(String, Key)>,
    /// The EKS cluster's name, when there is one.
    pub cluster: Option<String>,
}

fn metric_widget(title: &str, region: &str, stat: &str, metrics: Vec<Value>) -> Value {
    json!({
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": stat,
            "period": 300,
            "metrics": metrics,
        },
    })
}

/// The widgets of `spec` (the tags line aside), `None` while an id they
/// show is not known.
pub fn widgets(spec: &DashboardSpec, ids: &Ids) -> Option<Vec<Value>> {
    let r = spec.region.as_str();
    let mut out = Vec::new();
    let topic = ids.get(&spec.topic)?;
    let account = topic.split(':').nth(4).unwrap_or_default();
    if !spec.alarms.is_empty() {
        let arns: Vec<String> = spec
            .alarms
            .iter()
            .map(|a| format!("arn:aws:cloudwatch:{r}:{account}:alarm:{a}"))
            .collect();
        out.push(json!({
            "type": "alarm",
            "width": 24,
            "height": 3 + (arns.len() as i64).div_euclid(4),
            "properties": { "title": "Alarms", "alarms": arns, "sortBy": "stateUpdatedTimestamp" },
        }));
    }
    if let Some((primary, replicas)) = &spec.database {
        let all: Vec<&String> = std::iter::once(primary).chain(replicas).collect();
        let per = |metric: &str| -> Vec<Value> {
            all.iter()
                .map(|id| json!(["AWS/RDS", metric, "DBInstanceIdentifier", id]))
                .collect()
        };
        out.push(metric_widget(
            "Database CPU (%)",
            r,
            "Average",
            per("CPUUtilization"),
        ));
        out.push(metric_widget(
            "Database connections",
            r,
            "Average",
            per("DatabaseConnections"),
        ));
        out.push(metric_widget(
            "Database free storage (bytes)",
            r,
            "Minimum",
            per("FreeStorageSpace"),
        ));
        out.push(metric_widget(
            "Database freeable memory (bytes)",
            r,
            "Average",
            per("FreeableMemory"),
        ));
        if !replicas.is_empty() {
            out.push(metric_widget(
                "Replica lag (seconds)",
                r,
                "Maximum",
                replicas
                    .iter()
                    .map(|id| json!(["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", id]))
                    .collect(),
            ));
        }
    }
    if !spec.nat_gateways.is_empty() {
        let mut dropped = Vec::new();
        let mut errors = Vec::new();
        let mut bytes = Vec::new();
        for (zone, key) in &spec.nat_gateways {
            let id = ids.get(key)?;
            let line = |metric: &str| json!(["AWS/NATGateway", metric, "NatGatewayId", id, { "label": zone }]);
            dropped.push(line("PacketsDropCount"));
            errors.push(line("ErrorPortAllocation"));
            bytes.push(line("BytesOutToDestination"));
        }
        out.push(metric_widget("NAT bytes out", r, "Sum", bytes));
        out.push(metric_widget("NAT packets dropped", r, "Sum", dropped));
        out.push(metric_widget(
            "NAT port allocation errors",
            r,
            "Sum",
            errors,
        ));
    }
    if let Some(cluster) = &spec.cluster {
        out.push(json!({
            "type": "log",
            "width": 24,
            "height": 6,
            "properties": {
                "title": "EKS control plane: recent errors",
                "region": r,
                "view": "table",
                "query": format!(
                    "SOURCE '/aws/eks/{cluster}/cluster' | fields @timestamp, @logStream, @message \
                     | filter @message like /(?i)error/ | sort @timestamp desc | limit 50"
                ),
            },
        }));
    }
    Some(out)
}

fn tags_widget(stack: &str, tags: &Tags) -> Value {
    let line = serde_json::to_string(tags).unwrap_or_default();
    json!({
        "type": "text",
        "width": 24,
        "height": 2,
        "properties": {
            "markdown": format!(
                "## Todo stack `{stack}`\nManaged by Terraform (`todo_cloud_stack`): changes made here are reverted by the next apply.\n\n`{TAGS_MARKER}{line}`"
            ),
        },
    })
}

/// The body of a dashboard with `widgets` and `tags`.
pub fn body(stack: &str, widgets: &[Value], tags: &Tags) -> String {
    let mut all = vec![tags_widget(stack, tags)];
    all.extend(widgets.iter().cloned());
    json!({ "widgets": all }).to_string()
}

/// The tags a body carries, and its other widgets.
fn parse(body: &str) -> (Tags, Vec<Value>) {
    let doc: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let mut tags = Tags::new();
    let mut rest = Vec::new();
    for w in doc["widgets"].as_array().into_iter().flatten() {
        let text = w["properties"]["markdown"].as_str().unwrap_or_default();
        match text.find(TAGS_MARKER) {
            Some(at) if tags.is_empty() => {
                let json = &text[at + TAGS_MARKER.len()..];
                let mut stream = serde_json::Deserializer::from_str(json).into_iter::<Tags>();
                if let Some(Ok(t)) = stream.next() {
                    tags = t;
                }
            }
            _ => rest.push(w.clone()),
        }
    }
    (tags, rest)
}

#[async_trait]
impl Kind for Dashboards {
    type Spec = DashboardSpec;
    type Seen = Dashboard;
    const NAME: &'static str = "dashboard";
    const NOUN: &'static str = "CloudWatch dashboard";

    fn deps(spec: &DashboardSpec) -> Vec<Dep> {
        let mut out = vec![Dep::ready(spec.topic.clone())];
        out.extend(spec.nat_gateways.iter().map(|(_, k)| Dep::ready(k.clone())));
        out
    }

    fn meta(seen: &Dashboard) -> Meta {
        Meta {
            id: seen.name.clone(),
            tags: parse(&seen.body).0,
            created: None,
            refs: Vec::new(),
        }
    }

    fn diff(spec: &DashboardSpec, seen: &Dashboard, ids: &Ids) -> Vec<Change> {
        if seen.name != spec.name {
            return vec![Change::replace(format!(
                "name: {} -> {}",
                seen.name, spec.name
            ))];
        }
        match widgets(spec, ids) {
            Some(w) if w == parse(&seen.body).1 => Vec::new(),
            Some(_) => vec![Change::update("widgets: differ from the stack's objects")],
            None => vec![Change::update(
                "widgets: objects they show are being created",
            )],
        }
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Dashboard>> {
        let name = dashboard_name(stack, &self.region);
        Ok(self.api.get_dashboard(&name).await?.into_iter().collect())
    }

    async fn create(&self, spec: &DashboardSpec, ids: &Ids, tags: &Tags) -> CloudResult<Dashboard> {
        let widgets = widgets(spec, ids).unwrap_or_default();
        let body = body(&spec.stack, &widgets, tags);
        self.api.put_dashboard(&spec.name, &body).await?;
        Ok(Dashboard {
            name: spec.name.clone(),
            body,
        })
    }

    async fn update(&self, spec: &DashboardSpec, seen: &Dashboard, ids: &Ids) -> CloudResult<()> {
        if let Some(w) = widgets(spec, ids) {
            let tags = parse(&seen.body).0;
            self.api
                .put_dashboard(&seen.name, &body(&spec.stack, &w, &tags))
                .await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Dashboard, set: &Tags, remove: &[String]) -> CloudResult<()> {
        let (mut tags, widgets) = parse(&seen.body);
        for k in remove {
            tags.remove(k);
        }
        tags.extend(set.clone());
        let stack = tags
            .get(crate::cloud::TAG_STACK)
            .cloned()
            .unwrap_or_default();
        self.api
            .put_dashboard(&seen.name, &body(&stack, &widgets, &tags))
            .await
    }

    async fn delete(&self, seen: &Dashboard) -> CloudResult<()> {
        super::ignore_not_found(self.api.delete_dashboard(&seen.name).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_through_the_body() {
        let tags: Tags = [
            ("todo:stack".to_string(), "s".to_string()),
            ("env".to_string(), "prod with `odd` \"chars\"".to_string()),
        ]
        .into();
        let w = vec![json!({"type": "metric", "properties": {"metrics": []}})];
        let b = body("s", &w, &tags);
        let (t, rest) = parse(&b);
        assert_eq!(t, tags);
        assert_eq!(rest, w);
        assert_eq!(parse("not json").0, Tags::new());
    }
}
