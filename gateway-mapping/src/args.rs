//! How host objects (`$input`, `$util`, `$context`) read their arguments.

use std::borrow::Cow;

use crate::value::Value;

/// The text of a template argument: strings as they are, other values as Java prints them;
/// `None` for null.
pub(crate) fn arg_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_java_string())),
    }
}
