output "kubernetes" {
  description = "What a kubernetes or helm provider needs (null without a cluster): `host`, `cluster_ca_certificate` (base64) and the cluster name for `aws eks get-token`."
  value = module.stack.cluster_name == null ? null : {
    host                   = module.stack.cluster_endpoint
    cluster_ca_certificate = module.stack.cluster_certificate_authority_data
    cluster_name           = module.stack.cluster_name
  }
}

output "irsa_trust_policy" {
  description = "Trust policy of an IAM role for the application's service account (IRSA)."
  value       = local.irsa_trust_policy
}

output "app_policy" {
  description = "IAM policy with what the application reads and writes: the database secret, the bucket, the stack's key."
  value       = local.app_policy
}

output "database" {
  description = "Where the application connects (null without a database): writer and reader addresses, port, database name, and the secret with the credentials."
  value = module.stack.db_endpoint == null ? null : {
    writer     = module.stack.db_endpoint
    readers    = module.stack.db_reader_endpoints
    port       = module.stack.db_port
    name       = module.stack.db_name
    secret_arn = module.stack.db_master_secret_arn
  }
}

output "bucket_name" {
  description = "The stack's bucket."
  value       = module.stack.bucket_name
}

output "alerts_topic_arn" {
  description = "The stack's alerts topic, for the application's own alarms."
  value       = module.stack.alerts_topic_arn
}

output "network" {
  description = "The VPC and its private subnets (zone order), for functions or tasks that run in the stack's network."
  value = {
    vpc_id             = module.stack.vpc_id
    private_subnet_ids = module.stack.private_subnet_id_list
    security_group_ids = module.stack.security_group_ids
  }
}
