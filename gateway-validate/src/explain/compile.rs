//! Compile: the models' schemas, digested once into an arena of nodes the walker can follow
//! without looking anything up by name at request time.

use std::collections::HashMap;
use std::sync::Arc;

use fancy_regex::Regex;
use serde_json::{Map, Number, Value};

use crate::limits::{MAX_REGEX_BYTES, MAX_REGEX_DFA_BYTES, REGEX_BACKTRACK_LIMIT};
use crate::model_url::parse_model_url;

/// Index of a node in the [`Arena`].
pub(crate) type NodeId = usize;

/// fge's `NodeType` order (`ARRAY, BOOLEAN, INTEGER, NULL, NUMBER, OBJECT, STRING`): the
/// `allowed` list of a type error is printed in this order.
pub(crate) const TYPE_NAMES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// `additionalProperties` / `additionalItems`.
pub(crate) enum Additional {
    /// Absent or `true`.
    Allowed,
    /// `false`.
    Forbidden,
    /// A schema the extra members must match.
    Schema(NodeId),
}

/// `items`.
pub(crate) enum Items {
    /// One schema for every element.
    Single(NodeId),
    /// One schema per position.
    Tuple(Vec<NodeId>),
}

/// One `dependencies` entry.
pub(crate) enum Dependency {
    /// Property dependency: these members must be present too.
    Properties(Vec<String>),
    /// Schema dependency: the whole object must also match this schema.
    Schema(NodeId),
}

/// How a `format` is handled, following fge's draft-4 format library.
pub(crate) enum Format {
    /// A format fge checks (`date-time`, `email`, `hostname`, `ipv4`, `ipv6`, `regex`, `uri`),
    /// checked here with the `jsonschema` crate's implementation of it.
    Checked(String, Arc<jsonschema::Validator>),
    /// A format fge does not know: it only warns, `format attribute "X" not supported`.
    Unsupported(String),
    /// A format fge knows from its extra library but which is not checked here.
    Unchecked,
}

/// A digested schema object.
#[derive(Default)]
pub(crate) struct Node {
    /// `$ref`: in draft 4 the other keywords of a referring schema are ignored. `Some(None)`
    /// marks a reference this walker cannot follow.
    pub(crate) reference: Option<Option<NodeId>>,
    pub(crate) types: Option<u8>,
    pub(crate) enumeration: Option<Vec<Value>>,
    pub(crate) required: Vec<String>,
    pub(crate) properties: Vec<(String, NodeId)>,
    pub(crate) pattern_properties: Vec<(Arc<Regex>, NodeId)>,
    pub(crate) additional_properties: Option<Additional>,
    pub(crate) items: Option<Items>,
    pub(crate) additional_items: Option<Additional>,
    pub(crate) max_items: Option<u64>,
    pub(crate) min_items: Option<u64>,
    pub(crate) unique_items: bool,
    pub(crate) max_length: Option<u64>,
    pub(crate) min_length: Option<u64>,
    pub(crate) pattern: Option<(String, Arc<Regex>)>,
    pub(crate) max_properties: Option<u64>,
    pub(crate) min_properties: Option<u64>,
    pub(crate) maximum: Option<(Number, bool)>,
    pub(crate) minimum: Option<(Number, bool)>,
    pub(crate) multiple_of: Option<Number>,
    pub(crate) format: Option<Format>,
    pub(crate) all_of: Vec<NodeId>,
    pub(crate) any_of: Vec<NodeId>,
    pub(crate) one_of: Vec<NodeId>,
    pub(crate) not: Option<NodeId>,
    pub(crate) dependencies: Vec<(String, Dependency)>,
}

/// All models of one set, digested.
#[derive(Default)]
pub(crate) struct Arena {
    pub(crate) nodes: Vec<Node>,
    /// Root node of each model, by model name.
    pub(crate) roots: HashMap<String, NodeId>,
}

struct Pending {
    node: NodeId,
    doc: usize,
    reference: String,
}

struct Compiler<'a> {
    api_id: &'a str,
    docs: &'a [(String, Value)],
    arena: Arena,
    by_pointer: HashMap<(usize, String), NodeId>,
    pending: Vec<Pending>,
    formats: HashMap<String, Option<Arc<jsonschema::Validator>>>,
    /// Each distinct regular expression compiled once per set (`None`: it does not compile).
    regexes: HashMap<String, Option<Arc<Regex>>>,
}

/// Digests every model (`(name, schema)` pairs, already known to be valid draft-4 schemas).
pub(crate) fn compile(api_id: &str, docs: &[(String, Value)]) -> Arena {
    let mut c = Compiler {
        api_id,
        docs,
        arena: Arena::default(),
        by_pointer: HashMap::new(),
        pending: Vec::new(),
        formats: HashMap::new(),
        regexes: HashMap::new(),
    };
    for (doc, (name, schema)) in docs.iter().enumerate() {
        let root = c.node(doc, schema, String::new());
        c.arena.roots.insert(name.clone(), root);
    }
    while let Some(p) = c.pending.pop() {
        let target = c.resolve(p.doc, &p.reference);
        c.arena.nodes[p.node].reference = Some(target);
    }
    c.arena
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape_fragment(fragment: &str) -> Option<String> {
    // JSON pointers in `$ref` fragments are URI-encoded; decode the common `%25`-style escapes.
    let mut out = Vec::with_capacity(fragment.len());
    let bytes = fragment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = fragment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Compiler<'_> {
    fn resolve(&mut self, doc: usize, reference: &str) -> Option<NodeId> {
        let (doc, fragment) = if let Some(fragment) = reference.strip_prefix('#') {
            (doc, fragment)
        } else {
            let (url, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            let (api, model) = parse_model_url(url)?;
            if api != self.api_id {
                return None;
            }
            let target = self.docs.iter().position(|(name, _)| name == model)?;
            (target, fragment)
        };
        let pointer = unescape_fragment(fragment)?;
        if !(pointer.is_empty() || pointer.starts_with('/')) {
            return None; // a plain-name fragment (draft-4 `id` anchor): not followed here
        }
        if let Some(&id) = self.by_pointer.get(&(doc, pointer.clone())) {
            return Some(id);
        }
        let value = self.docs.get(doc)?.1.pointer(&pointer)?;
        if !value.is_object() {
            return None;
        }
        Some(self.node(doc, value, pointer))
    }

    fn node(&mut self, doc: usize, schema: &Value, pointer: String) -> NodeId {
        if let Some(&id) = self.by_pointer.get(&(doc, pointer.clone())) {
            return id;
        }
        let id = self.arena.nodes.len();
        self.arena.nodes.push(Node::default());
        self.by_pointer.insert((doc, pointer.clone()), id);
        let Some(obj) = schema.as_object() else {
            return id;
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            // Draft 4: "$ref" replaces the whole schema it appears in.
            self.arena.nodes[id].reference = Some(None);
            self.pending.push(Pending {
                node: id,
                doc,
                reference: reference.to_owned(),
            });
            return id;
        }
        let node = self.keywords(doc, obj, &pointer);
        self.arena.nodes[id] = node;
        id
    }

    fn child(&mut self, doc: usize, value: &Value, pointer: &str, path: &[&str]) -> NodeId {
        let mut p = pointer.to_owned();
        for token in path {
            p.push('/');
            p.push_str(&escape(token));
        }
        self.node(doc, value, p)
    }

    fn list(&mut self, doc: usize, obj: &Map<String, Value>, key: &str, ptr: &str) -> Vec<NodeId> {
        let Some(items) = obj.get(key).and_then(Value::as_array) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| self.child(doc, v, ptr, &[key, &i.to_string()]))
            .collect()
    }

    fn additional(
        &mut self,
        doc: usize,
        v: Option<&Value>,
        key: &str,
        ptr: &str,
    ) -> Option<Additional> {
        match v? {
            Value::Bool(true) => Some(Additional::Allowed),
            Value::Bool(false) => Some(Additional::Forbidden),
            v @ Value::Object(_) => Some(Additional::Schema(self.child(doc, v, ptr, &[key]))),
            _ => None,
        }
    }

    fn keywords(&mut self, doc: usize, obj: &Map<String, Value>, ptr: &str) -> Node {
        let mut n = Node {
            types: obj.get("type").map(type_mask),
            enumeration: obj.get("enum").and_then(Value::as_array).cloned(),
            ..Node::default()
        };
        if let Some(required) = obj.get("required").and_then(Value::as_array) {
            // fge's RequiredDigester sorts the names.
            n.required = required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            n.required.sort();
            n.required.dedup();
        }
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (name, v) in props {
                let id = self.child(doc, v, ptr, &["properties", name]);
                n.properties.push((name.clone(), id));
            }
        }
        if let Some(props) = obj.get("patternProperties").and_then(Value::as_object) {
            for (re, v) in props {
                let id = self.child(doc, v, ptr, &["patternProperties", re]);
                if let Some(regex) = self.regex(re) {
                    n.pattern_properties.push((regex, id));
                }
            }
        }
        n.additional_properties = self.additional(
            doc,
            obj.get("additionalProperties"),
            "additionalProperties",
            ptr,
        );
        n.items = match obj.get("items") {
            Some(v @ Value::Object(_)) => Some(Items::Single(self.child(doc, v, ptr, &["items"]))),
            Some(Value::Array(_)) => Some(Items::Tuple(self.list(doc, obj, "items", ptr))),
            _ => None,
        };
        n.additional_items =
            self.additional(doc, obj.get("additionalItems"), "additionalItems", ptr);
        let count = |k: &str| obj.get(k).and_then(Value::as_u64);
        n.max_items = count("maxItems");
        n.min_items = count("minItems");
        n.unique_items = obj
            .get("uniqueItems")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        n.max_length = count("maxLength");
        n.min_length = count("minLength");
        n.max_properties = count("maxProperties");
        n.min_properties = count("minProperties");
        if let Some(p) = obj.get("pattern").and_then(Value::as_str) {
            n.pattern = self.regex(p).map(|r| (p.to_owned(), r));
        }
        let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
        if let Some(Value::Number(m)) = obj.get("maximum") {
            n.maximum = Some((m.clone(), flag("exclusiveMaximum")));
        }
        if let Some(Value::Number(m)) = obj.get("minimum") {
            n.minimum = Some((m.clone(), flag("exclusiveMinimum")));
        }
        if let Some(Value::Number(m)) = obj.get("multipleOf") {
            n.multiple_of = Some(m.clone());
        }
        if let Some(f) = obj.get("format").and_then(Value::as_str) {
            n.format = Some(self.format(f));
        }
        n.all_of = self.list(doc, obj, "allOf", ptr);
        n.any_of = self.list(doc, obj, "anyOf", ptr);
        n.one_of = self.list(doc, obj, "oneOf", ptr);
        if let Some(v @ Value::Object(_)) = obj.get("not") {
            n.not = Some(self.child(doc, v, ptr, &["not"]));
        }
        if let Some(deps) = obj.get("dependencies").and_then(Value::as_object) {
            for (name, v) in deps {
                let dep = match v {
                    Value::Array(names) => Dependency::Properties(
                        names
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                    ),
                    Value::String(one) => Dependency::Properties(vec![one.clone()]),
                    _ => Dependency::Schema(self.child(doc, v, ptr, &["dependencies", name])),
                };
                n.dependencies.push((name.clone(), dep));
            }
            n.dependencies.sort_by(|a, b| a.0.cmp(&b.0));
        }
        n
    }

    fn regex(&mut self, pattern: &str) -> Option<Arc<Regex>> {
        if let Some(compiled) = self.regexes.get(pattern) {
            return compiled.clone();
        }
        let compiled = regex(pattern).map(Arc::new);
        self.regexes.insert(pattern.to_owned(), compiled.clone());
        compiled
    }

    fn format(&mut self, name: &str) -> Format {
        // fge 2.2's draft-4 library: date-time, email, hostname, ipv4, ipv6, regex, uri are
        // checked; its "extra" formats are known; anything else only draws a warning.
        // Source: java-json-tools/json-schema-validator,
        // library/format/{Common,DraftV4}FormatAttributesDictionary.java.
        const CHECKED: [&str; 7] = [
            "date-time",
            "email",
            "hostname",
            "ipv4",
            "ipv6",
            "regex",
            "uri",
        ];
        const EXTRA: [&str; 9] = [
            "base64",
            "json-pointer",
            "mac",
            "md5",
            "sha1",
            "sha256",
            "sha512",
            "uri-template",
            "uuid",
        ];
        if CHECKED.contains(&name) {
            let checker = self.formats.entry(name.to_owned()).or_insert_with(|| {
                jsonschema::draft4::options()
                    .should_validate_formats(true)
                    .build(&serde_json::json!({ "format": name }))
                    .ok()
                    .map(Arc::new)
            });
            return match checker {
                Some(v) => Format::Checked(name.to_owned(), Arc::clone(v)),
                None => Format::Unchecked,
            };
        }
        if EXTRA.contains(&name) {
            return Format::Unchecked;
        }
        Format::Unsupported(name.to_owned())
    }
}

fn type_mask(v: &Value) -> u8 {
    let mut mask = 0u8;
    let mut add = |name: &str| {
        if let Some(i) = TYPE_NAMES.iter().position(|t| *t == name) {
            mask |= 1 << i;
        }
        if name == "number" {
            mask |= 1 << 2; // fge's DraftV4TypeDigester: "number" also allows "integer"
        }
    };
    match v {
        Value::String(s) => add(s),
        Value::Array(names) => names.iter().filter_map(Value::as_str).for_each(add),
        _ => {}
    }
    mask
}

/// Compiles a schema regular expression (ECMA 262 syntax, close enough to `fancy_regex`'s for
/// what schemas use). `None` when it does not compile: the `jsonschema` build has already
/// accepted it, so the walker skips it rather than invent a message.
pub(crate) fn regex(pattern: &str) -> Option<Regex> {
    fancy_regex::RegexBuilder::new(pattern)
        .backtrack_limit(REGEX_BACKTRACK_LIMIT)
        .delegate_size_limit(MAX_REGEX_BYTES)
        .delegate_dfa_size_limit(MAX_REGEX_DFA_BYTES)
        .build()
        .ok()
}

impl Node {
    /// Every subschema this node evaluates: its `$ref` target, the member and element
    /// schemas, the combinators' branches and the schema dependencies.
    fn children(&self, out: &mut Vec<NodeId>) {
        out.clear();
        if let Some(Some(target)) = self.reference {
            out.push(target);
        }
        out.extend(self.properties.iter().map(|(_, id)| *id));
        out.extend(self.pattern_properties.iter().map(|(_, id)| *id));
        for additional in [&self.additional_properties, &self.additional_items] {
            if let Some(Additional::Schema(id)) = additional {
                out.push(*id);
            }
        }
        match &self.items {
            Some(Items::Single(id)) => out.push(*id),
            Some(Items::Tuple(ids)) => out.extend(ids),
            None => {}
        }
        out.extend(&self.all_of);
        out.extend(&self.any_of);
        out.extend(&self.one_of);
        out.extend(self.not);
        out.extend(self.dependencies.iter().filter_map(|(_, d)| match d {
            Dependency::Schema(id) => Some(*id),
            Dependency::Properties(_) => None,
        }));
    }
}

/// How many schema nodes the schema at `root` holds once its `$ref`s are expanded in place
/// (each reference counted as a copy of its target), saturating at `cap`. A reference back
/// into a schema still being expanded (recursion, as in a tree model) counts once: recursion
/// only repeats per level of the instance, which bounds it.
///
/// This is the size of the work an engine may do at one place of an instance: shared
/// definitions referenced from many branches multiply it, which is how a small schema can ask
/// for exponential work (`a0: anyOf [a1, a1]`, `a1: anyOf [a2, a2]`, ...).
pub(crate) fn unfolded_size(arena: &Arena, root: NodeId, cap: usize) -> usize {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done(usize),
    }
    if root >= arena.nodes.len() {
        return 1;
    }
    let mut mark = vec![Mark::New; arena.nodes.len()];
    // (node, its children, next child index, size so far)
    let mut stack: Vec<(NodeId, Vec<NodeId>, usize, usize)> = Vec::new();
    let mut children = Vec::new();
    arena.nodes[root].children(&mut children);
    mark[root] = Mark::Active;
    stack.push((root, children.clone(), 0, 1));
    while let Some(top) = stack.last_mut() {
        let (node, kids, next, size) = (top.0, &top.1, &mut top.2, &mut top.3);
        if let Some(&child) = kids.get(*next) {
            *next += 1;
            match mark.get(child).copied() {
                Some(Mark::Done(s)) => *size = size.saturating_add(s).min(cap),
                Some(Mark::Active) | None => *size = size.saturating_add(1).min(cap),
                Some(Mark::New) => {
                    mark[child] = Mark::Active;
                    arena.nodes[child].children(&mut children);
                    stack.push((child, children.clone(), 0, 1));
                }
            }
            continue;
        }
        let done = *size;
        mark[node] = Mark::Done(done);
        stack.pop();
        match stack.last_mut() {
            Some(parent) => parent.3 = parent.3.saturating_add(done).min(cap),
            None => return done,
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn size_of(schema: Value) -> usize {
        let arena = compile("t", &[("m".to_owned(), schema)]);
        unfolded_size(&arena, arena.roots["m"], usize::MAX)
    }

    #[test]
    fn plain_schemas_count_their_nodes() {
        assert_eq!(size_of(json!({})), 1);
        assert_eq!(
            size_of(json!({"properties": {"a": {}, "b": {"items": {}}}})),
            4
        );
    }

    #[test]
    fn shared_definitions_count_once_per_reference() {
        // root + 2 refs + 2 copies of d (d has one member schema: 2 nodes each).
        let schema = json!({
            "definitions": {"d": {"properties": {"x": {}}}},
            "anyOf": [{"$ref": "#/definitions/d"}, {"$ref": "#/definitions/d"}]
        });
        assert_eq!(size_of(schema), 1 + 2 * (1 + 2));
    }

    #[test]
    fn recursion_counts_once_and_doubling_chains_grow_exponentially() {
        let tree = json!({"properties": {"children": {"items": {"$ref": "#"}}}});
        assert_eq!(size_of(tree), 4);
        let mut defs = serde_json::Map::new();
        for i in 0..40 {
            let next = format!("#/definitions/a{}", i + 1);
            defs.insert(
                format!("a{i}"),
                json!({"anyOf": [{"$ref": next}, {"$ref": next}]}),
            );
        }
        defs.insert("a40".into(), json!({"type": "string"}));
        let chain = json!({"definitions": defs, "$ref": "#/definitions/a0"});
        let arena = compile("t", &[("m".to_owned(), chain)]);
        assert_eq!(
            unfolded_size(&arena, arena.roots["m"], 1_000_000),
            1_000_000
        );
    }
}
