//! What `gateway serve` and `gateway invoke` share: the stage options, the backends, and the
//! one step from an API file to a [`Gateway`].

use std::path::Path;
use std::sync::Arc;

use gateway_core::compile::{CompileOptions, DeploymentScope};
use gateway_core::config::GatewayConfig;
use gateway_core::pipeline::access::Access;
use gateway_core::pipeline::access_log::AccessLogSink;
use gateway_core::pipeline::{Backends, Gateway, Stage};
use gateway_core::text::Escaped;

use super::files;

use crate::host::example_backend::ExampleBackend;
use crate::host::lambda::{ExampleFunctions, InvokeApi};

/// `--stage`, `--stage-var` and `--lambda-endpoint`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The stage name (default: the one the API's base path names, else prod).
    #[arg(long)]
    stage: Option<String>,
    /// A stage variable, `name=value`.
    #[arg(long = "stage-var", value_name = "k=v")]
    stage_vars: Vec<String>,
    /// The Lambda Invoke API endpoint.
    #[arg(long = "lambda-endpoint", value_name = "URL")]
    lambda_endpoint: Option<String>,
    /// What lives outside the API definition on AWS (YAML or JSON): region, account, API
    /// keys, usage plans, stage settings, IAM users, Cognito pools, counters.
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
}

/// The stage and backends, ready to make gateways.
#[derive(Clone)]
pub struct Setup {
    stage: Stage,
    /// Whether `--stage` was given (else the API's own stage name is used, when it has one).
    stage_given: bool,
    backends: Backends,
    /// The `--config` file's access settings.
    access: Access,
    /// The `--config` file's `restApiId`, when it sets one (else the id the import derives).
    rest_api_id: Option<String>,
    /// Where access-log lines go (`gateway serve --access-log`).
    access_log: Option<Arc<dyn AccessLogSink>>,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("stage", &self.stage)
            .field("backends", &self.backends)
            .field("access", &self.access)
            .field("access_log", &self.access_log.is_some())
            .finish()
    }
}

impl Setup {
    /// Checks the options; the error says which is wrong.
    pub fn new(options: &Options) -> Result<Setup, String> {
        let mut stage = Stage::new(options.stage.clone().unwrap_or_else(|| "prod".into()));
        let config = match &options.config {
            Some(path) => {
                let bytes =
                    files::read(path, files::MAX_CONFIG_FILE_BYTES).map_err(|e| e.to_string())?;
                let name = Escaped(&files::display_name(path)).to_string();
                GatewayConfig::parse(&bytes).map_err(|e| format!("{name}: {e}"))?
            }
            None => GatewayConfig::default(),
        };
        stage.region.clone_from(&config.region);
        stage.account_id.clone_from(&config.account_id);
        for (k, v) in &config.stage.variables {
            stage.variables.insert(k.clone(), v.clone());
        }
        let base_dir = options
            .config
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let access = config.access(base_dir).map_err(|e| {
            let name = options
                .config
                .as_deref()
                .map(files::display_name)
                .unwrap_or_default();
            format!("{}: {e}", Escaped(&name))
        })?;
        // --stage-var overrides the configuration's stage variables.
        for pair in &options.stage_vars {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(format!("--stage-var {pair:?}: expected name=value"));
            };
            stage.variables.insert(k.to_owned(), v.to_owned());
        }
        stage.check().map_err(|e| e.to_string())?;
        // One in-memory pet store behind the example functions and the example HTTP hosts.
        let store = Arc::new(ExampleFunctions::new());
        let lambda: Arc<dyn gateway_core::pipeline::LambdaBackend> = match &options.lambda_endpoint
        {
            Some(url) => {
                if !(url.starts_with("http://") && url.parse::<http::Uri>().is_ok()) {
                    return Err(format!(
                        "--lambda-endpoint {url:?}: expected an http:// URL"
                    ));
                }
                Arc::new(InvokeApi::new(url))
            }
            None => store.clone(),
        };
        Ok(Setup {
            stage,
            stage_given: options.stage.is_some(),
            backends: Backends {
                http: Some(Arc::new(ExampleBackend::new(store))),
                lambda: Some(lambda),
            },
            access,
            rest_api_id: config.rest_api_id,
            access_log: None,
        })
    }

    /// Access-logs every request in `format` (an access-log format, checked here) to `sink`.
    pub fn access_log(&mut self, format: &str, sink: Arc<dyn AccessLogSink>) -> Result<(), String> {
        self.stage.access_log_format = Some(format.to_owned());
        self.stage.check().map_err(|e| e.to_string())?;
        self.access_log = Some(sink);
        Ok(())
    }

    /// Loads `file` (the one load step) and serves it on the stage.
    pub fn gateway(&self, file: &Path) -> Result<Gateway, String> {
        let mut options = CompileOptions::default();
        options.import.api_id.clone_from(&self.rest_api_id);
        // The resource policy's `execute-api:/...` shorthand expands to this account's ARNs.
        options.scope = Some(DeploymentScope {
            partition: "aws".into(),
            region: self.stage.region.clone(),
            account_id: self.stage.account_id.clone(),
        });
        let api = super::load_api_with(file, &options)?;
        let mut stage = self.stage.clone();
        if !self.stage_given
            && let Some(name) = Stage::named_by(api.api())
        {
            stage.name = name;
        }
        let gateway = Gateway::new(Arc::new(api), stage, self.backends.clone())
            .map_err(|e| e.to_string())?
            .with_access(self.access.clone());
        Ok(match &self.access_log {
            Some(sink) => gateway.with_access_log_sink(Arc::clone(sink)),
            None => gateway,
        })
    }
}
