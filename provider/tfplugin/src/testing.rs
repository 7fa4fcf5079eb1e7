//! Test support: a Terraform-like client. It generates a P-521/SHA-512
//! client certificate (like Terraform's), and connects over mutual TLS to a
//! plugin, trusting exactly the server certificate from the handshake line.

use base64::Engine;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use crate::proto::tfplugin6::provider_client::ProviderClient;

/// A client identity as Terraform makes one.
pub struct ClientIdentity {
    /// The certificate, PEM (what Terraform puts in `PLUGIN_CLIENT_CERT`).
    pub cert_pem: String,
    /// Its private key, PEM.
    pub key_pem: String,
}

impl ClientIdentity {
    /// Generates an ECDSA P-521 certificate signed with SHA-512.
    pub fn generate() -> ClientIdentity {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).expect("self-signed cert");
        ClientIdentity {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A parsed handshake line: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// go-plugin core protocol version.
    pub core_version: u32,
    /// Plugin protocol version.
    pub protocol_version: u32,
    /// `tcp` or `unix`.
    pub network: String,
    /// The address.
    pub address: String,
    /// `grpc`.
    pub protocol: String,
    /// The server certificate, DER (empty without TLS).
    pub server_cert_der: Vec<u8>,
}

impl Handshake {
    /// Parses a handshake line.
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let parts: Vec<&str> = line.trim().split('|').collect();
        if parts.len() != 6 {
            return Err(format!("expected 6 fields in handshake line {line:?}"));
        }
        let server_cert_der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5].trim_end_matches('='))
            .map_err(|e| format!("bad certificate in handshake: {e}"))?;
        Ok(Handshake {
            core_version: parts[0].parse().map_err(|_| "bad core version")?,
            protocol_version: parts[1].parse().map_err(|_| "bad protocol version")?,
            network: parts[2].to_string(),
            address: parts[3].to_string(),
            protocol: parts[4].to_string(),
            server_cert_der,
        })
    }
}

/// Wraps DER in PEM armour.
pub fn der_to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Connects over mutual TLS, trusting exactly `server_cert_der`.
pub async fn connect_mtls(
    address: &str,
    server_cert_der: &[u8],
    identity: &ClientIdentity,
) -> Result<Channel, tonic::transport::Error> {
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(der_to_pem(server_cert_der)))
        .identity(Identity::from_pem(&identity.cert_pem, &identity.key_pem))
        .domain_name("localhost");
    Endpoint::from_shared(format!("https://{address}"))?
        .tls_config(tls)?
        .connect()
        .await
}

/// A provider client over `channel`.
pub fn provider_client(channel: Channel) -> ProviderClient<Channel> {
    ProviderClient::new(channel)
}
