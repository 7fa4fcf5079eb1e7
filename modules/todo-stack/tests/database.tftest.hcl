# Database inputs: how they map to todo_cloud_stack's `database`, the
# write-only password, and the validation rules that mirror the provider's.

mock_provider "todo" {}

variables {
  name               = "todo-test"
  vpc_cidr           = "10.0.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b"]
  create_database    = true
}

run "database_with_provider_defaults" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.database != null
    error_message = "create_database must add `database`."
  }
  assert {
    condition     = todo_cloud_stack.this.database.master_password_wo == null
    error_message = "Without a password, RDS manages it (master_password_wo stays null)."
  }
}

run "every_database_input_maps" {
  command = plan

  variables {
    db_engine_version          = "16.4"
    db_instance_class          = "db.r6g.large"
    db_allocated_storage       = 400
    db_max_allocated_storage   = 1000
    db_storage_type            = "gp3"
    db_iops                    = 12000
    db_multi_az                = true
    db_kms_key_arn             = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    db_backup_retention_days   = 14
    db_backup_window           = "02:00-02:30"
    db_maintenance_window      = "Mon:04:00-Mon:05:00"
    db_cloudwatch_logs_exports = ["postgresql"]
    db_performance_insights    = true
    db_deletion_protection     = false
    db_skip_final_snapshot     = false
    db_name                    = "orders"
    db_master_username         = "orders_admin"
    db_parameters              = { log_min_duration_statement = "500" }
    db_allowed_cidrs           = ["10.0.0.0/20", "10.0.16.0/20"]
    db_apply_immediately       = true
    db_allow_replacement       = true
    db_replicas                = { r1 = {}, r2 = { instance_class = "db.r6g.xlarge", availability_zone = "us-east-1b", performance_insights = false } }
  }

  assert {
    condition = alltrue([
      todo_cloud_stack.this.database.engine_version == "16.4",
      todo_cloud_stack.this.database.instance_class == "db.r6g.large",
      todo_cloud_stack.this.database.allocated_storage == 400,
      todo_cloud_stack.this.database.max_allocated_storage == 1000,
      todo_cloud_stack.this.database.storage_type == "gp3",
      todo_cloud_stack.this.database.iops == 12000,
      todo_cloud_stack.this.database.multi_az == true,
      todo_cloud_stack.this.database.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      todo_cloud_stack.this.database.backup_retention_days == 14,
      todo_cloud_stack.this.database.backup_window == "02:00-02:30",
      todo_cloud_stack.this.database.maintenance_window == "Mon:04:00-Mon:05:00",
      todo_cloud_stack.this.database.cloudwatch_logs_exports == tolist(["postgresql"]),
      todo_cloud_stack.this.database.performance_insights == true,
      todo_cloud_stack.this.database.deletion_protection == false,
      todo_cloud_stack.this.database.skip_final_snapshot == false,
      todo_cloud_stack.this.database.database_name == "orders",
      todo_cloud_stack.this.database.master_username == "orders_admin",
      todo_cloud_stack.this.database.parameters["log_min_duration_statement"] == "500",
      todo_cloud_stack.this.database.allowed_cidrs == tolist(["10.0.0.0/20", "10.0.16.0/20"]),
      todo_cloud_stack.this.database.apply_immediately == true,
      todo_cloud_stack.this.database.allow_replacement == true,
    ])
    error_message = "A database input does not map to its attribute."
  }
  assert {
    condition     = length(todo_cloud_stack.this.database.replicas) == 2 && todo_cloud_stack.this.database.replicas["r2"].instance_class == "db.r6g.xlarge" && todo_cloud_stack.this.database.replicas["r2"].availability_zone == "us-east-1b"
    error_message = "db_replicas does not map to database.replicas."
  }
}

# The password is ephemeral: it reaches the write-only attribute and never
# the plan or state (write-only attributes read back as null).
run "write_only_password" {
  command = plan

  variables {
    db_master_password_wo         = "correct-horse-battery"
    db_master_password_wo_version = 1
  }

  assert {
    condition     = todo_cloud_stack.this.database.master_password_wo_version == 1
    error_message = "db_master_password_wo_version does not map to database.master_password_wo_version."
  }
  assert {
    condition     = todo_cloud_stack.this.database.master_password_wo == null
    error_message = "A write-only value must not appear in the plan."
  }
}

run "password_without_version" {
  command = plan
  variables {
    db_master_password_wo = "correct-horse-battery"
  }
  expect_failures = [var.db_master_password_wo_version]
}

run "version_without_password" {
  command = plan
  variables {
    db_master_password_wo_version = 1
  }
  expect_failures = [var.db_master_password_wo_version]
}

run "password_rds_refuses" {
  command = plan
  variables {
    db_master_password_wo         = "p@ss word"
    db_master_password_wo_version = 1
  }
  expect_failures = [var.db_master_password_wo]
}

run "engine_version_format" {
  command = plan
  variables {
    db_engine_version = "16.x"
  }
  expect_failures = [var.db_engine_version]
}

run "instance_class_format" {
  command = plan
  variables {
    db_instance_class = "r6g.large"
  }
  expect_failures = [var.db_instance_class]
}

run "storage_bounds" {
  command = plan
  variables {
    db_allocated_storage = 10
  }
  expect_failures = [var.db_allocated_storage]
}

run "storage_ceiling_bounds" {
  command = plan
  variables {
    db_max_allocated_storage = 70000
  }
  expect_failures = [var.db_max_allocated_storage]
}

run "storage_type" {
  command = plan
  variables {
    db_storage_type = "standard"
  }
  expect_failures = [var.db_storage_type]
}

# Rules across storage settings are checked at plan, on the resource.
run "storage_ceiling_too_close" {
  command = plan
  variables {
    db_allocated_storage     = 100
    db_max_allocated_storage = 105
  }
  expect_failures = [todo_cloud_stack.this]
}

run "io1_needs_iops_and_100_gib" {
  command = plan
  variables {
    db_storage_type = "io1"
  }
  expect_failures = [todo_cloud_stack.this]
}

run "io1_iops_out_of_proportion" {
  command = plan
  variables {
    db_storage_type      = "io1"
    db_allocated_storage = 100
    db_iops              = 10000
  }
  expect_failures = [todo_cloud_stack.this]
}

run "gp3_iops_below_400_gib" {
  command = plan
  variables {
    db_iops = 3000
  }
  expect_failures = [todo_cloud_stack.this]
}

run "gp2_has_no_iops" {
  command = plan
  variables {
    db_storage_type = "gp2"
    db_iops         = 3000
  }
  expect_failures = [todo_cloud_stack.this]
}

run "io2_with_iops" {
  command = plan
  variables {
    db_storage_type      = "io2"
    db_allocated_storage = 100
    db_iops              = 3000
  }
  assert {
    condition     = todo_cloud_stack.this.database.iops == 3000
    error_message = "io2 with 3000 IOPS for 100 GiB is valid."
  }
}

run "backup_retention_bounds" {
  command = plan
  variables {
    db_backup_retention_days = 0
  }
  expect_failures = [var.db_backup_retention_days]
}

run "backup_window_format" {
  command = plan
  variables {
    db_backup_window = "3:00-4:00"
  }
  expect_failures = [var.db_backup_window]
}

run "maintenance_window_format" {
  command = plan
  variables {
    db_maintenance_window = "sunday:05:00-sunday:06:00"
  }
  expect_failures = [var.db_maintenance_window]
}

run "backup_window_too_short" {
  command = plan
  variables {
    db_backup_window = "03:00-03:15"
  }
  expect_failures = [todo_cloud_stack.this]
}

# The default daily backup window (03:00-04:00) meets a maintenance window
# that starts at 03:30.
run "windows_overlap" {
  command = plan
  variables {
    db_maintenance_window = "wed:03:30-wed:04:30"
  }
  expect_failures = [todo_cloud_stack.this]
}

run "windows_apart" {
  command = plan
  variables {
    db_backup_window      = "23:30-00:30"
    db_maintenance_window = "sat:01:00-sat:02:00"
  }
  assert {
    condition     = todo_cloud_stack.this.database.backup_window == "23:30-00:30"
    error_message = "A backup window across midnight, apart from the maintenance window, is valid."
  }
}

run "log_exports" {
  command = plan
  variables {
    db_cloudwatch_logs_exports = ["postgresql", "error", "postgresql"]
  }
  expect_failures = [var.db_cloudwatch_logs_exports]
}

run "kms_alias_arn" {
  command = plan
  variables {
    db_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/todo"
  }
  expect_failures = [var.db_kms_key_arn]
}

run "reserved_database_names" {
  command = plan
  variables {
    db_name = "postgres"
  }
  expect_failures = [var.db_name]
}

run "sql_reserved_database_name" {
  command = plan
  variables {
    db_name = "Select"
  }
  expect_failures = [var.db_name]
}

run "reserved_master_username" {
  command = plan
  variables {
    db_master_username = "rdsadmin"
  }
  expect_failures = [var.db_master_username]
}

run "parameters" {
  command = plan
  variables {
    db_parameters = { "Log_Min" = "", "work_mem" = "" }
  }
  expect_failures = [var.db_parameters]
}

run "allowed_cidrs" {
  command = plan
  variables {
    db_allowed_cidrs = ["10.0.0.5/16", "10.0.0.0/16", "10.0.0.0/16"]
  }
  expect_failures = [var.db_allowed_cidrs]
}

run "replica_name" {
  command = plan
  variables {
    db_replicas = { "R-1" = {}, "r--2" = {} }
  }
  expect_failures = [var.db_replicas]
}

run "replica_identifier_too_long" {
  command = plan
  variables {
    name        = "todo-a-rather-long-stack-name-x"
    db_replicas = { "reader-for-the-analytics-team-please" = {} }
  }
  expect_failures = [var.db_replicas]
}

run "replica_outside_the_zones" {
  command = plan
  variables {
    db_replicas = { r1 = { availability_zone = "us-east-1c" } }
  }
  expect_failures = [var.db_replicas]
}

run "database_inputs_ignored_without_create_database" {
  command = plan
  variables {
    create_database = false
    db_storage_type = "io1"
  }
  assert {
    condition     = todo_cloud_stack.this.database == null
    error_message = "Without create_database the stack has no database."
  }
}
