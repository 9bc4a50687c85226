//! Builds the typed [`PolicyDocument`] from JSON text.
//!
//! The conversion rejects, as AWS does with `Syntax errors in policy.`, every element of the
//! wrong shape: unknown keys, wrong JSON types, an unknown `Version` or `Effect`, an unknown
//! condition operator, or both of `Action` and `NotAction`. Values that AWS's older parser
//! rejects (see [`legacy`](crate::legacy)) are collected on the side, because AWS reports them
//! only after the version check.
//!
//! NOTE: a key repeated within one JSON object keeps its last value. AWS accepts such
//! documents without an error, and tools that warn about duplicate keys do so because the
//! earlier value is silently lost.

use crate::document::{
    ActionBlock, ActionKind, Condition, ConditionOperator, ConditionValue, Effect, OperatorFamily,
    PolicyDocument, PrincipalBlock, PrincipalEntry, PrincipalKind, PrincipalType, PrincipalValue,
    ResourceBlock, ResourceKind, Span, Spanned, Statement, Version,
};
use crate::error::PolicyError;
use crate::finding::Finding;
use crate::json::{self, JsonKind, JsonMember, JsonValue};
use crate::legacy;

/// A document with the findings that did not stop the conversion.
pub(crate) struct ParsedDocument {
    pub(crate) document: PolicyDocument,
    pub(crate) legacy_findings: Vec<Finding>,
    /// Condition operators written in the wrong case, which IAM rejects as syntax errors.
    pub(crate) miscased_operators: Vec<Finding>,
}

impl PolicyDocument {
    /// Parses a policy document, checking the rules that hold for every kind of policy.
    ///
    /// Kind-specific rules (required and forbidden elements, versions, quotas, action and
    /// resource formats) are checked by [`validate_policy`](crate::validate_policy), which also
    /// rejects condition operators written in the wrong case for IAM policies. This function
    /// accepts them, as AWS Organizations does.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError::Malformed`] for invalid JSON, an element of the wrong shape, or a
    /// value that AWS's legacy parser rejects, and [`PolicyError::DocumentTooLarge`] above
    /// [`MAX_DOCUMENT_BYTES`](crate::MAX_DOCUMENT_BYTES).
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
        let parsed = parse_document(text)?;
        match parsed.legacy_findings.into_iter().next() {
            Some(finding) => Err(finding.into()),
            None => Ok(parsed.document),
        }
    }
}

/// Parses JSON text into a document, returning legacy-parsing findings separately.
pub(crate) fn parse_document(text: &str) -> Result<ParsedDocument, PolicyError> {
    let value = json::parse_json(text)?;
    let mut converter = Converter {
        legacy_findings: Vec::new(),
        miscased_operators: Vec::new(),
    };
    let document = converter.document(&value)?;
    Ok(ParsedDocument {
        document,
        legacy_findings: converter.legacy_findings,
        miscased_operators: converter.miscased_operators,
    })
}

struct Converter {
    legacy_findings: Vec<Finding>,
    miscased_operators: Vec<Finding>,
}

/// The members of a JSON object looked up by the names a policy element allows.
struct Members<'a> {
    found: Vec<(&'static str, &'a JsonMember)>,
}

impl<'a> Members<'a> {
    /// Collects an object's members, rejecting any key not in `allowed`. A repeated key keeps
    /// its last value.
    fn collect(
        value: &'a JsonValue,
        allowed: &[&'static str],
        element: &str,
    ) -> Result<Members<'a>, Finding> {
        let JsonKind::Object(members) = &value.kind else {
            return Err(wrong_type(value, element, "an object"));
        };

        let mut found: Vec<(&'static str, &'a JsonMember)> = Vec::new();
        for member in members {
            let Some(name) = allowed.iter().find(|name| **name == member.key) else {
                return Err(Finding::syntax(
                    format!("unknown element `{}` in {element}", member.key),
                    &member.key_span,
                ));
            };
            found.retain(|(existing, _)| existing != name);
            found.push((name, member));
        }
        Ok(Members { found })
    }

    fn get(&self, name: &str) -> Option<&'a JsonValue> {
        self.found
            .iter()
            .find(|(existing, _)| *existing == name)
            .map(|(_, member)| &member.value)
    }

    fn key_span(&self, name: &str) -> Option<&'a Span> {
        self.found
            .iter()
            .find(|(existing, _)| *existing == name)
            .map(|(_, member)| &member.key_span)
    }
}

const DOCUMENT_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Converter {
    fn document(&mut self, value: &JsonValue) -> Result<PolicyDocument, Finding> {
        let members = Members::collect(value, DOCUMENT_ELEMENTS, "policy document")?;

        let version = members
            .get("Version")
            .map(|version| {
                let text = expect_string(version, "`Version`")?;
                Version::from_name(text)
                    .map(|parsed| spanned(parsed, version))
                    .ok_or_else(|| {
                        Finding::syntax(
                            format!(
                                "unsupported policy version `{text}`, expected `2012-10-17` or \
                                 `2008-10-17`"
                            ),
                            &version.span,
                        )
                    })
            })
            .transpose()?;
        let id = members
            .get("Id")
            .map(|id| expect_string(id, "`Id`").map(|text| spanned(text.to_owned(), id)))
            .transpose()?;
        let Some(statement_value) = members.get("Statement") else {
            return Err(Finding::syntax("missing `Statement` element", &value.span));
        };

        let statements = match &statement_value.kind {
            JsonKind::Object(_) => vec![self.statement(statement_value)?],
            JsonKind::Array(elements) if elements.is_empty() => {
                return Err(Finding::syntax(
                    "empty `Statement` list, expected at least one statement",
                    &statement_value.span,
                ));
            }
            JsonKind::Array(elements) => elements
                .iter()
                .map(|element| self.statement(element))
                .collect::<Result<Vec<_>, _>>()?,
            _ => {
                return Err(wrong_type(
                    statement_value,
                    "`Statement`",
                    "an object or a list of objects",
                ));
            }
        };

        Ok(PolicyDocument {
            version,
            id,
            statements,
            span: value.span.clone(),
        })
    }

    fn statement(&mut self, value: &JsonValue) -> Result<Statement, Finding> {
        let members = Members::collect(value, STATEMENT_ELEMENTS, "statement")?;

        let sid = members
            .get("Sid")
            .map(|sid| expect_string(sid, "`Sid`").map(|text| spanned(text.to_owned(), sid)))
            .transpose()?;
        let effect = self.effect(members.get("Effect"), value)?;
        let action = action_block(&members, value)?;
        let resource = self.resource_block(&members)?;
        let principal = principal_block(&members)?;
        let conditions = match members.get("Condition") {
            Some(condition) => self.conditions(condition)?,
            None => Vec::new(),
        };

        Ok(Statement {
            sid,
            effect,
            action,
            resource,
            principal,
            conditions,
            span: value.span.clone(),
        })
    }

    /// Reads `Effect`: any case of `Allow` or `Deny` parses, but only the exact spelling passes
    /// legacy parsing.
    fn effect(
        &mut self,
        value: Option<&JsonValue>,
        statement: &JsonValue,
    ) -> Result<Spanned<Effect>, Finding> {
        let Some(value) = value else {
            return Err(Finding::syntax("missing `Effect` element", &statement.span));
        };
        let text = expect_string(value, "`Effect`")?;
        let effect = if text.eq_ignore_ascii_case("Allow") {
            Effect::Allow
        } else if text.eq_ignore_ascii_case("Deny") {
            Effect::Deny
        } else {
            return Err(Finding::syntax(
                format!("invalid effect `{text}`, expected `Allow` or `Deny`"),
                &value.span,
            ));
        };
        if text != effect.as_str() {
            self.legacy_findings.push(legacy::finding(
                format!("effect `{text}` is not written `{effect}`"),
                &value.span,
            ));
        }
        Ok(spanned(effect, value))
    }

    fn resource_block(&mut self, members: &Members<'_>) -> Result<Option<ResourceBlock>, Finding> {
        let (kind, value) = match (members.get("Resource"), members.get("NotResource")) {
            (Some(_), Some(_)) => {
                let span = members.key_span("NotResource").cloned().unwrap_or_default();
                return Err(Finding::syntax(
                    "a statement cannot contain both `Resource` and `NotResource`",
                    &span,
                ));
            }
            (Some(value), None) => (ResourceKind::Resource, value),
            (None, Some(value)) => (ResourceKind::NotResource, value),
            (None, None) => return Ok(None),
        };
        let element = match kind {
            ResourceKind::Resource => "`Resource`",
            ResourceKind::NotResource => "`NotResource`",
        };

        let values = string_list(value, element, true)?;
        for resource in &values {
            if !legacy::resource_parses(&resource.value) {
                self.legacy_findings.push(legacy::finding(
                    format!("resource `{}` is not a well-formed ARN", resource.value),
                    &resource.span,
                ));
            }
        }
        Ok(Some(ResourceBlock {
            kind,
            values,
            span: value.span.clone(),
        }))
    }

    fn conditions(&mut self, value: &JsonValue) -> Result<Vec<Condition>, Finding> {
        let JsonKind::Object(operators) = &value.kind else {
            return Err(wrong_type(value, "`Condition`", "an object"));
        };

        let mut conditions: Vec<Condition> = Vec::new();
        for operator_member in operators {
            let JsonKind::Object(keys) = &operator_member.value.kind else {
                return Err(wrong_type(
                    &operator_member.value,
                    &format!("condition operator `{}`", operator_member.key),
                    "an object of condition keys",
                ));
            };
            // An operator block with no keys states nothing, and AWS accepts it whatever the
            // operator's name.
            if keys.is_empty() {
                continue;
            }
            let operator = self.operator(operator_member)?;

            // A repeated operator replaces the earlier block, like any repeated JSON key.
            conditions.retain(|condition| condition.operator.value != operator);
            for key_member in keys {
                let values = condition_values(&key_member.value, &key_member.key)?;
                if operator.base.family() == OperatorFamily::Date {
                    self.check_dates(&values);
                }
                conditions.retain(|condition| {
                    condition.operator.value != operator || condition.key.value != key_member.key
                });
                conditions.push(Condition {
                    operator: Spanned {
                        value: operator,
                        span: operator_member.key_span.clone(),
                    },
                    key: Spanned {
                        value: key_member.key.clone(),
                        span: key_member.key_span.clone(),
                    },
                    values,
                    span: key_member.value.span.clone(),
                });
            }
        }
        Ok(conditions)
    }

    /// Reads an operator name. A name in the wrong case, such as `Stringlike`, parses to the
    /// operator it spells and is recorded, because IAM rejects it while AWS Organizations'
    /// own sample policies use such spellings.
    fn operator(&mut self, member: &JsonMember) -> Result<ConditionOperator, Finding> {
        if let Some(operator) = ConditionOperator::from_name(&member.key) {
            return Ok(operator);
        }
        let Some(operator) = ConditionOperator::from_name_ignoring_case(&member.key) else {
            return Err(Finding::syntax(
                format!("unknown condition operator `{}`", member.key),
                &member.key_span,
            ));
        };
        self.miscased_operators.push(Finding::syntax(
            format!(
                "condition operator `{}` is not written `{operator}`",
                member.key
            ),
            &member.key_span,
        ));
        Ok(operator)
    }

    fn check_dates(&mut self, values: &[Spanned<ConditionValue>]) {
        for value in values {
            let text = value.value.as_text();
            if !legacy::date_parses(&text) {
                self.legacy_findings.push(legacy::finding(
                    format!("condition value `{text}` is not a date"),
                    &value.span,
                ));
            }
        }
    }
}

fn action_block(members: &Members<'_>, statement: &JsonValue) -> Result<ActionBlock, Finding> {
    let (kind, value) = match (members.get("Action"), members.get("NotAction")) {
        (Some(_), Some(_)) => {
            let span = members.key_span("NotAction").cloned().unwrap_or_default();
            return Err(Finding::syntax(
                "a statement cannot contain both `Action` and `NotAction`",
                &span,
            ));
        }
        (Some(value), None) => (ActionKind::Action, value),
        (None, Some(value)) => (ActionKind::NotAction, value),
        (None, None) => {
            return Ok(ActionBlock {
                kind: ActionKind::Action,
                values: Vec::new(),
                span: statement.span.clone(),
            });
        }
    };
    let element = match kind {
        ActionKind::Action => "`Action`",
        ActionKind::NotAction => "`NotAction`",
    };

    Ok(ActionBlock {
        kind,
        values: string_list(value, element, false)?,
        span: value.span.clone(),
    })
}

fn principal_block(members: &Members<'_>) -> Result<Option<PrincipalBlock>, Finding> {
    let (kind, value) = match (members.get("Principal"), members.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            let span = members
                .key_span("NotPrincipal")
                .cloned()
                .unwrap_or_default();
            return Err(Finding::syntax(
                "a statement cannot contain both `Principal` and `NotPrincipal`",
                &span,
            ));
        }
        (Some(value), None) => (PrincipalKind::Principal, value),
        (None, Some(value)) => (PrincipalKind::NotPrincipal, value),
        (None, None) => return Ok(None),
    };

    let principal_value = match &value.kind {
        JsonKind::String(text) if text == "*" => PrincipalValue::Any,
        JsonKind::String(text) => {
            return Err(Finding::syntax(
                format!(
                    "invalid principal `{text}`, expected `*` or a map of `AWS`, `Service`, \
                     `Federated` or `CanonicalUser`"
                ),
                &value.span,
            ));
        }
        JsonKind::Object(members) => {
            let mut entries: Vec<PrincipalEntry> = Vec::new();
            for member in members {
                let Some(principal_type) = PrincipalType::from_name(&member.key) else {
                    return Err(Finding::syntax(
                        format!(
                            "unknown principal type `{}`, expected `AWS`, `Service`, \
                             `Federated` or `CanonicalUser`",
                            member.key
                        ),
                        &member.key_span,
                    ));
                };
                let element = format!("principal type `{}`", member.key);
                let values = string_list(&member.value, &element, false)?;
                entries.retain(|entry| entry.principal_type.value != principal_type);
                entries.push(PrincipalEntry {
                    principal_type: Spanned {
                        value: principal_type,
                        span: member.key_span.clone(),
                    },
                    values,
                });
            }
            PrincipalValue::Map(entries)
        }
        _ => {
            return Err(wrong_type(
                value,
                "`Principal`",
                "`*` or a map of principal types",
            ));
        }
    };

    Ok(Some(PrincipalBlock {
        kind,
        value: principal_value,
        span: value.span.clone(),
    }))
}

/// Reads a string or a list of strings. With `allow_null`, `null` list elements are dropped,
/// as AWS does in `Resource` lists.
fn string_list(
    value: &JsonValue,
    element: &str,
    allow_null: bool,
) -> Result<Vec<Spanned<String>>, Finding> {
    match &value.kind {
        JsonKind::String(text) => Ok(vec![spanned(text.clone(), value)]),
        JsonKind::Array(elements) => {
            let mut values = Vec::with_capacity(elements.len());
            for element_value in elements {
                match &element_value.kind {
                    JsonKind::String(text) => values.push(spanned(text.clone(), element_value)),
                    JsonKind::Null if allow_null => {}
                    _ => return Err(wrong_type(element_value, element, "a string")),
                }
            }
            Ok(values)
        }
        _ => Err(wrong_type(value, element, "a string or a list of strings")),
    }
}

fn condition_values(value: &JsonValue, key: &str) -> Result<Vec<Spanned<ConditionValue>>, Finding> {
    let element = format!("condition key `{key}`");
    match &value.kind {
        JsonKind::Array(elements) => elements
            .iter()
            .map(|element_value| condition_scalar(element_value, &element))
            .collect(),
        _ => Ok(vec![condition_scalar(value, &element)?]),
    }
}

fn condition_scalar(value: &JsonValue, element: &str) -> Result<Spanned<ConditionValue>, Finding> {
    let condition_value = match &value.kind {
        JsonKind::String(text) => ConditionValue::String(text.clone()),
        JsonKind::Number(literal) => ConditionValue::Number(literal.clone()),
        JsonKind::Bool(flag) => ConditionValue::Bool(*flag),
        _ => {
            return Err(wrong_type(
                value,
                element,
                "a string, number or boolean, or a list of them",
            ));
        }
    };
    Ok(spanned(condition_value, value))
}

fn expect_string<'a>(value: &'a JsonValue, element: &str) -> Result<&'a str, Finding> {
    match &value.kind {
        JsonKind::String(text) => Ok(text),
        _ => Err(wrong_type(value, element, "a string")),
    }
}

fn wrong_type(value: &JsonValue, element: &str, expected: &str) -> Finding {
    Finding::syntax(
        format!(
            "invalid {element}: found {}, expected {expected}",
            value.kind.type_name()
        ),
        &value.span,
    )
}

fn spanned<T>(value: T, source: &JsonValue) -> Spanned<T> {
    Spanned {
        value,
        span: source.span.clone(),
    }
}

#[cfg(test)]
mod tests;
