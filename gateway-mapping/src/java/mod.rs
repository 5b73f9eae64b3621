//! Java-like behaviour of values: how they print ([`format`]), and later their methods and
//! Java regular expressions.

pub(crate) mod format;
