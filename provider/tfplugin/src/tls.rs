//! AutoMTLS as go-plugin does it: the plugin makes a fresh self-signed server
//! certificate for each run and publishes it in the handshake line; Terraform
//! passes its own (ECDSA P-521/SHA-512) client certificate in
//! `PLUGIN_CLIENT_CERT`, and the plugin accepts exactly that certificate.
//!
//! Pinning the exact certificate is stricter than chain validation and avoids
//! a trap: go-plugin's client certificate is marked as a CA, which webpki
//! refuses as an end-entity certificate.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DistinguishedName, ServerConfig, SignatureScheme};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` held no usable PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCert(String),
    /// The server certificate could not be generated.
    #[error("could not generate the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("invalid TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A freshly generated server identity.
pub struct ServerIdentity {
    /// The certificate, DER.
    pub cert: CertificateDer<'static>,
    /// Its private key, PKCS#8 DER.
    pub key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// Generates an ECDSA P-256 certificate for `localhost` (the name
    /// go-plugin's client verifies).
    pub fn generate() -> Result<ServerIdentity, TlsError> {
        let key = rcgen::KeyPair::generate()?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
        ];
        // Not a CA: Terraform trusts this exact certificate (it is in its
        // root pool), and rustls clients refuse a CA certificate as leaf.
        params.is_ca = rcgen::IsCa::ExplicitNoCa;
        let cert = params.self_signed(&key)?;
        Ok(ServerIdentity {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }
}

/// Parses the client certificate Terraform passes in `PLUGIN_CLIENT_CERT`.
pub fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| TlsError::ClientCert(e.to_string()))
}

/// The crypto provider: aws-lc-rs, which verifies P-521/SHA-512 signatures.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls server configuration: our identity, HTTP/2, and a client
/// certificate that must be exactly `client_cert`.
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<ServerConfig, TlsError> {
    let provider = crypto_provider();
    let verifier = PinnedClientCert {
        expected: client_cert,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, and checks the handshake
/// signatures were made with its key.
#[derive(Debug)]
struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
