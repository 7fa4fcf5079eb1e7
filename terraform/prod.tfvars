environment = "prod"
region      = "us-east-1"
tags        = { owner = "platform" }
