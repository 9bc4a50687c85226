//! Decoding of AWS Query API parameters from a query string and a form body.
//!
//! Query API clients flatten every input into `name=value` pairs: a list `Names` becomes
//! `Names.member.1`, `Names.member.2`, …, a list of structures adds the member name
//! (`Tags.member.1.Key`), and an empty list is sent as `Names=` with no members.

use std::collections::BTreeMap;

use crate::error::{ApiError, ErrorCode};
use crate::xml::contains_forbidden_in_xml;

/// The maximum number of parameters in one request.
///
/// The largest lists in the IAM and STS inputs (tags, client ids, policy ARNs) stay far below
/// this, so a larger request is malformed rather than legitimate.
pub const MAX_PARAMETERS: usize = 1_000;

/// The maximum number of members in one list parameter.
pub const MAX_LIST_MEMBERS: usize = 200;

/// One member of a list of structures: field name to value.
pub type Structure = BTreeMap<String, String>;

/// The decoded parameters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParameters {
    values: BTreeMap<String, String>,
}

impl QueryParameters {
    /// Decodes the URL query string and, when present, an `application/x-www-form-urlencoded`
    /// body into one set of parameters. `+` decodes to a space and `%XX` to its byte.
    ///
    /// # Errors
    ///
    /// `MalformedQueryString` when a parameter appears twice, a name is empty, the decoded text
    /// is not UTF-8, or there are more than [`MAX_PARAMETERS`] parameters. `ValidationError`
    /// when a value contains a character that XML 1.0 forbids, such as a C0 control other than
    /// tab, line feed and carriage return.
    pub fn decode(query: Option<&str>, body: Option<&[u8]>) -> Result<Self, ApiError> {
        let mut values = BTreeMap::new();
        let sources = query
            .map(str::as_bytes)
            .into_iter()
            .chain(body)
            .filter(|source| !source.is_empty());
        for source in sources {
            if !is_utf8_after_decoding(source) {
                return Err(malformed(
                    "the parameters are not valid UTF-8 after decoding",
                ));
            }
            for (name, value) in form_urlencoded::parse(source) {
                if name.is_empty() {
                    return Err(malformed("a parameter has an empty name"));
                }
                if values.len() >= MAX_PARAMETERS {
                    return Err(malformed(&format!(
                        "the request has more than {MAX_PARAMETERS} parameters"
                    )));
                }
                if values.contains_key(name.as_ref()) {
                    return Err(malformed(&format!(
                        "the parameter {name} appears more than once"
                    )));
                }
                // A value that no XML response could carry would come back altered, so it is
                // rejected here. The patterns of most IAM fields reject these characters too.
                if contains_forbidden_in_xml(&value) {
                    return Err(ApiError::invalid_value(
                        &name,
                        &value,
                        "Member must not contain control characters other than tab, line feed \
                         and carriage return",
                    ));
                }
                values.insert(name.into_owned(), value.into_owned());
            }
        }
        Ok(Self { values })
    }

    /// Returns the `Action` parameter.
    pub fn action(&self) -> Option<&str> {
        self.optional("Action")
    }

    /// Returns the `Version` parameter.
    pub fn version(&self) -> Option<&str> {
        self.optional("Version")
    }

    /// Returns a parameter's value, if present.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Returns a parameter's value.
    ///
    /// # Errors
    ///
    /// `ValidationError` in AWS's wording when the parameter is absent.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.optional(name)
            .ok_or_else(|| ApiError::missing_parameter(name))
    }

    /// Returns an integer parameter, if present.
    ///
    /// # Errors
    ///
    /// `ValidationError` when the value is not a decimal integer.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.optional(name)
            .map(|text| {
                text.parse::<i64>()
                    .map_err(|_| ApiError::invalid_value(name, text, "Member must be an integer"))
            })
            .transpose()
    }

    /// Returns a boolean parameter (`true` or `false`), if present.
    ///
    /// # Errors
    ///
    /// `ValidationError` for any other text.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.optional(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(text) => Err(ApiError::invalid_value(
                name,
                text,
                "Member must be true or false",
            )),
        }
    }

    /// Returns a list of strings sent as `Name.member.N`, `Some(vec![])` for `Name=`, and
    /// `None` when the list is absent.
    ///
    /// # Errors
    ///
    /// `ValidationError` when the member numbers do not run 1, 2, 3, … without a gap, or the
    /// list is longer than [`MAX_LIST_MEMBERS`].
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let members = self.members(name)?;
        match members {
            None => Ok(None),
            Some(members) => members
                .into_iter()
                .map(|(index, fields)| match fields.get("") {
                    Some(value) if fields.len() == 1 => Ok(value.clone()),
                    _ => Err(ApiError::new(
                        ErrorCode::ValidationError,
                        format!("{name}.member.{index} must be a single value"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    /// Returns a list of structures sent as `Name.member.N.Field`, each as a map from field
    /// name to value. `Name=` yields `Some(vec![])`, and an absent list `None`.
    ///
    /// # Errors
    ///
    /// As for [`QueryParameters::list`], and when a member has a value but no fields.
    pub fn structures(&self, name: &str) -> Result<Option<Vec<Structure>>, ApiError> {
        let members = self.members(name)?;
        match members {
            None => Ok(None),
            Some(members) => members
                .into_iter()
                .map(|(index, fields)| {
                    if fields.contains_key("") {
                        Err(ApiError::new(
                            ErrorCode::ValidationError,
                            format!("{name}.member.{index} must be a structure with named fields"),
                        ))
                    } else {
                        Ok(fields)
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    /// Returns every parameter, sorted by name, for the audit trail.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Groups `Name.member.N[.Field]` parameters by member number. A member sent without a
    /// field name is stored under the empty field name.
    fn members(&self, name: &str) -> Result<Option<Vec<(usize, Structure)>>, ApiError> {
        let prefix = format!("{name}.member.");
        let mut members: BTreeMap<usize, Structure> = BTreeMap::new();
        for (key, value) in self.values.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            let (index_text, field) = rest.split_once('.').unwrap_or((rest, ""));
            let index = index_text
                .parse::<usize>()
                .ok()
                .filter(|index| (1..=MAX_LIST_MEMBERS).contains(index))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::ValidationError,
                        format!("invalid member number in {key}, expected 1 to {MAX_LIST_MEMBERS}"),
                    )
                })?;
            members
                .entry(index)
                .or_default()
                .insert(field.to_owned(), value.clone());
        }

        if members.is_empty() {
            return Ok(self.values.contains_key(name).then(Vec::new));
        }
        for (position, index) in members.keys().enumerate() {
            if *index != position + 1 {
                return Err(ApiError::new(
                    ErrorCode::ValidationError,
                    format!("{name}.member.{} is missing", position + 1),
                ));
            }
        }
        Ok(Some(members.into_iter().collect()))
    }
}

fn malformed(reason: &str) -> ApiError {
    ApiError::new(ErrorCode::MalformedQueryString, reason.to_owned())
}

/// Checks that every name and value decodes to valid UTF-8, because `form_urlencoded` would
/// silently replace invalid bytes.
fn is_utf8_after_decoding(source: &[u8]) -> bool {
    // Without `%`, decoding only turns `+` into a space, which keeps the bytes' validity.
    if !source.contains(&b'%') {
        return std::str::from_utf8(source).is_ok();
    }
    source.split(|byte| *byte == b'&').all(|pair| {
        pair.split(|byte| *byte == b'=')
            .all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
    })
}

#[cfg(test)]
mod tests;
