//! Names the engine's parts share: each is written by one part and read by others, so it lives
//! here rather than in either.

/// The annotation on a replica's Pod that says where it listens: written by the reconciler,
/// read by the service proxy and the autoscaler's scrape.
pub const PORT_ANNOTATION: &str = "kfn.io/port";
