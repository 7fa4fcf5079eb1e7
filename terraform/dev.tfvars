environment            = "dev"
region                 = "us-east-1"
nat_gateways           = "single"
tags                   = { owner = "platform" }
db_instance_class      = "db.t4g.medium"
db_multi_az            = false
db_deletion_protection = false
log_retention_days     = 7
flow_logs              = false
