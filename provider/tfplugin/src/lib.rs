//! `tfplugin`: a Terraform plugin protocol 6 server.
//!
//! Generic: it knows nothing of AWS. A provider implements [`Provider`]
//! (and [`Resource`], [`DataSource`]) in terms of decoded [`Value`]s and
//! [`Diagnostics`]; [`serve`] does the rest: the go-plugin handshake,
//! AutoMTLS with the client certificate pinned, the gRPC services Terraform
//! expects (provider, controller, stdio, broker, health), and logging in
//! the hclog JSON format Terraform reads from plugin stderr.

pub mod diag;
pub mod logging;
pub mod path;
pub mod plugin;
pub mod provider;
pub mod schema;
pub mod server;
pub mod testing;
pub mod tls;
pub mod value;
pub mod wire;

/// Generated protocol code (tfplugin6 and go-plugin's own services).
#[allow(missing_docs, clippy::all)]
pub mod proto {
    /// Terraform plugin protocol 6.8.
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// go-plugin's controller, stdio and broker services.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use path::{AttributePath, PathStep};
pub use plugin::{ServeError, serve};
pub use provider::{
    ApplyRequest, ApplyResponse, ClientCapabilities, ConfigureRequest, Context, DataReadRequest,
    DataReadResponse, DataSource, DeferredReason, ImportResponse, ImportedResource, PlanRequest,
    PlanResponse, Provider, ReadRequest, ReadResponse, Resource, UpgradeRequest,
};
pub use schema::{Attribute, Block, NestedBlock, ObjectNesting, Schema};
pub use value::{Number, Type, Value, from_value, to_value};
