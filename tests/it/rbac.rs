//! Authentication and RBAC on the engine, through kubectl and kfn: a ServiceAccount's token
//! from `kubectl create token` may do what its Role grants and gets kube-apiserver's 403s for
//! the rest; forged tokens and tokens of deleted ServiceAccounts are refused; the admin token
//! stays an administrator.

use std::process::Command;

use crate::common::{Engine, Run, ok, run_with_stdin};

/// Namespaces a and b, a ServiceAccount `dev` in a whose Role lets it read and create
/// functions and deployments (and read logs and call functions) in a only.
const SETUP: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: dev, namespace: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev, namespace: a}
rules:
- apiGroups: [kubeless.io]
  resources: [functions]
  verbs: [get, list, watch, create]
- apiGroups: [""]
  resources: [pods/log, services/proxy]
  verbs: [get, create]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}
subjects:
- {kind: ServiceAccount, name: dev, namespace: a}
"#;

const FUNCTION: &str = r#"
apiVersion: kubeless.io/v1beta1
kind: Function
metadata: {name: f, namespace: NS}
spec: {runtime: python3.12, handler: handler.hello, function: "def hello(event, context):\n    return 'hi'\n"}
"#;

const SA: &str = "system:serviceaccount:a:dev";

fn setup() -> (Engine, String) {
    let engine = Engine::start_no_run();
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(SETUP)),
        "apply the tenant setup",
    );
    let run = engine.kubectl(&["create", "token", "dev", "-n", "a", "--duration", "1h"]);
    ok(&run, "kubectl create token");
    let token = run.stdout.trim().to_string();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    (engine, token)
}

/// kubectl with the engine's kubeconfig but another token.
fn kubectl_as(engine: &Engine, token: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(engine.kubeconfig())
        .arg("--token")
        .arg(token)
        .args(args)
        .env("HOME", engine.home.path());
    run_with_stdin(cmd, stdin, "kubectl is installed (.ci/run installs it)")
}

fn forbidden(run: &Run, message: &str) {
    assert_ne!(run.code, 0, "expected a 403:\n{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("Error from server (Forbidden): {message}")),
        "expected the 403 {message:?}:\n{}",
        run.stderr
    );
}

#[test]
fn a_service_account_token_does_what_its_role_allows_and_gets_kube_apiservers_403s_otherwise() {
    let (engine, token) = setup();
    let sa = |args: &[&str]| kubectl_as(&engine, &token, args, None);

    // Allowed: what the Role grants, in its namespace, and discovery on the way.
    ok(&sa(&["get", "functions", "-n", "a"]), "list functions in a");
    ok(
        &kubectl_as(
            &engine,
            &token,
            &["apply", "-f", "-"],
            Some(&FUNCTION.replace("NS", "a")),
        ),
        "create a function in a",
    );
    let run = sa(&["get", "function", "f", "-n", "a", "-o", "jsonpath={.metadata.name}"]);
    ok(&run, "get the function in a");
    assert_eq!(run.stdout, "f");

    // Denied, each in kube-apiserver's words.
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&FUNCTION.replace("NS", "b"))),
        "the admin creates a function in b",
    );
    forbidden(
        &sa(&["get", "functions", "-n", "b"]),
        &format!(
            "functions.kubeless.io is forbidden: User \"{SA}\" cannot list resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\""
        ),
    );
    forbidden(
        &sa(&["get", "function", "f", "-n", "b"]),
        &format!(
            "functions.kubeless.io \"f\" is forbidden: User \"{SA}\" cannot get resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\""
        ),
    );
    forbidden(
        &sa(&["delete", "function", "f", "-n", "a"]),
        &format!(
            "functions.kubeless.io \"f\" is forbidden: User \"{SA}\" cannot delete resource \"functions\" in API group \"kubeless.io\" in the namespace \"a\""
        ),
    );
    forbidden(
        &sa(&["get", "functions", "-A"]),
        &format!(
            "functions.kubeless.io is forbidden: User \"{SA}\" cannot list resource \"functions\" in API group \"kubeless.io\" at the cluster scope"
        ),
    );
    forbidden(
        &sa(&["create", "namespace", "x"]),
        &format!(
            "namespaces is forbidden: User \"{SA}\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope"
        ),
    );
    forbidden(
        &sa(&["get", "configmaps", "-n", "a"]),
        &format!(
            "configmaps is forbidden: User \"{SA}\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"a\""
        ),
    );
    // Logs, the service proxy and watches are authorized like the rest, before anything is read.
    forbidden(
        &sa(&["get", "--raw", "/api/v1/namespaces/b/pods/p/log"]),
        &format!(
            "pods \"p\" is forbidden: User \"{SA}\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"b\""
        ),
    );
    forbidden(
        &sa(&["get", "--raw", "/api/v1/namespaces/b/services/f:8080/proxy/"]),
        &format!(
            "services \"f:8080\" is forbidden: User \"{SA}\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"b\""
        ),
    );
    forbidden(
        &sa(&[
            "get",
            "--raw",
            "/apis/kubeless.io/v1beta1/namespaces/b/functions?watch=1",
        ]),
        &format!(
            "functions.kubeless.io is forbidden: User \"{SA}\" cannot watch resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\""
        ),
    );
    // Nothing was changed by the denied requests.
    ok(&engine.kubectl(&["get", "function", "f", "-n", "a"]), "f is still in a");
    let run = engine.kubectl(&["get", "namespace", "x"]);
    assert_ne!(run.code, 0, "no namespace x was made: {}", run.stdout);
}

#[test]
fn kubectl_auth_can_i_and_whoami_answer_for_the_token() {
    let (engine, token) = setup();
    let sa = |args: &[&str]| kubectl_as(&engine, &token, args, None);
    let run = sa(&["auth", "can-i", "create", "functions.kubeless.io", "-n", "a"]);
    assert_eq!((run.code, run.stdout.trim()), (0, "yes"), "{}", run.stderr);
    let run = sa(&["auth", "can-i", "delete", "functions.kubeless.io", "-n", "a"]);
    assert_eq!((run.code, run.stdout.trim()), (1, "no"), "{}", run.stderr);
    let run = sa(&["auth", "can-i", "list", "functions.kubeless.io", "-n", "b"]);
    assert_eq!((run.code, run.stdout.trim()), (1, "no"), "{}", run.stderr);
    let run = sa(&["auth", "can-i", "get", "pods", "--subresource=log", "-n", "a"]);
    assert_eq!((run.code, run.stdout.trim()), (0, "yes"), "{}", run.stderr);
    let run = sa(&["auth", "can-i", "--list", "-n", "a"]);
    ok(&run, "can-i --list");
    assert!(run.stdout.contains("functions.kubeless.io"), "{}", run.stdout);
    let run = sa(&[
        "auth",
        "whoami",
        "-o",
        "jsonpath={.status.userInfo.username} {.status.userInfo.groups}",
    ]);
    ok(&run, "whoami");
    assert!(run.stdout.starts_with(SA), "{}", run.stdout);
    assert!(run.stdout.contains("system:serviceaccounts:a"), "{}", run.stdout);
    // The administrator may act as the ServiceAccount (`--as`), and is then held to its Role;
    // the ServiceAccount may not act as anyone.
    let run = engine.kubectl(&["--as", SA, "auth", "can-i", "list", "functions.kubeless.io", "-n", "b"]);
    assert_eq!((run.code, run.stdout.trim()), (1, "no"), "{}", run.stderr);
    let run = engine.kubectl(&["--as", SA, "get", "functions", "-n", "a"]);
    ok(&run, "the administrator as the ServiceAccount lists functions in a");
    let run = sa(&[
        "--as",
        "kfn:local-admin",
        "--as-group",
        "system:masters",
        "get",
        "functions",
        "-n",
        "b",
    ]);
    forbidden(
        &run,
        &format!(
            "functions.kubeless.io is forbidden: User \"{SA}\" cannot impersonate-on:user-info:list resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\""
        ),
    );
    // The admin token stays an administrator.
    let run = engine.kubectl(&["auth", "can-i", "*", "*", "--all-namespaces"]);
    assert_eq!((run.code, run.stdout.trim()), (0, "yes"), "{}", run.stderr);
    let run = engine.kubectl(&["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert_eq!(run.stdout, "kfn:local-admin");
}

#[test]
fn forged_and_orphaned_tokens_are_unauthorized_and_token_requests_are_checked() {
    let (engine, token) = setup();
    let unauthorized = |run: &Run| {
        assert_ne!(run.code, 0, "{}", run.stdout);
        assert!(run.stderr.contains("Unauthorized"), "expected a 401:\n{}", run.stderr);
    };
    // A token whose signature does not match.
    let (body, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{body}.{flipped}{}", &signature[1..]);
    unauthorized(&kubectl_as(&engine, &forged, &["get", "functions", "-n", "a"], None));
    unauthorized(&kubectl_as(
        &engine,
        "not-a-token",
        &["get", "functions", "-n", "a"],
        None,
    ));
    // Signed with the engine's own key, but expired: refused too (and so is the same token
    // still valid, for another uid than the ServiceAccount's).
    let key = std::fs::read(engine.state().join("serviceaccount.key")).unwrap();
    let run = engine.kubectl(&[
        "get",
        "serviceaccount",
        "dev",
        "-n",
        "a",
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    ok(&run, "the ServiceAccount's uid");
    let uid = run.stdout.trim().to_string();
    let sign = |age: i64, lasts: i64, uid: &str| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            - age;
        let claims = serde_json::json!({
            "iss": "https://kubernetes.default.svc.cluster.local", "sub": SA,
            "aud": ["https://kubernetes.default.svc.cluster.local"],
            "iat": now, "nbf": now, "exp": now + lasts, "jti": "x",
            "kubernetes.io": {"namespace": "a", "serviceaccount": {"name": "dev", "uid": uid}},
        });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&key),
        )
        .unwrap()
    };
    // The test's own token works, so the two refusals below are for what they change.
    ok(
        &kubectl_as(&engine, &sign(0, 600, &uid), &["get", "functions", "-n", "a"], None),
        "a token signed like the engine's",
    );
    unauthorized(&kubectl_as(
        &engine,
        &sign(7200, 3600, &uid),
        &["get", "functions", "-n", "a"],
        None,
    ));
    unauthorized(&kubectl_as(
        &engine,
        &sign(0, 600, "another-uid"),
        &["get", "functions", "-n", "a"],
        None,
    ));

    // Too short, and for a ServiceAccount that is not there: the real server's answers.
    let run = engine.kubectl(&["create", "token", "dev", "-n", "a", "--duration", "5m"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes"),
        "{}",
        run.stderr
    );
    let run = engine.kubectl(&["create", "token", "missing", "-n", "a"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("serviceaccounts \"missing\" not found"),
        "{}",
        run.stderr
    );

    // Deleting the ServiceAccount ends its tokens, even when one of the same name comes back.
    ok(
        &kubectl_as(&engine, &token, &["get", "functions", "-n", "a"], None),
        "the token works",
    );
    ok(
        &engine.kubectl(&["delete", "serviceaccount", "dev", "-n", "a"]),
        "delete the ServiceAccount",
    );
    unauthorized(&kubectl_as(&engine, &token, &["get", "functions", "-n", "a"], None));
    ok(
        &engine.kubectl(&["create", "serviceaccount", "dev", "-n", "a"]),
        "a new dev",
    );
    unauthorized(&kubectl_as(&engine, &token, &["get", "functions", "-n", "a"], None));
}

#[test]
fn kfn_with_a_service_account_kubeconfig_is_held_to_its_role() {
    let (engine, token) = setup();
    // The engine's kubeconfig with the ServiceAccount's token and namespace a.
    let admin = std::fs::read_to_string(engine.kubeconfig()).unwrap();
    let admin_token = std::fs::read_to_string(engine.state().join("token")).unwrap();
    let config = admin
        .replace(admin_token.trim(), &token)
        .replace("namespace: default", "namespace: a");
    let path = engine.home.path().join("dev.kubeconfig");
    std::fs::write(&path, config).unwrap();
    let kfn = |args: &[&str]| -> Run {
        crate::common::kfn_command(engine.home.path())
            .env("KUBECONFIG", &path)
            .args(args)
            .output()
            .expect("kfn runs")
            .into()
    };
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&FUNCTION.replace("NS", "b"))),
        "the admin creates a function in b",
    );
    let run = kfn(&["function", "ls", "--kubeconfig", path.to_str().unwrap()]);
    ok(&run, "kfn function ls in a");
    let run = kfn(&["function", "ls", "-n", "b", "--kubeconfig", path.to_str().unwrap()]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    // kfn's log line quotes the server's message (`\"`).
    assert!(
        run.stderr.replace("\\\"", "\"").contains(&format!("403 Forbidden): functions.kubeless.io is forbidden: User \"{SA}\" cannot list resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\"")),
        "{}",
        run.stderr
    );
}

#[test]
fn the_bootstrap_edit_role_lets_a_service_account_work_with_functions() {
    let (engine, _) = setup();
    // The aggregated role shows the rules it gathers, kfn's kinds among them.
    let run = engine.kubectl(&["get", "clusterrole", "edit", "-o", "jsonpath={.rules[*].apiGroups}"]);
    ok(&run, "get clusterrole edit");
    assert!(run.stdout.contains("kubeless.io"), "{}", run.stdout);
    ok(
        &engine.kubectl(&["create", "serviceaccount", "ed", "-n", "b"]),
        "a ServiceAccount in b",
    );
    ok(
        &engine.kubectl(&[
            "create",
            "rolebinding",
            "ed",
            "--clusterrole=edit",
            "--serviceaccount=b:ed",
            "-n",
            "b",
        ]),
        "bind it to edit in b",
    );
    let run = engine.kubectl(&["create", "token", "ed", "-n", "b"]);
    ok(&run, "a token for ed");
    let token = run.stdout.trim().to_string();
    ok(
        &kubectl_as(
            &engine,
            &token,
            &["apply", "-f", "-"],
            Some(&FUNCTION.replace("NS", "b")),
        ),
        "edit creates a function in b",
    );
    ok(
        &kubectl_as(&engine, &token, &["delete", "function", "f", "-n", "b"], None),
        "and deletes it",
    );
    forbidden(
        &kubectl_as(&engine, &token, &["get", "roles", "-n", "b"], None),
        "roles.rbac.authorization.k8s.io is forbidden: User \"system:serviceaccount:b:ed\" cannot list resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace \"b\"",
    );
}
