//! The `todo_cloud_stack` schema. Descriptions here are the documentation.

use tfplugin::{Attribute, Block, ObjectNesting, Schema, Type};

/// Default create timeout (real AWS: EKS and RDS take tens of minutes).
pub const DEFAULT_CREATE_TIMEOUT: &str = "90m";
/// Default update timeout.
pub const DEFAULT_UPDATE_TIMEOUT: &str = "90m";
/// Default delete timeout.
pub const DEFAULT_DELETE_TIMEOUT: &str = "60m";

fn network_attributes(for_data_source: bool) -> Vec<Attribute> {
    let input = |a: Attribute, required: bool| {
        if for_data_source {
            a.computed()
        } else if required {
            a.required()
        } else {
            a.optional_computed()
        }
    };
    vec![
        input(
            Attribute::string("cidr_block").description("IPv4 CIDR of the VPC, `/16` to `/24`, e.g. `10.0.0.0/16`."),
            true,
        ),
        input(
            Attribute::new("availability_zones", Type::list(Type::String)).description(
                "2 to 6 distinct availability zone names of the region, e.g. `[\"us-east-1a\", \"us-east-1b\"]`. \
                 Set this or `availability_zone_count`; with a count, the zones are resolved against the region at \
                 plan time and then kept.",
            ),
            false,
        ),
        input(
            Attribute::number("availability_zone_count").description(
                "How many availability zones to span (2 to 6), instead of naming them: the region's first available \
                 zones (by name, letters a to h) are chosen when the stack is created, and kept afterwards.",
            ),
            false,
        ),
        input(
            Attribute::string("nat_gateways").description(
                "NAT gateways for the private subnets: `one_per_az` (default; survives the loss of a zone), \
                 `single` (one, in the first zone: cheaper) or `none` (private subnets have no internet egress).",
            ),
            false,
        ),
        input(
            Attribute::new("public_subnet_cidrs", Type::map(Type::String)).description(
                "Public subnet CIDR per availability zone. Default: the VPC is cut into 16 equal blocks; the zone \
                 with letter index *i* (`a` = 0 ... `h` = 7) gets block *8 + i* for its public subnet and block *i* for \
                 its private subnet. The allocation depends only on the zone's letter, so adding or removing a \
                 zone never renumbers the others.",
            ),
            false,
        ),
        input(
            Attribute::new("private_subnet_cidrs", Type::map(Type::String))
                .description("Private subnet CIDR per availability zone. Default: see `public_subnet_cidrs`."),
            false,
        ),
        Attribute::string("vpc_id").computed().description("The VPC id."),
        Attribute::string("internet_gateway_id").computed().description("The internet gateway id."),
        Attribute::new("public_subnet_ids", Type::map(Type::String))
            .computed()
            .description("Public subnet ids by availability zone."),
        Attribute::new("private_subnet_ids", Type::map(Type::String))
            .computed()
            .description("Private subnet ids by availability zone."),
        Attribute::new("nat_gateway_ids", Type::map(Type::String))
            .computed()
            .description("NAT gateway ids by the availability zone they live in."),
        Attribute::string("public_route_table_id").computed().description("The public route table id."),
        Attribute::new("private_route_table_ids", Type::map(Type::String))
            .computed()
            .description("Private route table ids by availability zone."),
        Attribute::new("security_group_ids", Type::map(Type::String)).computed().description(
            "Security group ids by role: `cluster` (EKS control plane), `nodes` (worker nodes), `database` (PostgreSQL).",
        ),
    ]
}

/// The resource schema.
pub fn stack_schema() -> Schema {
    Schema::new(
        Block::new(
            "The Todo application's production stack as one resource. Apply observes what exists (by the tags \
             `todo:stack` and `todo:component`), adopts it, creates what is missing, updates what differs and \
             deletes what is no longer wanted, so an interrupted or failed apply is continued by the next one.",
        )
        .attribute(Attribute::string("id").computed().description("The stack name."))
        .attribute(Attribute::string("name").required().description(
            "Stack name: 3 to 32 lowercase letters, digits and hyphens, starting with a letter. Names every AWS \
             object. Changing it replaces the whole stack.",
        ))
        .attribute(
            Attribute::new("tags", Type::map(Type::String))
                .description("Tags for every AWS object of the stack (over the provider's `default_tags`)."),
        )
        .attribute(Attribute::nested(
            "timeouts",
            ObjectNesting::Single,
            vec![
                Attribute::string("create").description("How long a create may take, e.g. `90m` (default)."),
                Attribute::string("update").description("How long an update may take, e.g. `90m` (default)."),
                Attribute::string("delete").description("How long a delete may take, e.g. `60m` (default)."),
            ],
        ).description("Operation timeouts."))
        .attribute(
            Attribute::nested("network", ObjectNesting::Single, network_attributes(false))
                .required()
                .description("The VPC: public and private subnets per availability zone, internet and NAT gateways, routes, security groups."),
        )
        .attribute(Attribute::string("region").computed().description(
            "The AWS region the stack lives in: the provider's region when the stack was created. When the \
             provider's region changes, the plan replaces the stack (deletes it in the old region, creates it in \
             the new one) and says so.",
        ))
        .attribute(Attribute::string("stack_id").computed().description(
            "This stack instance's identity, written on every object as the tag `todo:stack-id`. Apply, refresh \
             and destroy touch only objects that carry it, so another configuration that uses the same stack \
             name cannot take over or delete this stack.",
        ))
        .attribute(Attribute::string("kms_key_arn").computed().description(
            "ARN of the stack's customer-managed KMS key (alias `alias/todo/<name>`, yearly rotation on).",
        ))
        .attribute(Attribute::new("drift", Type::list(Type::String)).computed().description(
            "What the last refresh found changed outside Terraform (a route or rule added or removed, a tag \
             changed, a setting flipped), one line per difference. The plan shows it going to `[]`: apply \
             restores the configuration.",
        ))
        .attribute(
            Attribute::nested("cluster", ObjectNesting::Single, cluster_attributes(false)).description(
                "The EKS cluster: IAM roles, the control plane in the private subnets with secrets encrypted by the \
                 stack's key, its OIDC provider, managed node groups and add-ons. Omit it for a stack without Kubernetes.",
            ),
        )
        .attribute(
            Attribute::nested("database", ObjectNesting::Single, super::schema_data::database_attributes(false)).description(
                "PostgreSQL on RDS: a subnet group on the private subnets, the database security group (5432 from the \
                 nodes), a parameter group, an encrypted multi-AZ primary with automated backups, read replicas, \
                 and its credentials in Secrets Manager. Omit it for a stack without a database.",
            ),
        )
        .attribute(
            Attribute::nested("storage", ObjectNesting::Single, super::schema_data::storage_attributes(false)).description(
                "The S3 bucket for backups and static assets: versioned, SSE-KMS with the stack's key, public \
                 access blocked, ACLs off, TLS only, with a lifecycle rule. Omit it for a stack without a bucket.",
            ),
        )
        .attribute(
            Attribute::nested("monitoring", ObjectNesting::Single, super::schema_monitoring::monitoring_attributes(false)).description(
                "Monitoring: log groups encrypted with the stack's key (EKS control plane, RDS exports, VPC flow \
                 logs) with a retention, an encrypted SNS alerts topic with subscriptions, alarms on the database, \
                 its replicas and the NAT gateways, and a CloudWatch dashboard. Omit it for a stack without.",
            ),
        )
        .attribute(Attribute::string("kubeconfig").computed().sensitive().description(
            "A kubeconfig for the cluster that authenticates with `aws eks get-token` (needs the AWS CLI). Null without a cluster.",
        )),
    )
}

/// The data source schema: the same outputs, read by name.
pub fn stack_data_source_schema() -> Schema {
    Schema::new(
        Block::new("Reads an existing stack by name, so other configurations can use its outputs without sharing state.")
            .attribute(Attribute::string("id").computed().description("The stack name."))
            .attribute(Attribute::string("name").required().description("The stack name."))
            .attribute(Attribute::new("tags", Type::map(Type::String)).computed().description("The stack's own tags."))
            .attribute(
                Attribute::nested("network", ObjectNesting::Single, network_attributes(true))
                    .computed()
                    .description("The stack's network."),
            )
            .attribute(Attribute::string("region").computed().description("The region read from."))
            .attribute(Attribute::string("stack_id").computed().description("The stack instance's identity."))
            .attribute(Attribute::string("kms_key_arn").computed().description("ARN of the stack's KMS key."))
            .attribute(
                Attribute::nested("cluster", ObjectNesting::Single, cluster_attributes(true))
                    .computed()
                    .description("The stack's EKS cluster (null without one)."),
            )
            .attribute(
                Attribute::nested("database", ObjectNesting::Single, super::schema_data::database_attributes(true))
                    .computed()
                    .description("The stack's database (null without one)."),
            )
            .attribute(
                Attribute::nested("storage", ObjectNesting::Single, super::schema_data::storage_attributes(true))
                    .computed()
                    .description("The stack's bucket (null without one)."),
            )
            .attribute(
                Attribute::nested("monitoring", ObjectNesting::Single, super::schema_monitoring::monitoring_attributes(true))
                    .computed()
                    .description("The stack's monitoring (null without)."),
            ),
    )
}

/// Supported Kubernetes versions (EKS standard and extended support).
pub const KUBERNETES_VERSIONS: std::ops::RangeInclusive<u32> = 28..=33;

/// The `cluster` attributes (all computed in the data source).
pub fn cluster_attributes(for_data_source: bool) -> Vec<Attribute> {
    let input = |a: Attribute, required: bool| {
        if for_data_source {
            a.computed()
        } else if required {
            a.required()
        } else {
            a.optional_computed()
        }
    };
    let taint = vec![
        Attribute::string("key")
            .required()
            .description("Taint key."),
        Attribute::string("value").description("Taint value (may be omitted)."),
        Attribute::string("effect")
            .required()
            .description("`NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`."),
    ];
    let group = vec![
        input(Attribute::new("instance_types", Type::list(Type::String)).description(
            "EC2 instance types, e.g. `[\"m6i.large\"]` (default). Changing them replaces this node group (the new group is created under a new name and ACTIVE before the old one is deleted).",
        ), false),
        input(Attribute::string("capacity_type").description("`ON_DEMAND` (default) or `SPOT`. Changing it replaces this node group."), false),
        input(Attribute::string("ami_type").description(
            "EKS AMI type: `AL2023_x86_64_STANDARD` (default), `AL2023_ARM_64_STANDARD`, `AL2023_x86_64_NVIDIA`, `BOTTLEROCKET_x86_64`, `BOTTLEROCKET_ARM_64`, `AL2_x86_64`, `AL2_ARM_64`, ... Changing it replaces this node group.",
        ), false),
        input(Attribute::number("disk_size").description("Root volume size in GiB, 20 to 16384 (default 50). Changing it replaces this node group."), false),
        input(Attribute::number("min_size").description("Minimum number of nodes (0 or more). Updated in place."), true),
        input(Attribute::number("max_size").description("Maximum number of nodes (1 or more, at least `min_size`). Updated in place."), true),
        input(Attribute::number("desired_size").description(
            "Nodes at creation (default `min_size`). With `autoscaler_owns_desired_size` (the default), the cluster autoscaler owns the desired size afterwards: apply never reverts it, and raising `min_size` above it raises it to the new minimum instead of failing.",
        ), false),
        input(Attribute::new("labels", Type::map(Type::String)).description("Kubernetes labels of the nodes. Updated in place."), false),
        if for_data_source {
            Attribute::nested("taints", ObjectNesting::List, taint).computed().description("Kubernetes taints.")
        } else {
            Attribute::nested("taints", ObjectNesting::List, taint).optional_computed().description("Kubernetes taints of the nodes (at most 50). Updated in place.")
        },
        input(Attribute::number("max_unavailable_percentage").description("Percent of nodes replaced at once during a version update, 1 to 100 (default 33)."), false),
        input(Attribute::bool("autoscaler_owns_desired_size").description(
            "Whether the desired size belongs to the cluster autoscaler after creation (default true). Set false to have apply enforce `desired_size`.",
        ), false),
        Attribute::string("name").computed().description("The EKS node group name: the map key and a suffix that changes when the group is replaced."),
        Attribute::string("arn").computed().description("The node group ARN."),
        Attribute::string("status").computed().description("The node group status (`ACTIVE`, ...)."),
    ];
    let addon = vec![input(
        Attribute::string("version").description(
            "Add-on version, e.g. `v1.19.2-eksbuild.1`. Default: EKS's default version for the cluster's Kubernetes version, resolved when the add-on is created or the cluster is upgraded, then kept.",
        ),
        false,
    )];
    let nested = |a: Attribute| {
        if for_data_source {
            a.computed()
        } else {
            a.optional_computed()
        }
    };
    vec![
        input(Attribute::string("version").description(
            "Kubernetes version, e.g. `1.31`. Raising it upgrades the control plane in place, then the node groups and add-ons; one minor version at a time.",
        ), true),
        input(Attribute::bool("endpoint_private_access").description("The Kubernetes API is reachable from inside the VPC (default true)."), false),
        input(Attribute::bool("endpoint_public_access").description("The Kubernetes API is reachable from the internet (default false)."), false),
        input(Attribute::new("public_access_cidrs", Type::list(Type::String)).description(
            "CIDRs allowed to reach the public endpoint (default `[\"0.0.0.0/0\"]` when it is public). Ignored while the endpoint is private only.",
        ), false),
        input(Attribute::new("log_types", Type::list(Type::String)).description(
            "Control-plane logs sent to CloudWatch: any of `api`, `audit`, `authenticator`, `controllerManager`, `scheduler` (default the first three).",
        ), false),
        input(Attribute::new("admins", Type::list(Type::String)).description(
            "IAM principal ARNs (roles or users) given cluster-admin access through EKS access entries (authentication mode `API`). Default none.",
        ), false),
        nested(Attribute::nested("addons", ObjectNesting::Map, addon).description(
            "EKS add-ons by name. Default `vpc-cni`, `coredns` and `kube-proxy`; add `aws-ebs-csi-driver` for EBS volumes; `{}` for none. `vpc-cni` is installed before the node groups, the others after.",
        )),
        nested(Attribute::nested("node_groups", ObjectNesting::Map, group).description(
            "Managed node groups by name (at most 30) in the private subnets. Adding or removing one never touches the others.",
        )),
        Attribute::string("name").computed().description("The cluster name (the stack name)."),
        Attribute::string("arn").computed().description("The cluster ARN."),
        Attribute::string("endpoint").computed().description("The Kubernetes API server URL."),
        Attribute::string("certificate_authority").computed().description("The cluster's CA certificate, base64."),
        Attribute::string("oidc_issuer_url").computed().description("The cluster's OIDC issuer URL."),
        Attribute::string("oidc_provider_arn").computed().description(
            "ARN of the IAM OIDC provider for the issuer, for IAM roles for service accounts. Its thumbprint is the issuer's root CA's; IAM itself trusts EKS issuers through its own CA store, so the thumbprint is informational.",
        ),
        Attribute::string("security_group_id").computed().description("The security group EKS made for the cluster."),
        Attribute::string("cluster_role_arn").computed().description("The cluster IAM role's ARN."),
        Attribute::string("node_role_arn").computed().description("The node IAM role's ARN."),
    ]
}
