//! The go-plugin side of the process: the handshake with Terraform, the
//! listener, TLS, and the helper services go-plugin expects.

use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine;
use futures::Stream;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin as gp;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::provider::{Context, Provider};
use crate::server::ProviderService;
use crate::tls::{ServerIdentity, TlsError, parse_client_cert, server_config};

/// The environment variable Terraform sets when it launches a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value, fixed for all Terraform plugins.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The go-plugin core protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version served.
pub const APP_PROTOCOL_VERSION: u32 = 6;
/// Largest gRPC message accepted or sent (large states and schemas).
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Why the plugin could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Started by hand rather than by Terraform.
    #[error(
        "This binary is a plugin for Terraform (a provider) and is not meant to be run directly.\n\
         Use it from a Terraform configuration: run `terraform init` / `terraform plan` and Terraform will start it."
    )]
    NotLaunchedByTerraform,
    /// Terraform offered no protocol version this plugin speaks.
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only version 6. Use Terraform 1.0 or newer."
    )]
    UnsupportedProtocol {
        /// What Terraform offered.
        offered: String,
    },
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The listener or stdout failed.
    #[error("plugin I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Checks the process was launched by Terraform (magic cookie) and
/// negotiates the protocol version.
pub fn check_launched_by_terraform() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotLaunchedByTerraform);
    }
    if let Ok(offered) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        let speaks_6 = offered
            .split(',')
            .any(|v| v.trim().parse::<u32>().ok() == Some(APP_PROTOCOL_VERSION));
        if !offered.trim().is_empty() && !speaks_6 {
            return Err(ServeError::UnsupportedProtocol { offered });
        }
    }
    Ok(())
}

/// Serves `provider` as Terraform's plugin: validates the launch, binds a
/// loopback port, prints the handshake line and serves until Terraform asks
/// the plugin to shut down.
pub async fn serve(provider: Arc<dyn Provider>) -> Result<(), ServeError> {
    check_launched_by_terraform()?;
    let client_cert = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() => Some(parse_client_cert(&pem)?),
        _ => None,
    };
    let listener = bind_loopback().await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let ctx = Context {
        stop: CancellationToken::new(),
    };
    watch_signals(shutdown.clone());

    let (tls, cert_b64) = match client_cert {
        Some(client_cert) => {
            let identity = ServerIdentity::generate()?;
            let b64 =
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(identity.cert.as_ref());
            (Some(server_config(&identity, client_cert)?), b64)
        }
        None => {
            tracing::warn!("PLUGIN_CLIENT_CERT not set: serving without TLS");
            (None, String::new())
        }
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert_b64}"
    )?;
    stdout.flush()?;
    drop(stdout);
    tracing::debug!(address = %addr, "plugin server listening");

    serve_on(listener, provider, tls, ctx, shutdown).await
}

async fn bind_loopback() -> std::io::Result<TcpListener> {
    let min = std::env::var("PLUGIN_MIN_PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok());
    let max = std::env::var("PLUGIN_MAX_PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok());
    if let (Some(min), Some(max)) = (min, max) {
        for port in min..=max {
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
                return Ok(listener);
            }
        }
        return Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!("no free port between PLUGIN_MIN_PORT={min} and PLUGIN_MAX_PORT={max}"),
        ));
    }
    TcpListener::bind(("127.0.0.1", 0)).await
}

/// Interrupts go to the whole process group on Ctrl-C; like go-plugin we
/// ignore them and let Terraform stop us through `StopProvider`. SIGTERM
/// shuts the server down.
fn watch_signals(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    if let Ok(mut interrupt) = signal(SignalKind::interrupt()) {
        tokio::spawn(async move {
            while interrupt.recv().await.is_some() {
                tracing::debug!(
                    "ignoring SIGINT: Terraform stops the provider through StopProvider"
                );
            }
        });
    }
    if let Ok(mut terminate) = signal(SignalKind::terminate()) {
        tokio::spawn(async move {
            if terminate.recv().await.is_some() {
                tracing::info!("SIGTERM: shutting down");
                shutdown.cancel();
            }
        });
    }
}

/// Serves on an already bound listener; with `tls`, every connection must
/// complete the mutual TLS handshake. Returns when `shutdown` is cancelled
/// (also by the controller's `Shutdown` call).
pub async fn serve_on(
    listener: TcpListener,
    provider: Arc<dyn Provider>,
    tls: Option<rustls::ServerConfig>,
    ctx: Context,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider_service = ProviderServer::new(ProviderService::new(provider, ctx.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let router = tonic::transport::Server::builder()
        .add_service(provider_service)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
                stop: ctx.stop.clone(),
            },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(health_service);
    let stop = shutdown.clone();
    match tls {
        Some(config) => {
            let incoming = tls_incoming(
                listener,
                TlsAcceptor::from(Arc::new(config)),
                shutdown.clone(),
            );
            router
                .serve_with_incoming_shutdown(incoming, stop.cancelled_owned())
                .await?;
        }
        None => {
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            router
                .serve_with_incoming_shutdown(incoming, stop.cancelled_owned())
                .await?;
        }
    }
    tracing::debug!("plugin server stopped");
    Ok(())
}

/// Accepts TCP connections and completes TLS handshakes off the accept
/// loop; a failed handshake (wrong or missing client certificate) closes
/// that connection only.
fn tls_incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> ReceiverStream<std::io::Result<tokio_rustls::server::TlsStream<TcpStream>>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (tcp, peer): (TcpStream, SocketAddr) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(tcp).await {
                    Ok(stream) => {
                        let _ = tx.send(Ok(stream)).await;
                    }
                    Err(e) => tracing::warn!(peer = %peer, error = %e, "TLS handshake refused"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// go-plugin's controller: `Shutdown` stops the server (and cancels work).
struct Controller {
    shutdown: CancellationToken,
    stop: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        tracing::debug!("controller Shutdown received");
        self.stop.cancel();
        let shutdown = self.shutdown.clone();
        // Answer first, then stop serving.
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            shutdown.cancel();
        });
        Ok(Response::new(gp::Empty {}))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that yields nothing and ends when `shutdown` is cancelled.
fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    Box::pin(futures::stream::unfold(
        Some(shutdown),
        |state| async move {
            let token = state?;
            token.cancelled().await;
            None::<(Result<T, Status>, Option<CancellationToken>)>
        },
    ))
}

/// go-plugin's stdio stream. The provider writes nothing to stdout after the
/// handshake and logs straight to stderr, so there is nothing to forward.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = BoxStream<gp::StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// go-plugin's broker. Terraform opens the stream but never brokers extra
/// connections to a provider; we drain what it sends.
struct Broker {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BoxStream<gp::ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<gp::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut inbound = request.into_inner();
        tokio::spawn(async move { while let Ok(Some(_)) = inbound.message().await {} });
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}
