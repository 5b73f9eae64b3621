//! The seams the request pipeline builds on: compiled artefacts are `Send + Sync`, and a
//! request's mapping state crosses an `.await` as plain data (build, render, snapshot, drop
//! before `.await`; see `gateway_mapping::context::ContextState`).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

use gateway_mapping::context::{
    Context, ContextObject, ContextState, Overrides, StageVariables, mapping_scope,
};
use gateway_mapping::input::{Input, OwnedRequest, RequestView};
use gateway_mapping::params::{ParamMappings, Sources};
use gateway_mapping::selection::{IntegrationResponses, RequestTemplates, UnsupportedMediaType};
use gateway_mapping::{EngineOptions, Template};

fn assert_send_sync<T: Send + Sync>() {}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn compiled_artefacts_and_plain_request_data_are_send_and_sync() {
    assert_send_sync::<Template>();
    assert_send_sync::<EngineOptions>();
    assert_send_sync::<ParamMappings>();
    assert_send_sync::<RequestTemplates<Template>>();
    assert_send_sync::<IntegrationResponses<Template>>();
    assert_send_sync::<StageVariables>();
    assert_send_sync::<Context>();
    assert_send_sync::<ContextState>();
    assert_send_sync::<Overrides>();
    assert_send_sync::<OwnedRequest>();
    assert_send_sync::<RequestView<'static>>();
    assert_send_sync::<Sources<'static>>();
    assert_send_sync::<UnsupportedMediaType>();
}

/// Runs a future that never waits on anything outside itself to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Stands in for the integration call: pending once, then ready.
async fn integration_call() -> &'static str {
    let mut polled = false;
    std::future::poll_fn(|cx| {
        if polled {
            Poll::Ready(())
        } else {
            polled = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
    r#"{"name": "Rex"}"#
}

/// The compiled API's part of one method, shared by every request.
struct Method {
    request: Template,
    response: Template,
    stage: StageVariables,
}

/// One request, as the pipeline will handle it.
async fn handle(method: Arc<Method>, request: OwnedRequest, ctx: Context) -> String {
    // Build, render, snapshot, drop: nothing `Rc` lives across the `.await`.
    let state = {
        let context = ContextObject::new(ctx);
        let scope = mapping_scope(Input::new(request.view()), &context, &method.stage);
        let _payload = method
            .request
            .render(&scope)
            .expect("the request template renders");
        context.snapshot()
    };
    let body = integration_call().await;
    let context = ContextObject::resume(state);
    let scope = mapping_scope(Input::new(OwnedRequest::new(body)), &context, &method.stage);
    method
        .response
        .render(&scope)
        .expect("the response template renders")
}

#[test]
fn overrides_written_by_the_request_template_reach_the_response_template_across_an_await() {
    // localstack test_integration_mock_with_response_override_in_request_template (recorded
    // on AWS): a status, a header and a custom key set under $context.responseOverride in the
    // request template are read back in the response template.
    let options = EngineOptions::default();
    let method = Arc::new(Method {
        request: Template::compile(
            "#set($context.responseOverride.status = 444)\
             #set($context.responseOverride.header.foo = 'bar')\
             #set($context.responseOverride.custom = 'is also passed around')\
             #set($context.requestOverride.header.X-Pet = $input.params('petId'))\
             #set($context.responseOverride.tags = $input.path('$.tags'))",
            &options,
        )
        .expect("compiles"),
        response: Template::compile(
            "$context.responseOverride.status|$context.responseOverride.header.foo|\
             $context.responseOverride.custom|$context.requestOverride.header.X-Pet|\
             $context.responseOverride.tags|$context.stage|$input.path('$.name')",
            &options,
        )
        .expect("compiles"),
        stage: StageVariables::new(),
    });
    let mut request = OwnedRequest::new(r#"{"tags": ["a", "b"]}"#);
    request.add_path("petId", "7");
    let mut ctx = Context::new();
    ctx.set("stage", "prod");

    let future = handle(method, request, ctx);
    assert_send(&future);
    assert_eq!(
        block_on(future),
        r#"444|bar|is also passed around|7|["a","b"]|prod|Rex"#
    );
}
