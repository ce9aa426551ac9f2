//! Tenants on one engine (docs/tenants.md): two teams made with `kfn tenant create`, each working
//! with the kubeconfig `kfn tenant kubeconfig` prints, through the real kfn and kubectl. What team-a
//! tries against team-b and against the whole engine is refused with the API server's 403, and
//! nothing changes; a tenant's quota stops its (n+1)th function and a replica beyond its replicas;
//! a function a tenant deploys cannot read the engine's token or state, nor use a token it finds.
//!
//! The attempts and the refusals they must get are written down once here ([`attempts`]);
//! tests/it/kube/tenants.rs makes the same attempts on a real kube-apiserver and on an engine side
//! by side and checks that both refuse them in the same words.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, Run, eventually, example, kfn_command, ok, run_with_stdin};

/// The user a tenant's kubeconfig authenticates as (its ServiceAccount `kfn-developer`).
pub fn developer(tenant: &str) -> String {
    format!("system:serviceaccount:{tenant}:kfn-developer")
}

/// A tenant as its developers work: kfn and kubectl with the kubeconfig from `kfn tenant kubeconfig`.
pub struct Tenant {
    pub name: String,
    pub kubeconfig: PathBuf,
    pub home: PathBuf,
    kubectl: PathBuf,
}

impl Tenant {
    /// Runs `kfn tenant kubeconfig NAME` through `admin` (kfn with an administrator's kubeconfig)
    /// and writes what it prints to `<home>/<name>.kubeconfig`, as the docs do with `>`.
    pub fn of(name: &str, admin: impl Fn(&[&str]) -> Run, home: &Path, kubectl: &Path) -> Tenant {
        let run = admin(&["tenant", "kubeconfig", name]);
        ok(&run, &format!("kfn tenant kubeconfig {name}"));
        let kubeconfig = crate::common::write(home, &format!("{name}.kubeconfig"), &run.stdout);
        Tenant {
            name: name.to_string(),
            kubeconfig,
            home: home.to_path_buf(),
            kubectl: kubectl.to_path_buf(),
        }
    }

    /// `kfn --kubeconfig <tenant's> ARGS`.
    pub fn kfn(&self, args: &[&str]) -> Run {
        kfn_command(&self.home)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .output()
            .expect("kfn runs")
            .into()
    }

    /// `kubectl --kubeconfig <tenant's> ARGS`.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(&self.kubectl);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env("HOME", &self.home)
            .env_remove("KUBECONFIG");
        run_with_stdin(cmd, None, "kubectl runs")
    }

    pub fn run(&self, tool: Tool, args: &[String]) -> Run {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match tool {
            Tool::Kfn => self.kfn(&args),
            Tool::Kubectl => self.kubectl(&args),
        }
    }

    /// Deploys `examples/tenants/<team>/hello.py` as `name` in the tenant's own namespace.
    pub fn deploy_hello(&self, name: &str, team: &str, extra: &[&str]) -> Run {
        let code = example(&format!("tenants/{team}/hello.py"));
        let mut args = vec![
            "function",
            "deploy",
            name,
            "--runtime",
            "python3.12",
            "--from-file",
            &code,
            "--handler",
            "hello.handler",
        ];
        args.extend_from_slice(extra);
        self.kfn(&args)
    }
}

/// Which client makes an attempt.
#[derive(Clone, Copy, Debug)]
pub enum Tool {
    Kfn,
    Kubectl,
}

/// What the server must answer to an attempt.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// Exactly this message (the Status's), as kube-apiserver words it.
    Exactly(String),
    /// A message with each of these in it (where the request depends on how a command is written).
    Says(Vec<String>),
}

/// Something team-a tries that must be refused.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub what: &'static str,
    pub tool: Tool,
    pub args: Vec<String>,
    pub refusal: Refusal,
}

/// RBAC's 403 message: `<object> is forbidden: User "<user>" cannot <verb> resource "<resource>" in
/// API group "<group>" <where>`.
pub fn forbidden(object: &str, user: &str, verb: &str, resource: &str, group: &str, scope: &str) -> String {
    format!(
        "{object} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"
    )
}

pub fn in_namespace(ns: &str) -> String {
    format!("in the namespace \"{ns}\"")
}

pub const CLUSTER_SCOPE: &str = "at the cluster scope";

/// The function team-b owns, which team-a goes after.
pub const TARGET: &str = "hello";

/// What team-a tries against team-b (whose function [`TARGET`] exists) and against the whole
/// server, each with the refusal kube-apiserver gives. `code` is a function's source file.
pub fn attempts(code: &str) -> Vec<Attempt> {
    let a = developer("team-a");
    let b = in_namespace("team-b");
    let target = format!("functions.kubeless.io \"{TARGET}\"");
    let fns = |object: &str, verb: &str| forbidden(object, &a, verb, "functions", "kubeless.io", &b);
    let cluster = |resource: &str, group: &str, verb: &str| {
        let object = if group.is_empty() {
            resource.to_string()
        } else {
            format!("{resource}.{group}")
        };
        forbidden(&object, &a, verb, resource, group, CLUSTER_SCOPE)
    };
    let attempt = |what, tool, args: &[&str], refusal| Attempt {
        what,
        tool,
        args: args.iter().map(|s| s.to_string()).collect(),
        refusal,
    };
    use Refusal::Exactly;
    use Tool::{Kfn, Kubectl};
    vec![
        attempt(
            "list team-b's functions",
            Kfn,
            &["function", "list", "-n", "team-b"],
            Exactly(fns("functions.kubeless.io", "list")),
        ),
        attempt(
            "describe team-b's function",
            Kfn,
            &["function", "describe", TARGET, "-n", "team-b"],
            Exactly(fns(&target, "get")),
        ),
        // kfn call finds the function's Service before it calls through the service proxy.
        attempt(
            "call team-b's function",
            Kfn,
            &["function", "call", TARGET, "-n", "team-b"],
            Exactly(forbidden(
                &format!("services \"{TARGET}\""),
                &a,
                "get",
                "services",
                "",
                &b,
            )),
        ),
        attempt(
            "read team-b's function's logs",
            Kfn,
            &["function", "logs", TARGET, "-n", "team-b"],
            Exactly(forbidden("pods", &a, "list", "pods", "", &b)),
        ),
        attempt(
            "top of team-b's function",
            Kfn,
            &["function", "top", "-f", TARGET, "-n", "team-b"],
            Exactly(fns(&target, "get")),
        ),
        attempt(
            "delete team-b's function",
            Kfn,
            &["function", "delete", TARGET, "-n", "team-b"],
            Exactly(fns(&target, "delete")),
        ),
        attempt(
            "deploy a function into team-b",
            Kfn,
            &[
                "function",
                "deploy",
                "intruder",
                "-n",
                "team-b",
                "--runtime",
                "python3.12",
                "--from-file",
                code,
                "--handler",
                "hello.handler",
            ],
            Exactly(fns("functions.kubeless.io", "create")),
        ),
        attempt(
            "kubectl get functions -n team-b",
            Kubectl,
            &["get", "functions", "-n", "team-b"],
            Exactly(fns("functions.kubeless.io", "list")),
        ),
        attempt(
            "kubectl get secrets -n team-b",
            Kubectl,
            &["get", "secrets", "-n", "team-b"],
            Exactly(forbidden("secrets", &a, "list", "secrets", "", &b)),
        ),
        attempt(
            "watch team-b's functions",
            Kubectl,
            &[
                "get",
                "--raw",
                "/apis/kubeless.io/v1beta1/namespaces/team-b/functions?watch=true",
            ],
            Exactly(fns("functions.kubeless.io", "watch")),
        ),
        // The service proxy is authorized (services/proxy, named service:port) before it connects.
        attempt(
            "call team-b's function through the service proxy",
            Kubectl,
            &[
                "get",
                "--raw",
                &format!("/api/v1/namespaces/team-b/services/{TARGET}:http-function-port/proxy/"),
            ],
            Exactly(forbidden(
                &format!("services \"{TARGET}:http-function-port\""),
                &a,
                "get",
                "services/proxy",
                "",
                &b,
            )),
        ),
        // kube-apiserver's constrained impersonation names what would be done as whom.
        attempt(
            "impersonate an administrator",
            Kubectl,
            &["--as=system:admin", "get", "functions", "-n", "team-b"],
            Exactly(fns("functions.kubeless.io", "impersonate-on:user-info:list")),
        ),
        attempt(
            "impersonate team-b's developer",
            Kubectl,
            &[
                "--as=system:serviceaccount:team-b:kfn-developer",
                "get",
                "functions",
                "-n",
                "team-b",
            ],
            Exactly(fns("functions.kubeless.io", "impersonate-on:serviceaccount:list")),
        ),
        attempt(
            "a token of team-b's developer",
            Kubectl,
            &["create", "token", "kfn-developer", "-n", "team-b"],
            Exactly(forbidden(
                "serviceaccounts \"kfn-developer\"",
                &a,
                "create",
                "serviceaccounts/token",
                "",
                &b,
            )),
        ),
        attempt(
            "delete team-b's namespace",
            Kubectl,
            &["delete", "namespace", "team-b"],
            // A namespace's own requests are "in the namespace" it is.
            Exactly(forbidden("namespaces \"team-b\"", &a, "delete", "namespaces", "", &b)),
        ),
        attempt(
            "raise its own quota",
            Kubectl,
            &[
                "patch",
                "resourcequota",
                "kfn-tenant",
                "-n",
                "team-a",
                "--type=merge",
                "-p",
                r#"{"spec":{"hard":{"pods":"100"}}}"#,
            ],
            Exactly(forbidden(
                "resourcequotas \"kfn-tenant\"",
                &a,
                "patch",
                "resourcequotas",
                "",
                &in_namespace("team-a"),
            )),
        ),
        attempt(
            "kubectl get namespaces",
            Kubectl,
            &["get", "namespaces"],
            Exactly(cluster("namespaces", "", "list")),
        ),
        attempt(
            "kubectl create namespace x",
            Kubectl,
            &["create", "namespace", "x"],
            Exactly(cluster("namespaces", "", "create")),
        ),
        attempt(
            "create a ClusterRole",
            Kubectl,
            &["create", "clusterrole", "x", "--verb=get", "--resource=pods"],
            Exactly(cluster("clusterroles", "rbac.authorization.k8s.io", "create")),
        ),
        attempt(
            "bind itself to cluster-admin with a ClusterRoleBinding",
            Kubectl,
            &[
                "create",
                "clusterrolebinding",
                "x",
                "--clusterrole=cluster-admin",
                "--serviceaccount=team-a:kfn-developer",
            ],
            Exactly(cluster("clusterrolebindings", "rbac.authorization.k8s.io", "create")),
        ),
        // kfn tenant asks for the namespace first (how it asks is its own; kube-apiserver names a
        // namespace's own request "in the namespace" it is).
        attempt(
            "kfn tenant create, as a tenant",
            Kfn,
            &["tenant", "create", "team-c"],
            Refusal::Says(vec![
                format!("namespaces \"team-c\" is forbidden: User \"{a}\" cannot"),
                "resource \"namespaces\" in API group \"\"".into(),
            ]),
        ),
        attempt(
            "bind cluster-admin in its own namespace",
            Kubectl,
            &[
                "create",
                "rolebinding",
                "esc",
                "-n",
                "team-a",
                "--clusterrole=cluster-admin",
                "--serviceaccount=team-a:kfn-developer",
            ],
            Exactly(forbidden(
                "rolebindings.rbac.authorization.k8s.io",
                &a,
                "create",
                "rolebindings",
                "rbac.authorization.k8s.io",
                &in_namespace("team-a"),
            )),
        ),
    ]
}

/// The escalation team-a tries once it may create RoleBindings in its namespace (an administrator
/// granted that): binding cluster-admin there is refused by RBAC's escalation check.
pub fn escalation() -> Attempt {
    let a = developer("team-a");
    Attempt {
        what: "bind cluster-admin in its own namespace, allowed to create RoleBindings",
        tool: Tool::Kubectl,
        args: [
            "create",
            "rolebinding",
            "esc",
            "-n",
            "team-a",
            "--clusterrole=cluster-admin",
            "--serviceaccount=team-a:kfn-developer",
        ]
        .map(String::from)
        .to_vec(),
        refusal: Refusal::Says(vec![format!(
            "rolebindings.rbac.authorization.k8s.io \"esc\" is forbidden: user \"{a}\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:team-a\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:"
        )]),
    }
}

/// Makes the [`escalation`] attempt once the RoleBinding of [`BINDER`] is in force (until then
/// the attempt gets a plain 403; a real server's RBAC authorizer sees a new binding a moment
/// later); whether it was refused as it must be.
pub fn escalated(attempt: &Attempt, tenant: &Tenant) -> Result<String, String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let run = tenant.run(attempt.tool, &attempt.args);
        if run.code == 0 || run.stderr.contains("is attempting to grant") || std::time::Instant::now() > deadline {
            return judge(attempt, &run);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What an administrator applies to let team-a create RoleBindings in its own namespace (and
/// nothing else), so that the escalation check is what refuses [`escalation`].
pub const BINDER: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: binder, namespace: team-a}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: binder, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: binder}
subjects: [{kind: ServiceAccount, name: kfn-developer, namespace: team-a}]
"#;

/// The API server's refusal in what a command printed to stderr: the Status message, from the
/// object it names to its end (kfn's log line unescaped). Fails the test when the command did
/// not fail or printed no refusal.
pub fn refusal(run: &Run, what: &str) -> String {
    assert_ne!(
        run.code, 0,
        "{what} should be refused:\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    refusal_in(run).unwrap_or_else(|| panic!("{what}: no 403 refusal in what it printed:\n{}", run.stderr))
}

/// The Status message of a 403 in `run`'s stderr, if there is one.
fn refusal_in(run: &Run) -> Option<String> {
    let logged = run.stderr.contains("msg=\"");
    let text = if logged {
        run.stderr.replace("\\\"", "\"").replace("\\n", "\n")
    } else {
        run.stderr.clone()
    };
    let at = text.find(" is forbidden: ")?;
    let start = text[..at].rfind(": ").map_or(0, |i| i + 2);
    let mut message = text[start..].trim_end().to_string();
    if logged && message.ends_with('"') {
        message.pop();
    }
    Some(message)
}

/// Whether `attempt` was refused as it must be: the message the server gave, or what is wrong.
pub fn judge(attempt: &Attempt, run: &Run) -> Result<String, String> {
    if run.code == 0 {
        return Err(format!("not refused (exit 0): {}", run.stdout.trim()));
    }
    let Some(message) = refusal_in(run) else {
        return Err(format!("no 403 refusal in: {}", run.stderr.trim()));
    };
    match &attempt.refusal {
        Refusal::Exactly(expected) if &message != expected => {
            Err(format!("refused with {message:?}, not {expected:?}"))
        }
        Refusal::Says(needles) => match needles.iter().find(|n| !message.contains(n.as_str())) {
            Some(missing) => Err(format!("refused with {message:?}, which does not say {missing:?}")),
            None => Ok(message),
        },
        _ => Ok(message),
    }
}

/// Checks that `attempt` was refused as it must be; the message the server gave.
pub fn assert_refused(attempt: &Attempt, run: &Run, server: &str) -> String {
    judge(attempt, run).unwrap_or_else(|e| panic!("{} ({server}): {e}", attempt.what))
}

/// kfn with the engine's administrator kubeconfig.
fn admin(engine: &Engine) -> impl Fn(&[&str]) -> Run + '_ {
    move |args: &[&str]| engine.kfn(args)
}

/// The two teams of docs/tenants.md's worked example, made on `engine` as the page makes them.
fn two_teams(engine: &Engine, a_limits: &[&str]) -> (Tenant, Tenant) {
    let mut create = vec!["tenant", "create", "team-a"];
    create.extend_from_slice(a_limits);
    ok(&engine.kfn(&create), "kfn tenant create team-a");
    ok(&engine.kfn(&["tenant", "create", "team-b"]), "kfn tenant create team-b");
    let kubectl = Path::new("kubectl");
    let a = Tenant::of("team-a", admin(engine), engine.home.path(), kubectl);
    let b = Tenant::of("team-b", admin(engine), engine.home.path(), kubectl);
    (a, b)
}

/// What the function answered, with a generous wait for it to be ready.
fn call(tenant: &Tenant, name: &str) -> String {
    eventually(
        Duration::from_secs(90),
        &format!("{} calls {name}", tenant.name),
        || {
            let run = tenant.kfn(&["function", "call", name]);
            if run.code == 0 {
                Ok(run.stdout.trim().to_string())
            } else {
                Err(run.stderr)
            }
        },
    )
}

#[test]
fn two_teams_on_one_engine_work_in_their_namespaces_and_cannot_reach_each_other() {
    let engine = Engine::start();
    let (a, b) = two_teams(&engine, &["--functions", "2", "--replicas", "2"]);

    // Each team deploys `hello` in its own namespace with its own kubeconfig, and calls it.
    ok(&a.deploy_hello(TARGET, "team-a", &["--wait"]), "team-a deploys hello");
    ok(&b.deploy_hello(TARGET, "team-b", &["--wait"]), "team-b deploys hello");
    assert_eq!(call(&a, TARGET), "hello from team-a");
    assert_eq!(call(&b, TARGET), "hello from team-b");
    // What a developer needs in its namespace works: list, describe, logs, top, kubectl.
    let run = a.kfn(&["function", "list"]);
    ok(&run, "team-a lists its functions");
    assert!(run.stdout.contains(TARGET), "{}", run.stdout);
    ok(&a.kfn(&["function", "describe", TARGET]), "team-a describes hello");
    eventually(Duration::from_secs(60), "team-a reads its function's log", || {
        let run = a.kfn(&["function", "logs", TARGET]);
        if run.code == 0 && run.stdout.contains("team-a was called") {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });
    ok(&a.kfn(&["function", "top", "-f", TARGET]), "team-a's top");
    let run = a.kubectl(&["get", "functions", "-o", "name"]);
    ok(&run, "team-a's kubectl get functions");
    assert_eq!(run.stdout.trim(), "function.kubeless.io/hello");
    // Who the kubeconfig is (SelfSubjectReview).
    let run = a.kubectl(&["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    ok(&run, "kubectl auth whoami");
    assert_eq!(run.stdout.trim(), developer("team-a"));

    // Everything team-a tries against team-b and the whole engine is refused.
    let code = example("tenants/team-a/hello.py");
    for attempt in attempts(&code) {
        let run = a.run(attempt.tool, &attempt.args);
        assert_refused(&attempt, &run, "the engine");
    }
    // Nothing changed: team-b's function is there and answers; nothing cluster-wide was made.
    assert_eq!(call(&b, TARGET), "hello from team-b");
    let run = b.kfn(&["function", "list", "-o", "json"]);
    ok(&run, "team-b lists its functions");
    let names: Vec<String> = serde_json::from_str::<Value>(&run.stdout)
        .expect("JSON")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["metadata"]["name"].as_str().map(String::from))
        .collect();
    assert_eq!(names, [TARGET], "team-b's functions");
    nothing_was_made(|args| engine.kubectl(args));
}

#[test]
fn a_tenant_allowed_to_make_role_bindings_cannot_grant_itself_more_than_it_has() {
    let engine = Engine::start_no_run();
    let (a, _) = two_teams(&engine, &[]);
    let attempt = attempts("unused")
        .into_iter()
        .find(|t| t.what == "bind cluster-admin in its own namespace")
        .unwrap();
    assert_refused(&attempt, &a.run(attempt.tool, &attempt.args), "the engine");
    // An administrator lets team-a create RoleBindings in its namespace: binding cluster-admin is
    // still refused, by RBAC's escalation check, and no RoleBinding is made.
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(BINDER)),
        "an administrator applies the binder Role",
    );
    let attempt = escalation();
    if let Err(wrong) = escalated(&attempt, &a) {
        panic!("{} (the engine): {wrong}", attempt.what);
    }
    let run = engine.kubectl(&["-n", "team-a", "get", "rolebinding", "esc"]);
    assert!(run.stderr.contains("NotFound"), "{}{}", run.stdout, run.stderr);
    // What it holds it may grant: a RoleBinding to its own Role.
    ok(
        &a.kubectl(&[
            "create",
            "rolebinding",
            "mine",
            "--role=kfn-developer",
            "--serviceaccount=team-a:default",
        ]),
        "team-a binds its own Role to another of its ServiceAccounts",
    );
}

/// Checks, with an administrator's kubectl, that none of [`attempts`] left anything behind.
pub fn nothing_was_made(admin_kubectl: impl Fn(&[&str]) -> Run) {
    for args in [
        ["get", "namespace", "x"],
        ["get", "namespace", "team-c"],
        ["get", "clusterrole", "x"],
        ["get", "clusterrolebinding", "x"],
    ] {
        let run = admin_kubectl(&args);
        assert!(
            run.code != 0 && run.stderr.contains("NotFound"),
            "{args:?} should not be there:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    for args in [
        ["-n", "team-a", "get", "rolebinding", "esc"],
        ["-n", "team-b", "get", "function", "intruder"],
    ] {
        let run = admin_kubectl(&args);
        assert!(
            run.code != 0 && run.stderr.contains("NotFound"),
            "{args:?} should not be there:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    let run = admin_kubectl(&["-n", "team-b", "get", "function", TARGET, "-o", "name"]);
    ok(&run, "team-b's function is still there");
}

/// The exceeded-quota message of a function beyond `--functions N`.
pub fn functions_exceeded(name: &str, n: u32) -> String {
    format!(
        "functions.kubeless.io \"{name}\" is forbidden: exceeded quota: kfn-tenant, requested: count/functions.kubeless.io=1, used: count/functions.kubeless.io={n}, limited: count/functions.kubeless.io={n}"
    )
}

/// A function that reports what it could read of the engine and which tokens it found, and what
/// the engine's API answered with each (and with none).
const SPY_PY: &str = r#"
import os, ssl, urllib.request, urllib.error

def handler(event, context):
    ask = event['data']
    out = {'read': {}, 'api': {}}
    for path in ask['paths']:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, 'rb').read(1)
            out['read'][path] = 'read'
        except Exception as e:
            out['read'][path] = type(e).__name__
    # Tokens a function could find: its environment, Kubernetes' usual mount, the engine's file.
    tokens = [v for k, v in os.environ.items() if 'TOKEN' in k.upper()]
    for path in ['/var/run/secrets/kubernetes.io/serviceaccount/token', ask['token']]:
        try:
            tokens.append(open(path).read().strip())
        except Exception:
            pass
    out['tokens'] = len(tokens)
    unverified = ssl._create_unverified_context()
    for name, token in [('none', None)] + [('found %d' % i, t) for i, t in enumerate(tokens)]:
        request = urllib.request.Request(ask['server'] + '/api/v1/namespaces/team-b/secrets')
        if token:
            request.add_header('Authorization', 'Bearer ' + token)
        try:
            with urllib.request.urlopen(request, context=unverified, timeout=10) as r:
                out['api'][name] = r.status
        except urllib.error.HTTPError as e:
            out['api'][name] = e.code
        except Exception as e:
            out['api'][name] = type(e).__name__
    return out
"#;

/// The engine's API address, from its kubeconfig.
fn server(engine: &Engine) -> String {
    let kubeconfig: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(engine.kubeconfig()).expect("the engine's kubeconfig"))
            .expect("YAML");
    kubeconfig["clusters"][0]["cluster"]["server"]
        .as_str()
        .expect("a server")
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn a_tenant_hits_its_quota_and_its_functions_cannot_reach_the_engine_or_other_teams() {
    let engine = Engine::start();
    let (a, b) = two_teams(&engine, &["--functions", "2", "--replicas", "2"]);
    ok(&b.deploy_hello(TARGET, "team-b", &["--wait"]), "team-b deploys hello");
    ok(&a.deploy_hello(TARGET, "team-a", &["--wait"]), "team-a deploys hello");
    let spy = crate::common::write(engine.home.path(), "spy/spy.py", SPY_PY);
    ok(
        &a.kfn(&[
            "function",
            "deploy",
            "spy",
            "--runtime",
            "python3.12",
            "--from-file",
            spy.to_str().unwrap(),
            "--handler",
            "spy.handler",
            "--wait",
        ]),
        "team-a deploys spy",
    );

    // The third function is beyond --functions 2: refused with the quota's message, not created.
    let run = a.deploy_hello("third", "team-a", &[]);
    assert_eq!(refusal(&run, "a third function"), functions_exceeded("third", 2));
    let run = a.kubectl(&["get", "functions", "-o", "name"]);
    ok(&run, "team-a's functions");
    assert!(!run.stdout.contains("third"), "{}", run.stdout);
    // team-b's quota is its own: it is not limited by team-a's.
    ok(
        &b.deploy_hello("second", "team-b", &[]),
        "team-b deploys a second function",
    );

    // What a function of team-a can read of the engine and team-b: nothing.
    let state = engine.state();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&state).unwrap().flatten().map(|e| e.path()).collect();
    // Every function's code but spy's own, every replica directory of team-b.
    paths.extend(
        std::fs::read_dir(state.join("functions"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.join("spy.py").exists()),
    );
    if let Ok(replicas) = std::fs::read_dir(state.join("replicas").join("team-b")) {
        paths.extend(replicas.flatten().map(|e| e.path()));
    }
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let ask = serde_json::json!({
        "paths": paths,
        "token": state.join("token").display().to_string(),
        "server": server(&engine),
    });
    let run = a.kfn(&["function", "call", "spy", "--data", &ask.to_string()]);
    ok(&run, "call spy");
    let seen: Value = serde_json::from_str(&run.stdout).expect("the spy's report");
    for (path, got) in seen["read"].as_object().unwrap() {
        assert_ne!(got, "read", "team-a's function read {path}: {seen}");
    }
    assert!(
        seen["read"]
            .as_object()
            .unwrap()
            .contains_key(&state.join("token").display().to_string()),
        "the spy tried the engine's token: {seen}"
    );
    assert_eq!(seen["tokens"], 0, "the function found a token: {seen}");
    let answer = &seen["api"]["none"];
    assert!(
        *answer == 401 || *answer == 403,
        "the engine's API answered a function without a token with {answer}: {seen}"
    );

    // A replica beyond --replicas 2 (hello and spy run one each) is not started, and describe says why.
    ok(
        &a.kfn(&[
            "autoscale",
            "create",
            TARGET,
            "--min",
            "2",
            "--max",
            "2",
            "--metric",
            "qps",
            "--value",
            "50",
        ]),
        "team-a autoscales hello to 2",
    );
    eventually(
        Duration::from_secs(90),
        "describe says the quota holds a replica back",
        || {
            let run = a.kfn(&["function", "describe", TARGET]);
            if run.code == 0 && run.stdout.contains("exceeded quota: kfn-tenant") && run.stdout.contains("pods=2") {
                Ok(())
            } else {
                Err(format!("{}{}", run.stdout, run.stderr))
            }
        },
    );
    let pods = engine.kubectl(&["-n", "team-a", "get", "pods", "-o", "name"]);
    ok(&pods, "team-a's pods");
    assert_eq!(pods.stdout.lines().count(), 2, "no third replica: {}", pods.stdout);
    // The tenant's description shows what it uses of its limits (counted by the quota's
    // controller a moment after the writes).
    eventually(
        Duration::from_secs(30),
        "kfn tenant describe team-a shows its use",
        || {
            let run = engine.kfn(&["tenant", "describe", "team-a"]);
            ok(&run, "kfn tenant describe team-a");
            match [
                "functions: 2 of 2 (count/functions.kubeless.io)",
                "replicas: 2 of 2 (pods)",
            ]
            .iter()
            .all(|says| run.stdout.contains(says))
            {
                true => Ok(()),
                false => Err(run.stdout.clone()),
            }
        },
    );
}
