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
