//! Scenarios: policies, a request and the decision expected for it, read from JSON files.
//!
//! Two formats are read. [`parse_scenario_file`] reads this crate's own format, meant for
//! users who want unit tests of their policies; `iam-policy/README.md` describes it.
//! [`parse_copilot_file`] reads the scenario files of the iam-simulate project, whose cases
//! serve as a conformance suite.
//!
//! Parsing works on text; reading files is left to callers such as the
//! `iam-policy-conformance` binary.

mod copilot;

use std::collections::BTreeMap;
use std::fmt;

use iam_model::AccountId;
use jiff::Timestamp;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::context::{ContextKeys, ContextValue, RequestContext, RequestPrincipal};
use crate::document::PolicyDocument;
use crate::error::PolicyError;
use crate::evaluate::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, Decision, Explanation, Gate, NamedPolicy,
    OrganizationLevel, OrganizationPolicies, PrincipalPolicies, ResourcePolicies,
    ResourcePolicyKind,
};

pub use copilot::parse_copilot_file;

#[cfg(test)]
mod tests;

/// One case: the policies in force, a request and the expected decision.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The case's name, unique within its file.
    pub name: String,
    /// The principal's policies.
    pub principal_policies: PrincipalPolicies,
    /// The resource's policies.
    pub resource_policies: ResourcePolicies,
    /// The request.
    pub request: RequestContext,
    /// The decision the case expects.
    pub expected: Decision,
    /// The gate the case expects to block the request, by [`Gate::kind_name`].
    pub expected_gate: Option<String>,
}

/// The result of running one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    /// The decision with its explanation.
    pub explanation: Explanation,
    /// Whether the decision, and the gate when the case names one, are the expected ones.
    pub passed: bool,
}

impl Scenario {
    /// Compiles the scenario's policies, evaluates its request and compares the result with
    /// the expectation. The fast path and the explaining path must agree, so a scenario also
    /// fails when they differ.
    pub fn run(&self) -> ScenarioOutcome {
        let principal = CompiledPrincipalPolicies::compile(
            &self.principal_policies,
            Some(self.request.principal()),
        );
        let resource = CompiledResourcePolicies::compile(&self.resource_policies);
        let explanation = principal.explain(&resource, &self.request);
        let fast = principal.evaluate(&resource, &self.request);

        let gate_matches = match (&self.expected_gate, &explanation.gate) {
            (None, _) => true,
            (Some(expected), Some(gate)) => expected.eq_ignore_ascii_case(gate.kind_name()),
            (Some(_), None) => false,
        };
        let passed = explanation.decision == self.expected && fast == self.expected && gate_matches;
        ScenarioOutcome {
            explanation,
            passed,
        }
    }
}

/// The tally of a run over many scenarios.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioReport {
    /// How many cases passed.
    pub passed: usize,
    /// One message per failing or unreadable case, with the explanation of the decision.
    pub failures: Vec<String>,
}

impl ScenarioReport {
    /// Runs every case read from one file, naming failures after `label`.
    pub fn run_file(
        &mut self,
        label: &str,
        cases: impl IntoIterator<Item = Result<Scenario, PolicyError>>,
    ) {
        for case in cases {
            let scenario = match case {
                Ok(scenario) => scenario,
                Err(error) => {
                    self.failures.push(format!("{label}: {error}"));
                    continue;
                }
            };
            let outcome = scenario.run();
            if outcome.passed {
                self.passed += 1;
            } else {
                self.failures.push(format!(
                    "{label}: {}\n  expected {:?}, got {}",
                    scenario.name, scenario.expected, outcome.explanation
                ));
            }
        }
    }
}

/// Parses a file in this crate's scenario format.
///
/// # Errors
///
/// Returns [`PolicyError::InvalidScenario`] when the file is not a JSON object with `cases`.
/// A case that is wrong on its own yields its own error in the returned list, so one bad case
/// does not hide the others.
pub fn parse_scenario_file(text: &str) -> Result<Vec<Result<Scenario, PolicyError>>, PolicyError> {
    let file: BTreeMap<String, &RawValue> =
        serde_json::from_str(text).map_err(|error| invalid("file", error.to_string()))?;
    let policies: BTreeMap<String, &RawValue> = match file.get("policies") {
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|error| invalid("policies", format!("expected an object: {error}")))?,
        None => BTreeMap::new(),
    };
    let cases: Vec<BTreeMap<String, &RawValue>> = match file.get("cases") {
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|error| invalid("cases", format!("expected a list of objects: {error}")))?,
        None => return Err(invalid("file", "expected a `cases` list".to_owned())),
    };
    let library = PolicyLibrary::parse(&policies);
    Ok(cases
        .iter()
        .enumerate()
        .map(|(index, case)| parse_native_case(index, case, &library))
        .collect())
}

/// The named policies of a scenario file, parsed once.
struct PolicyLibrary {
    policies: BTreeMap<String, Result<PolicyDocument, String>>,
}

impl PolicyLibrary {
    fn parse(raw: &BTreeMap<String, &RawValue>) -> Self {
        let policies = raw
            .iter()
            .map(|(name, raw)| {
                let parsed = PolicyDocument::parse(raw.get()).map_err(|error| error.to_string());
                (name.clone(), parsed)
            })
            .collect();
        Self { policies }
    }

    /// Resolves a policy reference: a name from `policies` or a document written in place.
    fn resolve(&self, raw: &RawValue, default_id: &str) -> Result<NamedPolicy, String> {
        let text = raw.get().trim_start();
        if text.starts_with('"') {
            let name: String =
                serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
            return match self.policies.get(&name) {
                Some(Ok(document)) => Ok(NamedPolicy::new(name, document.clone())),
                Some(Err(error)) => Err(format!("policy `{name}` does not parse: {error}")),
                None => Err(format!("unknown policy `{name}`")),
            };
        }
        let document = PolicyDocument::parse(raw.get())
            .map_err(|error| format!("policy `{default_id}` does not parse: {error}"))?;
        Ok(NamedPolicy::new(default_id, document))
    }

    fn resolve_list(&self, raw: &RawValue, prefix: &str) -> Result<Vec<NamedPolicy>, String> {
        let items: Vec<&RawValue> = if raw.get().trim_start().starts_with('[') {
            serde_json::from_str(raw.get()).map_err(|error| error.to_string())?
        } else {
            vec![raw]
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| self.resolve(item, &format!("{prefix}[{index}]")))
            .collect()
    }

    fn resolve_organization(
        &self,
        raw: &RawValue,
        prefix: &str,
    ) -> Result<OrganizationPolicies, String> {
        let object: BTreeMap<String, &RawValue> =
            serde_json::from_str(raw.get()).map_err(|error| format!("`{prefix}`: {error}"))?;
        let management_account = match object.get("management_account") {
            Some(raw) => Some(parse_account(&string_value(raw)?)?),
            None => None,
        };
        let levels: Vec<BTreeMap<String, &RawValue>> = match object.get("levels") {
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|error| format!("`{prefix}.levels`: {error}"))?,
            None => Vec::new(),
        };
        let levels = levels
            .iter()
            .enumerate()
            .map(|(index, level)| {
                let id = match level.get("id") {
                    Some(raw) => string_value(raw)?,
                    None => format!("{prefix}.levels[{index}]"),
                };
                let policies = match level.get("policies") {
                    Some(raw) => self.resolve_list(raw, &format!("{prefix}.{id}"))?,
                    None => Vec::new(),
                };
                Ok(OrganizationLevel { id, policies })
            })
            .collect::<Result<_, String>>()?;
        Ok(OrganizationPolicies {
            management_account,
            levels,
        })
    }
}

fn parse_native_case(
    index: usize,
    case: &BTreeMap<String, &RawValue>,
    library: &PolicyLibrary,
) -> Result<Scenario, PolicyError> {
    let name = match case.get("name") {
        Some(raw) => {
            string_value(raw).map_err(|reason| invalid(&format!("cases[{index}]"), reason))?
        }
        None => format!("cases[{index}]"),
    };
    let fail = |reason: String| invalid(&name, reason);

    let mut principal_policies = PrincipalPolicies::default();
    let mut resource_policies = ResourcePolicies::default();
    for (key, raw) in case {
        match key.as_str() {
            "name" | "request" | "principal" | "expect" | "expect_gate" | "note" => {}
            "identity" => {
                principal_policies.identity = library.resolve_list(raw, key).map_err(fail)?
            }
            "permissions_boundary" => {
                principal_policies.permissions_boundary =
                    Some(library.resolve(raw, key).map_err(fail)?);
            }
            "session" => {
                principal_policies.session = library.resolve_list(raw, key).map_err(fail)?
            }
            "scps" => {
                principal_policies.scps =
                    Some(library.resolve_organization(raw, key).map_err(fail)?);
            }
            "resource_policy" | "trust_policy" => {
                if resource_policies.resource.is_some() {
                    return Err(fail(
                        "give `resource_policy` or `trust_policy`, not both".to_owned(),
                    ));
                }
                resource_policies.resource = Some(library.resolve(raw, key).map_err(fail)?);
                if key == "trust_policy" {
                    resource_policies.kind = ResourcePolicyKind::Trust;
                }
            }
            "rcps" => {
                resource_policies.rcps =
                    Some(library.resolve_organization(raw, key).map_err(fail)?);
            }
            "vpc_endpoint" => {
                resource_policies.vpc_endpoint = Some(library.resolve(raw, key).map_err(fail)?);
            }
            other => return Err(fail(format!("unknown field `{other}`"))),
        }
    }

    let principal = match case.get("principal") {
        Some(raw) => parse_principal(raw).map_err(fail)?,
        None => return Err(fail("missing `principal`".to_owned())),
    };
    let request = match case.get("request") {
        Some(raw) => parse_request(raw, principal).map_err(fail)?,
        None => return Err(fail("missing `request`".to_owned())),
    };
    let expected = match case.get("expect") {
        Some(raw) => parse_decision(&string_value(raw).map_err(fail)?).map_err(fail)?,
        None => return Err(fail("missing `expect`".to_owned())),
    };
    let expected_gate = match case.get("expect_gate") {
        Some(raw) => Some(string_value(raw).map_err(fail)?),
        None => None,
    };
    Ok(Scenario {
        name,
        principal_policies,
        resource_policies,
        request,
        expected,
        expected_gate,
    })
}

/// Parses a principal: an ARN string, or an object with `arn` and optional `tags`,
/// `user_id`, `role_arn` and `service_linked`.
fn parse_principal(raw: &RawValue) -> Result<RequestPrincipal, String> {
    let value: Value = serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
    let principal_from =
        |arn: &str| RequestPrincipal::from_arn(arn).map_err(|error| error.to_string());
    let object = match &value {
        Value::String(arn) => return principal_from(arn),
        Value::Object(object) => object,
        _ => return Err("expected `principal` to be an ARN or an object".to_owned()),
    };
    let arn = object
        .get("arn")
        .and_then(Value::as_str)
        .ok_or("expected `principal.arn` to be a string")?;
    let mut principal = principal_from(arn)?;
    for (key, field) in object {
        principal = match (key.as_str(), field) {
            ("arn", _) => principal,
            ("user_id", Value::String(user_id)) => principal.with_user_id(user_id),
            ("role_arn", Value::String(role_arn)) => principal.with_role_arn(role_arn),
            ("service_linked", Value::Bool(flag)) => principal.with_service_linked(*flag),
            ("tags", Value::Object(tags)) => {
                let mut tagged = principal;
                for (tag_key, tag_value) in tags {
                    let tag_value = tag_value
                        .as_str()
                        .ok_or_else(|| format!("expected tag `{tag_key}` to be a string"))?;
                    tagged = tagged.with_tag(tag_key, tag_value);
                }
                tagged
            }
            (other, _) => return Err(format!("unknown or mistyped principal field `{other}`")),
        };
    }
    Ok(principal)
}

/// Parses the request object: `action`, `resource`, optional `resource_account`, `time` and
/// `context`.
fn parse_request(raw: &RawValue, principal: RequestPrincipal) -> Result<RequestContext, String> {
    let value: Value = serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
    let object = value
        .as_object()
        .ok_or("expected `request` to be an object")?;
    for key in object.keys() {
        if !matches!(
            key.as_str(),
            "action" | "resource" | "resource_account" | "time" | "context"
        ) {
            return Err(format!("unknown request field `{key}`"));
        }
    }
    let action = object
        .get("action")
        .and_then(Value::as_str)
        .ok_or("expected `request.action` to be a string")?;
    let resource = object
        .get("resource")
        .and_then(Value::as_str)
        .unwrap_or("*");
    let resource_account = match object.get("resource_account").and_then(Value::as_str) {
        Some(account) => Some(parse_account(account)?),
        None => None,
    };
    let time = match object.get("time").and_then(Value::as_str) {
        Some(time) => Some(
            time.parse::<Timestamp>()
                .map_err(|error| format!("invalid `request.time` `{time}`: {error}"))?,
        ),
        None => None,
    };
    let keys = match object.get("context") {
        Some(context) => parse_context(context)?,
        None => ContextKeys::new(),
    };
    Ok(RequestContext::new(
        principal,
        action,
        resource,
        resource_account,
        time,
        keys,
    ))
}

/// Parses context keys: each value a string, number, boolean or list of them.
pub(crate) fn parse_context(context: &Value) -> Result<ContextKeys, String> {
    let object = context
        .as_object()
        .ok_or("expected `context` to be an object")?;
    let mut keys = ContextKeys::new();
    for (key, value) in object {
        let text = |item: &Value| match item {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            _ => Err(format!(
                "expected context key `{key}` to hold text, numbers or booleans"
            )),
        };
        let context_value = match value {
            Value::Array(items) => {
                ContextValue::list(items.iter().map(text).collect::<Result<Vec<_>, _>>()?)
            }
            single => ContextValue::single(text(single)?),
        };
        keys.insert(key, context_value);
    }
    Ok(keys)
}

/// Parses a decision name; the iam-simulate spellings are accepted too.
pub(crate) fn parse_decision(name: &str) -> Result<Decision, String> {
    match name {
        "Allow" | "Allowed" => Ok(Decision::Allow),
        "ExplicitDeny" | "ExplicitlyDenied" => Ok(Decision::ExplicitDeny),
        "ImplicitDeny" | "ImplicitlyDenied" => Ok(Decision::ImplicitDeny),
        other => Err(format!(
            "unknown decision `{other}`, expected `Allow`, `ExplicitDeny` or `ImplicitDeny`"
        )),
    }
}

fn parse_account(text: &str) -> Result<AccountId, String> {
    text.parse()
        .map_err(|error: iam_model::ModelError| error.to_string())
}

fn string_value(raw: &RawValue) -> Result<String, String> {
    serde_json::from_str(raw.get()).map_err(|_| format!("expected a string, found `{}`", raw.get()))
}

fn invalid(name: &str, reason: String) -> PolicyError {
    PolicyError::InvalidScenario {
        name: name.to_owned(),
        reason,
    }
}

impl Gate {
    /// Returns a short name for the kind of gate, as scenario files write it: `scp`, `rcp`,
    /// `vpc-endpoint`, `permissions-boundary`, `session-policy`, `no-identity-allow`,
    /// `no-resource-allow` or `protected-resource`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Gate::Scp { .. } => "scp",
            Gate::Rcp { .. } => "rcp",
            Gate::VpcEndpoint => "vpc-endpoint",
            Gate::PermissionsBoundary => "permissions-boundary",
            Gate::SessionPolicy => "session-policy",
            Gate::NoIdentityAllow => "no-identity-allow",
            Gate::NoResourceAllow => "no-resource-allow",
            Gate::ProtectedResource => "protected-resource",
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gate::Scp { level } => write!(formatter, "no SCP allows the request at `{level}`"),
            Gate::Rcp { level } => write!(formatter, "no RCP allows the request at `{level}`"),
            Gate::VpcEndpoint => formatter.write_str("the VPC endpoint policy does not allow it"),
            Gate::PermissionsBoundary => {
                formatter.write_str("the permissions boundary does not allow it")
            }
            Gate::SessionPolicy => formatter.write_str("the session policy does not allow it"),
            Gate::NoIdentityAllow => formatter.write_str("no identity-based policy allows it"),
            Gate::NoResourceAllow => formatter.write_str("no resource-based policy allows it"),
            Gate::ProtectedResource => {
                formatter.write_str("IAM protects the resource from changes")
            }
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:?}", self.decision)?;
        if let Some(gate) = &self.gate {
            write!(formatter, ": {gate}")?;
        }
        for statement in &self.statements {
            write!(
                formatter,
                "\n  {} in {:?} policy `{}`, statement {}",
                statement.effect,
                statement.policy_type,
                statement.policy_id,
                statement.statement_index
            )?;
            if let Some(sid) = &statement.sid {
                write!(formatter, " (Sid `{sid}`)")?;
            }
            write!(formatter, " at {}", statement.span)?;
        }
        if !self.missing_keys.is_empty() {
            write!(
                formatter,
                "\n  missing context keys: {}",
                self.missing_keys.join(", ")
            )?;
        }
        Ok(())
    }
}
