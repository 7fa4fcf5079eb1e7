variable "region" {
  description = "AWS region the stack lives in."
  type        = string
  default     = "us-east-1"
}

variable "endpoint_url" {
  description = "One endpoint URL for every AWS API, for a local emulator (e.g. moto on `http://127.0.0.1:5077`). Null: AWS."
  type        = string
  default     = null
}

variable "stack_name" {
  description = "Name of the stack the application deploys into, e.g. `todo-prod`."
  type        = string
}

variable "service_account_namespace" {
  description = "Kubernetes namespace of the application's service account."
  type        = string
  default     = "todo"
}

variable "service_account_name" {
  description = "Name of the application's Kubernetes service account."
  type        = string
  default     = "api"
}
