//! Usage plans: which API stages a plan covers, its throttle (per key, across its stages),
//! its per-method throttles (per key and method), its quota, and which keys are in it.
//!
//! A key may be in several plans but in only one plan per API stage (developer guide,
//! api-gateway-api-usage-plans; research pipeline-access.md 8.1): [`Plans::plan_for`] finds
//! that one.

use std::collections::HashMap;

use super::quota::Quota;
use super::throttle::Limit;

/// One usage plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The plan's id.
    pub id: String,
    /// The API stages it covers.
    pub stages: Vec<PlanStage>,
    /// Its throttle: one bucket per API key, shared by all its stages.
    pub throttle: Option<Limit>,
    /// Its quota, per API key.
    pub quota: Option<Quota>,
}

/// One API stage of a plan (`apiStages[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStage {
    /// The API's id, when given (`apiId`): the stage then applies to that API only.
    pub api_id: Option<String>,
    /// The stage's name.
    pub stage: String,
    /// Per-method throttles by `"<resource path>/<METHOD>"` (`/pets/{petId}/GET`): one
    /// bucket per API key and method, in place of the plan's throttle for that method.
    pub methods: HashMap<String, Limit>,
}

impl PlanStage {
    /// Whether this entry covers `stage` of the API `api_id`.
    pub fn covers(&self, api_id: &str, stage: &str) -> bool {
        self.stage == stage && self.api_id.as_deref().is_none_or(|id| id == api_id)
    }
}

/// The plans, and the plans of each key.
#[derive(Debug, Clone, Default)]
pub struct Plans {
    plans: Vec<Plan>,
    by_key: HashMap<String, Vec<usize>>,
}

/// Why a plan or a key-in-plan pair is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Two plans have the same id.
    #[error("usage plan {0:?} is defined twice")]
    DuplicatePlan(String),
    /// The pair names a plan that is not defined.
    #[error("no usage plan has the id {0:?}")]
    UnknownPlan(String),
    /// The key is already in a plan that covers one of this plan's API stages.
    #[error(
        "API key {key:?} is already in usage plan {other:?}, which covers an API stage of {plan:?} (a key may be in one plan per API stage)"
    )]
    StageTaken {
        /// The key's id.
        key: String,
        /// The plan being added to.
        plan: String,
        /// The plan the key is in.
        other: String,
    },
}

impl Plans {
    /// Adds a plan.
    pub fn add_plan(&mut self, plan: Plan) -> Result<(), PlanError> {
        if self.plans.iter().any(|p| p.id == plan.id) {
            return Err(PlanError::DuplicatePlan(plan.id));
        }
        self.plans.push(plan);
        Ok(())
    }

    /// Puts the key `key_id` in the plan `plan_id` (`create-usage-plan-key`); adding it
    /// twice to the same plan changes nothing.
    pub fn add_key(&mut self, plan_id: &str, key_id: &str) -> Result<(), PlanError> {
        let index = self
            .plans
            .iter()
            .position(|p| p.id == plan_id)
            .ok_or_else(|| PlanError::UnknownPlan(plan_id.to_owned()))?;
        let held = self.by_key.entry(key_id.to_owned()).or_default();
        if held.contains(&index) {
            return Ok(());
        }
        let plan = &self.plans[index];
        for &other in held.iter() {
            let other = &self.plans[other];
            let shared = plan.stages.iter().any(|a| {
                other.stages.iter().any(|b| {
                    a.stage == b.stage
                        && (a.api_id.is_none() || b.api_id.is_none() || a.api_id == b.api_id)
                })
            });
            if shared {
                return Err(PlanError::StageTaken {
                    key: key_id.to_owned(),
                    plan: plan.id.clone(),
                    other: other.id.clone(),
                });
            }
        }
        held.push(index);
        Ok(())
    }

    /// The plan holding `key_id` that covers `stage` of the API `api_id`, with that stage's
    /// entry.
    pub fn plan_for(&self, key_id: &str, api_id: &str, stage: &str) -> Option<(&Plan, &PlanStage)> {
        self.by_key.get(key_id)?.iter().find_map(|&i| {
            let plan = self.plans.get(i)?;
            let entry = plan.stages.iter().find(|s| s.covers(api_id, stage))?;
            Some((plan, entry))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, stages: &[(Option<&str>, &str)]) -> Plan {
        Plan {
            id: id.into(),
            stages: stages
                .iter()
                .map(|(api, stage)| PlanStage {
                    api_id: api.map(str::to_owned),
                    stage: (*stage).into(),
                    methods: HashMap::new(),
                })
                .collect(),
            throttle: None,
            quota: None,
        }
    }

    #[test]
    fn a_key_finds_the_plan_covering_the_api_stage() {
        let mut plans = Plans::default();
        plans
            .add_plan(plan("gold", &[(Some("api1"), "prod")]))
            .unwrap();
        plans.add_plan(plan("silver", &[(None, "dev")])).unwrap();
        plans.add_key("gold", "k").unwrap();
        plans.add_key("silver", "k").unwrap();
        assert_eq!(plans.plan_for("k", "api1", "prod").unwrap().0.id, "gold");
        assert_eq!(plans.plan_for("k", "other", "dev").unwrap().0.id, "silver");
        assert!(plans.plan_for("k", "other", "prod").is_none());
        assert!(plans.plan_for("nobody", "api1", "prod").is_none());
    }

    #[test]
    fn a_key_is_in_one_plan_per_api_stage() {
        // Developer guide, api-gateway-api-usage-plans: a key can be associated with more
        // than one plan, but only one plan per API stage.
        let mut plans = Plans::default();
        plans.add_plan(plan("a", &[(None, "prod")])).unwrap();
        plans.add_plan(plan("b", &[(Some("x"), "prod")])).unwrap();
        plans.add_key("a", "k").unwrap();
        plans.add_key("a", "k").unwrap();
        assert!(matches!(
            plans.add_key("b", "k"),
            Err(PlanError::StageTaken { .. })
        ));
        assert_eq!(
            plans.add_key("c", "k"),
            Err(PlanError::UnknownPlan("c".into()))
        );
        assert!(matches!(
            plans.add_plan(plan("a", &[])),
            Err(PlanError::DuplicatePlan(_))
        ));
    }
}
