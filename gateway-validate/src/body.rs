//! Request bodies parsed into `serde_json::Value` without spare capacity.
//!
//! `serde_json::from_slice::<Value>` grows every array and object by pushing into an empty
//! vector: a one-element array reserves four slots and a large one up to twice its length. A
//! `serde_json::Value` is 72 bytes here (`preserve_order`), so an 8 MB body of nested
//! one-element arrays parsed that way peaks near a gigabyte, about 125 times its size. This
//! parser collects the elements of the containers being read on one shared stack and gives
//! each finished container exactly its length, which bounds a parsed body to one `Value` slot
//! (plus its string or container allocation) per JSON value; see the crate's "Untrusted
//! input" section for the resulting factor.
//!
//! The result equals `serde_json::from_slice::<Value>`'s (same numbers, duplicate keys keeping
//! their first place and last value, same nesting limit of [`MAX_BODY_DEPTH`]); a property
//! test checks it.
//!
//! [`MAX_BODY_DEPTH`]: crate::limits::MAX_BODY_DEPTH

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses one JSON document; `None` if it is not JSON (trailing text included).
pub(crate) fn parse(bytes: &[u8]) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut stacks = Stacks::default();
    let value = Seed(&mut stacks).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// Elements and members of the containers still being read, innermost last.
#[derive(Default)]
struct Stacks {
    items: Vec<Value>,
    members: Vec<(String, Value)>,
}

/// Takes the elements from `start` on off `stack` as a vector of exactly their number,
/// copying whichever part is smaller: the finished container's elements, or the ones below
/// them (which then become the new stack while the old one, shrunk, is returned).
fn take_from<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    let len = stack.len() - start;
    if start >= len {
        return stack.drain(start..).collect();
    }
    let below: Vec<T> = stack.drain(..start).collect();
    let mut mine = std::mem::replace(stack, below);
    mine.shrink_to_fit();
    mine
}

/// Pushes onto a stack that grows by a quarter when full rather than doubling: a body that is
/// one long array peaks at 1.25 times its elements instead of twice. Growth stays geometric,
/// so pushes stay amortised constant time (and large blocks grow in place through `realloc`).
fn push<T>(stack: &mut Vec<T>, item: T) {
    if stack.len() == stack.capacity() {
        stack.reserve_exact(stack.capacity() / 4 + 16);
    }
    stack.push(item);
}

struct Seed<'s>(&'s mut Stacks);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json's own visitor: a non-finite number (never produced from JSON text) is
        // null.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
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
        let start = self.0.items.len();
        while let Some(item) = seq.next_element_seed(Seed(self.0))? {
            push(&mut self.0.items, item);
        }
        Ok(Value::Array(take_from(&mut self.0.items, start)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let start = self.0.members.len();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed(self.0))?;
            push(&mut self.0.members, (key, value));
        }
        let members = self.0.members.drain(start..);
        let mut out = Map::with_capacity(members.len());
        for (key, value) in members {
            // `insert` keeps a repeated key at its first place with its last value, as
            // serde_json's own visitor does.
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
            Just("123456789012345678901234567890".to_owned()),
            "[a-c\"\\\\é]{0,4}".prop_map(|s| Value::String(s).to_string()),
            Just(r#""\u00e9\n""#.to_owned()),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(("[a-c]{0,2}", inner), 0..6).prop_map(|m| {
                    let members: Vec<String> = m
                        .into_iter()
                        .map(|(k, v)| format!("{}:{v}", Value::String(k)))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    fn no_spare_capacity(v: &Value) -> bool {
        match v {
            Value::Array(items) => {
                items.capacity() == items.len() && items.iter().all(no_spare_capacity)
            }
            Value::Object(map) => map.values().all(no_spare_capacity),
            _ => true,
        }
    }

    proptest! {
        /// The parse equals serde_json's, value for value and key order for key order.
        #[test]
        fn parses_as_serde_json_does(text in arb_json(), noise in "[ \\]x]?") {
            let reference = serde_json::from_str::<Value>(&text).ok();
            let parsed = parse(text.as_bytes());
            prop_assert_eq!(&parsed, &reference);
            if let Some(v) = &parsed {
                prop_assert_eq!(v.to_string(), reference.unwrap().to_string());
                prop_assert!(no_spare_capacity(v));
            }
            let with_noise = format!("{text}{noise}");
            prop_assert_eq!(
                parse(with_noise.as_bytes()),
                serde_json::from_str::<Value>(&with_noise).ok()
            );
        }
    }

    #[test]
    fn arrays_get_exactly_their_length() {
        let v = parse(b"[[0],[1,2],[[[]]],[3,[4,5,6,7,8]],{\"a\":[9]}]").unwrap();
        assert!(no_spare_capacity(&v), "{v}");
        let big = format!("[0,[{}]]", vec!["1"; 1000].join(","));
        assert!(no_spare_capacity(&parse(big.as_bytes()).unwrap()));
    }

    #[test]
    fn duplicate_keys_keep_first_place_and_last_value() {
        let v = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let depth = crate::limits::MAX_BODY_DEPTH;
        let ok = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(ok.as_bytes()).is_some());
        let deep = format!("{}{}", "[".repeat(depth + 1), "]".repeat(depth + 1));
        assert!(parse(deep.as_bytes()).is_none());
        assert!(parse(b"[1] x").is_none());
        assert!(parse(b"").is_none());
    }
}
