//! What the IR records for operations: lessons from generators that fail
//! on real specs. Several responses per operation, `deepObject` query
//! parameters and form bodies with an `encoding` map are modelled, not
//! refused.

use contract_tests::root;
use openapi_codegen::Generator;
use openapi_codegen::ir::{Api, Location, Operation, Status, Style, TypeRef};

fn api(fixture: &str) -> Api {
    let generator = Generator::new();
    let doc = generator.load(&root().join("tests/fixtures").join(fixture)).unwrap_or_else(|e| panic!("{e}"));
    generator.build(&doc).unwrap_or_else(|e| panic!("{e}"))
}

fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
    api.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"))
}

#[test]
fn every_declared_response_is_kept_with_its_type() {
    let api = api("responses.yaml");
    let get = op(&api, "GetThing");
    let statuses: Vec<Status> = get.responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Code(200), Status::Code(202), Status::Code(404), Status::Range(4), Status::Default]);
    let types: Vec<Option<&TypeRef>> = get.responses.iter().map(|r| r.ty.as_ref()).collect();
    assert_eq!(
        types,
        [
            Some(&TypeRef::Named("GetThingResponse".into())),
            Some(&TypeRef::Named("GetThingResponse202".into())),
            None,
            Some(&TypeRef::Named("Problem".into())),
            Some(&TypeRef::Named("Problem".into())),
        ]
    );
    assert_eq!(get.path_params.len(), 1);
    assert_eq!(get.path_params[0].ident, "thing");
}

#[test]
fn deep_object_parameters_and_encoded_form_fields_are_modelled() {
    let api = api("params.yaml");
    let list = op(&api, "ListWidgetParts");
    assert_eq!(list.params.as_deref(), Some("ListWidgetPartsParams"));
    let find = |op: &Operation, wire: &str| op.param_fields.iter().find(|p| p.wire == wire).cloned().unwrap();
    let created = find(list, "created");
    assert_eq!((created.location, created.style, created.explode), (Location::Query, Style::DeepObject, true));
    let limit = find(list, "limit");
    assert_eq!((limit.location, limit.style, limit.explode), (Location::Query, Style::Form, true));
    let trace = find(list, "X-Trace");
    assert_eq!((trace.location, trace.ident.as_str()), (Location::Header, "x_trace"));
    // The empty form body some specs give to every GET is no body.
    assert_eq!(list.body, None);
    // Path-level parameters apply to every operation of the path.
    assert_eq!(list.path_params[0].wire, "widget");

    let create = op(&api, "CreateWidgetPart");
    assert_eq!(create.body.as_ref().map(|b| b.media.as_str()), Some("application/x-www-form-urlencoded"));
    let tags = find(create, "tags");
    assert_eq!((tags.location, tags.style), (Location::Body, Style::DeepObject));
    let name = find(create, "name");
    assert_eq!((name.location, name.required), (Location::Body, true));
    let limit_field = api.struct_def("ListWidgetPartsParams").unwrap().fields.iter().find(|f| f.wire == "limit").unwrap();
    assert_eq!((limit_field.constraints.minimum, limit_field.constraints.maximum), (Some(1.0), Some(100.0)));
    assert_eq!(limit_field.constraints.default.as_deref(), Some("10"));
}

#[test]
fn the_project_spec_has_its_five_operations_and_four_events() {
    let generator = Generator::new();
    let doc = generator.load(&root().join("spec/checkout_sessions.yaml")).unwrap();
    let api = generator.build(&doc).unwrap();
    let idents: Vec<&str> = api.operations.iter().map(|o| o.ident.as_str()).collect();
    assert_eq!(
        idents,
        [
            "list_checkout_sessions",
            "create_checkout_session",
            "retrieve_checkout_session",
            "expire_checkout_session",
            "list_checkout_session_line_items"
        ]
    );
    let events: Vec<(&str, &str)> = api.events.iter().map(|e| (e.name.as_str(), e.variant.as_str())).collect();
    assert_eq!(
        events,
        [
            ("checkout.session.async_payment_failed", "CheckoutSessionAsyncPaymentFailed"),
            ("checkout.session.async_payment_succeeded", "CheckoutSessionAsyncPaymentSucceeded"),
            ("checkout.session.completed", "CheckoutSessionCompleted"),
            ("checkout.session.expired", "CheckoutSessionExpired"),
        ]
    );
    for event in &api.events {
        assert_eq!(event.envelope, TypeRef::Named("CheckoutSessionEvent".into()));
        assert_eq!(event.payload, Some(TypeRef::Named("CheckoutSession".into())));
    }
    for op in &api.operations {
        assert_eq!(op.responses.last().map(|r| r.status), Some(Status::Default), "{}: error response", op.id);
    }
    let session = api.struct_def("CheckoutSession").unwrap();
    assert_eq!(session.fields.len(), 56);
    assert_eq!(
        session.expandable,
        ["customer", "invoice", "line_items", "payment_intent", "payment_link", "setup_intent", "subscription"]
    );
}

#[test]
fn a_free_form_json_body_is_sent_whole_and_an_empty_form_body_is_not() {
    let spec = |media: &str, schema: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /things/{{id}}:\n    delete:\n      operationId: deleteThing\n      \
             parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      \
             requestBody: {{required: true, content: {{'{media}': {{schema: {schema}}}}}}}\n      responses: {{'204': {{description: gone}}}}\n"
        )
    };
    let build = |text: String| {
        let doc = openapi_codegen::Document::from_text("t.yaml", text).unwrap();
        openapi_codegen::Generator::new().build(&doc).unwrap()
    };
    // Found by the spec diff: the client never sent this required body.
    let json = build(spec("application/json", "{type: object}"));
    let fields: Vec<(&str, Location)> = op(&json, "deleteThing").param_fields.iter().map(|f| (f.wire.as_str(), f.location)).collect();
    assert_eq!(fields, [("body", Location::WholeBody)]);
    for (media, schema) in [("application/x-www-form-urlencoded", "{type: object}"), ("application/json", "{type: object, additionalProperties: false}")] {
        let api = build(spec(media, schema));
        assert!(op(&api, "deleteThing").param_fields.is_empty(), "{media} {schema}");
    }
}

#[test]
fn an_event_stream_is_typed_by_its_data_whether_the_schema_is_the_data_or_the_event() {
    let api = api("openapi31_events.yaml");
    let read = |id: &str| {
        let response = &op(&api, id).responses[0];
        (response.ty.clone(), response.schema.clone())
    };
    // The event's own schema: the data is `contentSchema`'s.
    assert_eq!(
        read("Described"),
        (Some(TypeRef::Named("Chunk".into())), Some("#/components/schemas/ChunkEvent/properties/data/contentSchema".into()))
    );
    // The event's own schema, with nothing said of the data: raw text.
    assert_eq!(read("Raw"), (None, None));
    // An object whose one field is `data`: the data's schema, as most specs mean it.
    assert_eq!(read("Data").0, Some(TypeRef::Named("DataResponse".into())));
}
