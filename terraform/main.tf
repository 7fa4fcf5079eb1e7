# The live root configuration of the Todo application's AWS stack.
# Operators run, per environment (dev, staging, prod):
#   terraform init -backend-config=backends/prod.s3.tfbackend
#   terraform apply -var-file=prod.tfvars
# Locally, on the moto emulator: ../scripts/up (backends/local.s3.tfbackend,
# local.tfvars).

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

# One composite resource makes the whole stack; each part's settings are
# assembled in a file of its own (the inputs are in variables.tf):
#   networking.tf  the VPC, subnets, NAT gateways
#   eks.tf         the EKS cluster and its node groups
#   rds.tf         PostgreSQL, its replicas and who may reach it
#   storage.tf     the bucket for backups and static assets
#   monitoring.tf  log groups, alarms, notifications, dashboard, flow logs
resource "todo_cloud_stack" "this" {
  name = "todo-${var.environment}"
  tags = var.tags

  network    = local.network
  cluster    = local.cluster
  database   = local.database
  storage    = local.storage
  monitoring = local.monitoring
}
