//! Validation checked against the length bounds and patterns of AWS's own API models
//! (botocore's IAM and STS `service-2.json`): for random inputs, each validation function must
//! accept exactly what the model's shape accepts.

use iam_model::{ModelError, validate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regex::Regex;

use crate::read_corpus_json;

/// One validation function and the API model shape it implements.
struct ShapeCase {
    service: &'static str,
    shape: &'static str,
    check: fn(&str) -> Result<(), ModelError>,
    /// The maximum length when the model sets none.
    default_max: Option<usize>,
    /// Whether the function also rejects values beginning with `aws:`, a rule the AWS
    /// documentation states but the model's pattern does not.
    rejects_aws_prefix: bool,
}

const fn case(
    service: &'static str,
    shape: &'static str,
    check: fn(&str) -> Result<(), ModelError>,
) -> ShapeCase {
    ShapeCase {
        service,
        shape,
        check,
        default_max: None,
        rejects_aws_prefix: false,
    }
}

fn cases() -> Vec<ShapeCase> {
    vec![
        case("iam", "userNameType", validate::user_name),
        case("iam", "groupNameType", validate::group_name),
        case("iam", "roleNameType", validate::role_name),
        case("iam", "policyNameType", validate::policy_name),
        case(
            "iam",
            "instanceProfileNameType",
            validate::instance_profile_name,
        ),
        ShapeCase {
            default_max: Some(128),
            ..case("iam", "virtualMFADeviceName", validate::mfa_device_name)
        },
        case("iam", "SAMLProviderNameType", validate::saml_provider_name),
        case("iam", "pathType", validate::path),
        case("iam", "policyPathType", validate::policy_path),
        case("iam", "pathPrefixType", validate::path_prefix),
        case("iam", "roleDescriptionType", validate::role_description),
        case("iam", "policyDescriptionType", validate::policy_description),
        case("iam", "passwordType", validate::password),
        case("iam", "policyDocumentType", |value| {
            validate::policy_document("PolicyDocument", value)
        }),
        ShapeCase {
            rejects_aws_prefix: true,
            ..case("iam", "tagKeyType", validate::tag_key)
        },
        case("iam", "tagValueType", validate::tag_value),
        case("iam", "clientIDType", |value| {
            validate::oidc_client_ids(&[value.to_owned()])
        }),
        case("iam", "serialNumberType", validate::serial_number),
        case("iam", "authenticationCodeType", |value| {
            validate::mfa_code("AuthenticationCode1", value)
        }),
        case("iam", "accessKeyIdType", validate::access_key_id),
        case("sts", "roleSessionNameType", validate::role_session_name),
        case("sts", "externalIdType", validate::external_id),
        case("sts", "tokenCodeType", |value| {
            validate::mfa_code("TokenCode", value)
        }),
        case("sts", "sessionPolicyDocumentType", validate::session_policy),
        case("sts", "userNameType", validate::federated_user_name),
        ShapeCase {
            rejects_aws_prefix: true,
            ..case("sts", "sourceIdentityType", validate::source_identity)
        },
    ]
}

/// Translates a Java pattern of the API model into an anchored Rust regex. Java's `\w` and
/// `\d` are ASCII-only, unlike Rust's, so they become nested ASCII classes.
fn anchored_regex(pattern: &str) -> Regex {
    let pattern = pattern
        .replace(r"\w", "[A-Za-z0-9_]")
        .replace(r"\d", "[0-9]");
    let pattern = pattern.trim_start_matches('^').trim_end_matches('$');
    Regex::new(&format!("^(?:{pattern})$"))
        .unwrap_or_else(|error| panic!("pattern `{pattern}` does not compile: {error}"))
}

/// Characters chosen to sit on both sides of every character class in the models.
fn alphabet() -> Vec<char> {
    let mut characters: Vec<char> = (' '..='~').collect();
    characters.extend([
        '\t', '\n', '\r', '\u{0}', '\u{b}', '\u{7f}', '\u{85}', '\u{a0}', '\u{a1}', 'é', 'ÿ',
        '\u{100}', '€', '名', '٣', 'Ⅻ', '\u{3000}', '\u{2028}', '\u{301}', '\u{903}', '😀',
    ]);
    characters
}

/// Generates mostly well-formed values with at most one character from [`alphabet`] at a
/// random position. Lengths are short or near the maximum, and a value may start with `/` or
/// `aws:` and end with `/`.
fn value_strategy(max_length: usize) -> impl Strategy<Value = String> {
    let friendly: Vec<char> = "aZ09_+=,.@-/: ".chars().collect();
    let body_length = prop_oneof![0..=8_usize, 0..=max_length.min(300) + 2];
    let body = body_length.prop_flat_map(move |length| {
        prop::collection::vec(prop::sample::select(friendly.clone()), length)
    });
    let stray = prop::option::of((
        any::<prop::sample::Index>(),
        prop::sample::select(alphabet()),
    ));
    (
        body,
        stray,
        prop::sample::select(vec!["", "/", "aws:", "AWS:"]),
        prop::sample::select(vec!["", "/"]),
    )
        .prop_map(|(mut body, stray, prefix, suffix)| {
            if let Some((index, character)) = stray {
                let position = index.index(body.len() + 1);
                body.insert(position, character);
            }
            format!("{prefix}{}{suffix}", body.into_iter().collect::<String>())
        })
}

/// The bounds and pattern of one shape, read from the model.
struct Shape {
    min: usize,
    max: usize,
    pattern: Option<Regex>,
}

impl Shape {
    fn read(iam: &serde_json::Value, sts: &serde_json::Value, case: &ShapeCase) -> Self {
        let model = if case.service == "iam" { iam } else { sts };
        let shape = &model["shapes"][case.shape];
        assert!(
            shape.is_object(),
            "no shape {} in the {} model",
            case.shape,
            case.service
        );
        let min = usize::try_from(shape["min"].as_u64().unwrap_or(0)).unwrap();
        let max = shape["max"]
            .as_u64()
            .map(|max| usize::try_from(max).unwrap())
            .or(case.default_max)
            .unwrap_or_else(|| panic!("{} has no max and the case sets none", case.shape));
        let pattern = shape["pattern"].as_str().map(anchored_regex);
        Self { min, max, pattern }
    }

    /// Returns whether the model accepts `value`, plus the `aws:` rule where the case has it.
    fn accepts(&self, case: &ShapeCase, value: &str) -> bool {
        let length = value.chars().count();
        let has_aws_prefix = value.to_ascii_lowercase().starts_with("aws:");
        (self.min..=self.max).contains(&length)
            && self
                .pattern
                .as_ref()
                .is_none_or(|pattern| pattern.is_match(value))
            && !(case.rejects_aws_prefix && has_aws_prefix)
    }
}

fn read_models() -> (serde_json::Value, serde_json::Value) {
    (
        read_corpus_json("api-models/botocore/iam/2010-05-08/service-2.json"),
        read_corpus_json("api-models/botocore/sts/2011-06-15/service-2.json"),
    )
}

/// Every character of [`alphabet`] in a few fixed positions, so each character class is
/// compared character by character.
#[test]
fn every_character_matches_api_model_shapes() {
    let (iam, sts) = read_models();
    let templates = [
        "#", "ab#", "#ab", "##", "/#/", "/a/#/", "/a#b/", "/#", "aws:a#",
    ];

    for case in cases() {
        let shape = Shape::read(&iam, &sts, &case);

        for character in alphabet() {
            for template in templates {
                let value = template.replace('#', &character.to_string());

                assert_eq!(
                    (case.check)(&value).is_ok(),
                    shape.accepts(&case, &value),
                    "{} disagrees with the model on {value:?}",
                    case.shape
                );
            }
        }
    }
}

/// Random values of random lengths and structure.
#[test]
fn random_values_match_api_model_shapes() {
    let (iam, sts) = read_models();

    for case in cases() {
        let shape = Shape::read(&iam, &sts, &case);

        let mut runner = TestRunner::new(Config::with_cases(2000));
        let result = runner.run(&value_strategy(shape.max), |value| {
            prop_assert_eq!(
                (case.check)(&value).is_ok(),
                shape.accepts(&case, &value),
                "{} disagrees with the model on {:?}",
                case.shape,
                value
            );
            Ok(())
        });

        if let Err(failure) = result {
            panic!("{}: {failure}", case.shape);
        }
    }
}

#[test]
fn length_bounds_match_api_model_shapes() {
    let (iam, sts) = read_models();

    for case in cases() {
        let Shape { min, max, .. } = Shape::read(&iam, &sts, &case);
        // A value of `length` characters the shape's pattern accepts, when one exists: `/`
        // padded paths for path shapes, digits for MFA codes, letters otherwise.
        let sample = |length: usize| match case.shape {
            "pathType" | "policyPathType" if length >= 2 => {
                format!("/{}/", "a".repeat(length - 2))
            }
            "pathType" | "policyPathType" => "/".repeat(length),
            "pathPrefixType" if length >= 1 => format!("/{}", "a".repeat(length - 1)),
            "authenticationCodeType" | "tokenCodeType" => "1".repeat(length),
            _ => "a".repeat(length),
        };

        let accepts = |length: usize| (case.check)(&sample(length)).is_ok();

        assert!(accepts(max), "{} rejects its max length {max}", case.shape);
        assert!(
            min == 0 || !accepts(min - 1),
            "{} accepts below {min}",
            case.shape
        );
        assert!(!accepts(max + 1), "{} accepts above {max}", case.shape);
    }
}
