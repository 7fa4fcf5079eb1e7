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
