terraform {
  required_version = ">= 1.11.0"

  required_providers {
    todo = {
      source = "todo-app/todo"
    }
  }
}
