# The local emulator (moto on the port scripts/up uses). moto gives every EKS
# cluster the same OIDC issuer, so it holds one cluster at a time: only prod
# has one here. It serves no EKS add-ons. And settings that let
# `terraform destroy` remove everything there.
endpoint_url = "http://127.0.0.1:5077"
environments = {
  dev = {
    vpc_cidr = "10.60.0.0/16"
  }
  staging = {
    vpc_cidr    = "10.61.0.0/16"
    database    = { multi_az = false }
    alert_email = "staging-alerts@example.com"
  }
  prod = {
    vpc_cidr    = "10.62.0.0/16"
    cluster     = { version = "1.31", min_size = 1, max_size = 2 }
    database    = { multi_az = false, replicas = 1 }
    alert_email = "oncall@example.com"
  }
}
cluster_addons         = {}
db_deletion_protection = false
db_skip_final_snapshot = true
db_apply_immediately   = true
bucket_force_destroy   = true
