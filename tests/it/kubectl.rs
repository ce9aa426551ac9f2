//! kubectl, an independent client, against the engine: get, apply, describe, delete, logs.

use crate::common::{Engine, example, ok};

#[test]
fn kubectl_applies_gets_describes_and_deletes_functions_and_configmaps() {
    let engine = Engine::start();
    let run = engine.kubectl(&["get", "functions", "-A"]);
    ok(&run, "get functions");
    assert!(run.stderr.contains("No resources found"));

    let run = engine.kubectl(&["apply", "-f", &example("function.yaml")]);
    ok(&run, "apply");
    assert_eq!(run.stdout.trim(), "function.kubeless.io/hello created");
    let run = engine.kubectl(&["apply", "-f", &example("function.yaml")]);
    ok(&run, "second apply");
    assert_eq!(run.stdout.trim(), "function.kubeless.io/hello unchanged");

    let run = engine.kubectl(&["get", "functions", "-A"]);
    ok(&run, "get");
    let header: Vec<&str> = run.stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAMESPACE", "NAME", "RUNTIME", "HANDLER", "AGE"]);
    assert!(
        run.stdout.lines().nth(1).unwrap().starts_with("default"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("python3.12"));

    let run = engine.kubectl(&["get", "fn", "hello", "-o", "jsonpath={.spec.handler}"]);
    ok(&run, "get -o jsonpath");
    assert_eq!(run.stdout, "hello.hello");

    let run = engine.kubectl(&["apply", "-f", &example("configmap.yaml")]);
    ok(&run, "apply configmap");
    let changed = std::fs::read_to_string(example("configmap.yaml"))
        .unwrap()
        .replace("message: hello", "message: bye");
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(&changed));
    ok(&run, "apply changed configmap");
    assert_eq!(run.stdout.trim(), "configmap/greeting configured");
    let run = engine.kubectl(&["get", "cm", "-l", "app=demo", "-o", "jsonpath={.items[*].data.message}"]);
    ok(&run, "get -l");
    assert_eq!(run.stdout, "bye");
    let run = engine.kubectl(&["get", "cm", "-l", "app=other"]);
    ok(&run, "get -l nothing");
    assert!(run.stdout.is_empty());

    let run = engine.kubectl(&["describe", "function", "hello"]);
    ok(&run, "describe");
    assert!(run.stdout.contains("Name:         hello"), "{}", run.stdout);
    assert!(run.stdout.contains("Handler:") && run.stdout.contains("hello.hello"));

    let run = engine.kubectl(&["delete", "-f", &example("function.yaml")]);
    ok(&run, "delete");
    assert!(run.stdout.contains("deleted"));
    let run = engine.kubectl(&["get", "function", "hello"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("NotFound") && run.stderr.contains("\"hello\" not found"),
        "{}",
        run.stderr
    );
}

#[test]
fn kubectl_reads_pod_logs() {
    let engine = Engine::start();
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"containers":[{"name":"main","image":"none"}]}}"#;
    ok(&engine.kubectl_stdin(&["apply", "-f", "-"], Some(pod)), "create pod");
    let logs = engine.state().join("logs/default");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("p1.log"), "one\ntwo\nthree\n").unwrap();
    let run = engine.kubectl(&["logs", "p1"]);
    ok(&run, "logs");
    assert_eq!(run.stdout, "one\ntwo\nthree\n");
    let run = engine.kubectl(&["logs", "p1", "--tail", "1"]);
    ok(&run, "logs --tail");
    assert_eq!(run.stdout, "three\n");
    let run = engine.kubectl(&["logs", "missing"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

#[test]
fn kubectl_create_generators_work_whatever_encoding_kubectl_uses() {
    // kubectl 1.32 and later send these in protobuf, older ones in JSON.
    let engine = Engine::start();
    let auth = engine.home.path().join("auth");
    std::fs::write(&auth, "foo:bar").unwrap();
    let from_file = format!("--from-file=auth={}", auth.display());
    ok(
        &engine.kubectl(&["create", "secret", "generic", "basic-auth", &from_file]),
        "create secret",
    );
    let run = engine.kubectl(&["get", "secret", "basic-auth", "-o", "jsonpath={.data.auth} {.type}"]);
    ok(&run, "get secret");
    assert_eq!(run.stdout, "Zm9vOmJhcg== Opaque");
    ok(&engine.kubectl(&["create", "namespace", "team-b"]), "create namespace");
    ok(
        &engine.kubectl(&["create", "configmap", "settings", "-n", "team-b", "--from-literal=x=1"]),
        "create cm",
    );
    let run = engine.kubectl(&["get", "cm", "settings", "-n", "team-b", "-o", "jsonpath={.data.x}"]);
    ok(&run, "get cm");
    assert_eq!(run.stdout, "1");
    let run = engine.kubectl(&["get", "ns", "team-b"]);
    ok(&run, "get ns");
    assert!(run.stdout.contains("Active"));
}
