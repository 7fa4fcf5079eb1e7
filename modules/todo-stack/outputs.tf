################################################################################
# Stack
################################################################################

output "id" {
  description = "The stack's id (its name)."
  value       = todo_cloud_stack.this.id
}

output "name" {
  description = "The stack's name."
  value       = todo_cloud_stack.this.name
}

output "stack_id" {
  description = "This stack instance's identity, the `todo:stack-id` tag of its objects."
  value       = todo_cloud_stack.this.stack_id
}

output "region" {
  description = "The AWS region the stack lives in."
  value       = todo_cloud_stack.this.region
}

output "kms_key_arn" {
  description = "ARN of the stack's customer-managed KMS key (alias `alias/todo/<name>`)."
  value       = todo_cloud_stack.this.kms_key_arn
}

output "drift" {
  description = "What the last refresh found changed outside Terraform, one line per difference (apply restores the configuration)."
  value       = todo_cloud_stack.this.drift
}

################################################################################
# Network
################################################################################

output "vpc_id" {
  description = "The VPC id."
  value       = todo_cloud_stack.this.network.vpc_id
}

output "vpc_cidr_block" {
  description = "The VPC's IPv4 CIDR."
  value       = todo_cloud_stack.this.network.cidr_block
}

output "availability_zones" {
  description = "The availability zones the stack spans (named, or resolved from `availability_zone_count`)."
  value       = todo_cloud_stack.this.network.availability_zones
}

output "internet_gateway_id" {
  description = "The internet gateway id."
  value       = todo_cloud_stack.this.network.internet_gateway_id
}

output "public_subnet_ids" {
  description = "Public subnet ids by availability zone."
  value       = todo_cloud_stack.this.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnet ids by availability zone."
  value       = todo_cloud_stack.this.network.private_subnet_ids
}

output "public_subnet_cidrs" {
  description = "Public subnet CIDRs by availability zone."
  value       = todo_cloud_stack.this.network.public_subnet_cidrs
}

output "private_subnet_cidrs" {
  description = "Private subnet CIDRs by availability zone (e.g. for `db_allowed_cidrs` of pods on EKS managed nodes)."
  value       = todo_cloud_stack.this.network.private_subnet_cidrs
}

output "nat_gateway_ids" {
  description = "NAT gateway ids by the availability zone they live in."
  value       = todo_cloud_stack.this.network.nat_gateway_ids
}

output "public_route_table_id" {
  description = "The public route table id."
  value       = todo_cloud_stack.this.network.public_route_table_id
}

output "private_route_table_ids" {
  description = "Private route table ids by availability zone."
  value       = todo_cloud_stack.this.network.private_route_table_ids
}

output "security_group_ids" {
  description = "Security group ids by role: `cluster`, `nodes`, `database`."
  value       = todo_cloud_stack.this.network.security_group_ids
}

################################################################################
# Cluster (null without `create_cluster`)
################################################################################

output "cluster_name" {
  description = "The EKS cluster's name."
  value       = try(todo_cloud_stack.this.cluster.name, null)
}

output "cluster_arn" {
  description = "The EKS cluster's ARN."
  value       = try(todo_cloud_stack.this.cluster.arn, null)
}

output "cluster_version" {
  description = "The cluster's Kubernetes version."
  value       = try(todo_cloud_stack.this.cluster.version, null)
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = try(todo_cloud_stack.this.cluster.endpoint, null)
}

output "cluster_certificate_authority_data" {
  description = "The cluster's CA certificate, base64 (`cluster_ca_certificate = base64decode(...)` of a kubernetes provider)."
  value       = try(todo_cloud_stack.this.cluster.certificate_authority, null)
}

output "cluster_oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = try(todo_cloud_stack.this.cluster.oidc_issuer_url, null)
}

output "cluster_oidc_provider" {
  description = "The OIDC issuer without `https://`: the prefix of the `:sub` and `:aud` condition keys of an IRSA trust policy."
  value       = try(trimprefix(todo_cloud_stack.this.cluster.oidc_issuer_url, "https://"), null)
}

output "cluster_oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider, for IAM roles for service accounts (IRSA)."
  value       = try(todo_cloud_stack.this.cluster.oidc_provider_arn, null)
}

output "cluster_security_group_id" {
  description = "The security group EKS made for the cluster (carried by the managed nodes)."
  value       = try(todo_cloud_stack.this.cluster.security_group_id, null)
}

output "cluster_iam_role_arn" {
  description = "The cluster IAM role's ARN."
  value       = try(todo_cloud_stack.this.cluster.cluster_role_arn, null)
}

output "node_iam_role_arn" {
  description = "The node IAM role's ARN."
  value       = try(todo_cloud_stack.this.cluster.node_role_arn, null)
}

output "node_groups" {
  description = "Node groups by name: `name` (the EKS name, which changes when the group is replaced), `arn`, `status`."
  value       = try({ for k, g in todo_cloud_stack.this.cluster.node_groups : k => { name = g.name, arn = g.arn, status = g.status } }, null)
}

output "cluster_addons" {
  description = "Installed add-ons by name, with their versions."
  value       = try({ for k, a in todo_cloud_stack.this.cluster.addons : k => a.version }, null)
}

output "kubeconfig" {
  description = "A kubeconfig for the cluster that authenticates with `aws eks get-token` (needs the AWS CLI)."
  value       = todo_cloud_stack.this.kubeconfig
  sensitive   = true
}

################################################################################
# Database (null without `create_database`)
################################################################################

output "db_endpoint" {
  description = "The PostgreSQL primary's endpoint address (writer)."
  value       = try(todo_cloud_stack.this.database.endpoint, null)
}

output "db_reader_endpoints" {
  description = "The read replicas' endpoint addresses, by name."
  value       = try(todo_cloud_stack.this.database.reader_endpoints, null)
}

output "db_port" {
  description = "The database port (5432)."
  value       = try(todo_cloud_stack.this.database.port, null)
}

output "db_name" {
  description = "The database created in the instance."
  value       = try(todo_cloud_stack.this.database.database_name, null)
}

output "db_master_username" {
  description = "The master user."
  value       = try(todo_cloud_stack.this.database.master_username, null)
}

output "db_master_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master credentials (RDS's own with a managed password; the stack's with `db_master_password_wo`)."
  value       = try(todo_cloud_stack.this.database.master_secret_arn, null)
}

output "db_instance_arn" {
  description = "The primary's ARN."
  value       = try(todo_cloud_stack.this.database.arn, null)
}

output "db_instance_identifier" {
  description = "The primary's RDS identifier, `<stack>-db-<hash>` (changes only when the database is replaced)."
  value       = try(todo_cloud_stack.this.database.identifier, null)
}

output "db_replica_arns" {
  description = "The read replicas' ARNs, by name."
  value       = try({ for k, r in todo_cloud_stack.this.database.replicas : k => r.arn }, null)
}

output "db_security_group_id" {
  description = "The database security group."
  value       = try(todo_cloud_stack.this.database.security_group_id, null)
}

output "db_final_snapshot_identifier" {
  description = "The snapshot taken when the primary is deleted (null with `db_skip_final_snapshot`)."
  value       = try(todo_cloud_stack.this.database.final_snapshot_identifier, null)
}

################################################################################
# Storage (null without `create_bucket`)
################################################################################

output "bucket_name" {
  description = "The bucket's name."
  value       = try(todo_cloud_stack.this.storage.bucket_name, null)
}

output "bucket_arn" {
  description = "The bucket's ARN."
  value       = try(todo_cloud_stack.this.storage.bucket_arn, null)
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional domain name, `<bucket>.s3.<region>.amazonaws.com`."
  value       = try(todo_cloud_stack.this.storage.bucket_regional_domain_name, null)
}

################################################################################
# Monitoring (null without `create_monitoring`)
################################################################################

output "alerts_topic_arn" {
  description = "ARN of the SNS topic the alarms notify, `<stack>-alerts`."
  value       = try(todo_cloud_stack.this.monitoring.topic_arn, null)
}

output "log_group_names" {
  description = "The stack's log groups by role: `eks`, `postgresql`, `upgrade`, `flow_logs`."
  value       = try(todo_cloud_stack.this.monitoring.log_group_names, null)
}

output "alarm_names" {
  description = "The alarms' names, by `<alarm>` for the primary's and `<alarm>/<replica or zone>` for the others."
  value       = try(todo_cloud_stack.this.monitoring.alarm_names, null)
}

output "dashboard_name" {
  description = "The CloudWatch dashboard, `<stack>-<region>`."
  value       = try(todo_cloud_stack.this.monitoring.dashboard_name, null)
}

output "dashboard_url" {
  description = "The dashboard in the AWS console."
  value       = try(todo_cloud_stack.this.monitoring.dashboard_url, null)
}
