terraform {
  required_version = ">= 1.11"

  required_providers {
    todo = {
      source  = "todo-app/todo"
      version = "~> 0.1.0"
    }
  }
}
