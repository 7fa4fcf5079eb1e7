# Cluster inputs: how they map to todo_cloud_stack's `cluster`, and the
# validation rules that mirror the provider's.

mock_provider "todo" {}

variables {
  name               = "todo-test"
  vpc_cidr           = "10.0.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b"]
  create_cluster     = true
  cluster_version    = "1.31"
  # A public endpoint keeps the provider's "reachable only from the VPC"
  # warning out of the test output.
  cluster_endpoint_public_access = true
}

run "cluster_with_provider_defaults" {
  command = plan

  assert {
    condition     = todo_cloud_stack.this.cluster.version == "1.31"
    error_message = "cluster_version does not map to cluster.version."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.endpoint_public_access == true
    error_message = "cluster_endpoint_public_access does not map to cluster.endpoint_public_access."
  }
}

run "every_cluster_input_maps" {
  command = plan

  variables {
    cluster_endpoint_private_access = true
    cluster_endpoint_public_access  = true
    cluster_public_access_cidrs     = ["203.0.113.0/24"]
    cluster_log_types               = ["api", "audit"]
    cluster_admins                  = ["arn:aws:iam::123456789012:role/platform-admins"]
    cluster_addons                  = { "vpc-cni" = {}, "aws-ebs-csi-driver" = { version = "v1.38.1-eksbuild.2" } }
    node_groups = {
      general = { min_size = 2, max_size = 6 }
      spot = {
        instance_types               = ["m6i.xlarge", "m5.xlarge"]
        capacity_type                = "SPOT"
        ami_type                     = "AL2023_ARM_64_STANDARD"
        disk_size                    = 100
        min_size                     = 0
        max_size                     = 20
        desired_size                 = 1
        labels                       = { lifecycle = "spot" }
        taints                       = [{ key = "spot", value = "true", effect = "NO_SCHEDULE" }]
        max_unavailable_percentage   = 50
        autoscaler_owns_desired_size = false
      }
    }
  }

  assert {
    condition     = todo_cloud_stack.this.cluster.endpoint_public_access == true && todo_cloud_stack.this.cluster.endpoint_private_access == true
    error_message = "The endpoint flags do not map."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.public_access_cidrs == tolist(["203.0.113.0/24"])
    error_message = "cluster_public_access_cidrs does not map."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.log_types == tolist(["api", "audit"])
    error_message = "cluster_log_types does not map."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.admins == tolist(["arn:aws:iam::123456789012:role/platform-admins"])
    error_message = "cluster_admins does not map."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.addons["aws-ebs-csi-driver"].version == "v1.38.1-eksbuild.2" && contains(keys(todo_cloud_stack.this.cluster.addons), "vpc-cni")
    error_message = "cluster_addons does not map."
  }
  assert {
    condition     = todo_cloud_stack.this.cluster.node_groups["general"].min_size == 2 && todo_cloud_stack.this.cluster.node_groups["general"].max_size == 6
    error_message = "node_groups sizes do not map."
  }
  assert {
    condition = alltrue([
      todo_cloud_stack.this.cluster.node_groups["spot"].capacity_type == "SPOT",
      todo_cloud_stack.this.cluster.node_groups["spot"].ami_type == "AL2023_ARM_64_STANDARD",
      todo_cloud_stack.this.cluster.node_groups["spot"].instance_types == tolist(["m6i.xlarge", "m5.xlarge"]),
      todo_cloud_stack.this.cluster.node_groups["spot"].disk_size == 100,
      todo_cloud_stack.this.cluster.node_groups["spot"].desired_size == 1,
      todo_cloud_stack.this.cluster.node_groups["spot"].labels["lifecycle"] == "spot",
      todo_cloud_stack.this.cluster.node_groups["spot"].taints[0].effect == "NO_SCHEDULE",
      todo_cloud_stack.this.cluster.node_groups["spot"].max_unavailable_percentage == 50,
      todo_cloud_stack.this.cluster.node_groups["spot"].autoscaler_owns_desired_size == false,
    ])
    error_message = "A node group's settings do not map."
  }
}

# The emulator's configuration: no add-ons (moto serves none).
run "no_addons" {
  command = plan
  variables {
    cluster_addons = {}
  }
  assert {
    condition     = length(todo_cloud_stack.this.cluster.addons) == 0
    error_message = "cluster_addons = {} must reach the provider as an empty map."
  }
}

run "cluster_inputs_ignored_without_create_cluster" {
  command = plan
  variables {
    create_cluster = false
    node_groups    = { general = { min_size = 1, max_size = 2 } }
  }
  assert {
    condition     = todo_cloud_stack.this.cluster == null
    error_message = "Without create_cluster the stack has no cluster."
  }
}

run "version_required" {
  command = plan
  variables {
    cluster_version = null
  }
  expect_failures = [var.cluster_version]
}

run "version_format" {
  command = plan
  variables {
    cluster_version = "1.031"
  }
  expect_failures = [var.cluster_version]
}

run "api_reachable_from_nowhere" {
  command = plan
  variables {
    cluster_endpoint_private_access = false
    cluster_endpoint_public_access  = false
  }
  expect_failures = [var.cluster_endpoint_private_access]
}

run "public_access_cidr_host_bits" {
  command = plan
  variables {
    cluster_public_access_cidrs = ["203.0.113.7/24"]
  }
  expect_failures = [var.cluster_public_access_cidrs]
}

run "log_type_case_and_duplicates" {
  command = plan
  variables {
    cluster_log_types = ["api", "controllermanager", "api"]
  }
  expect_failures = [var.cluster_log_types]
}

run "admin_not_a_principal" {
  command = plan
  variables {
    cluster_admins = ["arn:aws:iam::123456789012:group/admins"]
  }
  expect_failures = [var.cluster_admins]
}

run "admin_assumed_role_session" {
  command = plan
  variables {
    cluster_admins = ["arn:aws:sts::123456789012:assumed-role/admins/alice"]
  }
  expect_failures = [var.cluster_admins]
}

run "addon_name_and_version" {
  command = plan
  variables {
    cluster_addons = { "CoreDNS" = {}, "vpc-cni" = { version = "1.19.2" } }
  }
  expect_failures = [var.cluster_addons]
}

run "node_group_name" {
  command = plan
  variables {
    node_groups = { "-spot" = { min_size = 0, max_size = 1 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_min_above_max" {
  command = plan
  variables {
    node_groups = { general = { min_size = 4, max_size = 3 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_desired_outside_min_max" {
  command = plan
  variables {
    node_groups = { general = { min_size = 3, max_size = 5, desired_size = 6 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_size_out_of_range" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 1001 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_size_not_whole" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1.5, max_size = 3 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_instance_types" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 3, instance_types = ["m6i", "m6i.large", "m6i.large"] } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_no_instance_types" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 3, instance_types = [] } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_capacity_and_ami_type" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 3, capacity_type = "CAPACITY_BLOCK", ami_type = "CUSTOM" } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_disk_and_max_unavailable" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 3, disk_size = 19, max_unavailable_percentage = 0 } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_taints" {
  command = plan
  variables {
    node_groups = { general = {
      min_size = 1
      max_size = 3
      taints = [
        { key = "gpu", effect = "NoExecute" },
        { key = "spot", effect = "NO_SCHEDULE" },
        { key = "spot", effect = "NO_SCHEDULE" },
      ]
    } }
  }
  expect_failures = [var.node_groups]
}

run "node_group_labels" {
  command = plan
  variables {
    node_groups = { general = { min_size = 1, max_size = 3, labels = { "example.com/" = "x" } } }
  }
  expect_failures = [var.node_groups]
}
