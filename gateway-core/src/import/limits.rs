//! The import's limits: what an untrusted definition may make the importer do, each with its
//! reason.

/// Largest definition accepted, in bytes: API Gateway's own limit for `ImportRestApi` and
/// `PutRestApi` is 6 MB (Developer Guide, "API Gateway quotas for configuring and running a
/// REST API").
pub const MAX_DOCUMENT_BYTES: usize = 6 * 1024 * 1024;

/// Deepest nesting of objects and arrays accepted. Real definitions stay well under 30 levels
/// (schemas included); 64 keeps every recursive walk of the importer shallow on any stack.
pub const MAX_DEPTH: usize = 64;

/// Longest chain of `$ref`s followed to reach one object (`$ref` to a `$ref` to ...). Real
/// definitions use one or two; 16 stops reference cycles early.
pub const MAX_REF_CHAIN: usize = 16;

/// Most resources one import may create (a router holds more,
/// [`MAX_ROUTER_RESOURCES`](crate::routing::MAX_ROUTER_RESOURCES)). API Gateway's default quota is 300 resources per API
/// (can be raised on request); 10,000 bounds work per import while leaving room for raised quotas.
pub const MAX_IMPORTED_RESOURCES: usize = 10_000;
