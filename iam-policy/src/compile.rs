//! The compiled, indexed form of a set of policies.
//!
//! Compiling turns each statement into matchers that evaluate without parsing. Action
//! patterns become [`Glob`]s, and resource patterns and condition values are compiled once.
//! Policy variables that depend only on the principal are substituted once, for the principal
//! the set was compiled for. Statements are grouped by policy type and effect and indexed by
//! action: exact action names in a hash map, patterns with a literal service prefix under
//! that prefix, and the rest (`*`, `NotAction`, wildcards in the prefix) in a list every
//! request scans. Evaluating a request then touches only the statements that can match its
//! action. It allocates nothing, except for a policy variable whose value comes from the
//! request and for a `BinaryEquals` condition.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::condition::CompiledCondition;
use crate::context::{ContextKeys, RequestContext, is_principal_key};
use crate::document::{ActionKind, Effect, PolicyDocument, ResourceKind, Span, Version};
use crate::glob::{Case, Glob};
use crate::principal::{PrincipalMatch, PrincipalMatcher};
use crate::variables::{Template, Unresolved, VariableSource};

#[cfg(test)]
mod tests;

/// The request-side inputs of an evaluation, besides the compiled policies.
pub(crate) struct Env<'a> {
    /// The request being evaluated.
    pub(crate) request: &'a RequestContext,
    /// Whether values bound at compile time hold for this request's principal.
    pub(crate) bound: bool,
    /// Whether the principal has a permissions boundary, which makes every `NotPrincipal`
    /// deny apply to it.
    pub(crate) has_boundary: bool,
}

/// A function that substitutes a template's variables and compiles the result.
pub(crate) type Compile<T> = fn(&Template, &dyn VariableSource) -> Result<T, Unresolved>;

/// A compiled value that may depend on policy variables.
#[derive(Debug, Clone)]
pub(crate) enum Bindable<T> {
    /// A value without variables.
    Plain(T),
    /// A value whose variables depend only on the principal, substituted for the principal
    /// the set was compiled for. It is `None` when a variable had no value and no default,
    /// and the template is kept for requests of another principal.
    Bound {
        value: Option<T>,
        template: Template,
    },
    /// A value whose variables come from the request, substituted at each evaluation.
    Deferred(Template),
}

impl<T> Bindable<T> {
    /// Calls `use_value` with the value for this request, or with `None` when a variable
    /// has no value.
    pub(crate) fn with<R>(
        &self,
        env: &Env<'_>,
        compile: Compile<T>,
        use_value: impl FnOnce(Option<&T>) -> R,
    ) -> R {
        match self {
            Bindable::Plain(value) => use_value(Some(value)),
            Bindable::Bound { value, .. } if env.bound => use_value(value.as_ref()),
            Bindable::Bound { template, .. } | Bindable::Deferred(template) => {
                let value = compile(template, env.request).ok();
                use_value(value.as_ref())
            }
        }
    }
}

/// Substitutes principal variables while compiling.
pub(crate) struct Binder<'a> {
    principal_keys: Option<&'a ContextKeys>,
}

impl<'a> Binder<'a> {
    /// Builds a binder for the keys derived from one principal, or one that defers every
    /// variable to evaluation.
    pub(crate) fn new(principal_keys: Option<&'a ContextKeys>) -> Self {
        Self { principal_keys }
    }

    /// Compiles `template`, substituting the variables it can.
    pub(crate) fn bind<T>(&self, template: Template, compile: Compile<T>) -> Bindable<T> {
        let source = PrincipalSource {
            keys: self.principal_keys,
        };
        let has_keys = template.keys().next().is_some();
        match compile(&template, &source) {
            Ok(value) if !has_keys => Bindable::Plain(value),
            Ok(value) => Bindable::Bound {
                value: Some(value),
                template,
            },
            Err(Unresolved::Unbound) => Bindable::Bound {
                value: None,
                template,
            },
            Err(Unresolved::Deferred) => Bindable::Deferred(template),
        }
    }
}

/// Looks variables up among a principal's keys and defers every other key.
struct PrincipalSource<'a> {
    keys: Option<&'a ContextKeys>,
}

impl VariableSource for PrincipalSource<'_> {
    fn lookup(&self, key: &str) -> Result<&str, Unresolved> {
        match self.keys {
            Some(keys) if is_principal_key(key) => keys.lookup(key),
            _ => Err(Unresolved::Deferred),
        }
    }
}

/// One statement compiled for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    /// The index of the statement's policy in its group.
    pub(crate) policy: usize,
    /// The statement's index in its document.
    pub(crate) statement: usize,
    /// `Allow` or `Deny`.
    pub(crate) effect: Effect,
    action_negated: bool,
    actions: Vec<Glob>,
    resources: Option<ResourceMatcher>,
    principals: Option<PrincipalMatcher>,
    conditions: Vec<CompiledCondition>,
}

#[derive(Debug, Clone)]
struct ResourceMatcher {
    negated: bool,
    patterns: Vec<Bindable<Glob>>,
}

impl CompiledStatement {
    /// Returns how the statement applies to the request, or `None` when it does not. The
    /// action is checked here only for an [`Candidate::Unchecked`] candidate.
    ///
    /// `principal_required` is true for resource-based policy types, where a statement
    /// without `Principal` applies to no principal. Elsewhere such a statement applies to the
    /// principal as [`PrincipalMatch::Direct`]. Conditions run last, and `missing` hears each
    /// condition key the request lacks.
    pub(crate) fn applies(
        &self,
        env: &Env<'_>,
        candidate: Candidate,
        principal_required: bool,
        full: bool,
        missing: &mut impl FnMut(&str),
    ) -> Option<PrincipalMatch> {
        if candidate == Candidate::Unchecked {
            let action = env.request.action();
            let action_listed = self.actions.iter().any(|glob| glob.matches(action));
            if action_listed == self.action_negated {
                return None;
            }
        }

        if let Some(resources) = &self.resources {
            let resource = env.request.resource();
            let resource_bytes = env.request.resource_bytes();
            let listed = resources.patterns.iter().any(|pattern| {
                pattern.with(env, sensitive_glob, |glob| {
                    glob.is_some_and(|glob| glob.matches_with(resource, resource_bytes))
                })
            });
            if listed == resources.negated {
                return None;
            }
        }

        let principal_match = match &self.principals {
            Some(matcher) if matcher.is_negated() && env.has_boundary => {
                // AWS documents that a `NotPrincipal` deny applies to every principal with a
                // permissions boundary, whatever the element lists.
                Some(PrincipalMatch::Any)
            }
            Some(matcher) => matcher.matches(env.request.principal()),
            None if principal_required => None,
            None => Some(PrincipalMatch::Direct),
        }?;

        let mut all_true = true;
        for condition in &self.conditions {
            if !condition.evaluate(env, missing) {
                all_true = false;
                if !full {
                    break;
                }
            }
        }
        all_true.then_some(principal_match)
    }
}

fn sensitive_glob(template: &Template, source: &dyn VariableSource) -> Result<Glob, Unresolved> {
    template.to_glob(source, Case::Sensitive)
}

/// The parts of a statement an explanation names it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatementInfo {
    pub(crate) sid: Option<String>,
    pub(crate) span: Span,
}

/// The parts of a policy an explanation names it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyInfo {
    pub(crate) id: String,
    pub(crate) statements: Vec<StatementInfo>,
}

/// The statements of the policies of one type, indexed by effect and action.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatementGroup {
    pub(crate) policies: Vec<PolicyInfo>,
    pub(crate) statements: Vec<CompiledStatement>,
    pub(crate) deny: ActionIndex,
    pub(crate) allow: ActionIndex,
}

impl StatementGroup {
    /// Compiles the documents of one policy type.
    pub(crate) fn compile<'d>(
        documents: impl IntoIterator<Item = (&'d str, &'d PolicyDocument)>,
        binder: &Binder<'_>,
    ) -> Self {
        let mut group = StatementGroup::default();
        for (policy_index, (id, document)) in documents.into_iter().enumerate() {
            let variables = document.effective_version() == Version::V2012_10_17;
            let mut statements = Vec::with_capacity(document.statements.len());
            for (statement_index, statement) in document.statements.iter().enumerate() {
                statements.push(StatementInfo {
                    sid: statement.sid.as_ref().map(|sid| sid.value.clone()),
                    span: statement.span.clone(),
                });

                let actions: Vec<Glob> = statement
                    .action
                    .values
                    .iter()
                    .map(|action| Glob::new(&action.value, Case::Insensitive))
                    .collect();
                let resources = statement.resource.as_ref().map(|block| ResourceMatcher {
                    negated: block.kind == ResourceKind::NotResource,
                    patterns: block
                        .values
                        .iter()
                        .map(|value| {
                            binder.bind(Template::parse(&value.value, variables), sensitive_glob)
                        })
                        .collect(),
                });
                let conditions = statement
                    .conditions
                    .iter()
                    .map(|condition| CompiledCondition::compile(condition, variables, binder))
                    .collect();
                let compiled = CompiledStatement {
                    policy: policy_index,
                    statement: statement_index,
                    effect: statement.effect.value,
                    action_negated: statement.action.kind == ActionKind::NotAction,
                    actions,
                    resources,
                    principals: statement.principal.as_ref().map(PrincipalMatcher::compile),
                    conditions,
                };

                let position = group.statements.len();
                let index = match compiled.effect {
                    Effect::Allow => &mut group.allow,
                    Effect::Deny => &mut group.deny,
                };
                index.insert(position, compiled.action_negated, &compiled.actions);
                group.statements.push(compiled);
            }
            group.policies.push(PolicyInfo {
                id: id.to_owned(),
                statements,
            });
        }
        group
    }

    /// Iterates over the statements of one effect that may apply to the request's action,
    /// with what the index already checked of each.
    pub(crate) fn candidates<'g>(
        &'g self,
        effect: Effect,
        request: &'g RequestContext,
    ) -> impl Iterator<Item = (usize, &'g CompiledStatement, Candidate)> + 'g {
        let index = match effect {
            Effect::Allow => &self.allow,
            Effect::Deny => &self.deny,
        };
        index
            .candidates(request)
            .filter_map(|(position, candidate)| {
                self.statements
                    .get(position)
                    .map(|statement| (position, statement, candidate))
            })
    }
}

/// The part of a candidate statement that the index already checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Candidate {
    /// The statement's `Action` matches the request's action.
    ActionMatched,
    /// The statement's `Action` or `NotAction` is still to be checked.
    Unchecked,
}

/// Statements of one effect indexed by the actions they can match.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    // INVARIANT (one visit per request): `candidates` yields each statement at most once per
    // request. A statement is in `always` or in the two maps, never both.
    exact: HashMap<Box<str>, Vec<usize>, FastHash>,
    by_service: HashMap<Box<str>, Vec<ServicePatterns>, FastHash>,
    always: Vec<usize>,
}

/// A statement's action patterns for one service prefix.
#[derive(Debug, Clone)]
struct ServicePatterns {
    position: usize,
    patterns: Box<[Glob]>,
}

impl ActionIndex {
    fn insert(&mut self, position: usize, negated: bool, patterns: &[Glob]) {
        // Action globs are compiled without case, so their text is lowercase like the
        // request's action key.
        let split = |glob: &Glob| -> Option<(String, bool)> {
            let text = glob.to_pattern();
            let (service, name) = text.split_once(':')?;
            if has_wildcard(service) {
                return None;
            }
            Some((service.to_owned(), has_wildcard(name)))
        };
        let parts: Option<Vec<(String, bool)>> = patterns.iter().map(split).collect();
        let Some(parts) = parts.filter(|_| !negated) else {
            self.always.push(position);
            return;
        };

        // Exact names go to the exact map, and the wildcard patterns of each service go under
        // that service's prefix.
        let mut services: Vec<(&str, Vec<Glob>)> = Vec::new();
        for (glob, (service, wildcard)) in patterns.iter().zip(&parts) {
            match (glob.as_exact(), *wildcard) {
                (Some(name), false) => {
                    push_once(self.exact.entry(name.into()).or_default(), position)
                }
                _ => match services.iter_mut().find(|(known, _)| known == service) {
                    Some((_, globs)) => globs.push(glob.clone()),
                    None => services.push((service, vec![glob.clone()])),
                },
            }
        }
        for (service, globs) in services {
            self.by_service
                .entry(service.into())
                .or_default()
                .push(ServicePatterns {
                    position,
                    patterns: globs.into_boxed_slice(),
                });
        }
    }

    fn candidates<'i>(
        &'i self,
        request: &'i RequestContext,
    ) -> impl Iterator<Item = (usize, Candidate)> + 'i {
        let action = request.action_key();
        let exact_hits = self
            .exact
            .get(action)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let exact = exact_hits
            .iter()
            .map(|position| (*position, Candidate::ActionMatched));
        // INVARIANT (one visit per request): a statement found by exact name is skipped among
        // the pattern entries. Exact hits are few, so the scan is short.
        let by_service = self
            .by_service
            .get(request.service_key())
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(move |entry| {
                !exact_hits.contains(&entry.position)
                    && entry
                        .patterns
                        .iter()
                        .any(|glob| glob.matches_lowercase(action))
            })
            .map(|entry| (entry.position, Candidate::ActionMatched));
        let always = self
            .always
            .iter()
            .map(|position| (*position, Candidate::Unchecked));
        exact.chain(by_service).chain(always)
    }
}

/// Tells whether `text` contains a `*` or `?` wildcard.
fn has_wildcard(text: &str) -> bool {
    text.bytes().any(|byte| byte == b'*' || byte == b'?')
}

fn push_once(positions: &mut Vec<usize>, position: usize) {
    if positions.last() != Some(&position) {
        positions.push(position);
    }
}

/// A multiply-rotate hash over eight bytes at a time, in the style of rustc's `FxHasher`, for
/// the short action names the index looks up. It offers no resistance to hash flooding, which
/// is acceptable because the keys come from policies and the size quotas on policies bound how
/// many there are.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

type FastHash = BuildHasherDefault<WordHasher>;

const HASH_MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(HASH_MULTIPLIER);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0_u8; 8];
            word.iter_mut()
                .zip(rest)
                .for_each(|(slot, byte)| *slot = *byte);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
}
