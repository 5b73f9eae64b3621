#![no_main]
//! Arbitrary bytes through the Cognito/JWT path: with a first byte of 0, the rest as a JWKS
//! (`PoolKeys::from_jwks`); with 1, the rest as claims for `$context.authorizer.claims`;
//! otherwise the rest as a token verified against the test pool's keys (RS256 and ES256) for
//! an ID token and for an access token with scopes. A token can only verify if it was signed
//! by the test keys, so this explores the header, base64, JSON and claim checks on hostile
//! input. Asserts the absence of panics (and, through libFuzzer, of hangs and runaway memory)
//! and that every claim comes out as a string.
use gateway_core::pipeline::access::authorization::cognito::{
    Expectations, PoolKeys, context_claims, verify_token,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const JWKS: &[u8] = include_bytes!("../../gateway-core/tests/data/jwt/jwks.json");
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => {
            let _ = PoolKeys::from_jwks(rest);
        }
        1 => {
            if let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(rest) {
                let out = context_claims(&claims);
                assert!(out.values().all(Value::is_string));
            }
        }
        _ => {
            let Ok(token) = std::str::from_utf8(rest) else {
                return;
            };
            let Ok(keys) = PoolKeys::from_jwks(JWKS) else {
                return;
            };
            let scopes = ["pets/write".to_owned()];
            for scoped in [&scopes[..0], &scopes[..]] {
                let expect = Expectations {
                    issuer: ISSUER,
                    scopes: scoped,
                    client_ids: None,
                    now_secs: 1_781_500_000,
                };
                if let Ok(claims) = verify_token(token, &keys, &expect) {
                    assert_eq!(claims.get("iss").and_then(Value::as_str), Some(ISSUER));
                }
            }
        }
    }
});
