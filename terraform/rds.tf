# PostgreSQL: encrypted with the stack's key, automated backups, multi-AZ
# where asked, read replicas; the master password is generated and kept in
# Secrets Manager (never in the state).
locals {
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
    # EKS managed nodes carry the security group EKS makes for the cluster,
    # not the stack's `nodes` group (no launch template yet), so the
    # database admits the private subnets, where the nodes and pods live.
    allowed_cidrs = local.private_subnet_cidrs
    replicas      = var.db_replicas
  }
}
