environment  = "dev"
region       = "us-east-1"
nat_gateways = "single"
tags         = { owner = "platform" }
