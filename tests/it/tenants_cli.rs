//! `kfn tenant` on the local engine: two tenants, each with a kubeconfig of its own; a tenant's
//! developer works in its namespace (functions run and answer), cannot list, read, call or see
//! the logs of the other's functions (kube-apiserver's 403s), creates nothing cluster-wide,
//! hits its quota at the (n+1)th function, and cannot reach the other's functions through a
//! flow's Task either (`States.Permissions`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{Engine, Run, eventually, fails, ok, write};
use crate::kube::tenants_cli::{forbidden, logged};
use crate::tenants::Tenant;

const HELLO_PY: &str = "def handler(event, context):\n    return 'hello'\n";

fn deploy_as(tenant: &Tenant, name: &str, extra: &[&str]) -> Run {
    let path = write(&tenant.home, &format!("src-{name}/hello.py"), HELLO_PY);
    let mut args = vec![
        "function",
        "deploy",
        name,
        "--runtime",
        "python3.12",
        "--from-file",
        path.to_str().unwrap(),
        "--handler",
        "hello.handler",
    ];
    args.extend_from_slice(extra);
    tenant.kfn(&args)
}

fn flow_file(engine: &Engine, name: &str, resource: &str) -> PathBuf {
    write(
        engine.home.path(),
        &format!("{name}.asl.json"),
        format!(r#"{{"StartAt":"Call","States":{{"Call":{{"Type":"Task","Resource":"{resource}","End":true}}}}}}"#),
    )
}

#[test]
fn tenants_on_the_engine_cannot_see_or_call_each_other() {
    let engine = Engine::start();
    let run = engine.kfn(&["tenant", "create", "team-a", "--functions", "2"]);
    ok(&run, "kfn tenant create team-a");
    assert!(
        run.stderr.contains("no NetworkPolicy"),
        "the engine serves none: {}",
        run.stderr
    );
    ok(&engine.kfn(&["tenant", "create", "team-b"]), "kfn tenant create team-b");
    fails(&engine.kfn(&["tenant", "create", "default"]), "is not a tenant's");
    let a = Tenant::of(
        "team-a",
        |args| engine.kfn(args),
        engine.home.path(),
        Path::new("kubectl"),
    );
    let b = Tenant::of(
        "team-b",
        |args| engine.kfn(args),
        engine.home.path(),
        Path::new("kubectl"),
    );

    ok(&deploy_as(&a, "fa", &["--wait"]), "team-a deploys fa");
    ok(&deploy_as(&b, "fb", &["--wait"]), "team-b deploys fb");
    let run = a.kfn(&["function", "call", "fa"]);
    ok(&run, "team-a calls its function");
    assert_eq!(run.stdout.trim(), "hello");
    ok(&a.kfn(&["function", "logs", "fa"]), "team-a reads its logs");
    ok(&a.kfn(&["function", "ls"]), "team-a lists its functions");

    // The other tenant's functions: kube-apiserver's 403s.
    let run = b.kfn(&["-n", "team-a", "function", "ls"]);
    fails(&run, &forbidden("team-b", "list", "functions", "kubeless.io", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "describe", "fa"]);
    fails(&run, &forbidden("team-b", "get", "functions", "kubeless.io", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "call", "fa"]);
    fails(&run, &forbidden("team-b", "get", "services", "", "team-a"));
    let run = b.kfn(&["-n", "team-a", "function", "logs", "fa"]);
    fails(&run, &forbidden("team-b", "list", "pods", "", "team-a"));
    fails(&b.kfn(&["tenant", "create", "evil"]), "forbidden");
    fails(
        &b.kfn(&["tenant", "list"]),
        &logged("cannot list resource \"namespaces\""),
    );

    // The quota: the third function of team-a.
    ok(&deploy_as(&a, "fa2", &[]), "team-a deploys its second function");
    fails(
        &deploy_as(&a, "fa3", &[]),
        &logged(
            "functions.kubeless.io \"fa3\" is forbidden: exceeded quota: kfn-tenant, requested: count/functions.kubeless.io=1, used: count/functions.kubeless.io=2, limited: count/functions.kubeless.io=2",
        ),
    );
    // The quota's status is counted by its controller, a moment after the writes (as on a
    // cluster).
    eventually(
        Duration::from_secs(30),
        "kfn tenant list counts team-a's 2 of 2 functions",
        || {
            let run = engine.kfn(&["tenant", "list"]);
            ok(&run, "kfn tenant list");
            let row: Vec<String> = run
                .stdout
                .lines()
                .find(|l| l.starts_with("team-a"))
                .unwrap_or_else(|| panic!("{}", run.stdout))
                .split_whitespace()
                .map(str::to_string)
                .collect();
            match row[1] == "2/2" {
                true => Ok(()),
                false => Err(run.stdout.clone()),
            }
        },
    );

    // Flows: a Task in team-a calls its own function, not team-b's; nor does one in a
    // namespace of no tenant.
    let own = flow_file(&engine, "own", "fa");
    ok(
        &a.kfn(&["flow", "deploy", "own", "--from-file", own.to_str().unwrap()]),
        "team-a deploys a flow",
    );
    let run = a.kfn(&["flow", "start", "own", "--wait", "--timeout", "120s"]);
    ok(&run, "team-a's flow calls its own function");
    assert!(run.stdout.contains("hello"), "{}", run.stdout);
    let across = flow_file(&engine, "across", "team-b/fb");
    ok(
        &a.kfn(&["flow", "deploy", "across", "--from-file", across.to_str().unwrap()]),
        "team-a deploys a flow naming team-b's function",
    );
    let run = a.kfn(&["flow", "start", "across", "--wait", "--timeout", "120s"]);
    assert_ne!(run.code, 0, "team-a's flow called team-b's function: {}", run.stdout);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("States.Permissions") && said.contains("may not call a function in namespace team-b"),
        "{said}"
    );
    let from_default = flow_file(&engine, "reach", "team-b/fb");
    ok(
        &engine.kfn(&["flow", "deploy", "reach", "--from-file", from_default.to_str().unwrap()]),
        "the admin deploys a flow in default naming team-b's function",
    );
    let run = engine.kfn(&["flow", "start", "reach", "--wait", "--timeout", "120s"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(run.code != 0 && said.contains("States.Permissions"), "{said}");

    ok(&engine.kfn(&["tenant", "delete", "team-b"]), "kfn tenant delete team-b");
    // Made again once its namespace is gone, not while it terminates.
    fails(
        &engine.kfn(&["tenant", "create", "team-b"]),
        "Failed to create tenant team-b: namespace team-b is being deleted",
    );
    eventually(Duration::from_secs(60), "team-b is made again", || {
        let run = engine.kfn(&["tenant", "create", "team-b"]);
        if run.code == 0 { Ok(()) } else { Err(run.stderr) }
    });
    fails(&b.kfn(&["function", "ls"]), "401");
    fails(
        &engine.kfn(&["tenant", "delete", "default"]),
        "Namespace default is not a tenant's",
    );
}
