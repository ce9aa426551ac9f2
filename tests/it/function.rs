//! `kfn function deploy|update|delete|list|describe`, `get-server-config`, `version`: the real
//! binary against a local engine, checked on stdout, stderr, exit status and the stored object.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::common::{Engine, Run, fails, ok, write};

const HELLO_PY: &str = "def hello(event, context):\n  print(event)\n  return event['data']\n";

fn stored(engine: &Engine, name: &str) -> Value {
    let run = engine.kubectl(&["get", "functions.kubeless.io", name, "-o", "json"]);
    ok(&run, "kubectl get function");
    serde_json::from_str(&run.stdout).unwrap()
}

fn function_names(engine: &Engine) -> Vec<String> {
    let run = engine.kubectl(&[
        "get",
        "functions.kubeless.io",
        "-A",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]);
    ok(&run, "kubectl get functions");
    run.stdout.split_whitespace().map(String::from).collect()
}

#[test]
fn deploy_stores_the_kubeless_object_and_prints_the_kubeless_messages() {
    let engine = Engine::start();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let run = engine.kfn(&[
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.7",
        "--from-file",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
    ]);
    ok(&run, "deploy");
    assert_eq!(run.stdout, "");
    for line in [
        "Deploying function...",
        "Function hello submitted for deployment",
        "Check the deployment status executing 'kfn function ls hello'",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in {}", run.stderr);
    }
    let f = stored(&engine, "hello");
    assert_eq!(
        f["metadata"]["labels"],
        json!({"created-by": "kubeless", "function": "hello"})
    );
    let spec = &f["spec"];
    assert_eq!(spec["handler"], "test.hello");
    assert_eq!(spec["runtime"], "python3.7");
    assert_eq!(spec["function"], HELLO_PY);
    assert_eq!(spec["function-content-type"], "text");
    assert_eq!(
        spec["checksum"],
        "sha256:93422936bb9bc7bf622c868c65f203f2e367ec5ea6bec624b8856f9015e07965"
    );
    assert_eq!(spec["timeout"], "180");
    assert_eq!(spec["deps"], "");
    assert_eq!(
        spec["service"]["ports"][0],
        json!({"name": "http-function-port", "protocol": "TCP", "port": 8080, "targetPort": 8080})
    );
    assert_eq!(
        spec["deployment"]["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "Always"
    );

    let again = engine.kfn(&[
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.7",
        "--from-file",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
    ]);
    fails(&again, "use `kfn function update hello`");

    // -n given explicitly ends the hint with it.
    let run = engine.kfn(&[
        "function",
        "deploy",
        "other",
        "-n",
        "team",
        "--runtime",
        "python",
        "--from-file",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
    ]);
    ok(&run, "deploy -n");
    assert!(run.stderr.contains("'kfn function ls other -n team'"), "{}", run.stderr);
    let run = engine.kubectl(&["get", "fn", "other", "-n", "team", "-o", "jsonpath={.spec.runtime}"]);
    assert_eq!(run.stdout, "python3.13", "bare python means the newest");
}

#[test]
fn every_deploy_flag_reaches_the_object() {
    let engine = Engine::start();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let deps = write(engine.home.path(), "requirements.txt", b"requests==2.32.3\n");
    let run = engine.kfn(&[
        "function",
        "deploy",
        "full",
        "-r",
        "python3.12",
        "--handler",
        "test.hello",
        "-f",
        file.to_str().unwrap(),
        "-d",
        deps.to_str().unwrap(),
        "-e",
        "foo:bar,bar=foo",
        "--env",
        "x=1=2",
        "-l",
        "foo:bar,bar=foo,foobar",
        "--secrets",
        "db,api",
        "--node-selectors",
        "disk=ssd",
        "--service-account",
        "runner",
        "--memory",
        "128Mi",
        "--cpu",
        "0.5",
        "--timeout",
        "30",
        "--port",
        "9091",
        "--servicePort",
        "9092",
        "--headless",
        "--image-pull-policy",
        "IfNotPresent",
        "--runtime-image",
        "example/custom:1",
    ]);
    ok(&run, "deploy with every flag");
    let f = stored(&engine, "full");
    let spec = &f["spec"];
    assert_eq!(spec["deps"], "requests==2.32.3\n");
    assert_eq!(spec["timeout"], "30");
    assert_eq!(
        f["metadata"]["labels"],
        json!({"bar": "foo", "created-by": "kubeless", "foo": "bar", "foobar": "", "function": "full"})
    );
    let pod = &spec["deployment"]["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(
        c["env"],
        json!([{"name": "foo", "value": "bar"}, {"name": "bar", "value": "foo"}, {"name": "x", "value": "1=2"}])
    );
    assert_eq!(
        c["resources"],
        json!({"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "500m", "memory": "128Mi"}})
    );
    assert_eq!(c["image"], "example/custom:1");
    assert_eq!(c["imagePullPolicy"], "IfNotPresent");
    assert_eq!(
        c["volumeMounts"],
        json!([{"name": "db-vol", "mountPath": "/db"}, {"name": "api-vol", "mountPath": "/api"}])
    );
    assert_eq!(
        pod["volumes"][1],
        json!({"name": "api-vol", "secret": {"secretName": "api"}})
    );
    assert_eq!(pod["nodeSelector"], json!({"disk": "ssd"}));
    assert_eq!(pod["serviceAccountName"], "runner");
    let svc = &spec["service"];
    assert_eq!(svc["ports"][0]["port"], 9092);
    assert_eq!(svc["ports"][0]["targetPort"], 9091);
    assert_eq!(svc["clusterIP"], "None");
    assert_eq!(svc["selector"], f["metadata"]["labels"]);
}

#[test]
fn dry_run_prints_the_object_creates_nothing_and_needs_no_server() {
    let engine = Engine::new();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let f = file.to_str().unwrap();
    let yaml = engine.kfn(&[
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.7",
        "--from-file",
        f,
        "--handler",
        "test.hello",
        "--dryrun",
    ]);
    ok(&yaml, "dry run");
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/api/snapshots/deploy-hello.yaml"
    ))
    .unwrap();
    assert_eq!(yaml.stdout, expected, "the Kubeless object, field for field");
    let json_run = engine.kfn(&[
        "function",
        "deploy",
        "hello",
        "-r",
        "python3.7",
        "-f",
        f,
        "--handler",
        "test.hello",
        "--dryrun",
        "-o",
        "json",
    ]);
    ok(&json_run, "dry run json");
    assert!(
        json_run
            .stdout
            .starts_with("{\n    \"kind\": \"Function\",\n    \"apiVersion\": \"kubeless.io/v1beta1\","),
        "{}",
        json_run.stdout
    );
    let bad = engine.kfn(&[
        "function",
        "deploy",
        "hello",
        "-r",
        "python3.7",
        "-f",
        f,
        "--handler",
        "test.hello",
        "--dryrun",
        "-o",
        "xml",
    ]);
    fails(&bad, "Output format needs to be yaml or json");
    assert_eq!(
        engine.kfn(&["local", "status"]).code,
        3,
        "no engine was started for a dry run"
    );
}

#[test]
fn schedule_creates_the_cron_job_trigger() {
    let engine = Engine::start();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let run = engine.kfn(&[
        "function",
        "deploy",
        "ticker",
        "-r",
        "python3.12",
        "-f",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
        "--schedule",
        "*/5 * * * *",
    ]);
    ok(&run, "deploy --schedule");
    let run = engine.kubectl(&["get", "cronjobtriggers", "ticker", "-o", "json"]);
    ok(&run, "get trigger");
    let trigger: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        trigger["spec"],
        json!({"schedule": "*/5 * * * *", "function-name": "ticker", "payload": null})
    );
    assert_eq!(
        trigger["metadata"]["labels"],
        json!({"created-by": "kubeless", "function": "ticker"})
    );
}

#[test]
fn update_changes_only_the_flags_given() {
    let engine = Engine::start();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let f = file.to_str().unwrap();
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "hello",
            "-r",
            "python3.12",
            "-f",
            f,
            "--handler",
            "test.hello",
            "--timeout",
            "30",
            "--secrets",
            "db",
            "--image-pull-policy",
            "Never",
            "-e",
            "A=1",
        ]),
        "deploy",
    );
    let newer = write(
        engine.home.path(),
        "v2.py",
        b"def hello(event, context):\n  return 'hello world updated'\n",
    );
    let run = engine.kfn(&[
        "function",
        "update",
        "hello",
        "-f",
        newer.to_str().unwrap(),
        "--secrets",
        "db,extra",
        "-l",
        "tier=web",
    ]);
    ok(&run, "update");
    assert!(run.stderr.contains("Redeploying function..."));
    let fnc = stored(&engine, "hello");
    let spec = &fnc["spec"];
    assert_eq!(
        spec["function"],
        "def hello(event, context):\n  return 'hello world updated'\n"
    );
    assert_eq!(
        spec["checksum"],
        crate::common::sha256("def hello(event, context):\n  return 'hello world updated'\n")
    );
    assert_eq!(spec["timeout"], "30", "not reset to 180");
    assert_eq!(spec["handler"], "test.hello");
    let pod = &spec["deployment"]["spec"]["template"]["spec"];
    assert_eq!(pod["containers"][0]["imagePullPolicy"], "Never", "not reset to Always");
    assert_eq!(pod["containers"][0]["env"], json!([{"name": "A", "value": "1"}]));
    assert_eq!(pod["volumes"].as_array().unwrap().len(), 2, "db is not mounted twice");
    assert_eq!(fnc["metadata"]["labels"]["tier"], "web");
    assert_eq!(fnc["metadata"]["generation"], 2);

    fails(
        &engine.kfn(&["function", "update", "missing", "--timeout", "3"]),
        "Function missing is not found in namespace default",
    );
    assert_eq!(function_names(&engine), ["hello"]);
}

#[test]
fn list_describe_and_delete() {
    let engine = Engine::start_no_run();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let pkg = write(
        engine.home.path(),
        "package.json",
        br#"{"name": "x", "dependencies": {"lodash": "^4.17.21"}}"#,
    );
    let node = write(
        engine.home.path(),
        "hello.js",
        b"module.exports = { foo: () => 'hello world' };\n",
    );
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "a-py",
            "-r",
            "python3.12",
            "-f",
            file.to_str().unwrap(),
            "--handler",
            "test.hello",
            "--memory",
            "64Mi",
            "-e",
            "foo=bar",
        ]),
        "deploy a",
    );
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "b-js",
            "-r",
            "nodejs20",
            "-f",
            node.to_str().unwrap(),
            "--handler",
            "hello.foo",
            "-d",
            pkg.to_str().unwrap(),
        ]),
        "deploy b",
    );

    let run = engine.kfn(&["function", "ls"]);
    ok(&run, "ls");
    let lines: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    assert_eq!(
        lines[0],
        ["NAME", "NAMESPACE", "HANDLER", "RUNTIME", "DEPENDENCIES", "STATUS"]
    );
    assert_eq!(
        lines[1],
        [
            "a-py",
            "default",
            "test.hello",
            "python3.12",
            "",
            "MISSING: Check controller logs"
        ]
    );
    assert_eq!(
        lines[2],
        [
            "b-js",
            "default",
            "hello.foo",
            "nodejs20",
            "lodash: ^4.17.21",
            "MISSING: Check controller logs"
        ]
    );

    // A Deployment (as a controller would write) gives the STATUS.
    let deployment = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a-py"},"spec":{"selector":{"matchLabels":{"function":"a-py"}},"template":{"metadata":{"labels":{"function":"a-py"}},"spec":{"containers":[{"name":"a-py","image":"x"}]}}}}"#;
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(deployment)),
        "apply deployment",
    );
    let run = engine.kfn(&["function", "list", "a-py", "-o", "wide"]);
    ok(&run, "list wide");
    let lines: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "NAME",
            "NAMESPACE",
            "HANDLER",
            "RUNTIME",
            "DEPENDENCIES",
            "STATUS",
            "MEMORY",
            "ENV",
            "LABEL"
        ]
    );
    assert_eq!(
        lines[1],
        [
            "a-py",
            "default",
            "test.hello",
            "python3.12",
            "",
            "0/0 NOT READY",
            "64Mi",
            "foo = bar",
            "created-by : kubeless"
        ]
    );
    assert_eq!(lines[2][8], "function : a-py");

    let run = engine.kfn(&["function", "list", "-o", "json"]);
    ok(&run, "list json");
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["spec"]["runtime"], "nodejs20");
    let run = engine.kfn(&["function", "list", "-o", "yaml"]);
    ok(&run, "list yaml");
    assert!(
        run.stdout.starts_with("- apiVersion: kubeless.io/v1beta1\n"),
        "{}",
        run.stdout
    );
    fails(&engine.kfn(&["function", "list", "-o", "xml"]), "Wrong output format");
    fails(
        &engine.kfn(&["function", "list", "nope"]),
        "Error listing function nope",
    );

    let run = engine.kfn(&["function", "describe", "a-py"]);
    ok(&run, "describe");
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    assert_eq!(rows[0], ["Name:", "a-py"]);
    assert_eq!(rows[4], ["Label:", r#"{"created-by":"kubeless","function":"a-py"}"#]);
    assert_eq!(rows[5], ["Envvar:", r#"[{"name":"foo","value":"bar"}]"#]);
    assert_eq!(rows[6], ["Memory:", "64Mi"]);
    let run = engine.kfn(&["function", "describe", "a-py", "-o", "json"]);
    ok(&run, "describe json");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["metadata"]["name"],
        "a-py"
    );
    fails(
        &engine.kfn(&["function", "describe", "nope"]),
        "Function nope is not found",
    );

    let run = engine.kfn(&["function", "delete", "a-py"]);
    ok(&run, "delete");
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", ""),
        "delete prints nothing"
    );
    fails(
        &engine.kfn(&["function", "delete", "a-py"]),
        "Function a-py is not found in namespace default",
    );
    assert_eq!(function_names(&engine), ["b-js"]);
}

/// A static HTTP server on loopback (Python's), for URL sources.
struct Files(Child, u16);

impl Files {
    fn serve(dir: &Path) -> Files {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        Files(child, port)
    }
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.1)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn tar_gz_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *content).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn sources_archives_directories_and_urls() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let two_modules: &[(&str, &[u8])] = &[
        ("index.js", b"module.exports.helloGet = () => require('./helper').x;\n"),
        ("helper.js", b"module.exports.x = 'hello world';\n"),
    ];
    let zip = write(dir, "multi.zip", zip_of(two_modules));
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "multi",
            "-r",
            "nodejs20",
            "-f",
            zip.to_str().unwrap(),
            "--handler",
            "index.helloGet",
        ]),
        "zip",
    );
    let f = stored(&engine, "multi");
    assert_eq!(f["spec"]["function-content-type"], "base64+zip");
    assert_eq!(
        f["spec"]["checksum"],
        crate::common::sha256_bytes(&std::fs::read(&zip).unwrap())
    );

    let tgz = write(
        dir,
        "code.tgz",
        tar_gz_of(&[("main.py", b"def handler(e, c):\n  return 'ok'\n")]),
    );
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "tarred",
            "-r",
            "python3.12",
            "-f",
            tgz.to_str().unwrap(),
            "--handler",
            "main.handler",
        ]),
        "tgz",
    );
    assert_eq!(
        stored(&engine, "tarred")["spec"]["function-content-type"],
        "base64+compressedtar"
    );

    let src = dir.join("src");
    write(&src, "app.py", b"import util\ndef handler(e, c):\n  return util.x\n");
    write(&src, "util.py", b"x = 'from a directory'\n");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "from-dir",
            "-r",
            "python3.12",
            "-f",
            src.to_str().unwrap(),
            "--handler",
            "app.handler",
        ]),
        "directory",
    );
    assert_eq!(
        stored(&engine, "from-dir")["spec"]["function-content-type"],
        "base64+zip"
    );

    let binary = write(dir, "blob.py", [0xff, 0xfe, b'\n']);
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "binary",
            "-r",
            "python3.12",
            "-f",
            binary.to_str().unwrap(),
            "--handler",
            "blob.h",
        ]),
        "binary",
    );
    let f = stored(&engine, "binary");
    assert_eq!(
        (
            f["spec"]["function-content-type"].as_str(),
            f["spec"]["function"].as_str()
        ),
        (Some("base64"), Some("//4K"))
    );

    let served = dir.join("served");
    write(&served, "hello.py", HELLO_PY.as_bytes());
    write(&served, "code.zip", zip_of(&[("hello.py", HELLO_PY.as_bytes())]));
    write(&served, "requirements.txt", b"six\n");
    let files = Files::serve(&served);
    let url = files.url("hello.py");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "by-url",
            "-r",
            "python3.12",
            "-f",
            &url,
            "--handler",
            "hello.hello",
            "-d",
            &files.url("requirements.txt"),
        ]),
        "url",
    );
    let f = stored(&engine, "by-url");
    assert_eq!(f["spec"]["function"], url);
    assert_eq!(f["spec"]["function-content-type"], "url");
    assert_eq!(f["spec"]["checksum"], crate::common::sha256(HELLO_PY));
    assert_eq!(f["spec"]["deps"], "six\n", "the dependency file's content, downloaded");
    let zip_url = files.url("code.zip?token=abc");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "zip-url",
            "-r",
            "python3.12",
            "-f",
            &zip_url,
            "--handler",
            "hello.hello",
        ]),
        "zip url",
    );
    assert_eq!(stored(&engine, "zip-url")["spec"]["function-content-type"], "url+zip");
    let missing = engine.kfn(&[
        "function",
        "deploy",
        "gone",
        "-r",
        "python3.12",
        "-f",
        &files.url("nope.py"),
        "--handler",
        "nope.h",
    ]);
    fails(&missing, "404");
    assert!(missing.stderr.contains("--from-file"), "{}", missing.stderr);
}

#[test]
fn bad_input_is_refused_with_the_flag_named_and_nothing_created() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let file = write(dir, "test.py", HELLO_PY.as_bytes());
    let f = file.to_str().unwrap();
    let empty_dir = dir.join("empty");
    write(&empty_dir, "other.py", b"");
    let zip = write(dir, "wrong.zip", zip_of(&[("other.py", b"")]));
    let big = write(dir, "big.py", vec![b'#'; 1_100_000]);
    let files = Files::serve(dir);
    let missing_url = files.url("missing.py");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "deploy",
                "Hello_World",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
            ],
            "DNS-1035",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                "/nonexistent/test.py",
                "--handler",
                "test.hello",
            ],
            "--from-file: cannot read /nonexistent/test.py",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                empty_dir.to_str().unwrap(),
                "--handler",
                "test.hello",
            ],
            "test.py is not at the top",
        ),
        (
            vec!["deploy", "x", "-r", "python3.12", "-f", f, "--handler", "nodot"],
            "--handler",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                zip.to_str().unwrap(),
                "--handler",
                "test.hello",
            ],
            "other.py",
        ),
        (
            vec!["deploy", "x", "-r", "cobol2", "-f", f, "--handler", "test.hello"],
            "Invalid runtime: cobol2 (given with --runtime). Supported runtimes are: ballerina0.981.0",
        ),
        (
            vec!["deploy", "x", "-r", "cobol2", "-f", f],
            "Invalid runtime: cobol2 (given with --runtime)",
        ),
        (
            vec!["deploy", "x", "-f", f, "--handler", "test.hello"],
            "Either `--runtime` or `--runtime-image` flag must be specified.",
        ),
        (
            vec!["deploy", "x", "-r", "python3.12", "-f", f],
            "You must specify handler for the runtime.",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--memory",
                "12xx",
            ],
            "Wrong format of the memory value",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--cpu",
                "lots",
            ],
            "Wrong format for cpu value",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--port",
                "70000",
            ],
            "Invalid port number 70000 specified",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--port",
                "0",
            ],
            "--port must be 1 to 65535",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--servicePort",
                "-1",
            ],
            "Invalid servicePort number -1 specified",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--schedule",
                "61 * * * *",
            ],
            "Invalid value for --schedule.",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--image-pull-policy",
                "Sometimes",
            ],
            "image-pull-policy must be {IfNotPresent|Always|Never}",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                &missing_url,
                "--handler",
                "test.hello",
            ],
            "404",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                big.to_str().unwrap(),
                "--handler",
                "big.h",
            ],
            "URL",
        ),
        (
            vec![
                "deploy",
                "x",
                "-r",
                "python3.12",
                "-f",
                f,
                "--handler",
                "test.hello",
                "--timeout",
                "soon",
            ],
            "--timeout",
        ),
        (
            vec!["deploy", "-r", "python3.12", "-f", f, "--handler", "test.hello"],
            "Need exactly one argument - function name",
        ),
        (vec!["update", "x", "--timeout", "5"], "Function x is not found"),
        (vec!["delete", "x"], "Function x is not found"),
    ];
    for (args, needle) in cases {
        let mut full = vec!["function"];
        full.extend_from_slice(&args);
        let run = engine.kfn(&full);
        fails(&run, needle);
    }
    assert!(function_names(&engine).is_empty(), "nothing was created");
    let big_run = engine.kfn(&[
        "function",
        "deploy",
        "x",
        "-r",
        "python3.12",
        "-f",
        big.to_str().unwrap(),
        "--handler",
        "big.h",
    ]);
    assert!(
        big_run.stderr.contains("1.0 MiB (1100000 bytes)"),
        "the size is given: {}",
        big_run.stderr
    );
}

#[test]
fn unreachable_servers_and_refused_credentials_are_explained() {
    let engine = Engine::start();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let kubeconfig = std::fs::read_to_string(engine.kubeconfig()).unwrap();
    let port = engine.state().join("port");
    let port = std::fs::read_to_string(port).unwrap();
    let dead = write(
        engine.home.path(),
        "dead.yaml",
        kubeconfig.replace(&format!(":{}", port.trim()), ":1").as_bytes(),
    );
    let deploy = |kc: &Path| {
        engine.kfn(&[
            "function",
            "deploy",
            "x",
            "-r",
            "python3.12",
            "-f",
            file.to_str().unwrap(),
            "--handler",
            "test.hello",
            "--kubeconfig",
            kc.to_str().unwrap(),
        ])
    };
    let run = deploy(&dead);
    fails(&run, "cannot reach the API server https://127.0.0.1:1/");
    assert!(
        run.stderr.contains("kfn local start"),
        "says how to start the local engine: {}",
        run.stderr
    );

    let token_line = kubeconfig
        .lines()
        .find(|l| l.trim_start().starts_with("token:"))
        .unwrap();
    let wrong = write(
        engine.home.path(),
        "wrong.yaml",
        kubeconfig.replace(token_line, "    token: not-the-token").as_bytes(),
    );
    let run = deploy(&wrong);
    fails(&run, "refused the credentials from --kubeconfig");
    assert!(
        run.stderr.contains("wrong.yaml") && run.stderr.contains("401"),
        "{}",
        run.stderr
    );
}

#[test]
fn server_config_version_and_the_catalog_in_use() {
    let engine = Engine::start();
    let run = engine.kfn(&["get-server-config"]);
    ok(&run, "get-server-config");
    assert!(run.stderr.contains("Current Server Config:"));
    assert!(run.stderr.contains("built-in runtime catalog"));
    assert!(
        run.stderr
            .contains("Supported Runtimes are: ballerina0.981.0, dotnetcore2.0,"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("python3.13") && run.stderr.contains("nodejs22"));

    let config = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kubeless-config","namespace":"kubeless"},
        "data":{"runtime-images":"[{\"ID\":\"python\",\"depName\":\"requirements.txt\",\"fileNameSuffix\":\".py\",\"versions\":[{\"name\":\"python38\",\"version\":\"3.8\"}]}]"}}"#;
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(config)),
        "apply kubeless-config",
    );
    let run = engine.kfn(&["get-server-config"]);
    ok(&run, "get-server-config with a ConfigMap");
    assert!(
        run.stderr
            .contains("Runtime catalog from ConfigMap kubeless/kubeless-config"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Supported Runtimes are: python3.8"),
        "{}",
        run.stderr
    );
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    fails(
        &engine.kfn(&[
            "function",
            "deploy",
            "x",
            "-r",
            "python3.12",
            "-f",
            file.to_str().unwrap(),
            "--handler",
            "test.hello",
        ]),
        "Supported runtimes are: python3.8",
    );

    let run = engine.kfn(&["version"]);
    ok(&run, "version");
    assert_eq!(run.stdout, format!("kfn version: v{}\n", env!("CARGO_PKG_VERSION")));
    let run = engine.kfn(&["function"]);
    ok(&run, "bare group prints help");
    assert!(run.stdout.contains("Usage: kfn function"));
}

#[tokio::test]
async fn wait_returns_when_the_deployment_is_ready_and_explains_when_it_is_not() {
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::{Api, Patch, PatchParams, PostParams};
    let engine = Engine::start_no_run();
    let file = write(engine.home.path(), "test.py", HELLO_PY.as_bytes());
    let client = engine.client().await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    // Play the controller: once the Function exists, write a Deployment and mark it ready.
    let controller = tokio::spawn({
        let deployments = deployments.clone();
        let client = client.clone();
        async move {
            let fns = crate::common::functions(&client, "default");
            while fns.get_opt("ready").await.unwrap().is_none() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "ready"}, "spec": {"replicas": 1,
                "selector": {"matchLabels": {"function": "ready"}},
                "template": {"metadata": {"labels": {"function": "ready"}}, "spec": {"containers": [{"name": "ready", "image": "x"}]}}}}))
            .unwrap();
            deployments.create(&PostParams::default(), &d).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let status = json!({"status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1}});
            deployments
                .patch_status("ready", &PatchParams::default(), &Patch::Merge(status))
                .await
                .unwrap();
        }
    });
    let home = engine.home.path().to_path_buf();
    let f = file.to_str().unwrap().to_string();
    let run: Run = tokio::task::spawn_blocking(move || {
        crate::common::kfn_command(&home)
            .args([
                "function",
                "deploy",
                "ready",
                "-r",
                "python3.12",
                "-f",
                &f,
                "--handler",
                "test.hello",
                "--wait",
                "--wait-timeout",
                "20s",
            ])
            .output()
            .unwrap()
            .into()
    })
    .await
    .unwrap();
    controller.await.unwrap();
    ok(&run, "deploy --wait");
    assert!(
        run.stderr.contains("Function ready is ready (1/1)"),
        "one final line when piped: {}",
        run.stderr
    );

    // Not ready: a pod waiting in CrashLoopBackOff, with a log and an event.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stuck-1", "labels": {"function": "stuck"}},
        "spec": {"containers": [{"name": "stuck", "image": "x"}]}});
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&pod.to_string())),
        "pod",
    );
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), "default");
    let status = json!({"status": {"phase": "Running", "containerStatuses": [{"name": "stuck", "ready": false, "restartCount": 3, "image": "x", "imageID": "",
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "ImportError: no module named test"}}}]}});
    pods.patch_status("stuck-1", &PatchParams::default(), &Patch::Merge(status))
        .await
        .unwrap();
    let event = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "stuck-1.1"}, "type": "Warning", "reason": "BackOff",
        "message": "Back-off restarting failed container", "involvedObject": {"kind": "Pod", "name": "stuck-1", "namespace": "default"}});
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&event.to_string())),
        "event",
    );
    write(
        &engine.state().join("logs/default"),
        "stuck-1.log",
        b"Traceback (most recent call last):\nImportError: no module named test\n",
    );
    let started = std::time::Instant::now();
    let run = engine.kfn(&[
        "function",
        "deploy",
        "stuck",
        "-r",
        "python3.12",
        "-f",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
        "--wait",
        "--wait-timeout",
        "2s",
    ]);
    fails(&run, "Function stuck is not ready after 2s");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    for why in [
        "pod stuck-1: phase Running",
        "CrashLoopBackOff",
        "ImportError: no module named test",
        "BackOff",
        "Traceback",
    ] {
        assert!(run.stderr.contains(why), "the failure says {why:?}: {}", run.stderr);
    }
}

#[test]
fn usage_errors_and_failures_read_as_kubeless_wrote_them() {
    let engine = Engine::start_no_run();
    // Missing flags, as cobra words them.
    let run = engine.kfn(&["trigger", "http", "create", "t1"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("Error: required flag(s) \"function-name\" not set\n"),
        "{}",
        run.stderr
    );
    let run = engine.kfn(&["trigger", "cronjob", "create", "c1"]);
    assert!(
        run.stderr
            .contains("required flag(s) \"schedule\", \"function\" not set")
            || run
                .stderr
                .contains("required flag(s) \"function\", \"schedule\" not set"),
        "{}",
        run.stderr
    );
    // An unknown command fails, in a group as at the root (see unknown_subcommands_fail).
    let run = engine.kfn(&["-n", "default", "function", "bogus"]);
    fails(&run, "Error: unknown command \"bogus\" for \"kfn function\"");
    let run = engine.kfn(&["functoin"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("Error: unknown command \"functoin\" for \"kfn\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("'function'"), "a suggestion: {}", run.stderr);

    // Failures of create, with Kubeless's words.
    let f = write(
        engine.home.path(),
        "test.py",
        "def hello(event, context):\n    return 'x'\n",
    );
    let deploy = [
        "function",
        "deploy",
        "h",
        "-r",
        "python3.12",
        "-f",
        f.to_str().unwrap(),
        "--handler",
        "test.hello",
    ];
    ok(&engine.kfn(&deploy), "deploy");
    let again = engine.kfn(&deploy);
    fails(&again, "Failed to deploy h. Received:");
    assert!(again.stderr.contains("function h already exists"), "{}", again.stderr);
    let http = ["trigger", "http", "create", "t1", "--function-name", "h"];
    ok(&engine.kfn(&http), "http trigger");
    fails(
        &engine.kfn(&http),
        "Failed to deploy HTTP trigger t1 in namespace default. Error",
    );
    let cron = [
        "trigger",
        "cronjob",
        "create",
        "c1",
        "--function",
        "h",
        "--schedule",
        "* * * * *",
    ];
    ok(&engine.kfn(&cron), "cron trigger");
    fails(
        &engine.kfn(&cron),
        "Failed to create cronjob trigger object c1 in namespace default. Error",
    );
    let cron_yaml = [
        &cron[..4],
        &["--function", "h", "--schedule", "* * * * *", "-f", "p.yaml"],
    ]
    .concat();
    fails(&engine.kfn(&cron_yaml), "Sorry, we can't parse .yaml files yet");

    // Dry runs: create prints Kubeless's field order; update prints the changed object only.
    let run = engine.kfn(&[
        "trigger",
        "http",
        "create",
        "t2",
        "--function-name",
        "h",
        "--dryrun",
        "-o",
        "json",
    ]);
    ok(&run, "create --dryrun");
    assert!(
        run.stdout
            .starts_with("{\n    \"kind\": \"HTTPTrigger\",\n    \"apiVersion\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"creationTimestamp\": null"), "{}", run.stdout);
    let run = engine.kfn(&[
        "trigger", "http", "update", "t1", "--path", "p9", "--dryrun", "-o", "json",
    ]);
    ok(&run, "update --dryrun");
    assert!(run.stdout.contains("\"path\": \"p9\""), "{}", run.stdout);
    let stored = engine.kfn(&["trigger", "http", "list", "-o", "json"]).stdout;
    assert!(
        !stored.contains("p9") && !stored.contains("\"t2\""),
        "dry runs change nothing: {stored}"
    );
    let run = engine.kfn(&[
        "trigger",
        "cronjob",
        "update",
        "c1",
        "--schedule",
        "*/5 * * * *",
        "--dryrun",
    ]);
    ok(&run, "cron update --dryrun");
    assert!(
        run.stdout.contains("schedule: '*/5 * * * *'") || run.stdout.contains("schedule: \"*/5 * * * *\""),
        "{}",
        run.stdout
    );
}

#[test]
fn help_sets_global_flags_apart_marks_required_ones_and_shows_examples() {
    let home = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| -> String {
        let run: crate::common::Run = crate::common::kfn_command(home.path())
            .args(args)
            .arg("--help")
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    // A flag's description, however clap wraps it: its line and the lines that continue it.
    let described = |help: &str, flag: &str| -> String {
        let after = help.split(flag).nth(1).unwrap_or_default();
        let mut lines = after.lines();
        let mut text = lines.next().unwrap_or_default().trim().to_string();
        for line in lines {
            let t = line.trim();
            if t.is_empty() || t.starts_with('-') || !line.starts_with(' ') {
                break;
            }
            text = format!("{text} {t}");
        }
        text.trim().to_string()
    };
    let deploy = help(&["function", "deploy"]);
    let (own, global) = deploy
        .split_once("Global options:")
        .expect("a heading for global flags");
    assert!(!own.contains("--kubeconfig") && !own.contains("--namespace"), "{own}");
    assert!(
        global.contains("--namespace") && global.contains("--kubeconfig"),
        "{global}"
    );
    assert!(deploy.contains("Examples:\n  # "), "{deploy}");
    assert!(
        deploy.contains("kfn function deploy hello --runtime python3.12"),
        "{deploy}"
    );
    for flag in [
        "--runtime <RUNTIME>",
        "--handler <HANDLER>",
        "--from-file <PATH_OR_URL>",
    ] {
        let text = described(&deploy, flag);
        assert!(text.contains("[required"), "{flag} is marked required: {text}");
    }
    // Exactly one name: `<NAME>`, not `[NAME]...`.
    for cmd in [
        &["function", "deploy"][..],
        &["function", "update"],
        &["function", "delete"],
        &["function", "describe"],
        &["function", "call"],
        &["function", "logs"],
        &["autoscale", "create"],
        &["trigger", "http", "create"],
        &["trigger", "http", "delete"],
        &["trigger", "cronjob", "update"],
        &["trigger", "kafka", "delete"],
        &["trigger", "kinesis", "create"],
    ] {
        let text = help(cmd);
        let usage = text.lines().find(|l| l.starts_with("Usage:")).unwrap();
        assert!(usage.ends_with("_NAME>"), "kfn {}: {usage}", cmd.join(" "));
    }
    // Trigger commands name a trigger, not a function.
    let delete = help(&["trigger", "http", "delete"]);
    assert!(delete.contains("<TRIGGER_NAME>  The trigger's name"), "{delete}");
    let create = help(&["trigger", "http", "create"]);
    let path = described(&create, "--path <PATH>");
    assert!(path.contains("default: the root"), "--path is optional: {path}");
    let call = help(&["function", "call"]);
    assert!(call.contains("<FUNCTION_NAME>  The function's name"), "{call}");
    let path = described(&call, "--path <PATH>");
    assert_eq!(path.matches("default").count(), 1, "{path}");
    let kinesis = help(&["trigger", "kinesis", "create"]);
    for flag in [
        "--stream <STREAM>",
        "--aws-region <REGION>",
        "--shard-id <SHARD>",
        "--function-name <FUNCTION>",
    ] {
        assert!(!described(&kinesis, flag).is_empty(), "{flag} is described: {kinesis}");
    }
}

#[test]
fn a_name_count_error_keeps_kubeless_words() {
    let home = tempfile::tempdir().unwrap();
    let kfn = |args: &[&str]| -> crate::common::Run {
        crate::common::kfn_command(home.path())
            .args(args)
            .output()
            .unwrap()
            .into()
    };
    for (args, what) in [
        (&["function", "delete"][..], "function name"),
        (&["function", "delete", "a", "b"], "function name"),
        (&["function", "call", "a", "b"], "function name"),
        (&["autoscale", "delete"], "function name"),
        (&["trigger", "http", "delete", "a", "b"], "http trigger name"),
        (&["trigger", "kafka", "delete"], "Kafka trigger name"),
        (&["trigger", "kinesis", "update", "a", "b"], "Kinesis trigger name"),
    ] {
        let run = kfn(args);
        assert_eq!(run.code, 1, "kfn {}", args.join(" "));
        assert!(
            run.stderr.contains(&format!("Need exactly one argument - {what}")),
            "kfn {}: {}",
            args.join(" "),
            run.stderr
        );
    }
    // Missing flags come first, as cobra checks them before the argument count.
    let run = kfn(&["trigger", "http", "create"]);
    assert!(
        run.stderr
            .starts_with("Error: required flag(s) \"function-name\" not set\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_subcommands_fail_with_a_suggestion() {
    let engine = Engine::new();
    let run = engine.kfn(&["function", "dpeloy", "x"]);
    fails(&run, "Error: unknown command \"dpeloy\" for \"kfn function\"");
    assert!(run.stderr.contains("'deploy'"), "a suggestion: {}", run.stderr);
    assert!(
        run.stderr.contains("Run 'kfn function --help' for usage."),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "no help on stdout: {}", run.stdout);
    let run = engine.kfn(&["-n", "x", "trigger", "http", "craete"]);
    fails(&run, "Error: unknown command \"craete\" for \"kfn trigger http\"");
    assert!(run.stderr.contains("'create'"), "a suggestion: {}", run.stderr);
    // A group with no word still prints its help.
    let run = engine.kfn(&["function"]);
    ok(&run, "kfn function");
    assert!(run.stdout.contains("Usage: kfn function"), "{}", run.stdout);
    assert!(!engine.state().join("engine.json").exists(), "no engine was started");
}

#[test]
fn deploy_without_code_is_refused_and_creates_nothing() {
    let engine = Engine::start_no_run();
    for args in [
        vec![
            "function",
            "deploy",
            "nocode",
            "-r",
            "python3.12",
            "--handler",
            "test.hello",
        ],
        vec![
            "function",
            "deploy",
            "nocode",
            "-r",
            "python3.12",
            "--handler",
            "test.hello",
            "--dryrun",
        ],
    ] {
        let run = engine.kfn(&args);
        fails(&run, "--from-file is required");
        assert!(run.stderr.contains("--runtime-image"), "the way out: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert!(function_names(&engine).is_empty(), "nothing created");
    // An image of one's own needs no code.
    ok(
        &engine.kfn(&["function", "deploy", "img", "--runtime-image", "example/custom:1"]),
        "deploy --runtime-image",
    );
    assert_eq!(function_names(&engine), ["img"]);
}

/// `deploy --wait` with the default timeout (2 minutes): fails within seconds when the failure
/// is certain, and says why once.
fn deploy_fails_fast(engine: &Engine, args: &[&str], why: &str) -> Run {
    let mut all = vec!["function", "deploy"];
    all.extend_from_slice(args);
    all.push("--wait");
    let run = engine.kfn(&all);
    fails(&run, &format!("Function {} cannot start: {why}", args[0]));
    assert!(!run.stderr.contains("not ready after"), "no timeout: {}", run.stderr);
    assert_eq!(run.stderr.matches(why).count(), 1, "the reason once: {}", run.stderr);
    run
}

#[test]
fn deploy_wait_fails_as_soon_as_the_failure_is_certain() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let path = |name: &str, text: &str| write(dir, name, text).to_str().unwrap().to_string();
    let import = path("imp.py", "import no_such_module_kfn\ndef hello(e, c):\n    return 1\n");
    let run = deploy_fails_fast(
        &engine,
        &["imp", "-r", "python3.12", "-f", &import, "--handler", "imp.hello"],
        "cannot load imp.hello: ModuleNotFoundError",
    );
    assert!(
        run.stderr.contains("import no_such_module_kfn"),
        "the traceback: {}",
        run.stderr
    );
    let syntax = path("syn.py", "def hello(e, c)\n    return 1\n");
    deploy_fails_fast(
        &engine,
        &["syn", "-r", "python3.12", "-f", &syntax, "--handler", "syn.hello"],
        "cannot load syn.hello: SyntaxError",
    );
    let good = path("good.py", "def hello(e, c):\n    return 1\n");
    deploy_fails_fast(
        &engine,
        &["attr", "-r", "python3.12", "-f", &good, "--handler", "good.nothere"],
        "cannot load good.nothere: AttributeError",
    );
    deploy_fails_fast(
        &engine,
        &["rb", "-r", "ruby2.6", "-f", &good, "--handler", "good.hello"],
        "the local engine runs Python and Node.js functions, not ruby2.6",
    );
    let deps = path("requirements.txt", "!!!not a requirement\n");
    deploy_fails_fast(
        &engine,
        &[
            "deps",
            "-r",
            "python3.12",
            "-f",
            &good,
            "--handler",
            "good.hello",
            "-d",
            &deps,
        ],
        "installing the dependencies failed",
    );
    // A Function written by another client with no code: the update's wait fails at once too.
    let mut f = crate::common::function("nocode");
    f["spec"]["function"] = json!("");
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&f.to_string())),
        "apply",
    );
    let run = engine.kfn(&["function", "update", "nocode", "-e", "A=1", "--wait"]);
    fails(
        &run,
        "Function nocode cannot start: the function has no handler or no code",
    );
    assert!(run.stderr.contains("InvalidFunction"), "{}", run.stderr);
    // A failed update names the new version: the old replica still serves.
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "upd",
            "-r",
            "python3.12",
            "-f",
            &good,
            "--handler",
            "good.hello",
            "--wait",
        ]),
        "deploy upd",
    );
    let run = engine.kfn(&[
        "function",
        "update",
        "upd",
        "-f",
        &syntax,
        "--handler",
        "syn.hello",
        "--wait",
    ]);
    fails(&run, "Function upd cannot start: cannot load syn.hello: SyntaxError");
    assert!(!run.stderr.contains("1/1 replicas ready"), "{}", run.stderr);
}

#[test]
fn describe_shows_the_status_the_reason_and_the_pods() {
    let engine = Engine::start();
    let bad = write(engine.home.path(), "bad.py", "import no_such_module_kfn\n");
    let run = engine.kfn(&[
        "function",
        "deploy",
        "bad",
        "-r",
        "python3.12",
        "-f",
        bad.to_str().unwrap(),
        "--handler",
        "bad.hello",
        "--wait",
    ]);
    fails(&run, "cannot start");
    let run = engine.kfn(&["function", "describe", "bad"]);
    ok(&run, "describe");
    for needle in [
        "Status:",
        "0/1 NOT READY",
        "Reason:",
        "CrashLoopBackOff: cannot load bad.hello: ModuleNotFoundError",
        "Pods:",
        "bad-",
    ] {
        assert!(
            run.stdout.contains(needle),
            "describe shows {needle:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn a_trailing_newline_in_requirements_adds_no_empty_row() {
    let engine = Engine::start_no_run();
    let code = write(engine.home.path(), "test.py", HELLO_PY);
    let deps = write(engine.home.path(), "requirements.txt", "requests\n");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "deps",
            "-r",
            "python3.12",
            "-f",
            code.to_str().unwrap(),
            "--handler",
            "test.hello",
            "-d",
            deps.to_str().unwrap(),
        ]),
        "deploy",
    );
    let list = engine.kfn(&["function", "ls"]);
    ok(&list, "ls");
    assert_eq!(list.stdout.lines().count(), 2, "a header and one row:\n{}", list.stdout);
    let describe = engine.kfn(&["function", "describe", "deps"]);
    ok(&describe, "describe");
    let rows: Vec<&str> = describe.stdout.lines().collect();
    let at = rows
        .iter()
        .position(|r| r.starts_with("Dependencies:"))
        .expect("a Dependencies row");
    assert!(rows[at].contains("requests"), "{}", describe.stdout);
    assert!(
        !rows[at + 1].trim().is_empty(),
        "no empty row after the dependencies:\n{}",
        describe.stdout
    );
}

#[test]
fn messages_say_what_to_type_instead() {
    let engine = Engine::start_no_run();
    let code = write(engine.home.path(), "test.py", HELLO_PY);
    let f = code.to_str().unwrap();
    let run = engine.kfn(&[
        "function",
        "deploy",
        "x",
        "-r",
        "python3",
        "-f",
        f,
        "--handler",
        "test.hello",
    ]);
    fails(
        &run,
        "Invalid runtime: python3 (given with --runtime). Did you mean python3.13?",
    );
    for needle in ["python3.9, python3.10", "`python`, `nodejs`", "The local engine runs "] {
        assert!(run.stderr.contains(needle), "{needle:?} in {}", run.stderr);
    }
    let run = engine.kfn(&[
        "function",
        "deploy",
        "x",
        "-r",
        "python3.12",
        "-f",
        f,
        "--handler",
        "test.hello",
        "--memory",
        "128MB",
    ]);
    fails(&run, "\\\"128MB\\\" is not a quantity; use 128Mi (given with --memory)");
    assert!(!run.stderr.contains("regular expression"), "{}", run.stderr);
    let deploy = [
        "function",
        "deploy",
        "dup",
        "-r",
        "python3.12",
        "-f",
        f,
        "--handler",
        "test.hello",
    ];
    ok(&engine.kfn(&deploy), "deploy");
    let again = engine.kfn(&deploy);
    fails(&again, "Failed to deploy dup. Received: function dup already exists");
    assert!(function_names(&engine) == ["dup"]);
}

#[test]
fn a_call_after_the_engine_stopped_waits_for_the_replica() {
    let engine = Engine::start();
    let code = write(
        engine.home.path(),
        "test.py",
        "def hello(event, context):\n    return 'back'\n",
    );
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "back",
            "-r",
            "python3.12",
            "-f",
            code.to_str().unwrap(),
            "--handler",
            "test.hello",
            "--wait",
        ]),
        "deploy",
    );
    ok(&engine.kfn(&["local", "stop"]), "local stop");
    // The call starts the engine again, then waits for the replica instead of answering 503.
    let run = engine.kfn(&["function", "call", "back"]);
    ok(&run, "call after stop");
    assert_eq!(run.stdout, "back\n");
    assert!(run.stderr.contains("Started the local engine"), "{}", run.stderr);
}

#[test]
fn top_counts_timeouts_as_failures() {
    let engine = Engine::start();
    let code = write(
        engine.home.path(),
        "slow.py",
        "import time\ndef hello(event, context):\n    time.sleep(5)\n    return 'late'\n",
    );
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "slow",
            "-r",
            "python3.12",
            "-f",
            code.to_str().unwrap(),
            "--handler",
            "slow.hello",
            "--timeout",
            "1",
            "--wait",
        ]),
        "deploy",
    );
    fails(&engine.kfn(&["function", "call", "slow"]), "Request timeout exceeded");
    let run = engine.kfn(&["function", "top", "--function", "slow", "-o", "json"]);
    ok(&run, "top");
    let rows: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["total_calls"], 1, "{}", run.stdout);
    assert_eq!(rows[0]["total_failures"], 1, "a 408 is a failure: {}", run.stdout);
}

#[test]
fn one_function_with_a_bad_package_json_does_not_hide_the_others_from_ls() {
    let engine = Engine::start_no_run();
    // Written past the CLI (kubectl), which checks package.json itself.
    let mut good = crate::common::function("good");
    good["metadata"]["namespace"] = "default".into();
    let mut bad = good.clone();
    bad["metadata"]["name"] = "bad".into();
    bad["spec"]["runtime"] = "nodejs20".into();
    bad["spec"]["handler"] = "hello.foo".into();
    bad["spec"]["deps"] = "{\"dependencies\": {".into();
    for f in [&good, &bad] {
        ok(
            &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&f.to_string())),
            "kubectl apply",
        );
    }
    let run = engine.kfn(&["function", "ls"]);
    ok(&run, "ls");
    let names: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::trim)
        .collect();
    assert_eq!(names, ["bad", "good"], "{}", run.stdout);
    let bad_row = run.stdout.lines().find(|l| l.starts_with("bad")).unwrap();
    assert!(bad_row.contains("<error: not valid package.json>"), "{bad_row}");
    assert!(
        run.stderr
            .contains("the dependencies of bad are not valid package.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_function_with_a_field_of_the_wrong_type_is_listed_with_what_can_be_read() {
    let engine = Engine::start_no_run();
    // Kubeless embeds the Deployment whole, so the API server takes any fields there.
    let mut odd = crate::common::function("odd");
    odd["metadata"]["namespace"] = "default".into();
    // One field the table shows (the variables of -o wide) and one only describe reads.
    odd["spec"]["deployment"] =
        json!({"spec": {"replicas": "two", "template": {"spec": {"containers": [{"name": "", "env": "A=1"}]}}}});
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&odd.to_string())),
        "kubectl apply",
    );
    for args in [&["function", "ls"][..], &["function", "describe", "odd"]] {
        let run = engine.kfn(args);
        ok(&run, "ls / describe");
        assert!(
            run.stdout.contains("odd") && run.stdout.contains("hello.hello") && run.stdout.contains("python3.12"),
            "{}",
            run.stdout
        );
        assert!(
            run.stderr.contains(
                "Function default/odd: spec.deployment.spec.template.spec.containers[0].env: invalid type: string"
            ),
            "the warning names the object and the field: {}",
            run.stderr
        );
    }
    let run = engine.kfn(&["function", "describe", "odd"]);
    assert!(
        run.stderr
            .contains("Function default/odd: spec.deployment.spec.replicas: invalid type: string"),
        "describe reads the whole Function: {}",
        run.stderr
    );
    let run = engine.kfn(&["function", "ls"]);
    assert!(
        !run.stderr.contains("replicas"),
        "the list reads only what its table shows: {}",
        run.stderr
    );
    // As stored, for scripts.
    let run = engine.kfn(&["function", "ls", "-o", "json"]);
    ok(&run, "ls -o json");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed[0]["spec"]["deployment"]["spec"]["replicas"], "two");
}

#[test]
fn a_timeout_the_one_rule_refuses_keeps_the_pod_waiting_with_the_reason() {
    let engine = Engine::start();
    // The CRD's pattern refuses a timeout with a unit; one written under a looser schema (an
    // older CRD, or one edited by hand) still reaches the runtime, which names it.
    let loose = r#"[{"op": "replace", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/timeout",
        "value": {"type": "string"}}]"#;
    ok(
        &engine.kubectl(&["patch", "crd", "functions.kubeless.io", "--type=json", "-p", loose]),
        "loosen the CRD",
    );
    let mut f = crate::common::function("minutes");
    f["metadata"]["namespace"] = "default".into();
    f["spec"]["timeout"] = json!("3m");
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&f.to_string())),
        "kubectl apply",
    );
    let waiting = crate::common::eventually(std::time::Duration::from_secs(60), "the pod of minutes waits", || {
        let run = engine.kubectl(&[
            "get",
            "pods",
            "-l",
            "function=minutes",
            "-o",
            "jsonpath={.items[0].status.containerStatuses[0].state.waiting}",
        ]);
        let waiting: Value = serde_json::from_str(&run.stdout).map_err(|_| run.stdout.clone())?;
        if waiting["reason"] == "InvalidFunction" {
            Ok(waiting)
        } else {
            Err(waiting.to_string())
        }
    });
    assert!(
        waiting["message"]
            .as_str()
            .unwrap_or_default()
            .contains(r#"timeout "3m" is not a whole number of seconds, at least 1"#),
        "{waiting}"
    );
}

fn deploy_hello(engine: &Engine, name: &str, extra: &[&str]) -> Run {
    let file = write(engine.home.path(), "test.py", HELLO_PY);
    let mut args = vec![
        "function",
        "deploy",
        name,
        "-r",
        "python3.12",
        "-f",
        file.to_str().unwrap(),
        "--handler",
        "test.hello",
    ];
    args.extend(extra);
    engine.kfn(&args)
}

#[test]
fn scale_to_zero_after_is_written_changed_and_cleared() {
    let engine = Engine::start_no_run();
    let dry = deploy_hello(
        &engine,
        "z",
        &["--scale-to-zero-after", "90s", "--dryrun", "-o", "yaml"],
    );
    ok(&dry, "dry run");
    assert!(
        dry.stdout.contains("scaling:\n    scaleToZeroAfter: 90s\n"),
        "{}",
        dry.stdout
    );
    ok(
        &deploy_hello(&engine, "z", &["--scale-to-zero-after", "90s", "--proactive=false"]),
        "deploy",
    );
    assert_eq!(
        stored(&engine, "z")["spec"]["scaling"],
        json!({"scaleToZeroAfter": "90s", "proactive": false})
    );
    ok(
        &engine.kfn(&["function", "update", "z", "--scale-to-zero-after", "5m"]),
        "update",
    );
    assert_eq!(
        stored(&engine, "z")["spec"]["scaling"],
        json!({"scaleToZeroAfter": "5m", "proactive": false}),
        "only the flag given changes"
    );
    let describe = engine.kfn(&["function", "describe", "z"]);
    ok(&describe, "describe");
    for row in ["Scale to zero after:", "5m", "Proactive:", "off"] {
        assert!(describe.stdout.contains(row), "{row}: {}", describe.stdout);
    }

    // Bad values: the flag, the value and what is accepted; nothing changed or created.
    let before = stored(&engine, "z");
    for (value, needle) in [
        (
            "90",
            "Invalid --scale-to-zero-after \\\"90\\\": give a Go duration such as 60s",
        ),
        ("-5s", "Invalid --scale-to-zero-after \\\"-5s\\\""),
        ("500ms", "it must be at least 1s"),
    ] {
        let run = engine.kfn(&["function", "update", "z", "--scale-to-zero-after", value]);
        fails(&run, needle);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("0 or off for never"), "{}", run.stderr);
    }
    fails(
        &engine.kfn(&["function", "update", "z", "--proactive=maybe"]),
        "invalid value 'maybe' for '--proactive",
    );
    assert_eq!(stored(&engine, "z"), before, "nothing changed");
    let run = deploy_hello(&engine, "new", &["--scale-to-zero-after", "soon"]);
    fails(&run, "Invalid --scale-to-zero-after \\\"soon\\\"");
    assert_eq!(function_names(&engine), ["z"], "nothing created");

    ok(
        &engine.kfn(&["function", "update", "z", "--scale-to-zero-after", "off"]),
        "turn off",
    );
    assert_eq!(stored(&engine, "z")["spec"]["scaling"], json!({"proactive": false}));
    ok(
        &engine.kfn(&["function", "update", "z", "--proactive", "--scale-to-zero-after", "0"]),
        "proactive back on",
    );
    assert_eq!(stored(&engine, "z")["spec"]["scaling"], json!({"proactive": true}));
}

#[test]
fn ls_shows_a_function_at_zero_as_idle_and_describe_why() {
    let engine = Engine::start_no_run();
    ok(
        &deploy_hello(&engine, "idle", &["--scale-to-zero-after", "60s"]),
        "deploy",
    );
    // As the engine or the controller leaves a function at zero: no replica, status Idle.
    let deployment = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"idle"},"spec":{"replicas":0,"selector":{"matchLabels":{"function":"idle"}},"template":{"metadata":{"labels":{"function":"idle"}},"spec":{"containers":[{"name":"idle","image":"x"}]}}}}"#;
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(deployment)),
        "apply deployment",
    );
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Idle",
        "message": "scaled to zero, the next call starts a replica"}],
        "scaling": {"state": "Idle", "since": "2026-12-01T21:00:00Z", "reason": "no call for 60s (scale-to-zero-after)",
            "lastCall": "2026-12-01T20:59:00Z", "prediction": "next call expected 9m-11m after the last"}}});
    ok(
        &engine.kubectl(&[
            "patch",
            "functions.kubeless.io",
            "idle",
            "--subresource=status",
            "--type=merge",
            "-p",
            &status.to_string(),
        ]),
        "patch status",
    );
    // Events named so that their names' order is not their time's.
    for (name, reason, at) in [
        ("idle.a", "Activated", "2026-12-01T21:10:00Z"),
        ("idle.b", "ScaledToZero", "2026-12-01T21:00:00Z"),
    ] {
        let event = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
            "involvedObject": {"kind": "Function", "name": "idle", "namespace": "default", "apiVersion": "kubeless.io/v1beta1"},
            "reason": reason, "message": format!("{reason} message"), "type": "Normal",
            "firstTimestamp": at, "lastTimestamp": at, "source": {"component": "test"}});
        ok(
            &engine.kubectl_stdin(&["create", "-f", "-"], Some(&event.to_string())),
            "create event",
        );
    }
    let run = engine.kfn(&["function", "ls"]);
    ok(&run, "ls");
    let row: Vec<&str> = run.stdout.lines().nth(1).unwrap().split('\t').map(str::trim).collect();
    assert_eq!(row[0], "idle");
    assert_eq!(row[5], "0/0 IDLE", "{}", run.stdout);

    let run = engine.kfn(&["function", "describe", "idle"]);
    ok(&run, "describe");
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    let value = |key: &str| {
        rows.iter()
            .find(|r| r[0] == key)
            .and_then(|r| r.get(1).copied())
            .unwrap_or_else(|| panic!("{key} in {}", run.stdout))
    };
    assert_eq!(value("Status:"), "0/0 IDLE");
    assert_eq!(value("Scale to zero after:"), "60s");
    assert_eq!(value("Proactive:"), "on");
    assert!(
        value("State:").starts_with("Idle since 2026-12-01T21:00:00Z ("),
        "{}",
        run.stdout
    );
    assert_eq!(value("Why:"), "no call for 60s (scale-to-zero-after)");
    assert!(value("Last call:").starts_with("2026-12-01T20:59:00Z"));
    assert_eq!(value("Prediction:"), "next call expected 9m-11m after the last");
    let events = run.stdout.split("Events:\n").nth(1).expect("an Events block");
    let reasons: Vec<&str> = events.lines().filter_map(|l| l.split('\t').nth(2)).collect();
    assert_eq!(reasons, ["ScaledToZero", "Activated"], "oldest first:\n{}", run.stdout);
}
