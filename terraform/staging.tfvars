environment         = "staging"
region              = "us-east-1"
tags                = { owner = "platform" }
log_retention_days  = 30
alert_subscriptions = [{ protocol = "email", endpoint = "platform-staging@example.com" }]
