//! `tenant kubeconfig`: a kubeconfig holding a token of the tenant's developer ServiceAccount
//! (TokenRequest), on the server and CA of the connection in use, in the tenant's namespace.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};

use super::{KubeconfigArgs, get_tenant};
use crate::cli::GlobalArgs;
use crate::client::{self, Error};
use crate::render::tenant as render;

/// The shortest token the API server issues (TokenRequest's `expirationSeconds` minimum).
pub const MIN_DURATION: Duration = Duration::from_secs(600);

/// `--duration`, in seconds: a Go duration of at least 10m.
pub fn expiration_seconds(text: &str) -> Result<i64, Error> {
    let d = crate::api::function::duration(text, "--duration", MIN_DURATION).map_err(Error::usage)?;
    i64::try_from(d.as_secs())
        .ok()
        .filter(|s| *s <= i64::from(u32::MAX))
        .ok_or_else(|| Error::usage(format!("Invalid --duration {text:?}: at most {}h", u32::MAX / 3600)))
}

pub async fn kubeconfig(args: KubeconfigArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = args.name.as_str();
    let seconds = expiration_seconds(&args.duration)?;
    let target = global.target();
    let cluster = client::kubeconfig::cluster(&target)?;
    let conn = client::connect(&target).await?;
    let context = || format!("Can not make a kubeconfig for tenant {name}");
    get_tenant(&conn, name).await.map_err(|e| e.context(context()))?;
    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(seconds),
            ..Default::default()
        }),
        ..Default::default()
    };
    let sa = render::SERVICE_ACCOUNT;
    let answer = Api::<ServiceAccount>::namespaced(conn.client.clone(), name)
        .create_token_request(sa, &PostParams::default(), &request)
        .await
        .map_err(|e| {
            conn.explain(e)
                .concerning(format!("serviceaccount {name}/{sa}"))
                .context(context())
        })?;
    let Some((token, expires)) = answer.status.and_then(|s| Some((s.token?, s.expiration_timestamp))) else {
        return Err(Error::failed(format!(
            "{}: the API server answered the TokenRequest without a token",
            context()
        ))
        .into());
    };
    let kubeconfig = client::kubeconfig::with_token(name, cluster, name, &token);
    global.printer.data(&serde_saphyr::to_string(&kubeconfig)?)?;
    global.printer.info(&format!(
        "A kubeconfig for tenant {name} (ServiceAccount {name}/{sa}), valid {}",
        expires.map_or_else(|| format!("for {}", args.duration), |t| format!("until {}", t.0))
    ));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_is_a_go_duration_of_ten_minutes_or_more() {
        assert_eq!(expiration_seconds("24h").unwrap(), 86_400);
        assert_eq!(expiration_seconds("10m").unwrap(), 600);
        let err = expiration_seconds("5m").unwrap_err().to_string();
        assert!(
            err.starts_with("Invalid --duration \"5m\": it must be at least 600s"),
            "{err}"
        );
        let err = expiration_seconds("a day").unwrap_err().to_string();
        assert!(err.starts_with("Invalid --duration \"a day\""), "{err}");
    }
}
