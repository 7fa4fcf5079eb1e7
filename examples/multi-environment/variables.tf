variable "region" {
  description = "AWS region of every environment's stack."
  type        = string
  default     = "us-east-1"
}

variable "endpoint_url" {
  description = "One endpoint URL for every AWS API, for a local emulator (e.g. moto on `http://127.0.0.1:5077`). Null: AWS."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of the stack names: `<name_prefix>-<environment>`."
  type        = string
  default     = "todo-example"
}

variable "tags" {
  description = "Tags of every environment's stack (each also gets `env = <environment>`)."
  type        = map(string)
  default     = { owner = "platform" }
}

variable "environments" {
  description = <<-EOT
    The environments, by name. Each: `vpc_cidr`; `zone_count` (2 to 6, default 2); `nat_gateways` (default `single`); `cluster` (null: none; else `version`, `instance_types`, `min_size`, `max_size`); `database` (null: none; else `instance_class`, `multi_az`, `replicas` as a count); `alert_email` (null: no monitoring); `log_retention_days`.
  EOT
  type = map(object({
    vpc_cidr     = string
    zone_count   = optional(number, 2)
    nat_gateways = optional(string, "single")
    cluster = optional(object({
      version        = string
      instance_types = optional(list(string), ["t3.medium"])
      min_size       = optional(number, 1)
      max_size       = optional(number, 3)
    }))
    database = optional(object({
      instance_class = optional(string, "db.t4g.medium")
      multi_az       = optional(bool, true)
      replicas       = optional(number, 0)
    }))
    alert_email        = optional(string)
    log_retention_days = optional(number, 30)
  }))
  default = {
    dev = {
      vpc_cidr = "10.60.0.0/16"
      database = { multi_az = false }
    }
    staging = {
      vpc_cidr    = "10.61.0.0/16"
      cluster     = { version = "1.31" }
      database    = {}
      alert_email = "staging-alerts@example.com"
    }
    prod = {
      vpc_cidr           = "10.62.0.0/16"
      zone_count         = 3
      nat_gateways       = "one_per_az"
      cluster            = { version = "1.31", instance_types = ["m6i.large"], min_size = 2, max_size = 6 }
      database           = { instance_class = "db.r6g.large", replicas = 1 }
      alert_email        = "oncall@example.com"
      log_retention_days = 90
    }
  }

  validation {
    condition     = alltrue([for env, e in var.environments : can(regex("^[a-z][a-z0-9]*$", env)) && e.zone_count >= 2 && e.zone_count <= 6])
    error_message = "Each environment needs a name of lowercase letters and digits (it ends the stack name) and a zone_count from 2 to 6."
  }
}

variable "cluster_addons" {
  description = "EKS add-ons of every cluster. Null: vpc-cni, coredns and kube-proxy; `{}` on moto, which serves no add-ons."
  type        = map(object({ version = optional(string) }))
  default     = null
}

variable "db_deletion_protection" {
  description = "Whether RDS refuses to delete the databases (true: production)."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Delete the databases without a final snapshot (false: production)."
  type        = bool
  default     = false
}

variable "db_apply_immediately" {
  description = "Apply database class, storage and version changes now rather than in the maintenance window."
  type        = bool
  default     = false
}

variable "bucket_force_destroy" {
  description = "Let destroy delete the buckets' objects (false: production)."
  type        = bool
  default     = false
}
