//! Runs the conformance kit against both built-in backends.

use std::sync::Arc;

use iam_model::Quotas;
use iam_store::kv::SledOptions;
use iam_store::{IamStore, MemoryStore, SledStore, conformance};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    let report = conformance::run(|quotas: Quotas| async move {
        Arc::new(MemoryStore::in_memory(quotas)) as Arc<dyn IamStore>
    })
    .await;

    report.assert_passed();
    assert!(
        report.passed.len() >= 30,
        "only {} checks ran",
        report.passed.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sled_store_conforms() {
    let directory = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let root = directory.path().to_owned();

    let report = conformance::run(|quotas: Quotas| {
        let index = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = root.join(format!("store-{index}"));
        async move {
            let store = SledStore::open_sled(&SledOptions::new(path), quotas)
                .await
                .unwrap();
            Arc::new(store) as Arc<dyn IamStore>
        }
    })
    .await;

    report.assert_passed();
    assert!(
        report.passed.len() >= 30,
        "only {} checks ran",
        report.passed.len()
    );
}
