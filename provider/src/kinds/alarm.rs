//! The stack's CloudWatch metric alarms: one per watched object and
//! condition (database CPU, a replica's lag, a NAT gateway's dropped
//! packets, ...). Each notifies the stack's topic on ALARM and on OK. An
//! alarm follows its object: the blueprint wants one per replica or NAT
//! gateway there is, so adding one adds its alarms and removing it removes
//! them; a replaced NAT gateway's alarms are pointed at its successor
//! before the old gateway goes (the alarm refers to it).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::monitoring::{Alarm, AlarmDefinition, MonitoringApi};
use crate::cloud::{CloudError, CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// CloudWatch alarms.
pub struct Alarms(pub Arc<dyn MonitoringApi>);

/// The name prefix of every alarm of stack `stack`.
pub fn prefix(stack: &str) -> String {
    format!("{stack}-")
}

/// A dimension's value: fixed, or the id of another object of the stack.
#[derive(Debug, Clone, PartialEq)]
pub enum DimensionValue {
    /// Known from the configuration (an RDS identifier).
    Fixed(String),
    /// The id of an object of the stack (a NAT gateway).
    Id(Key),
}

/// What the stack wants of one alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmSpec {
    /// Its name (`<stack>-<key>`).
    pub name: String,
    /// Description.
    pub description: String,
    /// Namespace.
    pub namespace: String,
    /// Metric.
    pub metric: String,
    /// Statistic.
    pub statistic: String,
    /// Dimensions.
    pub dimensions: BTreeMap<String, DimensionValue>,
    /// Seconds per datapoint.
    pub period: i32,
    /// Datapoints evaluated.
    pub evaluation_periods: i32,
    /// Threshold, in the metric's unit.
    pub threshold: f64,
    /// Comparison operator.
    pub comparison: String,
    /// What missing data means.
    pub treat_missing_data: String,
    /// The topic notified on ALARM and OK.
    pub topic: Key,
}

/// The definition `spec` stands for once every id is known.
pub fn definition(spec: &AlarmSpec, ids: &Ids) -> Option<AlarmDefinition> {
    let mut dimensions = BTreeMap::new();
    for (name, value) in &spec.dimensions {
        let v = match value {
            DimensionValue::Fixed(v) => v.clone(),
            DimensionValue::Id(k) => ids.get(k)?.to_string(),
        };
        dimensions.insert(name.clone(), v);
    }
    let topic = ids.get(&spec.topic)?.to_string();
    Some(AlarmDefinition {
        description: spec.description.clone(),
        namespace: spec.namespace.clone(),
        metric: spec.metric.clone(),
        statistic: spec.statistic.clone(),
        dimensions,
        period: spec.period,
        evaluation_periods: spec.evaluation_periods,
        threshold: spec.threshold,
        comparison: spec.comparison.clone(),
        treat_missing_data: spec.treat_missing_data.clone(),
        alarm_actions: vec![topic.clone()],
        ok_actions: vec![topic],
    })
}

fn differences(want: &AlarmDefinition, have: &AlarmDefinition) -> Vec<String> {
    let mut out = Vec::new();
    if (want.threshold - have.threshold).abs() > f64::EPSILON * want.threshold.abs().max(1.0) {
        out.push(format!(
            "threshold: {} -> {}",
            have.threshold, want.threshold
        ));
    }
    let mut field = |name: &str, w: String, h: String| {
        if w != h {
            out.push(format!("{name}: {h} -> {w}"));
        }
    };
    field(
        "description",
        want.description.clone(),
        have.description.clone(),
    );
    field(
        "metric",
        format!("{}/{} {}", want.namespace, want.metric, want.statistic),
        format!("{}/{} {}", have.namespace, have.metric, have.statistic),
    );
    field(
        "dimensions",
        format!("{:?}", want.dimensions),
        format!("{:?}", have.dimensions),
    );
    field("period", want.period.to_string(), have.period.to_string());
    field(
        "evaluation_periods",
        want.evaluation_periods.to_string(),
        have.evaluation_periods.to_string(),
    );
    field(
        "comparison",
        want.comparison.clone(),
        have.comparison.clone(),
    );
    field(
        "treat_missing_data",
        want.treat_missing_data.clone(),
        have.treat_missing_data.clone(),
    );
    field(
        "alarm_actions",
        want.alarm_actions.join(","),
        have.alarm_actions.join(","),
    );
    field(
        "ok_actions",
        want.ok_actions.join(","),
        have.ok_actions.join(","),
    );
    out
}

#[async_trait]
impl Kind for Alarms {
    type Spec = AlarmSpec;
    type Seen = Alarm;
    const NAME: &'static str = "alarm";
    const NOUN: &'static str = "CloudWatch alarm";

    fn deps(spec: &AlarmSpec) -> Vec<Dep> {
        let mut out = vec![Dep::ready(spec.topic.clone())];
        for v in spec.dimensions.values() {
            if let DimensionValue::Id(k) = v {
                out.push(Dep::ready(k.clone()));
            }
        }
        out
    }

    fn meta(seen: &Alarm) -> Meta {
        let d = &seen.definition;
        Meta {
            id: seen.name.clone(),
            tags: seen.tags.clone(),
            created: None,
            // What it watches and notifies goes only after it points
            // elsewhere (a replaced NAT gateway).
            refs: d
                .dimensions
                .values()
                .chain(&d.alarm_actions)
                .cloned()
                .collect(),
        }
    }

    fn diff(spec: &AlarmSpec, seen: &Alarm, ids: &Ids) -> Vec<Change> {
        if seen.name != spec.name {
            return vec![Change::replace(format!(
                "name: {} -> {}",
                seen.name, spec.name
            ))];
        }
        match definition(spec, ids) {
            Some(want) => differences(&want, &seen.definition)
                .into_iter()
                .map(Change::update)
                .collect(),
            None => vec![Change::update(
                "what it watches or notifies is being created or replaced",
            )],
        }
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<Alarm>> {
        self.0.list_alarms(&prefix(stack), stack).await
    }

    async fn create(&self, spec: &AlarmSpec, ids: &Ids, tags: &Tags) -> CloudResult<Alarm> {
        let def = definition(spec, ids).ok_or_else(|| CloudError::Service {
            code: "Internal".into(),
            message: format!("alarm {}: what it watches is not known yet", spec.name),
        })?;
        self.0.put_alarm(&spec.name, &def, Some(tags)).await
    }

    async fn update(&self, spec: &AlarmSpec, seen: &Alarm, ids: &Ids) -> CloudResult<()> {
        if let Some(def) = definition(spec, ids)
            && def != seen.definition
        {
            self.0.put_alarm(&seen.name, &def, None).await?;
        }
        Ok(())
    }

    async fn retag(&self, seen: &Alarm, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_alarm(&seen.arn, set, remove).await
    }

    async fn delete(&self, seen: &Alarm) -> CloudResult<()> {
        super::ignore_not_found(self.0.delete_alarm(&seen.name).await)
    }
}
