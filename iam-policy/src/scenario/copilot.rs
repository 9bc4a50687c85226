//! The scenario format of the iam-simulate project (cloud-copilot), read as a conformance
//! suite.
//!
//! A file is a JSON list of cases. Each case has a `name`, a `request` (`principal`, `action`,
//! `resource` with `resource` and `accountId`, `context`), `identityPolicies` and, as needed,
//! `resourcePolicy`, `permissionBoundaries`, `sessionPolicy`, `serviceControlPolicies` and
//! `resourceControlPolicies` (lists of `{orgIdentifier, policies}`, root first),
//! `endpointPolicies`, and `expected.response` (`Allowed`, `ImplicitlyDenied` or
//! `ExplicitlyDenied`). Cases in the project's own `Discovery` simulation mode are skipped.
//!
//! Like that project's runner, the reader attaches an allow-all RCP at every organization
//! level, as AWS attaches `RCPFullAWSAccess` by default.
//!
//! Where a recorded decision contradicts AWS's documentation, [`documented_decision`] replaces
//! it and names the page that settles it.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::context::{ContextKeys, RequestContext, RequestPrincipal};
use crate::document::{PolicyDocument, Span, Spanned, Version};
use crate::error::PolicyError;
use crate::evaluate::{
    Decision, NamedPolicy, OrganizationLevel, OrganizationPolicies, PrincipalPolicies,
    ResourcePolicies,
};

use super::{Scenario, invalid, parse_context, parse_decision};

/// The allow-all policy AWS attaches to every level of an organization as `RCPFullAWSAccess`.
const RCP_FULL_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// Parses an iam-simulate scenario file, skipping `Discovery` cases.
///
/// # Errors
///
/// Returns [`PolicyError::InvalidScenario`] when the file is not a JSON list of objects. A
/// case that is wrong on its own yields its own error in the returned list.
pub fn parse_copilot_file(text: &str) -> Result<Vec<Result<Scenario, PolicyError>>, PolicyError> {
    let cases: Vec<BTreeMap<String, &RawValue>> = serde_json::from_str(text)
        .map_err(|error| invalid("file", format!("expected a list of cases: {error}")))?;
    Ok(cases
        .iter()
        .enumerate()
        .filter(|(_, case)| !is_discovery(case))
        .map(|(index, case)| parse_case(index, case))
        .collect())
}

fn is_discovery(case: &BTreeMap<String, &RawValue>) -> bool {
    let Some(simulation) = case.get("simulation") else {
        return false;
    };
    let Ok(simulation) = serde_json::from_str::<Value>(simulation.get()) else {
        return false;
    };
    simulation.get("mode").and_then(Value::as_str) == Some("Discovery")
}

fn parse_case(index: usize, case: &BTreeMap<String, &RawValue>) -> Result<Scenario, PolicyError> {
    let name = case
        .get("name")
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .unwrap_or_else(|| format!("cases[{index}]"));
    let fail = |reason: String| invalid(&name, reason);

    let policy = |raw: &RawValue, id: String| -> Result<NamedPolicy, PolicyError> {
        let document = parse_policy(raw.get())
            .map_err(|error| fail(format!("policy `{id}` does not parse: {error}")))?;
        Ok(NamedPolicy::new(id, document))
    };
    let policy_list = |field: &str| -> Result<Vec<NamedPolicy>, PolicyError> {
        let Some(raw) = case.get(field) else {
            return Ok(Vec::new());
        };
        let items: Option<Vec<&RawValue>> = serde_json::from_str(raw.get())
            .map_err(|error| fail(format!("`{field}`: expected a list: {error}")))?;
        items
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(position, item)| policy(item, format!("{field}[{position}]")))
            .collect()
    };
    let organization =
        |field: &str, add_full_access: bool| -> Result<Option<OrganizationPolicies>, PolicyError> {
            let Some(raw) = case.get(field) else {
                return Ok(None);
            };
            let levels: Vec<BTreeMap<String, &RawValue>> = serde_json::from_str(raw.get())
                .map_err(|error| fail(format!("`{field}`: expected a list of levels: {error}")))?;
            let levels = levels
                .iter()
                .enumerate()
                .map(|(position, level)| {
                    let id = level
                        .get("orgIdentifier")
                        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
                        .unwrap_or_else(|| format!("{field}[{position}]"));
                    let items: Vec<&RawValue> = match level.get("policies") {
                        Some(raw) => serde_json::from_str(raw.get()).map_err(|error| {
                            fail(format!("`{field}[{position}].policies`: {error}"))
                        })?,
                        None => Vec::new(),
                    };
                    let mut policies = items
                        .iter()
                        .enumerate()
                        .map(|(item, raw)| policy(raw, format!("{id}[{item}]")))
                        .collect::<Result<Vec<_>, _>>()?;
                    if add_full_access {
                        let document = PolicyDocument::parse(RCP_FULL_ACCESS)?;
                        policies.push(NamedPolicy::new("RCPFullAWSAccess", document));
                    }
                    Ok(OrganizationLevel { id, policies })
                })
                .collect::<Result<Vec<_>, PolicyError>>()?;
            Ok(Some(OrganizationPolicies {
                management_account: None,
                levels,
            }))
        };

    let mut boundaries = policy_list("permissionBoundaries")?;
    if boundaries.len() > 1 {
        return Err(fail("expected at most one permissions boundary".to_owned()));
    }
    let mut endpoints = policy_list("endpointPolicies")?;
    if endpoints.len() > 1 {
        return Err(fail("expected at most one endpoint policy".to_owned()));
    }
    let session = match case.get("sessionPolicy") {
        Some(raw) if raw.get() != "null" => vec![policy(raw, "sessionPolicy".to_owned())?],
        _ => Vec::new(),
    };
    let principal_policies = PrincipalPolicies {
        identity: policy_list("identityPolicies")?,
        permissions_boundary: boundaries.pop(),
        session,
        scps: organization("serviceControlPolicies", false)?,
    };
    let resource_policies = ResourcePolicies {
        resource: match case.get("resourcePolicy") {
            Some(raw) if raw.get() != "null" => Some(policy(raw, "resourcePolicy".to_owned())?),
            _ => None,
        },
        rcps: organization("resourceControlPolicies", true)?,
        vpc_endpoint: endpoints.pop(),
        ..ResourcePolicies::default()
    };

    let request = case
        .get("request")
        .ok_or_else(|| fail("missing `request`".to_owned()))?;
    let request = parse_request(request).map_err(fail)?;

    let expected: Value = case
        .get("expected")
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .ok_or_else(|| fail("missing `expected`".to_owned()))?;
    let recorded = expected
        .get("response")
        .and_then(Value::as_str)
        .ok_or_else(|| fail("missing `expected.response`".to_owned()))?;
    let recorded = parse_decision(recorded).map_err(fail)?;

    Ok(Scenario {
        expected: documented_decision(&name).unwrap_or(recorded),
        name,
        principal_policies,
        resource_policies,
        request,
        expected_gate: None,
    })
}

/// Parses a policy, accepting two shorthands of the iam-simulate cases that AWS itself rejects.
///
/// A `Principal` or `NotPrincipal` written as a bare ARN string is read as `{"AWS": ARN}`,
/// which is what the cases mean. An empty `Statement` list is read as a policy that grants
/// nothing. Spans of a rewritten document point into its re-serialized text.
fn parse_policy(text: &str) -> Result<PolicyDocument, PolicyError> {
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        return PolicyDocument::parse(text);
    };
    let mut rewritten = false;
    let statements = match value.get_mut("Statement") {
        Some(Value::Array(statements)) => statements.iter_mut().collect(),
        Some(statement @ Value::Object(_)) => vec![statement],
        _ => Vec::new(),
    };
    for statement in statements {
        for element in ["Principal", "NotPrincipal"] {
            if let Some(principal) = statement.get_mut(element)
                && let Value::String(arn) = principal
                && arn != "*"
            {
                let arn = std::mem::take(arn);
                *principal = serde_json::json!({ "AWS": arn });
                rewritten = true;
            }
        }
    }

    let empty_statements =
        matches!(value.get("Statement"), Some(Value::Array(list)) if list.is_empty());
    if empty_statements {
        let version = value
            .get("Version")
            .and_then(Value::as_str)
            .and_then(Version::from_name)
            .map(Spanned::new);
        return Ok(PolicyDocument {
            version,
            id: None,
            statements: Vec::new(),
            span: Span::default(),
        });
    }
    if rewritten {
        return PolicyDocument::parse(&value.to_string());
    }
    PolicyDocument::parse(text)
}

fn parse_request(raw: &RawValue) -> Result<RequestContext, String> {
    let request: Value = serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
    let principal = request
        .get("principal")
        .and_then(Value::as_str)
        .ok_or("expected `request.principal` to be a string")?;
    let principal = RequestPrincipal::from_arn(principal).map_err(|error| error.to_string())?;
    let action = request
        .get("action")
        .and_then(Value::as_str)
        .ok_or("expected `request.action` to be a string")?;
    let resource = request.get("resource");
    let resource_arn = resource
        .and_then(|resource| resource.get("resource"))
        .and_then(Value::as_str)
        .unwrap_or("*");
    let resource_account = match resource
        .and_then(|resource| resource.get("accountId"))
        .and_then(Value::as_str)
    {
        Some(account) => Some(
            account
                .parse()
                .map_err(|error: iam_model::ModelError| error.to_string())?,
        ),
        None => None,
    };
    let keys = match request.get("context") {
        Some(Value::Null) | None => ContextKeys::new(),
        Some(context) => parse_context(context)?,
    };
    Ok(RequestContext::new(
        principal,
        action,
        resource_arn,
        resource_account,
        None,
        keys,
    ))
}

/// Returns the decision AWS documents for a case whose recorded decision contradicts it.
fn documented_decision(name: &str) -> Option<Decision> {
    match name {
        // AWS documents that a resource-based grant naming the session ARN is added after the
        // session exists and is not limited by the session policy. The recorded decision
        // applies the session policy anyway.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
        "Implicit deny in session policy denies even if session ARN in resource policy" => {
            Some(Decision::Allow)
        }
        _ => None,
    }
}
