//! Shell completion as bash runs it: the script `kfn completion bash` prints, sourced into a
//! shell with the built `kfn` on its PATH, asked for the words of a half-typed line.

use std::path::Path;
use std::process::Command;

use crate::common::{Engine, KFN, Run, example, in_kfn_env, ok};

/// The names (not flags) bash offers for `words`: on an empty word it offers the flags too.
fn tab(engine: &Engine, words: &[&str]) -> Vec<String> {
    offered(engine, words)
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

/// What bash offers for `words` (the last one being the word under the cursor), through the
/// completion function the sourced script registers, as bash calls it on <TAB>.
fn offered(engine: &Engine, words: &[&str]) -> Vec<String> {
    let bin = Path::new(KFN).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let program = r#"
        source <(kfn completion bash)
        COMP_WORDS=("$@")
        COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMP_TYPE=9
        _clap_complete_kfn kfn "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let run: Run = in_kfn_env(Command::new("bash"), engine.home.path())
        .env("PATH", path)
        .arg("-c")
        .arg(program)
        .arg("bash")
        .args(words)
        .output()
        .expect("bash runs")
        .into();
    ok(&run, &format!("completing {words:?}"));
    assert_eq!(run.stderr, "", "a completion writes nothing to the terminal");
    run.stdout.lines().filter(|l| !l.is_empty()).map(String::from).collect()
}

fn deploy(engine: &Engine, namespace: &str, name: &str) {
    ok(
        &engine.kfn(&[
            "-n",
            namespace,
            "function",
            "deploy",
            name,
            "--runtime",
            "python3.12",
            "--handler",
            "hello.hello",
            "--from-file",
            &example("hello.py"),
        ]),
        &format!("deploy {name}"),
    );
}

#[test]
fn bash_completes_functions_triggers_and_runtimes_from_the_engine() {
    let engine = Engine::start_no_run();
    deploy(&engine, "default", "alpha");
    deploy(&engine, "default", "beta");
    deploy(&engine, "team", "gamma");
    ok(
        &engine.kfn(&["trigger", "http", "create", "web", "--function-name", "alpha"]),
        "create the HTTP trigger",
    );

    for command in ["delete", "describe", "update", "call", "logs", "list"] {
        assert_eq!(
            tab(&engine, &["kfn", "function", command, ""]),
            ["alpha", "beta"],
            "function {command}"
        );
    }
    assert_eq!(tab(&engine, &["kfn", "function", "delete", "a"]), ["alpha"]);
    assert_eq!(
        tab(&engine, &["kfn", "function", "top", "--function", ""]),
        ["alpha", "beta"]
    );
    assert_eq!(tab(&engine, &["kfn", "autoscale", "create", "b"]), ["beta"]);
    assert_eq!(tab(&engine, &["kfn", "autoscale", "delete", ""]), ["alpha", "beta"]);
    assert_eq!(
        tab(
            &engine,
            &["kfn", "trigger", "http", "create", "x", "--function-name", ""]
        ),
        ["alpha", "beta"]
    );
    assert_eq!(
        tab(
            &engine,
            &["kfn", "trigger", "cronjob", "update", "x", "--function", "al"]
        ),
        ["alpha"]
    );

    // The namespace given on the line, before or after the command.
    assert_eq!(
        tab(&engine, &["kfn", "-n", "team", "function", "delete", ""]),
        ["gamma"]
    );
    assert_eq!(
        tab(&engine, &["kfn", "function", "describe", "--namespace", "team", ""]),
        ["gamma"]
    );

    // Triggers of the kind named on the line only.
    assert_eq!(tab(&engine, &["kfn", "trigger", "http", "delete", ""]), ["web"]);
    assert_eq!(tab(&engine, &["kfn", "trigger", "http", "update", "w"]), ["web"]);
    assert!(tab(&engine, &["kfn", "trigger", "cronjob", "delete", ""]).is_empty());
    assert!(tab(&engine, &["kfn", "trigger", "kafka", "delete", ""]).is_empty());

    // A new function's name is not one that exists.
    assert!(tab(&engine, &["kfn", "function", "deploy", ""]).is_empty());

    let python: Vec<String> = kfn::runtimes::names()
        .into_iter()
        .filter(|n| n.starts_with("py"))
        .collect();
    assert!(python.contains(&"python3.12".to_string()));
    assert_eq!(
        tab(&engine, &["kfn", "function", "deploy", "x", "--runtime", "py"]),
        python
    );
    let node: Vec<String> = kfn::runtimes::names()
        .into_iter()
        .filter(|n| n.starts_with("nodejs2"))
        .collect();
    assert!(!node.is_empty());
    assert_eq!(
        tab(&engine, &["kfn", "function", "update", "alpha", "-r", "nodejs2"]),
        node
    );

    // Flags and commands still complete.
    assert!(tab(&engine, &["kfn", "function", "dep"]).contains(&"deploy".to_string()));
    assert!(offered(&engine, &["kfn", "function", "deploy", "x", "--ha"]).contains(&"--handler".to_string()));
    assert!(offered(&engine, &["kfn", "function", "delete", ""]).contains(&"--namespace".to_string()));
}

#[test]
fn completion_gives_nothing_and_starts_nothing_without_an_engine() {
    let engine = Engine::new();
    assert!(tab(&engine, &["kfn", "function", "delete", ""]).is_empty());
    assert!(tab(&engine, &["kfn", "--local", "trigger", "http", "delete", ""]).is_empty());
    assert!(
        !engine.state().join("engine.json").exists(),
        "completing a name must not start the local engine"
    );
    // Runtime ids need no server.
    assert!(
        tab(&engine, &["kfn", "function", "deploy", "x", "--runtime", "python3.1"]).contains(&"python3.12".to_string())
    );
}
