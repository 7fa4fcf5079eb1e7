//! Conversions from this crate's model to the protocol's messages.

use crate::diag::{Diagnostics, Severity};
use crate::path::{AttributePath, PathStep};
use crate::proto::tfplugin6 as pb;
use crate::schema::{
    Attribute, AttributeKind, Block, BlockNesting, ObjectNesting, Presence, Schema,
};

/// A schema as a protocol message.
pub fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block, schema.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.type_name.clone(),
                block: Some(block(&nb.block, version)),
                nesting: match nb.nesting {
                    BlockNesting::Single => pb::schema::nested_block::NestingMode::Single,
                    BlockNesting::List => pb::schema::nested_block::NestingMode::List,
                    BlockNesting::Set => pb::schema::nested_block::NestingMode::Set,
                    BlockNesting::Map => pb::schema::nested_block::NestingMode::Map,
                    BlockNesting::Group => pb::schema::nested_block::NestingMode::Group,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    // Terraform rejects an attribute that sets both `type` and `nested_type`.
    let (ty, nested_type) = match &a.kind {
        AttributeKind::Primitive(ty) => {
            (serde_json::to_vec(&ty.to_json()).unwrap_or_default(), None)
        }
        AttributeKind::Nested {
            nesting,
            attributes,
        } => (
            Vec::new(),
            #[allow(deprecated)]
            Some(pb::schema::Object {
                attributes: attributes.iter().map(attribute).collect(),
                nesting: match nesting {
                    ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                    ObjectNesting::List => pb::schema::object::NestingMode::List,
                    ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                    ObjectNesting::Map => pb::schema::object::NestingMode::Map,
                } as i32,
                min_items: 0,
                max_items: 0,
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.presence == Presence::Required,
        optional: matches!(a.presence, Presence::Optional | Presence::OptionalComputed),
        computed: matches!(a.presence, Presence::Computed | Presence::OptionalComputed),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: a.write_only,
    }
}

/// An attribute path as a protocol message.
pub fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps()
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// A protocol attribute path as ours.
pub fn path_from_wire(p: &pb::AttributePath) -> AttributePath {
    use pb::attribute_path::step::Selector;
    p.steps
        .iter()
        .filter_map(|s| match &s.selector {
            Some(Selector::AttributeName(n)) => Some(PathStep::Attribute(n.clone())),
            Some(Selector::ElementKeyString(k)) => Some(PathStep::Key(k.clone())),
            Some(Selector::ElementKeyInt(i)) => Some(PathStep::Index(*i)),
            None => None,
        })
        .collect::<Vec<_>>()
        .into()
}

/// Diagnostics as protocol messages.
pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.attribute.as_ref().filter(|p| !p.is_root()).map(path),
        })
        .collect()
}
