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
            .attribute(Attribute::string("kms_key_arn").computed().description("ARN of the stack's KMS key.")),
    )
}
