//! The `todo` Terraform provider: provider configuration, AWS clients, and
//! (in later modules) the `todo_cloud_stack` composite resource.

pub mod cloud;
pub mod identity;
pub mod provider;

pub use provider::TodoProvider;
