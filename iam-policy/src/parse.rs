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
    ///
    /// # Examples
    ///
    /// ```
    /// use iam_policy::{ActionKind, Effect, PolicyDocument};
    ///
    /// let document = PolicyDocument::parse(
    ///     r#"{"Version": "2012-10-17",
    ///         "Statement": {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}}"#,
    /// )?;
    ///
    /// let statement = &document.statements[0];
    /// assert_eq!(statement.effect.value, Effect::Deny);
    /// assert_eq!(statement.action.kind, ActionKind::NotAction);
    /// assert_eq!(statement.action.values[1].span.path, "$.Statement.NotAction[1]");
    /// assert_eq!(PolicyDocument::parse(&document.to_json())?.without_spans(), document.without_spans());
    /// # Ok::<(), iam_policy::PolicyError>(())
    /// ```
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
    let mut value = json::parse_json(text)?;
    let mut converter = Converter {
        legacy_findings: Vec::new(),
        miscased_operators: Vec::new(),
    };
    let document = converter.document(&mut value)?;
    Ok(ParsedDocument {
        document,
        legacy_findings: converter.legacy_findings,
        miscased_operators: converter.miscased_operators,
    })
}

/// Converts the JSON tree into the model. Strings and spans are moved out of the tree rather
/// than copied, because a large policy contains thousands of them. A value's span is taken
/// only after every check that could report it.
struct Converter {
    legacy_findings: Vec<Finding>,
    miscased_operators: Vec<Finding>,
}

/// The members of a JSON object, looked up by the names a policy element allows.
struct Members<'a> {
    found: Vec<(&'static str, &'a mut JsonMember)>,
}

impl<'a> Members<'a> {
    /// Collects an object's members, rejecting any key not in `allowed`. A repeated key keeps
    /// its last value.
    fn collect(
        value: &'a mut JsonValue,
        allowed: &[&'static str],
        element: &str,
    ) -> Result<Members<'a>, Finding> {
        if !matches!(value.kind, JsonKind::Object(_)) {
            return Err(wrong_type(value, element, "an object"));
        }
        let JsonKind::Object(members) = &mut value.kind else {
            return Ok(Members { found: Vec::new() });
        };

        let mut found: Vec<(&'static str, &'a mut JsonMember)> = Vec::new();
        for member in members.iter_mut() {
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

    /// Removes and returns the member called `name`.
    fn take(&mut self, name: &str) -> Option<&'a mut JsonMember> {
        let position = self
            .found
            .iter()
            .position(|(existing, _)| *existing == name)?;
        Some(self.found.swap_remove(position).1)
    }

    /// Takes the members of a pair of exclusive elements such as `Action` and `NotAction`,
    /// rejecting a statement that has both.
    fn take_exclusive(
        &mut self,
        positive: &'static str,
        negative: &'static str,
    ) -> Result<Option<(bool, &'a mut JsonValue)>, Finding> {
        match (self.take(positive), self.take(negative)) {
            (Some(_), Some(negated)) => Err(Finding::syntax(
                format!("a statement cannot contain both `{positive}` and `{negative}`"),
                &negated.key_span,
            )),
            (Some(member), None) => Ok(Some((false, &mut member.value))),
            (None, Some(member)) => Ok(Some((true, &mut member.value))),
            (None, None) => Ok(None),
        }
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
    fn document(&mut self, value: &mut JsonValue) -> Result<PolicyDocument, Finding> {
        let document_span = value.span.clone();
        let mut members = Members::collect(value, DOCUMENT_ELEMENTS, "policy document")?;

        let version = members
            .take("Version")
            .map(|member| {
                let version = &mut member.value;
                let text = expect_string(version, "`Version`")?;
                match Version::from_name(text) {
                    Some(parsed) => Ok(spanned(parsed, version)),
                    None => Err(Finding::syntax(
                        format!(
                            "unsupported policy version `{text}`, expected `2012-10-17` or \
                             `2008-10-17`"
                        ),
                        &version.span,
                    )),
                }
            })
            .transpose()?;
        let id = members
            .take("Id")
            .map(|member| take_string(&mut member.value, "`Id`"))
            .transpose()?;
        let Some(statement_member) = members.take("Statement") else {
            return Err(Finding::syntax(
                "missing `Statement` element",
                &document_span,
            ));
        };
        let statement_value = &mut statement_member.value;

        let statements = match &mut statement_value.kind {
            JsonKind::Object(_) => vec![self.statement(statement_value)?],
            JsonKind::Array(elements) if elements.is_empty() => {
                return Err(Finding::syntax(
                    "empty `Statement` list, expected at least one statement",
                    &statement_value.span,
                ));
            }
            JsonKind::Array(elements) => elements
                .iter_mut()
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
            span: document_span,
        })
    }

    fn statement(&mut self, value: &mut JsonValue) -> Result<Statement, Finding> {
        let statement_span = value.span.clone();
        let mut members = Members::collect(value, STATEMENT_ELEMENTS, "statement")?;

        let sid = members
            .take("Sid")
            .map(|member| take_string(&mut member.value, "`Sid`"))
            .transpose()?;
        let effect = self.effect(members.take("Effect"), &statement_span)?;
        let action = action_block(&mut members, &statement_span)?;
        let resource = self.resource_block(&mut members)?;
        let principal = principal_block(&mut members)?;
        let conditions = match members.take("Condition") {
            Some(member) => self.conditions(&mut member.value)?,
            None => Vec::new(),
        };

        Ok(Statement {
            sid,
            effect,
            action,
            resource,
            principal,
            conditions,
            span: statement_span,
        })
    }

    /// Reads `Effect`: any case of `Allow` or `Deny` parses, but only the exact spelling passes
    /// legacy parsing.
    fn effect(
        &mut self,
        member: Option<&mut JsonMember>,
        statement_span: &Span,
    ) -> Result<Spanned<Effect>, Finding> {
        let Some(member) = member else {
            return Err(Finding::syntax("missing `Effect` element", statement_span));
        };
        let value = &mut member.value;
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

    fn resource_block(
        &mut self,
        members: &mut Members<'_>,
    ) -> Result<Option<ResourceBlock>, Finding> {
        let Some((negated, value)) = members.take_exclusive("Resource", "NotResource")? else {
            return Ok(None);
        };
        let (kind, element) = if negated {
            (ResourceKind::NotResource, "`NotResource`")
        } else {
            (ResourceKind::Resource, "`Resource`")
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
            span: std::mem::take(&mut value.span),
        }))
    }

    fn conditions(&mut self, value: &mut JsonValue) -> Result<Vec<Condition>, Finding> {
        if !matches!(value.kind, JsonKind::Object(_)) {
            return Err(wrong_type(value, "`Condition`", "an object"));
        }
        let JsonKind::Object(operators) = &mut value.kind else {
            return Ok(Vec::new());
        };

        let mut conditions: Vec<Condition> = Vec::new();
        for operator_member in operators.iter_mut() {
            let keys_are_object = matches!(operator_member.value.kind, JsonKind::Object(_));
            if !keys_are_object {
                return Err(wrong_type(
                    &operator_member.value,
                    &format!("condition operator `{}`", operator_member.key),
                    "an object of condition keys",
                ));
            }
            let JsonKind::Object(keys) = &mut operator_member.value.kind else {
                continue;
            };
            // An operator block with no keys states nothing, and AWS accepts it whatever the
            // operator's name.
            if keys.is_empty() {
                continue;
            }
            let operator = self.operator(&operator_member.key, &operator_member.key_span)?;

            // A repeated operator replaces the earlier block, like any repeated JSON key.
            conditions.retain(|condition| condition.operator.value != operator);
            for key_member in keys.iter_mut() {
                let values = condition_values(&mut key_member.value, &key_member.key)?;
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
                        value: std::mem::take(&mut key_member.key),
                        span: std::mem::take(&mut key_member.key_span),
                    },
                    values,
                    span: std::mem::take(&mut key_member.value.span),
                });
            }
        }
        Ok(conditions)
    }

    /// Reads an operator name. A name in the wrong case, such as `Stringlike`, parses to the
    /// operator it spells and is recorded, because IAM rejects it while AWS Organizations'
    /// own sample policies use such spellings.
    fn operator(&mut self, name: &str, span: &Span) -> Result<ConditionOperator, Finding> {
        if let Some(operator) = ConditionOperator::from_name(name) {
            return Ok(operator);
        }
        let Some(operator) = ConditionOperator::from_name_ignoring_case(name) else {
            return Err(Finding::syntax(
                format!("unknown condition operator `{name}`"),
                span,
            ));
        };
        self.miscased_operators.push(Finding::syntax(
            format!("condition operator `{name}` is not written `{operator}`"),
            span,
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

fn action_block(members: &mut Members<'_>, statement_span: &Span) -> Result<ActionBlock, Finding> {
    let Some((negated, value)) = members.take_exclusive("Action", "NotAction")? else {
        return Ok(ActionBlock {
            kind: ActionKind::Action,
            values: Vec::new(),
            span: statement_span.clone(),
        });
    };
    let (kind, element) = if negated {
        (ActionKind::NotAction, "`NotAction`")
    } else {
        (ActionKind::Action, "`Action`")
    };

    Ok(ActionBlock {
        kind,
        values: string_list(value, element, false)?,
        span: std::mem::take(&mut value.span),
    })
}

fn principal_block(members: &mut Members<'_>) -> Result<Option<PrincipalBlock>, Finding> {
    let Some((negated, value)) = members.take_exclusive("Principal", "NotPrincipal")? else {
        return Ok(None);
    };
    let kind = if negated {
        PrincipalKind::NotPrincipal
    } else {
        PrincipalKind::Principal
    };

    let principal_value = match &mut value.kind {
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
            for member in members.iter_mut() {
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
                let values = string_list(&mut member.value, &element, false)?;
                entries.retain(|entry| entry.principal_type.value != principal_type);
                entries.push(PrincipalEntry {
                    principal_type: Spanned {
                        value: principal_type,
                        span: std::mem::take(&mut member.key_span),
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
        span: std::mem::take(&mut value.span),
    }))
}

/// Reads a string or a list of strings. With `allow_null`, `null` list elements are dropped,
/// as AWS does in `Resource` lists.
fn string_list(
    value: &mut JsonValue,
    element: &str,
    allow_null: bool,
) -> Result<Vec<Spanned<String>>, Finding> {
    match &mut value.kind {
        JsonKind::String(_) => Ok(vec![take_string(value, element)?]),
        JsonKind::Array(elements) => {
            let mut values = Vec::with_capacity(elements.len());
            for element_value in elements.iter_mut() {
                match element_value.kind {
                    JsonKind::String(_) => values.push(take_string(element_value, element)?),
                    JsonKind::Null if allow_null => {}
                    _ => return Err(wrong_type(element_value, element, "a string")),
                }
            }
            Ok(values)
        }
        _ => Err(wrong_type(value, element, "a string or a list of strings")),
    }
}

fn condition_values(
    value: &mut JsonValue,
    key: &str,
) -> Result<Vec<Spanned<ConditionValue>>, Finding> {
    let element = format!("condition key `{key}`");
    match &mut value.kind {
        JsonKind::Array(elements) => elements
            .iter_mut()
            .map(|element_value| condition_scalar(element_value, &element))
            .collect(),
        _ => Ok(vec![condition_scalar(value, &element)?]),
    }
}

fn condition_scalar(
    value: &mut JsonValue,
    element: &str,
) -> Result<Spanned<ConditionValue>, Finding> {
    let condition_value = match &mut value.kind {
        JsonKind::String(text) => ConditionValue::String(std::mem::take(text)),
        JsonKind::Number(literal) => ConditionValue::Number(std::mem::take(literal)),
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

/// Moves a JSON string and its span out of the tree.
fn take_string(value: &mut JsonValue, element: &str) -> Result<Spanned<String>, Finding> {
    match &mut value.kind {
        JsonKind::String(text) => {
            let text = std::mem::take(text);
            Ok(spanned(text, value))
        }
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

/// Pairs a parsed value with the span of its JSON value, moving the span out of the tree.
fn spanned<T>(value: T, source: &mut JsonValue) -> Spanned<T> {
    Spanned {
        value,
        span: std::mem::take(&mut source.span),
    }
}

#[cfg(test)]
mod tests;
