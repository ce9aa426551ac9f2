//! Kubeconfigs kfn hands out (`kfn tenant kubeconfig`): the cluster of the connection in use,
//! with a bearer token of someone else.

use base64::Engine as _;
use kube::config::{AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext};

use super::{Error, Result, Source, Target};
use crate::local::state::StateDir;

/// Where the in-cluster CA is, inside a pod.
const IN_CLUSTER_CA: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/// The cluster (server and CA, the CA inlined so the kubeconfig stands alone) that `target`
/// reaches: the current (or `--context`) context's cluster of the kubeconfig in use.
pub fn cluster(target: &Target) -> Result<Cluster> {
    let source = super::choose(target)?;
    let kubeconfig = match &source {
        Source::Flag(path) | Source::Home(path) => Kubeconfig::read_from(path),
        Source::Env(_) => Kubeconfig::read(),
        Source::Local(_) => Kubeconfig::read_from(StateDir::resolve()?.kubeconfig()),
        Source::InCluster => return in_cluster(),
    }
    .map_err(|e| Error::failed(format!("cannot read the kubeconfig {source}: {e}")))?;
    let context_name = target
        .context
        .clone()
        .or(kubeconfig.current_context.clone())
        .ok_or_else(|| Error::failed(format!("the kubeconfig {source} has no current context")))?;
    let context = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.as_ref())
        .ok_or_else(|| Error::failed(format!("the kubeconfig {source} has no context {context_name:?}")))?;
    let mut cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.clone())
        .ok_or_else(|| {
            Error::failed(format!(
                "the kubeconfig {source} has no cluster {:?} (of context {context_name:?})",
                context.cluster
            ))
        })?;
    if let Some(path) = cluster.certificate_authority.take() {
        let pem = std::fs::read(&path).map_err(|e| {
            Error::failed(format!(
                "cannot read the certificate authority {path} of the kubeconfig {source}: {e}"
            ))
        })?;
        cluster.certificate_authority_data = Some(base64::engine::general_purpose::STANDARD.encode(pem));
    }
    Ok(cluster)
}

fn in_cluster() -> Result<Cluster> {
    let host = std::env::var("KUBERNETES_SERVICE_HOST").unwrap_or_default();
    let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_else(|_| "443".into());
    let pem = std::fs::read(IN_CLUSTER_CA).map_err(|e| {
        Error::failed(format!(
            "cannot read the pod's certificate authority {IN_CLUSTER_CA}: {e}"
        ))
    })?;
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    Ok(Cluster {
        server: Some(format!("https://{host}:{port}")),
        certificate_authority_data: Some(base64::engine::general_purpose::STANDARD.encode(pem)),
        ..Default::default()
    })
}

/// A kubeconfig with one context, `name`, on `cluster` as the user holding `token`, in
/// `namespace`.
pub fn with_token(name: &str, cluster: Cluster, namespace: &str, token: &str) -> Kubeconfig {
    Kubeconfig {
        api_version: Some("v1".into()),
        kind: Some("Config".into()),
        clusters: vec![NamedCluster {
            name: name.into(),
            cluster: Some(cluster),
            ..Default::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: name.into(),
            auth_info: Some(AuthInfo {
                token: Some(token.to_string().into()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        contexts: vec![NamedContext {
            name: name.into(),
            context: Some(Context {
                cluster: name.into(),
                user: Some(name.into()),
                namespace: Some(namespace.into()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some(name.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_kubeconfig_is_read_back_by_kube_with_its_namespace_and_token() {
        let cluster = Cluster {
            server: Some("https://127.0.0.1:6443".into()),
            certificate_authority_data: Some("Q0E=".into()),
            ..Default::default()
        };
        let kc = with_token("team-a", cluster, "team-a", "abc.def");
        let yaml = serde_saphyr::to_string(&kc).unwrap();
        let back = Kubeconfig::from_yaml(&yaml).unwrap();
        assert_eq!(back.current_context.as_deref(), Some("team-a"));
        let context = back.contexts[0].context.as_ref().unwrap();
        assert_eq!(context.namespace.as_deref(), Some("team-a"));
        assert!(back.auth_infos[0].auth_info.as_ref().unwrap().token.is_some());
        assert!(yaml.contains("token: abc.def"), "{yaml}");
        assert_eq!(
            back.clusters[0].cluster.as_ref().unwrap().server.as_deref(),
            Some("https://127.0.0.1:6443")
        );
    }
}
