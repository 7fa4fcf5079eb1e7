# The embedded default: the moto emulator started by ../scripts/up.
environment      = "local"
region           = "us-east-1"
aws_endpoint_url = "http://127.0.0.1:5077"
nat_gateways     = "single"
tags             = { owner = "local" }
# moto serves no EKS add-ons (they are tested on the simulated cloud).
addons = {}
node_groups = {
  general = { min_size = 1, max_size = 3 }
}
# The emulator's database: small, single-AZ, easy to tear down.
db_instance_class      = "db.t4g.medium"
db_multi_az            = false
db_deletion_protection = false
db_skip_final_snapshot = true
db_apply_immediately   = true
db_replicas            = { r1 = {} }
bucket_force_destroy   = true
# Monitoring on the emulator: moto confirms subscriptions at once.
log_retention_days  = 7
alert_subscriptions = [{ protocol = "email", endpoint = "ops@example.com" }]
