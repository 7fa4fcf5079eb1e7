# Reads a stack that another configuration (modules/todo-stack, or the live
# root terraform/) manages, by its name, and exposes what an application
# needs: no state is shared, and nothing here can change the stack.

data "todo_cloud_stack" "this" {
  name = var.name

  lifecycle {
    postcondition {
      condition     = !var.require_cluster || self.cluster != null
      error_message = "The stack ${jsonencode(var.name)} has no EKS cluster (require_cluster is true)."
    }
    postcondition {
      condition     = !var.require_database || self.database != null
      error_message = "The stack ${jsonencode(var.name)} has no database (require_database is true)."
    }
    postcondition {
      condition     = !var.require_bucket || self.storage != null
      error_message = "The stack ${jsonencode(var.name)} has no bucket (require_bucket is true)."
    }
    postcondition {
      condition     = !var.require_monitoring || self.monitoring != null
      error_message = "The stack ${jsonencode(var.name)} has no monitoring (require_monitoring is true)."
    }
  }
}

locals {
  stack = data.todo_cloud_stack.this
  # The private subnets in zone order, for arguments that take a list.
  private_subnet_ids = [for z in sort(keys(local.stack.network.private_subnet_ids)) : local.stack.network.private_subnet_ids[z]]
}
