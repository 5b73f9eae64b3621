//! The render-step budget: one [`Meter`] per render, owned by the renderer and lent to every
//! host call, so host work (`$input`, `$util`, regular expressions, JSONPath) counts against
//! the same limit as the template's own steps, and the output limit. Nothing of it is kept
//! per thread: it lives and dies with its render, a panic included.

use super::Renderer;
use crate::error::{ErrorKind, EvalError, TemplateError};
use crate::limits::MAX_RENDER_STEPS;

/// The render-step meter: what is left of one render's step limit ([`MAX_RENDER_STEPS`], or
/// `EngineOptions::max_render_steps`). The renderer owns it and charges its own work to it;
/// host objects (`$input`, `$util`, regular expressions, JSONPath) receive it as an argument
/// and charge theirs, so the step limit bounds host work as it bounds the template's own, and
/// no state outlives the render. Outside a render, each host operation gets a
/// [`Meter::standalone`] of [`MAX_RENDER_STEPS`] on its own.
#[derive(Debug, Clone, Copy)]
pub struct Meter {
    max: u64,
    left: u64,
}

impl Meter {
    /// A meter for one render limited to `max` steps.
    pub(crate) fn new(max: u64) -> Meter {
        Meter { max, left: max }
    }

    /// A meter for one host operation outside a render: [`MAX_RENDER_STEPS`].
    pub(crate) fn standalone() -> Meter {
        Meter::new(MAX_RENDER_STEPS)
    }

    /// Steps that may still be taken.
    #[inline]
    pub(crate) fn left(&self) -> u64 {
        self.left
    }

    /// The step limit (for messages).
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// Takes `n` steps; false (and nothing left) when fewer than `n` were left.
    #[inline]
    pub(crate) fn take(&mut self, n: u64) -> bool {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                true
            }
            None => {
                self.left = 0;
                false
            }
        }
    }

    /// Charges `n` steps of host work; a limit error naming the render-step limit when
    /// fewer were left.
    #[inline]
    pub(crate) fn spend(&mut self, n: u64) -> Result<(), EvalError> {
        if self.take(n) {
            Ok(())
        } else {
            Err(self.exceeded())
        }
    }

    /// The error for host work past the step limit.
    #[cold]
    pub(crate) fn exceeded(&self) -> EvalError {
        EvalError::limit(format!(
            "rendering took more than {} steps (the render step limit, MAX_RENDER_STEPS)",
            self.max
        ))
    }
}

/// The renderer's side of the budget: steps charged, bytes written, the output limit.
impl<'p> Renderer<'p> {
    pub(super) fn write(&mut self, s: &str) -> Result<(), TemplateError> {
        self.out.push_str(s);
        self.charge_bytes(s.len())?;
        self.check_out()
    }

    /// Charges writing or building `n` bytes: one step per 64, so a loop printing a large
    /// value into strings it throws away stays bounded in time.
    #[inline]
    pub(super) fn charge_bytes(&mut self, n: usize) -> Result<(), TemplateError> {
        if n >= 64 {
            self.charge((n / 64) as u64)?;
        }
        Ok(())
    }

    #[inline]
    pub(super) fn check_out(&self) -> Result<(), TemplateError> {
        if self.out.len() > self.opts.max_output_bytes {
            return Err(self.output_exceeded());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    pub(super) fn output_exceeded(&self) -> TemplateError {
        self.error(
            ErrorKind::Limit,
            format!(
                "output exceeds the limit of {} bytes",
                self.opts.max_output_bytes
            ),
            self.at,
        )
    }

    #[inline]
    pub(super) fn step(&mut self) -> Result<(), TemplateError> {
        self.charge(1)
    }

    /// Counts `n` steps of work against [`EngineOptions::max_render_steps`].
    #[inline]
    pub(super) fn charge(&mut self, n: u64) -> Result<(), TemplateError> {
        if !self.meter.take(n) {
            return Err(self.steps_exceeded());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    pub(super) fn steps_exceeded(&self) -> TemplateError {
        self.error(
            ErrorKind::Limit,
            format!(
                "rendering took more than {} steps",
                self.opts.max_render_steps
            ),
            self.at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_takes_from_what_is_left_and_stops_at_the_limit() {
        let mut meter = Meter::new(10);
        assert!(meter.spend(4).is_ok());
        assert_eq!(meter.left(), 6);
        let e = meter.spend(7).expect_err("only 6 left");
        assert!(
            e.is_limit() && e.message().contains("MAX_RENDER_STEPS"),
            "{e}"
        );
        assert_eq!(meter.left(), 0);
        // Outside a render each operation is bounded by the default limit on its own.
        assert!(Meter::standalone().spend(MAX_RENDER_STEPS).is_ok());
        assert!(Meter::standalone().spend(MAX_RENDER_STEPS + 1).is_err());
    }
}
