//! Reading the document: bytes to a JSON value (JSON or YAML), JSON pointers, typed field access
//! with pointer-named errors, local `$ref` resolution, and the warnings collected on the way.

use super::error::{ImportError, ImportWarning};
use super::limits::{MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_REF_CHAIN};
use http::StatusCode;
use serde_json::{Map, Value};

/// Which specification the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// `swagger: "2.0"`.
    Swagger2,
    /// `openapi: 3.0.x`.
    OpenApi3,
}

impl Version {
    pub(crate) fn is_oas3(self) -> bool {
        matches!(self, Version::OpenApi3)
    }
}

/// A JSON pointer (RFC 6901) being built while walking the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ptr(String);

impl Ptr {
    pub(crate) fn root() -> Self {
        Ptr(String::new())
    }

    /// This pointer plus one reference token, escaped (`~` -> `~0`, `/` -> `~1`).
    pub(crate) fn at(&self, token: &str) -> Ptr {
        let mut s = String::with_capacity(self.0.len() + token.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for c in token.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Ptr(s)
    }

    pub(crate) fn idx(&self, i: usize) -> Ptr {
        Ptr(format!("{}/{i}", self.0))
    }

    /// A pointer from a local `$ref` fragment (`#/components/schemas/Pet`).
    fn from_fragment(frag: &str) -> Ptr {
        Ptr(frag.to_owned())
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            pointer: self.0.clone(),
            message: message.into(),
        }
    }
}

/// Walk state: the document, its version, the API id and the warnings so far.
pub(crate) struct Ctx<'d> {
    pub(crate) doc: &'d Value,
    pub(crate) version: Version,
    pub(crate) api_id: String,
    warnings: Vec<ImportWarning>,
}

impl<'d> Ctx<'d> {
    pub(crate) fn new(doc: &'d Value, version: Version, api_id: String) -> Self {
        Ctx {
            doc,
            version,
            api_id,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn warn(&mut self, at: &Ptr, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            pointer: at.0.clone(),
            message: message.into(),
        });
    }

    pub(crate) fn into_warnings(self) -> Vec<ImportWarning> {
        self.warnings
    }

    /// Follows `$ref`s (local ones only) from `v` until a non-reference value; returns it and
    /// the pointer where it lives.
    pub(crate) fn resolve(&self, v: &'d Value, at: &Ptr) -> Result<(&'d Value, Ptr), ImportError> {
        let mut cur = v;
        let mut ptr = at.clone();
        for _ in 0..MAX_REF_CHAIN {
            let Some(r) = cur.as_object().and_then(|o| o.get("$ref")) else {
                return Ok((cur, ptr));
            };
            let rp = ptr.at("$ref");
            let r = r
                .as_str()
                .ok_or_else(|| rp.error(format!("expected a string, found {}", kind(r))))?;
            let frag = r.strip_prefix('#').ok_or_else(|| {
                rp.error(format!(
                    "external reference {r:?} is not supported: only local references (#/...) are"
                ))
            })?;
            cur = self
                .doc
                .pointer(frag)
                .ok_or_else(|| rp.error(format!("reference {r:?} points to nothing")))?;
            ptr = Ptr::from_fragment(frag);
        }
        Err(at.error(format!(
            "more than {MAX_REF_CHAIN} chained $refs (a reference cycle?)"
        )))
    }
}

/// Parses the bytes as JSON when they start with `{` (after whitespace and a BOM), else as YAML.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, ImportError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len(),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        ImportError::Syntax {
            format: "text",
            line,
            column,
            message: "the definition is not UTF-8".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|e| ImportError::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?
    } else {
        super::yaml_depth::check_flow_depth(text, MAX_DEPTH)?;
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            ImportError::Syntax {
                format: "YAML",
                line,
                column,
                message: strip_position(&e.to_string()),
            }
        })?;
        from_yaml(yaml, &Ptr::root(), 0)?
    };
    check_depth(&value, 0)?;
    Ok(value)
}

/// Drops the " at line L column C" tail that serde messages carry (we report it separately).
fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// YAML to JSON: scalar keys become strings (`200:` -> `"200"`), tags are dropped.
fn from_yaml(v: serde_yaml_ng::Value, at: &Ptr, depth: usize) -> Result<Value, ImportError> {
    use serde_yaml_ng::Value as Y;
    if depth > MAX_DEPTH {
        return Err(at.error(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(from_yaml(item, &at.idx(i), depth + 1)?);
            }
            Value::Array(out)
        }
        Y::Mapping(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, item) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    _ => return Err(at.error("a mapping key must be a scalar")),
                };
                let child = at.at(&key);
                let item = from_yaml(item, &child, depth + 1)?;
                out.insert(key, item);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => from_yaml(t.value, at, depth)?,
    })
}

fn check_depth(v: &Value, depth: usize) -> Result<(), ImportError> {
    if depth > MAX_DEPTH {
        return Err(Ptr::root().error(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    match v {
        Value::Array(a) => a.iter().try_for_each(|x| check_depth(x, depth + 1)),
        Value::Object(o) => o.values().try_for_each(|x| check_depth(x, depth + 1)),
        _ => Ok(()),
    }
}

/// `swagger: "2.0"` or `openapi: 3.0.x`.
pub(crate) fn version(root: &Map<String, Value>) -> Result<Version, ImportError> {
    let p = Ptr::root();
    if let Some(v) = root.get("openapi") {
        let s = str_of(v, &p.at("openapi"))?;
        return if s.starts_with("3.0.") || s == "3.0" {
            Ok(Version::OpenApi3)
        } else {
            Err(p.at("openapi").error(format!(
                "unsupported OpenAPI version {s:?} (expected 3.0.x or Swagger 2.0)"
            )))
        };
    }
    if let Some(v) = root.get("swagger") {
        let pp = p.at("swagger");
        let ok = match v {
            Value::String(s) => s == "2.0",
            Value::Number(n) => n.as_f64() == Some(2.0),
            _ => false,
        };
        return if ok {
            Ok(Version::Swagger2)
        } else {
            Err(pp.error(format!(
                "unsupported Swagger version {v} (expected \"2.0\")"
            )))
        };
    }
    Err(p.error("not an OpenAPI definition: neither \"openapi\" nor \"swagger\" is present"))
}

/// What a JSON value is, for messages ("a string", "an array").
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn obj<'a>(v: &'a Value, at: &Ptr) -> Result<&'a Map<String, Value>, ImportError> {
    v.as_object()
        .ok_or_else(|| at.error(format!("expected an object, found {}", kind(v))))
}

pub(crate) fn str_of<'a>(v: &'a Value, at: &Ptr) -> Result<&'a str, ImportError> {
    v.as_str()
        .ok_or_else(|| at.error(format!("expected a string, found {}", kind(v))))
}

pub(crate) fn opt_obj<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Option<&'a Map<String, Value>>, ImportError> {
    m.get(key).map(|v| obj(v, &at.at(key))).transpose()
}

pub(crate) fn opt_str<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Option<&'a str>, ImportError> {
    m.get(key).map(|v| str_of(v, &at.at(key))).transpose()
}

/// A string, also accepting a number written without quotes (`statusCode: 200`), as API
/// Gateway does (LocalStack's `test_import_with_integer_http_status_code`, recorded on AWS).
pub(crate) fn opt_str_or_num(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Option<String>, ImportError> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(at
            .at(key)
            .error(format!("expected a string, found {}", kind(v)))),
    }
}

pub(crate) fn opt_bool(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Option<bool>, ImportError> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(at
            .at(key)
            .error(format!("expected a boolean, found {}", kind(v)))),
    }
}

/// A non-negative integer (also accepted as a numeric string, which AWS's own examples use for
/// `authorizerResultTtlInSeconds`).
pub(crate) fn opt_u64(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Option<u64>, ImportError> {
    let p = at.at(key);
    match m.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| p.error(format!("expected a non-negative integer, found {n}"))),
        Some(Value::String(s)) => s
            .parse::<u64>()
            .map(Some)
            .map_err(|_| p.error(format!("expected a non-negative integer, found {s:?}"))),
        Some(v) => Err(p.error(format!("expected an integer, found {}", kind(v)))),
    }
}

pub(crate) fn opt_str_array(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Vec<String>, ImportError> {
    let Some(v) = m.get(key) else {
        return Ok(Vec::new());
    };
    let p = at.at(key);
    let a = v
        .as_array()
        .ok_or_else(|| p.error(format!("expected an array of strings, found {}", kind(v))))?;
    a.iter()
        .enumerate()
        .map(|(i, x)| str_of(x, &p.idx(i)).map(str::to_owned))
        .collect()
}

/// An object whose values are all strings (mapping templates, response parameters).
pub(crate) fn opt_str_map(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<indexmap::IndexMap<String, String>, ImportError> {
    let mut out = indexmap::IndexMap::new();
    let Some(o) = opt_obj(m, key, at)? else {
        return Ok(out);
    };
    let p = at.at(key);
    for (k, v) in o {
        out.insert(k.clone(), str_of(v, &p.at(k))?.to_owned());
    }
    Ok(out)
}

/// Reads a string value and checks it is one of `allowed` (case-insensitive); returns the index.
pub(crate) fn one_of(
    m: &Map<String, Value>,
    key: &str,
    at: &Ptr,
    what: &str,
    allowed: &[&str],
) -> Result<Option<usize>, ImportError> {
    let Some(v) = m.get(key) else {
        return Ok(None);
    };
    let pk = at.at(key);
    let s = str_of(v, &pk)?;
    allowed
        .iter()
        .position(|a| a.eq_ignore_ascii_case(s))
        .map(Some)
        .ok_or_else(|| {
            pk.error(format!(
                "unknown {what} {s:?} (expected one of {})",
                allowed.join(", ")
            ))
        })
}

/// A status code is three digits from 100 to 599 (as text: `"200"`, or a number the document
/// wrote as `200`).
pub(crate) fn status_code_of(code: &str, at: &Ptr) -> Result<StatusCode, ImportError> {
    let three_digits = code.len() == 3
        && code.bytes().all(|b| b.is_ascii_digit())
        && (b'1'..=b'5').contains(&code.as_bytes()[0]);
    match StatusCode::from_bytes(code.as_bytes()) {
        Ok(status) if three_digits => Ok(status),
        _ => Err(at.error(format!(
            "invalid status code {code:?} (expected a 3-digit HTTP status code, 100 to 599)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_escape_tilde_and_slash() {
        let p = Ptr::root().at("paths").at("/pets/{id}").at("a~b");
        assert_eq!(p.as_str(), "/paths/~1pets~1{id}/a~0b");
    }

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse(b"responses:\n  200:\n    description: ok\n").unwrap();
        assert_eq!(
            v.pointer("/responses/200/description"),
            Some(&Value::from("ok"))
        );
    }

    #[test]
    fn json_syntax_errors_carry_line_and_column() {
        let e = parse(b"{\n  \"a\": [1,\n}").unwrap_err();
        assert!(
            matches!(
                e,
                ImportError::Syntax {
                    format: "JSON",
                    line: 3,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn too_deep_documents_are_rejected() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        // serde_json's own recursion limit (128) is above ours, so our check is what fires.
        let e = parse(format!("{{\"a\":{deep}}}").as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "/: nested deeper than 64 levels");
    }

    #[test]
    fn oversized_documents_are_rejected_before_parsing() {
        let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
        assert!(matches!(parse(&big), Err(ImportError::TooLarge { .. })));
    }
}
