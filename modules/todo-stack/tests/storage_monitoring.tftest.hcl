# Bucket and monitoring inputs: how they map to todo_cloud_stack's `storage`
# and `monitoring`, and the validation rules that mirror the provider's.

mock_provider "todo" {}

variables {
  name               = "todo-test"
  vpc_cidr           = "10.0.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b"]
  create_bucket      = true
  create_monitoring  = true
}

run "bucket_and_monitoring_with_provider_defaults" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.storage != null && todo_cloud_stack.this.monitoring != null
    error_message = "create_bucket and create_monitoring must add `storage` and `monitoring`."
  }
}

run "every_storage_and_monitoring_input_maps" {
  command = plan

  variables {
    bucket_name          = "todo-test-assets"
    bucket_force_destroy = true
    bucket_lifecycle     = { noncurrent_version_expiration_days = 30, transition_to_ia_days = 0 }
    log_retention_days   = 90
    flow_logs            = false
    alert_subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "https", endpoint = "https://hooks.example.com/alerts" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:us-east-1:123456789012:alerts" },
      { protocol = "lambda", endpoint = "arn:aws:lambda:us-east-1:123456789012:function:notify:live" },
    ]
    alarms = {
      database_cpu = { threshold = 75, period = 60, evaluation_periods = 5 }
      replica_lag  = { enabled = false }
    }
  }

  assert {
    condition     = todo_cloud_stack.this.storage.bucket_name == "todo-test-assets" && todo_cloud_stack.this.storage.force_destroy == true
    error_message = "bucket_name and bucket_force_destroy do not map."
  }
  assert {
    condition     = todo_cloud_stack.this.storage.lifecycle.noncurrent_version_expiration_days == 30 && todo_cloud_stack.this.storage.lifecycle.transition_to_ia_days == 0
    error_message = "bucket_lifecycle does not map to storage.lifecycle."
  }
  assert {
    condition     = todo_cloud_stack.this.monitoring.log_retention_days == 90 && todo_cloud_stack.this.monitoring.flow_logs == false
    error_message = "log_retention_days and flow_logs do not map."
  }
  assert {
    condition     = length(todo_cloud_stack.this.monitoring.subscriptions) == 4 && todo_cloud_stack.this.monitoring.subscriptions[1].endpoint == "https://hooks.example.com/alerts"
    error_message = "alert_subscriptions does not map to monitoring.subscriptions."
  }
  assert {
    condition     = todo_cloud_stack.this.monitoring.alarms.database_cpu.threshold == 75 && todo_cloud_stack.this.monitoring.alarms.database_cpu.evaluation_periods == 5 && todo_cloud_stack.this.monitoring.alarms.replica_lag.enabled == false
    error_message = "alarms does not map to monitoring.alarms."
  }
}

run "storage_and_monitoring_ignored_without_their_switches" {
  command = plan
  variables {
    create_bucket     = false
    create_monitoring = false
    bucket_name       = "todo-test-assets"
  }
  assert {
    condition     = todo_cloud_stack.this.storage == null && todo_cloud_stack.this.monitoring == null
    error_message = "Without create_bucket and create_monitoring there is no storage or monitoring."
  }
}

run "bucket_name_length" {
  command = plan
  variables {
    bucket_name = "ab"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_characters" {
  command = plan
  variables {
    bucket_name = "Todo_Assets"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_like_an_ip_address" {
  command = plan
  variables {
    bucket_name = "192.168.5.4"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_reserved_prefix_and_suffix" {
  command = plan
  variables {
    bucket_name = "xn--todo-s3alias"
  }
  expect_failures = [var.bucket_name]
}

run "lifecycle_days" {
  command = plan
  variables {
    bucket_lifecycle = { noncurrent_version_expiration_days = -1, transition_to_ia_days = 10 }
  }
  expect_failures = [var.bucket_lifecycle]
}

run "log_retention_values" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "subscription_protocol" {
  command = plan
  variables {
    alert_subscriptions = [{ protocol = "sms", endpoint = "+15550100" }]
  }
  expect_failures = [var.alert_subscriptions]
}

run "subscription_endpoints" {
  command = plan
  variables {
    alert_subscriptions = [
      { protocol = "email", endpoint = "ops@example" },
      { protocol = "https", endpoint = "http://hooks.example.com" },
      { protocol = "sqs", endpoint = "arn:aws:sns:us-east-1:123456789012:alerts" },
      { protocol = "lambda", endpoint = "arn:aws:lambda:us-east-1:123456789012:notify" },
    ]
  }
  expect_failures = [var.alert_subscriptions]
}

run "duplicate_subscription" {
  command = plan
  variables {
    alert_subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "email", endpoint = "ops@example.com" },
    ]
  }
  expect_failures = [var.alert_subscriptions]
}

run "alarm_threshold" {
  command = plan
  variables {
    alarms = { database_cpu = { threshold = 120 }, database_connections = { threshold = -1 } }
  }
  expect_failures = [var.alarms]
}

run "alarm_period" {
  command = plan
  variables {
    alarms = { database_cpu = { period = 45 } }
  }
  expect_failures = [var.alarms]
}

run "alarm_evaluation_periods" {
  command = plan
  variables {
    alarms = { nat_packets_dropped = { evaluation_periods = 0 } }
  }
  expect_failures = [var.alarms]
}

# 300 s (the default period) x 300 datapoints is more than a day.
run "alarm_range_over_a_day" {
  command = plan
  variables {
    alarms = { database_freeable_memory = { evaluation_periods = 300 } }
  }
  expect_failures = [var.alarms]
}

# Periods of an hour or more may span up to 7 days.
run "alarm_range_of_a_week" {
  command = plan
  variables {
    alarms = { database_free_storage = { period = 3600, evaluation_periods = 168 } }
  }
  assert {
    condition     = todo_cloud_stack.this.monitoring.alarms.database_free_storage.evaluation_periods == 168
    error_message = "168 hourly datapoints (7 days) are allowed."
  }
}
