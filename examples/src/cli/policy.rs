//! `gateway policy`: validate an IAM policy document, or evaluate policies against one request.
//!
//! ```text
//! gateway policy check <policy-file>
//! gateway policy eval --policy <file> [--policy <file>]... [--resource-policy <file>]
//!                     --action A --resource ARN [--principal ARN] [--principal-account ID]
//!                     [--context key=value]...
//! ```
//!
//! `check` parses and compiles the document as [`gateway_policy::Policy::check`] does (any
//! kind of policy, validated: every error of the document, keys given twice in one JSON object
//! and `Sid`s used twice included) and prints `valid` (exit 0), or every error, one per line,
//! each naming the statement and element at fault, prefixed with the file name and followed by
//! AWS's own wording when it is known (`bad.json: statement 1: missing Action or NotAction
//! (AWS: "Policy statement must contain actions.")`), exit 1. A file that does not load (not
//! readable, not JSON, larger than [`gateway_policy::MAX_POLICY_BYTES`]) exits 2 with the
//! reason on standard error.
//!
//! `eval` prints one line of JSON:
//! `{"decision": "Allow", "statements": [{"policy": "id.json", "index": 0, "sid": "S"}]}`, where
//! `decision` is `Allow`, `ExplicitDeny` or `ImplicitDeny` and `statements` are the statements
//! that decided it (the denying ones for `ExplicitDeny`, the allowing ones for `Allow`, none for
//! `ImplicitDeny`), each naming its file, its zero-based index in `Statement` and its `Sid`
//! (`null` when it has none).
//!
//! - `--policy` files are identity policies (the caller's, or a Lambda authorizer's output),
//!   checked with IAM's identity-policy rules (no `Principal`, alphanumeric unique `Sid`s, ARN
//!   resources); at least one `--policy` or a `--resource-policy` is required. Every
//!   statement of a `--resource-policy` must name a `Principal`.
//! - The identity policies and the resource policy (if any) combine as IAM and API Gateway
//!   combine them ([`gateway_policy::authorize`]): when the caller's account owns the resource
//!   (or the caller is anonymous) either may allow (Table A), except that a resource-policy
//!   grant naming only the caller's account needs an identity allow too; across accounts both
//!   must allow (Table B), so a caller from another account is implicitly denied when there is
//!   no `--resource-policy`, whatever its identity policies say. The resource's account is the
//!   fifth field of `--resource`; a resource that names no account (an S3 ARN, or not an ARN)
//!   is taken to be in the caller's account. A resource policy may use API Gateway's
//!   `execute-api:/stage/METHOD/path` shorthand, expanded with the Region, account and API ID
//!   of an `execute-api` `--resource`.
//! - `--principal` is an AWS principal ARN (`arn:aws:iam::111122223333:user/alice`, a role
//!   session...), a 12-digit account ID (that account's root), or otherwise a service
//!   principal (`lambda.amazonaws.com`). `--principal-account` sets the caller's account
//!   (and, alone, makes the caller that account's root). Without either the caller is anonymous. An AWS principal also sets
//!   `aws:PrincipalArn` and `aws:PrincipalAccount`.
//! - `--context key=value` adds a condition key (names are case-insensitive); a key given
//!   several times is multi-valued, and a key given at all replaces what `--principal` implied.
//!
//! At most [`MAX_POLICY_FILES`] `--policy` files are read (each may hold up to
//! [`gateway_policy::MAX_POLICY_BYTES`]); more is a usage error. Reading the context and
//! evaluating are linear in the number of `--policy`, `--context` and statements.
//!
//! Exit codes: `eval` exits 0 for `Allow` and 1 for either deny, so that a script can write
//! `if gateway policy eval ...; then`; the JSON is printed in every case. Both subcommands exit 2
//! for a usage error, an unreadable file, or (for `eval`) a policy that does not parse, with
//! the reason on standard error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gateway_policy::{
    ApiScope, Decision, Effect, ExecuteApiArn, Policy, PolicyError, Principal, Request, authorize,
};

/// The most `--policy` files `eval` reads: each may hold up to
/// [`gateway_policy::MAX_POLICY_BYTES`], so this bounds the memory one command can take to
/// about 32 MiB of policy text.
pub const MAX_POLICY_FILES: usize = 256;

use super::files;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway policy check <policy-file>
       gateway policy eval --policy <file> [--policy <file>]... [--resource-policy <file>]
                           --action A --resource ARN [--principal ARN] [--principal-account ID]
                           [--context key=value]...";

/// `gateway policy` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a policy document.
    #[command(override_help = USAGE)]
    Check {
        /// The policy document.
        #[arg(value_name = "policy-file", value_parser = clap::value_parser!(PathBuf))]
        file: PathBuf,
    },
    /// Evaluate policies against one request.
    #[command(override_help = USAGE)]
    Eval(EvalArgs),
}

/// Runs `gateway policy`.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Check { file } => check(&file),
        Command::Eval(args) => eval(args),
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("gateway policy: {why}\n{USAGE}");
    ExitCode::from(2)
}

fn read(path: &Path) -> Result<String, ExitCode> {
    files::read_text(path, files::MAX_POLICY_FILE_BYTES).map_err(|e| {
        eprintln!("gateway policy: {e}");
        ExitCode::from(2)
    })
}

fn check(file: &Path) -> ExitCode {
    let path = files::display_name(file);
    let text = match read(file) {
        Ok(text) => text,
        Err(code) => return code,
    };
    match Policy::check(&text) {
        Ok(_) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            if let Some(e @ (PolicyError::Json(_) | PolicyError::TooLarge { .. })) = errors.first()
            {
                eprintln!("gateway policy: {path}: {e}");
                return ExitCode::from(2);
            }
            for e in &errors {
                match e.iam_message() {
                    Some(aws) => println!("{path}: {e} (AWS: {aws:?})"),
                    None => println!("{path}: {e}"),
                }
            }
            ExitCode::from(1)
        }
    }
}

/// The `eval` options.
#[derive(Debug, Default, clap::Args)]
pub struct EvalArgs {
    /// An identity policy (repeatable).
    #[arg(long = "policy", value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    policies: Vec<PathBuf>,
    /// The resource policy.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    resource_policy: Option<PathBuf>,
    /// The action, `service:Action`.
    #[arg(long, allow_hyphen_values = true)]
    action: Option<String>,
    /// The resource ARN.
    #[arg(long, allow_hyphen_values = true)]
    resource: Option<String>,
    /// The caller: an ARN, an account id or a service principal.
    #[arg(long, allow_hyphen_values = true)]
    principal: Option<String>,
    /// The caller's account.
    #[arg(long, allow_hyphen_values = true)]
    principal_account: Option<String>,
    /// A condition key, `key=value` (repeatable).
    #[arg(long = "context", value_parser = context_pair, allow_hyphen_values = true)]
    context: Vec<(String, String)>,
}

/// `key=value`, with a non-empty key.
fn context_pair(pair: &str) -> Result<(String, String), String> {
    let Some((key, v)) = pair.split_once('=') else {
        return Err(format!("--context {pair:?} must be key=value"));
    };
    if key.is_empty() {
        return Err(format!("--context {pair:?} has an empty key"));
    }
    Ok((key.to_string(), v.to_string()))
}

/// The checks clap does not make: something to evaluate, an action and a resource.
fn check_eval_args(args: &EvalArgs) -> Result<(), String> {
    if args.policies.is_empty() && args.resource_policy.is_none() {
        return Err("give at least one --policy or a --resource-policy".into());
    }
    if args.action.is_none() {
        return Err("--action is required".into());
    }
    if args.resource.is_none() {
        return Err("--resource is required".into());
    }
    Ok(())
}

fn principal(arn: Option<&str>, account: Option<&str>) -> Principal {
    match (arn, account) {
        (None, None) => Principal::Anonymous,
        (None, Some(account)) => Principal::Aws {
            arn: format!("arn:aws:iam::{account}:root"),
            account: account.to_string(),
        },
        (Some(arn), account) if arn.starts_with("arn:") => match (Principal::aws(arn), account) {
            (Principal::Aws { arn, .. }, Some(account)) => Principal::Aws {
                arn,
                account: account.to_string(),
            },
            (p, _) => p,
        },
        (Some(id), _) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
            Principal::Aws {
                arn: format!("arn:aws:iam::{id}:root"),
                account: id.to_string(),
            }
        }
        (Some(service), _) => Principal::Service(service.to_string()),
    }
}

/// Reads and compiles a policy: an identity policy (no `Principal`), or a resource policy
/// (`Principal` required; the `execute-api:/...` shorthand expanded when `scope` is known).
fn load(path: &Path, scope: Option<&ApiScope>, identity: bool) -> Result<Policy, ExitCode> {
    let text = read(path)?;
    let path = files::display_name(path);
    let parsed = match (identity, scope) {
        (true, _) => Policy::parse_identity(&text),
        (false, Some(scope)) => Policy::parse_for_api(&text, scope),
        (false, None) => Policy::parse_resource(&text),
    };
    parsed.map_err(|e| {
        eprintln!("gateway policy: {path}: {e}");
        ExitCode::from(2)
    })
}

fn eval(opts: EvalArgs) -> ExitCode {
    if let Err(why) = check_eval_args(&opts) {
        return usage(&why);
    }
    let (Some(action), Some(resource)) = (opts.action.as_deref(), opts.resource.as_deref()) else {
        return usage("--action and --resource are required");
    };
    if opts.policies.len() > MAX_POLICY_FILES {
        return usage(&format!(
            "{} --policy files given, more than the limit of {MAX_POLICY_FILES}",
            opts.policies.len()
        ));
    }
    let mut identity = Vec::with_capacity(opts.policies.len());
    for path in &opts.policies {
        match load(path, None, true) {
            Ok(p) => identity.push(p),
            Err(code) => return code,
        }
    }
    // The shorthand needs the API the resource belongs to; any other resource leaves it as is.
    let scope = resource.parse::<ExecuteApiArn>().ok().map(|arn| ApiScope {
        partition: arn.partition,
        region: arn.region,
        account_id: arn.account_id,
        api_id: arn.api_id,
    });
    let resource_policy = match opts.resource_policy.as_deref() {
        None => None,
        Some(path) => match load(path, scope.as_ref(), false) {
            Ok(p) => Some(p),
            Err(code) => return code,
        },
    };
    let mut request = Request::new(action, resource).with_principal(principal(
        opts.principal.as_deref(),
        opts.principal_account.as_deref(),
    ));
    // A key given on the command line replaces what the principal implied (aws:PrincipalArn,
    // aws:PrincipalAccount); given several times, it is multi-valued.
    // Grouped through a map of lower-cased names: linear in the number of --context values.
    let mut given: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, value) in &opts.context {
        let slot = *index.entry(key.to_ascii_lowercase()).or_insert_with(|| {
            given.push((key, Vec::new()));
            given.len() - 1
        });
        given[slot].1.push(value);
    }
    for (key, values) in given {
        request.keys_mut().set(key, values);
    }
    // Tables A and B need the resource's account; a resource naming none is taken to be in
    // the caller's account.
    let owner = match resource.split(':').nth(4) {
        Some(account) if !account.is_empty() => account,
        _ => request.principal().account().unwrap_or_default(),
    };
    let decision = authorize(&identity, resource_policy.as_ref(), &request, owner);
    let mut names: Vec<String> = opts
        .policies
        .iter()
        .map(|p| files::display_name(p))
        .collect();
    if let Some(path) = opts.resource_policy.as_deref() {
        names.push(files::display_name(path));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    println!("{}", render(&decision, &names));
    if decision.effect == Effect::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `{"decision": "...", "statements": [...]}`, each statement naming its policy file.
fn render(decision: &Decision<'_>, names: &[&str]) -> String {
    let statements: Vec<String> = decision
        .statements
        .iter()
        .map(|s| {
            let policy = names.get(s.policy).copied().unwrap_or_default();
            format!(
                "{{\"policy\": {}, \"index\": {}, \"sid\": {}}}",
                serde_json::Value::from(policy),
                s.index,
                s.sid
                    .map_or(serde_json::Value::Null, serde_json::Value::from)
            )
        })
        .collect();
    format!(
        "{{\"decision\": \"{}\", \"statements\": [{}]}}",
        decision.effect,
        statements.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: EvalArgs,
    }

    /// Parses `eval`'s arguments as the command line does, then makes the checks clap does not.
    fn parse_eval_args(args: &[&str]) -> Result<EvalArgs, String> {
        let args = Cli::try_parse_from(std::iter::once("eval").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?
            .args;
        check_eval_args(&args)?;
        Ok(args)
    }

    #[test]
    fn eval_arguments_require_a_policy_an_action_and_a_resource() {
        assert!(parse_eval_args(&["--action", "a:b", "--resource", "r"]).is_err());
        assert!(parse_eval_args(&["--policy", "p", "--resource", "r"]).is_err());
        assert!(parse_eval_args(&["--policy", "p", "--action", "a:b"]).is_err());
        assert!(parse_eval_args(&["--policy"]).is_err());
        assert!(parse_eval_args(&["--policy", "p", "--bogus", "x"]).is_err());
        let ok = parse_eval_args(&[
            "--resource-policy",
            "r.json",
            "--action",
            "a:b",
            "--resource",
            "r",
            "--context",
            "k=v=w",
            "--context",
            "k=",
        ])
        .unwrap();
        assert_eq!(
            ok.context,
            [
                ("k".to_string(), "v=w".to_string()),
                ("k".into(), "".into())
            ]
        );
        assert!(parse_eval_args(&["--policy", "p", "--context", "novalue"]).is_err());
    }

    #[test]
    fn principals_are_aws_arns_accounts_or_services() {
        assert_eq!(principal(None, None), Principal::Anonymous);
        assert_eq!(
            principal(None, Some("111122223333")).account(),
            Some("111122223333")
        );
        let p = principal(
            Some("arn:aws:iam::111122223333:user/a"),
            Some("444455556666"),
        );
        assert_eq!(p.account(), Some("444455556666"));
        assert_eq!(
            principal(Some("lambda.amazonaws.com"), None),
            Principal::Service("lambda.amazonaws.com".into())
        );
        assert_eq!(
            principal(Some("111122223333"), None),
            Principal::aws("arn:aws:iam::111122223333:root")
        );
    }
}
