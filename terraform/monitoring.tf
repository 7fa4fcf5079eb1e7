# CloudWatch log groups (EKS control plane, PostgreSQL, VPC flow logs),
# metric alarms that notify the SNS topic and its subscriptions, and a
# dashboard of the stack.
locals {
  monitoring = {
    log_retention_days = var.log_retention_days
    flow_logs          = var.flow_logs
    subscriptions      = var.alert_subscriptions
    alarms             = var.alarms
  }
}
