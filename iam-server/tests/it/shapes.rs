//! Checks every XML snapshot of the crate against the botocore output shape of its operation,
//! and the error codes against the models.

use std::path::{Path, PathBuf};

use iam_server::ErrorCode;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

use crate::models::Model;

/// An XML element with its children, or its text when it has none.
#[derive(Debug)]
struct Element {
    name: String,
    children: Vec<Element>,
    text: String,
}

fn parse_xml(text: &str) -> Element {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        children: Vec::new(),
        text: String::new(),
    }];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => stack.push(Element {
                name: start.name().as_ref().to_owned(),
                children: Vec::new(),
                text: String::new(),
            }),
            Event::End(_) => {
                let element = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(element);
            }
            Event::Empty(empty) => stack.last_mut().unwrap().children.push(Element {
                name: empty.name().as_ref().to_owned(),
                children: Vec::new(),
                text: String::new(),
            }),
            Event::Text(text) => {
                stack.last_mut().unwrap().text += &text.into_inner();
            }
            Event::GeneralRef(reference) => {
                let name = reference.into_inner().into_owned();
                let character = match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity `{other}`"),
                };
                stack.last_mut().unwrap().text += character;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "expected one root element");
    document.children.pop().unwrap()
}

/// Checks that `element` fits `shape_name`, returning a list of problems.
fn check_shape(
    model: &Model,
    element: &Element,
    shape_name: &str,
    path: &str,
    problems: &mut Vec<String>,
) {
    let shape = model.shape(shape_name);
    match shape["type"].as_str().unwrap() {
        "structure" => {
            let members = shape["members"].as_object().unwrap();
            for child in &element.children {
                let child_path = format!("{path}/{}", child.name);
                match members.get(&child.name) {
                    Some(member) => check_shape(
                        model,
                        child,
                        member["shape"].as_str().unwrap(),
                        &child_path,
                        problems,
                    ),
                    None => problems.push(format!("{child_path}: not a member of `{shape_name}`")),
                }
            }
            for required in shape
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let required = required.as_str().unwrap();
                if !element.children.iter().any(|child| child.name == required) {
                    problems.push(format!("{path}: required member `{required}` is missing"));
                }
            }
        }
        "list" => {
            let member_shape = shape["member"]["shape"].as_str().unwrap();
            for child in &element.children {
                if child.name != "member" {
                    problems.push(format!(
                        "{path}/{}: list items must be `member`",
                        child.name
                    ));
                } else {
                    check_shape(
                        model,
                        child,
                        member_shape,
                        &format!("{path}/member"),
                        problems,
                    );
                }
            }
        }
        "map" => {
            for entry in &element.children {
                let names: Vec<&str> = entry
                    .children
                    .iter()
                    .map(|child| child.name.as_str())
                    .collect();
                if entry.name != "entry" || names != ["key", "value"] {
                    problems.push(format!("{path}: map entries must be entry/key/value"));
                }
            }
        }
        scalar => {
            if !element.children.is_empty() {
                problems.push(format!("{path}: `{scalar}` must be text"));
            }
            if scalar == "timestamp" && element.text.parse::<jiff::Timestamp>().is_err() {
                problems.push(format!(
                    "{path}: `{}` is not an ISO 8601 timestamp",
                    element.text
                ));
            }
            if scalar == "boolean" && !matches!(element.text.as_str(), "true" | "false") {
                problems.push(format!("{path}: `{}` is not a boolean", element.text));
            }
        }
    }
}

/// Checks one response body and returns its problems.
fn check_response(iam: &Model, sts: &Model, body: &str) -> Vec<String> {
    let root = parse_xml(body);
    let mut problems = Vec::new();
    let namespace_ok = |model: &Model| body.contains(&format!("xmlns=\"{}\"", model.namespace));

    if root.name == "ErrorResponse" {
        let names: Vec<&str> = root
            .children
            .iter()
            .map(|child| child.name.as_str())
            .collect();
        if names != ["Error", "RequestId"] {
            problems.push(format!("ErrorResponse children are {names:?}"));
        }
        let error_names: Vec<&str> = root.children[0]
            .children
            .iter()
            .map(|child| child.name.as_str())
            .collect();
        if error_names != ["Type", "Code", "Message"] {
            problems.push(format!("Error children are {error_names:?}"));
        }
        if !namespace_ok(iam) && !namespace_ok(sts) {
            problems.push("ErrorResponse has no IAM or STS namespace".to_owned());
        }
        return problems;
    }

    let Some(action) = root.name.strip_suffix("Response") else {
        return vec![format!("root `{}` is not `<Action>Response`", root.name)];
    };
    let (model, operation) = match (iam.operations.get(action), sts.operations.get(action)) {
        (Some(operation), _) if namespace_ok(iam) => (iam, operation),
        (_, Some(operation)) if namespace_ok(sts) => (sts, operation),
        _ => return vec![format!("`{action}` is no operation of the namespace used")],
    };
    let mut children = root.children.iter();
    if let Some(output) = operation.get("output") {
        let wrapper = output["resultWrapper"].as_str().unwrap();
        match children.next() {
            Some(result) if result.name == wrapper => check_shape(
                model,
                result,
                output["shape"].as_str().unwrap(),
                wrapper,
                &mut problems,
            ),
            other => problems.push(format!(
                "expected `{wrapper}`, found {:?}",
                other.map(|element| &element.name)
            )),
        }
    }
    match children.next() {
        Some(metadata) if metadata.name == "ResponseMetadata" => {
            let names: Vec<&str> = metadata
                .children
                .iter()
                .map(|child| child.name.as_str())
                .collect();
            if names != ["RequestId"] {
                problems.push(format!("ResponseMetadata children are {names:?}"));
            }
        }
        other => problems.push(format!(
            "expected `ResponseMetadata`, found {:?}",
            other.map(|element| &element.name)
        )),
    }
    if let Some(extra) = children.next() {
        problems.push(format!(
            "unexpected element `{}` after ResponseMetadata",
            extra.name
        ));
    }
    problems
}

fn snapshot_files(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            snapshot_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "snap")
        {
            found.push(path);
        }
    }
}

/// Returns the body of an insta snapshot: everything after the second `---` line.
fn snapshot_body(text: &str) -> Option<&str> {
    let mut parts = text.splitn(3, "---\n");
    parts.next()?;
    parts.next()?;
    parts.next()
}

/// Returns whether a problem is a member the model marks required but AWS leaves out: the
/// root user's `User`, in `GetUser` and as the owner of a virtual MFA device, has no `Path` or
/// `UserName`, and the root user's access keys have no `UserName`.
fn is_known_aws_omission(snapshot: &str, problem: &str) -> bool {
    let root_user_snapshot = snapshot.ends_with("get_user_root.snap")
        || snapshot.ends_with("list_virtual_mfa_devices_root.snap");
    let root_user = root_user_snapshot
        && (problem.ends_with("`Path` is missing") || problem.ends_with("`UserName` is missing"));
    let root_keys = snapshot.ends_with("list_access_keys_root.snap")
        && problem.ends_with("`UserName` is missing");
    root_user || root_keys
}

#[test]
fn xml_snapshots_match_botocore_shapes() {
    let iam = Model::iam();
    let sts = Model::sts();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    snapshot_files(&root.join("src"), &mut files);
    snapshot_files(&root.join("tests"), &mut files);

    let mut checked = 0;
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let Some(body) = snapshot_body(&text) else {
            continue;
        };
        if !body.trim_start().starts_with("<?xml") {
            continue;
        }
        checked += 1;
        let name = file.file_name().unwrap().to_string_lossy();
        for problem in check_response(&iam, &sts, body.trim()) {
            if !is_known_aws_omission(&name, &problem) {
                problems.push(format!("{}: {problem}", file.display()));
            }
        }
    }

    assert!(checked >= 4, "expected XML snapshots, found {checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn shape_check_catches_unknown_member() {
    let iam = Model::iam();
    let sts = Model::sts();
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetUserResponse \
        xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult><User><Nickname>x\
        </Nickname></User></GetUserResult><ResponseMetadata><RequestId>r</RequestId>\
        </ResponseMetadata></GetUserResponse>";

    let problems = check_response(&iam, &sts, body);

    assert!(
        problems.iter().any(|problem| problem.contains("Nickname")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("`UserName` is missing")),
        "{problems:?}"
    );
}

#[test]
fn error_codes_match_model_statuses() {
    let mut declared = Model::iam().error_codes();
    for (code, status) in Model::sts().error_codes() {
        declared.entry(code).or_insert(status);
    }

    let mut mismatches = Vec::new();
    let mut modelled = 0;
    for code in ErrorCode::ALL {
        if let Some(status) = declared.get(code.as_str()) {
            modelled += 1;
            if *status != code.status().as_u16() {
                mismatches.push(format!("{code}: model {status}, server {}", code.status()));
            }
        }
    }

    assert!(modelled >= 10, "only {modelled} codes found in the models");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
