//! An API's models: JSON Schema draft-4 documents, compiled once when the API is loaded.
//!
//! Models refer to each other with API Gateway's model URLs ([`crate::model_url`]). Those
//! references are resolved offline against the set; a
//! reference to a model the API lacks, or models referring to each other in a cycle, fail the
//! load with an error naming the model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::error::LoadError;
use crate::explain::compile::{self, Arena, NodeId};
use crate::explain::eval::Walker;
use crate::explain::fallback;
use crate::explain::report::Report;
use crate::limits::{
    MAX_FALLBACK_LISTING_VALUES, MAX_MODELS, MAX_PATTERNS, MAX_REGEX_BYTES, MAX_REGEX_DFA_BYTES,
    MAX_SCHEMA_DEPTH, MAX_UNFOLDED_SCHEMA_NODES,
};
use crate::model_url::{model_url, parse_model_url};

/// Why a request body does not match its model: fge's messages, in fge's order.
///
/// `Display` gives API Gateway's `$context.error.validationErrorString`, a Java list's
/// `toString()`: `[object has missing required properties (["name"])]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    messages: Vec<String>,
}

impl ValidationErrors {
    pub(crate) fn new(messages: Vec<String>) -> Self {
        Self { messages }
    }

    /// The individual messages.
    pub fn messages(&self) -> &[String] {
        &self.messages
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, m) in self.messages.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m)?;
        }
        f.write_str("]")
    }
}

/// One compiled model: validate JSON values against it as often as needed.
pub struct Model {
    name: String,
    validator: jsonschema::Validator,
    arena: Arc<Arena>,
    root: NodeId,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `instance` matches the model (the fast path: no error text is built).
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Validates `instance`; on failure, the errors as API Gateway words them.
    pub fn validate(&self, instance: &Value) -> Result<(), ValidationErrors> {
        if self.validator.is_valid(instance) {
            return Ok(());
        }
        Err(ValidationErrors::new(self.explain(instance)))
    }

    fn explain(&self, instance: &Value) -> Vec<String> {
        let mut report = Report::listing();
        let walked = Walker::new(&self.arena).process(self.root, instance, &mut report);
        if walked.is_ok() && !report.is_success() {
            return report.messages;
        }
        let values = count_values(instance, MAX_FALLBACK_LISTING_VALUES + 1);
        // A large body the walk gave up on: the messages it found are the start of fge's list;
        // the engine's listing of such a body would build every error first.
        if values > MAX_FALLBACK_LISTING_VALUES && !report.is_success() {
            return report.messages;
        }
        fallback::messages(&self.validator, instance, values)
    }
}

/// How many JSON values `v` holds (itself included), counting no further than `cap`.
fn count_values(v: &Value, cap: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n >= cap {
            return cap;
        }
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    n
}

/// Collects models (and, for tests, offline documents) and compiles them into a [`ModelSet`].
#[derive(Debug)]
pub struct ModelSetBuilder {
    api_id: String,
    models: Vec<(String, Value)>,
    documents: HashMap<String, Value>,
    error: Option<LoadError>,
}

impl ModelSetBuilder {
    /// Adds a model from its parsed schema.
    pub fn model(mut self, name: impl Into<String>, schema: Value) -> Self {
        self.models.push((name.into(), schema));
        self
    }

    /// Adds a model from its schema text (the `schema` string of an API Gateway `Model`). Text
    /// that is not JSON makes [`build`](Self::build) fail naming the model.
    pub fn model_json(mut self, name: impl Into<String>, schema: &str) -> Self {
        let name = name.into();
        match serde_json::from_str(schema) {
            Ok(v) => self.models.push((name, v)),
            Err(e) => {
                self.error.get_or_insert(LoadError::NotJson {
                    model: name,
                    reason: e.to_string(),
                });
            }
        }
        self
    }

    /// Serves `document` for `$ref`s to `uri`, offline. API Gateway itself only resolves model
    /// URLs; this exists for the JSON-Schema-Test-Suite's `http://localhost:1234/` remotes.
    pub fn document(mut self, uri: impl Into<String>, document: Value) -> Self {
        self.documents.insert(uri.into(), document);
        self
    }

    /// Checks references and compiles every model.
    pub fn build(self) -> Result<ModelSet, LoadError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.models.len() > MAX_MODELS {
            return Err(LoadError::TooManyModels {
                limit: MAX_MODELS,
                found: self.models.len(),
            });
        }
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (name, _)) in self.models.iter().enumerate() {
            if names.insert(name, i).is_some() {
                return Err(LoadError::DuplicateModel {
                    model: name.clone(),
                });
            }
        }
        let mut edges: Vec<Vec<usize>> = Vec::with_capacity(self.models.len());
        let mut patterns = HashSet::new();
        for (name, schema) in &self.models {
            edges.push(model_refs(
                &self.api_id,
                name,
                schema,
                &names,
                &mut patterns,
            )?);
        }
        find_cycle(&self.models, &edges)?;

        let retriever = Retriever {
            api_id: self.api_id.clone(),
            models: Arc::new(self.models.iter().cloned().collect()),
            documents: Arc::new(self.documents),
        };
        // One cache for the set: a pattern repeated across models compiles once.
        let pattern_cache = jsonschema::PatternCache::new();
        let mut validators = Vec::with_capacity(self.models.len());
        for (name, schema) in &self.models {
            let validator = jsonschema::draft4::options()
                .with_retriever(retriever.clone())
                .with_pattern_cache(pattern_cache.clone())
                .with_pattern_options(
                    jsonschema::PatternOptions::fancy_regex()
                        .size_limit(MAX_REGEX_BYTES)
                        .dfa_size_limit(MAX_REGEX_DFA_BYTES),
                )
                .with_base_uri(model_url(&self.api_id, name))
                .should_validate_formats(true)
                .build(schema)
                .map_err(|e| LoadError::InvalidSchema {
                    model: name.clone(),
                    // A schema that fails the draft-4 meta-schema is the *instance* of that
                    // check: its instance path is where the fault is in the model's schema.
                    reason: format!("{e} (at {})", pointer_or_root(e.instance_path().as_str())),
                })?;
            validators.push(validator);
        }
        let arena = Arc::new(compile::compile(&self.api_id, &self.models));
        for (name, _) in &self.models {
            if let Some(&root) = arena.roots.get(name)
                && compile::unfolded_size(&arena, root, MAX_UNFOLDED_SCHEMA_NODES + 1)
                    > MAX_UNFOLDED_SCHEMA_NODES
            {
                return Err(LoadError::TooComplex {
                    model: name.clone(),
                    limit: MAX_UNFOLDED_SCHEMA_NODES,
                });
            }
        }
        let mut models = HashMap::with_capacity(self.models.len());
        for ((name, _), validator) in self.models.into_iter().zip(validators) {
            let root = arena.roots.get(&name).copied().unwrap_or(usize::MAX);
            let model = Model {
                name: name.clone(),
                validator,
                arena: Arc::clone(&arena),
                root,
            };
            models.insert(name, Arc::new(model));
        }
        Ok(ModelSet {
            api_id: self.api_id,
            models,
        })
    }
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() { "the schema root" } else { p }
}

/// An API's models, compiled. Cheap to share: models are reference-counted.
#[derive(Debug, Clone)]
pub struct ModelSet {
    api_id: String,
    models: HashMap<String, Arc<Model>>,
}

impl ModelSet {
    /// Starts a set for the API `api_id` (the id in its model URLs).
    pub fn builder(api_id: impl Into<String>) -> ModelSetBuilder {
        ModelSetBuilder {
            api_id: api_id.into(),
            models: Vec::new(),
            documents: HashMap::new(),
            error: None,
        }
    }

    /// Compiles a single standalone schema as a set holding one model named `name`.
    pub fn single(name: &str, schema: Value) -> Result<Self, LoadError> {
        Self::builder("local").model(name, schema).build()
    }

    /// The API id the set resolves model URLs for.
    pub fn api_id(&self) -> &str {
        &self.api_id
    }

    /// A model by name.
    pub fn get(&self, name: &str) -> Option<&Arc<Model>> {
        self.models.get(name)
    }

    /// Number of models.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}

/// The model-URL references of one model, as indexes into the model list; adds the model's
/// regular expressions (string `pattern` values, `patternProperties` names) to `patterns`,
/// failing once the set holds more than [`MAX_PATTERNS`]. Counting every `pattern` string,
/// even one that is a property name, can only overcount.
fn model_refs<'s>(
    api_id: &str,
    name: &str,
    schema: &'s Value,
    names: &BTreeMap<&str, usize>,
    patterns: &mut HashSet<&'s str>,
) -> Result<Vec<usize>, LoadError> {
    let mut out = Vec::new();
    let mut stack = vec![(schema, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(LoadError::InvalidSchema {
                model: name.to_owned(),
                reason: format!("nested deeper than {MAX_SCHEMA_DEPTH} levels"),
            });
        }
        match v {
            Value::Object(map) => {
                if let Some(Value::String(p)) = map.get("pattern") {
                    patterns.insert(p);
                }
                if let Some(Value::Object(props)) = map.get("patternProperties") {
                    patterns.extend(props.keys().map(String::as_str));
                }
                if patterns.len() > MAX_PATTERNS {
                    return Err(LoadError::TooManyPatterns {
                        model: name.to_owned(),
                        limit: MAX_PATTERNS,
                        found: patterns.len(),
                    });
                }
                if let Some(Value::String(r)) = map.get("$ref") {
                    let url = r.split_once('#').map_or(r.as_str(), |(u, _)| u);
                    if let Some((api, target)) = parse_model_url(url) {
                        match names.get(target) {
                            Some(&i) if api == api_id => out.push(i),
                            _ => {
                                return Err(LoadError::MissingModel {
                                    model: name.to_owned(),
                                    reference: r.clone(),
                                    target: target.to_owned(),
                                });
                            }
                        }
                    }
                }
                stack.extend(map.values().map(|c| (c, depth + 1)));
            }
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, depth + 1))),
            _ => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Depth-first search for a cycle in the model reference graph.
fn find_cycle(models: &[(String, Value)], edges: &[Vec<usize>]) -> Result<(), LoadError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; models.len()];
    for start in 0..models.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next edge index); `path` mirrors the active stack.
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match mark[to] {
                    Mark::New => {
                        mark[to] = Mark::Active;
                        stack.push((to, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[from..]
                            .iter()
                            .map(|(n, _)| models[*n].0.clone())
                            .collect();
                        cycle.push(models[to].0.clone());
                        return Err(LoadError::ModelCycle {
                            model: models[to].0.clone(),
                            cycle,
                        });
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    Ok(())
}

/// Serves model URLs (and offline documents) to the `jsonschema` compiler; never fetches.
#[derive(Clone)]
struct Retriever {
    api_id: String,
    models: Arc<HashMap<String, Value>>,
    documents: Arc<HashMap<String, Value>>,
}

#[derive(Debug)]
struct NotServed(String);

impl fmt::Display for NotServed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is neither a model of this API nor an offline document",
            self.0
        )
    }
}

impl std::error::Error for NotServed {}

impl jsonschema::Retrieve for Retriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let full = uri.as_str();
        let url = full.split_once('#').map_or(full, |(u, _)| u);
        if let Some(doc) = self.documents.get(url) {
            return Ok(doc.clone());
        }
        if let Some((api, name)) = parse_model_url(url)
            && api == self.api_id
            && let Some(schema) = self.models.get(name)
        {
            return Ok(schema.clone());
        }
        Err(Box::new(NotServed(url.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn walker_verdict(model: &Model, instance: &Value) -> Option<bool> {
        let mut report = Report::default();
        Walker::new(&model.arena)
            .process(model.root, instance, &mut report)
            .ok()
            .map(|()| report.is_success())
    }

    #[test]
    fn ref_loops_without_progress_end_in_the_fallback_not_a_hang() {
        let set = ModelSet::single(
            "m",
            json!({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}, "properties": {"x": {"$ref": "#/definitions/a"}}}),
        );
        // Either a load error or a bounded answer is acceptable; neither may hang or panic.
        if let Ok(set) = set {
            let _ = set.get("m").map(|m| m.validate(&json!({"x": 1})));
        }
    }

    /// The fge-order walker must agree with the engine on every required suite case, so the
    /// fallback wording is only for schemas outside the suite's shapes (remote documents).
    #[test]
    fn walker_agrees_with_the_engine_on_the_required_suite() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpora/json-schema-test-suite/tests/draft4"
        );
        let Ok(entries) = std::fs::read_dir(dir) else {
            println!("skipping: JSON-Schema-Test-Suite not found at {dir}");
            return;
        };
        let (mut agreed, mut unexplained, mut total, mut disagreed) = (0, 0, 0, Vec::new());
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let groups: Vec<Value> =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for group in groups {
                let Ok(set) = ModelSet::single("s", group["schema"].clone()) else {
                    continue;
                };
                let model = set.get("s").unwrap();
                for test in group["tests"].as_array().unwrap() {
                    total += 1;
                    match walker_verdict(model, &test["data"]) {
                        Some(v) if v == test["valid"].as_bool().unwrap() => agreed += 1,
                        Some(_) => {
                            disagreed.push(format!("{}: {}", path.display(), test["description"]))
                        }
                        None => unexplained += 1,
                    }
                }
            }
        }
        println!("walker: {agreed}/{total} agree, {unexplained} left to the fallback");
        assert!(
            disagreed.is_empty(),
            "walker disagrees:\n{}",
            disagreed.join("\n")
        );
    }
}
