variable "region" {
  description = "AWS region of the stack."
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
  default     = "todo-example-minimal"
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16 to /24)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "bucket_force_destroy" {
  description = "Let destroy delete the bucket's objects. False (production): destroy of a bucket holding objects fails before anything is deleted."
  type        = bool
  default     = false
}
