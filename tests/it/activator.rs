//! Scale to zero on clusters: `kfn controller` takes a function with `scaleToZeroAfter` to zero
//! and points its Service at `kfn activator`, on the real control plane (no nodes: Pods stay
//! Pending); the activator, run as its own ServiceAccount, wakes it and holds calls. The
//! forwarding itself is checked against replicas the local engine runs.

use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, deploy_code, eventually, kfn_command, ok, terminate, until, write};
use crate::kube::{Cluster, deploy_args};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An HTTP/1.0 request to 127.0.0.1:`port`: the status, the head and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return (0, "cannot connect".into(), String::new());
    };
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let _ = write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: fn\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut answer = String::new();
    if let Err(e) = stream.read_to_string(&mut answer) {
        return (0, format!("no answer: {e}"), answer);
    }
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

/// A figure of a `/metrics` text on `port`, by its series (`name{labels}`).
fn metric(port: u16, series: &str) -> Option<f64> {
    let (_, _, body) = std::panic::catch_unwind(|| http(port, "GET", "/metrics", "")).ok()?;
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

/// A process stopped (SIGTERM) on drop, with its log.
struct Process {
    child: Child,
    log: std::path::PathBuf,
}

impl Process {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(10));
    }
}

fn spawn(home: &std::path::Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Process {
    let log = home.join(format!("{name}.log"));
    let child = kfn_command(home)
        .args(args)
        .envs(env.iter().copied())
        .env("KFN_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("kfn starts");
    Process { child, log }
}

/// A kubeconfig for a ServiceAccount `kfn install` made (a token the real server issues).
fn service_account_kubeconfig(cluster: &Cluster, account: &str) -> std::path::PathBuf {
    let token = cluster.kubectl(&["-n", "kubeless", "create", "token", account, "--duration=2h"]);
    ok(&token, &format!("kubectl create token {account}"));
    let admin = cluster.get(&["config", "view", "--raw", "--minify"]);
    let server = &admin["clusters"][0]["cluster"];
    let mut entry = serde_json::json!({"server": server["server"]});
    for key in ["certificate-authority-data", "certificate-authority"] {
        if !server[key].is_null() {
            entry[key] = server[key].clone();
        }
    }
    let config = serde_json::json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "test", "cluster": entry}],
        "users": [{"name": account, "user": {"token": token.stdout.trim()}}],
        "contexts": [{"name": account, "context": {"cluster": "test", "user": account}}],
        "current-context": account,
    });
    write(
        cluster.home.path(),
        &format!("{account}.kubeconfig"),
        config.to_string(),
    )
}

fn object(cluster: &Cluster, kind: &str, name: &str) -> Value {
    cluster.get(&["-n", "default", "get", kind, name])
}

/// The Deployment's `spec.replicas`; -1 while the controller has not written the Deployment yet.
fn replicas(cluster: &Cluster) -> i64 {
    let run = cluster.kubectl(&["-n", "default", "get", "deployment", "hello", "-o", "json"]);
    serde_json::from_str::<Value>(&run.stdout)
        .ok()
        .and_then(|d| d["spec"]["replicas"].as_i64())
        .unwrap_or(-1)
}

fn events(cluster: &Cluster, reason: &str) -> Vec<Value> {
    let list = cluster.get(&[
        "-n",
        "default",
        "get",
        "events",
        "--field-selector",
        &format!("involvedObject.name=hello,reason={reason}"),
    ]);
    list["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_function_at_zero_points_at_the_activator_which_wakes_it_and_holds_calls_to_its_timeout() {
    let cluster = Cluster::installed();
    let home = cluster.home.path().to_path_buf();
    let port = free_port();
    let range = format!("{port}-{port}");
    let controller_config = service_account_kubeconfig(&cluster, "kfn-controller");
    let controller = spawn(
        &home,
        "controller",
        &[
            "--kubeconfig",
            controller_config.to_str().unwrap(),
            "controller",
            "--image",
            "example/kfn:test",
            "--health-port",
            &free_port().to_string(),
            "--identity",
            "test-controller",
        ],
        &[("KFN_ACTIVATOR_PORTS", &range)],
    );
    let code = cluster.hello_code();
    let mut deploy = deploy_args("hello", &code);
    deploy.extend(["--timeout", "6"]);
    ok(&cluster.kfn(&deploy), "kfn function deploy");
    ok(
        &cluster.kubectl(&[
            "-n",
            "default",
            "patch",
            "function",
            "hello",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"scaling":{"scaleToZeroAfter":"4s","proactive":false}}}"#,
        ]),
        "kubectl patch the function's spec.scaling",
    );

    // No call for 4s: the Deployment goes to 0 and the Service to the activator.
    eventually(Duration::from_secs(90), "hello scaled to zero", || {
        match replicas(&cluster) {
            0 => Ok(()),
            n => Err(format!("replicas {n}\ncontroller log:\n{}", controller.log())),
        }
    });
    eventually(
        Duration::from_secs(60),
        "hello's Service points at the activator",
        || {
            let svc = object(&cluster, "service", "hello");
            let annotated = svc["metadata"]["annotations"]["kfn.io/activator-port"]
                .as_str()
                .and_then(|p| p.parse::<u16>().ok())
                == Some(port);
            let slice = cluster.kubectl(&[
                "-n",
                "default",
                "get",
                "endpointslice",
                "hello-kfn-activator",
                "-o",
                "json",
            ]);
            let slice: Value = serde_json::from_str(&slice.stdout).unwrap_or(Value::Null);
            if annotated
                && svc["spec"]["selector"].is_null()
                && slice["metadata"]["labels"]["kubernetes.io/service-name"] == "hello"
                && slice["ports"][0]["port"] == port
            {
                Ok(())
            } else {
                Err(format!(
                    "service {svc}\nslice {slice}\ncontroller log:\n{}",
                    controller.log()
                ))
            }
        },
    );
    eventually(Duration::from_secs(60), "hello's status says Idle", || {
        let f = object(&cluster, "function", "hello");
        let scaling = &f["status"]["scaling"];
        let ready = f["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready")
            .cloned()
            .unwrap_or(Value::Null);
        let why = scaling["reason"].as_str().unwrap_or_default();
        if scaling["state"] == "Idle"
            && why.contains("scale-to-zero-after 4s")
            && scaling["since"].is_string()
            && ready["status"] == "True"
            && ready["reason"] == "Idle"
        {
            Ok(())
        } else {
            Err(f["status"].to_string())
        }
    });
    until(Duration::from_secs(30), "a ScaledToZero Event on hello", || {
        !events(&cluster, "ScaledToZero").is_empty()
    });

    // The activator, as the ServiceAccount `kfn install` made for it.
    let activator_config = service_account_kubeconfig(&cluster, "kfn-activator");
    let metrics_port = free_port();
    let activator = spawn(
        &home,
        "activator",
        &[
            "--kubeconfig",
            activator_config.to_str().unwrap(),
            "activator",
            "--queue",
            "1",
            "--address",
            "127.0.0.1",
            "--metrics-port",
            &metrics_port.to_string(),
        ],
        &[],
    );
    until(Duration::from_secs(30), "the activator listens on hello's port", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    // A call is held; it wakes the function (replicas 1, the decision); a second call finds
    // the queue (1) full.
    let held = std::thread::spawn(move || http(port, "GET", "/", ""));
    let waiting = "kfn_activator_waiting{namespace=\"default\",function=\"hello\"}";
    until(Duration::from_secs(30), "the first call is held", || {
        metric(metrics_port, waiting) == Some(1.0)
    });
    let (status, head, body) = http(port, "POST", "/", "second");
    assert_eq!(status, 503, "{head}{body}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(body.contains("queue"), "{body}");
    eventually(
        Duration::from_secs(30),
        "the activator scales hello to 1",
        || match replicas(&cluster) {
            1 => Ok(()),
            n => Err(format!("replicas {n}\nactivator log:\n{}", activator.log())),
        },
    );
    // No pod becomes ready (no nodes): the call ends with the function's timeout answer.
    let (status, head, body) = held.join().unwrap();
    assert_eq!(status, 408, "{head}{body}");
    assert!(body.contains("Timeout while processing the function"), "{body}");
    until(Duration::from_secs(10), "an Activated Event", || {
        !events(&cluster, "Activated").is_empty()
    });
    let svc = object(&cluster, "service", "hello");
    assert!(
        svc["metadata"]["annotations"]["kfn.io/last-call"].is_string(),
        "the activator reports the call: {svc}"
    );
    assert!(
        svc["spec"]["selector"].is_null(),
        "no ready pod: still at the activator"
    );
    // With the call reported, the controller knows it, and takes it back to zero after it.
    eventually(
        Duration::from_secs(60),
        "hello back at zero, its last call known",
        || {
            let f = object(&cluster, "function", "hello");
            if replicas(&cluster) == 0 && f["status"]["scaling"]["lastCall"].is_string() {
                Ok(())
            } else {
                Err(f["status"].to_string())
            }
        },
    );
    for (who, log) in [("controller", controller.log()), ("activator", activator.log())] {
        assert!(!log.contains("forbidden"), "the {who} was refused something:\n{log}");
    }
}

#[test]
fn the_activator_forwards_every_held_call_to_the_replica_it_wakes_on_the_engine() {
    let engine = Engine::start();
    ok(
        &deploy_code(
            &engine,
            "hello",
            "python3.11",
            "hello.py",
            "def handler(event, context):\n    d = event['data']\n    return 'hello ' + (d.decode() if isinstance(d, bytes) else d)\n",
            &[],
        ),
        "deploy",
    );
    eventually(Duration::from_secs(90), "hello answers", || {
        let run = engine.kfn(&["function", "call", "hello", "--data", "x"]);
        if run.stdout.contains("hello x") {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });
    // At zero, its Service annotated with an activator port (as the controller does).
    ok(
        &engine.kubectl(&["scale", "deployment", "hello", "--replicas=0"]),
        "kubectl scale",
    );
    eventually(Duration::from_secs(60), "no replica of hello", || {
        let run = engine.kubectl(&["get", "pods", "-l", "function=hello", "-o", "name"]);
        if run.code == 0 && run.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(run.stdout)
        }
    });
    // The engine keeps its Services as it renders them, so the function's activator port is
    // given on the command line (as the controller's annotation would say).
    let port = free_port();
    let hold = format!("default/hello={port}");
    let metrics_port = free_port();
    let kubeconfig = engine.kubeconfig();
    let activator = spawn(
        engine.home.path(),
        "activator",
        &[
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "activator",
            "--via-api-server",
            "--hold",
            &hold,
            "--address",
            "127.0.0.1",
            "--metrics-port",
            &metrics_port.to_string(),
        ],
        &[],
    );
    until(Duration::from_secs(30), "the activator listens on hello's port", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    // Calls that arrive while the replica starts are all held, then all answered.
    let calls: Vec<_> = (0..5)
        .map(|i| std::thread::spawn(move || http(port, "POST", "/", &format!("n{i}"))))
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let (status, head, body) = call.join().unwrap();
        assert_eq!(
            status,
            200,
            "{head}{body}\nactivator log:\n{}\nservice: {}\npods: {}",
            activator.log(),
            engine.kubectl(&["get", "service", "hello", "-o", "json"]).stdout,
            engine.kubectl(&["get", "pods", "-o", "json"]).stdout
        );
        assert_eq!(body.trim(), format!("hello n{i}"), "{head}");
    }
    let d: Value = serde_json::from_str(&engine.kubectl(&["get", "deployment", "hello", "-o", "json"]).stdout).unwrap();
    assert_eq!(d["spec"]["replicas"], 1, "the activator asked for one replica");
    let calls = "kfn_activator_calls_total{namespace=\"default\",function=\"hello\"}";
    assert_eq!(metric(metrics_port, calls), Some(5.0), "{}", activator.log());
}
