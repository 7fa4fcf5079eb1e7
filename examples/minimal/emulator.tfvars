# The local emulator (moto on the port scripts/up uses), and settings that
# let `terraform destroy` remove everything there.
endpoint_url         = "http://127.0.0.1:5077"
bucket_force_destroy = true
