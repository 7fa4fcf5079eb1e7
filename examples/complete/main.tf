# Every part of a stack, each option set: the network with explicit subnet
# CIDRs, an EKS cluster with two node groups, PostgreSQL with a read
# replica, the bucket with a tuned lifecycle rule, and monitoring with
# subscriptions and tuned alarms. Sizes are small; the settings that make
# destroy possible (deletion protection, final snapshot, bucket contents)
# keep their production values unless emulator.tfvars changes them.

locals {
  # Two zones of the region, named (subnet CIDRs and replicas refer to them).
  zones = ["${var.region}a", "${var.region}b"]
  # The VPC cut into 16 blocks: private subnets in blocks 0 and 1, public
  # ones in blocks 8 and 9 (the provider's default layout, made explicit).
  private_subnet_cidrs = { for i, z in local.zones : z => cidrsubnet(var.vpc_cidr, 4, i) }
  public_subnet_cidrs  = { for i, z in local.zones : z => cidrsubnet(var.vpc_cidr, 4, 8 + i) }
}

module "stack" {
  source = "../../modules/todo-stack"

  name     = var.name
  tags     = { env = "example", owner = "platform" }
  timeouts = { create = "90m", update = "90m", delete = "60m" }

  # Network
  vpc_cidr             = var.vpc_cidr
  availability_zones   = local.zones
  nat_gateways         = "one_per_az"
  public_subnet_cidrs  = local.public_subnet_cidrs
  private_subnet_cidrs = local.private_subnet_cidrs

  # Cluster
  create_cluster                  = true
  cluster_version                 = var.kubernetes_version
  cluster_endpoint_private_access = true
  cluster_endpoint_public_access  = length(var.api_allowed_cidrs) > 0
  cluster_public_access_cidrs     = length(var.api_allowed_cidrs) > 0 ? var.api_allowed_cidrs : null
  cluster_log_types               = ["api", "audit", "authenticator"]
  cluster_admins                  = var.cluster_admins
  cluster_addons                  = var.cluster_addons
  node_groups = {
    general = {
      instance_types = ["t3.medium"]
      disk_size      = 20
      min_size       = 1
      max_size       = 3
      labels         = { workload = "general" }
    }
    spot = {
      instance_types               = ["t3.medium", "t3a.medium"]
      capacity_type                = "SPOT"
      disk_size                    = 20
      min_size                     = 0
      max_size                     = 2
      desired_size                 = 1
      labels                       = { lifecycle = "spot" }
      taints                       = [{ key = "spot", value = "true", effect = "PREFER_NO_SCHEDULE" }]
      max_unavailable_percentage   = 50
      autoscaler_owns_desired_size = true
    }
  }

  # Database
  create_database               = true
  db_engine_version             = "16"
  db_instance_class             = "db.t4g.medium"
  db_allocated_storage          = 20
  db_max_allocated_storage      = 50
  db_storage_type               = "gp3"
  db_multi_az                   = var.db_multi_az
  db_backup_retention_days      = 7
  db_backup_window              = "03:00-04:00"
  db_maintenance_window         = "sun:05:00-sun:06:00"
  db_cloudwatch_logs_exports    = ["postgresql", "upgrade"]
  db_performance_insights       = false
  db_deletion_protection        = var.db_deletion_protection
  db_skip_final_snapshot        = var.db_skip_final_snapshot
  db_apply_immediately          = var.db_apply_immediately
  db_name                       = "todo"
  db_master_username            = "todo_admin"
  db_master_password_wo         = var.db_master_password
  db_master_password_wo_version = var.db_master_password_version
  db_parameters                 = { log_min_duration_statement = "500" }
  # EKS managed nodes carry the cluster's security group, not the stack's
  # `nodes` group: admit the private subnets, where the pods live.
  db_allowed_cidrs = values(local.private_subnet_cidrs)
  db_replicas      = { r1 = { availability_zone = local.zones[1] } }

  # Storage
  create_bucket        = true
  bucket_force_destroy = var.bucket_force_destroy
  bucket_lifecycle = {
    noncurrent_version_expiration_days     = 30
    transition_to_ia_days                  = 60
    abort_incomplete_multipart_upload_days = 3
  }

  # Monitoring
  create_monitoring   = true
  log_retention_days  = 14
  flow_logs           = true
  alert_subscriptions = [for email in var.alert_emails : { protocol = "email", endpoint = email }]
  alarms = {
    database_cpu               = { threshold = 75, period = 300, evaluation_periods = 3 }
    database_free_storage      = { threshold = 2 }
    database_freeable_memory   = { threshold = 128 }
    database_connections       = { threshold = 100 }
    replica_lag                = { threshold = 30, period = 60, evaluation_periods = 5 }
    nat_port_allocation_errors = { enabled = true }
    nat_packets_dropped        = { threshold = 500, evaluation_periods = 2 }
  }
}
