//! Parses the largest AWS managed policy five times, as a fixed workload for counting
//! instructions, which unlike wall time does not depend on the load of a shared machine:
//!
//! ```text
//! cargo build --release -p iam-policy --example parse_instructions
//! valgrind --tool=callgrind target/release/examples/parse_instructions
//! ```

use std::error::Error;
use std::hint::black_box;

use iam_policy::PolicyDocument;

fn main() -> Result<(), Box<dyn Error>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/aws-managed-policies/AWSSupportServiceRolePolicy.json"
    ))?;
    for _ in 0..5 {
        let document = PolicyDocument::parse(black_box(&text))?;
        black_box(document);
    }
    Ok(())
}
