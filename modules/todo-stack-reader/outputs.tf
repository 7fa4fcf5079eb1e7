################################################################################
# Stack
################################################################################

output "name" {
  description = "The stack's name."
  value       = local.stack.name
}

output "stack_id" {
  description = "The stack instance's identity (the `todo:stack-id` tag of its objects)."
  value       = local.stack.stack_id
}

output "region" {
  description = "The region the stack was read from."
  value       = local.stack.region
}

output "tags" {
  description = "The stack's own tags."
  value       = local.stack.tags
}

output "kms_key_arn" {
  description = "ARN of the stack's KMS key."
  value       = local.stack.kms_key_arn
}

################################################################################
# Network
################################################################################

output "vpc_id" {
  description = "The VPC id."
  value       = local.stack.network.vpc_id
}

output "vpc_cidr_block" {
  description = "The VPC's IPv4 CIDR."
  value       = local.stack.network.cidr_block
}

output "availability_zones" {
  description = "The availability zones the stack spans."
  value       = local.stack.network.availability_zones
}

output "private_subnet_ids" {
  description = "Private subnet ids by availability zone."
  value       = local.stack.network.private_subnet_ids
}

output "private_subnet_id_list" {
  description = "Private subnet ids sorted by availability zone name (for arguments that take a list, e.g. a Lambda's `vpc_config`)."
  value       = local.private_subnet_ids
}

output "private_subnet_cidrs" {
  description = "Private subnet CIDRs by availability zone."
  value       = local.stack.network.private_subnet_cidrs
}

output "public_subnet_ids" {
  description = "Public subnet ids by availability zone (for internet-facing load balancers)."
  value       = local.stack.network.public_subnet_ids
}

output "security_group_ids" {
  description = "Security group ids by role: `cluster`, `nodes`, `database`."
  value       = local.stack.network.security_group_ids
}

################################################################################
# Cluster (null when the stack has none)
################################################################################

output "cluster_name" {
  description = "The EKS cluster's name."
  value       = try(local.stack.cluster.name, null)
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL (a kubernetes or helm provider's `host`)."
  value       = try(local.stack.cluster.endpoint, null)
}

output "cluster_certificate_authority_data" {
  description = "The cluster's CA certificate, base64 (a kubernetes provider's `cluster_ca_certificate = base64decode(...)`)."
  value       = try(local.stack.cluster.certificate_authority, null)
}

output "cluster_version" {
  description = "The cluster's Kubernetes version."
  value       = try(local.stack.cluster.version, null)
}

output "cluster_security_group_id" {
  description = "The security group EKS made for the cluster (carried by the managed nodes and their pods)."
  value       = try(local.stack.cluster.security_group_id, null)
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider: the `Federated` principal of an IRSA role's trust policy."
  value       = try(local.stack.cluster.oidc_provider_arn, null)
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = try(local.stack.cluster.oidc_issuer_url, null)
}

output "oidc_provider" {
  description = "The OIDC issuer without `https://`: the prefix of the `<issuer>:sub` and `<issuer>:aud` condition keys of an IRSA trust policy."
  value       = try(trimprefix(local.stack.cluster.oidc_issuer_url, "https://"), null)
}

################################################################################
# Database (null when the stack has none)
################################################################################

output "db_endpoint" {
  description = "The PostgreSQL primary's address (writer)."
  value       = try(local.stack.database.endpoint, null)
}

output "db_reader_endpoints" {
  description = "The read replicas' addresses, by replica name (empty without replicas)."
  value       = try(local.stack.database.reader_endpoints, null)
}

output "db_port" {
  description = "The database port."
  value       = try(local.stack.database.port, null)
}

output "db_name" {
  description = "The database created in the instance."
  value       = try(local.stack.database.database_name, null)
}

output "db_master_username" {
  description = "The master user."
  value       = try(local.stack.database.master_username, null)
}

output "db_master_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master credentials (grant `secretsmanager:GetSecretValue` on it, and `kms:Decrypt` on `kms_key_arn`); the password itself is never an output."
  value       = try(local.stack.database.master_secret_arn, null)
}

output "db_security_group_id" {
  description = "The database security group."
  value       = try(local.stack.database.security_group_id, null)
}

################################################################################
# Storage (null when the stack has none)
################################################################################

output "bucket_name" {
  description = "The bucket's name."
  value       = try(local.stack.storage.bucket_name, null)
}

output "bucket_arn" {
  description = "The bucket's ARN (for IAM policies; its objects are `<arn>/*`)."
  value       = try(local.stack.storage.bucket_arn, null)
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional domain name."
  value       = try(local.stack.storage.bucket_regional_domain_name, null)
}

################################################################################
# Monitoring (null when the stack has none)
################################################################################

output "alerts_topic_arn" {
  description = "ARN of the stack's alerts topic (SNS, encrypted with `kms_key_arn`): alarms of the application can notify it."
  value       = try(local.stack.monitoring.topic_arn, null)
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard in the AWS console."
  value       = try(local.stack.monitoring.dashboard_url, null)
}
