//! Registry-format documentation rendered from the schemas, so the docs
//! cannot drift from the code (a test compares them with `docs/`).

use tfplugin::schema::{AttributeKind, Presence};
use tfplugin::{Attribute, Block, Schema};

fn kind(a: &Attribute) -> String {
    match &a.kind {
        AttributeKind::Primitive(ty) => ty.to_json().to_string().replace('"', ""),
        AttributeKind::Nested { nesting, .. } => {
            format!("{nesting:?} nested object").to_lowercase()
        }
    }
}

fn flags(a: &Attribute) -> String {
    let mut f = vec![match a.presence {
        Presence::Required => "Required",
        Presence::Optional => "Optional",
        Presence::Computed => "Read-only",
        Presence::OptionalComputed => "Optional, computed",
    }];
    if a.sensitive {
        f.push("sensitive");
    }
    if a.write_only {
        f.push("write-only");
    }
    if a.deprecated {
        f.push("deprecated");
    }
    f.join(", ")
}

fn attributes(out: &mut String, prefix: &str, attrs: &[Attribute]) {
    for a in attrs {
        out.push_str(&format!(
            "- `{prefix}{}` ({}, {}) {}\n",
            a.name,
            kind(a),
            flags(a),
            a.description
        ));
    }
    for a in attrs {
        if let AttributeKind::Nested {
            attributes: inner, ..
        } = &a.kind
        {
            out.push_str(&format!("\n### `{prefix}{}`\n\n", a.name));
            attributes(out, &format!("{prefix}{}.", a.name), inner);
        }
    }
}

fn block(out: &mut String, b: &Block) {
    attributes(out, "", &b.attributes);
    for nb in &b.blocks {
        out.push_str(&format!(
            "\n### Block `{}`\n\n{}\n\n",
            nb.type_name, nb.block.description
        ));
        attributes(out, &format!("{}.", nb.type_name), &nb.block.attributes);
    }
}

/// Renders one page.
pub fn render(title: &str, subcategory: &str, schema: &Schema, example: &str) -> String {
    let mut out = format!(
        "---\npage_title: \"{title}\"\nsubcategory: \"{subcategory}\"\ndescription: |-\n  {}\n---\n\n# {title}\n\n{}\n\n## Example\n\n```hcl\n{}\n```\n\n## Schema\n\n",
        schema.block.description.lines().next().unwrap_or_default(),
        schema.block.description,
        example.trim()
    );
    block(&mut out, &schema.block);
    out
}

/// The example of each page: the files under `examples/` that
/// `scripts/test` validates, so the docs show configurations that work.
pub mod examples {
    /// The provider's page.
    pub const PROVIDER: &str = include_str!("../../examples/provider/provider.tf");
    /// `todo_cloud_stack`.
    pub const STACK: &str = include_str!("../../examples/resources/todo_cloud_stack/resource.tf");
    /// The `todo_cloud_stack` data source.
    pub const STACK_DATA: &str =
        include_str!("../../examples/data-sources/todo_cloud_stack/data-source.tf");
    /// `todo_caller_identity`.
    pub const CALLER_IDENTITY: &str =
        include_str!("../../examples/data-sources/todo_caller_identity/data-source.tf");
}

/// Every page: (path under `docs/`, content).
pub fn pages() -> Vec<(&'static str, String)> {
    vec![
        (
            "index.md",
            render(
                "todo Provider",
                "",
                &crate::provider::schema::provider_schema(),
                examples::PROVIDER,
            ),
        ),
        (
            "resources/cloud_stack.md",
            render(
                "todo_cloud_stack",
                "Stack",
                &crate::stack::schema::stack_schema(),
                examples::STACK,
            ),
        ),
        (
            "data-sources/cloud_stack.md",
            render(
                "todo_cloud_stack (data source)",
                "Stack",
                &crate::stack::schema::stack_data_source_schema(),
                examples::STACK_DATA,
            ),
        ),
        (
            "data-sources/caller_identity.md",
            render(
                "todo_caller_identity",
                "",
                &tfplugin::DataSource::schema(&crate::identity::CallerIdentityDataSource::new(
                    crate::TodoProvider::new().state(),
                )),
                examples::CALLER_IDENTITY,
            ),
        ),
        (
            "guides/iam-policy.md",
            crate::cloud::aws::permissions::guide(),
        ),
    ]
}
