//! `kfn tenant` on a real control plane, where RBAC and ResourceQuota are the API server's own:
//! the objects `kfn tenant create` renders let a tenant's developer work in its namespace and
//! nothing else (the same 403s the engine must give), its quota refuses the (n+1)th function
//! with Kubernetes' message, and `kfn tenant kubeconfig` works for kfn and kubectl.

use serde_json::Value;

use crate::common::{fails, ok, write};
use crate::kube::{Cluster, kube_bin};
use crate::tenants::Tenant;

/// A Pod that mounts the host's root, in tenant team-b's namespace.
const HOST_PATH_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: host, namespace: team-b}
spec:
  containers: [{name: c, image: busybox, volumeMounts: [{name: root, mountPath: /host}]}]
  volumes: [{name: root, hostPath: {path: /}}]
"#;

/// `text` as kfn's log line on stderr quotes it (`"` escaped).
pub fn logged(text: &str) -> String {
    text.replace('"', "\\\"")
}

/// What the API server says when tenant `tenant`'s developer may not `verb` `resource` in
/// `namespace`, as kfn logs it.
pub fn forbidden(tenant: &str, verb: &str, resource: &str, group: &str, namespace: &str) -> String {
    logged(&format!(
        "User \"system:serviceaccount:{tenant}:kfn-developer\" cannot {verb} resource \"{resource}\" in API group \"{group}\" in the namespace \"{namespace}\""
    ))
}

#[test]
fn tenants_work_in_their_namespace_only_and_hit_their_quota() {
    let cluster = Cluster::installed();
    let run = cluster.kfn(&[
        "tenant",
        "create",
        "team-a",
        "--functions",
        "2",
        "--replicas",
        "3",
        "--cpu",
        "1",
        "--memory",
        "512Mi",
    ]);
    ok(&run, "kfn tenant create team-a");
    assert!(run.stderr.contains("NetworkPolicy kfn-tenant"), "{}", run.stderr);
    ok(
        &cluster.kfn(&["tenant", "create", "team-b"]),
        "kfn tenant create team-b",
    );

    // Bad input is refused before anything is made.
    fails(
        &cluster.kfn(&["tenant", "create", "team-a"]),
        "Failed to create tenant team-a: it already exists",
    );
    fails(
        &cluster.kfn(&["tenant", "create", "default"]),
        "namespace default already exists and is not a tenant's",
    );
    fails(
        &cluster.kfn(&["tenant", "create", "Team_C"]),
        &logged("Invalid tenant name \"Team_C\""),
    );
    fails(
        &cluster.kfn(&["tenant", "create", "team-c", "--memory", "lots"]),
        &logged("Invalid --memory: \"lots\" is not a quantity"),
    );
    let run = cluster.kubectl(&["get", "namespace", "team-c"]);
    assert_ne!(run.code, 0, "nothing made for a refused create: {}", run.stdout);

    let policy = cluster.get(&["-n", "team-a", "get", "networkpolicy", "kfn-tenant"]);
    assert_eq!(
        policy["spec"]["ingress"][0]["from"][1]["namespaceSelector"]["matchExpressions"][0]["operator"],
        "DoesNotExist"
    );

    // Tokens of an hour, as a team would ask for one.
    let admin = |args: &[&str]| cluster.kfn(&[args, &["--duration", "1h"]].concat());
    let kubectl = kube_bin().join("kubectl");
    let a = Tenant::of("team-a", admin, cluster.home.path(), &kubectl);
    let b = Tenant::of("team-b", admin, cluster.home.path(), &kubectl);
    let run = a.kubectl(&["auth", "whoami", "-o", "json"]);
    ok(&run, "kubectl auth whoami with team-a's kubeconfig");
    let who: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        who["status"]["userInfo"]["username"],
        "system:serviceaccount:team-a:kfn-developer"
    );

    // A developer's work, in the kubeconfig's namespace (no -n).
    let code = cluster.hello_code();
    let code = code.to_str().unwrap();
    let deploy = |kc: &Tenant, name: &str| {
        kc.kfn(&[
            "function",
            "deploy",
            name,
            "--runtime",
            "python3.12",
            "--from-file",
            code,
            "--handler",
            "hello.hello",
        ])
    };
    ok(&deploy(&a, "f1"), "team-a deploys f1");
    ok(&deploy(&a, "f2"), "team-a deploys f2");
    fails(
        &deploy(&a, "f3"),
        &logged(
            "functions.kubeless.io \"f3\" is forbidden: exceeded quota: kfn-tenant, requested: count/functions.kubeless.io=1, used: count/functions.kubeless.io=2, limited: count/functions.kubeless.io=2",
        ),
    );
    let flow = write(
        cluster.home.path(),
        "flow.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"f1","End":true}}}"#,
    );
    for (what, args) in [
        ("function ls", vec!["function", "ls"]),
        ("function describe", vec!["function", "describe", "f1"]),
        ("function update", vec!["function", "update", "f1", "--from-file", code]),
        (
            "trigger http create",
            vec!["trigger", "http", "create", "h1", "--function-name", "f1"],
        ),
        (
            "trigger cronjob create",
            vec![
                "trigger",
                "cronjob",
                "create",
                "c1",
                "--function",
                "f1",
                "--schedule",
                "*/5 * * * *",
            ],
        ),
        ("trigger cronjob list", vec!["trigger", "cronjob", "list"]),
        (
            "autoscale create",
            vec![
                "autoscale",
                "create",
                "f1",
                "--max",
                "3",
                "--metric",
                "cpu",
                "--value",
                "50",
            ],
        ),
        ("autoscale list", vec!["autoscale", "list"]),
        (
            "flow deploy",
            vec!["flow", "deploy", "fl", "--from-file", flow.to_str().unwrap()],
        ),
        ("flow start", vec!["flow", "start", "fl"]),
        ("flow executions", vec!["flow", "executions", "fl"]),
        ("get-server-config", vec!["get-server-config"]),
    ] {
        ok(&a.kfn(&args), &format!("team-a: kfn {what}"));
    }
    ok(
        &a.kubectl(&[
            "get",
            "functions,httptriggers,cronjobtriggers,flows,executions,pods,events",
        ]),
        "team-a: kubectl get of its objects",
    );

    // Another tenant's namespace: the API server's 403s.
    let run = b.kfn(&["-n", "team-a", "function", "ls"]);
    fails(&run, &forbidden("team-b", "list", "functions", "kubeless.io", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "describe", "f1"]);
    fails(&run, &forbidden("team-b", "get", "functions", "kubeless.io", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "call", "f1"]);
    fails(&run, &forbidden("team-b", "get", "services", "", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "logs", "f1"]);
    fails(&run, &forbidden("team-b", "list", "pods", "", "team-a"));
    let run = b.kfn(&["-n", "team-a", "flow", "list"]);
    fails(&run, &forbidden("team-b", "list", "flows", "kfn.io", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "delete", "f1"]);
    fails(&run, "forbidden");
    // Nothing cluster-wide.
    let run = b.kubectl(&["create", "namespace", "evil"]);
    assert!(
        run.code != 0
            && run.stderr.contains(
                "User \"system:serviceaccount:team-b:kfn-developer\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope"
            ),
        "{}",
        run.stderr
    );
    fails(
        &b.kfn(&["tenant", "list"]),
        &logged("cannot list resource \"namespaces\""),
    );
    fails(&b.kfn(&["tenant", "kubeconfig", "team-a"]), "forbidden");
    // Not its own quota either.
    let run = b.kubectl(&["-n", "team-b", "delete", "resourcequota", "kfn-tenant"]);
    assert!(run.code != 0 && run.stderr.contains("forbidden"), "{}", run.stderr);
    // No Pod of a tenant's namespace gets the host's files (the controller makes Pods from what
    // a Function says): Pod Security admission refuses one, whoever makes it.
    let run = cluster.kubectl_stdin(&["apply", "-f", "-"], Some(HOST_PATH_POD));
    assert!(
        run.code != 0
            && run
                .stderr
                .contains("violates PodSecurity \"baseline:latest\": hostPath volumes"),
        "a Pod with a hostPath volume in a tenant's namespace: {}{}",
        run.stdout,
        run.stderr
    );

    // The administrator's view.
    let run = cluster.kfn(&["tenant", "list"]);
    ok(&run, "kfn tenant list");
    let row: Vec<&str> = run
        .stdout
        .lines()
        .find(|l| l.starts_with("team-a"))
        .unwrap_or_else(|| panic!("team-a listed: {}", run.stdout))
        .split_whitespace()
        .collect();
    assert_eq!(&row[..5], ["team-a", "2/2", "0/3", "0/1", "0/512Mi"], "{}", run.stdout);
    let run = cluster.kfn(&["tenant", "list", "-o", "json"]);
    ok(&run, "kfn tenant list -o json");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["team-a", "team-b"]);
    let run = cluster.kfn(&["tenant", "describe", "team-a"]);
    ok(&run, "kfn tenant describe team-a");
    assert!(run.stdout.contains("functions: 2 of 2"), "{}", run.stdout);

    fails(
        &cluster.kfn(&["tenant", "delete", "default"]),
        "Namespace default is not a tenant's",
    );
    fails(
        &cluster.kfn(&["tenant", "describe", "nope"]),
        "Tenant nope is not found",
    );
    ok(
        &cluster.kfn(&["tenant", "delete", "team-b"]),
        "kfn tenant delete team-b",
    );
    let ns = cluster.kubectl(&["get", "namespace", "team-b", "-o", "json"]);
    if ns.code == 0 {
        let ns: Value = serde_json::from_str(&ns.stdout).unwrap();
        assert_eq!(ns["status"]["phase"], "Terminating");
    }
}

/// `kfn controller` applies the flows' rule across namespaces: a Task of an execution in a
/// tenant's namespace cannot call a function elsewhere (`States.Permissions`, both namespaces
/// named), while one between namespaces of no tenant still does (the controller may read the
/// namespaces' labels with the RBAC `kfn install` gives it).
#[test]
fn the_controller_keeps_flows_tasks_within_tenants() {
    let cluster = Cluster::installed();
    super::flows::flow_crds_established(&cluster);
    let engine = crate::common::Engine::start();
    ok(
        &crate::common::deploy_code(
            &engine,
            "double",
            "python3.12",
            "double.py",
            "def handler(event, context):\n    return {'n': event['data']['n'] * 2}\n",
            &["-n", "shared", "--wait"],
        ),
        "deploy shared/double on the engine",
    );
    let controller = super::flows::controller(&cluster, &engine, "tenants");
    ok(
        &cluster.kfn(&["tenant", "create", "team-a"]),
        "kfn tenant create team-a",
    );
    let definition =
        r#"{"StartAt":"Double","States":{"Double":{"Type":"Task","Resource":"shared/double","End":true}}}"#;
    let file = write(cluster.home.path(), "double.asl.json", definition);
    let file = file.to_str().unwrap();
    for ns in ["default", "team-a"] {
        ok(
            &cluster.kfn(&["-n", ns, "flow", "deploy", "twice", "--from-file", file]),
            &format!("kfn flow deploy in {ns}"),
        );
    }
    let start = |ns: &str| {
        cluster.kfn(&[
            "-n",
            ns,
            "flow",
            "start",
            "twice",
            "--data",
            r#"{"n": 21}"#,
            "--wait",
            "--timeout",
            "180s",
        ])
    };
    let run = start("default");
    assert_eq!(
        run.code,
        0,
        "a Task between namespaces of no tenant: {}{}\ncontroller log:\n{}",
        run.stdout,
        run.stderr,
        controller.log()
    );
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        serde_json::json!({"n": 42})
    );
    let run = start("team-a");
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        run.code != 0
            && said.contains("States.Permissions")
            && said.contains("in namespace team-a may not call a function in namespace shared"),
        "a Task of tenant team-a calling shared/double: {said}\ncontroller log:\n{}",
        controller.log()
    );
}
