//! The official JSON-Schema-Test-Suite, draft 4, run through this crate's engine
//! configuration (draft 4, format checks on, offline retriever).
//!
//! Corpus: `../shared/corpora/json-schema-test-suite` (see its README: `tests/draft4/*.json`
//! is the required suite, 618 tests in 30 files; `remotes/` is served for
//! `http://localhost:1234/...`, never fetched). Skips with a printed reason when absent.

use std::fs;
use std::path::{Path, PathBuf};

use gateway_validate::ModelSet;
use serde_json::Value;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/json-schema-test-suite"
);

/// The README's count of required draft-4 tests.
const REQUIRED_TESTS: usize = 618;

fn suite() -> Option<PathBuf> {
    let p = PathBuf::from(SUITE);
    if p.join("tests/draft4").is_dir() {
        Some(p)
    } else {
        println!("skipping: JSON-Schema-Test-Suite not found at {SUITE}");
        None
    }
}

fn remotes(dir: &Path, prefix: &str, out: &mut Vec<(String, Value)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            remotes(&path, &format!("{prefix}{name}/"), out);
        } else if let Ok(text) = fs::read_to_string(&path)
            && let Ok(doc) = serde_json::from_str(&text)
        {
            out.push((format!("http://localhost:1234/{prefix}{name}"), doc));
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    tests: usize,
    passed: usize,
    failures: Vec<String>,
}

fn run_file(path: &Path, docs: &[(String, Value)], tally: &mut Tally) {
    let text = fs::read_to_string(path).unwrap();
    let groups: Vec<Value> = serde_json::from_str(&text).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    for group in groups {
        let description = group["description"].as_str().unwrap_or_default().to_owned();
        let mut builder = ModelSet::builder("suite").model("schema", group["schema"].clone());
        for (uri, doc) in docs {
            builder = builder.document(uri.clone(), doc.clone());
        }
        let set = builder.build();
        for test in group["tests"].as_array().unwrap() {
            tally.tests += 1;
            let expected = test["valid"].as_bool().unwrap();
            let name = format!("{file}: {description}: {}", test["description"]);
            let Ok(set) = &set else {
                tally
                    .failures
                    .push(format!("{name}: schema rejected: {:?}", set.as_ref().err()));
                continue;
            };
            let model = set.get("schema").unwrap();
            let valid = model.is_valid(&test["data"]);
            // The explaining path must agree and produce at least one message when invalid.
            let explained = model.validate(&test["data"]);
            let consistent = match &explained {
                Ok(()) => valid,
                Err(e) => !valid && !e.messages().is_empty(),
            };
            if valid == expected && consistent {
                tally.passed += 1;
            } else {
                tally.failures.push(format!(
                    "{name}: expected {expected}, got {valid} / {explained:?}"
                ));
            }
        }
    }
}

fn run_dir(dir: &Path, docs: &[(String, Value)]) -> Tally {
    let mut tally = Tally::default();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for f in files {
        run_file(&f, docs, &mut tally);
    }
    tally
}

#[test]
fn draft4_required_suite_passes_completely() {
    let Some(root) = suite() else { return };
    let mut docs = Vec::new();
    remotes(&root.join("remotes"), "", &mut docs);
    let tally = run_dir(&root.join("tests/draft4"), &docs);
    println!("draft4 required: {}/{} passed", tally.passed, tally.tests);
    assert_eq!(
        tally.tests, REQUIRED_TESTS,
        "the README counts 618 required tests"
    );
    assert!(
        tally.failures.is_empty(),
        "failures:\n{}",
        tally.failures.join("\n")
    );
}

#[test]
fn draft4_optional_and_format_suites_are_reported() {
    let Some(root) = suite() else { return };
    let mut docs = Vec::new();
    remotes(&root.join("remotes"), "", &mut docs);
    let optional = run_dir(&root.join("tests/draft4/optional"), &docs);
    let format = run_dir(&root.join("tests/draft4/optional/format"), &docs);
    println!(
        "draft4 optional: {}/{} passed",
        optional.passed, optional.tests
    );
    for f in &optional.failures {
        println!("  optional failure: {f}");
    }
    println!(
        "draft4 optional/format: {}/{} passed",
        format.passed, format.tests
    );
    for f in &format.failures {
        println!("  format failure: {f}");
    }
    // Informational suites: pin that they ran, not that they all pass.
    assert!(optional.tests > 0 && format.tests > 0);
}
