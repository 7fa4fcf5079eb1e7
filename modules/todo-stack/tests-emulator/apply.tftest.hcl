# Apply-time tests against a local AWS emulator (moto): the module creates
# a real stack, changes it in place, and the reader module reads it back.
# `terraform test` destroys everything at the end.
#
#   terraform init -test-directory=tests-emulator
#   AWS_ENDPOINT_URL=http://127.0.0.1:5077 terraform test -test-directory=tests-emulator
#
# The emulator's address comes from AWS_ENDPOINT_URL, which the AWS SDK
# reads (a `-var` cannot reach a provider block in a test file: Terraform
# 1.11 treats it as unknown there, and the file's own variables win over it).
# The acceptance suite runs it on its own emulator
# (acceptance-tests/tests/hcl_library.rs); the plan-time tests in ../tests
# need no emulator.

variables {
  name                    = "todo-tftest"
  vpc_cidr                = "10.70.0.0/16"
  availability_zone_count = 2
  nat_gateways            = "single"
  create_bucket           = true
  bucket_force_destroy    = true
  tags                    = { suite = "tftest" }
  # Terraform 1.11 to 1.16 `terraform test` fails an apply run whose module
  # has an ephemeral variable left unset ("was not set during the plan
  # phase", hashicorp/terraform#38974, fixed in 1.17). This stack has no
  # database, so the value goes nowhere.
  db_master_password_wo         = "unused-no-database"
  db_master_password_wo_version = 1
}

provider "todo" {
  region                      = "us-east-1"
  s3_use_path_style           = true
  skip_credentials_validation = true
}

run "creates_the_stack" {
  command = apply

  assert {
    condition     = startswith(output.vpc_id, "vpc-")
    error_message = "no VPC id after apply: ${output.vpc_id}"
  }
  assert {
    condition     = length(output.public_subnet_ids) == 2 && length(output.private_subnet_ids) == 2
    error_message = "expected a public and a private subnet in each of 2 zones."
  }
  assert {
    condition     = length(output.nat_gateway_ids) == 1
    error_message = "nat_gateways = single made ${length(output.nat_gateway_ids)} NAT gateways."
  }
  assert {
    condition     = output.bucket_name != null && startswith(output.bucket_arn, "arn:aws:s3:::")
    error_message = "the bucket's name and ARN are not set."
  }
  assert {
    condition     = output.cluster_name == null && output.db_endpoint == null
    error_message = "no cluster or database was asked for."
  }
}

run "changes_tags_in_place" {
  command = apply

  variables {
    tags = { suite = "tftest", changed = "yes" }
  }

  assert {
    condition     = output.vpc_id == run.creates_the_stack.vpc_id
    error_message = "a tag change replaced the VPC."
  }
  assert {
    condition     = output.stack_id == run.creates_the_stack.stack_id
    error_message = "a tag change replaced the stack."
  }
}

run "reader_module_reads_it" {
  command = apply

  module {
    source = "../todo-stack-reader"
  }

  variables {
    name           = run.changes_tags_in_place.name
    require_bucket = true
  }

  assert {
    condition     = output.vpc_id == run.changes_tags_in_place.vpc_id
    error_message = "the reader sees another VPC."
  }
  assert {
    condition     = output.bucket_name == run.changes_tags_in_place.bucket_name
    error_message = "the reader sees another bucket."
  }
  assert {
    condition     = output.tags["changed"] == "yes"
    error_message = "the reader does not see the changed tags."
  }
  assert {
    condition     = output.cluster_name == null && output.oidc_provider_arn == null
    error_message = "the reader invents a cluster."
  }
}
