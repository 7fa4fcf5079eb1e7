# The VPC: public and private subnets in each zone, the internet gateway and
# the NAT gateways (single, one per zone, or none).
locals {
  network = {
    cidr_block         = var.vpc_cidr
    availability_zones = var.availability_zones
    nat_gateways       = var.nat_gateways
  }

  # The private subnets of the provider's default layout: the VPC cut into
  # 16 blocks, block i for the zone whose letter is the i-th (a = 0).
  private_subnet_cidrs = [
    for z in var.availability_zones :
    cidrsubnet(var.vpc_cidr, 4, index(split("", "abcdefgh"), substr(z, length(z) - 1, 1)))
  ]
}
