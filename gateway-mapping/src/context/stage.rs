//! `$stageVariables`: the stage's variables, shared by every request, and the template view
//! over them.

use std::cell::OnceCell;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::EvalError;
use crate::java::methods;
use crate::render::Meter;
use crate::value::{Cx, HostObject, Value};

/// `$stageVariables`: the stage's variables, by name, in insertion order.
///
/// The variables are shared (`Arc`): a stage's variables are set once and read by every
/// request, so cloning them, or putting them in a render's scope ([`super::mapping_scope`]),
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

    /// The variables as a map (name -> value, in insertion order).
    pub fn as_map(&self) -> &IndexMap<String, String> {
        &self.vars
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
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
        match self.plain.get() {
            Some(p) => methods::property(p, name, meter),
            None => Ok(self
                .vars
                .get(name)
                .map_or(Value::Null, |v| Value::from(v.as_str()))),
        }
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        methods::call(self.plain(), method, args, cx)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EngineOptions, Scope, Template};

    fn render_stage(src: &str, stage: &StageVariables) -> String {
        let mut scope = Scope::new();
        scope.set("stageVariables", stage_variables_value(stage));
        Template::compile(src, &EngineOptions::default())
            .expect("compiles")
            .render(&scope)
            .expect("renders")
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
}
