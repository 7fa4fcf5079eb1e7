################################################################################
# Stack
################################################################################

variable "name" {
  description = "Stack name: 3 to 32 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen. Names every AWS object; changing it replaces the whole stack."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "${jsonencode(var.name)} is not a valid stack name: use 3 to 32 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it names AWS objects and DNS labels)."
  }
}

variable "tags" {
  description = "Tags for every AWS object of the stack (over the provider's `default_tags`). Keys starting with `todo:` or `aws:` are reserved."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128])
    error_message = join(" ", [for k, v in var.tags : "Tag key ${jsonencode(k)} must be 1 to 128 characters." if length(k) < 1 || length(k) > 128])
  }
  validation {
    condition     = alltrue([for k, v in var.tags : !startswith(lower(k), "aws:")])
    error_message = join(" ", [for k, v in var.tags : "Tag key ${jsonencode(k)} uses the reserved prefix \"aws:\"." if startswith(lower(k), "aws:")])
  }
  validation {
    condition     = alltrue([for k, v in var.tags : !startswith(k, "todo:")])
    error_message = join(" ", [for k, v in var.tags : "Tag key ${jsonencode(k)} uses the prefix \"todo:\", which the provider uses to find the stack's objects." if startswith(k, "todo:")])
  }
  validation {
    condition     = alltrue([for k, v in var.tags : v == null ? true : length(v) <= 256])
    error_message = join(" ", [for k, v in var.tags : "The value of tag ${jsonencode(k)} is longer than 256 characters." if v == null ? false : length(v) > 256])
  }
}

variable "timeouts" {
  description = "How long each operation may take, e.g. `{ create = \"90m\", delete = \"60m\" }` (null: the provider's defaults, 90m to create and update, 60m to delete)."
  type = object({
    create = optional(string)
    update = optional(string)
    delete = optional(string)
  })
  default = null

  validation {
    condition = var.timeouts == null ? true : alltrue([
      for op, d in var.timeouts : d == null ? true : can(regex("^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)\\s*)+$", d))
    ])
    error_message = var.timeouts == null ? "" : join(" ", [
      for op, d in var.timeouts : "timeouts.${op}: ${jsonencode(d)} is not a duration; use a number and a unit, like \"90m\", \"2h\" or \"45s\"."
      if d == null ? false : !can(regex("^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)\\s*)+$", d))
    ])
  }
  validation {
    condition     = var.timeouts == null ? true : alltrue([for op, d in var.timeouts : d == null ? true : !can(regex("^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)\\s*)+$", d)) || can(regex("[1-9]", d))])
    error_message = var.timeouts == null ? "" : join(" ", [for op, d in var.timeouts : "timeouts.${op}: ${jsonencode(d)} is zero; give the operation some time, like \"90m\"." if d == null ? false : can(regex("^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)\\s*)+$", d)) && !can(regex("[1-9]", d))])
  }
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC, `/16` to `/24`, e.g. `10.0.0.0/16`."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", var.vpc_cidr)) && can(cidrhost(var.vpc_cidr, 0))
    error_message = "${jsonencode(var.vpc_cidr)} is not an IPv4 CIDR block like \"10.0.0.0/16\"."
  }
  validation {
    condition     = !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", var.vpc_cidr)) || try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, true)
    error_message = "${jsonencode(var.vpc_cidr)} has host bits set; did you mean ${jsonencode(try(cidrsubnet(var.vpc_cidr, 0, 0), ""))}?"
  }
  validation {
    condition     = !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", var.vpc_cidr)) || try(cidrsubnet(var.vpc_cidr, 0, 0) != var.vpc_cidr || (tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24), true)
    error_message = "${jsonencode(var.vpc_cidr)} is a /${try(split("/", var.vpc_cidr)[1], "?")}; a stack's VPC must be /16 to /24 (AWS allows at most /16, and the VPC is cut into 16 subnets of at least /28)."
  }
}

variable "availability_zones" {
  description = "2 to 6 distinct availability zone names of the provider's region, e.g. `[\"us-east-1a\", \"us-east-1b\"]`. Set this or `availability_zone_count`."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones != null || var.availability_zone_count != null
    error_message = "not set; name the zones (e.g. [\"us-east-1a\", \"us-east-1b\"]) or set availability_zone_count (2 to 6) instead."
  }
  validation {
    condition     = var.availability_zones == null || var.availability_zone_count == null
    error_message = "set either availability_zones or availability_zone_count, not both."
  }
  validation {
    condition     = var.availability_zones == null ? true : length(var.availability_zones) >= 2 && length(var.availability_zones) <= 6
    error_message = var.availability_zones == null ? "" : "give 2 to 6 availability zones (got ${length(var.availability_zones)}): a production stack spans at least two zones."
  }
  validation {
    condition     = var.availability_zones == null ? true : alltrue([for z in var.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z))])
    error_message = var.availability_zones == null ? "" : join(" ", [for i, z in var.availability_zones : "availability_zones[${i}]: ${jsonencode(z)} is not an availability zone name like \"us-east-1a\"." if !can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z))])
  }
  validation {
    condition     = var.availability_zones == null ? true : length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = var.availability_zones == null ? "" : join(" ", [for i, z in var.availability_zones : "availability_zones[${i}]: ${jsonencode(z)} is listed twice; each zone may appear once." if contains(slice(var.availability_zones, 0, i), z)])
  }
}

variable "availability_zone_count" {
  description = "How many availability zones to span (2 to 6), instead of naming them in `availability_zones`: the region's first zones are chosen at the first plan and kept afterwards."
  type        = number
  default     = null

  validation {
    condition     = var.availability_zone_count == null ? true : floor(var.availability_zone_count) == var.availability_zone_count && var.availability_zone_count >= 2 && var.availability_zone_count <= 6
    error_message = var.availability_zone_count == null ? "" : "${var.availability_zone_count} is not a whole number from 2 to 6."
  }
}

variable "nat_gateways" {
  description = "NAT gateways for the private subnets: `one_per_az` (survives the loss of a zone), `single` (one, in the first zone: cheaper) or `none` (no internet egress). Null: the provider's default, `one_per_az`."
  type        = string
  default     = null

  validation {
    condition     = var.nat_gateways == null ? true : contains(["one_per_az", "single", "none"], var.nat_gateways)
    error_message = var.nat_gateways == null ? "" : "${jsonencode(var.nat_gateways)} is not one of \"one_per_az\", \"single\", \"none\"."
  }
}

variable "public_subnet_cidrs" {
  description = "Public subnet CIDR per availability zone, /28 or larger, inside the VPC and disjoint (needs named `availability_zones`). Null: the provider's layout, the VPC cut into 16 blocks and the zone with letter index i (a = 0 ... h = 7) given block 8 + i."
  type        = map(string)
  default     = null

  validation {
    condition     = var.public_subnet_cidrs == null || var.availability_zone_count == null
    error_message = "public_subnet_cidrs is keyed by zone name: name the zones in availability_zones instead of giving availability_zone_count."
  }
  validation {
    condition = var.public_subnet_cidrs == null ? true : alltrue([for z, c in var.public_subnet_cidrs : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false)])
    error_message = var.public_subnet_cidrs == null ? "" : join(" ", [
      for z, c in var.public_subnet_cidrs : (
        can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) != c, false)
        ? "public_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} has host bits set; did you mean ${jsonencode(cidrsubnet(c, 0, 0))}?"
        : "public_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} is not an IPv4 network CIDR of /28 or larger, like \"10.0.128.0/20\"."
      ) if !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false))
    ])
  }
  validation {
    condition = var.public_subnet_cidrs == null || var.availability_zones == null ? true : alltrue(concat(
      [for z in var.availability_zones : contains(keys(var.public_subnet_cidrs), z) if can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z))],
      [for z in keys(var.public_subnet_cidrs) : contains(var.availability_zones, z)],
    ))
    error_message = var.public_subnet_cidrs == null || var.availability_zones == null ? "" : join(" ", concat(
      [for z in distinct(var.availability_zones) : "public_subnet_cidrs: no entry for availability zone ${jsonencode(z)}; give one CIDR per zone." if can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z)) && !contains(keys(var.public_subnet_cidrs), z)],
      [for z in keys(var.public_subnet_cidrs) : "public_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(z)} is not in availability_zones." if !contains(var.availability_zones, z)],
    ))
  }
  validation {
    condition     = var.public_subnet_cidrs == null || !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false)) ? true : alltrue([for z, c in var.public_subnet_cidrs : !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false)) || try(tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrsubnet("${cidrhost(c, 0)}/${split("/", var.vpc_cidr)[1]}", 0, 0) == var.vpc_cidr, false)])
    error_message = var.public_subnet_cidrs == null || !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false)) ? "" : join(" ", [for z, c in var.public_subnet_cidrs : "public_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} is not inside the VPC CIDR ${var.vpc_cidr} (vpc_cidr)." if can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false) && !try(tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrsubnet("${cidrhost(c, 0)}/${split("/", var.vpc_cidr)[1]}", 0, 0) == var.vpc_cidr, false)])
  }
}

variable "private_subnet_cidrs" {
  description = "Private subnet CIDR per availability zone, /28 or larger, inside the VPC and disjoint (needs named `availability_zones`). Null: the provider's layout, the VPC cut into 16 blocks and the zone with letter index i (a = 0 ... h = 7) given block i."
  type        = map(string)
  default     = null

  validation {
    condition     = var.private_subnet_cidrs == null || var.availability_zone_count == null
    error_message = "private_subnet_cidrs is keyed by zone name: name the zones in availability_zones instead of giving availability_zone_count."
  }
  validation {
    condition = var.private_subnet_cidrs == null ? true : alltrue([for z, c in var.private_subnet_cidrs : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false)])
    error_message = var.private_subnet_cidrs == null ? "" : join(" ", [
      for z, c in var.private_subnet_cidrs : (
        can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) != c, false)
        ? "private_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} has host bits set; did you mean ${jsonencode(cidrsubnet(c, 0, 0))}?"
        : "private_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} is not an IPv4 network CIDR of /28 or larger, like \"10.0.128.0/20\"."
      ) if !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false))
    ])
  }
  validation {
    condition = var.private_subnet_cidrs == null || var.availability_zones == null ? true : alltrue(concat(
      [for z in var.availability_zones : contains(keys(var.private_subnet_cidrs), z) if can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z))],
      [for z in keys(var.private_subnet_cidrs) : contains(var.availability_zones, z)],
    ))
    error_message = var.private_subnet_cidrs == null || var.availability_zones == null ? "" : join(" ", concat(
      [for z in distinct(var.availability_zones) : "private_subnet_cidrs: no entry for availability zone ${jsonencode(z)}; give one CIDR per zone." if can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", z)) && !contains(keys(var.private_subnet_cidrs), z)],
      [for z in keys(var.private_subnet_cidrs) : "private_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(z)} is not in availability_zones." if !contains(var.availability_zones, z)],
    ))
  }
  validation {
    condition     = var.private_subnet_cidrs == null || !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false)) ? true : alltrue([for z, c in var.private_subnet_cidrs : !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false)) || try(tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrsubnet("${cidrhost(c, 0)}/${split("/", var.vpc_cidr)[1]}", 0, 0) == var.vpc_cidr, false)])
    error_message = var.private_subnet_cidrs == null || !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false)) ? "" : join(" ", [for z, c in var.private_subnet_cidrs : "private_subnet_cidrs[${jsonencode(z)}]: ${jsonencode(c)} is not inside the VPC CIDR ${var.vpc_cidr} (vpc_cidr)." if can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && try(tonumber(split("/", c)[1]) <= 28 && cidrsubnet(c, 0, 0) == c, false) && !try(tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrsubnet("${cidrhost(c, 0)}/${split("/", var.vpc_cidr)[1]}", 0, 0) == var.vpc_cidr, false)])
  }
}

################################################################################
# Cluster (EKS)
################################################################################

variable "create_cluster" {
  description = "Whether the stack has an EKS cluster (IAM roles, control plane, OIDC provider, managed node groups, add-ons). Needs `cluster_version`."
  type        = bool
  default     = false
  nullable    = false
}

variable "cluster_version" {
  description = "Kubernetes version of the cluster, e.g. `1.31`. Raising it upgrades the control plane, then the node groups and add-ons, one minor version at a time. Required with `create_cluster`."
  type        = string
  default     = null

  validation {
    condition     = !var.create_cluster || var.cluster_version != null
    error_message = "cluster_version is required when create_cluster is true: the Kubernetes version, like \"1.31\"."
  }
  validation {
    condition     = var.cluster_version == null ? true : can(regex("^1\\.(0|[1-9][0-9]?)$", var.cluster_version))
    error_message = var.cluster_version == null ? "" : "${jsonencode(var.cluster_version)} is not a Kubernetes version of the form \"1.NN\", like \"1.31\"; supported: 1.28 to 1.33."
  }
  # The provider's KUBERNETES_VERSIONS (EKS standard and extended support);
  # tests/module_validation.rs in the acceptance suite holds the two equal.
  validation {
    condition     = var.cluster_version == null ? true : !can(regex("^1\\.(0|[1-9][0-9]?)$", var.cluster_version)) || (tonumber(split(".", var.cluster_version)[1]) >= 28 && tonumber(split(".", var.cluster_version)[1]) <= 33)
    error_message = var.cluster_version == null ? "" : "${jsonencode(var.cluster_version)} is not supported; use a version from 1.28 to 1.33 (EKS standard and extended support)."
  }
}

variable "cluster_endpoint_private_access" {
  description = "Whether the Kubernetes API is reachable from inside the VPC (null: the provider's default, true)."
  type        = bool
  default     = null

  validation {
    condition     = !var.create_cluster || var.cluster_endpoint_private_access != false || var.cluster_endpoint_public_access == true
    error_message = "false while cluster_endpoint_public_access is ${var.cluster_endpoint_public_access == null ? "not set (default false)" : "false"}: the Kubernetes API would be reachable from nowhere; set at least one of them to true."
  }
}

variable "cluster_endpoint_public_access" {
  description = "Whether the Kubernetes API is reachable from the internet (null: the provider's default, false). With a private-only endpoint, kubectl and Terraform's kubernetes/helm providers must run from inside the VPC."
  type        = bool
  default     = null
}

variable "cluster_public_access_cidrs" {
  description = "CIDRs allowed to reach the public Kubernetes API endpoint (null: the provider's default, `[\"0.0.0.0/0\"]` when it is public). Ignored while the endpoint is private only."
  type        = list(string)
  default     = null

  validation {
    condition = var.cluster_public_access_cidrs == null ? true : alltrue([
      for c in var.cluster_public_access_cidrs : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0)) && try(cidrsubnet(c, 0, 0) == c, false)
    ])
    error_message = var.cluster_public_access_cidrs == null ? "" : join(" ", [
      for i, c in var.cluster_public_access_cidrs : (
        can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0))
        ? "cluster_public_access_cidrs[${i}]: ${jsonencode(c)} has host bits set; did you mean ${jsonencode(cidrsubnet(c, 0, 0))}?"
        : "cluster_public_access_cidrs[${i}]: ${jsonencode(c)} is not an IPv4 CIDR block like \"203.0.113.0/24\" (\"0.0.0.0/0\" allows any address)."
      ) if !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0)) && try(cidrsubnet(c, 0, 0) == c, false))
    ])
  }
}

variable "cluster_log_types" {
  description = "Control-plane logs sent to CloudWatch: any of `api`, `audit`, `authenticator`, `controllerManager`, `scheduler` (null: the provider's default, the first three)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.cluster_log_types == null ? true : alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = var.cluster_log_types == null ? "" : join(" ", [for i, t in var.cluster_log_types : "cluster_log_types[${i}]: ${jsonencode(t)} is not a control-plane log type; use \"api\", \"audit\", \"authenticator\", \"controllerManager\" or \"scheduler\" (names are case-sensitive)." if !contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
  }
  validation {
    condition     = var.cluster_log_types == null ? true : length(distinct(var.cluster_log_types)) == length(var.cluster_log_types)
    error_message = var.cluster_log_types == null ? "" : join(" ", [for i, t in var.cluster_log_types : "cluster_log_types[${i}]: ${jsonencode(t)} is listed twice; each log type may appear once." if contains(slice(var.cluster_log_types, 0, i), t)])
  }
}

variable "cluster_admins" {
  description = "IAM role or user ARNs given cluster-admin access through EKS access entries (authentication mode `API`). Null: none."
  type        = list(string)
  default     = null

  validation {
    condition     = var.cluster_admins == null ? true : alltrue([for a in var.cluster_admins : !can(regex("^arn:[^:]*:sts:[^:]*:[^:]*:assumed-role/", a))])
    error_message = var.cluster_admins == null ? "" : join(" ", [for i, a in var.cluster_admins : "cluster_admins[${i}]: ${jsonencode(a)} is an assumed-role session, not an IAM principal: give the role's ARN, arn:<partition>:iam::<account>:role/<name>." if can(regex("^arn:[^:]*:sts:[^:]*:[^:]*:assumed-role/", a))])
  }
  validation {
    condition = var.cluster_admins == null ? true : alltrue([
      for a in var.cluster_admins : can(regex("^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:(role|user)/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", a)) || can(regex("^arn:[^:]*:sts:[^:]*:[^:]*:assumed-role/", a))
    ])
    error_message = var.cluster_admins == null ? "" : join(" ", [
      for i, a in var.cluster_admins : "cluster_admins[${i}]: ${jsonencode(a)} is not an IAM principal ARN; expected an IAM role or user ARN like \"arn:aws:iam::123456789012:role/admins\" or \"arn:aws:iam::123456789012:user/path/alice\" (partition aws, aws-cn or aws-us-gov)."
      if !can(regex("^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:(role|user)/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", a)) && !can(regex("^arn:[^:]*:sts:[^:]*:[^:]*:assumed-role/", a))
    ])
  }
  validation {
    condition     = var.cluster_admins == null ? true : length(distinct(var.cluster_admins)) == length(var.cluster_admins)
    error_message = var.cluster_admins == null ? "" : join(" ", [for i, a in var.cluster_admins : "cluster_admins[${i}]: ${jsonencode(a)} is listed twice; each principal may appear once." if contains(slice(var.cluster_admins, 0, i), a)])
  }
}

variable "cluster_addons" {
  description = "EKS add-ons by name, each with an optional pinned `version` (e.g. `v1.19.2-eksbuild.1`; null: EKS's default for the cluster's version). Null: the provider's default, `vpc-cni`, `coredns` and `kube-proxy`; `{}` for none (the moto emulator serves no add-ons)."
  type = map(object({
    version = optional(string)
  }))
  default = null

  validation {
    condition     = var.cluster_addons == null ? true : alltrue([for n, a in var.cluster_addons : can(regex("^[a-z0-9-]{1,100}$", n))])
    error_message = var.cluster_addons == null ? "" : join(" ", [for n, a in var.cluster_addons : "cluster_addons[${jsonencode(n)}]: ${jsonencode(n)} is not an EKS add-on name: use 1 to 100 lowercase letters, digits and hyphens, like \"vpc-cni\" or \"aws-ebs-csi-driver\"." if !can(regex("^[a-z0-9-]{1,100}$", n))])
  }
  validation {
    condition     = var.cluster_addons == null ? true : alltrue([for n, a in var.cluster_addons : a == null ? true : a.version == null ? true : can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", a.version))])
    error_message = var.cluster_addons == null ? "" : join(" ", [for n, a in var.cluster_addons : "cluster_addons[${jsonencode(n)}].version: ${jsonencode(a.version)} is not an EKS add-on version like \"v1.19.2-eksbuild.1\" (v<major>.<minor>.<patch>-eksbuild.<n>); omit it for EKS's default version." if a == null ? false : a.version == null ? false : !can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", a.version))])
  }
}

variable "node_groups" {
  description = <<-EOT
    Managed node groups by name (at most 30; keys of 1 to 40 letters, digits, hyphens and underscores), in the private subnets. Per group: `min_size` (0 to 1000) and `max_size` (1 to 1000) are required; `instance_types` (default `["m6i.large"]`), `capacity_type` (`ON_DEMAND` or `SPOT`), `ami_type` (default `AL2023_x86_64_STANDARD`) and `disk_size` (20 to 16384 GiB, default 50) replace the group when changed; `desired_size`, `labels`, `taints` (`key`, `value`, `effect` = `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`), `max_unavailable_percentage` (1 to 100) and `autoscaler_owns_desired_size` (default true) change in place. Null: none.
  EOT
  type = map(object({
    instance_types = optional(list(string))
    capacity_type  = optional(string)
    ami_type       = optional(string)
    disk_size      = optional(number)
    min_size       = number
    max_size       = number
    desired_size   = optional(number)
    labels         = optional(map(string))
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })))
    max_unavailable_percentage   = optional(number)
    autoscaler_owns_desired_size = optional(bool)
  }))
  default = null

  validation {
    condition     = var.node_groups == null ? true : length(var.node_groups) <= 30
    error_message = var.node_groups == null ? "" : "${length(var.node_groups)} node groups; EKS allows at most 30 per cluster."
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", k))])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}]: ${jsonencode(k)} is not a valid node group name: use 1 to 40 letters, digits, hyphens and underscores, starting with a letter or digit (EKS allows 63 characters and the provider adds a 9-character suffix)." if !can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", k))])
  }
  # Sizes: each whole and in range, then min <= desired <= max.
  validation {
    condition = var.node_groups == null ? true : alltrue(flatten([
      for k, g in var.node_groups : [
        g.min_size == null ? true : floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000,
        g.max_size == null ? true : floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000,
        g.desired_size == null ? true : floor(g.desired_size) == g.desired_size && g.desired_size >= 0 && g.desired_size <= 1000,
      ]
    ]))
    error_message = var.node_groups == null ? "" : join(" ", flatten([
      for k, g in var.node_groups : [
        g.min_size == null ? [] : floor(g.min_size) != g.min_size ? ["node_groups[${jsonencode(k)}].min_size: ${g.min_size} is not a whole number: use 0 to 1000 nodes."] : g.min_size < 0 || g.min_size > 1000 ? ["node_groups[${jsonencode(k)}].min_size: ${g.min_size} is out of range: use 0 to 1000 nodes."] : [],
        g.max_size == null ? [] : floor(g.max_size) != g.max_size ? ["node_groups[${jsonencode(k)}].max_size: ${g.max_size} is not a whole number: use 1 to 1000 nodes (EKS allows at most 1000 per node group)."] : g.max_size < 1 || g.max_size > 1000 ? ["node_groups[${jsonencode(k)}].max_size: ${g.max_size} is out of range: use 1 to 1000 nodes (EKS allows at most 1000 per node group)."] : [],
        g.desired_size == null ? [] : floor(g.desired_size) != g.desired_size ? ["node_groups[${jsonencode(k)}].desired_size: ${g.desired_size} is not a whole number: use 0 to 1000 nodes, from min_size to max_size."] : g.desired_size < 0 || g.desired_size > 1000 ? ["node_groups[${jsonencode(k)}].desired_size: ${g.desired_size} is out of range: use 0 to 1000 nodes, from min_size to max_size."] : [],
      ]
    ]))
  }
  # The sizes together, each when valid on its own.
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : !(floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000 && floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000) || g.min_size <= g.max_size])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}].min_size: ${g.min_size} is above max_size ${g.max_size}; min_size must be at most max_size." if floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000 && floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000 && g.min_size > g.max_size])
  }
  validation {
    condition = var.node_groups == null ? true : alltrue([
      for k, g in var.node_groups : g.desired_size == null ? true : !(floor(g.desired_size) == g.desired_size && g.desired_size >= 0 && g.desired_size <= 1000) || (floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000 && floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000 && g.min_size > g.max_size) || (!(floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000) || g.desired_size >= g.min_size) && (!(floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000) || g.desired_size <= g.max_size)
    ])
    error_message = var.node_groups == null ? "" : join(" ", [
      for k, g in var.node_groups : (
        floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000 && g.desired_size < g.min_size
        ? "node_groups[${jsonencode(k)}].desired_size: ${g.desired_size} is below min_size ${g.min_size}; desired_size must be from min_size to max_size."
        : "node_groups[${jsonencode(k)}].desired_size: ${g.desired_size} is above max_size ${g.max_size}; desired_size must be from min_size to max_size."
      ) if g.desired_size == null ? false : (floor(g.desired_size) == g.desired_size && g.desired_size >= 0 && g.desired_size <= 1000) && !(floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000 && floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000 && g.min_size > g.max_size) && !((!(floor(g.min_size) == g.min_size && g.min_size >= 0 && g.min_size <= 1000) || g.desired_size >= g.min_size) && (!(floor(g.max_size) == g.max_size && g.max_size >= 1 && g.max_size <= 1000) || g.desired_size <= g.max_size))
    ])
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.instance_types == null ? true : length(g.instance_types) >= 1 && length(g.instance_types) <= 20])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : length(g.instance_types) == 0 ? "node_groups[${jsonencode(k)}].instance_types: the list is empty; give at least one instance type, like [\"m6i.large\"] (the default when the attribute is omitted)." : "node_groups[${jsonencode(k)}].instance_types: ${length(g.instance_types)} instance types; a node group may have at most 20." if g.instance_types == null ? false : length(g.instance_types) < 1 || length(g.instance_types) > 20])
  }
  validation {
    condition = var.node_groups == null ? true : alltrue(flatten([
      for k, g in var.node_groups : [for t in(g.instance_types == null ? [] : g.instance_types) : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+(-[a-z0-9]+)*$", t))]
    ]))
    error_message = var.node_groups == null ? "" : join(" ", flatten([
      for k, g in var.node_groups : [
        for i, t in(g.instance_types == null ? [] : g.instance_types) : "node_groups[${jsonencode(k)}].instance_types[${i}]: ${jsonencode(t)} is not an EC2 instance type of the form family.size, like \"m6i.large\"."
        if !can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+(-[a-z0-9]+)*$", t))
      ]
    ]))
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.instance_types == null ? true : length(distinct(g.instance_types)) == length(g.instance_types)])
    error_message = var.node_groups == null ? "" : join(" ", flatten([for k, g in var.node_groups : [for i, t in(g.instance_types == null ? [] : g.instance_types) : "node_groups[${jsonencode(k)}].instance_types[${i}]: ${jsonencode(t)} is listed twice; each instance type may appear once." if contains(slice(g.instance_types == null ? [] : g.instance_types, 0, i), t)]]))
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.capacity_type == null ? true : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}].capacity_type: ${jsonencode(g.capacity_type)} is not \"ON_DEMAND\" or \"SPOT\"." if g.capacity_type == null ? false : !contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
  }
  validation {
    condition = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.ami_type == null ? true : contains(local.ami_types, g.ami_type)])
    error_message = var.node_groups == null ? "" : join(" ", [
      for k, g in var.node_groups : (
        g.ami_type == "CUSTOM"
        ? "node_groups[${jsonencode(k)}].ami_type: \"CUSTOM\" needs a launch template, which this provider does not support; use an EKS AMI type: ${local.ami_types_text}."
        : "node_groups[${jsonencode(k)}].ami_type: ${jsonencode(g.ami_type)} is not an EKS AMI type; use ${local.ami_types_text} (case-sensitive)."
      ) if g.ami_type == null ? false : !contains(local.ami_types, g.ami_type)
    ])
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.disk_size == null ? true : floor(g.disk_size) == g.disk_size && g.disk_size >= 20 && g.disk_size <= 16384])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}].disk_size: ${g.disk_size} is ${floor(g.disk_size) == g.disk_size ? "out of range" : "not a whole number"}: the root volume is 20 to 16384 GiB." if g.disk_size == null ? false : !(floor(g.disk_size) == g.disk_size && g.disk_size >= 20 && g.disk_size <= 16384)])
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.max_unavailable_percentage == null ? true : floor(g.max_unavailable_percentage) == g.max_unavailable_percentage && g.max_unavailable_percentage >= 1 && g.max_unavailable_percentage <= 100])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}].max_unavailable_percentage: ${g.max_unavailable_percentage} is ${floor(g.max_unavailable_percentage) == g.max_unavailable_percentage ? "out of range" : "not a whole number"}: use a percentage from 1 to 100." if g.max_unavailable_percentage == null ? false : !(floor(g.max_unavailable_percentage) == g.max_unavailable_percentage && g.max_unavailable_percentage >= 1 && g.max_unavailable_percentage <= 100)])
  }
  validation {
    condition     = var.node_groups == null ? true : alltrue([for k, g in var.node_groups : g.taints == null ? true : length(g.taints) <= 50])
    error_message = var.node_groups == null ? "" : join(" ", [for k, g in var.node_groups : "node_groups[${jsonencode(k)}].taints: ${length(g.taints)} taints; a node group may have at most 50." if g.taints == null ? false : length(g.taints) > 50])
  }
  validation {
    condition = var.node_groups == null ? true : alltrue(flatten([
      for k, g in var.node_groups : [
        for t in(g.taints == null ? [] : g.taints) : length(t.key) >= 1 && length(t.key) <= 63 && (t.value == null ? true : length(t.value) <= 63) && contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect)
      ]
    ]))
    error_message = var.node_groups == null ? "" : join(" ", flatten([
      for k, g in var.node_groups : [
        for i, t in(g.taints == null ? [] : g.taints) : concat(
          length(t.key) >= 1 && length(t.key) <= 63 ? [] : ["node_groups[${jsonencode(k)}].taints[${i}].key: ${jsonencode(t.key)} is ${length(t.key)} characters long; a taint key is 1 to 63 characters."],
          t.value == null ? [] : length(t.value) <= 63 ? [] : ["node_groups[${jsonencode(k)}].taints[${i}].value: the value is ${length(t.value)} characters long; a taint value is at most 63 characters."],
          contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect) ? [] : ["node_groups[${jsonencode(k)}].taints[${i}].effect: ${jsonencode(t.effect)} is not \"NO_SCHEDULE\", \"NO_EXECUTE\" or \"PREFER_NO_SCHEDULE\"."],
        )
      ]
    ]))
  }
  validation {
    condition = var.node_groups == null ? true : alltrue([
      for k, g in var.node_groups : g.taints == null ? true : length(distinct([for t in g.taints : "${t.key}\n${t.effect}"])) == length(g.taints)
    ])
    error_message = var.node_groups == null ? "" : join(" ", flatten([
      for k, g in var.node_groups : [
        for i, t in(g.taints == null ? [] : g.taints) : "node_groups[${jsonencode(k)}].taints[${i}]: key ${jsonencode(t.key)} with effect ${t.effect} is given twice; a node may have one taint per key and effect."
        if contains([for u in slice(g.taints == null ? [] : g.taints, 0, i) : "${u.key}\n${u.effect}"], "${t.key}\n${t.effect}")
      ]
    ]))
  }
  validation {
    condition = var.node_groups == null ? true : alltrue(flatten([
      for k, g in var.node_groups : [
        for lk, lv in(g.labels == null ? {} : g.labels) : lk != "" && !startswith(lk, "/") && length(regex("(?s)^(?:[^/]*/)?(.*)$", lk)[0]) >= 1 && length(regex("(?s)^(?:[^/]*/)?(.*)$", lk)[0]) <= 63 && (lv == null ? true : length(lv) <= 63)
      ]
    ]))
    error_message = var.node_groups == null ? "" : join(" ", flatten([
      for k, g in var.node_groups : [
        for lk, lv in(g.labels == null ? {} : g.labels) : concat(
          lk == "" || startswith(lk, "/") || length(regex("(?s)^(?:[^/]*/)?(.*)$", lk)[0]) == 0 ? ["node_groups[${jsonencode(k)}].labels[${jsonencode(lk)}]: ${jsonencode(lk)} is not a label key: use a name of 1 to 63 characters, optionally after a prefix and a slash, like \"team\" or \"example.com/team\"."] : length(regex("(?s)^(?:[^/]*/)?(.*)$", lk)[0]) > 63 ? ["node_groups[${jsonencode(k)}].labels[${jsonencode(lk)}]: the name part of ${jsonencode(lk)} is ${length(regex("(?s)^(?:[^/]*/)?(.*)$", lk)[0])} characters long; at most 63 (after an optional \"prefix/\")."] : [],
          lv == null ? [] : length(lv) > 63 ? ["node_groups[${jsonencode(k)}].labels[${jsonencode(lk)}]: the value is ${length(lv)} characters long; a label value is at most 63 characters."] : [],
        )
      ]
    ]))
  }
}

################################################################################
# Database (RDS for PostgreSQL)
################################################################################

variable "create_database" {
  description = "Whether the stack has a PostgreSQL database: subnet group, security group (5432 from the nodes and `db_allowed_cidrs`), parameter group, an encrypted primary and read replicas."
  type        = bool
  default     = false
  nullable    = false
}

variable "db_engine_version" {
  description = "PostgreSQL version: a major version (`16`: RDS picks the minor and upgrades minors itself) or an exact one (`16.4`). Null: the provider's default, `16`. A major upgrade needs `db_apply_immediately` and no replicas."
  type        = string
  default     = null

  validation {
    condition     = var.db_engine_version == null ? true : can(regex("^[1-9][0-9]?(\\.[0-9]{1,2})?$", var.db_engine_version))
    error_message = var.db_engine_version == null ? "" : "${jsonencode(var.db_engine_version)} is not a PostgreSQL version of the form \"NN\" or \"NN.N\", like \"16\" or \"16.4\"; supported major versions: 13 to 17."
  }
  # The provider's POSTGRES_MAJORS; tests/module_validation.rs in the
  # acceptance suite holds the two equal.
  validation {
    condition     = var.db_engine_version == null ? true : !can(regex("^[1-9][0-9]?(\\.[0-9]{1,2})?$", var.db_engine_version)) || (tonumber(split(".", var.db_engine_version)[0]) >= 13 && tonumber(split(".", var.db_engine_version)[0]) <= 17)
    error_message = var.db_engine_version == null ? "" : "${jsonencode(var.db_engine_version)} is not supported; use a PostgreSQL major version from 13 to 17 (\"16\", or a minor version such as \"16.4\")."
  }
}

variable "db_instance_class" {
  description = "Instance class of the primary, e.g. `db.r6g.large` (null: the provider's default, `db.t4g.medium`). Changed in place, in the maintenance window unless `db_apply_immediately`."
  type        = string
  default     = null

  validation {
    condition     = var.db_instance_class == null ? true : can(regex("^db\\.[a-z]+[0-9]+[a-z]*\\.(micro|small|medium|large|xlarge|metal|[1-9][0-9]*xlarge)$", var.db_instance_class))
    error_message = var.db_instance_class == null ? "" : "${jsonencode(var.db_instance_class)} is not a DB instance class of the form db.<family>.<size> (lowercase), like \"db.t4g.medium\", \"db.r6g.large\" or \"db.m7g.2xlarge\"."
  }
}

variable "db_allocated_storage" {
  description = "Storage in GiB, 20 to 65536 (io1/io2: at least 100). Null: the provider's default, 20. Grown in place; RDS cannot shrink storage."
  type        = number
  default     = null

  validation {
    condition     = var.db_allocated_storage == null ? true : floor(var.db_allocated_storage) == var.db_allocated_storage && var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = var.db_allocated_storage == null ? "" : "${var.db_allocated_storage} is ${floor(var.db_allocated_storage) == var.db_allocated_storage ? "out of range" : "not a whole number"}: RDS for PostgreSQL storage is 20 to 65536 GiB (io1 and io2: 100 to 65536)."
  }
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB, at least 10% above `db_allocated_storage` (null: the provider's default, 100 or that minimum when larger); 0 turns autoscaling off."
  type        = number
  default     = null

  validation {
    condition     = var.db_max_allocated_storage == null ? true : floor(var.db_max_allocated_storage) == var.db_max_allocated_storage && var.db_max_allocated_storage >= 0 && var.db_max_allocated_storage <= 65536
    error_message = var.db_max_allocated_storage == null ? "" : "${var.db_max_allocated_storage} is ${floor(var.db_max_allocated_storage) == var.db_max_allocated_storage ? "out of range" : "not a whole number"}: use 0 to turn storage autoscaling off, or a ceiling of at most 65536 GiB."
  }
}

variable "db_storage_type" {
  description = "Storage type: `gp3`, `gp2`, `io1` or `io2` (null: the provider's default, `gp3`)."
  type        = string
  default     = null

  validation {
    condition     = var.db_storage_type == null ? true : contains(["gp2", "gp3", "io1", "io2"], var.db_storage_type)
    error_message = var.db_storage_type == null ? "" : "${jsonencode(var.db_storage_type)} is not \"gp2\", \"gp3\", \"io1\" or \"io2\" (magnetic \"standard\" storage is not supported)."
  }
}

variable "db_iops" {
  description = "Provisioned IOPS: required for io1 (0.5 to 50 per GiB) and io2 (0.5 to 1000 per GiB), 1000 to 256000; for gp3 only from 400 GiB (12000 to 64000; below, gp3 has a fixed 3000 baseline); never for gp2. Checked against `db_storage_type` and `db_allocated_storage` at plan."
  type        = number
  default     = null
}

variable "db_multi_az" {
  description = "Whether the primary has a synchronous standby in another zone (null: the provider's default, true). Changed in place."
  type        = bool
  default     = null
}

variable "db_kms_key_arn" {
  description = "ARN of the KMS key (not an alias) encrypting the storage, the managed password's secret and Performance Insights (null: the stack's key). Changing it replaces the database (needs `db_allow_replacement`)."
  type        = string
  default     = null

  validation {
    condition     = var.db_kms_key_arn == null ? true : !can(regex("^arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}:[0-9]{12}:alias/.", var.db_kms_key_arn))
    error_message = var.db_kms_key_arn == null ? "" : "${jsonencode(var.db_kms_key_arn)} is a KMS alias ARN; RDS refuses an alias for storage encryption: give the ARN of the key itself, arn:<partition>:kms:<region>:<account>:key/<key id> (\"aws kms describe-key --key-id alias/${try(regex("alias/(.*)$", var.db_kms_key_arn)[0], "")}\" shows it)."
  }
  validation {
    condition     = var.db_kms_key_arn == null ? true : can(regex("^arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/.+)$", var.db_kms_key_arn))
    error_message = var.db_kms_key_arn == null ? "" : "${jsonencode(var.db_kms_key_arn)} is not a KMS key ARN; expected arn:<partition>:kms:<region>:<account>:key/<key id>, like \"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\" (partition aws, aws-cn or aws-us-gov)."
  }
}

variable "db_backup_retention_days" {
  description = "Days of automated backups, 1 to 35 (null: the provider's default, 7)."
  type        = number
  default     = null

  validation {
    condition     = var.db_backup_retention_days == null ? true : floor(var.db_backup_retention_days) == var.db_backup_retention_days && var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = var.db_backup_retention_days == null ? "" : "${var.db_backup_retention_days} is ${floor(var.db_backup_retention_days) == var.db_backup_retention_days ? "out of range" : "not a whole number"}: keep automated backups 1 to 35 days (0, which turns them off, is not allowed: read replicas and point-in-time recovery need them)."
  }
}

variable "db_backup_window" {
  description = "Daily backup window in UTC, `hh:mm-hh:mm`, at least 30 minutes, apart from the maintenance window (null: the provider's default, `03:00-04:00`). Length and overlap are checked at plan."
  type        = string
  default     = null

  validation {
    condition     = var.db_backup_window == null ? true : can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.db_backup_window))
    error_message = var.db_backup_window == null ? "" : "${jsonencode(var.db_backup_window)} is not a daily window of the form \"hh:mm-hh:mm\" (UTC, 24-hour clock), like \"03:00-04:00\"."
  }
}

variable "db_maintenance_window" {
  description = "Weekly maintenance window in UTC, `ddd:hh:mm-ddd:hh:mm`, at least 30 minutes, apart from the backup window (null: the provider's default, `sun:05:00-sun:06:00`). Length and overlap are checked at plan."
  type        = string
  default     = null

  validation {
    condition     = var.db_maintenance_window == null ? true : can(regex("^(?i)(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.db_maintenance_window))
    error_message = var.db_maintenance_window == null ? "" : "${jsonencode(var.db_maintenance_window)} is not a weekly window of the form \"ddd:hh:mm-ddd:hh:mm\" (UTC, days mon, tue, wed, thu, fri, sat, sun), like \"sun:05:00-sun:06:00\"."
  }
}

variable "db_cloudwatch_logs_exports" {
  description = "PostgreSQL logs exported to CloudWatch Logs: `postgresql`, `upgrade` (null: the provider's default, both)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.db_cloudwatch_logs_exports == null ? true : alltrue([for t in var.db_cloudwatch_logs_exports : contains(["postgresql", "upgrade"], t)])
    error_message = var.db_cloudwatch_logs_exports == null ? "" : join(" ", [for i, t in var.db_cloudwatch_logs_exports : "db_cloudwatch_logs_exports[${i}]: ${jsonencode(t)} is not a log type RDS for PostgreSQL exports; use \"postgresql\" or \"upgrade\"." if !contains(["postgresql", "upgrade"], t)])
  }
  validation {
    condition     = var.db_cloudwatch_logs_exports == null ? true : length(distinct(var.db_cloudwatch_logs_exports)) == length(var.db_cloudwatch_logs_exports)
    error_message = var.db_cloudwatch_logs_exports == null ? "" : join(" ", [for i, t in var.db_cloudwatch_logs_exports : "db_cloudwatch_logs_exports[${i}]: ${jsonencode(t)} is listed twice; each log type may appear once." if contains(slice(var.db_cloudwatch_logs_exports, 0, i), t)])
  }
}

variable "db_performance_insights" {
  description = "Whether Performance Insights is on for the primary (null: the provider's default, false)."
  type        = bool
  default     = null
}

variable "db_deletion_protection" {
  description = "Whether RDS refuses to delete the primary (null: the provider's default, true). While on, `terraform destroy` (or `create_database = false`) fails before anything of the stack is deleted."
  type        = bool
  default     = null
}

variable "db_skip_final_snapshot" {
  description = "Whether the primary is deleted without a final snapshot (null: the provider's default, false: the snapshot `<identifier>-final` is taken and kept)."
  type        = bool
  default     = null
}

variable "db_name" {
  description = "The database created in the instance (null: the provider's default, `todo`). Changing it replaces the database (needs `db_allow_replacement`)."
  type        = string
  default     = null

  validation {
    condition     = var.db_name == null ? true : can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.db_name))
    error_message = var.db_name == null ? "" : "${jsonencode(var.db_name)} is not a valid database name: use 1 to 63 letters, digits and underscores, starting with a letter, like \"todo\"."
  }
  validation {
    condition     = var.db_name == null ? true : !contains(["postgres", "rdsadmin", "template0", "template1", "public"], lower(var.db_name))
    error_message = var.db_name == null ? "" : "${jsonencode(var.db_name)} is reserved: RDS and PostgreSQL use the names \"postgres\", \"rdsadmin\", \"template0\", \"template1\" or \"public\" themselves; choose another, like \"todo\"."
  }
  validation {
    condition     = var.db_name == null ? true : !contains(local.sql_reserved, lower(var.db_name))
    error_message = var.db_name == null ? "" : "${jsonencode(var.db_name)} is an SQL reserved word in PostgreSQL, which RDS refuses as a database name; choose another, like \"todo\"."
  }
}

variable "db_master_username" {
  description = "The master user (null: the provider's default, `todo_admin`). Changing it replaces the database (needs `db_allow_replacement`)."
  type        = string
  default     = null

  validation {
    condition     = var.db_master_username == null ? true : can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.db_master_username))
    error_message = var.db_master_username == null ? "" : "${jsonencode(var.db_master_username)} is not a valid master user name: use 1 to 63 letters, digits and underscores, starting with a letter, like \"todo_admin\"."
  }
  validation {
    condition = var.db_master_username == null ? true : !(
      startswith(lower(var.db_master_username), "rds") || startswith(lower(var.db_master_username), "pg_") ||
      contains(["public", "none"], lower(var.db_master_username)) || contains(local.sql_reserved, lower(var.db_master_username))
    )
    error_message = var.db_master_username == null ? "" : "${jsonencode(var.db_master_username)} cannot be the master user name: ${startswith(lower(var.db_master_username), "rds") ? "RDS reserves names starting with \"rds\" for its own roles (rdsadmin, rds_superuser, ...)" : startswith(lower(var.db_master_username), "pg_") ? "PostgreSQL reserves role names starting with \"pg_\"" : contains(["public", "none"], lower(var.db_master_username)) ? "PostgreSQL reserves it for a pseudo-role" : "it is an SQL reserved word in PostgreSQL"}; choose another, like \"todo_admin\"."
  }
}

variable "db_master_password_wo" {
  description = "The master password, write-only: sent to RDS and to a Secrets Manager secret the stack owns (`todo/<stack>/database/master`), never stored in state or plan. Ephemeral: pass it with `-var`, `TF_VAR_db_master_password_wo` or an ephemeral value. Null (default): RDS generates and rotates the password in Secrets Manager. Needs `db_master_password_wo_version`."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true

  # The provider's words, one rule a block: an error message may not refer
  # to an ephemeral value, so it cannot say which problems it found (the
  # provider joins two in one sentence; here they are two errors).
  validation {
    condition     = var.db_master_password_wo == null ? true : length(var.db_master_password_wo) >= 8
    error_message = "the password is shorter than 8 characters; RDS needs 8 to 128 printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)"
  }
  validation {
    condition     = var.db_master_password_wo == null ? true : length(var.db_master_password_wo) <= 128
    error_message = "the password is longer than 128 characters; RDS needs 8 to 128 printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)"
  }
  validation {
    condition     = var.db_master_password_wo == null ? true : !can(regex("[/\"@ ]", var.db_master_password_wo))
    error_message = "the password contains '/', '\"', '@' or a space; RDS needs 8 to 128 printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)"
  }
  validation {
    condition     = var.db_master_password_wo == null ? true : !can(regex("[^ -~]", var.db_master_password_wo))
    error_message = "the password contains a character that is not printable ASCII (such as an accented letter, a tab or a line break); RDS needs 8 to 128 printable ASCII characters other than '/', '\"', '@' and space. (The value is write-only and not shown.)"
  }
}

variable "db_master_password_wo_version" {
  description = "Version of `db_master_password_wo`: set it with the password (e.g. 1) and change it (e.g. increment) to set a new password; the password itself is never compared."
  type        = number
  default     = null

  validation {
    condition     = var.db_master_password_wo_version == null || var.db_master_password_wo != null
    error_message = "set while db_master_password_wo is not: the version only tells the provider when to set that password. Set db_master_password_wo too, or remove db_master_password_wo_version to let RDS manage the master password in Secrets Manager."
  }
  validation {
    condition     = var.db_master_password_wo_version != null || var.db_master_password_wo == null
    error_message = "not set while db_master_password_wo is: Terraform keeps no trace of a write-only value, so the provider sets the password when this number changes. Set it (for example to 1) and increase it each time you change db_master_password_wo."
  }
  validation {
    condition     = var.db_master_password_wo_version == null ? true : floor(var.db_master_password_wo_version) == var.db_master_password_wo_version && var.db_master_password_wo_version >= 0
    error_message = var.db_master_password_wo_version == null ? "" : "${var.db_master_password_wo_version} is ${floor(var.db_master_password_wo_version) == var.db_master_password_wo_version ? "out of range" : "not a whole number"}: use a whole number of 0 or more, and increase it to rotate the password."
  }
}

variable "db_parameters" {
  description = "PostgreSQL parameters of the stack's parameter group, e.g. `{ log_min_duration_statement = \"500\" }` (null: none). Static parameters take effect at the next reboot."
  type        = map(string)
  default     = null

  validation {
    condition     = var.db_parameters == null ? true : alltrue([for n, v in var.db_parameters : can(regex("^[a-z][a-z0-9_.]*$", n))])
    error_message = var.db_parameters == null ? "" : join(" ", [for n, v in var.db_parameters : "db_parameters[${jsonencode(n)}]: ${jsonencode(n)} is not a PostgreSQL parameter name: use lowercase letters, digits, underscores and dots, starting with a letter, like \"log_min_duration_statement\" or \"rds.force_ssl\"." if !can(regex("^[a-z][a-z0-9_.]*$", n))])
  }
  validation {
    condition     = var.db_parameters == null ? true : alltrue([for n, v in var.db_parameters : v != ""])
    error_message = var.db_parameters == null ? "" : join(" ", [for n, v in var.db_parameters : "db_parameters[${jsonencode(n)}]: the value is empty; give the parameter a value, or remove it to keep the engine's default." if v == ""])
  }
}

variable "db_allowed_cidrs" {
  description = "IPv4 ranges admitted on port 5432 besides the stack's node security group (null: none). EKS managed nodes carry the cluster's security group, so pods reach the database through these: list the private subnets' CIDRs."
  type        = list(string)
  default     = null

  validation {
    condition = var.db_allowed_cidrs == null ? true : alltrue([
      for c in var.db_allowed_cidrs : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0)) && try(cidrsubnet(c, 0, 0) == c, false)
    ])
    error_message = var.db_allowed_cidrs == null ? "" : join(" ", [
      for i, c in var.db_allowed_cidrs : (
        can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0))
        ? "db_allowed_cidrs[${i}]: ${jsonencode(c)} has host bits set; did you mean ${jsonencode(cidrsubnet(c, 0, 0))}?"
        : "db_allowed_cidrs[${i}]: ${jsonencode(c)} is not an IPv4 CIDR block like \"10.1.0.0/16\" or \"192.0.2.10/32\"."
      ) if !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", c)) && can(cidrhost(c, 0)) && try(cidrsubnet(c, 0, 0) == c, false))
    ])
  }
  validation {
    condition     = var.db_allowed_cidrs == null ? true : length(distinct(var.db_allowed_cidrs)) == length(var.db_allowed_cidrs)
    error_message = var.db_allowed_cidrs == null ? "" : join(" ", [for i, c in var.db_allowed_cidrs : "db_allowed_cidrs[${i}]: ${jsonencode(c)} is listed twice; each CIDR may appear once." if contains(slice(var.db_allowed_cidrs, 0, i), c)])
  }
}

variable "db_apply_immediately" {
  description = "Whether class, storage, Multi-AZ and version changes are applied now (null: the provider's default, false: in the next maintenance window, and the plan says so)."
  type        = bool
  default     = null
}

variable "db_allow_replacement" {
  description = "Whether a change RDS makes only with a new database (`db_kms_key_arn`, `db_name`, `db_master_username`) is allowed: the new, empty database is created before the old one is deleted with its final snapshot. Null: the provider's default, false (refused at plan)."
  type        = bool
  default     = null
}

variable "db_replicas" {
  description = "Read replicas by name (at most 15; keys of lowercase letters, digits and single hyphens), created in parallel once the primary is available. Per replica: `instance_class` (default: the primary's), `availability_zone` (one of `availability_zones`; default: chosen from the name and kept), `performance_insights`. Null: none."
  type = map(object({
    instance_class       = optional(string)
    availability_zone    = optional(string)
    performance_insights = optional(bool)
  }))
  default = null

  validation {
    condition     = var.db_replicas == null ? true : length(var.db_replicas) <= 15
    error_message = var.db_replicas == null ? "" : "${length(var.db_replicas)} replicas; RDS allows at most 15 read replicas per source instance."
  }
  validation {
    condition     = var.db_replicas == null ? true : alltrue([for k, r in var.db_replicas : length(k) <= 40 && can(regex("^[a-z](-?[a-z0-9])*$", k))])
    error_message = var.db_replicas == null ? "" : join(" ", [for k, r in var.db_replicas : "db_replicas[${jsonencode(k)}]: ${jsonencode(k)} is not a valid replica name: use 1 to 40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it becomes part of the replica's RDS identifier)." if !(length(k) <= 40 && can(regex("^[a-z](-?[a-z0-9])*$", k)))])
  }
  validation {
    condition     = var.db_replicas == null ? true : alltrue([for k, r in var.db_replicas : length(var.name) + length(k) + 8 <= 63])
    error_message = var.db_replicas == null ? "" : join(" ", [for k, r in var.db_replicas : "db_replicas[${jsonencode(k)}]: ${jsonencode(k)} makes the replica's RDS identifier \"${var.name}-${k}-<6 hex>\" ${length(var.name) + length(k) + 8} characters long; RDS allows 63: use at most ${max(63 - length(var.name) - 8, 0)} characters for a replica of the stack ${jsonencode(var.name)}." if length(var.name) + length(k) + 8 > 63])
  }
  validation {
    condition     = var.db_replicas == null ? true : alltrue([for k, r in var.db_replicas : r.instance_class == null ? true : can(regex("^db\\.[a-z]+[0-9]+[a-z]*\\.(micro|small|medium|large|xlarge|metal|[1-9][0-9]*xlarge)$", r.instance_class))])
    error_message = var.db_replicas == null ? "" : join(" ", [for k, r in var.db_replicas : "db_replicas[${jsonencode(k)}].instance_class: ${jsonencode(r.instance_class)} is not a DB instance class of the form db.<family>.<size> (lowercase), like \"db.t4g.medium\", \"db.r6g.large\" or \"db.m7g.2xlarge\"." if r.instance_class == null ? false : !can(regex("^db\\.[a-z]+[0-9]+[a-z]*\\.(micro|small|medium|large|xlarge|metal|[1-9][0-9]*xlarge)$", r.instance_class))])
  }
  validation {
    condition     = var.db_replicas == null ? true : alltrue([for k, r in var.db_replicas : r.availability_zone == null ? true : can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", r.availability_zone))])
    error_message = var.db_replicas == null ? "" : join(" ", [for k, r in var.db_replicas : "db_replicas[${jsonencode(k)}].availability_zone: ${jsonencode(r.availability_zone)} is not an availability zone name like \"us-east-1a\"." if r.availability_zone == null ? false : !can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", r.availability_zone))])
  }
  validation {
    condition = var.db_replicas == null || var.availability_zones == null ? true : alltrue([
      for k, r in var.db_replicas : r.availability_zone == null ? true : !can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", r.availability_zone)) || contains(var.availability_zones, r.availability_zone)
    ])
    error_message = var.db_replicas == null || var.availability_zones == null ? "" : join(" ", [
      for k, r in var.db_replicas : "db_replicas[${jsonencode(k)}].availability_zone: ${jsonencode(r.availability_zone)} is not one of the stack's zones (availability_zones); use ${length(distinct(var.availability_zones)) > 1 ? "${join(", ", slice([for z in distinct(var.availability_zones) : jsonencode(z)], 0, length(distinct(var.availability_zones)) - 1))} or ${jsonencode(element(distinct(var.availability_zones), length(distinct(var.availability_zones)) - 1))}" : jsonencode(var.availability_zones[0])}, or omit it to spread the replicas over them."
      if r.availability_zone == null ? false : can(regex("^[a-z]{2}(-[a-z]+)+-[1-9][0-9]{0,2}[a-z]$", r.availability_zone)) && !contains(var.availability_zones, r.availability_zone)
    ])
  }
}

################################################################################
# Storage (S3)
################################################################################

variable "create_bucket" {
  description = "Whether the stack has an S3 bucket for backups and static assets: versioned, SSE-KMS with the stack's key, public access blocked, ACLs off, TLS only, with a lifecycle rule."
  type        = bool
  default     = false
  nullable    = false
}

variable "bucket_name" {
  description = "Bucket name (global namespace: 3 to 63 lowercase letters, digits, hyphens). Null: the provider's default, `<stack>-<account>-<region>` (needs the account id). Changing it creates the new bucket and deletes the old one."
  type        = string
  default     = null

  # The provider's checks (check_bucket_name) in its order and words; like
  # the provider, only the first problem is reported.
  validation {
    condition = var.bucket_name == null ? true : alltrue([
      length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63,
      can(regex("^[a-z0-9.-]*$", var.bucket_name)),
      can(regex("^[a-z0-9](.*[a-z0-9])?$", var.bucket_name)),
      !strcontains(var.bucket_name, ".."),
      !can(regex("^[0-9]*\\.[0-9]*\\.[0-9]*\\.[0-9]*$", var.bucket_name)),
      !anytrue([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.bucket_name, p)]),
      !anytrue([for x in ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] : endswith(var.bucket_name, x)]),
    ])
    error_message = var.bucket_name == null ? "" : try(compact([
      length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63 ? "" : "${jsonencode(var.bucket_name)} is ${length(var.bucket_name)} characters long; a bucket name is 3 to 63 characters.",
      can(regex("^[a-z0-9.-]*$", var.bucket_name)) ? "" : "${jsonencode(var.bucket_name)} contains '${try(regex("[^a-z0-9.-]", var.bucket_name), "")}'; a bucket name uses only lowercase letters, digits, dots and hyphens.",
      can(regex("^[a-z0-9](.*[a-z0-9])?$", var.bucket_name)) ? "" : "${jsonencode(var.bucket_name)} must start and end with a lowercase letter or digit.",
      !strcontains(var.bucket_name, "..") ? "" : "${jsonencode(var.bucket_name)} has two adjacent dots; S3 does not allow them.",
      !can(regex("^[0-9]*\\.[0-9]*\\.[0-9]*\\.[0-9]*$", var.bucket_name)) ? "" : "${jsonencode(var.bucket_name)} is formatted as an IP address, which S3 does not allow as a bucket name.",
      !anytrue([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.bucket_name, p)]) ? "" : "${jsonencode(var.bucket_name)} starts with ${jsonencode(try([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : p if startswith(var.bucket_name, p)][0], ""))}, a prefix S3 reserves (reserved prefixes: \"xn--\", \"sthree-\" or \"amzn-s3-demo-\").",
      !anytrue([for x in ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] : endswith(var.bucket_name, x)]) ? "" : "${jsonencode(var.bucket_name)} ends with ${jsonencode(try([for x in ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] : x if endswith(var.bucket_name, x)][0], ""))}, a suffix S3 reserves for access point aliases, Object Lambda, Multi-Region Access Points and directory buckets (reserved suffixes: \"-s3alias\", \"--ol-s3\", \".mrap\" or \"--x-s3\").",
    ])[0], "")
  }
}

variable "bucket_force_destroy" {
  description = "Whether destroy may delete every object and version in the bucket (null: the provider's default, false: destroy of a bucket holding objects fails before anything of the stack is deleted)."
  type        = bool
  default     = null
}

variable "bucket_lifecycle" {
  description = "The bucket's lifecycle rule, each in days with 0 for never: `noncurrent_version_expiration_days` (default 90), `transition_to_ia_days` (to STANDARD_IA; default 30, at least 30), `abort_incomplete_multipart_upload_days` (default 7). Null: the provider's defaults."
  type = object({
    noncurrent_version_expiration_days     = optional(number)
    transition_to_ia_days                  = optional(number)
    abort_incomplete_multipart_upload_days = optional(number)
  })
  default = null

  validation {
    condition     = var.bucket_lifecycle == null ? true : alltrue([for k, d in var.bucket_lifecycle : d == null ? true : floor(d) == d && d >= 0 && d <= 36500])
    error_message = var.bucket_lifecycle == null ? "" : join(" ", [for k, d in var.bucket_lifecycle : "bucket_lifecycle.${k}: ${d} is ${floor(d) == d ? "out of range" : "not a whole number"}: use 0 to turn the rule off, or 1 to 36500 days." if d == null ? false : !(floor(d) == d && d >= 0 && d <= 36500)])
  }
  validation {
    condition     = var.bucket_lifecycle == null ? true : var.bucket_lifecycle.transition_to_ia_days == null ? true : var.bucket_lifecycle.transition_to_ia_days < 1 || var.bucket_lifecycle.transition_to_ia_days >= 30
    error_message = var.bucket_lifecycle == null ? "" : "bucket_lifecycle.transition_to_ia_days: ${try(var.bucket_lifecycle.transition_to_ia_days, "?")} days is too soon: S3 moves objects to STANDARD_IA no sooner than 30 days after their creation; use 0 (off) or 30 to 36500."
  }
}

################################################################################
# Monitoring
################################################################################

variable "create_monitoring" {
  description = "Whether the stack has monitoring: log groups encrypted with the stack's key (EKS control plane, RDS exports, VPC flow logs), an encrypted SNS alerts topic with subscriptions, alarms on the database, its replicas and the NAT gateways, and a CloudWatch dashboard."
  type        = bool
  default     = false
  nullable    = false
}

variable "log_retention_days" {
  description = "Days the stack's log groups keep their events: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (null: the provider's default, 30)."
  type        = number
  default     = null

  validation {
    condition     = var.log_retention_days == null ? true : contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = var.log_retention_days == null ? "" : "${var.log_retention_days} days is not a retention CloudWatch Logs offers; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "flow_logs" {
  description = "Whether all of the VPC's traffic is recorded in the log group `/todo/<stack>/vpc-flow-logs` (null: the provider's default, true)."
  type        = bool
  default     = null
}

variable "alert_subscriptions" {
  description = "Who the alerts topic notifies (at most 100): `protocol` `email` (an address; AWS mails a confirmation first), `https` (an https:// URL that confirms the subscription), `sqs` (a queue ARN) or `lambda` (a function ARN), and its `endpoint`. Null: none."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = null

  validation {
    condition     = var.alert_subscriptions == null ? true : length(var.alert_subscriptions) <= 100
    error_message = var.alert_subscriptions == null ? "" : "${length(var.alert_subscriptions)} subscriptions; the stack manages at most 100."
  }
  validation {
    condition     = var.alert_subscriptions == null ? true : alltrue([for s in var.alert_subscriptions : contains(["email", "https", "sqs", "lambda"], s.protocol)])
    error_message = var.alert_subscriptions == null ? "" : join(" ", [for i, s in var.alert_subscriptions : "alert_subscriptions[${i}].protocol: ${jsonencode(s.protocol)} is not supported; use \"email\", \"https\", \"sqs\" or \"lambda\"." if !contains(["email", "https", "sqs", "lambda"], s.protocol)])
  }
  validation {
    condition = var.alert_subscriptions == null ? true : alltrue([
      for s in var.alert_subscriptions : (
        s.protocol == "email" ? length(s.endpoint) <= 254 && can(regex("^[^@\\s,]+@[^@\\s,.][^@\\s,]*\\.[^@\\s,]*[^@\\s,.]$", s.endpoint)) :
        s.protocol == "https" ? can(regex("(?s)^https://[^/?#\\s]+([/?#].*)?$", s.endpoint)) :
        s.protocol == "sqs" ? can(regex("^arn:(aws|aws-cn|aws-us-gov):sqs:[^:]+:[0-9]{12}:[^:/]+$", s.endpoint)) :
        s.protocol == "lambda" ? can(regex("^arn:(aws|aws-cn|aws-us-gov):lambda:[^:]+:[0-9]{12}:function:[^:]+(:[^:]*)?$", s.endpoint)) :
        true
      )
    ])
    error_message = var.alert_subscriptions == null ? "" : join(" ", [
      for i, s in var.alert_subscriptions : "alert_subscriptions[${i}].endpoint: ${lookup({
        email  = "${jsonencode(s.endpoint)} is not an email address like \"ops@example.com\"."
        https  = "${jsonencode(s.endpoint)} is not an https:// URL like \"https://hooks.example.com/alerts\" (plain http is refused: alerts name the stack's objects)."
        sqs    = "${jsonencode(s.endpoint)} is not an SQS queue ARN like \"arn:aws:sqs:us-east-1:123456789012:alerts\"."
        lambda = "${jsonencode(s.endpoint)} is not a Lambda function ARN like \"arn:aws:lambda:us-east-1:123456789012:function:notify\"."
      }, s.protocol, "")}"
      if !(
        s.protocol == "email" ? length(s.endpoint) <= 254 && can(regex("^[^@\\s,]+@[^@\\s,.][^@\\s,]*\\.[^@\\s,]*[^@\\s,.]$", s.endpoint)) :
        s.protocol == "https" ? can(regex("(?s)^https://[^/?#\\s]+([/?#].*)?$", s.endpoint)) :
        s.protocol == "sqs" ? can(regex("^arn:(aws|aws-cn|aws-us-gov):sqs:[^:]+:[0-9]{12}:[^:/]+$", s.endpoint)) :
        s.protocol == "lambda" ? can(regex("^arn:(aws|aws-cn|aws-us-gov):lambda:[^:]+:[0-9]{12}:function:[^:]+(:[^:]*)?$", s.endpoint)) :
        true
      )
    ])
  }
  validation {
    condition     = var.alert_subscriptions == null ? true : length(distinct(var.alert_subscriptions)) == length(var.alert_subscriptions)
    error_message = var.alert_subscriptions == null ? "" : join(" ", [for i, s in var.alert_subscriptions : "alert_subscriptions[${i}]: ${s.protocol} ${jsonencode(s.endpoint)} is listed twice." if contains(slice(var.alert_subscriptions, 0, i), s)])
  }
}

variable "alarms" {
  description = <<-EOT
    The alarms, each tunable or switched off on its own: `enabled` (default true), `threshold`, `period` (seconds: 10, 20, 30 or a multiple of 60) and `evaluation_periods` (period x evaluation_periods at most one day, or 7 days with periods of an hour or more). Alarms and their default thresholds: `database_cpu` (percent, 80), `database_free_storage` (GiB, a tenth of the storage), `database_freeable_memory` (MiB, 256), `database_connections` (200), `replica_lag` (seconds, 60; one per replica), `nat_port_allocation_errors` (0; one per NAT gateway), `nat_packets_dropped` (100; one per NAT gateway). Null: the provider's defaults.
  EOT
  type = object({
    database_cpu               = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_free_storage      = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_freeable_memory   = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    database_connections       = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    replica_lag                = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    nat_port_allocation_errors = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
    nat_packets_dropped        = optional(object({ enabled = optional(bool), threshold = optional(number), period = optional(number), evaluation_periods = optional(number) }))
  })
  default = null

  validation {
    condition = var.alarms == null ? true : alltrue([
      for k, a in { for k, a in var.alarms : k => a if a != null } : a.threshold == null ? true : a.threshold >= 0 && (local.alarm_rules[k].max_threshold == null ? true : a.threshold <= local.alarm_rules[k].max_threshold)
    ])
    error_message = var.alarms == null ? "" : join(" ", [
      for k, a in { for k, a in var.alarms : k => a if a != null } : "alarms.${k}.threshold: ${a.threshold} is out of range: the threshold is in ${local.alarm_rules[k].unit} and must be ${local.alarm_rules[k].max_threshold == null ? "0 or more" : "0 to ${local.alarm_rules[k].max_threshold}"}."
      if a.threshold == null ? false : a.threshold < 0 || (local.alarm_rules[k].max_threshold == null ? false : a.threshold > local.alarm_rules[k].max_threshold)
    ])
  }
  validation {
    condition = var.alarms == null ? true : alltrue([
      for k, a in { for k, a in var.alarms : k => a if a != null } : a.period == null ? true : floor(a.period) == a.period && a.period >= 10 && a.period <= 86400 && (contains([10, 20, 30], a.period) || a.period % 60 == 0)
    ])
    error_message = var.alarms == null ? "" : join(" ", [
      for k, a in { for k, a in var.alarms : k => a if a != null } : (
        floor(a.period) != a.period ? "alarms.${k}.period: ${a.period} is not a whole number: use 10, 20, 30 or a multiple of 60 seconds, at most 86400." :
        a.period < 10 || a.period > 86400 ? "alarms.${k}.period: ${a.period} is out of range: use 10, 20, 30 or a multiple of 60 seconds, at most 86400." :
        "alarms.${k}.period: ${a.period} seconds is not a period CloudWatch accepts: use 10, 20, 30 or a multiple of 60 seconds, at most 86400."
      ) if a.period == null ? false : !(floor(a.period) == a.period && a.period >= 10 && a.period <= 86400 && (contains([10, 20, 30], a.period) || a.period % 60 == 0))
    ])
  }
  validation {
    condition     = var.alarms == null ? true : alltrue([for k, a in { for k, a in var.alarms : k => a if a != null } : a.evaluation_periods == null ? true : floor(a.evaluation_periods) == a.evaluation_periods && a.evaluation_periods >= 1 && a.evaluation_periods <= 10080])
    error_message = var.alarms == null ? "" : join(" ", [for k, a in { for k, a in var.alarms : k => a if a != null } : "alarms.${k}.evaluation_periods: ${a.evaluation_periods} is ${floor(a.evaluation_periods) == a.evaluation_periods ? "out of range" : "not a whole number"}: use 1 or more datapoints." if a.evaluation_periods == null ? false : !(floor(a.evaluation_periods) == a.evaluation_periods && a.evaluation_periods >= 1 && a.evaluation_periods <= 10080)])
  }
  # The evaluation range: each setting as given when valid (an invalid one
  # is reported on its own), else the provider's default; checked when
  # either is given.
  validation {
    condition = var.alarms == null ? true : alltrue([
      for r in [
        for k, a in { for k, a in var.alarms : k => a if a != null } : { period = (a.period == null ? local.alarm_rules[k].period : floor(a.period) == a.period && a.period >= 10 && a.period <= 86400 && (contains([10, 20, 30], a.period) || a.period % 60 == 0) ? a.period : local.alarm_rules[k].period), evaluation_periods = (a.evaluation_periods == null ? local.alarm_rules[k].evaluation_periods : floor(a.evaluation_periods) == a.evaluation_periods && a.evaluation_periods >= 1 && a.evaluation_periods <= 10080 ? a.evaluation_periods : local.alarm_rules[k].evaluation_periods) }
        if a.period != null || a.evaluation_periods != null
      ] : r.period * r.evaluation_periods <= (r.period >= 3600 ? 604800 : 86400)
    ])
    error_message = var.alarms == null ? "" : join(" ", [
      for k, r in {
        for k, a in { for k, a in var.alarms : k => a if a != null } : k => { period = (a.period == null ? local.alarm_rules[k].period : floor(a.period) == a.period && a.period >= 10 && a.period <= 86400 && (contains([10, 20, 30], a.period) || a.period % 60 == 0) ? a.period : local.alarm_rules[k].period), evaluation_periods = (a.evaluation_periods == null ? local.alarm_rules[k].evaluation_periods : floor(a.evaluation_periods) == a.evaluation_periods && a.evaluation_periods >= 1 && a.evaluation_periods <= 10080 ? a.evaluation_periods : local.alarm_rules[k].evaluation_periods) }
        if a.period != null || a.evaluation_periods != null
      } : "alarms.${k}.evaluation_periods: ${r.evaluation_periods} datapoints of ${r.period} s are ${r.period * r.evaluation_periods} s; CloudWatch evaluates at most ${r.period >= 3600 ? "604800 s (7 days)" : "86400 s (one day)"} with this period. Use fewer or shorter periods."
      if r.period * r.evaluation_periods > (r.period >= 3600 ? 604800 : 86400)
    ])
  }
}
