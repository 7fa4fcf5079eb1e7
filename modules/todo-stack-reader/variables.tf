variable "name" {
  description = "Name of the stack to read (its `name`, e.g. `todo-prod`), in the provider's region."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "${jsonencode(var.name)} is not a valid stack name: use 3 to 32 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it names AWS objects and DNS labels)."
  }
}

variable "require_cluster" {
  description = "Fail at plan, naming the stack, when it has no EKS cluster (instead of returning null cluster outputs)."
  type        = bool
  default     = false
  nullable    = false
}

variable "require_database" {
  description = "Fail at plan, naming the stack, when it has no database (instead of returning null database outputs)."
  type        = bool
  default     = false
  nullable    = false
}

variable "require_bucket" {
  description = "Fail at plan, naming the stack, when it has no bucket (instead of returning null bucket outputs)."
  type        = bool
  default     = false
  nullable    = false
}

variable "require_monitoring" {
  description = "Fail at plan, naming the stack, when it has no monitoring (instead of returning a null alerts topic)."
  type        = bool
  default     = false
  nullable    = false
}
