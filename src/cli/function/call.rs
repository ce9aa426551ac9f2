//! `kfn function call`: one request to a function through the API server's service proxy.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde_json::Value;

use super::one_name;
use crate::cli::GlobalArgs;
use crate::client::proxy::{Call, ServiceProxy};
use crate::client::{self, Error};

#[derive(Args, Debug)]
pub struct CallArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Data to send (a POST); JSON objects are sent as application/json
    #[arg(short = 'd', long)]
    pub data: Option<String>,
    /// Read the data from a file (`-` for stdin)
    #[arg(long = "data-file", value_name = "PATH", conflicts_with = "data")]
    pub data_file: Option<String>,
    /// HTTP method (default: GET without data, POST with it)
    #[arg(short = 'X', long)]
    pub method: Option<String>,
    /// Extra request headers, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Query string, e.g. `a=1&b=2`
    #[arg(long)]
    pub query: Option<String>,
    /// Path to call
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Print the response's status line and headers before the body
    #[arg(short = 'i', long)]
    pub include: bool,
}

/// How long `call` waits for a replica that is starting before it calls anyway.
const CALL_WAIT: Duration = Duration::from_secs(60);

fn read_data(args: &CallArgs) -> Result<Option<Vec<u8>>> {
    Ok(match (&args.data, &args.data_file) {
        (Some(d), _) => Some(d.clone().into_bytes()),
        (None, Some(path)) if path == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("--data-file -: cannot read stdin")?;
            Some(buf)
        }
        (None, Some(path)) => Some(std::fs::read(path).with_context(|| format!("--data-file: cannot read {path}"))?),
        (None, None) => None,
    })
}

/// `Name: value` of `--header`.
fn parse_header(h: &str) -> Result<(String, String), Error> {
    let (k, v) = h
        .split_once(':')
        .ok_or_else(|| Error::usage(format!("Invalid header {h:?} (given with --header): use `Name: value`")))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// What a successful call prints: a text body and a newline, as Kubeless printed it; any other
/// body byte for byte, so `kfn function call f > file` keeps an image or an archive whole.
fn success_output(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    if std::str::from_utf8(body).is_ok() {
        out.push(b'\n');
    }
    out
}

pub async fn call(args: CallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let name = one_name(&args.names, "function name")?;
    let data = read_data(&args)?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let proxy = ServiceProxy::find(&conn, &ns, &name).await?;
    // Replicas still starting (the engine just started, say) are waited for, not answered 503.
    super::wait::until_serving(printer, &conn, &ns, &name, CALL_WAIT).await?;
    let call = Call {
        method: args.method.clone(),
        path: args.path.clone(),
        query: args.query.clone(),
        data,
        headers,
    };
    let answer = proxy.call(&call).await?;
    let status = answer.status;
    if args.include {
        let mut head = format!(
            "HTTP/1.1 {} {}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        for (k, v) in &answer.headers {
            head.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or_default()));
        }
        head.push('\n');
        printer.data(&head)?;
    }
    if status.is_success() {
        printer.bytes(&success_output(&answer.body))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    if status.as_u16() == 408 {
        printer.error(&text);
        bail!("Request timeout exceeded");
    }
    // An answer from the API server itself (no ready replica, …) is a Status.
    if let Ok(s) = serde_json::from_slice::<Value>(&answer.body)
        && s["kind"] == "Status"
    {
        bail!(
            "{} (HTTP {}); check the function with `kfn function ls {name}` and `kfn function logs {name}`",
            s["message"].as_str().unwrap_or_default(),
            status.as_u16()
        );
    }
    let pod = match answer.headers.get(crate::api::POD_HEADER).and_then(|v| v.to_str().ok()) {
        Some(p) => Some(p.to_string()),
        None => {
            let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &ns);
            let list = pods
                .list(&ListParams::default().labels(&format!("function={name}")))
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            list.first().and_then(|p| p.metadata.name.clone())
        }
    };
    let mut message = format!(
        "the function answered {} {}: {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        text.trim_end()
    );
    if let Some(pod) = pod {
        // What the function wrote reaches its log a moment after its answer (the engine and
        // the kubelet copy the output): an empty log is read again for up to a second.
        let mut lines = client::logs::last_lines(&conn, &ns, &pod, 10).await;
        for _ in 0..10 {
            if !lines.trim().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            lines = client::logs::last_lines(&conn, &ns, &pod, 10).await;
        }
        if !lines.trim().is_empty() {
            message.push_str(&format!("\nlast log lines of {pod}:\n{}", lines.trim_end()));
        }
    }
    bail!(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_colon_value() {
        assert_eq!(parse_header(" X-A :  b c ").unwrap(), ("X-A".into(), "b c".into()));
        let err = parse_header("novalue").unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        assert_eq!(
            err.to_string(),
            "Invalid header \"novalue\" (given with --header): use `Name: value`"
        );
    }

    #[test]
    fn text_answers_end_in_a_newline_and_binary_ones_stay_whole() {
        assert_eq!(success_output(b"hi"), b"hi\n");
        assert_eq!(success_output(&[0xff, 0x00]), [0xff, 0x00]);
    }
}
