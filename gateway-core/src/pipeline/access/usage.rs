//! Usage: API keys, usage plans, throttling and quotas.
//!
//! Not enforced yet: every request is admitted.

use gateway_mapping::context::Context;

use super::{AccessRequest, Authorized};
use crate::pipeline::gateway_response::Failure;

/// API keys, usage plans, throttle and quota settings, and the counter store.
#[derive(Debug, Clone, Default)]
pub struct Usage {}

/// Admits `request` or refuses it (403 for a missing or unknown key, 429 throttled or over
/// quota).
pub async fn admit(
    _usage: &Usage,
    _request: &AccessRequest<'_>,
    _authorized: &Authorized,
    _context: &mut Context,
) -> Result<(), Failure> {
    Ok(())
}
