//! Every test of this binary runs. A test body that takes a `TestApp` by value runs
//! only when its file lists it in `on_both_backends!`, and a file only when `main.rs`
//! declares it: forgetting either would leave a test that silently never runs.

use std::collections::BTreeSet;
use std::path::Path;

/// The test bodies of a file: `async fn name(app: TestApp)`.
fn test_bodies(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|line| {
            let (name, args) = line.trim_start().strip_prefix("async fn ")?.split_once('(')?;
            args.starts_with("app: TestApp)").then_some(name)
        })
        .collect()
}

/// The test bodies of a file that its `on_both_backends!` lists do not name.
fn unregistered(source: &str) -> Vec<String> {
    let mut registered = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find("on_both_backends!(") {
        let after = &rest[start + "on_both_backends!(".len()..];
        let end = after.find(')').unwrap_or(after.len());
        registered.extend(after[..end].split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned));
        rest = &after[end..];
    }
    test_bodies(source).into_iter().filter(|name| !registered.contains(*name)).map(str::to_owned).collect()
}

#[test]
fn a_test_body_missing_from_the_list_is_found() {
    let source = "on_both_backends!(\n    listed,\n    also_listed,\n);\n\
                  async fn listed(app: TestApp) {}\nasync fn forgotten(app: TestApp) {}\n\
                  async fn helper(app: &TestApp) {}\n";
    assert_eq!(unregistered(source), ["forgotten"]);
}

#[test]
fn every_test_body_and_every_file_is_registered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("main.rs");
    let mut bodies = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/api") {
        let path = entry.expect("entry").path();
        let Some(module) =
            path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|e| e == "rs"))
        else {
            continue;
        };
        if module == "main" || module == "registry" {
            continue;
        }
        assert!(main.contains(&format!("mod {module};")), "tests/api/{module}.rs is not declared in main.rs");
        let source = std::fs::read_to_string(&path).expect("source");
        assert!(unregistered(&source).is_empty(), "{module}.rs: not in on_both_backends!: {:?}", unregistered(&source));
        bodies += test_bodies(&source).len();
    }
    assert!(bodies > 100, "only {bodies} test bodies found: the files were not read as expected");
}
