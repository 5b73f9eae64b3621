//! HTTP and HTTP_PROXY integrations (being written).
