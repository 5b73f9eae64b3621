//! `gateway sigv4 sign|verify`: AWS Signature Version 4 on raw HTTP/1.1 request files.
//!
//! ```text
//! gateway sigv4 sign   --access-key K --secret S --region R --service SV [--time T] <request-file>
//! gateway sigv4 verify --access-key K --secret S [--region R] [--service SV] [--time T] <request-file>
//! ```
//!
//! A request file is raw HTTP/1.1 text as in the AWS SigV4 test suite: the request line, header
//! lines, an empty line, the body (lines end in `\n` or `\r\n`).
//!
//! - `sign` prints the request signed in the `Authorization` header: the request line and header
//!   lines as written (byte for byte, less any `Authorization` or `X-Amz-Date` the signature
//!   replaces), then `X-Amz-Date` and `Authorization` (the test suite's
//!   `header-signed-request.txt` layout), the empty line and the body. Exit 0. A request the
//!   verifier would refuse once signed (no `Host`, more than 256 headers to sign, a region with a
//!   `/`, ...) is not signed: the reason goes to standard error, exit 2.
//! - `verify` checks the request's signature (header or presigned query form) against the one
//!   access key given, as API Gateway would: it prints `valid` and exits 0, or prints the 403
//!   message API Gateway would answer with and exits 1. Without `--region` / `--service` any
//!   region / service in the credential scope is accepted (the signature still covers them). The
//!   command knows no session tokens, so an `X-Amz-Security-Token` the request carries is taken
//!   as valid; the signature over it is still checked.
//!
//! `--time` is the signing time or the verifier's clock: the SigV4 basic form
//! `20150830T123600Z`, or RFC 3339 (`2015-08-30T12:36:00Z`, `2015-08-30T14:36:00+02:00`). It
//! defaults to now.
//!
//! Exit status 2: bad usage, an unreadable or malformed request file, or an unusable `--time`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use gateway_policy::sigv4::{
    CallerIdentity, Credential, CredentialStore, RawRequest, Signer, TokenStatus, Verifier,
    parse_time,
};

use super::files;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage:
  gateway sigv4 sign --access-key K --secret S --region R --service SV [--time T] <request-file>
  gateway sigv4 verify --access-key K --secret S [--region R] [--service SV] [--time T] <request-file>

A request file is raw HTTP/1.1 text (request line, headers, empty line, body).
sign prints the request signed in the Authorization header.
verify prints `valid` (exit 0) or API Gateway's 403 message (exit 1).
--time T: the signing time / the verifier's clock, as 20150830T123600Z or RFC 3339
(2015-08-30T12:36:00Z); default now.
Exit status 2: bad usage or an unreadable request file.";

/// Exit status for a request that does not verify.
const EXIT_INVALID: u8 = 1;
/// Exit status for bad usage and unreadable input.
const EXIT_USAGE: u8 = 2;

/// `gateway sigv4` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Sign a request.
    #[command(override_help = USAGE)]
    Sign(Flags),
    /// Verify a request's signature.
    #[command(override_help = USAGE)]
    Verify(Flags),
}

/// The flags of both subcommands, as given (checked by [`Options::from_flags`]).
#[derive(Debug, Default, clap::Args)]
pub struct Flags {
    /// The access key id.
    #[arg(long, allow_hyphen_values = true)]
    access_key: Option<String>,
    /// The secret access key.
    #[arg(long, allow_hyphen_values = true)]
    secret: Option<String>,
    /// The Region.
    #[arg(long, allow_hyphen_values = true)]
    region: Option<String>,
    /// The service.
    #[arg(long, allow_hyphen_values = true)]
    service: Option<String>,
    /// The signing time / the verifier's clock.
    #[arg(long, allow_hyphen_values = true)]
    time: Option<String>,
    /// The raw HTTP request file.
    #[arg(value_name = "request-file", value_parser = clap::value_parser!(PathBuf))]
    file: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(command: Command) -> ExitCode {
    let (flags, verify) = match command {
        Command::Sign(flags) => (flags, false),
        Command::Verify(flags) => (flags, true),
    };
    let opts = match Options::from_flags(flags, verify) {
        Ok(opts) => opts,
        Err(problem) => return usage_error(&problem),
    };
    let text = match files::read(&opts.file, files::MAX_REQUEST_FILE_BYTES) {
        Ok(text) => text,
        Err(e) => return fail(&e.to_string()),
    };
    let raw = match RawRequest::parse(&text) {
        Ok(raw) => raw,
        Err(e) => return fail(&format!("{}: {e}", files::display_name(&opts.file))),
    };
    if verify {
        run_verify(&opts, &raw)
    } else {
        run_sign(&opts, &raw)
    }
}

/// The checked command line.
struct Options {
    access_key: String,
    secret: String,
    region: Option<String>,
    service: Option<String>,
    time: SystemTime,
    file: PathBuf,
}

impl Options {
    /// Checks the flags: the required ones given (`sign` also needs `--region` and
    /// `--service`), `--time` readable. The error is the usage problem.
    fn from_flags(flags: Flags, verify: bool) -> Result<Options, String> {
        let Flags {
            access_key,
            secret,
            region,
            service,
            time,
            file,
        } = flags;
        let mut missing = Vec::new();
        if access_key.is_none() {
            missing.push("--access-key");
        }
        if secret.is_none() {
            missing.push("--secret");
        }
        if !verify && region.is_none() {
            missing.push("--region");
        }
        if !verify && service.is_none() {
            missing.push("--service");
        }
        if file.is_none() {
            missing.push("<request-file>");
        }
        if !missing.is_empty() {
            return Err(format!("missing {}", missing.join(", ")));
        }
        let time = match time {
            None => SystemTime::now(),
            Some(t) => parse_time(&t).ok_or_else(|| {
                format!(
                    "--time {t:?} is neither 20150830T123600Z nor RFC 3339 (2015-08-30T12:36:00Z)"
                )
            })?,
        };
        Ok(Options {
            access_key: access_key.unwrap_or_default(),
            secret: secret.unwrap_or_default(),
            region,
            service,
            time,
            file: file.unwrap_or_default(),
        })
    }
}

fn run_sign(opts: &Options, raw: &RawRequest) -> ExitCode {
    let signer = Signer::new(
        &opts.access_key,
        &opts.secret,
        opts.region.as_deref().unwrap_or_default(),
        opts.service.as_deref().unwrap_or_default(),
    );
    let signed = match signer.sign(raw.as_request(), raw.payload(), opts.time) {
        Ok(signed) => signed,
        Err(e) => return fail(&e.to_string()),
    };
    let mut out = Vec::new();
    let target = match raw.query() {
        Some(q) => format!("{}?{q}", raw.path()),
        None => raw.path().to_owned(),
    };
    out.extend_from_slice(format!("{} {target} {}\n", raw.method(), raw.version()).as_bytes());
    // The request's lines byte for byte, but for headers the signature replaces (an old
    // `Authorization` or `X-Amz-Date`): printed twice, the stale one would be read first.
    for (name, lines) in raw.header_fields() {
        if signed
            .headers
            .iter()
            .any(|(added, _)| name.as_str().eq_ignore_ascii_case(added))
        {
            continue;
        }
        for line in lines {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    for (name, value) in &signed.headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(raw.body());
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(EXIT_USAGE);
    }
    ExitCode::SUCCESS
}

fn run_verify(opts: &Options, raw: &RawRequest) -> ExitCode {
    let store = OneKey {
        access_key: opts.access_key.clone(),
        credential: Arc::new(Credential {
            secret_access_key: opts.secret.clone(),
            session_token: None,
            expires_at: None,
            identity: Arc::new(CallerIdentity {
                access_key: opts.access_key.clone(),
                ..CallerIdentity::default()
            }),
        }),
    };
    let mut verifier = Verifier::new(store).any_scope();
    if let Some(region) = &opts.region {
        verifier = verifier.region(region);
    }
    if let Some(service) = &opts.service {
        verifier = verifier.service(service);
    }
    match verifier.verify(raw.as_request(), raw.payload(), opts.time) {
        Ok(_) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{e}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// The one access key given on the command line; any session token is accepted.
struct OneKey {
    access_key: String,
    credential: Arc<Credential>,
}

impl CredentialStore for OneKey {
    fn credential(&self, access_key_id: &str) -> Option<Arc<Credential>> {
        (access_key_id == self.access_key).then(|| Arc::clone(&self.credential))
    }

    fn check_session_token(
        &self,
        _credential: &Credential,
        _token: Option<&str>,
        _now: SystemTime,
    ) -> TokenStatus {
        TokenStatus::Valid
    }
}

/// Prints a usage problem and the usage; returns the usage exit status.
fn usage_error(problem: &str) -> ExitCode {
    eprintln!("gateway sigv4: {problem}\n\n{USAGE}");
    ExitCode::from(EXIT_USAGE)
}

/// Prints an input problem (not a usage one) and returns the usage exit status.
fn fail(problem: &str) -> ExitCode {
    eprintln!("gateway sigv4: {problem}");
    ExitCode::from(EXIT_USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use gateway_policy::sigv4::format_time;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        flags: Flags,
    }

    /// Parses the flags as the command line does, then checks them.
    fn parse(args: &[&str], verify: bool) -> Result<Options, String> {
        let flags = Cli::try_parse_from(std::iter::once("sigv4").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?
            .flags;
        Options::from_flags(flags, verify)
    }

    #[test]
    fn sign_needs_region_and_service_but_verify_does_not() {
        let a = ["--access-key", "K", "--secret", "S", "f.req"];
        assert!(parse(&a, false).is_err());
        let o = parse(&a, true).ok().unwrap();
        assert_eq!(
            (o.region, o.service, o.file),
            (None, None, PathBuf::from("f.req"))
        );
    }

    #[test]
    fn time_accepts_both_forms() {
        for t in ["20150830T123600Z", "2015-08-30T12:36:00Z"] {
            let a = ["--access-key", "K", "--secret", "S", "--time", t, "f.req"];
            let o = parse(&a, true).ok().unwrap();
            assert_eq!(format_time(o.time).unwrap(), "20150830T123600Z");
        }
        let a = ["--access-key", "K", "--secret", "S", "--time", "noon", "f"];
        assert!(parse(&a, true).is_err());
    }

    #[test]
    fn repeated_or_unknown_flags_are_usage_errors() {
        for a in [
            &[
                "--access-key",
                "K",
                "--access-key",
                "K",
                "--secret",
                "S",
                "f",
            ][..],
            &["--access-key", "K", "--secret", "S", "--token", "t", "f"],
            &["--access-key", "K", "--secret", "S", "f", "g"],
            &["--access-key", "K", "--secret"],
        ] {
            assert!(parse(a, true).is_err(), "{a:?}");
        }
    }
}
