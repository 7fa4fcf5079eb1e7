terraform {
  # 1.11: write-only attributes (database.master_password_wo) fed by
  # ephemeral input variables, and cross-variable validation rules.
  required_version = ">= 1.11"

  required_providers {
    todo = {
      # A module states the minimum it needs; the root that calls it pins.
      source  = "todo-app/todo"
      version = ">= 0.1.0"
    }
  }
}
