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
