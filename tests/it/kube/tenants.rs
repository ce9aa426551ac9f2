//! The tenant objects `kfn tenant create` renders, on a real kube-apiserver (whose RBAC and quota
//! admission are the reference) and on the local engine side by side: the same attempts of team-a
//! against team-b and against the whole server (tests/it/tenants.rs's [`attempts`]) are refused by
//! both, in the same words. That the real server refuses them shows the rendered Role allows no
//! more than it should; that it allows a developer's work shows it allows enough.
//!
//! No node runs pods here: only what is decided without one (list, get, create, delete; the
//! service proxy is authorized before it connects).

use std::path::Path;
use std::time::Duration;

use super::{Cluster, kube_bin};
use crate::common::{Engine, Run, eventually, example, ok};
use crate::tenants::{
    BINDER, TARGET, Tenant, attempts, developer, escalated, escalation, functions_exceeded, judge, nothing_was_made,
    refusal,
};

/// kfn with a server's administrator kubeconfig.
type AdminKfn<'a> = Box<dyn Fn(&[&str]) -> Run + 'a>;
/// kubectl with a server's administrator kubeconfig, and what it reads on stdin.
type AdminKubectl<'a> = Box<dyn Fn(&[&str], Option<&str>) -> Run + 'a>;

/// One server: the real control plane or the engine, with kfn and kubectl as its administrator.
struct Side<'a> {
    name: &'static str,
    admin_kfn: AdminKfn<'a>,
    admin_kubectl: AdminKubectl<'a>,
    home: &'a Path,
}

impl Side<'_> {
    fn kubectl(&self, args: &[&str]) -> Run {
        (self.admin_kubectl)(args, None)
    }

    /// team-a (`--functions 2 --replicas 2`) and team-b, made with `kfn tenant create`.
    fn two_teams(&self) -> (Tenant, Tenant) {
        let create = (self.admin_kfn)(&["tenant", "create", "team-a", "--functions", "2", "--replicas", "2"]);
        ok(&create, &format!("kfn tenant create team-a ({})", self.name));
        ok(
            &(self.admin_kfn)(&["tenant", "create", "team-b"]),
            &format!("kfn tenant create team-b ({})", self.name),
        );
        let kubectl = kube_bin().join("kubectl");
        let a = Tenant::of("team-a", &*self.admin_kfn, self.home, &kubectl);
        let b = Tenant::of("team-b", &*self.admin_kfn, self.home, &kubectl);
        (a, b)
    }
}

/// Deploys `name` as `tenant`; a quota the real quota controller has not counted yet refuses
/// every create ("status unknown for quota"), so that refusal is waited out.
fn deploy(side: &Side, tenant: &Tenant, name: &str) {
    let team = tenant.name.clone();
    eventually(
        Duration::from_secs(120),
        &format!("{team} deploys {name} ({})", side.name),
        || {
            let run = tenant.deploy_hello(name, &team, &[]);
            if run.code == 0 {
                Ok(())
            } else if run.stderr.contains("status unknown for quota") {
                Err(run.stderr)
            } else {
                panic!("{team} deploys {name} ({}):\n{}", side.name, run.stderr)
            }
        },
    );
}

/// What one side answered: the quota's refusal of a third function, then each attempt's.
struct Answers {
    third: String,
    attempts: Vec<(&'static str, Result<String, String>)>,
}

/// Makes the two teams on `side`, checks that team-a can do a developer's work in its namespace
/// (the Role allows enough), and makes every attempt as team-a.
fn answers(side: &Side) -> Answers {
    let (a, b) = side.two_teams();
    deploy(side, &b, TARGET);
    deploy(side, &a, TARGET);
    deploy(side, &a, "second");
    for args in [
        &["function", "list"][..],
        &["function", "describe", TARGET],
        &["function", "update", TARGET, "--timeout", "30"],
    ] {
        ok(&a.kfn(args), &format!("team-a: kfn {args:?} ({})", side.name));
    }
    for args in [
        &["get", "functions"][..],
        &["get", "pods"],
        &["get", "services"],
        &["get", "httptriggers"],
        &["get", "secrets"],
    ] {
        ok(&a.kubectl(args), &format!("team-a: kubectl {args:?} ({})", side.name));
    }
    let whoami = a.kubectl(&["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    ok(&whoami, &format!("kubectl auth whoami ({})", side.name));
    assert_eq!(whoami.stdout.trim(), developer("team-a"), "{}", side.name);

    // The third function is beyond --functions 2.
    let third = refusal(&a.deploy_hello("third", "team-a", &[]), "a third function");
    // The quota's status is counted by its controller, a moment after the writes.
    eventually(
        Duration::from_secs(30),
        "kfn tenant describe team-a counts 2 of 2",
        || {
            let run = (side.admin_kfn)(&["tenant", "describe", "team-a"]);
            ok(&run, &format!("kfn tenant describe team-a ({})", side.name));
            match run.stdout.contains("functions: 2 of 2 (count/functions.kubeless.io)") {
                true => Ok(()),
                false => Err(format!("{}: {}", side.name, run.stdout)),
            }
        },
    );

    let code = example("tenants/team-a/hello.py");
    let mut answers: Vec<(&'static str, Result<String, String>)> = attempts(&code)
        .iter()
        .map(|attempt| (attempt.what, judge(attempt, &a.run(attempt.tool, &attempt.args))))
        .collect();
    // Allowed to create RoleBindings in its namespace, team-a still cannot bind cluster-admin.
    ok(
        &(side.admin_kubectl)(&["apply", "-f", "-"], Some(BINDER)),
        &format!("the binder Role ({})", side.name),
    );
    let attempt = escalation();
    answers.push((attempt.what, escalated(&attempt, &a)));
    Answers {
        third,
        attempts: answers,
    }
}

#[test]
fn a_tenant_is_refused_alike_by_a_real_api_server_and_by_the_engine() {
    let cluster = Cluster::installed();
    let real = Side {
        name: "kube-apiserver",
        admin_kfn: Box::new(|args| cluster.kfn(args)),
        admin_kubectl: Box::new(|args, stdin| cluster.kubectl_stdin(args, stdin)),
        home: cluster.home.path(),
    };
    // The reference first: what the real server answers.
    let oracle = answers(&real);
    let mut report = format!("kube-apiserver, a third function: {}\n", oracle.third);
    for (what, answer) in &oracle.attempts {
        report.push_str(&format!("kube-apiserver, {what}: {}\n", show(answer)));
    }
    eprintln!("{report}");
    assert_eq!(
        oracle.third,
        functions_exceeded("third", 2),
        "kube-apiserver's quota message"
    );
    for (what, answer) in &oracle.attempts {
        assert!(answer.is_ok(), "kube-apiserver, {what}: {}\n{report}", show(answer));
    }

    let engine = Engine::start_no_run();
    let local = Side {
        name: "the engine",
        admin_kfn: Box::new(|args| engine.kfn(args)),
        admin_kubectl: Box::new(|args, stdin| engine.kubectl_stdin(args, stdin)),
        home: engine.home.path(),
    };
    let engine_answers = answers(&local);
    assert_eq!(
        engine_answers.third, oracle.third,
        "the engine's quota message is the real server's"
    );
    let mut differ = String::new();
    for ((what, real), (_, local)) in oracle.attempts.iter().zip(&engine_answers.attempts) {
        if real != local {
            differ.push_str(&format!(
                "{what}\n  kube-apiserver: {}\n  the engine:     {}\n",
                show(real),
                show(local)
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "the engine refuses otherwise than kube-apiserver:\n{differ}"
    );
    for side in [&real, &local] {
        nothing_was_made(|args| side.kubectl(args));
    }
}

fn show(answer: &Result<String, String>) -> String {
    match answer {
        Ok(message) => format!("refused: {message}"),
        Err(wrong) => format!("WRONG: {wrong}"),
    }
}
