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
