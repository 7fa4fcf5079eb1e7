output "vpc_id" {
  description = "The stack's VPC."
  value       = module.stack.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets by availability zone."
  value       = module.stack.private_subnet_ids
}

output "security_group_ids" {
  description = "Security groups by role (cluster, nodes, database)."
  value       = module.stack.security_group_ids
}

output "cluster_name" {
  description = "The EKS cluster."
  value       = module.stack.cluster_name
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = module.stack.cluster_endpoint
}

output "cluster_oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider, for IAM roles for service accounts."
  value       = module.stack.cluster_oidc_provider_arn
}

output "node_groups" {
  description = "Node groups by name: EKS name, ARN and status."
  value       = module.stack.node_groups
}

output "kubeconfig" {
  description = "A kubeconfig for the cluster (authenticates with `aws eks get-token`)."
  value       = module.stack.kubeconfig
  sensitive   = true
}

output "db_endpoint" {
  description = "The PostgreSQL primary (writer)."
  value       = module.stack.db_endpoint
}

output "db_reader_endpoints" {
  description = "The read replicas by name."
  value       = module.stack.db_reader_endpoints
}

output "db_master_secret_arn" {
  description = "The secret holding the master credentials."
  value       = module.stack.db_master_secret_arn
}

output "bucket_name" {
  description = "The backups and static assets bucket."
  value       = module.stack.bucket_name
}

output "alerts_topic_arn" {
  description = "The topic the alarms notify."
  value       = module.stack.alerts_topic_arn
}

output "alarm_names" {
  description = "The stack's alarms."
  value       = module.stack.alarm_names
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard."
  value       = module.stack.dashboard_url
}
