# The live root configuration of the Todo application's AWS stack.
# Operators run: terraform apply -var-file=prod.tfvars
# Locally (moto emulator): ../scripts/up

provider "todo" {
  region                      = var.region
  endpoint_url                = var.aws_endpoint_url
  s3_use_path_style           = var.aws_endpoint_url != null
  skip_credentials_validation = var.skip_credentials_validation

  default_tags {
    tags = merge({ app = "todo", environment = var.environment, managed_by = "terraform" }, var.tags)
  }
}

data "todo_caller_identity" "current" {}

locals {
  # The private subnets of the provider's default layout: the VPC cut into
  # 16 blocks, block i for the zone whose letter is the i-th (a = 0).
  # EKS managed nodes carry the security group EKS makes for the cluster,
  # not the stack's `nodes` group (no launch template yet), so the database
  # admits the private subnets, where the nodes and their pods live.
  private_subnet_cidrs = [
    for z in var.availability_zones :
    cidrsubnet(var.vpc_cidr, 4, index(split("", "abcdefgh"), substr(z, length(z) - 1, 1)))
  ]
}

resource "todo_cloud_stack" "this" {
  name = "todo-${var.environment}"
  tags = var.tags

  network = {
    cidr_block         = var.vpc_cidr
    availability_zones = var.availability_zones
    nat_gateways       = var.nat_gateways
  }

  cluster = {
    version                = var.kubernetes_version
    endpoint_public_access = var.endpoint_public_access
    public_access_cidrs    = var.public_access_cidrs
    admins                 = var.cluster_admins
    addons                 = var.addons
    node_groups            = var.node_groups
  }

  database = {
    engine_version        = var.db_engine_version
    instance_class        = var.db_instance_class
    allocated_storage     = var.db_allocated_storage
    max_allocated_storage = var.db_max_allocated_storage
    multi_az              = var.db_multi_az
    backup_retention_days = var.db_backup_retention_days
    deletion_protection   = var.db_deletion_protection
    skip_final_snapshot   = var.db_skip_final_snapshot
    apply_immediately     = var.db_apply_immediately
    parameters            = var.db_parameters
    allowed_cidrs         = local.private_subnet_cidrs
    replicas              = var.db_replicas
  }

  storage = {
    bucket_name   = var.bucket_name
    force_destroy = var.bucket_force_destroy
  }

  monitoring = {
    log_retention_days = var.log_retention_days
    flow_logs          = var.flow_logs
    subscriptions      = var.alert_subscriptions
    alarms             = var.alarms
  }
}
