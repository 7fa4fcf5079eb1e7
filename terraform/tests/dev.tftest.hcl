# The development plan, from dev.tfvars: the same stack, cheaper and easy to
# tear down. Run with: terraform test -filter=tests/dev.tftest.hcl -var-file=dev.tfvars

mock_provider "todo" {}

run "development_is_small_and_disposable" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.name == "todo-dev"
    error_message = "The development stack must be named todo-dev."
  }
  assert {
    condition     = todo_cloud_stack.this.network.nat_gateways == "single"
    error_message = "Development shares one NAT gateway."
  }
  assert {
    condition     = !todo_cloud_stack.this.database.multi_az && !todo_cloud_stack.this.database.deletion_protection
    error_message = "The development database is single-AZ and can be destroyed."
  }
  assert {
    condition     = todo_cloud_stack.this.tags["owner"] == "platform"
    error_message = "Every environment names its owner."
  }
}
