terraform {
  # The same Terraform as modules/todo-stack, which writes the stacks this
  # module reads.
  required_version = ">= 1.11"

  required_providers {
    todo = {
      # A module states the minimum it needs; the root that calls it pins.
      source  = "todo-app/todo"
      version = ">= 0.1.0"
    }
  }
}
