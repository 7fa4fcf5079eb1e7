# Who the provider runs as: account, ARN and user id (STS GetCallerIdentity).
data "todo_caller_identity" "current" {}

output "account_id" {
  value = data.todo_caller_identity.current.account_id
}
