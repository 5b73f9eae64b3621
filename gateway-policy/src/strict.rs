//! JSON text to a [`serde_json::Value`] in one pass, noting every key repeated inside one object.
//!
//! IAM User Guide, "Grammar of the IAM JSON policy language": "Individual elements must not
//! contain multiple instances of the same key. For example, you cannot include the `Effect`
//! block twice in the same statement." serde_json keeps the last of two equal keys silently, so
//! a policy read through it could say `"Effect": "Deny", "Effect": "Allow"` and be an Allow.
//! This reader builds the same [`Value`] through a [`DeserializeSeed`] that checks each key
//! against the object built so far (keeping the first value) and records the repeat with the
//! path of the object holding it. The path costs nothing until a repeat is found: each level
//! borrows its key from the level above.
//!
//! Nesting is bounded by serde_json's own recursion limit (128 levels), and the whole read is
//! one pass over the text.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// One step of a path from the document's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A member of an object.
    Key(String),
    /// An item of an array.
    Index(usize),
}

/// A key given more than once in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repeat {
    /// The path from the root to the object holding the key (empty for the top level).
    pub object: Vec<Step>,
    /// The repeated key.
    pub key: String,
}

/// Parses `json`, returning the value (first of repeated keys kept) and every repeated key,
/// in document order.
pub(crate) fn from_str(json: &str) -> Result<(Value, Vec<Repeat>), serde_json::Error> {
    let mut repeats = Vec::new();
    let mut de = serde_json::Deserializer::from_str(json);
    let value = Seed {
        repeats: &mut repeats,
        parent: None,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, repeats))
}

/// A borrowed link of the path to the value being read.
struct Node<'a> {
    step: BorrowedStep<'a>,
    parent: Option<&'a Node<'a>>,
}

#[derive(Clone, Copy)]
enum BorrowedStep<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_of(mut node: Option<&Node<'_>>) -> Vec<Step> {
    let mut steps = Vec::new();
    while let Some(n) = node {
        steps.push(match n.step {
            BorrowedStep::Key(k) => Step::Key(k.to_string()),
            BorrowedStep::Index(i) => Step::Index(i),
        });
        node = n.parent;
    }
    steps.reverse();
    steps
}

struct Seed<'r, 'p> {
    repeats: &'r mut Vec<Repeat>,
    parent: Option<&'p Node<'p>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let node = Node {
                step: BorrowedStep::Index(items.len()),
                parent: self.parent,
            };
            let seed = Seed {
                repeats: &mut *self.repeats,
                parent: Some(&node),
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let node = Node {
                step: BorrowedStep::Key(&key),
                parent: self.parent,
            };
            let value = map.next_value_seed(Seed {
                repeats: &mut *self.repeats,
                parent: Some(&node),
            })?;
            if object.contains_key(&key) {
                self.repeats.push(Repeat {
                    object: path_of(self.parent),
                    key,
                });
            } else {
                object.insert(key, value);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_serde_json_reads_them() {
        let text = r#"{"a":[1,-2,3.5,true,null,"s",{"b":{}}],"c":"d"}"#;
        let (value, repeats) = from_str(text).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert!(repeats.is_empty());
    }

    #[test]
    fn repeated_keys_are_recorded_with_their_object_and_the_first_value_kept() {
        let text = r#"{"S":[{"E":"Deny","E":"Allow"},{"C":{"Op":{"k":1,"k":2}}}],"S":7}"#;
        let (value, repeats) = from_str(text).unwrap();
        assert_eq!(value["S"][0]["E"], "Deny");
        assert_eq!(value["S"][1]["C"]["Op"]["k"], 1);
        let key = |s: &str| Step::Key(s.to_string());
        assert_eq!(
            repeats,
            [
                Repeat {
                    object: vec![key("S"), Step::Index(0)],
                    key: "E".into()
                },
                Repeat {
                    object: vec![key("S"), Step::Index(1), key("C"), key("Op")],
                    key: "k".into()
                },
                Repeat {
                    object: vec![],
                    key: "S".into()
                },
            ]
        );
    }

    #[test]
    fn syntax_errors_trailing_text_and_deep_nesting_are_errors() {
        assert!(from_str(r#"{"a":1"#).is_err());
        assert!(from_str(r#"{"a":1} x"#).is_err());
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(from_str(&deep).is_err());
    }
}
