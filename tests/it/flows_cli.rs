//! `kfn flow …` on the local engine: flows deployed from JSON and YAML (checked first, as a
//! linter does), listed, described, updated and deleted; executions started (and waited for),
//! listed, their history read, and stopped.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Engine, Run, deploy_code, eventually, fails, ok, write};

/// A flow of two Pass states, in JSON.
const GREETING: &str = r#"{
  "Comment": "Says hello",
  "StartAt": "Greet",
  "States": {
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "Next": "Done"},
    "Done": {"Type": "Pass", "End": true}
  }
}"#;

/// The same shape in YAML, with a Choice.
const SORTING: &str = "StartAt: Sort
States:
  Sort:
    Type: Choice
    Choices:
      - Variable: $.n
        NumericGreaterThan: 10
        Next: Big
    Default: Small
  Big:
    Type: Pass
    Result: big
    End: true
  Small:
    Type: Pass
    Result: small
    End: true
";

fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(|c| c.trim().to_string()).collect())
        .collect()
}

fn row_of(text: &str, name: &str) -> Vec<String> {
    table_rows(text)
        .into_iter()
        .find(|r| r[0] == name)
        .unwrap_or_else(|| panic!("no row {name} in:\n{text}"))
}

fn names(engine: &Engine) -> Vec<String> {
    let run = engine.kfn(&["flow", "list", "-o", "name"]);
    ok(&run, "kfn flow list -o name");
    run.stdout.lines().map(str::to_string).collect()
}

#[test]
fn flows_are_deployed_from_json_or_yaml_checked_listed_described_updated_and_deleted() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let json_file = write(dir, "greeting.asl.json", GREETING);
    let yaml_file = write(dir, "sorting.yml", SORTING);
    let json_path = json_file.to_str().unwrap();
    let yaml_path = yaml_file.to_str().unwrap();

    // A dry run prints the Flow and creates nothing.
    let run = engine.kfn(&[
        "flow",
        "deploy",
        "greeting",
        "--from-file",
        json_path,
        "--dryrun",
        "-o",
        "json",
    ]);
    ok(&run, "kfn flow deploy --dryrun -o json");
    let printed: Value = serde_json::from_str(&run.stdout).expect("the dry run prints JSON");
    assert_eq!(printed["kind"], "Flow");
    assert_eq!(printed["apiVersion"], "kfn.io/v1alpha1");
    assert_eq!(printed["metadata"]["name"], "greeting");
    assert_eq!(printed["spec"]["definition"]["StartAt"], "Greet");
    let run = engine.kfn(&["flow", "deploy", "sorting", "--from-file", yaml_path, "--dryrun"]);
    ok(&run, "kfn flow deploy --dryrun (YAML)");
    assert!(
        run.stdout.contains("kind: Flow") && run.stdout.contains("StartAt: Sort"),
        "{}",
        run.stdout
    );
    assert!(names(&engine).is_empty(), "a dry run creates nothing");

    // Deployed from JSON and from YAML.
    ok(
        &engine.kfn(&["flow", "deploy", "greeting", "--from-file", json_path]),
        "kfn flow deploy (JSON)",
    );
    ok(
        &engine.kfn(&[
            "flow",
            "deploy",
            "sorting",
            "--from-file",
            yaml_path,
            "--keep-executions",
            "3",
        ]),
        "kfn flow deploy (YAML)",
    );
    let again = engine.kfn(&["flow", "deploy", "greeting", "--from-file", json_path]);
    fails(&again, "already exists");

    // An invalid definition is refused with the state's path, and nothing is created.
    let bad = write(
        dir,
        "bad.json",
        r#"{"StartAt": "Greet", "States": {"Greet": {"Type": "Pass", "Next": "Nowhere"}}}"#,
    );
    let run = engine.kfn(&["flow", "deploy", "bad", "--from-file", bad.to_str().unwrap()]);
    fails(&run, "States.Greet");
    assert!(
        run.stderr.contains("Nowhere"),
        "the problem names the unknown state: {}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    let not_json = write(dir, "broken.json", "{\"StartAt\": ");
    fails(
        &engine.kfn(&["flow", "deploy", "bad", "--from-file", not_json.to_str().unwrap()]),
        "is not valid JSON",
    );
    assert_eq!(names(&engine), ["greeting", "sorting"]);

    // The list: states, where they start, executions.
    let run = engine.kfn(&["flow", "list"]);
    ok(&run, "kfn flow list");
    let header = &table_rows(&run.stdout)[0];
    assert_eq!(header, &["NAME", "STATES", "START", "READY", "EXECUTIONS", "AGE"]);
    let row = row_of(&run.stdout, "greeting");
    assert_eq!(&row[1..3], ["2", "Greet"]);
    assert_eq!(row[4], "0");
    let row = row_of(&run.stdout, "sorting");
    assert_eq!(&row[1..3], ["3", "Sort"]);
    let run = engine.kfn(&["flow", "list", "-o", "yaml"]);
    ok(&run, "kfn flow list -o yaml");
    assert!(run.stdout.contains("name: sorting"), "{}", run.stdout);
    fails(
        &engine.kfn(&["flow", "list", "-o", "xml"]),
        "(given with -o/--out): use json, yaml or name",
    );

    // Describe: each state with its type and where it goes.
    let run = engine.kfn(&["flow", "describe", "sorting"]);
    ok(&run, "kfn flow describe");
    for line in [
        "Sort (Choice) → Big, Small (default)",
        "Big (Pass) end",
        "Small (Pass) end",
    ] {
        assert!(
            run.stdout.contains(line),
            "describe should show {line:?}:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("Keep executions:"), "{}", run.stdout);
    assert_eq!(row_of(&run.stdout, "Keep executions:")[1], "3");
    assert_eq!(row_of(&run.stdout, "Executions:")[1], "none");

    // Update: a new definition is checked too; the kept count changes alone.
    let run = engine.kfn(&["flow", "update", "sorting", "--from-file", bad.to_str().unwrap()]);
    fails(&run, "States.Greet");
    ok(
        &engine.kfn(&["flow", "update", "sorting", "--keep-executions", "7"]),
        "kfn flow update --keep-executions",
    );
    let run = engine.kfn(&["flow", "describe", "sorting", "-o", "json"]);
    ok(&run, "kfn flow describe -o json");
    let flow: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(flow["spec"]["keepExecutions"], 7);
    assert_eq!(flow["spec"]["definition"]["StartAt"], "Sort", "the definition stays");
    ok(
        &engine.kfn(&["flow", "update", "sorting", "--from-file", json_path]),
        "kfn flow update --from-file",
    );
    let run = engine.kfn(&["flow", "list"]);
    assert_eq!(&row_of(&run.stdout, "sorting")[1..3], ["2", "Greet"]);
    fails(&engine.kfn(&["flow", "update", "sorting"]), "Nothing to update");

    // Start with input that is not JSON: refused, naming the flag.
    let run = engine.kfn(&["flow", "start", "greeting", "--data", "{who: me}"]);
    fails(&run, "Invalid --data: not JSON");

    // Missing objects, in the words of the other commands.
    fails(
        &engine.kfn(&["flow", "describe", "nope"]),
        "Flow nope is not found in namespace default",
    );
    fails(
        &engine.kfn(&["flow", "start", "nope"]),
        "Flow nope is not found in namespace default",
    );
    fails(
        &engine.kfn(&["flow", "history", "nope-123"]),
        "Execution nope-123 is not found in namespace default",
    );

    // Delete.
    ok(&engine.kfn(&["flow", "delete", "sorting"]), "kfn flow delete");
    assert_eq!(names(&engine), ["greeting"]);
    fails(
        &engine.kfn(&["flow", "delete", "sorting"]),
        "Flow sorting is not found in namespace default",
    );
}

const DOUBLE: &str = "def handler(event, context):\n    return {'n': event['data']['n'] * 2}\n";
const BOOM: &str = "def handler(event, context):\n    raise ValueError('no luck for %s' % event['data']['n'])\n";

fn execution(engine: &Engine, name: &str) -> Value {
    let run = engine.kfn(&["flow", "executions", "-o", "json", name]);
    ok(&run, "kfn flow executions -o json");
    serde_json::from_str(&run.stdout).unwrap()
}

fn started_name(run: &Run) -> String {
    let name = run.stdout.trim().to_string();
    assert!(
        !name.is_empty() && !name.contains(char::is_whitespace),
        "one name: {}",
        run.stdout
    );
    name
}

#[test]
fn a_started_flow_calls_its_functions_and_its_executions_history_and_stop_are_shown() {
    let engine = Engine::start();
    let dir = engine.home.path();
    for (name, code) in [("double", DOUBLE), ("boom", BOOM)] {
        ok(
            &deploy_code(&engine, name, "python3.12", &format!("{name}.py"), code, &["--wait"]),
            &format!("deploy {name}"),
        );
    }
    let flow = json!({
        "StartAt": "Double",
        "States": {
            "Double": {"Type": "Task", "Resource": "double", "ResultPath": "$.doubled", "Next": "Sort"},
            "Sort": {"Type": "Choice",
                "Choices": [{"Variable": "$.doubled.n", "NumericGreaterThan": 10, "Next": "Big"}],
                "Default": "Small"},
            "Big": {"Type": "Pass", "Parameters": {"size": "big", "n.$": "$.doubled.n"}, "End": true},
            "Small": {"Type": "Pass", "Parameters": {"size": "small", "n.$": "$.doubled.n"}, "End": true}
        }
    });
    let file = write(dir, "sizes.asl.json", flow.to_string());
    ok(
        &engine.kfn(&["flow", "deploy", "sizes", "--from-file", file.to_str().unwrap()]),
        "kfn flow deploy sizes",
    );

    // --wait prints the output.
    let run = engine.kfn(&[
        "flow",
        "start",
        "sizes",
        "--data",
        "{\"n\": 7}",
        "--wait",
        "--timeout",
        "120s",
    ]);
    ok(&run, "kfn flow start --wait");
    let output: Value = serde_json::from_str(&run.stdout).expect("the output is JSON");
    assert_eq!(output, json!({"size": "big", "n": 14}));
    let input = write(dir, "small.json", "{\"n\": 2}");
    let run = engine.kfn(&[
        "flow",
        "start",
        "sizes",
        "--data-file",
        input.to_str().unwrap(),
        "--name",
        "small-one",
        "--wait",
    ]);
    ok(&run, "kfn flow start --data-file --name --wait");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        json!({"size": "small", "n": 4})
    );

    // A function that raises: the error's name and message, exit 1.
    let failing = json!({"StartAt": "Boom", "States": {"Boom": {"Type": "Task", "Resource": "boom", "End": true}}});
    let file = write(dir, "boom.asl.json", failing.to_string());
    ok(
        &engine.kfn(&["flow", "deploy", "boom", "--from-file", file.to_str().unwrap()]),
        "kfn flow deploy boom",
    );
    let run = engine.kfn(&[
        "flow",
        "start",
        "boom",
        "--data",
        "{\"n\": 3}",
        "--wait",
        "--timeout",
        "120s",
    ]);
    fails(&run, "error: ValueError: no luck for 3");
    assert!(run.stdout.is_empty(), "no output on failure: {}", run.stdout);

    // The executions, newest first, and their history.
    let run = engine.kfn(&["flow", "executions", "sizes"]);
    ok(&run, "kfn flow executions");
    let rows = table_rows(&run.stdout);
    assert_eq!(rows[0], ["NAME", "STATUS", "STARTED", "DURATION", "ERROR"]);
    assert_eq!(rows.len(), 3, "two executions: {}", run.stdout);
    assert_eq!(
        &rows[1][..2],
        ["small-one", "Succeeded"],
        "newest first: {}",
        run.stdout
    );
    assert!(rows[2][0].starts_with("sizes-"), "{}", run.stdout);
    let run = engine.kfn(&["flow", "executions", "boom"]);
    let row = &table_rows(&run.stdout)[1];
    assert_eq!(row[1], "Failed");
    assert_eq!(row[4], "ValueError: no luck for 3");
    let run = engine.kfn(&["flow", "list"]);
    assert_eq!(row_of(&run.stdout, "sizes")[4], "2");

    let run = engine.kfn(&["flow", "history", "small-one"]);
    ok(&run, "kfn flow history");
    let rows = table_rows(&run.stdout);
    assert_eq!(rows[0], ["ID", "TIME", "TYPE", "STATE", "DETAIL"]);
    assert_eq!(rows[1][0], "1");
    assert_eq!(rows[1][1], "+0.000s");
    assert_eq!(rows[1][2], "ExecutionStarted");
    assert!(
        rows[1..].iter().all(|r| r[1].starts_with('+')),
        "times are offsets from the start: {}",
        run.stdout
    );
    assert!(
        rows.iter().any(|r| r[3] == "Double" && r[4].contains("default/double")),
        "the Task's events name its function: {}",
        run.stdout
    );
    assert_eq!(rows.last().unwrap()[2], "ExecutionSucceeded", "{}", run.stdout);
    let run = engine.kfn(&["flow", "history", "small-one", "-o", "json"]);
    ok(&run, "kfn flow history -o json");
    let events: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(events[0]["type"], "ExecutionStarted");
    let failed = execution(&engine, "boom");
    let boom_name = failed[0]["metadata"]["name"].as_str().unwrap().to_string();
    let run = engine.kfn(&["flow", "history", &boom_name]);
    assert!(run.stdout.contains("ValueError: no luck for 3"), "{}", run.stdout);

    // Stop: a long Wait ends Aborted with the error and cause given.
    let waiting = json!({"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let file = write(dir, "nap.asl.json", waiting.to_string());
    ok(
        &engine.kfn(&["flow", "deploy", "nap", "--from-file", file.to_str().unwrap()]),
        "kfn flow deploy nap",
    );
    let run = engine.kfn(&["flow", "start", "nap"]);
    ok(&run, "kfn flow start nap");
    let nap = started_name(&run);
    eventually(Duration::from_secs(60), "the nap execution waits", || {
        let run = engine.kfn(&["flow", "history", &nap, "-o", "json"]);
        if run.stdout.contains("WaitStateEntered") {
            Ok(())
        } else {
            Err(run.stdout + &run.stderr)
        }
    });
    let run = engine.kfn(&["flow", "stop", &nap, "--error", "Cancelled", "--cause", "by the test"]);
    ok(&run, "kfn flow stop");
    assert!(run.stderr.contains("ends Aborted"), "{}", run.stderr);
    eventually(Duration::from_secs(60), "the nap execution ends Aborted", || {
        let all = execution(&engine, "nap");
        match all[0]["status"]["phase"].as_str() {
            Some("Aborted") => Ok(all[0].clone()),
            other => Err(format!("{other:?}")),
        }
    });
    let run = engine.kfn(&["flow", "executions", "nap"]);
    let row = &table_rows(&run.stdout)[1];
    assert_eq!(&row[..2], [nap.as_str(), "Aborted"]);
    assert_eq!(row[4], "Cancelled: by the test");
    fails(&engine.kfn(&["flow", "stop", &nap]), "it has already ended (Aborted)");

    // Deleting a flow deletes its executions.
    ok(&engine.kfn(&["flow", "delete", "sizes"]), "kfn flow delete sizes");
    fails(
        &engine.kfn(&["flow", "history", "small-one"]),
        "Execution small-one is not found",
    );
}
