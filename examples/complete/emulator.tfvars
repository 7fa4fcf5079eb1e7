# The local emulator (moto on the port scripts/up uses). moto serves no EKS
# add-ons or access entries, and settings that let `terraform destroy`
# remove everything there.
endpoint_url           = "http://127.0.0.1:5077"
cluster_addons         = {}
cluster_admins         = null
db_deletion_protection = false
db_skip_final_snapshot = true
db_apply_immediately   = true
bucket_force_destroy   = true
