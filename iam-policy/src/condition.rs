//! Condition operators over typed values.
//!
//! Each condition of a statement compiles into a [`CompiledCondition`]: its key in lowercase
//! and its values parsed for the operator's family (numbers, dates, CIDR ranges, ARN field
//! patterns, wildcard patterns). Evaluating it follows AWS's rules:
//!
//! - An absent key makes a positive operator false and a negated one (`StringNotEquals`,
//!   `NotIpAddress`, …) true. `…IfExists` makes an absent key true. `Null` tests presence.
//! - Several policy values for one key are ORed; for a negated operator they are NORed.
//! - Without a set qualifier, a key with several request values is true for a positive
//!   operator when any value matches, and for a negated one when none does.
//! - `ForAnyValue:` needs one request value to satisfy the operator and is false for an absent
//!   key.
//! - `ForAllValues:` needs every request value to satisfy the operator and is true for an
//!   absent key or an empty list.
//!
//! A request value that does not parse as the operator's type matches no policy value.

use std::net::IpAddr;
use std::str::FromStr;

use base64::Engine;
use ipnet::IpNet;
use jiff::Timestamp;

use crate::compile::{Bindable, Binder, Env};
use crate::document::{BaseOperator, Condition, SetQualifier};
use crate::glob::{Case, Glob};
use crate::variables::{Template, Unresolved, VariableSource};

#[cfg(test)]
mod tests;

/// A condition compiled for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    qualifier: Option<SetQualifier>,
    comparison: Comparison,
    negated: bool,
    if_exists: bool,
    /// The condition key, lowercase.
    pub(crate) key: Box<str>,
    values: Values,
}

/// The positive comparison behind an operator; negated operators invert it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    Arn,
    Null,
}

/// The policy values of a condition, parsed for its comparison.
#[derive(Debug, Clone)]
enum Values {
    Text(Vec<Bindable<String>>),
    Patterns(Vec<Bindable<Glob>>),
    Numbers(Vec<Option<f64>>),
    Dates(Vec<Option<Timestamp>>),
    Bools(Vec<Bindable<String>>),
    Binary(Vec<Option<Vec<u8>>>),
    Networks(Vec<Option<IpNet>>),
    Arns(Vec<Bindable<ArnPattern>>),
    Null(Vec<Option<bool>>),
}

impl CompiledCondition {
    /// Compiles `condition`. `variables` is true when its document substitutes policy variables.
    pub(crate) fn compile(condition: &Condition, variables: bool, binder: &Binder<'_>) -> Self {
        let operator = condition.operator.value;
        let (comparison, negated) = split_operator(operator.base);
        let texts = || {
            condition
                .values
                .iter()
                .map(|value| value.value.as_text().into_owned())
        };
        // Policy variables are substituted only where AWS supports them: the string, Boolean
        // and ARN operators.
        let templates = || texts().map(|text| Template::parse(&text, variables));
        let values = match comparison {
            Comparison::StringEquals | Comparison::StringEqualsIgnoreCase => Values::Text(
                templates()
                    .map(|template| binder.bind(template, Template::to_text))
                    .collect(),
            ),
            Comparison::StringLike => Values::Patterns(
                templates()
                    .map(|template| binder.bind(template, sensitive_glob))
                    .collect(),
            ),
            Comparison::Bool => Values::Bools(
                templates()
                    .map(|template| binder.bind(template, Template::to_text))
                    .collect(),
            ),
            Comparison::Arn => Values::Arns(
                templates()
                    .map(|template| binder.bind(template, arn_pattern))
                    .collect(),
            ),
            Comparison::NumericEquals
            | Comparison::NumericLessThan
            | Comparison::NumericLessThanEquals
            | Comparison::NumericGreaterThan
            | Comparison::NumericGreaterThanEquals => {
                Values::Numbers(texts().map(|text| parse_number(&text)).collect())
            }
            Comparison::DateEquals
            | Comparison::DateLessThan
            | Comparison::DateLessThanEquals
            | Comparison::DateGreaterThan
            | Comparison::DateGreaterThanEquals => {
                Values::Dates(texts().map(|text| parse_date(&text)).collect())
            }
            Comparison::BinaryEquals => Values::Binary(
                texts()
                    .map(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
                    .collect(),
            ),
            Comparison::IpAddress => {
                Values::Networks(texts().map(|text| parse_network(&text)).collect())
            }
            Comparison::Null => Values::Null(texts().map(|text| parse_bool(&text)).collect()),
        };
        Self {
            qualifier: operator.qualifier,
            comparison,
            negated,
            if_exists: operator.if_exists,
            key: condition.key.value.to_ascii_lowercase().into_boxed_str(),
            values,
        }
    }

    /// Evaluates the condition against the request. `missing` is called with the key when the
    /// request lacks it.
    pub(crate) fn evaluate(&self, env: &Env<'_>, missing: &mut impl FnMut(&str)) -> bool {
        let request_values = env
            .request
            .key_lowercase(&self.key)
            .filter(|value| value.values().len() > 0);

        if let Values::Null(expected) = &self.values {
            let absent = request_values.is_none();
            return expected.contains(&Some(absent));
        }

        let Some(request_values) = request_values else {
            missing(&self.key);
            return match self.qualifier {
                _ if self.if_exists => true,
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => self.negated,
            };
        };

        let satisfies = |value: &str| self.matches_any(value, env) != self.negated;
        let mut values = request_values.values();
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => values.all(satisfies),
            Some(SetQualifier::ForAnyValue) => values.any(satisfies),
            // NOTE: a negated operator is true only when no request value matches any policy
            // value, which is the same as every value satisfying it.
            None if self.negated => values.all(satisfies),
            None => values.any(satisfies),
        }
    }

    /// Tells whether one request value matches any policy value under the positive
    /// comparison.
    fn matches_any(&self, request_value: &str, env: &Env<'_>) -> bool {
        match &self.values {
            Values::Text(expected) => {
                let ignore_case = self.comparison == Comparison::StringEqualsIgnoreCase;
                expected.iter().any(|value| {
                    value.with(env, Template::to_text, |value| {
                        value.is_some_and(|value| text_equal(value, request_value, ignore_case))
                    })
                })
            }
            Values::Patterns(expected) => expected.iter().any(|value| {
                value.with(env, sensitive_glob, |glob| {
                    glob.is_some_and(|glob| glob.matches(request_value))
                })
            }),
            Values::Bools(expected) => {
                let Some(actual) = parse_bool(request_value) else {
                    return false;
                };
                expected.iter().any(|value| {
                    value.with(env, Template::to_text, |value| {
                        value.and_then(|value| parse_bool(value)) == Some(actual)
                    })
                })
            }
            Values::Arns(expected) => expected.iter().any(|value| {
                value.with(env, arn_pattern, |pattern| {
                    pattern.is_some_and(|pattern| pattern.matches(request_value))
                })
            }),
            Values::Numbers(expected) => {
                let Some(actual) = parse_number(request_value) else {
                    return false;
                };
                expected
                    .iter()
                    .flatten()
                    .any(|value| self.compare_ordered(actual.partial_cmp(value)))
            }
            Values::Dates(expected) => {
                let Some(actual) = parse_date(request_value) else {
                    return false;
                };
                expected
                    .iter()
                    .flatten()
                    .any(|value| self.compare_ordered(Some(actual.cmp(value))))
            }
            Values::Binary(expected) => {
                // NOTE: this decodes the request value on every evaluation, the one allocation
                // a binary condition costs.
                let Ok(actual) = base64::engine::general_purpose::STANDARD.decode(request_value)
                else {
                    return false;
                };
                expected.iter().flatten().any(|value| *value == actual)
            }
            Values::Networks(expected) => {
                let Some(address) = parse_address(request_value) else {
                    return false;
                };
                expected
                    .iter()
                    .flatten()
                    .any(|network| network.contains(&address))
            }
            Values::Null(_) => false,
        }
    }

    /// Applies a numeric or date comparison to the ordering of the request value against the
    /// policy value.
    fn compare_ordered(&self, ordering: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let Some(ordering) = ordering else {
            return false;
        };
        match self.comparison {
            Comparison::NumericEquals | Comparison::DateEquals => ordering == Equal,
            Comparison::NumericLessThan | Comparison::DateLessThan => ordering == Less,
            Comparison::NumericLessThanEquals | Comparison::DateLessThanEquals => {
                ordering != Greater
            }
            Comparison::NumericGreaterThan | Comparison::DateGreaterThan => ordering == Greater,
            Comparison::NumericGreaterThanEquals | Comparison::DateGreaterThanEquals => {
                ordering != Less
            }
            _ => false,
        }
    }
}

/// Splits a base operator into its positive comparison and whether it is negated.
fn split_operator(base: BaseOperator) -> (Comparison, bool) {
    use BaseOperator as Op;
    match base {
        Op::StringEquals => (Comparison::StringEquals, false),
        Op::StringNotEquals => (Comparison::StringEquals, true),
        Op::StringEqualsIgnoreCase => (Comparison::StringEqualsIgnoreCase, false),
        Op::StringNotEqualsIgnoreCase => (Comparison::StringEqualsIgnoreCase, true),
        Op::StringLike => (Comparison::StringLike, false),
        Op::StringNotLike => (Comparison::StringLike, true),
        Op::NumericEquals => (Comparison::NumericEquals, false),
        Op::NumericNotEquals => (Comparison::NumericEquals, true),
        Op::NumericLessThan => (Comparison::NumericLessThan, false),
        Op::NumericLessThanEquals => (Comparison::NumericLessThanEquals, false),
        Op::NumericGreaterThan => (Comparison::NumericGreaterThan, false),
        Op::NumericGreaterThanEquals => (Comparison::NumericGreaterThanEquals, false),
        Op::DateEquals => (Comparison::DateEquals, false),
        Op::DateNotEquals => (Comparison::DateEquals, true),
        Op::DateLessThan => (Comparison::DateLessThan, false),
        Op::DateLessThanEquals => (Comparison::DateLessThanEquals, false),
        Op::DateGreaterThan => (Comparison::DateGreaterThan, false),
        Op::DateGreaterThanEquals => (Comparison::DateGreaterThanEquals, false),
        Op::Bool => (Comparison::Bool, false),
        Op::BinaryEquals => (Comparison::BinaryEquals, false),
        Op::IpAddress => (Comparison::IpAddress, false),
        Op::NotIpAddress => (Comparison::IpAddress, true),
        Op::ArnEquals | Op::ArnLike => (Comparison::Arn, false),
        Op::ArnNotEquals | Op::ArnNotLike => (Comparison::Arn, true),
        Op::Null => (Comparison::Null, false),
    }
}

fn sensitive_glob(template: &Template, source: &dyn VariableSource) -> Result<Glob, Unresolved> {
    template.to_glob(source, Case::Sensitive)
}

fn arn_pattern(template: &Template, source: &dyn VariableSource) -> Result<ArnPattern, Unresolved> {
    // NOTE: a value with variables is matched as one pattern rather than field by field, so
    // that substituted text stays literal. Its `*` then spans colons.
    if template.has_variables() {
        return Ok(ArnPattern::Whole(
            template.to_glob(source, Case::Sensitive)?,
        ));
    }
    Ok(ArnPattern::new(&template.to_text(source)?))
}

/// Compares two strings exactly or, for the `IgnoreCase` operators, after Unicode lowercasing,
/// without allocating.
fn text_equal(expected: &str, actual: &str, ignore_case: bool) -> bool {
    if !ignore_case {
        return expected == actual;
    }
    expected
        .chars()
        .flat_map(char::to_lowercase)
        .eq(actual.chars().flat_map(char::to_lowercase))
}

/// An ARN pattern for the `Arn…` operators, matched field by field.
#[derive(Debug, Clone)]
pub(crate) enum ArnPattern {
    /// The six colon-separated fields of `arn:partition:service:region:account:resource`,
    /// each a wildcard pattern; the last field keeps any further colons.
    Fields(Box<[Glob; 6]>),
    /// A value that is not shaped like an ARN, such as `*`, matched as a whole.
    Whole(Glob),
}

impl ArnPattern {
    /// Compiles `pattern`.
    pub(crate) fn new(pattern: &str) -> Self {
        let mut fields = pattern.splitn(6, ':');
        let parts = [(); 6].map(|()| fields.next());
        match parts {
            [
                Some(arn),
                Some(partition),
                Some(service),
                Some(region),
                Some(account),
                Some(rest),
            ] => {
                let glob = |field: &str| Glob::new(field, Case::Sensitive);
                ArnPattern::Fields(Box::new([
                    glob(arn),
                    glob(partition),
                    glob(service),
                    glob(region),
                    glob(account),
                    glob(rest),
                ]))
            }
            _ => ArnPattern::Whole(Glob::new(pattern, Case::Sensitive)),
        }
    }

    /// Tells whether `value` matches.
    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            ArnPattern::Whole(glob) => glob.matches(value),
            ArnPattern::Fields(globs) => {
                let mut fields = value.splitn(6, ':');
                let all_match = globs
                    .iter()
                    .all(|glob| fields.next().is_some_and(|field| glob.matches(field)));
                all_match && fields.next().is_none()
            }
        }
    }
}

/// Parses an integer or decimal, as the `Numeric…` operators accept.
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !valid {
        return None;
    }
    f64::from_str(text).ok().filter(|number| number.is_finite())
}

/// Parses a date as the `Date…` operators accept: seconds since the Unix epoch, an ISO 8601
/// date and time with an offset, one without (taken as UTC), or a date alone (midnight UTC).
pub(crate) fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Timestamp::from_second(seconds).ok();
    }
    if let Some(seconds) = parse_number(text) {
        // INVARIANT (finite): parse_number rejects infinities and NaN.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "fractional epoch seconds round down to whole seconds"
        )]
        return Timestamp::from_second(seconds.floor() as i64).ok();
    }
    if let Ok(timestamp) = Timestamp::from_str(text) {
        return Some(timestamp);
    }
    if let Ok(date_time) = jiff::civil::DateTime::from_str(text) {
        return jiff::tz::TimeZone::UTC.to_timestamp(date_time).ok();
    }
    jiff::civil::Date::from_str(text).ok().and_then(|date| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .ok()
    })
}

/// Parses `true` or `false` in any case.
fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses a CIDR range, or a single address as a range of one.
fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim();
    IpNet::from_str(text)
        .ok()
        .or_else(|| IpAddr::from_str(text).ok().map(IpNet::from))
}

/// Parses a request's IP address; a value written as a range stands for its first address.
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    IpAddr::from_str(text)
        .ok()
        .or_else(|| IpNet::from_str(text).ok().map(|network| network.addr()))
}
