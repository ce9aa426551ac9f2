//! kfn's verdicts on flow definitions, checked against an independent Amazon States Language
//! validator: the npm `asl-validator` (its CLI; .ci/run installs it at the versions of
//! tests/flows/validator/package-lock.json and exports its path as KFN_ASL_VALIDATOR).
//!
//! tests/flows/valid/*.json must be accepted by both; tests/flows/invalid/*.json refused by
//! both, and kfn's problems must include the one its `.expect` file names (the state's path
//! and what is wrong, as `States.T.Retry[0].BackoffRate: must be at least 1.0`). Where the two
//! validators disagree by design, the file is in [`DISAGREE`] with the reason, and the test
//! checks that asl-validator still gives the other verdict (so a file leaves the list when it
//! changes).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Files on which asl-validator 4.0.0 gives the other verdict, and why kfn's is right.
const DISAGREE: &[(&str, &str)] = &[
    (
        "valid/kfn-resources.json",
        "kfn's own Resource forms (NAME, NAMESPACE/NAME) are not AWS ARNs; asl-validator's CLI \
         checks for an ARN whatever --no-arn-check says (4.0.0 reads the option under another name)",
    ),
    (
        "invalid/backoff-below-one.json",
        "the spec: BackoffRate MUST be greater than or equal to 1.0; asl-validator's schema has \
         a minimum of 0",
    ),
    (
        "invalid/end-on-choice.json",
        "the spec: a Choice state has no End (Choice, Succeed and Fail are not End states); \
         asl-validator's Choice schema lets End through",
    ),
    (
        "invalid/jitter-unknown.json",
        "AWS accepts JitterStrategy FULL or NONE only, and so does kfn; the spec leaves the value \
         to the interpreter and asl-validator does not check it",
    ),
    (
        "invalid/jsonata.json",
        "kfn runs JSONPath definitions only and says so; asl-validator also knows JSONata",
    ),
    (
        "invalid/resource-not-a-function.json",
        "a valid ARN of another AWS service (SQS); kfn's Tasks call kfn functions only",
    ),
    (
        "invalid/retry-empty-error-equals.json",
        "the spec: ErrorEquals MUST be a non-empty array; asl-validator's schema has no minItems",
    ),
    (
        "invalid/states-all-not-alone.json",
        "the spec: States.ALL MUST appear alone in ErrorEquals; asl-validator does not check it",
    ),
    (
        "invalid/states-all-not-last.json",
        "the spec: States.ALL MUST appear in the last Retrier/Catcher; asl-validator does not \
         check it",
    ),
];

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flows").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn short(file: &Path) -> String {
    let parent = file.parent().unwrap().file_name().unwrap().to_string_lossy();
    format!("{parent}/{}", file.file_name().unwrap().to_string_lossy())
}

fn read(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn validator() -> PathBuf {
    let path = std::env::var_os("KFN_ASL_VALIDATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/kfn-asl-validator/node_modules/.bin/asl-validator"));
    assert!(
        path.exists(),
        "asl-validator is not installed at {} (copy tests/flows/validator/package*.json to a \
         directory outside the clone and run npm ci there, as .ci/run does into \
         /var/tmp/kfn-asl-validator, or set KFN_ASL_VALIDATOR to its CLI)",
        path.display()
    );
    path
}

/// asl-validator's verdict: `Ok(())` valid, `Err(its output)` invalid.
fn asl_validator(cli: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new(cli)
        .arg("--json-path")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", cli.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(text),
        other => panic!("asl-validator failed on {} ({other:?}): {text}", file.display()),
    }
}

fn kfn(file: &Path) -> Result<(), Vec<String>> {
    kfn::flows::parse(&read(file))
        .map(|_| ())
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

#[test]
fn kfn_and_asl_validator_agree_on_the_corpus() {
    let cli = validator();
    let valid = corpus("valid");
    let invalid = corpus("invalid");
    assert!(valid.len() >= 12 && invalid.len() >= 20, "the corpus is too small");
    let mut wrong = Vec::new();
    for (file, should_be_valid) in valid
        .iter()
        .map(|f| (f, true))
        .chain(invalid.iter().map(|f| (f, false)))
    {
        let name = short(file);
        let disagree = DISAGREE.iter().find(|(f, _)| *f == name);
        // kfn's verdict.
        match (kfn(file), should_be_valid) {
            (Ok(()), true) => {}
            (Err(problems), true) => wrong.push(format!("{name}: kfn refuses it: {problems:#?}")),
            (Ok(()), false) => wrong.push(format!("{name}: kfn accepts it")),
            (Err(problems), false) => {
                let expect_file = file.with_extension("expect");
                let expect =
                    std::fs::read_to_string(&expect_file).unwrap_or_else(|e| panic!("{}: {e}", expect_file.display()));
                let expect = expect.trim_end_matches('\n');
                if !problems.iter().any(|p| p.starts_with(expect)) {
                    wrong.push(format!(
                        "{name}: kfn's problems do not include {expect:?}: {problems:#?}"
                    ));
                }
                if problems.len() != 1 {
                    wrong.push(format!(
                        "{name}: one problem is in the file, kfn reports {}: {problems:#?}",
                        problems.len()
                    ));
                }
            }
        }
        // asl-validator's verdict.
        let theirs = asl_validator(&cli, file);
        match (theirs, should_be_valid, disagree) {
            (Ok(()), true, None) | (Err(_), false, None) => {}
            (Err(_), true, Some(_)) | (Ok(()), false, Some(_)) => {}
            (Err(text), true, None) => wrong.push(format!("{name}: asl-validator refuses it: {text}")),
            (Ok(()), false, None) => wrong.push(format!("{name}: asl-validator accepts it")),
            (verdict, _, Some((_, why))) => wrong.push(format!(
                "{name}: listed as a disagreement ({why}), but asl-validator now agrees with \
                 kfn ({verdict:?}): take it off the list"
            )),
        }
    }
    for (listed, _) in DISAGREE {
        assert!(
            valid.iter().chain(&invalid).any(|f| short(f) == *listed),
            "{listed} is listed in DISAGREE but is not in tests/flows"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The examples the docs show are valid for kfn (they use kfn's own Resource names, which
/// asl-validator's CLI refuses: see DISAGREE), and asl-validator finds nothing else wrong
/// with them once the Resources are ARNs.
#[test]
fn the_documented_examples_are_valid() {
    let cli = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flows");
    let order: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("order.asl.json")).unwrap()).unwrap();
    let fanout: Value = serde_saphyr::from_str(&std::fs::read_to_string(dir.join("fanout.asl.yaml")).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (name, mut definition) in [("order", order), ("fanout", fanout)] {
        if let Err(problems) = kfn::flows::parse(&definition) {
            panic!("examples/flows/{name}: kfn refuses it: {problems:#?}");
        }
        as_arns(&mut definition);
        let file = tmp.path().join(format!("{name}.json"));
        std::fs::write(&file, definition.to_string()).unwrap();
        if let Err(text) = asl_validator(&cli, &file) {
            panic!("examples/flows/{name} (with ARN Resources): asl-validator refuses it: {text}");
        }
    }
}

/// Task Resources given as kfn names, written as the Lambda ARNs kfn reads the same way.
fn as_arns(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            let is_task = fields.get("Type").and_then(Value::as_str) == Some("Task");
            if is_task
                && let Some(Value::String(r)) = fields.get_mut("Resource")
                && !r.starts_with("arn:")
            {
                let name = r.rsplit('/').next().unwrap_or_default().to_string();
                *r = format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
            }
            fields.values_mut().for_each(as_arns);
        }
        Value::Array(items) => items.iter_mut().for_each(as_arns),
        _ => {}
    }
}
