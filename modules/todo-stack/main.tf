# One todo_cloud_stack: the VPC, and optionally an EKS cluster, a PostgreSQL
# database, an S3 bucket and monitoring. Every optional argument the module
# leaves null keeps the provider's default, so the provider's documentation
# (docs/resources/cloud_stack.md) is the reference for what null means.

resource "todo_cloud_stack" "this" {
  name     = var.name
  tags     = var.tags
  timeouts = var.timeouts

  network = {
    cidr_block              = var.vpc_cidr
    availability_zones      = var.availability_zones
    availability_zone_count = var.availability_zone_count
    nat_gateways            = var.nat_gateways
    public_subnet_cidrs     = var.public_subnet_cidrs
    private_subnet_cidrs    = var.private_subnet_cidrs
  }

  cluster = var.create_cluster ? {
    version                 = var.cluster_version
    endpoint_private_access = var.cluster_endpoint_private_access
    endpoint_public_access  = var.cluster_endpoint_public_access
    public_access_cidrs     = var.cluster_public_access_cidrs
    log_types               = var.cluster_log_types
    admins                  = var.cluster_admins
    addons                  = var.cluster_addons
    node_groups             = var.node_groups
  } : null

  database = var.create_database ? {
    engine_version             = var.db_engine_version
    instance_class             = var.db_instance_class
    allocated_storage          = var.db_allocated_storage
    max_allocated_storage      = var.db_max_allocated_storage
    storage_type               = var.db_storage_type
    iops                       = var.db_iops
    multi_az                   = var.db_multi_az
    kms_key_arn                = var.db_kms_key_arn
    backup_retention_days      = var.db_backup_retention_days
    backup_window              = var.db_backup_window
    maintenance_window         = var.db_maintenance_window
    cloudwatch_logs_exports    = var.db_cloudwatch_logs_exports
    performance_insights       = var.db_performance_insights
    deletion_protection        = var.db_deletion_protection
    skip_final_snapshot        = var.db_skip_final_snapshot
    database_name              = var.db_name
    master_username            = var.db_master_username
    master_password_wo         = var.db_master_password_wo
    master_password_wo_version = var.db_master_password_wo_version
    parameters                 = var.db_parameters
    allowed_cidrs              = var.db_allowed_cidrs
    apply_immediately          = var.db_apply_immediately
    allow_replacement          = var.db_allow_replacement
    replicas                   = var.db_replicas
  } : null

  storage = var.create_bucket ? {
    bucket_name   = var.bucket_name
    force_destroy = var.bucket_force_destroy
    lifecycle     = var.bucket_lifecycle
  } : null

  monitoring = var.create_monitoring ? {
    log_retention_days = var.log_retention_days
    flow_logs          = var.flow_logs
    subscriptions      = var.alert_subscriptions
    alarms             = var.alarms
  } : null

  # Rules that relate several inputs through computed values, checked at
  # plan before the provider is asked (see the locals below).
  lifecycle {
    precondition {
      condition     = length(local.zones_without_default_subnets) == 0
      error_message = join(" ", local.zones_without_default_subnets)
    }
    precondition {
      condition     = length(local.subnet_overlaps) == 0
      error_message = join(" ", local.subnet_overlaps)
    }
    precondition {
      condition     = !var.create_database || length(local.db_storage_problems) == 0
      error_message = join(" ", local.db_storage_problems)
    }
    precondition {
      condition     = !var.create_database || length(local.db_window_problems) == 0
      error_message = join(" ", local.db_window_problems)
    }
  }
}

# The preconditions above: rules that relate several inputs, with the
# provider's wording (the provider checks them again at plan). Variable
# validation in variables.tf cannot use these locals, which depend on the
# variables themselves.
locals {
  # The provider's default subnet layout: the VPC cut into 16 blocks, the
  # zone whose name ends in the i-th letter (a = 0 ... h = 7) gets block i
  # (private) and block 8 + i (public).
  zone_letters = ["a", "b", "c", "d", "e", "f", "g", "h"]

  # Zones whose subnets have no default block (their name does not end in
  # a to h) while a subnet CIDR map is left to the default.
  zones_without_default_subnets = var.availability_zones == null || (var.public_subnet_cidrs != null && var.private_subnet_cidrs != null) ? [] : [
    for i, z in var.availability_zones : "availability_zones[${i}]: ${jsonencode(z)} does not end in a letter from a to h, so it has no default subnet block; set ${join(" and ", compact([var.public_subnet_cidrs == null ? "public_subnet_cidrs" : "", var.private_subnet_cidrs == null ? "private_subnet_cidrs" : ""]))} with an entry for each zone."
    if can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z)) && !contains(local.zone_letters, substr(z, -1, 1)) && !contains(slice(var.availability_zones, 0, i), z)
  ]

  # Every subnet CIDR the stack will have, given or by default, as
  # { "<variable>[\"<zone>\"]" = { cidr, given } } (only when all of them can
  # be known: a valid VPC CIDR and named zones).
  vpc_cidr_ok = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false)
  named_zones = var.availability_zones == null ? [] : distinct(var.availability_zones)
  subnets = !local.vpc_cidr_ok ? {} : merge(
    {
      for z in local.named_zones : "public_subnet_cidrs[${jsonencode(z)}]" => {
        cidr  = var.public_subnet_cidrs == null ? cidrsubnet(var.vpc_cidr, 4, 8 + index(local.zone_letters, substr(z, -1, 1))) : lookup(var.public_subnet_cidrs, z, null)
        given = var.public_subnet_cidrs != null
        # How a message about another subnet names this one (the provider's
        # Subnet::describe).
        described = var.public_subnet_cidrs != null ? " (public_subnet_cidrs[${jsonencode(z)}])" : ", the default CIDR of ${jsonencode(z)} in public_subnet_cidrs (set public_subnet_cidrs to choose another)"
      } if var.public_subnet_cidrs != null || contains(local.zone_letters, substr(z, -1, 1))
    },
    {
      for z in local.named_zones : "private_subnet_cidrs[${jsonencode(z)}]" => {
        cidr  = var.private_subnet_cidrs == null ? cidrsubnet(var.vpc_cidr, 4, index(local.zone_letters, substr(z, -1, 1))) : lookup(var.private_subnet_cidrs, z, null)
        given = var.private_subnet_cidrs != null
        # How a message about another subnet names this one (the provider's
        # Subnet::describe).
        described = var.private_subnet_cidrs != null ? " (private_subnet_cidrs[${jsonencode(z)}])" : ", the default CIDR of ${jsonencode(z)} in private_subnet_cidrs (set private_subnet_cidrs to choose another)"
      } if var.private_subnet_cidrs != null || contains(local.zone_letters, substr(z, -1, 1))
    },
  )
  # The usable ones (well formed, /28 or larger, inside the VPC: the others
  # are reported on their own), with their first and last address as numbers.
  subnet_ranges = {
    for k, s in local.subnets : k => {
      cidr      = s.cidr
      given     = s.given
      described = s.described
      first     = local.ip_number[cidrhost(s.cidr, 0)]
      last      = local.ip_number[cidrhost(s.cidr, -1)]
    } if contains(keys(local.usable_subnets), k)
  }
  usable_subnets = {
    for k, s in local.subnets : k => s
    if s.cidr != null && can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/([0-9]+)$", s.cidr)) && can(cidrhost(s.cidr, 0)) && try(
      cidrsubnet(s.cidr, 0, 0) == s.cidr
      && tonumber(split("/", s.cidr)[1]) <= 28
      && tonumber(split("/", s.cidr)[1]) >= tonumber(split("/", var.vpc_cidr)[1])
      && cidrsubnet("${cidrhost(s.cidr, 0)}/${split("/", var.vpc_cidr)[1]}", 0, 0) == cidrsubnet(var.vpc_cidr, 0, 0),
      false
    )
  }
  # Dotted addresses as numbers (a map, since HCL has no functions).
  ip_number = {
    for ip in distinct(flatten([for s in values(local.usable_subnets) : [cidrhost(s.cidr, 0), cidrhost(s.cidr, -1)]])) :
    ip => sum([for i, octet in split(".", ip) : tonumber(octet) * pow(256, 3 - i)])
  }
  # Pairs of overlapping subnets, one of them given in the configuration
  # (the default layout never overlaps itself).
  subnet_overlaps = flatten([
    for i, a in keys(local.subnet_ranges) : [
      for b in slice(keys(local.subnet_ranges), i + 1, length(local.subnet_ranges)) : (
        local.subnet_ranges[b].given
        ? "${b}: ${local.subnet_ranges[b].cidr} overlaps ${local.subnet_ranges[a].cidr}${local.subnet_ranges[a].described}; subnets of a VPC must not overlap."
        : "${a}: ${local.subnet_ranges[a].cidr} overlaps ${local.subnet_ranges[b].cidr}${local.subnet_ranges[b].described}; subnets of a VPC must not overlap."
      )
      if(local.subnet_ranges[a].given || local.subnet_ranges[b].given)
      && local.subnet_ranges[a].first <= local.subnet_ranges[b].last
      && local.subnet_ranges[b].first <= local.subnet_ranges[a].last
    ]
  ])

  # The database's storage settings together. The storage type and size in
  # effect (given, or the provider's defaults gp3 and 20 GiB); a setting
  # that is invalid on its own is reported on its variable, not here.
  db_storage_type = coalesce(var.db_storage_type, "gp3")
  db_allocated    = var.db_allocated_storage == null ? 20 : var.db_allocated_storage
  db_allocated_ok = floor(local.db_allocated) == local.db_allocated && local.db_allocated >= 20 && local.db_allocated <= 65536
  db_provisioned  = contains(["io1", "io2"], local.db_storage_type)
  db_iops_per_gib = local.db_storage_type == "io1" ? 50 : 1000
  db_min_ceiling  = local.db_allocated + floor((local.db_allocated + 9) / 10)
  db_iops_whole   = var.db_iops == null ? false : floor(var.db_iops) == var.db_iops
  db_storage_problems = !contains(["gp2", "gp3", "io1", "io2"], local.db_storage_type) || !local.db_allocated_ok ? [] : compact([
    local.db_provisioned && local.db_allocated < 100 ? "db_allocated_storage: ${var.db_allocated_storage == null ? "not set (default 20 GiB)" : "${local.db_allocated} GiB"} is too small for ${local.db_storage_type} storage: Provisioned IOPS volumes are 100 to 65536 GiB." : "",
    try(var.db_max_allocated_storage > 0 && var.db_max_allocated_storage <= 65536 && floor(var.db_max_allocated_storage) == var.db_max_allocated_storage && var.db_max_allocated_storage < local.db_min_ceiling, false) ? "db_max_allocated_storage: ${var.db_max_allocated_storage} GiB is too close to ${var.db_allocated_storage == null ? "the default db_allocated_storage 20" : "db_allocated_storage ${local.db_allocated}"} GiB: RDS wants a storage autoscaling ceiling at least 10% above the allocated storage. Use 0 to turn autoscaling off, or a ceiling from ${local.db_min_ceiling} to 65536 GiB." : "",
    local.db_storage_type == "gp2" && var.db_iops != null ? "db_iops: gp2 storage has no provisioned IOPS (it gets 3 IOPS per GiB); remove db_iops, or use db_storage_type \"gp3\" (400 GiB or more), \"io1\" or \"io2\"." : "",
    local.db_provisioned && var.db_iops == null ? "db_iops: not set, but ${local.db_storage_type} storage is Provisioned IOPS storage: set db_iops from 1000 to 256000." : "",
    local.db_provisioned && var.db_iops != null && !(local.db_iops_whole && try(var.db_iops >= 1000 && var.db_iops <= 256000, false)) ? "db_iops: ${coalesce(var.db_iops, 0)} is ${local.db_iops_whole ? "out of range" : "not a whole number"}: ${local.db_storage_type} storage takes 1000 to 256000 IOPS." : "",
    local.db_provisioned && local.db_iops_whole && try(var.db_iops >= 1000 && var.db_iops <= 256000 && local.db_allocated >= 100 && (var.db_iops * 2 < local.db_allocated || var.db_iops > local.db_allocated * local.db_iops_per_gib), false) ? "db_iops: ${coalesce(var.db_iops, 0)} IOPS for ${local.db_allocated} GiB of ${local.db_storage_type} storage is out of proportion: RDS needs 0.5 to ${local.db_iops_per_gib} IOPS per GiB, here ${max(floor((local.db_allocated + 1) / 2), 1000)} to ${min(local.db_allocated * local.db_iops_per_gib, 256000)}." : "",
    local.db_storage_type == "gp3" && var.db_iops != null && local.db_allocated < 400 ? "db_iops: gp3 storage below 400 GiB has a fixed baseline of 3000 IOPS that cannot be set (db_allocated_storage is ${local.db_allocated} GiB); remove db_iops, or set db_allocated_storage to 400 GiB or more to provision 12000 to 64000 IOPS." : "",
    local.db_storage_type == "gp3" && var.db_iops != null && local.db_allocated >= 400 && !(local.db_iops_whole && try(var.db_iops >= 12000 && var.db_iops <= 64000, false)) ? "db_iops: ${coalesce(var.db_iops, 0)} is ${local.db_iops_whole ? "out of range" : "not a whole number"}: gp3 storage of 400 GiB or more takes 12000 (its baseline) to 64000 IOPS." : "",
  ])

  # The backup and maintenance windows together. Each window in effect
  # (given, or the provider's default) as minutes: its start (of the day;
  # of the week from Monday 00:00) and its length; null when malformed
  # (reported on its variable).
  weekdays           = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
  backup_window      = coalesce(var.db_backup_window, "03:00-04:00")
  maintenance_window = coalesce(var.db_maintenance_window, "sun:05:00-sun:06:00")
  backup = try([
    for t in [regex("^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$", local.backup_window)] : {
      start   = tonumber(t[0]) * 60 + tonumber(t[1])
      minutes = (tonumber(t[2]) * 60 + tonumber(t[3]) + 1440 - tonumber(t[0]) * 60 - tonumber(t[1])) % 1440
    }
  ][0], null)
  maintenance = try([
    for t in [regex("^(?i)(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$", local.maintenance_window)] : {
      start   = index(local.weekdays, lower(t[0])) * 1440 + tonumber(t[1]) * 60 + tonumber(t[2])
      minutes = (index(local.weekdays, lower(t[3])) * 1440 + tonumber(t[4]) * 60 + tonumber(t[5]) + 10080 - index(local.weekdays, lower(t[0])) * 1440 - tonumber(t[1]) * 60 - tonumber(t[2])) % 10080
    }
  ][0], null)
  backup_ok      = try(local.backup.minutes >= 30, false)
  maintenance_ok = try(local.maintenance.minutes >= 30, false)
  # The first minute of the week in both windows (the backup window recurs
  # daily), or null when they are apart: on the 1440 minutes of a day, two
  # windows meet when one starts inside the other.
  windows_overlap_at = !local.backup_ok || !local.maintenance_ok ? null : (
    (local.maintenance.start % 1440 - local.backup.start + 1440) % 1440 < local.backup.minutes ? local.maintenance.start :
    (local.backup.start - local.maintenance.start % 1440 + 1440) % 1440 < local.maintenance.minutes ? (local.maintenance.start + (local.backup.start - local.maintenance.start % 1440 + 1440) % 1440) % 10080 :
    null
  )
  windows_overlap_when = local.windows_overlap_at == null ? "" : format(
    "%s %02d:%02d UTC",
    local.weekdays[floor(local.windows_overlap_at / 1440)],
    floor(local.windows_overlap_at % 1440 / 60),
    local.windows_overlap_at % 60,
  )
  db_window_problems = compact([
    local.backup != null && !local.backup_ok ? "db_backup_window: ${jsonencode(local.backup_window)} lasts ${try(local.backup.minutes, 0)} minutes; a backup window lasts at least 30 minutes." : "",
    local.maintenance != null && !local.maintenance_ok ? "db_maintenance_window: ${jsonencode(local.maintenance_window)} lasts ${try(local.maintenance.minutes, 0)} minutes; a maintenance window lasts at least 30 minutes." : "",
    local.windows_overlap_at == null ? "" : (
      var.db_backup_window == null ? "db_maintenance_window: ${jsonencode(local.maintenance_window)} overlaps the default daily backup window ${jsonencode(local.backup_window)} (db_backup_window) from ${local.windows_overlap_when}; RDS needs the two windows apart: move the maintenance window, or set db_backup_window." :
      var.db_maintenance_window == null ? "db_backup_window: ${jsonencode(local.backup_window)} overlaps the default maintenance window ${jsonencode(local.maintenance_window)} (db_maintenance_window) from ${local.windows_overlap_when}; RDS needs the two windows apart: move the backup window, or set db_maintenance_window." :
      "db_backup_window: ${jsonencode(local.backup_window)} overlaps db_maintenance_window ${jsonencode(local.maintenance_window)} from ${local.windows_overlap_when} (the backup window recurs daily); RDS needs the two windows apart: move one of them."
    ),
  ])
}

# Constants of the validation rules in variables.tf (a rule may use a local
# that does not depend on the variables).
locals {
  # The alarms, with the provider's defaults that the range rule needs.
  alarm_rules = {
    database_cpu               = { unit = "percent", max_threshold = 100, period = 300, evaluation_periods = 3 }
    database_free_storage      = { unit = "GiB", max_threshold = 65536, period = 300, evaluation_periods = 1 }
    database_freeable_memory   = { unit = "MiB", max_threshold = null, period = 300, evaluation_periods = 3 }
    database_connections       = { unit = "connections", max_threshold = null, period = 300, evaluation_periods = 3 }
    replica_lag                = { unit = "seconds", max_threshold = null, period = 60, evaluation_periods = 5 }
    nat_port_allocation_errors = { unit = "errors per period", max_threshold = null, period = 300, evaluation_periods = 1 }
    nat_packets_dropped        = { unit = "packets per period", max_threshold = null, period = 300, evaluation_periods = 3 }
  }
  # The SQL key words PostgreSQL reserves; RDS refuses them as a database or
  # master user name.
  sql_reserved = [
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
    "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
    "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
    "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
    "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
    "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
    "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
    "where", "window", "with",
  ]

  # The EKS AMI types a node group may use (CUSTOM needs a launch template).
  ami_types = [
    "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NEURON", "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA", "AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64", "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA",
    "WINDOWS_CORE_2019_x86_64", "WINDOWS_FULL_2019_x86_64", "WINDOWS_CORE_2022_x86_64",
    "WINDOWS_FULL_2022_x86_64",
  ]
  # As the provider lists them: "a", "b" or "c".
  ami_types_text = "${join(", ", [for t in slice(local.ami_types, 0, length(local.ami_types) - 1) : jsonencode(t)])} or ${jsonencode(local.ami_types[length(local.ami_types) - 1])}"
}
