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
}
