variable "region" {
  description = "AWS region of the stack; its zones a and b are used."
  type        = string
  default     = "us-east-1"
}

variable "endpoint_url" {
  description = "One endpoint URL for every AWS API, for a local emulator (e.g. moto on `http://127.0.0.1:5077`). Null: AWS."
  type        = string
  default     = null
}

variable "name" {
  description = "Stack name (3 to 32 lowercase letters, digits and hyphens)."
  type        = string
  default     = "todo-example-complete"
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16 to /24)."
  type        = string
  default     = "10.50.0.0/16"
}

variable "kubernetes_version" {
  description = "Kubernetes version of the cluster (upgrade one minor version at a time)."
  type        = string
  default     = "1.31"
}

variable "api_allowed_cidrs" {
  description = "CIDRs that may reach the Kubernetes API over the internet. Empty: the API is reachable from the VPC only."
  type        = list(string)
  default     = []
}

variable "cluster_admins" {
  description = "IAM role or user ARNs given cluster-admin access (EKS access entries; moto serves none, so leave it null there)."
  type        = list(string)
  default     = null
}

variable "cluster_addons" {
  description = "EKS add-ons by name. Null: vpc-cni, coredns and kube-proxy at EKS's default versions; `{}` on moto, which serves no add-ons."
  type        = map(object({ version = optional(string) }))
  default     = null
}

variable "db_multi_az" {
  description = "Whether the database primary has a standby in another zone."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "Whether RDS refuses to delete the primary (true: production; destroy then fails before deleting anything)."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Delete the primary without a final snapshot (false: production)."
  type        = bool
  default     = false
}

variable "db_apply_immediately" {
  description = "Apply class, storage and version changes now rather than in the maintenance window."
  type        = bool
  default     = false
}

variable "db_master_password" {
  description = "Master password, write-only (never in plan or state); e.g. `TF_VAR_db_master_password`. Null: RDS manages it in Secrets Manager."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "db_master_password_version" {
  description = "Version of db_master_password, set with it (e.g. 1): raise it to set a new password."
  type        = number
  default     = null
}

variable "bucket_force_destroy" {
  description = "Let destroy delete the bucket's objects (false: production)."
  type        = bool
  default     = false
}

variable "alert_emails" {
  description = "Email addresses the alerts topic notifies (each confirms by mail on AWS)."
  type        = list(string)
  default     = ["ops@example.com"]
}
