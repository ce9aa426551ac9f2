//! `kfn trigger …` on the local engine: HTTP routes through the gateway, cron firings, NATS
//! and Kafka messages, and the stored Kinesis triggers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::common::{Engine, eventually, example, fails, ok, until, wait_trigger};

fn deploy(engine: &Engine, name: &str, file: &str, handler: &str, extra: &[&str]) {
    let mut args = vec![
        "function",
        "deploy",
        name,
        "--runtime",
        "python3.11",
        "--from-file",
        file,
        "--handler",
        handler,
        "--wait",
    ];
    args.extend_from_slice(extra);
    ok(&engine.kfn(&args), &format!("deploy {name}"));
}

fn gateway(engine: &Engine) -> String {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(engine.state().join("engine.json")).unwrap()).unwrap();
    info["gateway"].as_str().expect("the engine has a gateway").to_string()
}

/// A plain HTTP GET: (status, body).
fn get(address: &str, host: &str, path: &str, auth: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(address).unwrap();
    let auth = auth
        .map(|a| {
            format!(
                "Authorization: Basic {}\r\n",
                base64::engine::general_purpose::STANDARD.encode(a)
            )
        })
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    )
}

#[test]
fn http_triggers_route_through_the_gateway_with_basic_auth() {
    let engine = Engine::start();
    deploy(
        &engine,
        "get-python",
        &example("python/helloget.py"),
        "helloget.foo",
        &[],
    );
    let run = engine.kfn(&[
        "trigger",
        "http",
        "create",
        "ing-get-python",
        "--function-name",
        "get-python",
        "--hostname",
        "test.domain",
        "--path",
        "hello",
    ]);
    ok(&run, "create");
    assert!(
        run.stderr
            .contains("HTTP trigger ing-get-python created in namespace default successfully!")
    );
    let gw = gateway(&engine);
    assert!(
        engine
            .kfn(&["local", "status"])
            .stdout
            .contains(&format!("gateway:    http://{gw}"))
    );
    let run = engine.kfn(&["trigger", "http", "list", "-o", "wide"]);
    ok(&run, "list");
    let row: Vec<&str> = run.stdout.lines().nth(1).unwrap().split('\t').map(str::trim).collect();
    assert_eq!(
        row,
        [
            "ing-get-python",
            "default",
            "get-python",
            "test.domain",
            "/hello",
            &format!("http://{gw}")
        ]
    );

    assert_eq!(get(&gw, "test.domain", "/hello", None), (200, "hello world".into()));
    assert_eq!(get(&gw, "test.domain", "/hello/more", None).0, 200);
    assert_eq!(get(&gw, "other.domain", "/hello", None).0, 404, "unknown host");
    assert_eq!(get(&gw, "test.domain", "/elsewhere", None).0, 404, "unknown path");

    // Basic auth from an htpasswd Secret (Apache MD5 entry of foo:bar).
    let auth = engine.home.path().join("auth");
    std::fs::write(&auth, "foo:$apr1$saltsalt$HZb7DO9JU4769Nu3n58bv.\n").unwrap();
    ok(
        &engine.kubectl(&[
            "create",
            "secret",
            "generic",
            "basic-auth",
            &format!("--from-file=auth={}", auth.display()),
        ]),
        "secret",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "update",
            "ing-get-python",
            "--basic-auth-secret",
            "basic-auth",
        ]),
        "update",
    );
    let (code, body) = get(&gw, "test.domain", "/hello", None);
    assert_eq!(code, 401);
    assert!(body.contains("401 Authorization Required"));
    assert_eq!(get(&gw, "test.domain", "/hello", Some("foo:wrong")).0, 401);
    assert_eq!(
        get(&gw, "test.domain", "/hello", Some("foo:bar")),
        (200, "hello world".into())
    );

    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "update",
            "ing-get-python",
            "--hostname",
            "test.domain-updated",
        ]),
        "update host",
    );
    assert_eq!(get(&gw, "test.domain-updated", "/hello", Some("foo:bar")).0, 200);
    assert_eq!(get(&gw, "test.domain", "/hello", Some("foo:bar")).0, 404);
    ok(&engine.kfn(&["trigger", "http", "delete", "ing-get-python"]), "delete");
    assert_eq!(get(&gw, "test.domain-updated", "/hello", Some("foo:bar")).0, 404);

    fails(
        &engine.kfn(&["trigger", "http", "create", "x", "--function-name", "nope"]),
        "Unable to find Function nope in namespace default",
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "x",
            "--function-name",
            "get-python",
            "--gateway",
            "haproxy",
        ]),
        "Unsupported gateway haproxy",
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "x",
            "--function-name",
            "get-python",
            "--gateway",
            "traefik",
        ]),
        "The --hostname flag is required",
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "x",
            "--function-name",
            "get-python",
            "--enableTLSAcme",
            "--tls-secret",
            "s",
        ]),
        "Cannot specify both --enableTLSAcme and --tls-secret",
    );
    let dry = engine.kfn(&[
        "trigger",
        "http",
        "create",
        "x",
        "--function-name",
        "get-python",
        "--dryrun",
    ]);
    ok(&dry, "dry run");
    assert!(
        dry.stdout.contains("kind: HTTPTrigger") && dry.stdout.contains("host-name: get-python.127.0.0.1.nip.io"),
        "{}",
        dry.stdout
    );
    assert_eq!(
        engine.kfn(&["trigger", "http", "list"]).stdout.lines().count(),
        1,
        "the dry run created nothing"
    );
}

fn cron_calls(engine: &Engine, function: &str) -> usize {
    engine
        .kfn(&["function", "logs", function])
        .stdout
        .lines()
        .filter(|l| l.contains("kfn-cron"))
        .count()
}

#[test]
fn cron_triggers_fire_on_schedule_and_stop_when_removed() {
    let engine = Engine::start();
    deploy(
        &engine,
        "ticker",
        &example("python/hellowithdata.py"),
        "hellowithdata.handler",
        &[],
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "bad",
            "--function",
            "ticker",
            "--schedule",
            "61 * * * *",
        ]),
        "Invalid value for --schedule.",
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "bad",
            "--function",
            "ticker",
            "--schedule",
            "@hourly",
            "-p",
            "{}",
            "-f",
            "x.json",
        ]),
        "You can't provide both raw payload and a payload file",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "every2s",
            "--function",
            "ticker",
            "--schedule",
            "@every 2s",
        ]),
        "create",
    );
    let run = engine.kfn(&["trigger", "cronjob", "list"]);
    assert!(
        run.stdout.contains("every2s") && run.stdout.contains("@every 2s"),
        "{}",
        run.stdout
    );
    until(Duration::from_secs(15), "two firings", || {
        cron_calls(&engine, "ticker") >= 2
    });
    let logs = engine.kfn(&["function", "logs", "ticker"]).stdout;
    assert!(
        logs.contains("cronjobtrigger.kubeless.io") && logs.contains("\"GET / HTTP/1.1\" 200"),
        "{logs}"
    );
    ok(&engine.kfn(&["trigger", "cronjob", "delete", "every2s"]), "delete");
    std::thread::sleep(Duration::from_millis(500));
    let after_delete = cron_calls(&engine, "ticker");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        cron_calls(&engine, "ticker"),
        after_delete,
        "no firing once the trigger is gone"
    );

    // `function deploy --schedule` creates a trigger that fires too (a GET: no payload).
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "scheduled",
            "--runtime",
            "python3.11",
            "--from-file",
            &example("python/helloget.py"),
            "--handler",
            "helloget.foo",
            "--schedule",
            "@every 1s",
            "--wait",
        ]),
        "deploy --schedule",
    );
    until(Duration::from_secs(10), "the deploy's schedule fires", || {
        cron_calls(&engine, "scheduled") >= 1
    });

    // A payload is POSTed.
    ok(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "with-payload",
            "--function",
            "ticker",
            "--schedule",
            "@every 1s",
            "-p",
            r#"{"from": "cron"}"#,
        ]),
        "create with payload",
    );
    wait_log(&engine, "ticker", "'from': 'cron'", 10);
}

pub struct NatsServer(Child, pub u16);

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The arguments of `kfn trigger nats publish`: `message` on `topic` of the server at `url`.
pub fn nats_publish<'a>(url: &'a str, topic: &'a str, message: &'a str) -> [&'a str; 9] {
    [
        "trigger",
        "nats",
        "publish",
        "--url",
        url,
        "--topic",
        topic,
        "--message",
        message,
    ]
}

pub fn nats_server() -> NatsServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("nats-server")
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server is installed (.ci/run installs Debian's nats-server)");
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    NatsServer(child, port)
}

#[test]
fn nats_messages_reach_every_function_the_selector_matches() {
    let nats = nats_server();
    let url = format!("nats://127.0.0.1:{}", nats.1);
    let engine = Engine::new();
    ok(&engine.kfn(&["local", "start", "--nats", &url]), "start with NATS");
    for f in ["nats-func1", "nats-func2"] {
        deploy(
            &engine,
            f,
            &example("python/hellowithdata.py"),
            "hellowithdata.handler",
            &["--label", "topic=test"],
        );
    }
    deploy(
        &engine,
        "bystander",
        &example("python/hellowithdata.py"),
        "hellowithdata.handler",
        &[],
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "nats",
            "create",
            "nats-trigger",
            "--function-selector",
            "created-by=kubeless,topic=test",
            "--trigger-topic",
            "test",
        ]),
        "create",
    );
    wait_trigger(
        &engine,
        "nats",
        "delivering to nats-func1, nats-func2",
        10,
        "the engine subscribes",
    );
    let run = engine.kfn(&nats_publish(&url, "test", r#"{"payload": "n8x2k"}"#));
    ok(&run, "publish");
    assert!(run.stderr.contains("Published [test]"), "{}", run.stderr);
    for f in ["nats-func1", "nats-func2"] {
        let logs = wait_log(&engine, f, "n8x2k", 10);
        assert!(logs.contains("natstriggers.kubeless.io"), "{logs}");
    }
    assert!(
        !engine.kfn(&["function", "logs", "bystander"]).stdout.contains("n8x2k"),
        "a function the selector leaves out gets nothing"
    );
}

// Needs Kafka: compiled with the `kafka` feature only (the integration tests run with it).
#[cfg(feature = "kafka")]
/// A Kafka cluster of one broker: librdkafka's mock cluster (a real Kafka protocol peer), kept
/// up by a `kcat` producer waiting on its stdin. `.1` is its bootstrap address.
pub struct KafkaMock(Child, pub String, #[allow(dead_code)] std::process::ChildStdin);

#[cfg(feature = "kafka")]
impl Drop for KafkaMock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(feature = "kafka")]
pub fn kafka_mock() -> KafkaMock {
    let log = tempfile::NamedTempFile::new().unwrap();
    let child = Command::new("kcat")
        .env_remove("LD_LIBRARY_PATH")
        .args([
            "-X",
            "test.mock.num.brokers=1",
            "-b",
            "127.0.0.1:1",
            "-P",
            "-t",
            "kfn-keepalive",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log.reopen().unwrap())
        .spawn()
        .expect("kcat is installed (.ci/run installs Debian's kcat)");
    let mut child = child;
    let stdin = child.stdin.take().unwrap();
    let mut mock = KafkaMock(child, String::new(), stdin);
    mock.1 = eventually(Duration::from_secs(10), "kcat starts a mock Kafka cluster", || {
        let text = std::fs::read_to_string(log.path()).unwrap_or_default();
        text.split("replaced with ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .ok_or(text)
    });
    mock
}

/// Publishes with kcat: a producer that is not kfn.
#[cfg(feature = "kafka")]
pub fn kcat_publish(brokers: &str, topic: &str, message: &str) {
    kcat_publish_with(brokers, topic, message, &[]);
}

#[cfg(feature = "kafka")]
pub fn kcat_publish_with(brokers: &str, topic: &str, message: &str, extra: &[&str]) {
    // Debian's librdkafka, not the one kfn builds (cargo points LD_LIBRARY_PATH at it).
    let mut child = Command::new("kcat")
        .env_remove("LD_LIBRARY_PATH")
        .args(["-b", brokers, "-P", "-t", topic])
        .args(extra)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "kcat publishes to {topic}");
}

/// Waits up to `seconds` for `needle` in a function's log, and returns the log.
fn wait_log(engine: &Engine, function: &str, needle: &str, seconds: u64) -> String {
    eventually(
        Duration::from_secs(seconds),
        &format!("{function} logs {needle}"),
        || {
            let logs = engine.kfn(&["function", "logs", function]).stdout;
            if logs.contains(needle) { Ok(logs) } else { Err(logs) }
        },
    )
}

/// How many times `needle` appears in a function's log.
#[cfg(feature = "kafka")]
fn seen(engine: &Engine, function: &str, needle: &str) -> usize {
    engine
        .kfn(&["function", "logs", function])
        .stdout
        .matches(needle)
        .count()
}

// Needs Kafka: compiled with the `kafka` feature only (the integration tests run with it).
#[cfg(feature = "kafka")]
#[test]
fn kafka_messages_reach_every_function_the_selector_matches_and_survive_a_restart() {
    let kafka = kafka_mock();
    let brokers = kafka.1.as_str();
    let engine = Engine::new();
    fails(&engine.kfn(&["local", "start", "--kafka", "localhost"]), "--kafka");
    ok(&engine.kfn(&["local", "start", "--kafka", brokers]), "start with Kafka");
    for f in ["kafka-func1", "kafka-func2", "bystander"] {
        let labels: &[&str] = if f == "bystander" {
            &[]
        } else {
            &["--label", "topic=s3"]
        };
        deploy(
            &engine,
            f,
            &example("python/hellowithdata.py"),
            "hellowithdata.handler",
            labels,
        );
    }
    // The topic exists before the trigger, with a message the trigger must not replay.
    let run = engine.kfn(&[
        "trigger",
        "kafka",
        "publish",
        "--brokers",
        brokers,
        "--topic",
        "s3",
        "--data",
        r#"{"payload": "old-k1"}"#,
    ]);
    ok(&run, "publish");
    assert!(run.stderr.contains("Published [s3]"), "{}", run.stderr);
    fails(
        &engine.kfn(&["trigger", "kafka", "publish", "--brokers", "127.0.0.1:1", "--data", "x"]),
        "no Kafka broker at 127.0.0.1:1 (--brokers or KAFKA_BROKERS)",
    );
    fails(
        &engine.kfn(&["trigger", "kafka", "publish", "--brokers", "nohost", "--data", "x"]),
        "`nohost` is not a broker address",
    );
    let create = [
        "trigger",
        "kafka",
        "create",
        "kafka-trigger",
        "--function-selector",
        "created-by=kubeless,topic=s3",
        "--trigger-topic",
        "s3",
    ];
    ok(&engine.kfn(&create), "create");
    let wait_ready = |engine: &Engine, topic: &str| {
        let want = format!("subscribed to {topic} on {brokers}; delivering to kafka-func1, kafka-func2");
        wait_trigger(engine, "kafka", &want, 40, "the engine joins both consumer groups")
    };
    wait_ready(&engine, "s3");
    kcat_publish(brokers, "s3", r#"{"payload": "k7w"}"#);
    for f in ["kafka-func1", "kafka-func2"] {
        // The access log line comes after the call, so after the event the function printed.
        let logs = wait_log(&engine, f, "kfn-kafka-trigger/", 15);
        assert!(logs.contains("kafkatriggers.kubeless.io"), "{logs}");
        assert!(logs.contains("kfn-kafka-trigger/"), "{logs}");
        assert_eq!(logs.matches("k7w").count(), 1, "delivered once: {logs}");
        assert!(
            !logs.contains("old-k1"),
            "messages from before the trigger are not replayed: {logs}"
        );
    }
    assert_eq!(
        seen(&engine, "bystander", "k7w"),
        0,
        "a function the selector leaves out gets nothing"
    );
    // Compressed batches are read, whatever the producer's codec.
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        kcat_publish_with(brokers, "s3", &format!("codec-{codec}-v2"), &["-z", codec]);
    }
    let logs = eventually(Duration::from_secs(15), "compressed messages arrive", || {
        let logs = engine.kfn(&["function", "logs", "kafka-func1"]).stdout;
        (logs.matches("-v2").count() >= 4).then(|| logs.clone()).ok_or(logs)
    });
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        assert!(logs.contains(&format!("codec-{codec}-v2")), "{codec}: {logs}");
    }

    // Messages published while the engine is down arrive once it is back.
    ok(&engine.kfn(&["local", "stop"]), "stop");
    kcat_publish(brokers, "s3", r#"{"payload": "down-q4"}"#);
    ok(&engine.kfn(&["local", "start", "--kafka", brokers]), "restart");
    // The engine starts the functions' Pods again and rejoins both consumer groups first (a
    // rebalance): generous, for a busy machine.
    for f in ["kafka-func1", "kafka-func2"] {
        wait_log(&engine, f, "down-q4", 120);
    }

    // An update moves the consumers to the new topic.
    ok(
        &engine.kfn(&["trigger", "kafka", "update", "kafka-trigger", "--trigger-topic", "s3-2"]),
        "update",
    );
    kcat_publish(brokers, "s3-2", "plain-m5");
    wait_ready(&engine, "s3-2");
    kcat_publish(brokers, "s3-2", "plain-m6");
    let logs = wait_log(&engine, "kafka-func1", "plain-m6", 15);
    assert!(logs.contains("application/x-www-form-urlencoded"), "{logs}");
    ok(&engine.kfn(&["trigger", "kafka", "delete", "kafka-trigger"]), "delete");
    // The engine looks at triggers every second: give it two to stop the consumers.
    std::thread::sleep(Duration::from_secs(2));
    kcat_publish(brokers, "s3-2", "after-delete-z1");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        seen(&engine, "kafka-func1", "after-delete-z1"),
        0,
        "a deleted trigger delivers nothing"
    );
}

// Needs Kafka: compiled with the `kafka` feature only (the integration tests run with it).
#[cfg(feature = "kafka")]
#[test]
fn kafka_over_tls_or_sasl_is_refused_in_the_status_not_ignored() {
    let engine = Engine::start_with_env(&[("KFN_KAFKA_BROKERS", "127.0.0.1:1"), ("KAFKA_ENABLE_TLS", "true")]);
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "tls",
            "--function-selector",
            "a=b",
            "--trigger-topic",
            "t",
        ]),
        "create",
    );
    wait_trigger(
        &engine,
        "kafka",
        "KAFKA_ENABLE_TLS is set, but kfn connects to Kafka brokers over plaintext only",
        10,
        "the status refuses TLS",
    );
}

// Needs Kafka: compiled with the `kafka` feature only (the integration tests run with it).
#[cfg(feature = "kafka")]
#[test]
fn kafka_and_kinesis_triggers_are_stored_and_say_no_broker_is_configured() {
    let engine = Engine::start();
    deploy(
        &engine,
        "consumer",
        &example("python/hellowithdata.py"),
        "hellowithdata.handler",
        &[],
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "kt",
            "--function-selector",
            "function=consumer",
            "--trigger-topic",
            "t1",
        ]),
        "kafka create",
    );
    fails(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "bad",
            "--function-selector",
            "a b",
            "--trigger-topic",
            "t1",
        ]),
        "Invalid label selector specified",
    );
    wait_trigger(
        &engine,
        "kafka",
        "no Kafka broker",
        10,
        "the status says no broker is configured",
    );
    ok(
        &engine.kfn(&["trigger", "kafka", "update", "kt", "--trigger-topic", "t2"]),
        "kafka update",
    );
    assert!(engine.kfn(&["trigger", "kafka", "list"]).stdout.contains("t2"));
    ok(&engine.kfn(&["trigger", "kafka", "delete", "kt"]), "kafka delete");

    fails(
        &engine.kfn(&[
            "trigger",
            "kinesis",
            "create",
            "kin",
            "--stream",
            "s",
            "--aws-region",
            "r",
            "--shard-id",
            "shardId-000000000000",
            "--function-name",
            "consumer",
            "--secret",
            "ec2",
        ]),
        "not found in namespace default (given with --secret)",
    );
    ok(
        &engine.kubectl(&[
            "create",
            "secret",
            "generic",
            "ec2",
            "--from-literal=aws_access_key_id=a",
            "--from-literal=aws_secret_access_key=b",
        ]),
        "secret",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "kinesis",
            "create",
            "kin",
            "--stream",
            "s",
            "--aws-region",
            "r",
            "--shard-id",
            "shardId-000000000000",
            "--function-name",
            "consumer",
            "--secret",
            "ec2",
        ]),
        "kinesis create",
    );
    ok(
        &engine.kfn(&["trigger", "kinesis", "update", "kin", "--stream", "s2"]),
        "kinesis update (Kubeless failed on a missing namespace flag)",
    );
    let run = engine.kfn(&["trigger", "kinesis", "list"]);
    assert!(
        run.stdout.contains("s2") && run.stdout.contains("shardId-000000000000"),
        "{}",
        run.stdout
    );
    fails(
        &engine.kfn(&["trigger", "kinesis", "publish", "--stream", "s", "--records", "x"]),
        "need AWS",
    );
}

/// A kfn built without the `kafka` feature (`cargo test --no-default-features --test it
/// without_kafka`): Kafka triggers are kept and listed, and whatever would need a Kafka client
/// says this kfn has none.
#[cfg(not(feature = "kafka"))]
#[test]
fn without_the_kafka_feature_kafka_triggers_are_stored_and_say_why_they_are_not_consumed() {
    const WHY: &str = "this kfn was built without Kafka support (cargo feature `kafka`)";
    let engine = Engine::start();
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "kt",
            "--function-selector",
            "function=consumer",
            "--trigger-topic",
            "t1",
        ]),
        "kafka create",
    );
    wait_trigger(
        &engine,
        "kafka",
        &format!("not consumed: {WHY}"),
        10,
        "the status says this kfn cannot consume Kafka",
    );
    let list = engine.kfn(&["trigger", "kafka", "list", "-o", "wide"]);
    assert!(
        list.stdout.contains("kt") && list.stdout.contains("t1"),
        "{}",
        list.stdout
    );
    for (args, flag) in [
        (
            &[
                "trigger",
                "kafka",
                "publish",
                "--brokers",
                "127.0.0.1:9092",
                "--data",
                "x",
            ][..],
            "--brokers",
        ),
        (&["local", "start", "--kafka", "127.0.0.1:9092"][..], "--kafka"),
        (
            &["controller", "--kafka-brokers", "127.0.0.1:9092"][..],
            "--kafka-brokers",
        ),
    ] {
        let run = engine.kfn(args);
        fails(&run, WHY);
        assert!(run.stderr.contains(flag), "{args:?}: {}", run.stderr);
    }
    // Brokers for the controller it installs are another kfn's: still accepted.
    ok(
        &engine.kfn(&["install", "--dry-run", "--kafka-brokers", "kafka.kubeless:9092"]),
        "install --kafka-brokers",
    );
    ok(&engine.kfn(&["trigger", "kafka", "delete", "kt"]), "kafka delete");
}

/// How many lines of the engine's log contain `needle`.
fn logged(engine: &Engine, needle: &str) -> usize {
    let log = std::fs::read_to_string(engine.state().join("engine.log")).unwrap_or_default();
    log.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn triggers_whose_fields_do_not_read_are_skipped_and_named_once_in_the_engine_log() {
    let engine = Engine::start();
    // Triggers written under a looser schema (an older CRD, or one edited by hand): the API
    // server validates writes against the CRD's schema, so it is loosened first, as it would have
    // to be on a cluster.
    for crd in ["httptriggers.kubeless.io", "cronjobtriggers.kubeless.io"] {
        let loose = r#"[{"op": "replace", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/spec",
            "value": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}]"#;
        ok(
            &engine.kubectl(&["patch", "crd", crd, "--type=json", "-p", loose]),
            "loosen the CRD",
        );
    }
    let triggers = r#"
apiVersion: kubeless.io/v1beta1
kind: HTTPTrigger
metadata: {name: mistyped, namespace: default}
spec: {function-name: hello, host-name: mistyped.test, path: "", cors-enable: "yes"}
---
apiVersion: kubeless.io/v1beta1
kind: CronJobTrigger
metadata: {name: mistyped, namespace: default}
spec: {function-name: hello, schedule: 5}
"#;
    // kubectl ≤1.26 checks the CRDs' OpenAPI schemas itself first: --validate=false.
    ok(
        &engine.kubectl_stdin(&["apply", "--validate=false", "-f", "-"], Some(triggers)),
        "apply",
    );
    // The deploy takes many cron ticks: the broken schedule is still named once.
    deploy(&engine, "hello", &example("python/helloget.py"), "helloget.foo", &[]);
    let gw = gateway(&engine);
    for _ in 0..3 {
        let (code, body) = get(&gw, "mistyped.test", "/", None);
        assert_eq!(code, 404, "{body}");
        assert!(body.contains("no HTTP trigger routes"), "{body}");
    }
    let http = "HTTPTrigger default/mistyped cannot be read: spec.cors-enable: invalid type: string \"yes\", expected a boolean";
    let cron =
        "CronJobTrigger default/mistyped cannot be read: spec.schedule: invalid type: integer `5`, expected a string";
    assert_eq!(logged(&engine, http), 1, "one warning for three requests");
    assert_eq!(logged(&engine, cron), 1, "one warning for every tick since");

    // Another mistake is named again; a fixed trigger routes.
    let patch = |spec: &str| {
        let run = engine.kubectl(&["patch", "httptrigger", "mistyped", "--type=merge", "-p", spec]);
        ok(&run, "patch");
    };
    patch(r#"{"spec": {"cors-enable": true, "gateway": "haproxy"}}"#);
    assert_eq!(get(&gw, "mistyped.test", "/", None).0, 404);
    assert_eq!(
        logged(
            &engine,
            "HTTPTrigger default/mistyped cannot be read: spec.gateway: unknown variant `haproxy`"
        ),
        1
    );
    patch(r#"{"spec": {"gateway": "nginx"}}"#);
    assert_eq!(get(&gw, "mistyped.test", "/", None), (200, "hello world".into()));
}
