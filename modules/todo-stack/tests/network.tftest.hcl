# Stack and network inputs: how they map to todo_cloud_stack, and the
# validation rules that mirror the provider's. Plan-time only, with a mocked
# provider (no AWS, no emulator).

mock_provider "todo" {}

variables {
  name               = "todo-test"
  vpc_cidr           = "10.0.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b"]
}

run "defaults_make_a_network_only_stack" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.name == "todo-test"
    error_message = "name is not passed through."
  }
  assert {
    condition     = todo_cloud_stack.this.network.cidr_block == "10.0.0.0/16"
    error_message = "vpc_cidr does not map to network.cidr_block."
  }
  assert {
    condition     = todo_cloud_stack.this.network.availability_zones == tolist(["us-east-1a", "us-east-1b"])
    error_message = "availability_zones does not map to network.availability_zones."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster == null && todo_cloud_stack.this.database == null && todo_cloud_stack.this.storage == null && todo_cloud_stack.this.monitoring == null
    error_message = "With the defaults the stack must have a network only."
  }
  assert {
    condition     = todo_cloud_stack.this.timeouts == null
    error_message = "timeouts must be left to the provider by default."
  }
  assert {
    condition     = length(todo_cloud_stack.this.tags) == 0
    error_message = "tags must default to none."
  }
}

run "network_inputs_map_to_network" {
  command = plan

  variables {
    vpc_cidr             = "10.20.0.0/20"
    availability_zones   = ["us-east-1a", "us-east-1c"]
    nat_gateways         = "single"
    public_subnet_cidrs  = { "us-east-1a" = "10.20.8.0/24", "us-east-1c" = "10.20.9.0/24" }
    private_subnet_cidrs = { "us-east-1a" = "10.20.0.0/22", "us-east-1c" = "10.20.4.0/22" }
    tags                 = { team = "platform" }
    timeouts             = { create = "2h", delete = "45m" }
  }

  assert {
    condition     = todo_cloud_stack.this.network.nat_gateways == "single"
    error_message = "nat_gateways does not map to network.nat_gateways."
  }
  assert {
    condition     = todo_cloud_stack.this.network.public_subnet_cidrs["us-east-1c"] == "10.20.9.0/24"
    error_message = "public_subnet_cidrs does not map to network.public_subnet_cidrs."
  }
  assert {
    condition     = todo_cloud_stack.this.network.private_subnet_cidrs["us-east-1a"] == "10.20.0.0/22"
    error_message = "private_subnet_cidrs does not map to network.private_subnet_cidrs."
  }
  assert {
    condition     = todo_cloud_stack.this.tags == tomap({ team = "platform" })
    error_message = "tags are not passed through."
  }
  assert {
    condition     = todo_cloud_stack.this.timeouts.create == "2h" && todo_cloud_stack.this.timeouts.delete == "45m" && todo_cloud_stack.this.timeouts.update == null
    error_message = "timeouts are not passed through."
  }
}

run "zone_count_instead_of_names" {
  command = plan

  variables {
    availability_zones      = null
    availability_zone_count = 3
  }

  assert {
    condition     = todo_cloud_stack.this.network.availability_zone_count == 3
    error_message = "availability_zone_count does not map to network.availability_zone_count."
  }
}

run "invalid_stack_name" {
  command = plan
  variables {
    name = "Todo--prod-"
  }
  expect_failures = [var.name]
}

run "stack_name_too_short" {
  command = plan
  variables {
    name = "ab"
  }
  expect_failures = [var.name]
}

run "reserved_tag_prefixes" {
  command = plan
  variables {
    tags = { "todo:stack" = "x", "AWS:thing" = "y" }
  }
  expect_failures = [var.tags]
}

run "timeout_not_a_duration" {
  command = plan
  variables {
    timeouts = { create = "ninety minutes" }
  }
  expect_failures = [var.timeouts]
}

run "timeout_zero" {
  command = plan
  variables {
    timeouts = { delete = "0m" }
  }
  expect_failures = [var.timeouts]
}

run "vpc_cidr_not_a_cidr" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/33"
  }
  expect_failures = [var.vpc_cidr]
}

run "vpc_cidr_host_bits" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.1/16"
  }
  expect_failures = [var.vpc_cidr]
}

run "vpc_cidr_prefix_out_of_range" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/8"
  }
  expect_failures = [var.vpc_cidr]
}

run "no_zones" {
  command = plan
  variables {
    availability_zones = null
  }
  expect_failures = [var.availability_zones]
}

run "zones_and_count" {
  command = plan
  variables {
    availability_zone_count = 2
  }
  expect_failures = [var.availability_zones]
}

run "one_zone" {
  command = plan
  variables {
    availability_zones = ["us-east-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "malformed_zone" {
  command = plan
  variables {
    availability_zones = ["us-east-1a", "us-east-1"]
  }
  expect_failures = [var.availability_zones]
}

run "duplicate_zone" {
  command = plan
  variables {
    availability_zones = ["us-east-1a", "us-east-1b", "us-east-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "zone_count_out_of_range" {
  command = plan
  variables {
    availability_zones      = null
    availability_zone_count = 7
  }
  expect_failures = [var.availability_zone_count]
}

run "invalid_nat_gateways" {
  command = plan
  variables {
    nat_gateways = "per_az"
  }
  expect_failures = [var.nat_gateways]
}

run "subnet_cidrs_need_named_zones" {
  command = plan
  variables {
    availability_zones      = null
    availability_zone_count = 2
    public_subnet_cidrs     = { "us-east-1a" = "10.0.128.0/20" }
  }
  expect_failures = [var.public_subnet_cidrs]
}

run "subnet_cidr_malformed_and_host_bits" {
  command = plan
  variables {
    public_subnet_cidrs = { "us-east-1a" = "10.0.128.0/29", "us-east-1b" = "10.0.144.1/20" }
  }
  expect_failures = [var.public_subnet_cidrs]
}

run "subnet_cidrs_one_per_zone" {
  command = plan
  variables {
    private_subnet_cidrs = { "us-east-1a" = "10.0.0.0/20", "us-east-1d" = "10.0.48.0/20" }
  }
  expect_failures = [var.private_subnet_cidrs]
}

run "subnet_cidr_outside_the_vpc" {
  command = plan
  variables {
    private_subnet_cidrs = { "us-east-1a" = "10.1.0.0/20", "us-east-1b" = "10.0.16.0/20" }
  }
  expect_failures = [var.private_subnet_cidrs]
}

# A given public CIDR that overlaps a zone's default private block.
run "overlapping_subnets" {
  command = plan
  variables {
    public_subnet_cidrs = { "us-east-1a" = "10.0.0.0/24", "us-east-1b" = "10.0.144.0/20" }
  }
  expect_failures = [todo_cloud_stack.this]
}

run "zone_without_a_default_block" {
  command = plan
  variables {
    availability_zones = ["us-east-1a", "us-east-1i"]
  }
  expect_failures = [todo_cloud_stack.this]
}

run "zone_without_a_default_block_given_subnets" {
  command = plan
  variables {
    availability_zones   = ["us-east-1a", "us-east-1i"]
    public_subnet_cidrs  = { "us-east-1a" = "10.0.128.0/20", "us-east-1i" = "10.0.144.0/20" }
    private_subnet_cidrs = { "us-east-1a" = "10.0.0.0/20", "us-east-1i" = "10.0.16.0/20" }
  }
  assert {
    condition     = todo_cloud_stack.this.network.public_subnet_cidrs["us-east-1i"] == "10.0.144.0/20"
    error_message = "A zone letter beyond h works with explicit subnets."
  }
}
