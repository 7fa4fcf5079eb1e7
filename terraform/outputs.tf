output "account_id" {
  description = "The AWS account the stack lives in."
  value       = data.todo_caller_identity.current.account_id
}

output "region" {
  description = "The AWS region of the stack."
  value       = data.todo_caller_identity.current.region
}

output "vpc_id" {
  description = "The stack's VPC."
  value       = todo_cloud_stack.this.network.vpc_id
}

output "public_subnet_ids" {
  description = "Public subnets by availability zone."
  value       = todo_cloud_stack.this.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets by availability zone."
  value       = todo_cloud_stack.this.network.private_subnet_ids
}

output "security_group_ids" {
  description = "Security groups by role (cluster, nodes, database)."
  value       = todo_cloud_stack.this.network.security_group_ids
}

output "kms_key_arn" {
  description = "The stack's customer-managed KMS key (alias alias/todo/<stack name>)."
  value       = todo_cloud_stack.this.kms_key_arn
}

output "stack_id" {
  description = "The stack instance's identity, the todo:stack-id tag of its objects."
  value       = todo_cloud_stack.this.stack_id
}

output "cluster_name" {
  description = "The EKS cluster's name."
  value       = todo_cloud_stack.this.cluster.name
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = todo_cloud_stack.this.cluster.endpoint
}

output "cluster_oidc_provider_arn" {
  description = "The IAM OIDC provider of the cluster, for IAM roles for service accounts."
  value       = todo_cloud_stack.this.cluster.oidc_provider_arn
}

output "node_groups" {
  description = "Node groups by name: their EKS names and statuses."
  value       = { for k, g in todo_cloud_stack.this.cluster.node_groups : k => { name = g.name, status = g.status } }
}

output "kubeconfig" {
  description = "A kubeconfig for the cluster (authenticates with `aws eks get-token`)."
  value       = todo_cloud_stack.this.kubeconfig
  sensitive   = true
}

output "database_endpoint" {
  description = "The PostgreSQL primary's endpoint (writer)."
  value       = todo_cloud_stack.this.database.endpoint
}

output "database_reader_endpoints" {
  description = "The read replicas' endpoints by name."
  value       = todo_cloud_stack.this.database.reader_endpoints
}

output "database_master_secret_arn" {
  description = "The Secrets Manager secret holding the master credentials."
  value       = todo_cloud_stack.this.database.master_secret_arn
}

output "database_final_snapshot_identifier" {
  description = "The snapshot taken when the primary is deleted."
  value       = todo_cloud_stack.this.database.final_snapshot_identifier
}

output "bucket_name" {
  description = "The backups and static assets bucket."
  value       = todo_cloud_stack.this.storage.bucket_name
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional domain name."
  value       = todo_cloud_stack.this.storage.bucket_regional_domain_name
}

output "alerts_topic_arn" {
  description = "The SNS topic the stack's alarms notify."
  value       = todo_cloud_stack.this.monitoring.topic_arn
}

output "log_group_names" {
  description = "The stack's log groups by role."
  value       = todo_cloud_stack.this.monitoring.log_group_names
}

output "alarm_names" {
  description = "The stack's CloudWatch alarms."
  value       = todo_cloud_stack.this.monitoring.alarm_names
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard in the AWS console."
  value       = todo_cloud_stack.this.monitoring.dashboard_url
}
