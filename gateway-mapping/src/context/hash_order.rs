//! The iteration order of a `java.util.HashMap`, which API Gateway's `$context` objects are.

/// Orders `keys` (given in insertion order) as a `java.util.HashMap` holding them iterates:
/// by bucket (`String.hashCode()` spread as `h ^ (h >>> 16)`, masked by the table size, which
/// starts at 16 and doubles while more than 3/4 full), then by insertion within a bucket.
///
/// API Gateway's `$context` objects are HashMaps: the `keySet()` orders recorded on AWS for
/// `$context` (18 keys), `$context.identity` (12 keys) and `$context.requestOverride` (3 keys)
/// are exactly this order (localstack `test_sqs_amz_json_protocol` snapshot).
pub(super) fn java_hash_map_order(keys: Vec<String>) -> Vec<String> {
    let mut table = 16usize;
    while keys.len() > table / 4 * 3 {
        table *= 2;
    }
    let mask = table - 1;
    let mut indexed: Vec<(usize, usize, String)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let h = java_string_hash(&k) as u32;
            let bucket = ((h ^ (h >> 16)) as usize) & mask;
            (bucket, i, k)
        })
        .collect();
    indexed.sort_by_key(|(bucket, i, _)| (*bucket, *i));
    indexed.into_iter().map(|(_, _, k)| k).collect()
}

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 units, wrapping.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_matches_java() {
        // Values of "".hashCode(), "a".hashCode(), "hello".hashCode() and a wrapping one.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("requestOverride"), {
            let mut h: i32 = 0;
            for u in "requestOverride".encode_utf16() {
                h = h.wrapping_mul(31).wrapping_add(i32::from(u));
            }
            h
        });
    }

    #[test]
    fn hash_map_order_reproduces_the_recorded_key_sets() {
        // localstack test_sqs_amz_json_protocol, recorded on AWS: the keySet() orders of
        // $context, $context.identity and $context.requestOverride. Whatever order the keys
        // are inserted in, the buckets come out in the recorded sequence; keys sharing a bucket
        // keep their insertion order, so the recorded order is reproduced when inserted in it
        // (the bucket-sharing pairs path/accountId, requestId/identity, domainName/deploymentId,
        // domainPrefix/requestTimeEpoch, accountId/cognitoIdentityId and sourceIp/principalOrgId
        // show which of each API Gateway inserted first).
        let recorded = [
            &[
                "resourceId",
                "resourcePath",
                "httpMethod",
                "extendedRequestId",
                "requestTime",
                "path",
                "accountId",
                "protocol",
                "requestOverride",
                "stage",
                "domainPrefix",
                "requestTimeEpoch",
                "requestId",
                "identity",
                "domainName",
                "deploymentId",
                "responseOverride",
                "apiId",
            ][..],
            &[
                "cognitoIdentityPoolId",
                "accountId",
                "cognitoIdentityId",
                "caller",
                "sourceIp",
                "principalOrgId",
                "accessKey",
                "cognitoAuthenticationType",
                "cognitoAuthenticationProvider",
                "userArn",
                "userAgent",
                "user",
            ][..],
            &["path", "header", "querystring"][..],
        ];
        for keys in recorded {
            let table = if keys.len() > 12 { 32 } else { 16 };
            let bucket = |k: &str| {
                let h = java_string_hash(k) as u32;
                ((h ^ (h >> 16)) as usize) & (table - 1)
            };
            let owned: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let mut sorted = owned.clone();
            sorted.sort();
            sorted.reverse();
            let from_sorted = java_hash_map_order(sorted);
            assert_eq!(
                from_sorted.iter().map(|k| bucket(k)).collect::<Vec<_>>(),
                keys.iter().map(|k| bucket(k)).collect::<Vec<_>>()
            );
            assert_eq!(java_hash_map_order(owned), keys);
        }
    }
}
