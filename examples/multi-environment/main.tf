# One stack per environment, from one map: each entry of var.environments is
# a module instance, module.stack["<environment>"], named
# "<name_prefix>-<environment>". Adding an environment adds a stack;
# removing one destroys it (subject to its database's deletion protection).

locals {
  zone_letters = ["a", "b", "c", "d", "e", "f"]

  environments = {
    for env, e in var.environments : env => merge(e, {
      # The region's first zones by letter, named so that the database can
      # admit the private subnets (the provider's default layout: block i of
      # 16 for the zone with letter index i).
      zones                = [for l in slice(local.zone_letters, 0, e.zone_count) : "${var.region}${l}"]
      private_subnet_cidrs = [for i in range(e.zone_count) : cidrsubnet(e.vpc_cidr, 4, i)]
    })
  }
}

module "stack" {
  source   = "../../modules/todo-stack"
  for_each = local.environments

  name               = "${var.name_prefix}-${each.key}"
  tags               = merge(var.tags, { env = each.key })
  vpc_cidr           = each.value.vpc_cidr
  availability_zones = each.value.zones
  nat_gateways       = each.value.nat_gateways

  create_cluster  = each.value.cluster != null
  cluster_version = try(each.value.cluster.version, null)
  cluster_addons  = var.cluster_addons
  node_groups = each.value.cluster == null ? null : {
    general = {
      instance_types = each.value.cluster.instance_types
      min_size       = each.value.cluster.min_size
      max_size       = each.value.cluster.max_size
    }
  }

  create_database        = each.value.database != null
  db_instance_class      = try(each.value.database.instance_class, null)
  db_multi_az            = try(each.value.database.multi_az, null)
  db_replicas            = each.value.database == null ? null : { for i in range(each.value.database.replicas) : "r${i + 1}" => {} }
  db_allowed_cidrs       = each.value.database == null ? null : each.value.private_subnet_cidrs
  db_deletion_protection = var.db_deletion_protection
  db_skip_final_snapshot = var.db_skip_final_snapshot
  db_apply_immediately   = var.db_apply_immediately

  create_bucket        = true
  bucket_force_destroy = var.bucket_force_destroy

  create_monitoring   = each.value.alert_email != null
  log_retention_days  = each.value.log_retention_days
  alert_subscriptions = each.value.alert_email == null ? null : [{ protocol = "email", endpoint = each.value.alert_email }]
}
