//! Validation of a policy document for the kind of policy it will become.
//!
//! The checks run in the order AWS IAM applies them, so the first finding is the one AWS
//! reports. The order is: JSON and element syntax, version, legacy parsing, `Sid` characters and
//! duplicates, missing actions, resource formats, action formats and missing resources. The
//! rules of the policy kind come last: required and forbidden elements, principal forms, and
//! the special rules of resource control policies.

use std::collections::HashSet;

use crate::document::{
    ActionKind, Effect, PolicyDocument, PolicyKind, PrincipalBlock, PrincipalKind, PrincipalType,
    PrincipalValue, ResourceKind, Span, Statement, Version,
};
use crate::error::PolicyError;
use crate::finding::{Finding, FindingKind};
use crate::legacy;
use crate::parse::parse_document;

/// The settings of a validation: the policy kind, the size quota, and whether AWS manages the
/// policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidationOptions {
    /// The kind of policy the document will become.
    pub kind: PolicyKind,
    /// The size quota to enforce, if any. AWS managed policies have none.
    pub size_quota: Option<SizeQuota>,
    /// Whether the policy is an AWS managed policy. AWS managed policies skip size quotas,
    /// and only they may use `Allow` in a resource control policy (`RCPFullAWSAccess`).
    pub aws_managed: bool,
}

impl ValidationOptions {
    /// Builds the options for a customer policy of `kind` with the given quota.
    pub fn new(kind: PolicyKind, size_quota: Option<SizeQuota>) -> ValidationOptions {
        ValidationOptions {
            kind,
            size_quota,
            aws_managed: false,
        }
    }
}

/// A maximum policy size, counted the way AWS counts it for one kind of policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeQuota {
    /// The maximum number of characters.
    pub max_characters: usize,
    /// Whether white space between JSON tokens counts. IAM does not count it; AWS
    /// Organizations counts every character of SCPs and RCPs.
    pub counts_whitespace: bool,
}

impl SizeQuota {
    /// A customer managed policy, and each version of it: 6,144 characters.
    pub const MANAGED_POLICY: SizeQuota = SizeQuota::iam(6_144);
    /// All inline policies of one user together: 2,048 characters.
    pub const USER_INLINE_POLICIES: SizeQuota = SizeQuota::iam(2_048);
    /// All inline policies of one group together: 5,120 characters.
    pub const GROUP_INLINE_POLICIES: SizeQuota = SizeQuota::iam(5_120);
    /// All inline policies of one role together: 10,240 characters.
    pub const ROLE_INLINE_POLICIES: SizeQuota = SizeQuota::iam(10_240);
    /// A role trust policy: 2,048 characters by default; AWS can raise it to 4,096.
    pub const ROLE_TRUST_POLICY: SizeQuota = SizeQuota::iam(2_048);
    /// A service control policy: 5,120 characters, white space included.
    pub const SERVICE_CONTROL_POLICY: SizeQuota = SizeQuota::organizations(5_120);
    /// A resource control policy: 5,120 characters, white space included.
    pub const RESOURCE_CONTROL_POLICY: SizeQuota = SizeQuota::organizations(5_120);

    const fn iam(max_characters: usize) -> SizeQuota {
        SizeQuota {
            max_characters,
            counts_whitespace: false,
        }
    }

    const fn organizations(max_characters: usize) -> SizeQuota {
        SizeQuota {
            max_characters,
            counts_whitespace: true,
        }
    }
}

/// The outcome of checking a document: the parsed document when the syntax allowed one, and
/// every finding in the order AWS checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// The document, or `None` when it could not be parsed.
    pub document: Option<PolicyDocument>,
    /// The findings, the one AWS would report first.
    pub findings: Vec<Finding>,
}

/// Counts a policy's size in characters as AWS does.
///
/// Without `counts_whitespace`, spaces, tabs and line breaks between JSON tokens are skipped,
/// so the size is that of the minified document.
///
/// NOTE: white space inside strings is counted. AWS documents only that IAM "does not count
/// white space", and a minifier keeps the white space inside strings.
pub fn policy_size(text: &str, counts_whitespace: bool) -> usize {
    if counts_whitespace {
        return text.chars().count();
    }

    let mut size = 0;
    let mut in_string = false;
    let mut escaped = false;
    for character in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
        } else if matches!(character, ' ' | '\t' | '\n' | '\r') {
            continue;
        } else if character == '"' {
            in_string = true;
        }
        size += 1;
    }
    size
}

/// Validates a policy document and returns it parsed.
///
/// # Errors
///
/// Returns [`PolicyError::SizeQuotaExceeded`] when the document is larger than
/// `options.size_quota` (unless `options.aws_managed`), [`PolicyError::DocumentTooLarge`]
/// above [`MAX_DOCUMENT_BYTES`](crate::MAX_DOCUMENT_BYTES), and [`PolicyError::Malformed`] with
/// the first finding otherwise.
///
/// # Examples
///
/// ```
/// use iam_policy::{PolicyError, PolicyKind, SizeQuota, ValidationOptions, validate_policy};
///
/// let options = ValidationOptions::new(PolicyKind::Identity, Some(SizeQuota::MANAGED_POLICY));
/// let text = r#"{"Version": "2012-10-17",
///     "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket"}}"#;
///
/// let Err(PolicyError::Malformed(finding)) = validate_policy(text, &options) else {
///     panic!("a resource that is not an ARN is rejected");
/// };
/// assert_eq!(finding.message, "Resource bucket must be in ARN format or \"*\".");
/// assert_eq!(finding.span.path, "$.Statement.Resource");
/// assert_eq!((finding.span.line, finding.span.column), (2, 76));
/// ```
pub fn validate_policy(
    text: &str,
    options: &ValidationOptions,
) -> Result<PolicyDocument, PolicyError> {
    let validation = check_policy(text, options)?;
    if let Some(finding) = validation.findings.into_iter().next() {
        return Err(finding.into());
    }
    validation
        .document
        .ok_or_else(|| PolicyError::Malformed(Box::new(missing_document_finding())))
}

/// Checks a policy document and returns every finding, for linters that show them all.
///
/// # Errors
///
/// Returns [`PolicyError::SizeQuotaExceeded`] and [`PolicyError::DocumentTooLarge`] as
/// [`validate_policy`] does; every other problem is a finding.
pub fn check_policy(text: &str, options: &ValidationOptions) -> Result<Validation, PolicyError> {
    if let Some(quota) = options.size_quota.filter(|_| !options.aws_managed) {
        let size = policy_size(text, quota.counts_whitespace);
        if size > quota.max_characters {
            return Err(PolicyError::SizeQuotaExceeded {
                size,
                quota: quota.max_characters,
            });
        }
    }

    let parsed = match parse_document(text) {
        Ok(parsed) => parsed,
        Err(PolicyError::Malformed(finding)) => {
            return Ok(Validation {
                document: None,
                findings: vec![with_kind_message(*finding, options.kind)],
            });
        }
        Err(error) => return Err(error),
    };
    let document = parsed.document;

    let mut findings = Vec::new();
    // NOTE: IAM rejects `stringEquals`; AWS Organizations is assumed to accept it, because
    // AWS's published sample RCPs spell operators that way.
    if !matches!(options.kind, PolicyKind::Scp | PolicyKind::Rcp) {
        findings.extend(parsed.miscased_operators);
    }
    check_version(&document, options.kind, &mut findings);
    findings.extend(parsed.legacy_findings);
    check_sid_characters(&document, options.kind, &mut findings);
    check_duplicate_sids(&document, &mut findings);
    for statement in &document.statements {
        check_actions_present(statement, &mut findings);
    }
    for statement in &document.statements {
        check_resource_formats(statement, &mut findings);
    }
    for statement in &document.statements {
        check_action_formats(statement, &mut findings);
    }
    for statement in &document.statements {
        check_resources_present(statement, options.kind, &mut findings);
    }
    for statement in &document.statements {
        check_kind_rules(statement, options, &mut findings);
    }

    let findings = findings
        .into_iter()
        .map(|finding| with_kind_message(finding, options.kind))
        .collect();
    Ok(Validation {
        document: Some(document),
        findings,
    })
}

/// AWS Organizations' message for any invalid SCP or RCP.
const ORGANIZATIONS_MESSAGE: &str =
    "The provided policy document does not meet the requirements of the specified policy type.";

/// Replaces IAM's message with AWS Organizations' one for SCPs and RCPs, which Organizations
/// rejects with one generic sentence.
fn with_kind_message(mut finding: Finding, kind: PolicyKind) -> Finding {
    if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
        finding.message = ORGANIZATIONS_MESSAGE.to_owned();
    }
    finding
}

fn missing_document_finding() -> Finding {
    Finding::syntax("the document could not be parsed", &Span::default())
}

fn check_version(document: &PolicyDocument, kind: PolicyKind, findings: &mut Vec<Finding>) {
    // Resource-based and trust policies still accept the original language version.
    // NOTE: IAM's rejection of `2008-10-17` is recorded for managed and inline identity
    // policies, and AWS Organizations documents `2012-10-17` for SCPs and RCPs. That
    // permissions boundaries and session policies follow the identity-policy rule is inferred.
    let requires_current = !matches!(kind, PolicyKind::Resource | PolicyKind::Trust);
    if !requires_current || document.effective_version() == Version::V2012_10_17 {
        return;
    }

    let (detail, span) = match &document.version {
        Some(version) => (
            format!(
                "policy version `{}` is too old, expected `2012-10-17`",
                version.value
            ),
            &version.span,
        ),
        None => (
            "missing `Version` element, expected `2012-10-17`".to_owned(),
            &document.span,
        ),
    };
    findings.push(Finding::new(
        FindingKind::Version,
        "Policy document must be version 2012-10-17 or greater.",
        detail,
        span,
    ));
}

fn check_sid_characters(document: &PolicyDocument, kind: PolicyKind, findings: &mut Vec<Finding>) {
    // IAM and AWS Organizations allow only ASCII letters and digits. Services with resource-based
    // policies set their own rules (S3 and KMS accept spaces), so those are not checked.
    if kind == PolicyKind::Resource {
        return;
    }
    let sids = document
        .statements
        .iter()
        .filter_map(|statement| statement.sid.as_ref());
    for sid in sids {
        if !sid
            .value
            .chars()
            .all(|character| character.is_ascii_alphanumeric())
        {
            findings.push(Finding::new(
                FindingKind::InvalidSid,
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the \
                 regular expression [0-9A-Za-z]*",
                format!(
                    "statement id `{}` contains characters other than letters and digits",
                    sid.value
                ),
                &sid.span,
            ));
        }
    }
}

fn check_duplicate_sids(document: &PolicyDocument, findings: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    for sid in document
        .statements
        .iter()
        .filter_map(|statement| statement.sid.as_ref())
    {
        // Empty Sids are not identifiers, so AWS lets them repeat.
        if sid.value.is_empty() || seen.insert(sid.value.as_str()) {
            continue;
        }
        findings.push(Finding::new(
            FindingKind::DuplicateSid,
            "Statement IDs (SID) in a single policy must be unique.",
            format!("duplicate statement id `{}`", sid.value),
            &sid.span,
        ));
    }
}

fn check_actions_present(statement: &Statement, findings: &mut Vec<Finding>) {
    if statement.action.values.is_empty() {
        findings.push(Finding::new(
            FindingKind::MissingActions,
            "Policy statement must contain actions.",
            "statement has no `Action` or `NotAction` values",
            &statement.action.span,
        ));
    }
}

fn check_resources_present(statement: &Statement, kind: PolicyKind, findings: &mut Vec<Finding>) {
    // A trust policy's resource is the role itself, so its statements name none. Resource-based
    // policies of several services (SNS topics, for one) also imply the resource they are
    // attached to.
    // NOTE: some services, S3 among them, do require `Resource` in their resource-based
    // policies; this validator accepts its absence for every service.
    if matches!(kind, PolicyKind::Trust | PolicyKind::Resource) {
        return;
    }
    let span = match &statement.resource {
        Some(resource) if !resource.values.is_empty() => return,
        Some(resource) => &resource.span,
        None => &statement.span,
    };
    findings.push(Finding::new(
        FindingKind::MissingResources,
        "Policy statement must contain resources.",
        "statement has no `Resource` or `NotResource` values",
        span,
    ));
}

/// The resource types named in IAM's message for an `arn:…:iam:…` resource it does not accept.
const IAM_RESOURCE_PREFIXES: &[&str] = &[
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

/// Further IAM resource types that IAM accepts though its message does not list them: the
/// ones in AWS's service authorization reference, and `root`, which AWS managed policies use.
const IAM_RESOURCE_EXTRA_PREFIXES: &[&str] =
    &["assumed-role/", "delegation-request/", "role-template/"];

fn check_resource_formats(statement: &Statement, findings: &mut Vec<Finding>) {
    let Some(resource) = &statement.resource else {
        return;
    };
    for value in &resource.values {
        if let Some((message, detail)) = resource_format_problem(&value.value) {
            findings.push(Finding::new(
                FindingKind::InvalidResource,
                message,
                detail,
                &value.span,
            ));
        }
    }
}

/// Returns AWS's message and a detail for a resource that is neither `*` nor a usable ARN.
fn resource_format_problem(resource: &str) -> Option<(String, String)> {
    if resource == "*" {
        return None;
    }

    let Some(rest) = resource.strip_prefix("arn:") else {
        return Some(non_arn_problem(resource));
    };
    let fields: Vec<&str> = rest.splitn(5, ':').collect();
    let partition = fields.first().copied().unwrap_or_default();
    if !legacy::is_known_partition(partition) {
        return Some((
            format!("Partition \"{partition}\" is not valid for resource \"{resource}\"."),
            format!("unknown partition `{partition}` in resource `{resource}`"),
        ));
    }

    let service = fields.get(1).copied().unwrap_or_default();
    if service.is_empty() || service.contains(['*', '?']) {
        return Some((
            "Resource vendor must be fully qualified and cannot contain regexes.".to_owned(),
            format!("resource `{resource}` has no exact service name"),
        ));
    }

    let [_, _, region, account, resource_part] = fields.as_slice() else {
        return None;
    };
    match service {
        "iam" if !region.is_empty() => Some((
            format!("IAM resource {resource} cannot contain region information."),
            format!("IAM resource `{resource}` names region `{region}`"),
        )),
        "iam" if !iam_resource_path_valid(resource_part) => Some((
            format!(
                "IAM resource path must either be \"*\" or start with {}.",
                IAM_RESOURCE_PREFIXES.join(", ")
            ),
            format!("IAM resource `{resource}` has an unknown resource type"),
        )),
        // S3 buckets and objects are global; only resources owned by an account (access
        // points, jobs, Storage Lens) carry a region.
        "s3" if !region.is_empty() && account.is_empty() => Some((
            format!("Resource {resource} can not contain region information."),
            format!("S3 resource `{resource}` names region `{region}` but no account"),
        )),
        _ => None,
    }
}

fn non_arn_problem(resource: &str) -> (String, String) {
    let not_arn = (
        format!("Resource {resource} must be in ARN format or \"*\"."),
        format!("resource `{resource}` is not an ARN or `*`"),
    );
    if !resource.contains(':') {
        return not_arn;
    }

    // AWS reads a value with colons as an ARN whose first field is wrong, and reports its
    // second field as the partition, with missing fields shown as `*`.
    let mut fields: Vec<&str> = resource.split(':').collect();
    if let Some(first) = fields.first_mut() {
        *first = "arn";
    }
    while fields.len() < 6 {
        fields.push("*");
    }
    let partition = fields.get(1).copied().unwrap_or_default();
    if legacy::is_known_partition(partition) {
        return not_arn;
    }
    let as_arn = fields.join(":");
    (
        format!("Partition \"{partition}\" is not valid for resource \"{as_arn}\"."),
        format!("resource `{resource}` is not an ARN or `*`"),
    )
}

fn iam_resource_path_valid(resource_part: &str) -> bool {
    resource_part == "*"
        || resource_part == "root"
        || IAM_RESOURCE_PREFIXES
            .iter()
            .chain(IAM_RESOURCE_EXTRA_PREFIXES)
            .any(|prefix| resource_part.starts_with(prefix))
}

fn check_action_formats(statement: &Statement, findings: &mut Vec<Finding>) {
    for value in &statement.action.values {
        if let Some((message, detail)) = action_format_problem(&value.value) {
            findings.push(Finding::new(
                FindingKind::InvalidAction,
                message,
                detail,
                &value.span,
            ));
        }
    }
}

/// Returns AWS's message and a detail for an action that is neither `*` nor `service:name`.
fn action_format_problem(action: &str) -> Option<(String, String)> {
    if action == "*" {
        return None;
    }
    let Some((vendor, _)) = action.split_once(':') else {
        return Some((
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.".to_owned(),
            format!("action `{action}` has no service prefix"),
        ));
    };
    if action.matches(':').count() > 1 {
        return Some((
            "Actions/Condition can contain only one colon.".to_owned(),
            format!("action `{action}` contains more than one colon"),
        ));
    }
    let vendor_valid = !vendor.is_empty()
        && vendor
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "-_.*?".contains(character));
    if !vendor_valid {
        return Some((
            format!("Vendor {vendor} is not valid"),
            format!("invalid service prefix `{vendor}` in action `{action}`"),
        ));
    }
    None
}

fn check_kind_rules(
    statement: &Statement,
    options: &ValidationOptions,
    findings: &mut Vec<Finding>,
) {
    match options.kind {
        PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session => {
            forbid_principal(statement, findings);
        }
        PolicyKind::Scp => {
            forbid_principal(statement, findings);
        }
        PolicyKind::Resource => {
            require_principal(statement, findings);
            check_not_principal_effect(statement, findings);
            check_principal_values(statement, PrincipalStrictness::AnyService, findings);
        }
        PolicyKind::Trust => {
            require_principal(statement, findings);
            forbid_not_principal(statement, findings);
            check_principal_values(statement, PrincipalStrictness::Iam, findings);
            if let Some(resource) = &statement.resource {
                let name = resource_element_name(resource.kind);
                findings.push(Finding::new(
                    FindingKind::ForbiddenElement,
                    format!("Has prohibited field {name}."),
                    format!("a trust policy cannot contain `{name}`"),
                    &resource.span,
                ));
            }
        }
        PolicyKind::Rcp => check_rcp_rules(statement, options.aws_managed, findings),
    }
}

fn forbid_principal(statement: &Statement, findings: &mut Vec<Finding>) {
    if let Some(principal) = &statement.principal {
        findings.push(Finding::new(
            FindingKind::ForbiddenElement,
            "Policy document should not specify a principal.",
            format!(
                "`{}` is not allowed in this kind of policy",
                principal_element_name(principal.kind)
            ),
            &principal.span,
        ));
    }
}

fn require_principal(statement: &Statement, findings: &mut Vec<Finding>) {
    if statement.principal.is_none() {
        findings.push(Finding::new(
            FindingKind::MissingElement,
            "Missing required field Principal",
            "statement has no `Principal` or `NotPrincipal`",
            &statement.span,
        ));
    }
}

fn forbid_not_principal(statement: &Statement, findings: &mut Vec<Finding>) {
    if let Some(principal) = &statement.principal
        && principal.kind == PrincipalKind::NotPrincipal
    {
        findings.push(Finding::new(
            FindingKind::ForbiddenElement,
            "Has prohibited field NotPrincipal.",
            "`NotPrincipal` is not allowed in this kind of policy",
            &principal.span,
        ));
    }
}

/// The level of checking for principal identifiers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PrincipalStrictness {
    /// IAM role trust policies: an `AWS` ARN must be an IAM or STS ARN with a 12-digit account.
    Iam,
    /// Resource-based policies of any service: an `AWS` principal only has to be an ARN, since
    /// services accept their own forms (S3 accepts `arn:aws:iam::cloudfront:user/…`).
    AnyService,
}

/// Checks the form of each principal identifier. Whether the named account, user or role
/// exists is for the caller to check, because AWS rejects unknown ones with the same message.
fn check_principal_values(
    statement: &Statement,
    strictness: PrincipalStrictness,
    findings: &mut Vec<Finding>,
) {
    let Some(PrincipalBlock {
        value: PrincipalValue::Map(entries),
        ..
    }) = &statement.principal
    else {
        return;
    };
    for entry in entries {
        let principal_type = entry.principal_type.value;
        for value in &entry.values {
            let text = value.value.as_str();
            let valid = match principal_type {
                PrincipalType::Aws => match strictness {
                    PrincipalStrictness::Iam => {
                        text == "*" || is_account_id(text) || is_principal_arn(text)
                    }
                    PrincipalStrictness::AnyService => {
                        text == "*" || is_account_id(text) || text.starts_with("arn:")
                    }
                },
                PrincipalType::Service => is_service_principal(text),
                PrincipalType::Federated | PrincipalType::CanonicalUser => !text.is_empty(),
            };
            if !valid {
                findings.push(Finding::new(
                    FindingKind::InvalidPrincipal,
                    format!("Invalid principal in policy: \"{principal_type}\":\"{text}\""),
                    format!("invalid `{principal_type}` principal `{text}`"),
                    &value.span,
                ));
            }
        }
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Returns whether `text` is the ARN of an IAM or STS principal: a root user, user, role, role
/// session or federated user, in an account given by its 12-digit id.
fn is_principal_arn(text: &str) -> bool {
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = fields.as_slice() else {
        return false;
    };
    *prefix == "arn"
        && legacy::is_known_partition(partition)
        && matches!(*service, "iam" | "sts")
        && region.is_empty()
        && is_account_id(account)
        && !resource.is_empty()
}

/// Returns whether `text` has the form of a service principal, such as `ec2.amazonaws.com`.
fn is_service_principal(text: &str) -> bool {
    text.contains('.')
        && text
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "-.".contains(character))
}

fn check_not_principal_effect(statement: &Statement, findings: &mut Vec<Finding>) {
    if let Some(principal) = &statement.principal
        && principal.kind == PrincipalKind::NotPrincipal
        && statement.effect.value == Effect::Allow
    {
        findings.push(Finding::new(
            FindingKind::UnsupportedValue,
            "NotPrincipal can only be used with \"Effect\": \"Deny\".",
            "`NotPrincipal` with `Allow` is not supported, use `Deny`",
            &principal.span,
        ));
    }
}

/// Applies the rules of resource control policies: every statement names the principal `*`
/// (conditions narrow it), `NotPrincipal` and `NotAction` are not supported, and only the AWS
/// managed `RCPFullAWSAccess` policy may use `Allow`.
fn check_rcp_rules(statement: &Statement, aws_managed: bool, findings: &mut Vec<Finding>) {
    match &statement.principal {
        None => require_principal(statement, findings),
        Some(principal) if principal.kind == PrincipalKind::NotPrincipal => {
            forbid_not_principal(statement, findings);
        }
        Some(principal) if principal.value != PrincipalValue::Any => {
            findings.push(Finding::new(
                FindingKind::UnsupportedValue,
                ORGANIZATIONS_MESSAGE,
                "a resource control policy must name the principal `*`",
                &principal.span,
            ));
        }
        Some(_) => {}
    }
    if statement.action.kind == ActionKind::NotAction {
        findings.push(Finding::new(
            FindingKind::ForbiddenElement,
            ORGANIZATIONS_MESSAGE,
            "`NotAction` is not supported in a resource control policy",
            &statement.action.span,
        ));
    }
    if statement.effect.value == Effect::Allow && !aws_managed {
        findings.push(Finding::new(
            FindingKind::UnsupportedValue,
            ORGANIZATIONS_MESSAGE,
            "a resource control policy supports only `Deny`",
            &statement.effect.span,
        ));
    }
}

fn principal_element_name(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::Principal => "Principal",
        PrincipalKind::NotPrincipal => "NotPrincipal",
    }
}

fn resource_element_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Resource => "Resource",
        ResourceKind::NotResource => "NotResource",
    }
}

#[cfg(test)]
mod tests;
