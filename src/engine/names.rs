//! Names the engine's parts share: each is written by one part and read by others, so it lives
//! here rather than in either.

/// The annotation on a replica's Pod that says where it listens: written by the reconciler,
/// read by the service proxy and the autoscaler's scrape.
pub const PORT_ANNOTATION: &str = "kfn.io/port";

/// Where CRDs are stored: the object service serves their resources, the API server and the
/// engine's start read them.
pub const CRD_RESOURCE: &str = "apiextensions.k8s.io/customresourcedefinitions";

/// The directory of pod logs in the engine's state directory.
pub const LOGS: &str = "logs";

/// A pod's log file, `<logs>/<namespace>/<pod>.log`: written by the reconciler, read by the
/// API server's `pods/log`.
pub fn pod_log(logs: &std::path::Path, namespace: &str, pod: &str) -> std::path::PathBuf {
    logs.join(namespace).join(format!("{pod}.log"))
}
