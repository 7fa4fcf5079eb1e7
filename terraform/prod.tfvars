# Production. What must hold here is written out, not left to the variables'
# defaults (tests/prod.tftest.hcl checks the plan against it).
environment        = "prod"
region             = "us-east-1"
tags               = { owner = "platform" }
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
nat_gateways       = "one_per_az"
node_groups = {
  general = { instance_types = ["m6i.xlarge"], min_size = 3, max_size = 12 }
  spot    = { instance_types = ["m6i.xlarge", "m5.xlarge"], capacity_type = "SPOT", min_size = 0, max_size = 20, labels = { lifecycle = "spot" } }
}
db_instance_class        = "db.r6g.xlarge"
db_allocated_storage     = 200
db_max_allocated_storage = 1000
db_multi_az              = true
db_deletion_protection   = true
db_skip_final_snapshot   = false
db_backup_retention_days = 14
db_replicas = {
  r1 = {}
  r2 = {}
}
log_retention_days  = 90
alert_subscriptions = [{ protocol = "email", endpoint = "platform-oncall@example.com" }]
alarms = {
  database_cpu = { threshold = 75 }
}
