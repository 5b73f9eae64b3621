//! [`Arn`]: the six fields of an Amazon Resource Name, split once for every reader (principals,
//! sessions, `execute-api` ARNs, the gateway's Cognito pools and IAM users).

/// An ARN's fields (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`), borrowed from its text.
/// The resource keeps any further `:` (`function:pets:live`).
///
/// ```
/// use gateway_policy::Arn;
///
/// let arn = Arn::parse("arn:aws:iam::123456789012:role/ops/deploy").unwrap();
/// assert_eq!((arn.partition, arn.service, arn.region), ("aws", "iam", ""));
/// assert_eq!((arn.account, arn.resource), ("123456789012", "role/ops/deploy"));
/// assert!(Arn::parse("arn:aws:iam").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// `iam`, `sts`, `execute-api`, `cognito-idp`, ...
    pub service: &'a str,
    /// The Region; empty for global services (IAM, STS's global ARNs).
    pub region: &'a str,
    /// The 12-digit account; empty where a service leaves it out.
    pub account: &'a str,
    /// The rest: `role/NAME`, `API/STAGE/METHOD/PATH`, `userpool/ID`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text`; `None` unless it has six `:`-separated fields and starts with `arn`.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_keeps_its_colons_and_short_texts_are_refused() {
        let arn = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:pets:live").unwrap();
        assert_eq!(arn.resource, "function:pets:live");
        assert_eq!(arn.region, "us-east-1");
        assert!(Arn::parse("").is_none());
        assert!(Arn::parse("urn:aws:iam::1:root").is_none());
        assert!(Arn::parse("arn:aws:iam::1").is_none());
        assert_eq!(Arn::parse("arn:::::").map(|a| a.resource), Some(""));
    }
}
