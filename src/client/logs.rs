//! Pod logs through the API server: one stream of lines over several replicas, and the last
//! lines of one for error messages.

use futures::stream::BoxStream;
use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

use super::{Connection, Error, Result};

/// The log lines of `pods`, each ending in a newline and, when there are several pods,
/// prefixed with `[pod] `: interleaved as they come when `params.follow`, else pod after pod.
pub async fn lines(
    conn: &Connection,
    namespace: &str,
    pods: &[String],
    params: &LogParams,
) -> Result<BoxStream<'static, Result<String>>> {
    let api: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let prefix = pods.len() > 1;
    let mut streams = Vec::new();
    for pod in pods {
        let reader = api
            .log_stream(pod, params)
            .await
            .map_err(|e| conn.explain(e).context("Getting log failed"))?;
        let label = if prefix { format!("[{pod}] ") } else { String::new() };
        streams.push(
            reader
                .lines()
                .map_ok(move |l| format!("{label}{l}\n"))
                .map_err(|e| Error::failed(format!("Getting log failed: {e}")))
                .boxed(),
        );
    }
    Ok(if params.follow {
        futures::stream::select_all(streams).boxed()
    } else {
        futures::stream::iter(streams).flatten().boxed()
    })
}

/// The last `lines` lines of a pod's log, empty when it cannot be read.
pub async fn last_lines(conn: &Connection, namespace: &str, pod: &str, lines: i64) -> String {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    pods.logs(
        pod,
        &LogParams {
            tail_lines: Some(lines),
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default()
}
