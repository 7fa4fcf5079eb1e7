output "vpc_id" {
  description = "The stack's VPC."
  value       = module.stack.vpc_id
}

output "availability_zones" {
  description = "The zones chosen for the stack."
  value       = module.stack.availability_zones
}

output "public_subnet_ids" {
  description = "Public subnets by availability zone."
  value       = module.stack.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets by availability zone."
  value       = module.stack.private_subnet_ids
}

output "nat_gateway_ids" {
  description = "The NAT gateway, by the zone it lives in."
  value       = module.stack.nat_gateway_ids
}

output "bucket_name" {
  description = "The backups and static assets bucket."
  value       = module.stack.bucket_name
}
