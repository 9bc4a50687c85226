//! The typed model of an IAM policy document.
//!
//! A [`PolicyDocument`] contains an optional [`Version`], an optional `Id` and a list of
//! [`Statement`]s. A statement contains an optional `Sid`, an [`Effect`], an [`ActionBlock`]
//! (`Action` or `NotAction`), an optional [`ResourceBlock`] (`Resource` or `NotResource`), an
//! optional [`PrincipalBlock`] (`Principal` or `NotPrincipal`) and its conditions.
//!
//! The `Condition` element is flattened: each pair of operator and condition key becomes one
//! [`Condition`] with its list of [`ConditionValue`]s, in document order. An operator block
//! with no keys (`{"StringEquals": {}}`) produces no condition.
//!
//! Every element carries a [`Span`]: its byte range, line and column in the original text and
//! its JSON path, such as `$.Statement[0].Action[1]`. Spans make the derived `PartialEq`
//! position-sensitive; [`PolicyDocument::without_spans`] compares content alone.
//!
//! The model keeps the document as written, including values a validator rejects (an empty
//! action list, a `NotPrincipal` with `Allow`), so that validation can name the offending
//! element.
//! A missing `Action` and `NotAction` is stored as an empty `Action` list, because AWS reports
//! both the same way.

use std::borrow::Cow;
use std::fmt;

/// The place of an element in the source text.
///
/// Lines and columns count from 1. Columns count Unicode scalar values, so a tab or a
/// multi-byte character is one column. A document built in code has default spans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the element's first character.
    pub offset: usize,
    /// Length of the element's text in bytes.
    pub len: usize,
    /// Line of the first character.
    pub line: u32,
    /// Column of the first character.
    pub column: u32,
    /// JSON path to the element, such as `$.Statement[2].Condition.StringEquals['aws:username']`.
    pub path: String,
}

impl fmt::Display for Span {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} (line {}, column {})",
            self.path, self.line, self.column
        )
    }
}

/// A value together with the place it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The parsed value.
    pub value: T,
    /// The source position of the value.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value built in code, with a default span.
    pub fn new(value: T) -> Self {
        Self {
            value,
            span: Span::default(),
        }
    }
}

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    /// The `Version` element; absent means the `2008-10-17` language rules.
    pub version: Option<Spanned<Version>>,
    /// The `Id` element.
    pub id: Option<Spanned<String>>,
    /// The statements, in document order, whether `Statement` was one object or a list.
    pub statements: Vec<Statement>,
    /// The whole document object.
    pub span: Span,
}

impl PolicyDocument {
    /// Returns the policy language version in force: the `Version` element, or `2008-10-17` when absent.
    pub fn effective_version(&self) -> Version {
        self.version
            .as_ref()
            .map_or(Version::V2008_10_17, |version| version.value)
    }

    /// Returns a copy with every span reset to its default, for comparing content alone.
    pub fn without_spans(&self) -> PolicyDocument {
        let mut document = self.clone();
        document.clear_spans();
        document
    }

    fn clear_spans(&mut self) {
        self.span = Span::default();
        if let Some(version) = &mut self.version {
            version.span = Span::default();
        }
        if let Some(id) = &mut self.id {
            id.span = Span::default();
        }
        for statement in &mut self.statements {
            statement.clear_spans();
        }
    }
}

/// The `Version` element: which policy language rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`, the current version; the only one with policy variables.
    V2012_10_17,
    /// `2008-10-17`, the original version; `${...}` is literal text.
    V2008_10_17,
}

impl Version {
    /// Returns the version string as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }

    /// Parses a version string; `None` for anything but the two versions AWS defines.
    pub fn from_name(name: &str) -> Option<Version> {
        match name {
            "2012-10-17" => Some(Version::V2012_10_17),
            "2008-10-17" => Some(Version::V2008_10_17),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One statement of a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The `Sid` element.
    pub sid: Option<Spanned<String>>,
    /// The `Effect` element.
    pub effect: Spanned<Effect>,
    /// The `Action` or `NotAction` element; an empty `Action` list when the text had neither.
    pub action: ActionBlock,
    /// The `Resource` or `NotResource` element.
    pub resource: Option<ResourceBlock>,
    /// The `Principal` or `NotPrincipal` element.
    pub principal: Option<PrincipalBlock>,
    /// The `Condition` element, one entry per operator and key, in document order.
    pub conditions: Vec<Condition>,
    /// The statement object.
    pub span: Span,
}

impl Statement {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        if let Some(sid) = &mut self.sid {
            sid.span = Span::default();
        }
        self.effect.span = Span::default();
        self.action.span = Span::default();
        clear_value_spans(&mut self.action.values);
        if let Some(resource) = &mut self.resource {
            resource.span = Span::default();
            clear_value_spans(&mut resource.values);
        }
        if let Some(principal) = &mut self.principal {
            principal.span = Span::default();
            if let PrincipalValue::Map(entries) = &mut principal.value {
                for entry in entries {
                    entry.principal_type.span = Span::default();
                    clear_value_spans(&mut entry.values);
                }
            }
        }
        for condition in &mut self.conditions {
            condition.span = Span::default();
            condition.operator.span = Span::default();
            condition.key.span = Span::default();
            clear_value_spans(&mut condition.values);
        }
    }
}

/// The `Effect` of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// Returns the effect as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Whether an action block lists the actions it covers or the ones it excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// `Action`: the statement applies to the listed actions.
    Action,
    /// `NotAction`: the statement applies to every action except the listed ones.
    NotAction,
}

/// The `Action` or `NotAction` element of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionBlock {
    /// The element name used in the text.
    pub kind: ActionKind,
    /// The action patterns, such as `s3:Get*`, in document order.
    pub values: Vec<Spanned<String>>,
    /// The element's value (a string or a list); the statement when the element is missing.
    pub span: Span,
}

/// Whether a resource block lists the resources it covers or the ones it excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `Resource`: the statement applies to the listed resources.
    Resource,
    /// `NotResource`: the statement applies to every resource except the listed ones.
    NotResource,
}

/// The `Resource` or `NotResource` element of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceBlock {
    /// The element name used in the text.
    pub kind: ResourceKind,
    /// The resource patterns, ARNs with `*` and `?` or `*` alone, in document order. A JSON
    /// `null` inside the list, which AWS accepts, is dropped.
    pub values: Vec<Spanned<String>>,
    /// The element's value.
    pub span: Span,
}

/// Whether a principal block names the principals it covers or the ones it excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `Principal`: the statement applies to the named principals.
    Principal,
    /// `NotPrincipal`: the statement applies to every principal except the named ones.
    NotPrincipal,
}

/// The `Principal` or `NotPrincipal` element of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalBlock {
    /// The element name used in the text.
    pub kind: PrincipalKind,
    /// The principals named.
    pub value: PrincipalValue,
    /// The element's value.
    pub span: Span,
}

/// The value of a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalValue {
    /// The string `"*"`: every principal, including anonymous ones.
    Any,
    /// A map from principal type to identifiers, such as `{"AWS": ["arn:aws:iam::…:root"]}`,
    /// in document order.
    Map(Vec<PrincipalEntry>),
}

/// One principal type of a principal map with its identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// The map key, such as `AWS`.
    pub principal_type: Spanned<PrincipalType>,
    /// The identifiers: ARNs, account ids, service names, provider names or canonical user
    /// ids, or `*`.
    pub values: Vec<Spanned<String>>,
}

/// A key of a principal map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, IAM users, roles, role sessions, federated users, or `*`.
    Aws,
    /// `Service`: service principals such as `ec2.amazonaws.com`.
    Service,
    /// `Federated`: SAML providers, OIDC providers and web identity providers.
    Federated,
    /// `CanonicalUser`: an S3 canonical user id.
    CanonicalUser,
}

impl PrincipalType {
    /// Returns the map key as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }

    /// Parses a map key; `None` for anything but the four keys AWS defines.
    pub fn from_name(name: &str) -> Option<PrincipalType> {
        match name {
            "AWS" => Some(PrincipalType::Aws),
            "Service" => Some(PrincipalType::Service),
            "Federated" => Some(PrincipalType::Federated),
            "CanonicalUser" => Some(PrincipalType::CanonicalUser),
            _ => None,
        }
    }
}

impl fmt::Display for PrincipalType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One condition: an operator applied to one condition key with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator, such as `ForAnyValue:StringLikeIfExists`.
    pub operator: Spanned<ConditionOperator>,
    /// The condition key as written, such as `aws:PrincipalTag/team`. AWS compares key names
    /// without regard to case.
    pub key: Spanned<String>,
    /// The values to compare against, in document order; a single value becomes a list of one.
    pub values: Vec<Spanned<ConditionValue>>,
    /// The value of the key (a scalar or a list).
    pub span: Span,
}

/// A condition operator: an optional set qualifier, a base operator and an optional
/// `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// `ForAllValues:` or `ForAnyValue:`, for multivalued keys.
    pub qualifier: Option<SetQualifier>,
    /// The comparison, such as `StringLike`.
    pub base: BaseOperator,
    /// Whether the operator ends in `IfExists`: a missing key then satisfies the condition.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// Parses an operator name such as `ForAllValues:StringEqualsIgnoreCaseIfExists`.
    ///
    /// Returns `None` for an unknown base operator, an unknown qualifier, or `NullIfExists`,
    /// which AWS does not define.
    pub fn from_name(name: &str) -> Option<ConditionOperator> {
        let (qualifier, rest) = match name.split_once(':') {
            Some((prefix, rest)) => (Some(SetQualifier::from_name(prefix)?), rest),
            None => (None, name),
        };
        let (base, if_exists) = match BaseOperator::from_name(rest) {
            Some(base) => (base, false),
            None => {
                let base_name = rest.strip_suffix("IfExists")?;
                let base = BaseOperator::from_name(base_name)?;
                if base == BaseOperator::Null {
                    return None;
                }
                (base, true)
            }
        };
        Some(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl ConditionOperator {
    /// Parses an operator name without regard to case, such as `ForAnyValue:Stringlike`.
    pub(crate) fn from_name_ignoring_case(name: &str) -> Option<ConditionOperator> {
        let qualifiers = [
            None,
            Some(SetQualifier::ForAllValues),
            Some(SetQualifier::ForAnyValue),
        ];
        let candidates = qualifiers.into_iter().flat_map(|qualifier| {
            BaseOperator::ALL.iter().flat_map(move |base| {
                [false, true].map(|if_exists| ConditionOperator {
                    qualifier,
                    base: *base,
                    if_exists,
                })
            })
        });
        candidates
            .filter(|candidate| !(candidate.base == BaseOperator::Null && candidate.if_exists))
            .find(|candidate| candidate.to_string().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(qualifier) = self.qualifier {
            write!(formatter, "{}:", qualifier.as_str())?;
        }
        formatter.write_str(self.base.as_str())?;
        if self.if_exists {
            formatter.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// The set qualifier of a condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every value of the key in the request must match.
    ForAllValues,
    /// `ForAnyValue:`: at least one value of the key in the request must match.
    ForAnyValue,
}

impl SetQualifier {
    /// Returns the qualifier as written in a document, without the colon.
    pub fn as_str(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }

    /// Parses a qualifier written without its colon.
    pub fn from_name(name: &str) -> Option<SetQualifier> {
        match name {
            "ForAllValues" => Some(SetQualifier::ForAllValues),
            "ForAnyValue" => Some(SetQualifier::ForAnyValue),
            _ => None,
        }
    }
}

/// Declares [`BaseOperator`] with its names, so the list of operators is written once.
macro_rules! base_operators {
    ($($variant:ident => $family:ident, $doc:literal;)+) => {
        /// A condition operator without its qualifier and `IfExists` suffix.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum BaseOperator {
            $(
                #[doc = $doc]
                $variant,
            )+
        }

        impl BaseOperator {
            /// Every base operator AWS defines.
            pub const ALL: &'static [BaseOperator] = &[$(BaseOperator::$variant,)+];

            /// Returns the operator name as written in a document.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(BaseOperator::$variant => stringify!($variant),)+
                }
            }

            /// Parses an operator name; `None` for anything AWS does not define.
            pub fn from_name(name: &str) -> Option<BaseOperator> {
                match name {
                    $(stringify!($variant) => Some(BaseOperator::$variant),)+
                    _ => None,
                }
            }

            /// Returns the family of values the operator compares.
            pub fn family(self) -> OperatorFamily {
                match self {
                    $(BaseOperator::$variant => OperatorFamily::$family,)+
                }
            }
        }
    };
}

base_operators! {
    StringEquals => String, "`StringEquals`: exact, case-sensitive match.";
    StringNotEquals => String, "`StringNotEquals`: negated exact match.";
    StringEqualsIgnoreCase => String, "`StringEqualsIgnoreCase`: exact match ignoring case.";
    StringNotEqualsIgnoreCase => String, "`StringNotEqualsIgnoreCase`: negated match ignoring case.";
    StringLike => String, "`StringLike`: case-sensitive match with `*` and `?` wildcards.";
    StringNotLike => String, "`StringNotLike`: negated wildcard match.";
    NumericEquals => Numeric, "`NumericEquals`.";
    NumericNotEquals => Numeric, "`NumericNotEquals`.";
    NumericLessThan => Numeric, "`NumericLessThan`.";
    NumericLessThanEquals => Numeric, "`NumericLessThanEquals`.";
    NumericGreaterThan => Numeric, "`NumericGreaterThan`.";
    NumericGreaterThanEquals => Numeric, "`NumericGreaterThanEquals`.";
    DateEquals => Date, "`DateEquals`.";
    DateNotEquals => Date, "`DateNotEquals`.";
    DateLessThan => Date, "`DateLessThan`.";
    DateLessThanEquals => Date, "`DateLessThanEquals`.";
    DateGreaterThan => Date, "`DateGreaterThan`.";
    DateGreaterThanEquals => Date, "`DateGreaterThanEquals`.";
    Bool => Bool, "`Bool`: `true` or `false`.";
    BinaryEquals => Binary, "`BinaryEquals`: base64-encoded bytes compared exactly.";
    IpAddress => IpAddress, "`IpAddress`: the address lies in one of the CIDR ranges.";
    NotIpAddress => IpAddress, "`NotIpAddress`: the address lies in none of the CIDR ranges.";
    ArnEquals => Arn, "`ArnEquals`: ARN match with wildcards per ARN field.";
    ArnLike => Arn, "`ArnLike`: the same comparison as `ArnEquals`.";
    ArnNotEquals => Arn, "`ArnNotEquals`: negated ARN match.";
    ArnNotLike => Arn, "`ArnNotLike`: negated ARN match.";
    Null => Null, "`Null`: `true` tests that the key is absent, `false` that it is present.";
}

impl fmt::Display for BaseOperator {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The kind of value a base operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    /// Strings.
    String,
    /// Integers and decimals.
    Numeric,
    /// Dates and times, or seconds since the Unix epoch.
    Date,
    /// `true` and `false`.
    Bool,
    /// Base64-encoded bytes.
    Binary,
    /// IPv4 and IPv6 addresses and CIDR ranges.
    IpAddress,
    /// ARNs.
    Arn,
    /// Key presence.
    Null,
}

/// A condition value as written in the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON number, kept as its literal text so no precision is lost.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
}

impl ConditionValue {
    /// Returns the value as text, as AWS compares it: `true`, `42`, or the string itself.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            ConditionValue::String(text) | ConditionValue::Number(text) => Cow::Borrowed(text),
            ConditionValue::Bool(true) => Cow::Borrowed("true"),
            ConditionValue::Bool(false) => Cow::Borrowed("false"),
        }
    }
}

/// The kinds of policy that AWS validates differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy attached to a user, group or role, managed or inline.
    Identity,
    /// A resource-based policy, such as an S3 bucket policy.
    Resource,
    /// A role trust policy: the resource-based policy that names who may assume the role.
    Trust,
    /// A permissions boundary: a managed policy that caps a user's or role's permissions.
    PermissionsBoundary,
    /// A service control policy of AWS Organizations.
    Scp,
    /// A resource control policy of AWS Organizations.
    Rcp,
    /// A session policy passed to `AssumeRole` or `GetFederationToken`.
    Session,
}

fn clear_value_spans<T>(values: &mut [Spanned<T>]) {
    for value in values {
        value.span = Span::default();
    }
}
