terraform {
  required_version = ">= 1.11"

  required_providers {
    todo = {
      # A root pins the provider's minor version (0.x minors may break);
      # the modules it calls state only the minimum they need.
      source  = "todo-app/todo"
      version = "~> 0.1.0"
    }
  }
}
