# The production stack: three zones with a NAT gateway each, an EKS cluster
# with two node groups, multi-AZ PostgreSQL with two read replicas, a bucket
# and monitoring that pages the on-call address.
resource "todo_cloud_stack" "prod" {
  name = "todo-prod"
  tags = { env = "prod" }

  network = {
    cidr_block         = "10.0.0.0/16"
    availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    nat_gateways       = "one_per_az" # single | one_per_az | none
  }

  cluster = {
    version = "1.31"
    admins  = ["arn:aws:iam::123456789012:role/platform-admins"]
    node_groups = {
      general = { instance_types = ["m6i.xlarge"], min_size = 3, max_size = 12 }
      spot    = { instance_types = ["m6i.xlarge", "m5.xlarge"], capacity_type = "SPOT", min_size = 0, max_size = 20 }
    }
  }

  database = {
    instance_class      = "db.r6g.large"
    multi_az            = true
    deletion_protection = true
    replicas = {
      r1 = {}
      r2 = {}
    }
  }

  storage = {}

  monitoring = {
    log_retention_days = 90
    subscriptions      = [{ protocol = "email", endpoint = "oncall@example.com" }]
  }

  timeouts = { create = "90m", delete = "60m" }
}

output "kubeconfig" {
  value     = todo_cloud_stack.prod.kubeconfig
  sensitive = true
}
