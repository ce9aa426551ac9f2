//! The local engine as a process, for the commands that find, start and stop it: where its
//! state lives (`state`) and its background process (`daemon`). The engine itself and the
//! client both use this; neither needs the other for it.

pub mod daemon;
pub mod state;

/// Options of `kfn local serve`.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// Port to listen on; the last used one (or a free one) when `None`.
    pub port: Option<u16>,
    /// Store and serve objects only: run no functions (for an external controller).
    pub no_run: bool,
    /// The NATS server NATS triggers consume from.
    pub nats: Option<String>,
    /// The Kafka brokers Kafka triggers consume from.
    pub kafka: Option<crate::kafka::Brokers>,
}
