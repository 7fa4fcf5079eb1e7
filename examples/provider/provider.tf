terraform {
  required_providers {
    todo = {
      source  = "todo-app/todo"
      version = "~> 0.1.0"
    }
  }
}

# Credentials come from the standard AWS chain (environment, shared config
# and SSO profiles, web identity, instance or container roles).
provider "todo" {
  region = "us-east-1"

  # Tags on every object of every stack this provider makes.
  default_tags {
    tags = { team = "platform", managed_by = "terraform" }
  }
}
