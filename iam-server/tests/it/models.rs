//! Access to the botocore IAM and STS models that the tests check responses against.

use std::collections::BTreeMap;

use serde_json::Value;

/// The botocore model of one service.
pub(crate) struct Model {
    pub(crate) namespace: String,
    pub(crate) operations: BTreeMap<String, Value>,
    pub(crate) shapes: BTreeMap<String, Value>,
}

impl Model {
    /// Loads a model, failing loudly when the corpus is missing.
    pub(crate) fn load(relative: &str) -> Model {
        let path = format!(
            "{}/../../shared/corpus/api-models/botocore/{relative}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read the botocore model `{path}`: {error}"));
        let model: Value = serde_json::from_str(&text).unwrap();
        let object = |key: &str| -> BTreeMap<String, Value> {
            model[key]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        };
        Model {
            namespace: model["metadata"]["xmlNamespace"]
                .as_str()
                .unwrap()
                .to_owned(),
            operations: object("operations"),
            shapes: object("shapes"),
        }
    }

    pub(crate) fn iam() -> Model {
        Model::load("iam/2010-05-08/service-2.json")
    }

    pub(crate) fn sts() -> Model {
        Model::load("sts/2011-06-15/service-2.json")
    }

    pub(crate) fn shape(&self, name: &str) -> &Value {
        self.shapes
            .get(name)
            .unwrap_or_else(|| panic!("the model has no shape `{name}`"))
    }

    /// Returns every error code the model declares, with its HTTP status.
    pub(crate) fn error_codes(&self) -> BTreeMap<String, u16> {
        self.shapes
            .values()
            .filter_map(|shape| {
                let error = shape.get("error")?;
                let code = error["code"].as_str()?.to_owned();
                let status = u16::try_from(error["httpStatusCode"].as_u64()?).ok()?;
                Some((code, status))
            })
            .collect()
    }
}
