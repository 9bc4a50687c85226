//! Writes a [`PolicyDocument`] back to JSON.
//!
//! The output is compact and canonical: `Statement` is always a list, elements come in the
//! order `Sid`, `Effect`, `Principal`, `Action`, `Resource`, `Condition`, and every action,
//! resource, principal and condition value list is written as a list. Parsing the output gives
//! the same document up to spans.

use std::fmt::Write as _;

use crate::document::{
    ActionKind, Condition, ConditionValue, PolicyDocument, PrincipalKind, PrincipalValue,
    ResourceKind, Spanned, Statement,
};

impl PolicyDocument {
    /// Serializes the document as compact JSON.
    ///
    /// NOTE: two conditions with the same operator and key (which only a document built in
    /// code can have) are written as a repeated JSON key, and parsing keeps the last one.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push('{');
        if let Some(version) = &self.version {
            out.push_str("\"Version\":");
            write_string(&mut out, version.value.as_str());
            out.push(',');
        }
        if let Some(id) = &self.id {
            out.push_str("\"Id\":");
            write_string(&mut out, &id.value);
            out.push(',');
        }
        out.push_str("\"Statement\":[");
        for (index, statement) in self.statements.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            write_statement(&mut out, statement);
        }
        out.push_str("]}");
        out
    }
}

fn write_statement(out: &mut String, statement: &Statement) {
    out.push('{');
    if let Some(sid) = &statement.sid {
        out.push_str("\"Sid\":");
        write_string(out, &sid.value);
        out.push(',');
    }
    out.push_str("\"Effect\":");
    write_string(out, statement.effect.value.as_str());

    if let Some(principal) = &statement.principal {
        out.push_str(match principal.kind {
            PrincipalKind::Principal => ",\"Principal\":",
            PrincipalKind::NotPrincipal => ",\"NotPrincipal\":",
        });
        match &principal.value {
            PrincipalValue::Any => write_string(out, "*"),
            PrincipalValue::Map(entries) => {
                out.push('{');
                for (index, entry) in entries.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(out, entry.principal_type.value.as_str());
                    out.push(':');
                    write_string_list(out, &entry.values);
                }
                out.push('}');
            }
        }
    }

    out.push_str(match statement.action.kind {
        ActionKind::Action => ",\"Action\":",
        ActionKind::NotAction => ",\"NotAction\":",
    });
    write_string_list(out, &statement.action.values);

    if let Some(resource) = &statement.resource {
        out.push_str(match resource.kind {
            ResourceKind::Resource => ",\"Resource\":",
            ResourceKind::NotResource => ",\"NotResource\":",
        });
        write_string_list(out, &resource.values);
    }

    if !statement.conditions.is_empty() {
        out.push_str(",\"Condition\":");
        write_conditions(out, &statement.conditions);
    }
    out.push('}');
}

/// Writes conditions grouped by operator, operators in order of first appearance.
fn write_conditions(out: &mut String, conditions: &[Condition]) {
    let mut operators = Vec::new();
    for condition in conditions {
        if !operators.contains(&condition.operator.value) {
            operators.push(condition.operator.value);
        }
    }

    out.push('{');
    for (operator_index, operator) in operators.iter().enumerate() {
        if operator_index > 0 {
            out.push(',');
        }
        write_string(out, &operator.to_string());
        out.push_str(":{");
        let keys = conditions
            .iter()
            .filter(|condition| condition.operator.value == *operator);
        for (key_index, condition) in keys.enumerate() {
            if key_index > 0 {
                out.push(',');
            }
            write_string(out, &condition.key.value);
            out.push_str(":[");
            for (value_index, value) in condition.values.iter().enumerate() {
                if value_index > 0 {
                    out.push(',');
                }
                write_condition_value(out, &value.value);
            }
            out.push(']');
        }
        out.push('}');
    }
    out.push('}');
}

fn write_condition_value(out: &mut String, value: &ConditionValue) {
    match value {
        ConditionValue::String(text) => write_string(out, text),
        ConditionValue::Number(literal) => out.push_str(literal),
        ConditionValue::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
    }
}

fn write_string_list(out: &mut String, values: &[Spanned<String>]) {
    out.push('[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_string(out, &value.value);
    }
    out.push(']');
}

/// Writes a JSON string literal, escaping quotes, backslashes and control characters.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(control));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
