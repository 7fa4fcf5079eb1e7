output "account_id" {
  description = "The AWS account the stack lives in."
  value       = data.todo_caller_identity.current.account_id
}

output "region" {
  description = "The AWS region of the stack."
  value       = data.todo_caller_identity.current.region
}
