//! Evaluate: walk an instance through the compiled nodes the way fge does and collect its
//! messages: at each node the keyword checks of [`super::keywords`], then `format`, then the
//! children while the report is clean. Message texts are fge 2.2's `validation.properties`
//! bundle (java-json-tools/json-schema-validator,
//! src/main/resources/com/github/fge/jsonschema/validator/validation.properties).

use serde_json::Value;

use super::compile::{Additional, Arena, Format, Items, Node, NodeId};
use super::keywords::{self, Subschemas};
use super::report::{CannotExplain, Report};

use crate::limits::{MAX_EXPLAIN_DEPTH as MAX_DEPTH, MAX_EXPLAIN_STEPS as MAX_STEPS};

pub(crate) struct Walker<'a> {
    arena: &'a Arena,
    steps: usize,
    depth: usize,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(arena: &'a Arena) -> Self {
        Self {
            arena,
            steps: 0,
            depth: 0,
        }
    }

    /// fge's `InstanceValidator.process`.
    pub(crate) fn process(
        &mut self,
        id: NodeId,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        if report.is_settled() {
            return Ok(());
        }
        self.steps += 1;
        if self.steps > MAX_STEPS || self.depth >= MAX_DEPTH {
            return Err(CannotExplain);
        }
        self.depth += 1;
        let result = self.process_inner(id, inst, report);
        self.depth -= 1;
        result
    }

    fn process_inner(
        &mut self,
        id: NodeId,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        let node = self.arena.nodes.get(id).ok_or(CannotExplain)?;
        if let Some(target) = node.reference {
            let target = target.ok_or(CannotExplain)?;
            return self.process(target, inst, report);
        }
        // fge's FormatProcessor warns while building the validator list, before validating.
        if let Some(Format::Unsupported(name)) = &node.format {
            report.warn(|| format!("format attribute \"{name}\" not supported"));
        }
        keywords::check_all(self, node, inst, report)?;
        if let Some(Format::Checked(name, checker)) = &node.format
            && let Value::String(s) = inst
            && !checker.is_valid(inst)
        {
            report.error(|| format_message(name, s));
        }
        // "if the report is a failure, we quit: there is no reason to go any further"
        // (InstanceValidator.java): the report is shared, so any earlier error counts.
        if !report.is_success() {
            return Ok(());
        }
        match inst {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    for schema in array_schemas(node, i) {
                        self.process(schema, item, report)?;
                    }
                }
            }
            Value::Object(map) => {
                let mut fields: Vec<&String> = map.keys().collect();
                fields.sort();
                for field in fields {
                    let Some(member) = map.get(field) else {
                        continue;
                    };
                    for schema in object_schemas(node, field) {
                        self.process(schema, member, report)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Subschemas for Walker<'_> {
    fn check(
        &mut self,
        id: NodeId,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        self.process(id, inst, report)
    }

    fn matches(&mut self, id: NodeId, inst: &Value) -> Result<bool, CannotExplain> {
        let mut sub = Report::default();
        self.process(id, inst, &mut sub)?;
        Ok(sub.is_success())
    }
}

fn format_message(name: &str, s: &str) -> String {
    match name {
        "date-time" => format!(
            "string \"{s}\" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{{1,12}}Z]"
        ),
        "email" => format!("string \"{s}\" is not a valid email address"),
        "hostname" => format!("string \"{s}\" is not a valid hostname"),
        "ipv4" => format!("string \"{s}\" is not a valid IPv4 address"),
        "ipv6" => format!("string \"{s}\" is not a valid IPv6 address"),
        "regex" => format!("string \"{s}\" is not a valid ECMA 262 regular expression"),
        _ => format!("string \"{s}\" is not a valid URI"),
    }
}

/// fge's `ArraySchemaSelector`: the schemas element `i` is validated against.
fn array_schemas(n: &Node, i: usize) -> Vec<NodeId> {
    match &n.items {
        Some(Items::Single(id)) => vec![*id],
        Some(Items::Tuple(tuple)) => match tuple.get(i) {
            Some(id) => vec![*id],
            None => match &n.additional_items {
                Some(Additional::Schema(id)) => vec![*id],
                _ => Vec::new(),
            },
        },
        _ => Vec::new(),
    }
}

/// fge's `ObjectSchemaSelector`: `properties` then matching `patternProperties`; only when
/// neither applies, a schema-valued `additionalProperties`.
fn object_schemas(n: &Node, field: &str) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = n
        .properties
        .iter()
        .filter(|(p, _)| p == field)
        .map(|(_, id)| *id)
        .collect();
    out.extend(
        n.pattern_properties
            .iter()
            .filter(|(re, _)| re.is_match(field).unwrap_or(false))
            .map(|(_, id)| *id),
    );
    if out.is_empty()
        && let Some(Additional::Schema(id)) = &n.additional_properties
    {
        out.push(*id);
    }
    out
}
