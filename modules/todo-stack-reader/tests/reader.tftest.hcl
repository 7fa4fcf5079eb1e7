# The reader: it reads the stack by name and each output reads the right
# attribute of the data source.

mock_provider "todo" {
  mock_data "todo_cloud_stack" {
    defaults = {
      id          = "todo-prod"
      stack_id    = "st-0123456789abcdef"
      region      = "us-east-1"
      tags        = { env = "prod" }
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      network = {
        cidr_block         = "10.0.0.0/16"
        availability_zones = ["us-east-1a", "us-east-1b"]
        vpc_id             = "vpc-0abc"
        private_subnet_ids = { "us-east-1b" = "subnet-prv-b", "us-east-1a" = "subnet-prv-a" }
        public_subnet_ids  = { "us-east-1a" = "subnet-pub-a", "us-east-1b" = "subnet-pub-b" }
        security_group_ids = { cluster = "sg-c", nodes = "sg-n", database = "sg-d" }
      }
      cluster = {
        name                  = "todo-prod"
        version               = "1.31"
        endpoint              = "https://ABC.gr7.us-east-1.eks.amazonaws.com"
        certificate_authority = "LS0tLS1CRUdJTg=="
        oidc_issuer_url       = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
        oidc_provider_arn     = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
        security_group_id     = "sg-eks"
      }
      database = {
        endpoint          = "todo-prod-db-0a1b2c3d.abc.us-east-1.rds.amazonaws.com"
        reader_endpoints  = { r1 = "todo-prod-r1-0a1b2c.abc.us-east-1.rds.amazonaws.com" }
        port              = 5432
        database_name     = "todo"
        master_username   = "todo_admin"
        master_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"
        security_group_id = "sg-d"
      }
      storage = {
        bucket_name                 = "todo-prod-123456789012-us-east-1"
        bucket_arn                  = "arn:aws:s3:::todo-prod-123456789012-us-east-1"
        bucket_regional_domain_name = "todo-prod-123456789012-us-east-1.s3.us-east-1.amazonaws.com"
      }
      monitoring = {
        topic_arn     = "arn:aws:sns:us-east-1:123456789012:todo-prod-alerts"
        dashboard_url = "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=todo-prod-us-east-1"
      }
    }
  }
}

variables {
  name = "todo-prod"
}

run "reads_the_stack_by_name" {
  command = plan

  assert {
    condition     = data.todo_cloud_stack.this.name == "todo-prod"
    error_message = "The data source must read the stack named by var.name."
  }
  assert {
    condition     = output.vpc_id == "vpc-0abc" && output.vpc_cidr_block == "10.0.0.0/16" && output.region == "us-east-1" && output.stack_id == "st-0123456789abcdef"
    error_message = "The stack and VPC outputs do not read the stack."
  }
  assert {
    condition     = output.private_subnet_ids["us-east-1a"] == "subnet-prv-a" && output.private_subnet_id_list == ["subnet-prv-a", "subnet-prv-b"]
    error_message = "The private subnets must be given by zone, and as a list in zone order."
  }
  assert {
    condition     = output.security_group_ids["database"] == "sg-d" && output.public_subnet_ids["us-east-1b"] == "subnet-pub-b"
    error_message = "The network outputs do not read the stack's network."
  }
}

run "kubernetes_and_irsa_outputs" {
  command = plan

  variables {
    require_cluster = true
  }

  assert {
    condition     = output.cluster_name == "todo-prod" && output.cluster_endpoint == "https://ABC.gr7.us-east-1.eks.amazonaws.com" && output.cluster_certificate_authority_data == "LS0tLS1CRUdJTg=="
    error_message = "The kubernetes provider outputs do not read the cluster."
  }
  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" && output.oidc_issuer_url == "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
    error_message = "The IRSA outputs do not read the cluster."
  }
  assert {
    condition     = output.oidc_provider == "oidc.eks.us-east-1.amazonaws.com/id/ABC"
    error_message = "oidc_provider must be the issuer without https://."
  }
}

run "database_bucket_and_alerts_outputs" {
  command = plan

  variables {
    require_database   = true
    require_bucket     = true
    require_monitoring = true
  }

  assert {
    condition     = output.db_endpoint == "todo-prod-db-0a1b2c3d.abc.us-east-1.rds.amazonaws.com" && output.db_reader_endpoints["r1"] == "todo-prod-r1-0a1b2c.abc.us-east-1.rds.amazonaws.com" && output.db_port == 5432
    error_message = "The database endpoint outputs do not read the database."
  }
  assert {
    condition     = output.db_master_secret_arn == "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc" && output.db_name == "todo" && output.db_master_username == "todo_admin"
    error_message = "The database credential outputs do not read the database."
  }
  assert {
    condition     = output.bucket_name == "todo-prod-123456789012-us-east-1" && output.bucket_arn == "arn:aws:s3:::todo-prod-123456789012-us-east-1"
    error_message = "The bucket outputs do not read the bucket."
  }
  assert {
    condition     = output.alerts_topic_arn == "arn:aws:sns:us-east-1:123456789012:todo-prod-alerts"
    error_message = "alerts_topic_arn does not read the alerts topic."
  }
}

# Not covered here: a stack without a cluster, database, bucket or monitoring
# (null outputs, and the require_* postconditions). Terraform 1.11's mocks
# cannot make a nested object attribute null ("incompatible types; expected
# object type, found dynamic"), so that needs a real stack.

run "invalid_stack_name" {
  command = plan
  variables {
    name = "Todo_Prod"
  }
  expect_failures = [var.name]
}
