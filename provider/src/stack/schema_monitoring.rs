//! The `monitoring` attribute of `todo_cloud_stack`. Descriptions here are
//! the documentation.

use tfplugin::{Attribute, ObjectNesting, Type};

use super::model_monitoring::{ALARMS, RETENTION_DAYS, Watched, default_threshold};

/// The `monitoring` attributes (all computed in the data source).
pub fn monitoring_attributes(for_data_source: bool) -> Vec<Attribute> {
    let input = |a: Attribute| {
        if for_data_source {
            a.computed()
        } else {
            a.optional_computed()
        }
    };
    let required = |a: Attribute| {
        if for_data_source {
            a.computed()
        } else {
            a.required()
        }
    };
    let subscription = vec![
        required(Attribute::string("protocol").description("`email`, `https`, `sqs` or `lambda`.")),
        required(Attribute::string("endpoint").description(
            "An email address (`email`: AWS sends a confirmation mail first), an `https://` URL (`https`: it must confirm the subscription), an SQS queue ARN (`sqs`) or a Lambda function ARN (`lambda`).",
        )),
    ];
    let alarms: Vec<Attribute> = ALARMS
        .iter()
        .map(|a| {
            let per = match a.watched {
                Watched::Primary => "the database's primary",
                Watched::Replica => "each read replica (one alarm per replica)",
                Watched::NatGateway => "each NAT gateway (one alarm per gateway)",
            };
            let threshold = match a.threshold {
                Some(t) => format!("default {t}"),
                None => format!(
                    "default a tenth of `database.allocated_storage`, at least 1 (e.g. {} for 100 GiB)",
                    default_threshold(a, Some(100))
                ),
            };
            let settings = vec![
                input(Attribute::bool("enabled").description("Whether the alarm exists (default true).")),
                input(Attribute::number("threshold").description(format!(
                    "In {} ({threshold}).",
                    a.unit
                ))),
                input(Attribute::number("period").description(format!(
                    "Seconds per datapoint: 10, 20, 30 or a multiple of 60 (default {}).",
                    a.period
                ))),
                input(Attribute::number("evaluation_periods").description(format!(
                    "Datapoints that must breach before the alarm fires (default {}; period x evaluation_periods at most one day, or 7 days with periods of an hour or more).",
                    a.evaluation_periods
                ))),
            ];
            input(Attribute::nested(a.attribute, ObjectNesting::Single, settings).description(format!(
                "{}/{} ({}) of {per}: alarms on {}.",
                a.namespace,
                a.metric,
                a.statistic,
                a.condition.replace("{}", "`threshold`")
            )))
        })
        .collect();
    let allowed: Vec<String> = RETENTION_DAYS.iter().map(|d| d.to_string()).collect();
    vec![
        input(Attribute::number("log_retention_days").description(format!(
            "Days the stack's log groups keep their events (default 30): one of {}.",
            allowed.join(", ")
        ))),
        input(Attribute::bool("flow_logs").description(
            "Record all of the VPC's traffic in the log group `/todo/<stack>/vpc-flow-logs`, delivered with an IAM role the stack makes (default true).",
        )),
        input(Attribute::nested("subscriptions", ObjectNesting::List, subscription).description(
            "Who the alerts topic notifies (default none). A subscription awaiting confirmation cannot be removed: AWS drops it after three days.",
        )),
        input(Attribute::nested("alarms", ObjectNesting::Single, alarms).description(
            "The alarms, each tunable or switched off on its own. Every alarm notifies the alerts topic on ALARM and OK, names the stack and the object in its description, and follows its object (a replica's lag alarm comes and goes with the replica).",
        )),
        Attribute::string("topic_arn").computed().description("ARN of the alerts topic `<stack>-alerts` (SNS, encrypted with the stack's key)."),
        Attribute::new("log_group_names", Type::map(Type::String)).computed().description(
            "The stack's log groups by role: `eks` (control plane), `postgresql` and `upgrade` (RDS exports), `flow_logs`.",
        ),
        Attribute::new("alarm_names", Type::map(Type::String)).computed().description(
            "The alarms' names, by `<alarm>` for the primary's and `<alarm>/<replica or zone>` for the others.",
        ),
        Attribute::string("dashboard_name").computed().description("The CloudWatch dashboard, `<stack>-<region>`."),
        Attribute::string("dashboard_url").computed().description("The dashboard in the AWS console."),
    ]
}
