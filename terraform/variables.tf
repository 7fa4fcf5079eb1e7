variable "environment" {
  description = "Environment name: dev, staging, prod or local."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod", "local"], var.environment)
    error_message = "environment must be one of dev, staging, prod, local."
  }
}

variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "aws_endpoint_url" {
  description = "One endpoint URL for every AWS API (a local emulator). Leave null for real AWS."
  type        = string
  default     = null
}

variable "skip_credentials_validation" {
  description = "Skip the STS credential check at configure time."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every object of the stack."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the stack's VPC (/16 to /24)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones the stack spans (2 to 6)."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "nat_gateways" {
  description = "NAT gateway layout: one_per_az, single or none."
  type        = string
  default     = "one_per_az"
}

variable "kubernetes_version" {
  description = "Kubernetes version of the EKS cluster, e.g. 1.31 (upgrade one minor version at a time)."
  type        = string
  default     = "1.31"
}

variable "endpoint_public_access" {
  description = "Whether the Kubernetes API is reachable from the internet (false: from the VPC only)."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to the public Kubernetes API endpoint, when it is public (null: 0.0.0.0/0)."
  type        = list(string)
  default     = null
}

variable "cluster_admins" {
  description = "IAM role or user ARNs given cluster-admin access (EKS access entries)."
  type        = list(string)
  default     = []
}

variable "addons" {
  description = "EKS add-ons by name, with an optional pinned version; null installs vpc-cni, coredns and kube-proxy at EKS's default versions."
  type        = map(object({ version = optional(string) }))
  default     = null
}

variable "node_groups" {
  description = "Managed node groups by name."
  type = map(object({
    instance_types               = optional(list(string))
    capacity_type                = optional(string)
    disk_size                    = optional(number)
    min_size                     = number
    max_size                     = number
    desired_size                 = optional(number)
    labels                       = optional(map(string))
    autoscaler_owns_desired_size = optional(bool)
  }))
  default = {
    general = { min_size = 2, max_size = 6 }
  }
}

variable "db_engine_version" {
  description = "PostgreSQL version: a major version (16) or an exact one (16.4)."
  type        = string
  default     = "16"
}

variable "db_instance_class" {
  description = "Instance class of the PostgreSQL primary."
  type        = string
  default     = "db.r6g.large"
}

variable "db_allocated_storage" {
  description = "Storage of the primary in GiB (grown in place, never shrunk)."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB (0: off)."
  type        = number
  default     = 500
}

variable "db_multi_az" {
  description = "Whether the primary has a synchronous standby in another zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (1 to 35)."
  type        = number
  default     = 7
}

variable "db_deletion_protection" {
  description = "Whether RDS refuses to delete the primary (destroy then fails before deleting anything)."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Delete the primary without a final snapshot."
  type        = bool
  default     = false
}

variable "db_apply_immediately" {
  description = "Apply class, storage and version changes now rather than in the maintenance window."
  type        = bool
  default     = false
}

variable "db_parameters" {
  description = "PostgreSQL parameters of the stack's parameter group."
  type        = map(string)
  default     = {}
}

variable "db_replicas" {
  description = "Read replicas by name."
  type = map(object({
    instance_class       = optional(string)
    availability_zone    = optional(string)
    performance_insights = optional(bool)
  }))
  default = {}
}

variable "bucket_name" {
  description = "Name of the backups and assets bucket (null: <stack>-<account>-<region>)."
  type        = string
  default     = null
}

variable "bucket_force_destroy" {
  description = "Let destroy delete every object in the bucket."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days the stack's log groups (EKS control plane, RDS exports, VPC flow logs) keep their events."
  type        = number
  default     = 30
}

variable "flow_logs" {
  description = "Whether the VPC's traffic is recorded in a log group."
  type        = bool
  default     = true
}

variable "alert_subscriptions" {
  description = "Who the alerts topic notifies: protocol (email, https, sqs, lambda) and endpoint."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "alarms" {
  description = "Alarm settings by alarm (database_cpu, database_free_storage, database_freeable_memory, database_connections, replica_lag, nat_port_allocation_errors, nat_packets_dropped): enabled, threshold, period, evaluation_periods. Null: the provider's defaults."
  type = object({
    database_cpu               = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_free_storage      = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_freeable_memory   = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_connections       = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    replica_lag                = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    nat_port_allocation_errors = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    nat_packets_dropped        = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
  })
  default = null
}
