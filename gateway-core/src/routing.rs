//! The routing tree (being written).
