output "stacks" {
  description = "Each environment's stack: its name, VPC, cluster endpoint, database endpoint, bucket and alerts topic (null for the parts it does not have)."
  value = {
    for env, s in module.stack : env => {
      name             = s.name
      vpc_id           = s.vpc_id
      cluster_endpoint = s.cluster_endpoint
      db_endpoint      = s.db_endpoint
      bucket_name      = s.bucket_name
      alerts_topic_arn = s.alerts_topic_arn
    }
  }
}

output "kubeconfigs" {
  description = "A kubeconfig per environment with a cluster."
  value       = { for env, s in module.stack : env => s.kubeconfig if s.cluster_name != null }
  sensitive   = true
}
