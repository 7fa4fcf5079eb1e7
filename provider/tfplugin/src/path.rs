//! Attribute paths: where in a configuration or state a value lives.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute, `.name`.
    Attribute(String),
    /// A map key, `["key"]`.
    Key(String),
    /// A list or tuple index, `[3]`.
    Index(i64),
}

/// A path from the root of an object to a nested value, rendered the way
/// Terraform shows it: `network.public_subnets["us-east-1a"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    /// The empty path: the whole object.
    pub fn root() -> AttributePath {
        AttributePath(Vec::new())
    }

    /// A path of one attribute name.
    pub fn new(name: &str) -> AttributePath {
        AttributePath::root().attr(name)
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The steps of the path.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    /// This path extended by an attribute name.
    pub fn attr(&self, name: &str) -> AttributePath {
        self.with(PathStep::Attribute(name.to_string()))
    }

    /// This path extended by a map key.
    pub fn key(&self, key: &str) -> AttributePath {
        self.with(PathStep::Key(key.to_string()))
    }

    /// This path extended by a list index.
    pub fn index(&self, index: i64) -> AttributePath {
        self.with(PathStep::Index(index))
    }

    fn with(&self, step: PathStep) -> AttributePath {
        let mut steps = Vec::with_capacity(self.0.len() + 1);
        steps.extend_from_slice(&self.0);
        steps.push(step);
        AttributePath(steps)
    }
}

impl From<Vec<PathStep>> for AttributePath {
    fn from(steps: Vec<PathStep>) -> AttributePath {
        AttributePath(steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
