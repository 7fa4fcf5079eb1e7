//! The VPC's flow log: all traffic, to the stack's flow-logs log group,
//! delivered with the stack's flow-logs role. AWS cannot change a flow
//! log: any difference replaces it (the new one is created first).

use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::monitoring::{FlowLog, MonitoringApi};
use crate::cloud::{CloudResult, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

/// EC2 flow logs.
pub struct FlowLogs(pub Arc<dyn MonitoringApi>);

/// The traffic the stack's flow log records.
pub const TRAFFIC: &str = "ALL";

/// What the stack wants of its flow log.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLogSpec {
    /// The VPC.
    pub vpc: Key,
    /// The log group.
    pub log_group: Key,
    /// The role it delivers with.
    pub role: Key,
}

#[async_trait]
impl Kind for FlowLogs {
    type Spec = FlowLogSpec;
    type Seen = FlowLog;
    const NAME: &'static str = "flowlog";
    const NOUN: &'static str = "VPC flow log";

    fn deps(spec: &FlowLogSpec) -> Vec<Dep> {
        vec![
            Dep::ready(spec.vpc.clone()),
            Dep::ready(spec.log_group.clone()),
            Dep::ready(spec.role.clone()),
        ]
    }

    fn meta(seen: &FlowLog) -> Meta {
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            created: None,
            refs: [
                Some(&seen.vpc_id),
                Some(&seen.log_group),
                seen.role_arn.as_ref(),
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        }
    }

    fn diff(spec: &FlowLogSpec, seen: &FlowLog, ids: &Ids) -> Vec<Change> {
        let mut out = Vec::new();
        let mut check = |what: &str, want: Option<&str>, have: Option<&str>| {
            if want != have {
                out.push(Change::replace(format!(
                    "{what}: {} -> {}",
                    have.unwrap_or("none"),
                    want.unwrap_or("a new one")
                )));
            }
        };
        check("VPC", ids.get(&spec.vpc), Some(&seen.vpc_id));
        check("log group", ids.get(&spec.log_group), Some(&seen.log_group));
        check("role", ids.get(&spec.role), seen.role_arn.as_deref());
        check("traffic", Some(TRAFFIC), Some(&seen.traffic));
        out
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<FlowLog>> {
        self.0.list_flow_logs(stack).await
    }

    async fn create(&self, spec: &FlowLogSpec, ids: &Ids, tags: &Tags) -> CloudResult<FlowLog> {
        let vpc = ids.need(&spec.vpc)?;
        let group = ids.need(&spec.log_group)?;
        let role = ids.need(&spec.role)?;
        self.0.create_flow_log(&vpc, &group, &role, tags).await
    }

    async fn update(&self, _: &FlowLogSpec, _: &FlowLog, _: &Ids) -> CloudResult<()> {
        Ok(())
    }

    async fn retag(&self, seen: &FlowLog, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag_flow_log(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &FlowLog) -> CloudResult<()> {
        super::ignore_not_found(self.0.delete_flow_log(&seen.id).await)
    }
}
