//! Benchmarks of parsing, validating and serializing AWS managed policies.
//!
//! `AWSSupportServiceRolePolicy` is the largest AWS managed policy (about 172 KB), and
//! `AmazonS3ReadOnlyAccess` a typical small one. The documents are read from the shared test
//! corpus at start-up.
//!
//! Run with `cargo bench -p iam-policy --bench parse`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use iam_policy::{PolicyDocument, PolicyKind, ValidationOptions, validate_policy};

const POLICIES: [&str; 2] = ["AWSSupportServiceRolePolicy", "AmazonS3ReadOnlyAccess"];

fn read_policy(name: &str) -> String {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/aws-managed-policies"
    ))
    .join(format!("{name}.json"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()))
}

fn benchmarks(criterion: &mut Criterion) {
    let options = ValidationOptions {
        aws_managed: true,
        ..ValidationOptions::new(PolicyKind::Identity, None)
    };

    for name in POLICIES {
        let text = read_policy(name);
        let document = PolicyDocument::parse(&text)
            .unwrap_or_else(|error| panic!("`{name}` does not parse: {error}"));

        let mut group = criterion.benchmark_group("policy");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", name), &text, |bencher, text| {
            bencher.iter(|| PolicyDocument::parse(black_box(text)));
        });
        group.bench_with_input(
            BenchmarkId::new("validate", name),
            &text,
            |bencher, text| {
                bencher.iter(|| validate_policy(black_box(text), &options));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("serialize", name),
            &document,
            |bencher, document| {
                bencher.iter(|| black_box(document).to_json());
            },
        );
        group.finish();
    }
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
