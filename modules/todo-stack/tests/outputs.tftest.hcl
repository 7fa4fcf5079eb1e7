# Outputs: each reads the right attribute of the stack, the optional parts'
# outputs are null without them, and the kubeconfig is sensitive. The
# resource's computed values are fixed at plan with override_during = plan
# (the mock generates those inside map elements, such as a node group's
# name: those outputs are compared with the resource's values).

mock_provider "todo" {}

variables {
  name               = "todo-test"
  vpc_cidr           = "10.0.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b"]
}

run "network_only_outputs" {
  command = plan

  override_resource {
    target          = todo_cloud_stack.this
    override_during = plan
    values = {
      id          = "todo-test"
      stack_id    = "st-0123456789abcdef"
      region      = "us-east-1"
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      drift       = []
      network = {
        vpc_id                  = "vpc-0abc"
        internet_gateway_id     = "igw-0abc"
        public_subnet_ids       = { "us-east-1a" = "subnet-pub-a", "us-east-1b" = "subnet-pub-b" }
        private_subnet_ids      = { "us-east-1a" = "subnet-prv-a", "us-east-1b" = "subnet-prv-b" }
        nat_gateway_ids         = { "us-east-1a" = "nat-a", "us-east-1b" = "nat-b" }
        public_route_table_id   = "rtb-pub"
        private_route_table_ids = { "us-east-1a" = "rtb-a", "us-east-1b" = "rtb-b" }
        security_group_ids      = { cluster = "sg-c", nodes = "sg-n", database = "sg-d" }
        public_subnet_cidrs     = { "us-east-1a" = "10.0.128.0/20", "us-east-1b" = "10.0.144.0/20" }
        private_subnet_cidrs    = { "us-east-1a" = "10.0.0.0/20", "us-east-1b" = "10.0.16.0/20" }
        nat_gateways            = "one_per_az"
        availability_zone_count = null
      }
    }
  }

  assert {
    condition     = output.id == "todo-test" && output.name == "todo-test" && output.stack_id == "st-0123456789abcdef" && output.region == "us-east-1"
    error_message = "The stack outputs do not read the stack."
  }
  assert {
    condition     = output.vpc_id == "vpc-0abc" && output.vpc_cidr_block == "10.0.0.0/16" && output.internet_gateway_id == "igw-0abc"
    error_message = "The VPC outputs do not read network."
  }
  assert {
    condition     = output.private_subnet_ids["us-east-1b"] == "subnet-prv-b" && output.public_subnet_ids["us-east-1a"] == "subnet-pub-a"
    error_message = "The subnet id outputs do not read network."
  }
  assert {
    condition     = output.private_subnet_cidrs["us-east-1a"] == "10.0.0.0/20" && output.nat_gateway_ids["us-east-1b"] == "nat-b" && output.security_group_ids["database"] == "sg-d"
    error_message = "The network outputs do not read network."
  }
  assert {
    condition = alltrue([for o in [
      output.cluster_name, output.cluster_endpoint, output.cluster_certificate_authority_data, output.cluster_oidc_provider_arn,
      output.cluster_oidc_provider, output.node_groups, output.db_endpoint, output.db_master_secret_arn, output.db_reader_endpoints,
      output.bucket_name, output.bucket_arn, output.alerts_topic_arn, output.dashboard_url,
    ] : o == null])
    error_message = "Without a cluster, database, bucket or monitoring their outputs must be null."
  }
}

run "complete_outputs" {
  command = plan

  variables {
    create_cluster                 = true
    cluster_version                = "1.31"
    cluster_endpoint_public_access = true
    create_database                = true
    create_bucket                  = true
    create_monitoring              = true
    node_groups                    = { general = { min_size = 1, max_size = 3 } }
    cluster_addons                 = { "vpc-cni" = { version = "v1.19.2-eksbuild.1" } }
    db_replicas                    = { r1 = {} }
  }

  override_resource {
    target          = todo_cloud_stack.this
    override_during = plan
    values = {
      kubeconfig = "apiVersion: v1\nkind: Config\n"
      cluster = {
        name                  = "todo-test"
        arn                   = "arn:aws:eks:us-east-1:123456789012:cluster/todo-test"
        endpoint              = "https://ABC.gr7.us-east-1.eks.amazonaws.com"
        certificate_authority = "LS0tLS1CRUdJTg=="
        oidc_issuer_url       = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
        oidc_provider_arn     = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
        security_group_id     = "sg-eks"
        cluster_role_arn      = "arn:aws:iam::123456789012:role/todo/us-east-1/todo-test/todo-test-us-east-1-cluster"
        node_role_arn         = "arn:aws:iam::123456789012:role/todo/us-east-1/todo-test/todo-test-us-east-1-nodes"
      }
      database = {
        endpoint                  = "todo-test-db-0a1b2c3d.abc.us-east-1.rds.amazonaws.com"
        port                      = 5432
        reader_endpoints          = { r1 = "todo-test-r1-0a1b2c.abc.us-east-1.rds.amazonaws.com" }
        arn                       = "arn:aws:rds:us-east-1:123456789012:db:todo-test-db-0a1b2c3d"
        identifier                = "todo-test-db-0a1b2c3d"
        master_secret_arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"
        security_group_id         = "sg-d"
        final_snapshot_identifier = "todo-test-db-0a1b2c3d-final"
        database_name             = "todo"
        master_username           = "todo_admin"
      }
      storage = {
        bucket_name                 = "todo-test-123456789012-us-east-1"
        bucket_arn                  = "arn:aws:s3:::todo-test-123456789012-us-east-1"
        bucket_regional_domain_name = "todo-test-123456789012-us-east-1.s3.us-east-1.amazonaws.com"
      }
      monitoring = {
        topic_arn       = "arn:aws:sns:us-east-1:123456789012:todo-test-alerts"
        log_group_names = { flow_logs = "/todo/todo-test/vpc-flow-logs" }
        alarm_names     = { "db-cpu" = "todo-test-db-cpu" }
        dashboard_name  = "todo-test-us-east-1"
        dashboard_url   = "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=todo-test-us-east-1"
      }
    }
  }

  assert {
    condition     = output.cluster_name == "todo-test" && output.cluster_endpoint == "https://ABC.gr7.us-east-1.eks.amazonaws.com" && output.cluster_certificate_authority_data == "LS0tLS1CRUdJTg=="
    error_message = "The cluster outputs do not read cluster."
  }
  assert {
    condition     = output.cluster_oidc_provider == "oidc.eks.us-east-1.amazonaws.com/id/ABC" && endswith(output.cluster_oidc_provider_arn, "oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC")
    error_message = "The OIDC outputs do not read cluster."
  }
  assert {
    condition     = output.node_groups["general"].name == todo_cloud_stack.this.cluster.node_groups["general"].name && output.node_groups["general"].status == todo_cloud_stack.this.cluster.node_groups["general"].status && output.cluster_addons["vpc-cni"] == "v1.19.2-eksbuild.1"
    error_message = "node_groups and cluster_addons do not read cluster."
  }
  assert {
    condition     = output.kubeconfig == "apiVersion: v1\nkind: Config\n" && issensitive(output.kubeconfig)
    error_message = "kubeconfig must be the stack's, and sensitive."
  }
  assert {
    condition     = output.db_endpoint == "todo-test-db-0a1b2c3d.abc.us-east-1.rds.amazonaws.com" && output.db_port == 5432 && output.db_reader_endpoints["r1"] == "todo-test-r1-0a1b2c.abc.us-east-1.rds.amazonaws.com"
    error_message = "The database endpoint outputs do not read database."
  }
  assert {
    condition     = output.db_master_secret_arn == "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc" && output.db_replica_arns["r1"] == todo_cloud_stack.this.database.replicas["r1"].arn && output.db_final_snapshot_identifier == "todo-test-db-0a1b2c3d-final"
    error_message = "The database outputs do not read database."
  }
  assert {
    condition     = output.bucket_name == "todo-test-123456789012-us-east-1" && output.bucket_arn == "arn:aws:s3:::todo-test-123456789012-us-east-1"
    error_message = "The bucket outputs do not read storage."
  }
  assert {
    condition     = output.alerts_topic_arn == "arn:aws:sns:us-east-1:123456789012:todo-test-alerts" && output.dashboard_name == "todo-test-us-east-1" && output.log_group_names["flow_logs"] == "/todo/todo-test/vpc-flow-logs"
    error_message = "The monitoring outputs do not read monitoring."
  }
}
