#![no_main]
//! The `--config` file (`gateway_core::config`): arbitrary bytes parsed as YAML or JSON into
//! the configuration, and a configuration that parses turned into the access settings
//! (keys, plans, throttles, quotas, IAM users and their policies, Cognito pools, the counter
//! store). JWKS paths are read
//! relative to an empty directory name, so only absolute ones reach files, bounded and
//! regular files only. Asserts no panic (and, through libFuzzer, no hang or runaway memory),
//! and that no error message quotes a secret given as a bare number. Seeds:
//! `seeds/config` (the bundled secured configuration, deep nesting, long lists, numbers where
//! secrets go).

use gateway_core::config::GatewayConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = match GatewayConfig::parse(data) {
        Ok(config) => config,
        Err(error) => {
            // A secret written as a number never appears in the message.
            let message = error.to_string();
            assert!(!message.contains("918273645546372819"), "{message}");
            return;
        }
    };
    // Without gateway-core's `redis` feature (this crate's build) `store: redis` is refused
    // here, so no runtime is needed.
    let _ = config.access(std::path::Path::new("fuzz-no-such-dir"));
});
