# The production plan, from prod.tfvars: what the platform team promised
# production has. Plan-time with a mocked provider (no AWS); run with the
# environment's variables, as scripts/test does:
#   terraform init -backend=false
#   terraform test -filter=tests/prod.tftest.hcl -var-file=prod.tfvars

mock_provider "todo" {}

run "production_is_highly_available_protected_and_watched" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.name == "todo-prod"
    error_message = "The production stack must be named todo-prod."
  }
  assert {
    condition     = length(todo_cloud_stack.this.network.availability_zones) == 3
    error_message = "Production spans 3 availability zones."
  }
  assert {
    condition     = todo_cloud_stack.this.network.nat_gateways == "one_per_az"
    error_message = "Production has a NAT gateway per zone (no zone depends on another's NAT)."
  }
  assert {
    condition     = length(todo_cloud_stack.this.cluster.node_groups) == 2
    error_message = "Production runs two node groups."
  }
  assert {
    condition     = todo_cloud_stack.this.database.multi_az
    error_message = "The production database is multi-AZ."
  }
  assert {
    condition     = length(todo_cloud_stack.this.database.replicas) == 2
    error_message = "The production database has two read replicas."
  }
  assert {
    condition     = todo_cloud_stack.this.database.deletion_protection && !todo_cloud_stack.this.database.skip_final_snapshot
    error_message = "The production database is protected from deletion and keeps a final snapshot."
  }
  assert {
    condition     = todo_cloud_stack.this.database.backup_retention_days >= 7
    error_message = "Production keeps at least a week of automated backups."
  }
  assert {
    condition     = !todo_cloud_stack.this.storage.force_destroy
    error_message = "Destroying production never empties its bucket."
  }
  assert {
    condition     = length(todo_cloud_stack.this.monitoring.subscriptions) >= 1
    error_message = "Production alarms notify someone (an alert subscription)."
  }
  assert {
    condition     = todo_cloud_stack.this.monitoring.flow_logs
    error_message = "Production keeps VPC flow logs."
  }
  assert {
    condition     = var.aws_endpoint_url == null && !var.skip_credentials_validation
    error_message = "Production talks to AWS, not an emulator endpoint."
  }
}
