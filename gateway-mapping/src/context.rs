//! `$context` and `$stageVariables`: what API Gateway tells a template about the request,
//! and the writable `$context.requestOverride.*` / `$context.responseOverride.*`.
//!
//! [`Context`] is an ordered tree of the variables AWS documents in "`$context` Variables for
//! data models, authorizers, mapping templates, and CloudWatch access logging" (see
//! [`CONTEXT_VARIABLES`]); the host fills it per request. [`Overrides`] holds what a
//! template wrote into the override maps, for the host to apply after rendering.
//!
//! ```
//! use gateway_mapping::context::Context;
//! use serde_json::json;
//!
//! let mut ctx = Context::new();
//! ctx.set("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
//! ctx.set("identity.sourceIp", "203.0.113.7");
//! ctx.set_request_time(1_700_000_000_123);
//! assert_eq!(ctx.lookup("identity.sourceIp"), Some("203.0.113.7".to_owned()));
//! assert_eq!(ctx.lookup("requestTime"), Some("14/Nov/2023:22:13:20 +0000".to_owned()));
//! assert_eq!(ctx.lookup("requestTimeEpoch"), Some("1700000000123".to_owned()));
//! ```

use std::borrow::Cow;
use std::cell::OnceCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use crate::args::arg_text;
use crate::error::EvalError;
use crate::input::Input;
use crate::java::methods;
use crate::json_value::json_to_value;
use crate::util::Util;
use crate::value::{HostObject, Scope, Value};

/// Every `$context` variable AWS documents for mapping templates (dotted, without
/// `$context.`). `authorizer.*` also takes any key a Lambda authorizer returns and
/// `authorizer.claims.*` any Cognito claim; the override maps take any name.
/// `identity.accessKey` is not in the reference but API Gateway has it: `$context.identity`'s
/// `keySet()` recorded on AWS lists it (localstack `test_sqs_amz_json_protocol` snapshot).
pub const CONTEXT_VARIABLES: &[&str] = &[
    "accountId",
    "apiId",
    "authorizer.claims",
    "authorizer.principalId",
    "awsEndpointRequestId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "error.message",
    "error.messageString",
    "error.responseType",
    "error.validationErrorString",
    "extendedRequestId",
    "httpMethod",
    "identity.accessKey",
    "identity.accountId",
    "identity.apiKey",
    "identity.apiKeyId",
    "identity.caller",
    "identity.cognitoAuthenticationProvider",
    "identity.cognitoAuthenticationType",
    "identity.cognitoIdentityId",
    "identity.cognitoIdentityPoolId",
    "identity.principalOrgId",
    "identity.sourceIp",
    "identity.clientCert.clientCertPem",
    "identity.clientCert.subjectDN",
    "identity.clientCert.issuerDN",
    "identity.clientCert.serialNumber",
    "identity.clientCert.validity.notBefore",
    "identity.clientCert.validity.notAfter",
    "identity.user",
    "identity.userAgent",
    "identity.userArn",
    "isCanaryRequest",
    "path",
    "protocol",
    "requestId",
    "requestOverride.header",
    "requestOverride.path",
    "requestOverride.querystring",
    "responseOverride.header",
    "responseOverride.status",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
    "wafResponseCode",
    "webaclArn",
];

/// Whether `name` (dotted, without `context.`) is a `$context` variable a parameter mapping
/// may read: a documented one, or any key under `authorizer.` (Lambda authorizer context,
/// Cognito claims).
pub fn is_known_variable(name: &str) -> bool {
    CONTEXT_VARIABLES.contains(&name)
        || name
            .strip_prefix("authorizer.")
            .is_some_and(|k| !k.is_empty())
}

/// The name of one level of a `$context` variable (`identity`, `sourceIp`): the documented
/// names are static, so building and cloning a context copies no name.
type Key = Cow<'static, str>;

/// `name` as a [`Key`]: static when it is one of the levels of [`CONTEXT_VARIABLES`].
fn key_of(name: &str) -> Key {
    CONTEXT_VARIABLES
        .iter()
        .flat_map(|v| v.split('.'))
        .find(|level| *level == name)
        .map_or_else(|| Cow::Owned(name.to_owned()), Cow::Borrowed)
}

/// [`key_of`] for a name already owned.
fn key_of_owned(name: String) -> Key {
    match key_of(&name) {
        Cow::Borrowed(k) => Cow::Borrowed(k),
        Cow::Owned(_) => Cow::Owned(name),
    }
}

/// One entry of the tree: a JSON value, or an object of further entries.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Leaf(Json),
    Object(Vec<(Key, Node)>),
}

impl Node {
    fn from_json(json: Json) -> Node {
        match json {
            Json::Object(m) => Node::Object(
                m.into_iter()
                    .map(|(k, v)| (key_of_owned(k), Node::from_json(v)))
                    .collect(),
            ),
            other => Node::Leaf(other),
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Node::Leaf(j) => j.clone(),
            Node::Object(entries) => Json::Object(entries_to_json(entries)),
        }
    }
}

fn entries_to_json(entries: &[(Key, Node)]) -> Map<String, Json> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_json()))
        .collect()
}

/// The entry named `name` in `entries`, with its position (objects hold a few entries: a
/// scan beats hashing).
fn entry<'m>(entries: &'m [(Key, Node)], name: &str) -> Option<(usize, &'m Node)> {
    entries
        .iter()
        .position(|(k, _)| k == name)
        .map(|i| (i, &entries[i].1))
}

/// The `$context` variables of one request: an ordered tree of JSON values.
///
/// Names are kept in insertion order, in a few small vectors; the documented names are not
/// copied, so the per-request cost of building a context is about its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    vars: Vec<(Key, Node)>,
}

impl Context {
    /// An empty context (every variable undefined, so it renders as empty).
    pub fn new() -> Context {
        Context::default()
    }

    /// A context from a JSON object shaped like `$context` (`{"identity": {"sourceIp": ..}}`);
    /// `None` if `json` is not an object.
    pub fn from_json(json: Json) -> Option<Context> {
        match Node::from_json(json) {
            Node::Object(vars) => Some(Context { vars }),
            Node::Leaf(_) => None,
        }
    }

    /// The whole tree as a JSON object.
    pub fn to_json(&self) -> Map<String, Json> {
        entries_to_json(&self.vars)
    }

    /// Sets a variable by dotted name (`identity.sourceIp`), creating the objects on the way.
    pub fn set(&mut self, name: &str, value: impl Into<Json>) {
        let mut entries = &mut self.vars;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            let at = match entries.iter().position(|(k, _)| k == part) {
                Some(i) => i,
                None => {
                    entries.push((key_of(part), Node::Object(Vec::new())));
                    entries.len() - 1
                }
            };
            let node = &mut entries[at].1;
            if parts.peek().is_none() {
                *node = Node::from_json(value.into());
                return;
            }
            if !matches!(node, Node::Object(_)) {
                *node = Node::Object(Vec::new());
            }
            let Node::Object(next) = node else { return };
            entries = next;
        }
    }

    fn node(&self, name: &str) -> Option<&Node> {
        let mut parts = name.split('.');
        let mut node = entry(&self.vars, parts.next()?)?.1;
        for part in parts {
            let Node::Object(entries) = node else {
                return None;
            };
            node = entry(entries, part)?.1;
        }
        Some(node)
    }

    /// A variable by dotted name, as JSON (an object for `identity` and the like).
    pub fn get(&self, name: &str) -> Option<Json> {
        self.node(name).map(Node::to_json)
    }

    /// A variable as the text a parameter mapping or template prints: strings as they are,
    /// numbers and booleans in their JSON form, objects and arrays as compact JSON; `None`
    /// when undefined or null.
    pub fn lookup(&self, name: &str) -> Option<String> {
        match self.node(name)? {
            Node::Leaf(Json::Null) => None,
            Node::Leaf(Json::String(s)) => Some(s.clone()),
            Node::Leaf(other) => Some(other.to_string()),
            object => Some(object.to_json().to_string()),
        }
    }

    /// Sets `requestTimeEpoch` (milliseconds) and `requestTime` in CLF form
    /// `dd/MMM/yyyy:HH:mm:ss +0000` (AWS's reference gives that format; we print UTC).
    pub fn set_request_time(&mut self, epoch_millis: i64) {
        self.set("requestTimeEpoch", epoch_millis);
        self.set("requestTime", clf_time(epoch_millis));
    }

    /// Sets `error.message`, `error.messageString` (the message quoted as a JSON string, so
    /// `{"message":$context.error.messageString}` is JSON: AWS, "$context.error.messageString:
    /// The quoted value of $context.error.message") and `error.responseType`, for gateway
    /// response templates.
    pub fn set_error(&mut self, message: &str, response_type: &str) {
        self.set("error.message", message);
        self.set("error.messageString", Json::from(message).to_string());
        self.set("error.responseType", response_type);
    }

    /// Sets the Lambda authorizer's context: each value stringified, as AWS documents
    /// (`"numKey": 1` reads as `"1"`, `"boolKey": true` as `"true"`).
    pub fn set_authorizer_context(&mut self, context: &Map<String, Json>) {
        for (k, v) in context {
            let text = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            self.set(&format!("authorizer.{k}"), text);
        }
    }
}

/// What a template wrote into `$context.requestOverride.*` and `$context.responseOverride.*`.
///
/// AWS ("Use a mapping template to override an API's request and response parameters and
/// status codes"): request overrides replace the integration request's headers, path and
/// query-string parameters; response overrides replace the method response's headers and
/// status code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `$context.requestOverride.header.NAME`.
    pub request_header: IndexMap<String, String>,
    /// `$context.requestOverride.path.NAME`.
    pub request_path: IndexMap<String, String>,
    /// `$context.requestOverride.querystring.NAME`.
    pub request_querystring: IndexMap<String, String>,
    /// `$context.responseOverride.header.NAME`.
    pub response_header: IndexMap<String, String>,
    /// `$context.responseOverride.status`, when set to a valid status code (100 to 599).
    pub response_status: Option<u16>,
}

impl Overrides {
    /// True when the template wrote nothing.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// `$stageVariables`: the stage's variables, by name, in insertion order.
///
/// The variables are shared (`Arc`): a stage's variables are set once and read by every
/// request, so cloning them, or putting them in a render's scope ([`mapping_scope`]),
/// copies nothing; [`StageVariables::insert`] copies them only while they are shared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageVariables {
    vars: Arc<IndexMap<String, String>>,
}

impl StageVariables {
    /// No variables.
    pub fn new() -> StageVariables {
        StageVariables::default()
    }

    /// Sets a variable, returning its previous value.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        Arc::make_mut(&mut self.vars).insert(name, value)
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.vars.get(name)
    }

    /// The variables, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.vars.iter()
    }

    /// How many variables there are.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True when there are no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}

impl FromIterator<(String, String)> for StageVariables {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> StageVariables {
        StageVariables {
            vars: Arc::new(iter.into_iter().collect()),
        }
    }
}

/// `$stageVariables` as a template sees it: a map of strings (`$stageVariables.name`,
/// `$stageVariables.keySet()`, ...).
///
/// A view over the shared variables: reading `$stageVariables.name` copies nothing; the
/// map is made (once) when a template needs it as one: a method call, iteration, printing
/// the whole map, or a `#set($stageVariables.name = ...)`, which then changes only this
/// render's map.
pub fn stage_variables_value(vars: &StageVariables) -> Value {
    Value::object(StageVariablesView {
        vars: vars.vars.clone(),
        plain: OnceCell::new(),
    })
}

/// The object behind [`stage_variables_value`].
struct StageVariablesView {
    vars: Arc<IndexMap<String, String>>,
    /// The map, once made.
    plain: OnceCell<Value>,
}

impl StageVariablesView {
    fn plain(&self) -> &Value {
        self.plain.get_or_init(|| {
            Value::map(
                self.vars
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
            )
        })
    }
}

impl HostObject for StageVariablesView {
    fn property(&self, name: &str) -> Result<Value, EvalError> {
        match self.plain.get() {
            Some(p) => methods::property(p, name),
            None => Ok(self
                .vars
                .get(name)
                .map_or(Value::Null, |v| Value::from(v.as_str()))),
        }
    }

    fn call(&self, method: &str, args: &[Value]) -> Result<Value, EvalError> {
        methods::call(self.plain(), method, args)
    }

    fn render(&self) -> String {
        self.plain().to_java_string()
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        self.plain()
            .as_map()
            .map(|m| m.borrow().values().cloned().collect())
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        if let Some(m) = self.plain().as_map() {
            m.borrow_mut().insert(name.to_owned(), value);
        }
        Ok(())
    }

    fn for_each_child(&self, f: &mut dyn FnMut(&Value)) {
        if let Some(p) = self.plain.get() {
            f(p);
        }
    }

    fn as_plain(&self) -> Option<Value> {
        Some(self.plain().clone())
    }

    fn print_leaf(&self, name: &str, out: &mut String) -> bool {
        if self.plain.get().is_some() {
            return false;
        }
        match self.vars.get(name) {
            Some(v) => {
                out.push_str(v);
                true
            }
            None => false,
        }
    }
}

thread_local! {
    /// `$util` holds nothing: one object per thread serves every render.
    static UTIL: Value = Value::object(Util);
}

/// The root variables of one API Gateway render: `$input`, `$context`, `$util` and
/// `$stageVariables`.
///
/// ```
/// use gateway_mapping::context::{mapping_scope, Context, ContextObject, StageVariables};
/// use gateway_mapping::input::{Input, RequestView};
/// use gateway_mapping::{EngineOptions, Template};
///
/// let mut ctx = Context::new();
/// ctx.set("stage", "prod");
/// let context = ContextObject::new(ctx);
/// let mut stage = StageVariables::new();
/// stage.insert("table".into(), "pets".into());
/// let scope = mapping_scope(Input::new(RequestView::new("{\"a\":1}")), &context, &stage);
/// let t = Template::compile(
///     "$context.stage $stageVariables.table $input.json('$.a') $util.urlEncode('x y')\
///      #set($context.responseOverride.status = 201)",
///     &EngineOptions::default(),
/// )?;
/// assert_eq!(t.render(&scope)?, "prod pets 1 x+y");
/// assert_eq!(context.overrides().response_status, Some(201));
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
pub fn mapping_scope(
    input: Input,
    context: &ContextObject,
    stage_variables: &StageVariables,
) -> Scope {
    let mut scope = Scope::with_capacity(4);
    scope.set_static("input", Value::object(input));
    scope.set_static("context", context.value());
    scope.set_static("util", UTIL.with(Value::clone));
    scope.set_static("stageVariables", stage_variables_value(stage_variables));
    scope
}

/// `$context` as a template sees it: the request's [`Context`] (read-only) and the writable
/// `requestOverride` / `responseOverride` maps.
///
/// Not `Send` (it shares its parts with `Rc`, as template values do): build it per request
/// inside the synchronous render step. A [`Context`] is plain data and may be built anywhere.
///
/// Cloning shares the same override maps. Use one `ContextObject` for every template of a
/// request: what the integration request template writes into the override maps is visible
/// to the integration response template, as on API Gateway (localstack
/// `test_integration_mock_with_request_overrides_in_response_template` and
/// `test_integration_mock_with_response_override_in_request_template`, recorded on AWS: a
/// `responseOverride.status`, `.header.foo` and even a custom `.custom` key set in the
/// request template were read back in the response template).
#[derive(Clone)]
pub struct ContextObject {
    root: Rc<ContextRoot>,
}

struct ContextRoot {
    vars: Vec<(Key, Node)>,
    /// Built on first use (most templates never touch the override maps).
    request_override: OnceCell<Value>,
    response_override: OnceCell<Value>,
}

impl ContextRoot {
    fn request_override(&self) -> &Value {
        self.request_override.get_or_init(|| {
            let mut request = IndexMap::with_capacity(3);
            request.insert("header".to_owned(), empty_map());
            request.insert("path".to_owned(), empty_map());
            request.insert("querystring".to_owned(), empty_map());
            Value::map(request)
        })
    }

    fn response_override(&self) -> &Value {
        self.response_override.get_or_init(|| {
            let mut response = IndexMap::with_capacity(2);
            response.insert("header".to_owned(), empty_map());
            Value::map(response)
        })
    }
}

impl std::fmt::Debug for ContextObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextObject")
            .field("vars", &self.root.vars)
            .field("request_override", &self.root.request_override)
            .field("response_override", &self.root.response_override)
            .finish()
    }
}

fn empty_map() -> Value {
    Value::map(IndexMap::new())
}

impl ContextObject {
    /// `$context` over these variables, with empty override maps:
    /// `requestOverride = {header={}, path={}, querystring={}}`,
    /// `responseOverride = {header={}}` (`status` unset).
    pub fn new(context: Context) -> ContextObject {
        ContextObject {
            root: Rc::new(ContextRoot {
                vars: context.vars,
                request_override: OnceCell::new(),
                response_override: OnceCell::new(),
            }),
        }
    }

    /// The template value (`$context`), sharing this object's override maps.
    pub fn value(&self) -> Value {
        ContextNode::value(self.root.clone(), None)
    }

    /// What the templates wrote into the override maps so far. Values print as Java does
    /// (`#set($context.requestOverride.header.n = 5)` is `5`); `responseOverride.status` counts
    /// only when it is an integer from 100 to 599 (otherwise API Gateway ignores it: localstack's
    /// integration-response handler, from its AWS-validated tests).
    pub fn overrides(&self) -> Overrides {
        let strings = |m: &Value, key: &str| -> IndexMap<String, String> {
            let Some(inner) = m.as_map().and_then(|m| m.borrow().get(key).cloned()) else {
                return IndexMap::new();
            };
            let Some(inner) = inner.as_map() else {
                return IndexMap::new();
            };
            inner
                .borrow()
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.to_java_string()))
                .collect()
        };
        let req = self.root.request_override();
        let resp = self.root.response_override();
        let status = resp
            .as_map()
            .and_then(|m| m.borrow().get("status").and_then(Value::as_int))
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..=599).contains(s));
        Overrides {
            request_header: strings(req, "header"),
            request_path: strings(req, "path"),
            request_querystring: strings(req, "querystring"),
            response_header: strings(resp, "header"),
            response_status: status,
        }
    }
}

/// `$context` or an object inside it (`$context.identity`, `$context.authorizer.claims`).
struct ContextNode {
    root: Rc<ContextRoot>,
    /// The object this one is inside, and this one's position among its entries (`None`
    /// for `$context` itself). Positions, not names: reading `$context.identity.sourceIp`
    /// makes one small object and hashes nothing.
    parent: Option<(Rc<ContextNode>, usize)>,
    /// `$context.authorizer.claims` (which prints nothing).
    claims: bool,
    me: Weak<ContextNode>,
}

impl ContextNode {
    fn value(root: Rc<ContextRoot>, parent: Option<(Rc<ContextNode>, usize)>) -> Value {
        let claims = parent.as_ref().is_some_and(|(p, i)| {
            p.parent.as_ref().is_some_and(|(r, j)| {
                r.parent.is_none()
                    && r.entries()
                        .and_then(|m| m.get(*j))
                        .is_some_and(|(k, _)| k == "authorizer")
            }) && p
                .entries()
                .and_then(|m| m.get(*i))
                .is_some_and(|(k, _)| k == "claims")
        });
        Value::Object(Rc::new_cyclic(|me| ContextNode {
            root,
            parent,
            claims,
            me: me.clone(),
        }))
    }

    fn entries(&self) -> Option<&[(Key, Node)]> {
        match &self.parent {
            None => Some(&self.root.vars),
            Some((p, i)) => match &p.entries()?.get(*i)?.1 {
                Node::Object(entries) => Some(entries),
                Node::Leaf(_) => None,
            },
        }
    }

    fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    fn child(&self, name: &str) -> Value {
        if self.is_root() {
            let map = match name {
                "requestOverride" => Some(self.root.request_override()),
                "responseOverride" => Some(self.root.response_override()),
                _ => None,
            };
            if let Some(map) = map {
                return Value::Object(Rc::new(OverrideNode { map: map.clone() }));
            }
        }
        match self.entries().and_then(|m| entry(m, name)) {
            None | Some((_, Node::Leaf(Json::Null))) => Value::Null,
            Some((i, Node::Object(_))) => match self.me.upgrade() {
                Some(me) => ContextNode::value(self.root.clone(), Some((me, i))),
                None => Value::Null,
            },
            Some((_, Node::Leaf(other))) => json_to_value(other),
        }
    }

    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .entries()
            .map(|m| m.iter().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default();
        if self.is_root() {
            for k in ["requestOverride", "responseOverride"] {
                if !keys.iter().any(|x| x == k) {
                    keys.push(k.to_owned());
                }
            }
        }
        java_hash_map_order(keys)
    }
}

impl HostObject for ContextNode {
    fn property(&self, name: &str) -> Result<Value, EvalError> {
        Ok(self.child(name))
    }

    fn call(&self, method: &str, args: &[Value]) -> Result<Value, EvalError> {
        let key = args.first().and_then(arg_text);
        Ok(match (method, args.len(), key) {
            ("get", 1, Some(k)) => scalar(self.child(&k)),
            ("containsKey", 1, Some(k)) => Value::Bool(!self.child(&k).is_null()),
            ("keySet", 0, _) => Value::list(self.keys().into_iter().map(Value::from).collect()),
            ("values", 0, _) => Value::list(self.keys().iter().map(|k| self.child(k)).collect()),
            ("size", 0, _) => Value::Int(self.keys().len() as i64),
            ("isEmpty", 0, _) => Value::Bool(self.keys().is_empty()),
            _ => Value::Null,
        })
    }

    /// Java-style, as a map: `{requestId=abc, identity={sourceIp=1.2.3.4}}`; except
    /// `$context.authorizer.claims`, which prints nothing: "Calling `$context.authorizer.claims`
    /// returns null" (AWS, "Variables for data transformations") while its properties
    /// (`$context.authorizer.claims.email`) are readable.
    fn render(&self) -> String {
        if self.claims {
            return String::new();
        }
        let mut out = String::from("{");
        for (i, k) in self.keys().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            self.child(k).write_java(&mut out);
        }
        out.push('}');
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.keys().iter().map(|k| self.child(k)).collect())
    }

    fn print_leaf(&self, name: &str, out: &mut String) -> bool {
        if self.is_root() && matches!(name, "requestOverride" | "responseOverride") {
            return false;
        }
        self.entries()
            .is_some_and(|entries| print_entry(entries, name, out))
    }

    fn property_path(&self, path: &[&str]) -> Option<Value> {
        let (last, init) = path.split_last()?;
        match entry(self.nested_entries(init)?, last) {
            None | Some((_, Node::Leaf(Json::Null))) => Some(Value::Null),
            Some((_, Node::Leaf(other))) => Some(json_to_value(other)),
            // An object: made by the engine, one level at a time (it knows its parents).
            Some((_, Node::Object(_))) => None,
        }
    }

    fn print_leaf_path(&self, path: &[&str], key: &str, out: &mut String) -> bool {
        self.nested_entries(path)
            .is_some_and(|entries| print_entry(entries, key, out))
    }
}

impl ContextNode {
    /// The entries of the object the names in `path` reach from this one (`None` when a
    /// name is missing or not an object, or leads into the override maps, which are not
    /// entries).
    fn nested_entries(&self, path: &[&str]) -> Option<&[(Key, Node)]> {
        if self.is_root()
            && path
                .first()
                .is_some_and(|n| matches!(*n, "requestOverride" | "responseOverride"))
        {
            return None;
        }
        let mut entries = self.entries()?;
        for name in path {
            match entry(entries, name)? {
                (_, Node::Object(inner)) => entries = inner,
                (_, Node::Leaf(_)) => return None,
            }
        }
        Some(entries)
    }
}

/// Prints entry `name` of `entries` as [`HostObject::print_leaf`] does: a string, number or
/// boolean, returning true; false (printing nothing) for anything else.
fn print_entry(entries: &[(Key, Node)], name: &str, out: &mut String) -> bool {
    match entry(entries, name) {
        Some((_, Node::Leaf(j))) => crate::java::format::write_json_leaf(j, out),
        _ => false,
    }
}

/// What `get(key)` on `$context` (and its objects) returns: the value when it is a plain
/// one, null for a nested object. Recorded on AWS (localstack `test_sqs_amz_json_protocol`):
/// `$context.get($key)` over `$context.keySet()` printed `""` for `identity`,
/// `requestOverride` and `responseOverride`, and `$context.requestOverride.get($key)` printed
/// `""` for `header`, `path` and `querystring`, while plain values printed as they are.
fn scalar(v: Value) -> Value {
    match v {
        Value::Map(_) | Value::Object(_) => Value::Null,
        v => v,
    }
}

/// `$context.requestOverride` / `$context.responseOverride`: a writable map
/// (`#set($context.responseOverride.status = 404)`, `.header.X = ...`, `.put(k, v)`), with
/// `get` behaving as on `$context` (see [`scalar`]).
struct OverrideNode {
    /// Always a `Value::Map`.
    map: Value,
}

impl OverrideNode {
    /// The keys in `java.util.HashMap` order: recorded on AWS, `$context.requestOverride
    /// .keySet()` lists `path, header, querystring` (localstack `test_sqs_amz_json_protocol`).
    fn keys(&self) -> Vec<String> {
        let keys = self
            .map
            .as_map()
            .map(|m| m.borrow().keys().cloned().collect())
            .unwrap_or_default();
        java_hash_map_order(keys)
    }

    fn get(&self, key: &str) -> Value {
        self.map
            .as_map()
            .and_then(|m| m.borrow().get(key).cloned())
            .unwrap_or(Value::Null)
    }
}

impl HostObject for OverrideNode {
    fn property(&self, name: &str) -> Result<Value, EvalError> {
        Ok(self.get(name))
    }

    fn call(&self, method: &str, args: &[Value]) -> Result<Value, EvalError> {
        match (method, args) {
            ("get", [k]) => Ok(arg_text(k).map_or(Value::Null, |k| scalar(self.get(&k)))),
            ("keySet", []) => Ok(Value::list(
                self.keys().into_iter().map(Value::from).collect(),
            )),
            ("values", []) => Ok(Value::list(
                self.keys().iter().map(|k| self.get(k)).collect(),
            )),
            _ => methods::call(&self.map, method, args),
        }
    }

    /// Java-style, in `java.util.HashMap` order (see [`java_hash_map_order`]). A map that a
    /// template made contain itself (`#set($context.responseOverride.header.x =
    /// $context.responseOverride)`) prints `(this Map)` where it recurs.
    fn render(&self) -> String {
        let Some(map) = self.map.as_map() else {
            return String::new();
        };
        // Being printed further up (borrowed there): this is a cycle.
        if map.try_borrow_mut().is_err() {
            return "(this Map)".to_owned();
        }
        let keys = self.keys();
        // Held while the entries print, so a nested print of this map sees the cycle.
        let Ok(entries) = map.try_borrow() else {
            return String::new();
        };
        let mut out = String::from("{");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            if let Some(v) = entries.get(k) {
                v.write_java(&mut out);
            }
        }
        out.push('}');
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.keys().iter().map(|k| self.get(k)).collect())
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        if let Some(m) = self.map.as_map() {
            m.borrow_mut().insert(name.to_owned(), value);
        }
        Ok(())
    }
}

/// Orders `keys` (given in insertion order) as a `java.util.HashMap` holding them iterates:
/// by bucket (`String.hashCode()` spread as `h ^ (h >>> 16)`, masked by the table size, which
/// starts at 16 and doubles while more than 3/4 full), then by insertion within a bucket.
///
/// API Gateway's `$context` objects are HashMaps: the `keySet()` orders recorded on AWS for
/// `$context` (18 keys), `$context.identity` (12 keys) and `$context.requestOverride` (3 keys)
/// are exactly this order (localstack `test_sqs_amz_json_protocol` snapshot).
pub(crate) fn java_hash_map_order(keys: Vec<String>) -> Vec<String> {
    let mut table = 16usize;
    while keys.len() > table / 4 * 3 {
        table *= 2;
    }
    let mask = table - 1;
    let mut indexed: Vec<(usize, usize, String)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let h = java_string_hash(&k) as u32;
            let bucket = ((h ^ (h >> 16)) as usize) & mask;
            (bucket, i, k)
        })
        .collect();
    indexed.sort_by_key(|(bucket, i, _)| (*bucket, *i));
    indexed.into_iter().map(|(_, _, k)| k).collect()
}

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 units, wrapping.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
}

/// Formats epoch milliseconds as CLF UTC time: `dd/MMM/yyyy:HH:mm:ss +0000`.
pub(crate) fn clf_time(epoch_millis: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = epoch_millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("Jan");
    format!("{day:02}/{month_name}/{year:04}:{h:02}:{m:02}:{s:02} +0000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EngineOptions, Template};
    use serde_json::json;

    fn render_stage(src: &str, stage: &StageVariables) -> String {
        let mut scope = Scope::new();
        scope.set("stageVariables", stage_variables_value(stage));
        Template::compile(src, &EngineOptions::default())
            .expect("compiles")
            .render(&scope)
            .expect("renders")
    }

    #[test]
    fn nested_context_values_read_without_the_objects_on_the_way_match_reading_them_one_by_one() {
        let mut ctx = Context::new();
        ctx.set("identity.sourceIp", "203.0.113.7");
        ctx.set("identity.n", 7);
        ctx.set("identity.b", true);
        ctx.set("authorizer.claims.email", "a@example.com");
        ctx.set("authorizer.principalId", "user-1");
        let render = |src: &str| {
            let context = ContextObject::new(ctx.clone());
            let mut scope = Scope::new();
            scope.set("context", context.value());
            Template::compile(src, &EngineOptions::default())
                .expect("compiles")
                .render(&scope)
                .expect("renders")
        };
        // Each pair: the path read at once (printed, then evaluated), and the same read one
        // object at a time.
        for (path, expected) in [
            ("identity.sourceIp", "203.0.113.7"),
            ("identity.n", "7"),
            ("identity.b", "true"),
            ("identity.nope", ""),
            ("nope.x", ""),
            ("authorizer.claims.email", "a@example.com"),
            ("authorizer.claims", ""),
            ("authorizer.principalId", "user-1"),
            ("requestOverride.header", "{}"),
        ] {
            let (first, rest) = path.split_once('.').expect("dotted");
            let printed = render(&format!("[$context.{path}]"));
            let evaluated = render(&format!("#set($v = $context.{path})[$v]"));
            let stepwise = render(&format!("#set($o = $context.{first})[$o.{rest}]"));
            assert_eq!(printed, format!("[{expected}]"), "{path}");
            assert_eq!(evaluated, printed, "{path}");
            assert_eq!(stepwise, printed, "{path}");
        }
        assert_eq!(
            render(
                "#set($context.requestOverride.header.k = 'v')$context.requestOverride.header.k"
            ),
            "v"
        );
    }

    #[test]
    fn stage_variables_read_as_a_map_of_strings() {
        let stage: StageVariables = [("b", "2"), ("a", "x y")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            render_stage(
                "$stageVariables.a|$stageVariables.get('b')|$stageVariables.size()|\
                 #foreach($v in $stageVariables)$v,#end|$stageVariables.containsKey('a')|\
                 $!stageVariables.none|$stageVariables.a.length()",
                &stage
            ),
            "x y|2|2|2,x y,|true||3"
        );
        assert_eq!(render_stage("$stageVariables", &stage), "{b=2, a=x y}");
    }

    #[test]
    fn setting_a_stage_variable_changes_only_that_render() {
        let mut stage = StageVariables::new();
        stage.insert("table".into(), "pets".into());
        let shared = stage.clone();
        assert_eq!(
            render_stage(
                "#set($stageVariables.table = 'other')$stageVariables.table|\
                 #set($m = $stageVariables)#set($old = $m.put('n', 1))$stageVariables.n",
                &stage
            ),
            "other|1"
        );
        assert_eq!(render_stage("$stageVariables.table", &stage), "pets");
        // Copy on write: a clone taken before an insert keeps its values.
        stage.insert("table".into(), "new".into());
        assert_eq!(shared.get("table").map(String::as_str), Some("pets"));
        assert_eq!(render_stage("$stageVariables.table", &stage), "new");
    }

    #[test]
    fn set_replaces_values_and_objects_in_place_and_keeps_order() {
        let mut ctx = Context::new();
        ctx.set("stage", "prod");
        ctx.set("identity", "not an object");
        ctx.set("identity.sourceIp", "203.0.113.7");
        ctx.set("custom.deep.name", 5);
        ctx.set("stage", "beta");
        assert_eq!(
            serde_json::Value::Object(ctx.to_json()),
            json!({"stage": "beta", "identity": {"sourceIp": "203.0.113.7"},
                   "custom": {"deep": {"name": 5}}})
        );
        ctx.set("identity", json!({"user": "u"}));
        assert_eq!(ctx.lookup("identity"), Some(r#"{"user":"u"}"#.to_owned()));
        assert_eq!(ctx.lookup("identity.sourceIp"), None);
        assert_eq!(ctx.get("custom.deep"), Some(json!({"name": 5})));
        let back = Context::from_json(serde_json::Value::Object(ctx.to_json()));
        assert_eq!(back.as_ref(), Some(&ctx));
    }

    #[test]
    fn set_creates_nested_objects_and_lookup_reads_them() {
        let mut ctx = Context::new();
        ctx.set(
            "identity.clientCert.validity.notAfter",
            "May 28 12:30:02 2025 GMT",
        );
        assert_eq!(
            ctx.lookup("identity.clientCert.validity.notAfter")
                .as_deref(),
            Some("May 28 12:30:02 2025 GMT")
        );
        assert_eq!(ctx.lookup("identity.clientCert.nope"), None);
        assert_eq!(ctx.lookup("nope.deeper"), None);
    }

    #[test]
    fn lookup_prints_numbers_booleans_and_objects_as_json() {
        let ctx =
            Context::from_json(json!({"n": 5, "b": true, "o": {"a": [1]}, "z": null})).unwrap();
        assert_eq!(ctx.lookup("n").as_deref(), Some("5"));
        assert_eq!(ctx.lookup("b").as_deref(), Some("true"));
        assert_eq!(ctx.lookup("o").as_deref(), Some(r#"{"a":[1]}"#));
        assert_eq!(ctx.lookup("z"), None);
        assert!(Context::from_json(json!([1])).is_none());
    }

    #[test]
    fn authorizer_context_values_are_stringified() {
        // AWS mapping-template reference, `$context.authorizer.property`: for a context map
        // {"key": "value", "numKey": 1, "boolKey": true}, `$context.authorizer.numKey`
        // returns the "1" string and `$context.authorizer.boolKey` the "true" string.
        let mut ctx = Context::new();
        let auth = json!({"key": "value", "numKey": 1, "boolKey": true});
        ctx.set_authorizer_context(auth.as_object().unwrap());
        assert_eq!(ctx.get("authorizer.key"), Some(json!("value")));
        assert_eq!(ctx.get("authorizer.numKey"), Some(json!("1")));
        assert_eq!(ctx.get("authorizer.boolKey"), Some(json!("true")));
    }

    #[test]
    fn error_message_string_is_the_quoted_message() {
        let mut ctx = Context::new();
        ctx.set_error("Missing \"Token\"", "MISSING_AUTHENTICATION_TOKEN");
        assert_eq!(
            ctx.lookup("error.message").as_deref(),
            Some("Missing \"Token\"")
        );
        assert_eq!(
            ctx.lookup("error.messageString").as_deref(),
            Some(r#""Missing \"Token\"""#)
        );
        assert_eq!(
            ctx.lookup("error.responseType").as_deref(),
            Some("MISSING_AUTHENTICATION_TOKEN")
        );
    }

    #[test]
    fn request_time_is_clf_formatted() {
        // AWS: "$context.requestTime: The CLF-formatted request time (dd/MMM/yyyy:HH:mm:ss
        // +-hhmm)". 0 ms is the epoch; 951782400000 ms is 2000-02-29 (a leap day).
        assert_eq!(clf_time(0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(clf_time(951_782_400_000), "29/Feb/2000:00:00:00 +0000");
        assert_eq!(clf_time(1_732_521_599_999), "25/Nov/2024:07:59:59 +0000");
        assert_eq!(clf_time(-1000), "31/Dec/1969:23:59:59 +0000");
    }

    #[test]
    fn java_string_hash_matches_java() {
        // Values of "".hashCode(), "a".hashCode(), "hello".hashCode() and a wrapping one.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("requestOverride"), {
            let mut h: i32 = 0;
            for u in "requestOverride".encode_utf16() {
                h = h.wrapping_mul(31).wrapping_add(i32::from(u));
            }
            h
        });
    }

    #[test]
    fn hash_map_order_reproduces_the_recorded_key_sets() {
        // localstack test_sqs_amz_json_protocol, recorded on AWS: the keySet() orders of
        // $context, $context.identity and $context.requestOverride. Whatever order the keys
        // are inserted in, the buckets come out in the recorded sequence; keys sharing a bucket
        // keep their insertion order, so the recorded order is reproduced when inserted in it
        // (the bucket-sharing pairs path/accountId, requestId/identity, domainName/deploymentId,
        // domainPrefix/requestTimeEpoch, accountId/cognitoIdentityId and sourceIp/principalOrgId
        // show which of each API Gateway inserted first).
        let recorded = [
            &[
                "resourceId",
                "resourcePath",
                "httpMethod",
                "extendedRequestId",
                "requestTime",
                "path",
                "accountId",
                "protocol",
                "requestOverride",
                "stage",
                "domainPrefix",
                "requestTimeEpoch",
                "requestId",
                "identity",
                "domainName",
                "deploymentId",
                "responseOverride",
                "apiId",
            ][..],
            &[
                "cognitoIdentityPoolId",
                "accountId",
                "cognitoIdentityId",
                "caller",
                "sourceIp",
                "principalOrgId",
                "accessKey",
                "cognitoAuthenticationType",
                "cognitoAuthenticationProvider",
                "userArn",
                "userAgent",
                "user",
            ][..],
            &["path", "header", "querystring"][..],
        ];
        for keys in recorded {
            let table = if keys.len() > 12 { 32 } else { 16 };
            let bucket = |k: &str| {
                let h = java_string_hash(k) as u32;
                ((h ^ (h >> 16)) as usize) & (table - 1)
            };
            let owned: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let mut sorted = owned.clone();
            sorted.sort();
            sorted.reverse();
            let from_sorted = java_hash_map_order(sorted);
            assert_eq!(
                from_sorted.iter().map(|k| bucket(k)).collect::<Vec<_>>(),
                keys.iter().map(|k| bucket(k)).collect::<Vec<_>>()
            );
            assert_eq!(java_hash_map_order(owned), keys);
        }
    }

    #[test]
    fn known_variables_include_authorizer_keys() {
        assert!(is_known_variable("requestId"));
        assert!(is_known_variable("identity.sourceIp"));
        assert!(is_known_variable("authorizer.anything"));
        assert!(!is_known_variable("authorizer."));
        assert!(!is_known_variable("requestID"));
    }
}
