//! Schemas: what attributes and blocks a provider, resource or data source
//! accepts, and the [`Type`] they imply for value decoding.

use std::collections::BTreeMap;

use crate::value::Type;

/// A versioned schema of a provider configuration, resource or data source.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// The schema version; stored state of an older version goes through
    /// `UpgradeResourceState`.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// A version-0 schema with the given block.
    pub fn new(block: Block) -> Schema {
        Schema { version: 0, block }
    }

    /// The same schema with another version.
    pub fn with_version(mut self, version: i64) -> Schema {
        self.version = version;
        self
    }

    /// The object type values of this schema have.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

/// A block: attributes and nested blocks, with a description.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// The attributes.
    pub attributes: Vec<Attribute>,
    /// Nested blocks (for configuration syntax `name { ... }`).
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Whether the whole block is deprecated.
    pub deprecated: bool,
}

impl Block {
    /// A block with a markdown description.
    pub fn new(description: impl Into<String>) -> Block {
        Block {
            description: description.into(),
            ..Block::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    /// Adds a nested block.
    pub fn block(mut self, block: NestedBlock) -> Block {
        self.blocks.push(block);
        self
    }

    /// The object type values of this block have.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for nested in &self.blocks {
            let inner = nested.block.value_type();
            let ty = match nested.nesting {
                BlockNesting::Single | BlockNesting::Group => inner,
                BlockNesting::List => Type::list(inner),
                BlockNesting::Set => Type::set(inner),
                BlockNesting::Map => Type::map(inner),
            };
            attrs.insert(nested.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }
}

/// How an attribute's value is shaped.
#[derive(Debug, Clone)]
pub enum AttributeKind {
    /// A value of a plain type (`string`, `map(string)`, ...).
    Primitive(Type),
    /// Nested attributes, set with assignment syntax (`network = { ... }`).
    Nested {
        /// One object, or a list, set or map of objects.
        nesting: ObjectNesting,
        /// The nested object's attributes.
        attributes: Vec<Attribute>,
    },
}

/// How nested attributes are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectNesting {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects, keyed by name.
    Map,
}

/// How nested blocks are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one block.
    Single,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
    /// Labelled blocks.
    Map,
    /// Exactly one block that is never null.
    Group,
}

/// Whether the user must, may or cannot set an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The user must set it.
    Required,
    /// The user may set it.
    Optional,
    /// The provider sets it.
    Computed,
    /// The user may set it; otherwise the provider does.
    OptionalComputed,
}

/// One attribute of a block or nested object.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// Its shape.
    pub kind: AttributeKind,
    /// Who sets it.
    pub presence: Presence,
    /// Hidden from plan output.
    pub sensitive: bool,
    /// Never stored in state or plan (protocol 6.8).
    pub write_only: bool,
    /// Markdown description.
    pub description: String,
    /// Whether the attribute is deprecated.
    pub deprecated: bool,
}

impl Attribute {
    /// An optional attribute of type `ty`.
    pub fn new(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            name: name.into(),
            kind: AttributeKind::Primitive(ty),
            presence: Presence::Optional,
            sensitive: false,
            write_only: false,
            description: String::new(),
            deprecated: false,
        }
    }

    /// An optional `string` attribute.
    pub fn string(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::String)
    }

    /// An optional `bool` attribute.
    pub fn bool(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    /// An optional `number` attribute.
    pub fn number(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    /// An optional nested-attribute attribute.
    pub fn nested(
        name: impl Into<String>,
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    ) -> Attribute {
        Attribute {
            kind: AttributeKind::Nested {
                nesting,
                attributes,
            },
            ..Attribute::new(name, Type::Dynamic)
        }
    }

    /// Marks the attribute required.
    pub fn required(mut self) -> Attribute {
        self.presence = Presence::Required;
        self
    }

    /// Marks the attribute computed (set by the provider only).
    pub fn computed(mut self) -> Attribute {
        self.presence = Presence::Computed;
        self
    }

    /// Marks the attribute optional and computed.
    pub fn optional_computed(mut self) -> Attribute {
        self.presence = Presence::OptionalComputed;
        self
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// Marks the attribute write-only.
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    /// Marks the attribute deprecated.
    pub fn deprecated(mut self) -> Attribute {
        self.deprecated = true;
        self
    }

    /// Sets the markdown description.
    pub fn description(mut self, text: impl Into<String>) -> Attribute {
        self.description = text.into();
        self
    }

    /// The type of this attribute's values.
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Primitive(ty) => ty.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let object = Type::Object(
                    attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                );
                match nesting {
                    ObjectNesting::Single => object,
                    ObjectNesting::List => Type::list(object),
                    ObjectNesting::Set => Type::set(object),
                    ObjectNesting::Map => Type::map(object),
                }
            }
        }
    }
}

/// A nested block type.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// The block's type name as written in configuration.
    pub type_name: String,
    /// Its contents.
    pub block: Block,
    /// How many of it may appear and how they are collected.
    pub nesting: BlockNesting,
    /// Minimum number of blocks (0 means no minimum).
    pub min_items: i64,
    /// Maximum number of blocks (0 means no maximum).
    pub max_items: i64,
}

impl NestedBlock {
    /// A block that may appear at most once.
    pub fn single(type_name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock {
            type_name: type_name.into(),
            block,
            nesting: BlockNesting::Single,
            min_items: 0,
            max_items: 0,
        }
    }
}
