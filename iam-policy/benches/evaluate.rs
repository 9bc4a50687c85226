//! Benchmarks of policy evaluation over principals built from AWS managed policies.
//!
//! Three principals hold 10 policies (the default quota of attached managed policies), 20,
//! and 120 (the maximum fan-in: 20 policies on the user plus 10 groups of 10). Each decides
//! three requests: one its policies allow, a near miss in a service they grant other actions
//! of, and one in an unrelated service. Warm benchmarks evaluate against the compiled form;
//! cold ones parse and compile the whole set.
//!
//! Run with `cargo bench -p iam-policy --bench evaluate`.

use std::fmt::Display;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iam_policy::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, ContextKeys, ContextValue, Decision,
    NamedPolicy, PolicyDocument, PrincipalPolicies, RequestContext, RequestPrincipal,
};

/// Policies every principal holds; the allowed request relies on the first one.
const BASE_POLICIES: [&str; 10] = [
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2FullAccess",
    "IAMReadOnlyAccess",
    "AWSLambda_FullAccess",
    "CloudWatchReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSReadOnlyAccess",
    "AWSCloudFormationReadOnlyAccess",
    "AmazonRDSReadOnlyAccess",
];

const RESOURCE: &str = "arn:aws:s3:::bench-reports/2026/q1.csv";
const NEAR_MISS_ACTIONS: [&str; 4] = [
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutBucketPolicy",
    "iam:CreateUser",
];
const UNRELATED_ACTIONS: [&str; 4] = [
    "gamelift:CreateFleet",
    "braket:CreateQuantumTask",
    "workmail:CreateUser",
    "groundstation:ReserveContact",
];

fn or_panic<T, E: Display>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{what}: {error}"),
    }
}

fn corpus_directory() -> PathBuf {
    let directory = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/aws-managed-policies"
    ));
    assert!(
        directory.is_dir(),
        "the AWS managed policy corpus is missing at `{}`",
        directory.display()
    );
    directory.to_path_buf()
}

/// Reads the texts of `count` policies: the base ten, then others spread evenly over the
/// sorted corpus, leaving out policies that allow every action.
fn policy_texts(count: usize) -> Vec<(String, String)> {
    let directory = corpus_directory();
    let read = |name: &str| {
        let path = directory.join(format!("{name}.json"));
        or_panic(
            std::fs::read_to_string(&path),
            &format!("cannot read `{}`", path.display()),
        )
    };
    let mut texts: Vec<(String, String)> = BASE_POLICIES
        .iter()
        .map(|name| ((*name).to_owned(), read(name)))
        .collect();

    let mut names: Vec<String> = or_panic(std::fs::read_dir(&directory), "cannot list the corpus")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".json")?;
            (!stem.starts_with('_') && !BASE_POLICIES.contains(&stem)).then(|| stem.to_owned())
        })
        .collect();
    names.sort();
    let wanted = count.saturating_sub(texts.len());
    let step = (names.len() / wanted.max(1)).max(1);
    for name in names.iter().step_by(step) {
        if texts.len() == count {
            break;
        }
        let text = read(name);
        let grants_everything =
            text.contains("\"Action\": \"*\"") || text.contains("\"NotAction\"");
        if !grants_everything {
            texts.push((name.clone(), text));
        }
    }
    assert_eq!(texts.len(), count, "the corpus has too few policies");
    texts
}

fn parse_policies(texts: &[(String, String)]) -> PrincipalPolicies {
    let identity = texts
        .iter()
        .map(|(name, text)| {
            let document = or_panic(
                PolicyDocument::parse(text),
                &format!("policy `{name}` does not parse"),
            );
            NamedPolicy::new(format!("arn:aws:iam::aws:policy/{name}"), document)
        })
        .collect();
    PrincipalPolicies {
        identity,
        ..PrincipalPolicies::default()
    }
}

fn principal() -> RequestPrincipal {
    or_panic(
        RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/bench"),
        "bad principal",
    )
    .with_user_id("AIDABENCHEXAMPLE")
    .with_tag("team", "analytics")
}

fn request(action: &str) -> RequestContext {
    let mut keys = ContextKeys::new();
    keys.insert("aws:SourceIp", ContextValue::single("203.0.113.10"));
    keys.insert("aws:SecureTransport", ContextValue::boolean(true));
    RequestContext::new(principal(), action, RESOURCE, None, None, keys)
}

/// Picks the first candidate action that every principal set denies.
fn denied_everywhere(
    candidates: &[&str],
    sets: &[CompiledPrincipalPolicies],
    none: &CompiledResourcePolicies,
) -> String {
    candidates
        .iter()
        .find(|action| {
            let request = request(action);
            sets.iter()
                .all(|set| set.evaluate(none, &request) == Decision::ImplicitDeny)
        })
        .map(|action| (*action).to_owned())
        .unwrap_or_else(|| panic!("every candidate in {candidates:?} is allowed by some set"))
}

fn bench_evaluate(criterion: &mut Criterion) {
    let sizes = [10_usize, 20, 120];
    let texts: Vec<Vec<(String, String)>> = sizes.iter().map(|size| policy_texts(*size)).collect();
    let principal = principal();
    let compiled: Vec<CompiledPrincipalPolicies> = texts
        .iter()
        .map(|texts| CompiledPrincipalPolicies::compile(&parse_policies(texts), Some(&principal)))
        .collect();
    let none = CompiledResourcePolicies::none();

    let near_miss = denied_everywhere(&NEAR_MISS_ACTIONS, &compiled, &none);
    let unrelated = denied_everywhere(&UNRELATED_ACTIONS, &compiled, &none);
    eprintln!("near-miss action `{near_miss}`, unrelated action `{unrelated}`");
    let allowed = request("s3:GetObject");
    let requests = [
        ("allowed", allowed.clone(), Decision::Allow),
        ("near-miss", request(&near_miss), Decision::ImplicitDeny),
        ("unrelated", request(&unrelated), Decision::ImplicitDeny),
    ];

    let mut group = criterion.benchmark_group("evaluate");
    for (size, set) in sizes.iter().zip(&compiled) {
        for (label, request, expected) in &requests {
            assert_eq!(
                set.evaluate(&none, request),
                *expected,
                "{size} policies, {label}"
            );
            group.bench_with_input(
                BenchmarkId::new(*label, size),
                request,
                |bencher, request| {
                    bencher.iter(|| set.evaluate(black_box(&none), black_box(request)));
                },
            );
        }
    }
    group.finish();

    let mut group = criterion.benchmark_group("explain");
    for (size, set) in sizes.iter().zip(&compiled) {
        group.bench_with_input(
            BenchmarkId::new("allowed", size),
            &allowed,
            |bencher, request| {
                bencher.iter(|| set.explain(black_box(&none), black_box(request)));
            },
        );
    }
    group.finish();

    let mut group = criterion.benchmark_group("parse-and-compile");
    group.sample_size(20);
    for (size, texts) in sizes.iter().zip(&texts) {
        group.bench_with_input(
            BenchmarkId::from_parameter(size),
            texts,
            |bencher, texts| {
                bencher.iter(|| {
                    CompiledPrincipalPolicies::compile(
                        &parse_policies(black_box(texts)),
                        Some(&principal),
                    )
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_evaluate);
criterion_main!(benches);
