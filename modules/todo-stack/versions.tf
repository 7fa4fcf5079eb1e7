terraform {
  # 1.11: write-only attributes (database.master_password_wo) fed by
  # ephemeral input variables, and cross-variable validation rules.
  required_version = ">= 1.11"

  required_providers {
    todo = {
      source  = "todo-app/todo"
      version = ">= 0.1.0"
    }
  }
}
