use std::process::ExitCode;

fn main() -> ExitCode {
    // kube and any HTTP client share one TLS provider; install it before anything connects.
    let _ = rustls::crypto::ring::default_provider().install_default();
    kfn::cli::main()
}
