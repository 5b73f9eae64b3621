//! Java-like behaviour of values: how they print ([`format`]), the methods templates call
//! on them ([`methods`]), and Java regular expressions ([`regex`]).

pub(crate) mod format;
pub(crate) mod methods;
pub(crate) mod regex;
