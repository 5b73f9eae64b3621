//! Lambda proxy integration (being written).
