# The staging plan, from staging.tfvars: production's shape, so that a change
# is tried on the same layout first. Run with:
#   terraform test -filter=tests/staging.tftest.hcl -var-file=staging.tfvars

mock_provider "todo" {}

run "staging_has_the_shape_of_production" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.name == "todo-staging"
    error_message = "The staging stack must be named todo-staging."
  }
  assert {
    condition     = length(todo_cloud_stack.this.network.availability_zones) == 3 && todo_cloud_stack.this.network.nat_gateways == "one_per_az"
    error_message = "Staging spans 3 zones with a NAT gateway per zone, as production does."
  }
  assert {
    condition     = todo_cloud_stack.this.database.multi_az
    error_message = "The staging database is multi-AZ, as production's."
  }
  assert {
    condition     = length(todo_cloud_stack.this.monitoring.subscriptions) >= 1
    error_message = "Staging alarms notify someone."
  }
}
