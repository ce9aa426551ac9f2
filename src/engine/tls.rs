//! The engine's TLS: a private CA made at first start and a server certificate for 127.0.0.1.
//! kubectl sends a bearer token only over TLS, so the engine speaks HTTPS even on loopback.

use std::sync::Arc;

use anyhow::{Context, Result};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::local::state::{StateDir, write_private};

/// PEM texts of the CA and of the server certificate and key.
pub struct Certificates {
    pub ca: String,
    pub cert: String,
    pub key: String,
}

/// Reads the engine's certificates, making them on first use.
pub fn ensure(state: &StateDir) -> Result<Certificates> {
    let (ca_path, cert_path, key_path) = (
        state.root.join("ca.crt"),
        state.root.join("server.crt"),
        state.root.join("server.key"),
    );
    if let (Ok(ca), Ok(cert), Ok(key)) = (
        std::fs::read_to_string(&ca_path),
        std::fs::read_to_string(&cert_path),
        std::fs::read_to_string(&key_path),
    ) {
        return Ok(Certificates { ca, cert, key });
    }
    let certs = generate().context("cannot make the engine's TLS certificates")?;
    write_private(&ca_path, certs.ca.as_bytes())?;
    write_private(&cert_path, certs.cert.as_bytes())?;
    write_private(&key_path, certs.key.as_bytes())?;
    Ok(certs)
}

fn generate() -> Result<Certificates, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kfn local engine CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    params.distinguished_name.push(DnType::CommonName, "kfn local engine");
    let cert = params.signed_by(&server_key, &issuer)?;
    Ok(Certificates {
        ca: ca_cert.pem(),
        cert: cert.pem(),
        key: server_key.serialize_pem(),
    })
}

/// The rustls server configuration for the engine's listener.
pub fn server_config(certs: &Certificates) -> Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(certs.cert.as_bytes())
        .collect::<Result<_, _>>()
        .context("the engine's server certificate is unreadable")?;
    let key = PrivateKeyDer::from_pem_slice(certs.key.as_bytes()).context("the engine's server key is unreadable")?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the engine's certificate does not match its key")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
