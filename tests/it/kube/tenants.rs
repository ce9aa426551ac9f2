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

/// One server: the real control plane or the engine, with kfn and kubectl as its administrator.
struct Side<'a> {
    name: &'static str,
    admin_kfn: Box<dyn Fn(&[&str]) -> Run + 'a>,
    admin_kubectl: Box<dyn Fn(&[&str], Option<&str>) -> Run + 'a>,
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

/// What each side answered to one attempt.
struct Answer {
    what: &'static str,
    cluster: Result<String, String>,
    engine: Result<String, String>,
}

#[test]
fn a_tenant_is_refused_alike_by_a_real_api_server_and_by_the_engine() {
    let cluster = Cluster::installed();
    let engine = Engine::start_no_run();
    let real = Side {
        name: "kube-apiserver",
        admin_kfn: Box::new(|args| cluster.kfn(args)),
        admin_kubectl: Box::new(|args, stdin| cluster.kubectl_stdin(args, stdin)),
        home: cluster.home.path(),
    };
    let local = Side {
        name: "the engine",
        admin_kfn: Box::new(|args| engine.kfn(args)),
        admin_kubectl: Box::new(|args, stdin| engine.kubectl_stdin(args, stdin)),
        home: engine.home.path(),
    };
    let (real_a, real_b) = real.two_teams();
    let (local_a, local_b) = local.two_teams();

    // What a developer does in its own namespace is allowed on both: the Role allows enough.
    for (side, a, b) in [(&real, &real_a, &real_b), (&local, &local_a, &local_b)] {
        deploy(side, b, TARGET);
        deploy(side, a, TARGET);
        deploy(side, a, "second");
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
        ] {
            ok(&a.kubectl(args), &format!("team-a: kubectl {args:?} ({})", side.name));
        }
        let whoami = a.kubectl(&["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
        ok(&whoami, &format!("kubectl auth whoami ({})", side.name));
        assert_eq!(whoami.stdout.trim(), developer("team-a"), "{}", side.name);
    }

    // The third function is beyond --functions 2 on both, with the same message.
    let third: Vec<String> = [&real_a, &local_a]
        .iter()
        .map(|a| refusal(&a.deploy_hello("third", "team-a", &[]), "a third function"))
        .collect();
    assert_eq!(third[0], functions_exceeded("third", 2), "kube-apiserver's quota message");
    assert_eq!(third[1], third[0], "the engine's quota message is the real server's");

    // Every attempt against team-b and the whole server, on both.
    let code = example("tenants/team-a/hello.py");
    let mut answers: Vec<Answer> = attempts(&code)
        .iter()
        .map(|attempt| Answer {
            what: attempt.what,
            cluster: judge(attempt, &real_a.run(attempt.tool, &attempt.args)),
            engine: judge(attempt, &local_a.run(attempt.tool, &attempt.args)),
        })
        .collect();
    // Allowed to create RoleBindings in its namespace, team-a still cannot bind cluster-admin.
    let attempt = escalation();
    for side in [&real, &local] {
        ok(
            &(side.admin_kubectl)(&["apply", "-f", "-"], Some(BINDER)),
            &format!("the binder Role ({})", side.name),
        );
    }
    answers.push(Answer {
        what: attempt.what,
        cluster: escalated(&attempt, &real_a),
        engine: escalated(&attempt, &local_a),
    });

    let mut report = String::new();
    let mut wrong = 0;
    for answer in &answers {
        let same = match (&answer.cluster, &answer.engine) {
            (Ok(c), Ok(e)) => c == e,
            _ => false,
        };
        if !same {
            wrong += 1;
        }
        report.push_str(&format!(
            "{}{}\n  kube-apiserver: {}\n  the engine:     {}\n",
            if same { "" } else { "DIFFERS: " },
            answer.what,
            show(&answer.cluster),
            show(&answer.engine)
        ));
    }
    eprintln!("{report}");
    assert_eq!(wrong, 0, "{wrong} attempts not refused alike:\n{report}");

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
