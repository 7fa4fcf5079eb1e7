# The smallest useful stack: a VPC over two zones with one NAT gateway, and
# a bucket for backups and static assets. No cluster, database or
# monitoring: the provider makes no EKS, IAM, RDS, Logs, SNS or CloudWatch
# call for this stack.

module "stack" {
  source = "../../modules/todo-stack"

  name     = var.name
  vpc_cidr = var.vpc_cidr
  # The region's first two zones, chosen at the first plan and kept.
  availability_zone_count = 2
  nat_gateways            = "single"

  create_bucket        = true
  bucket_force_destroy = var.bucket_force_destroy

  tags = { env = "example" }
}
