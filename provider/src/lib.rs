//! The `todo` Terraform provider: provider configuration, AWS clients, and
//! (in later modules) the `todo_cloud_stack` composite resource.

pub mod cloud;
pub mod docs;
pub mod identity;
pub mod kinds;
pub mod provider;
pub mod reconcile;
pub mod stack;

pub use provider::TodoProvider;
