//! Typed configuration and state of `monitoring = { ... }`: log groups,
//! the alerts topic and its subscriptions, the alarms and the dashboard.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `monitoring = { ... }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitoringState {
    /// Days the stack's log groups keep their events.
    pub log_retention_days: Option<i64>,
    /// Record the VPC's traffic in a log group.
    pub flow_logs: Option<bool>,
    /// Who the alerts topic notifies.
    pub subscriptions: Option<Vec<SubscriptionState>>,
    /// The alarms' settings.
    pub alarms: Option<AlarmsState>,
    /// The alerts topic's ARN (computed).
    pub topic_arn: Option<String>,
    /// Log group names by role (computed).
    pub log_group_names: Option<BTreeMap<String, String>>,
    /// Alarm names by alarm (computed).
    pub alarm_names: Option<BTreeMap<String, String>>,
    /// The dashboard's name (computed).
    pub dashboard_name: Option<String>,
    /// The dashboard's console address (computed).
    pub dashboard_url: Option<String>,
}

/// One subscription of the alerts topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubscriptionState {
    /// `email`, `https`, `sqs` or `lambda`.
    pub protocol: String,
    /// The address, URL or ARN.
    pub endpoint: String,
}

/// The settings of one alarm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmSettings {
    /// Whether the alarm exists.
    pub enabled: Option<bool>,
    /// The threshold, in the unit the alarm's description gives.
    pub threshold: Option<f64>,
    /// Seconds per datapoint.
    pub period: Option<i64>,
    /// Datapoints that must breach.
    pub evaluation_periods: Option<i64>,
}

/// `monitoring.alarms = { ... }`: one entry per alarm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmsState {
    /// The primary's CPU.
    pub database_cpu: Option<AlarmSettings>,
    /// The primary's free storage.
    pub database_free_storage: Option<AlarmSettings>,
    /// The primary's freeable memory.
    pub database_freeable_memory: Option<AlarmSettings>,
    /// The primary's connections.
    pub database_connections: Option<AlarmSettings>,
    /// Each replica's lag.
    pub replica_lag: Option<AlarmSettings>,
    /// Each NAT gateway's port allocation errors.
    pub nat_port_allocation_errors: Option<AlarmSettings>,
    /// Each NAT gateway's dropped packets.
    pub nat_packets_dropped: Option<AlarmSettings>,
}

/// What an alarm watches: the primary, each replica, or each NAT gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// The database's primary.
    Primary,
    /// Each read replica.
    Replica,
    /// Each NAT gateway.
    NatGateway,
}

/// One alarm of the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlarmType {
    /// Its attribute under `monitoring.alarms`.
    pub attribute: &'static str,
    /// Its objects' key prefix (`db-cpu`, `replica-lag`).
    pub key: &'static str,
    /// What it watches.
    pub watched: Watched,
    /// What the alarm says, for its description: `CPU above {} %`.
    pub condition: &'static str,
    /// The threshold's unit as users give it.
    pub unit: &'static str,
    /// The metric's namespace.
    pub namespace: &'static str,
    /// The metric.
    pub metric: &'static str,
    /// The statistic.
    pub statistic: &'static str,
    /// The comparison operator.
    pub comparison: &'static str,
    /// Multiply the threshold by this to get the metric's unit.
    pub scale: f64,
    /// Default threshold (`None`: depends on the database, see
    /// [`default_threshold`]).
    pub threshold: Option<f64>,
    /// Default seconds per datapoint.
    pub period: i64,
    /// Default datapoints.
    pub evaluation_periods: i64,
    /// What missing data means.
    pub treat_missing_data: &'static str,
    /// The highest threshold that makes sense (`None`: no bound).
    pub max_threshold: Option<f64>,
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// Every alarm the stack can have.
pub const ALARMS: [AlarmType; 7] = [
    AlarmType {
        attribute: "database_cpu",
        key: "db-cpu",
        watched: Watched::Primary,
        condition: "CPU above {} %",
        unit: "percent",
        namespace: "AWS/RDS",
        metric: "CPUUtilization",
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        scale: 1.0,
        threshold: Some(80.0),
        period: 300,
        evaluation_periods: 3,
        treat_missing_data: "missing",
        max_threshold: Some(100.0),
    },
    AlarmType {
        attribute: "database_free_storage",
        key: "db-free-storage",
        watched: Watched::Primary,
        condition: "free storage below {} GiB",
        unit: "GiB",
        namespace: "AWS/RDS",
        metric: "FreeStorageSpace",
        statistic: "Minimum",
        comparison: "LessThanThreshold",
        scale: GIB,
        threshold: None,
        period: 300,
        evaluation_periods: 1,
        treat_missing_data: "missing",
        max_threshold: Some(65536.0),
    },
    AlarmType {
        attribute: "database_freeable_memory",
        key: "db-freeable-memory",
        watched: Watched::Primary,
        condition: "freeable memory below {} MiB",
        unit: "MiB",
        namespace: "AWS/RDS",
        metric: "FreeableMemory",
        statistic: "Average",
        comparison: "LessThanThreshold",
        scale: MIB,
        threshold: Some(256.0),
        period: 300,
        evaluation_periods: 3,
        treat_missing_data: "missing",
        max_threshold: None,
    },
    AlarmType {
        attribute: "database_connections",
        key: "db-connections",
        watched: Watched::Primary,
        condition: "more than {} connections",
        unit: "connections",
        namespace: "AWS/RDS",
        metric: "DatabaseConnections",
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        scale: 1.0,
        threshold: Some(200.0),
        period: 300,
        evaluation_periods: 3,
        treat_missing_data: "missing",
        max_threshold: None,
    },
    AlarmType {
        attribute: "replica_lag",
        key: "replica-lag",
        watched: Watched::Replica,
        condition: "replica lag above {} seconds",
        unit: "seconds",
        namespace: "AWS/RDS",
        metric: "ReplicaLag",
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        scale: 1.0,
        threshold: Some(60.0),
        period: 60,
        evaluation_periods: 5,
        treat_missing_data: "missing",
        max_threshold: None,
    },
    AlarmType {
        attribute: "nat_port_allocation_errors",
        key: "nat-port-allocation-errors",
        watched: Watched::NatGateway,
        condition: "more than {} port allocation errors",
        unit: "errors per period",
        namespace: "AWS/NATGateway",
        metric: "ErrorPortAllocation",
        statistic: "Sum",
        comparison: "GreaterThanThreshold",
        scale: 1.0,
        threshold: Some(0.0),
        period: 300,
        evaluation_periods: 1,
        treat_missing_data: "notBreaching",
        max_threshold: None,
    },
    AlarmType {
        attribute: "nat_packets_dropped",
        key: "nat-packets-dropped",
        watched: Watched::NatGateway,
        condition: "more than {} packets dropped",
        unit: "packets per period",
        namespace: "AWS/NATGateway",
        metric: "PacketsDropCount",
        statistic: "Sum",
        comparison: "GreaterThanThreshold",
        scale: 1.0,
        threshold: Some(100.0),
        period: 300,
        evaluation_periods: 3,
        treat_missing_data: "notBreaching",
        max_threshold: None,
    },
];

/// Defaults of `monitoring`.
pub mod monitoring_defaults {
    /// Days log groups keep their events.
    pub const LOG_RETENTION_DAYS: i64 = 30;
}

/// The retention values CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The default threshold of `alarm` for a database of `allocated_gib`:
/// free storage alarms at a tenth of the storage (at least 1 GiB).
pub fn default_threshold(alarm: &AlarmType, allocated_gib: Option<i64>) -> f64 {
    alarm.threshold.unwrap_or_else(|| {
        let gib = allocated_gib.unwrap_or(super::model_data::database_defaults::ALLOCATED_STORAGE);
        ((gib as f64) / 10.0).floor().max(1.0)
    })
}

impl AlarmsState {
    /// The settings of the alarm at `attribute`.
    pub fn get(&self, attribute: &str) -> Option<&AlarmSettings> {
        match attribute {
            "database_cpu" => self.database_cpu.as_ref(),
            "database_free_storage" => self.database_free_storage.as_ref(),
            "database_freeable_memory" => self.database_freeable_memory.as_ref(),
            "database_connections" => self.database_connections.as_ref(),
            "replica_lag" => self.replica_lag.as_ref(),
            "nat_port_allocation_errors" => self.nat_port_allocation_errors.as_ref(),
            "nat_packets_dropped" => self.nat_packets_dropped.as_ref(),
            _ => None,
        }
    }

    /// The settings of the alarm at `attribute`, to change.
    pub fn get_mut(&mut self, attribute: &str) -> Option<&mut Option<AlarmSettings>> {
        match attribute {
            "database_cpu" => Some(&mut self.database_cpu),
            "database_free_storage" => Some(&mut self.database_free_storage),
            "database_freeable_memory" => Some(&mut self.database_freeable_memory),
            "database_connections" => Some(&mut self.database_connections),
            "replica_lag" => Some(&mut self.replica_lag),
            "nat_port_allocation_errors" => Some(&mut self.nat_port_allocation_errors),
            "nat_packets_dropped" => Some(&mut self.nat_packets_dropped),
            _ => None,
        }
    }
}

impl MonitoringState {
    /// With every default filled in; `allocated_gib` is the database's
    /// storage (it sets the free-storage threshold).
    pub fn with_defaults(&self, allocated_gib: Option<i64>) -> MonitoringState {
        let mut s = self.clone();
        s.log_retention_days
            .get_or_insert(monitoring_defaults::LOG_RETENTION_DAYS);
        s.flow_logs.get_or_insert(true);
        s.subscriptions.get_or_insert_with(Vec::new);
        let alarms = s.alarms.get_or_insert_with(AlarmsState::default);
        for a in &ALARMS {
            if let Some(slot) = alarms.get_mut(a.attribute) {
                let set = slot.get_or_insert_with(AlarmSettings::default);
                set.enabled.get_or_insert(true);
                set.threshold
                    .get_or_insert_with(|| default_threshold(a, allocated_gib));
                set.period.get_or_insert(a.period);
                set.evaluation_periods.get_or_insert(a.evaluation_periods);
            }
        }
        s
    }

    /// Clears what only the provider sets.
    pub fn clear_outputs(&mut self) {
        self.topic_arn = None;
        self.log_group_names = None;
        self.alarm_names = None;
        self.dashboard_name = None;
        self.dashboard_url = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_every_alarm_and_storage_sets_the_free_storage_threshold() {
        let m = MonitoringState::default().with_defaults(Some(200));
        let alarms = m.alarms.unwrap();
        for a in &ALARMS {
            let s = alarms.get(a.attribute).unwrap();
            assert_eq!(s.enabled, Some(true), "{}", a.attribute);
            assert!(s.threshold.is_some() && s.period.is_some());
        }
        assert_eq!(alarms.database_free_storage.unwrap().threshold, Some(20.0));
        let small = MonitoringState::default().with_defaults(Some(5));
        assert_eq!(
            small
                .alarms
                .unwrap()
                .database_free_storage
                .unwrap()
                .threshold,
            Some(1.0)
        );
        assert_eq!(m.log_retention_days, Some(30));
        assert_eq!(m.flow_logs, Some(true));
    }
}
