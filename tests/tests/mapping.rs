//! What each mapping rule means on the wire, tested on the compiled output
//! of its fixture spec (`tests/fixtures/<rule>.yaml`).

use contract_tests::fixtures::*;
use serde_json::{Value, json};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: Value) -> (T, Value) {
    let typed: T = serde_json::from_value(value).expect("deserializes");
    let back = serde_json::to_value(&typed).expect("serializes");
    (typed, back)
}

#[test]
fn required_fields_are_plain_and_must_be_present() {
    use required::types::Order;
    let (order, back) = round_trip::<Order>(json!({"id": "o_1", "amount": 1200, "paid": true}));
    assert_eq!(order.amount, 1200);
    assert_eq!(back, json!({"id": "o_1", "amount": 1200, "paid": true}));
    let missing = serde_json::from_value::<Order>(json!({"id": "o_1", "paid": true})).unwrap_err();
    assert!(missing.to_string().contains("missing field `amount`"), "{missing}");
}

#[test]
fn optional_fields_are_left_out_when_none() {
    use optional::types::Order;
    let (order, back) = round_trip::<Order>(json!({}));
    assert_eq!(order, Order::default());
    assert_eq!(back, json!({}));
    let (_, back) = round_trip::<Order>(json!({"note": "gift"}));
    assert_eq!(back, json!({"note": "gift"}));
}

#[test]
fn nullable_required_fields_are_written_as_null() {
    use nullable::types::Order;
    let (order, back) = round_trip::<Order>(json!({"shipped_at": null}));
    assert_eq!(order.shipped_at, None);
    assert_eq!(back, json!({"shipped_at": null}));
}

#[test]
fn optional_nullable_fields_keep_absent_null_and_value_apart() {
    use optional_nullable::runtime::Nullable;
    use optional_nullable::types::Order;
    for (input, expected) in [
        (json!({}), Nullable::Absent),
        (json!({"coupon": null}), Nullable::Null),
        (json!({"coupon": "SPRING"}), Nullable::Value("SPRING".to_owned())),
    ] {
        let (order, back) = round_trip::<Order>(input.clone());
        assert_eq!(order.coupon, expected);
        assert_eq!(back, input, "serializes back exactly");
    }
}

#[test]
fn string_enums_rename_and_keep_unknown_values() {
    use string_enum::types::Locale;
    let (locale, back) = round_trip::<Locale>(json!("en-GB"));
    assert_eq!(locale, Locale::EnGb);
    assert_eq!(back, json!("en-GB"));
    assert_eq!(Locale::from("1.0.2"), Locale::_1_0_2);
    assert_eq!(Locale::from(""), Locale::Empty);
    // A spec value called `unknown` keeps its name; the fallback moves aside.
    assert_eq!(Locale::from("unknown"), Locale::Unknown);
    let (future, back) = round_trip::<Locale>(json!("pt-PT"));
    assert_eq!(future, Locale::UnknownValue("pt-PT".into()));
    assert_eq!(back, json!("pt-PT"));
    assert_eq!(Locale::Es419.to_string(), "es-419");
    assert!(serde_json::from_value::<Locale>(json!(3)).is_err(), "a number is not a locale");
}

#[test]
fn integer_formats_map_to_sized_integers() {
    use integers::types::Counters;
    let c = Counters { big: i64::MAX, time: 1_679_600_215, small: i32::MIN, plain: 2, ratio: 0.5 };
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(serde_json::from_value::<Counters>(back).unwrap(), c);
    assert!(serde_json::from_value::<Counters>(json!({"big": 1, "time": 1, "small": 3_000_000_000i64, "plain": 1, "ratio": 1.0})).is_err());
}

#[test]
fn maps_are_btreemaps_and_extra_properties_are_flattened() {
    use maps::types::{Closed, Labelled, Tags};
    let (tags, _) = round_trip::<Tags>(json!({"b": "2", "a": "1"}));
    assert_eq!(tags.keys().collect::<Vec<_>>(), ["a", "b"]);
    let (labelled, back) = round_trip::<Labelled>(json!({"name": "n", "x": 1, "y": 2}));
    assert_eq!(labelled.name, "n");
    assert_eq!(labelled.additional_properties.get("y"), Some(&2));
    assert_eq!(back, json!({"name": "n", "x": 1, "y": 2}));
    assert_eq!(serde_json::to_value(Closed {}).unwrap(), json!({}));
}

#[test]
fn expandable_fields_hold_an_id_or_the_object() {
    use expandable::runtime::{Expandable, Nullable};
    use expandable::types::{Order, OrderOwner};
    let (order, back) = round_trip::<Order>(json!({"customer": "cus_1"}));
    assert_eq!(order.customer, Expandable::Id("cus_1".into()));
    assert_eq!(order.customer.id(), Some("cus_1"));
    assert_eq!(back, json!({"customer": "cus_1"}));

    let input = json!({
        "customer": {"id": "cus_1", "name": "Jenny"},
        "owner": {"id": "cus_2", "deleted": true},
    });
    let (order, back) = round_trip::<Order>(input.clone());
    assert_eq!(order.customer.as_object().map(|c| c.name.as_str()), Some("Jenny"));
    match order.owner {
        Nullable::Value(Expandable::Object(owner)) => assert!(matches!(*owner, OrderOwner::DeletedCustomer(_))),
        other => panic!("{other:?}"),
    }
    assert_eq!(back, input);
    let err = serde_json::from_value::<Order>(json!({"customer": {"id": "cus_1"}})).unwrap_err();
    assert!(err.to_string().contains("name"), "an expanded object is checked: {err}");
}

#[test]
fn unions_try_their_variants_in_order() {
    use union::types::Source;
    assert!(matches!(round_trip::<Source>(json!({"last4": "4242"})).0, Source::Card(_)));
    assert!(matches!(round_trip::<Source>(json!({"iban": "DE89"})).0, Source::BankAccount(_)));
    assert_eq!(round_trip::<Source>(json!("src_1")).0, Source::String("src_1".into()));
    assert_eq!(round_trip::<Source>(json!(7)).0, Source::Integer(7));
    assert_eq!(round_trip::<Source>(json!(["a"])).0, Source::Array(vec!["a".into()]));
    assert!(serde_json::from_value::<Source>(json!(true)).is_err());
}

#[test]
fn unions_read_objects_by_their_constant_properties() {
    use union::types::Owner;
    // Untagged, a deleted application would read as an application (which
    // ignores `deleted`) and a topup as an application too.
    let (deleted, back) = round_trip::<Owner>(json!({"deleted": true, "id": "ca_1", "object": "application"}));
    assert!(matches!(deleted, Owner::DeletedApplication(_)), "{deleted:?}");
    assert_eq!(back["deleted"], true);
    let (live, _) = round_trip::<Owner>(json!({"id": "ca_2", "object": "application", "name": "Shop"}));
    assert!(matches!(live, Owner::Application(_)), "{live:?}");
    let (topup, back) = round_trip::<Owner>(json!({"id": "tu_1", "object": "topup", "livemode": true}));
    assert!(matches!(topup, Owner::Topup(_)), "{topup:?}");
    assert_eq!(back["livemode"], true);
    // An object that carries a variant's constants but not its fields says why.
    let e = serde_json::from_value::<Owner>(json!({"object": "topup"})).unwrap_err().to_string();
    assert!(e.contains("as `Topup`: missing field `id`"), "{e}");
}

#[test]
fn unions_read_objects_as_the_alternative_that_knows_most_of_them() {
    use union::types::Options;
    // Untagged, the first alternative would read it and drop `verification_method`.
    let (options, back) = round_trip::<Options>(json!({"setup_future_usage": "off_session", "verification_method": "instant"}));
    assert!(matches!(options, Options::MandateOptions(_)), "{options:?}");
    assert_eq!(back["verification_method"], "instant");
    let (options, _) = round_trip::<Options>(json!({"setup_future_usage": "off_session"}));
    assert!(matches!(options, Options::BasicOptions(_)), "the first of equals: {options:?}");
}

#[test]
fn all_of_merges_the_parts() {
    use all_of::types::{Named, Wrapped};
    let (named, back) = round_trip::<Named>(json!({"id": "x", "name": "n"}));
    assert_eq!((named.id.as_str(), named.name.as_str(), named.created), ("x", "n", None));
    assert_eq!(back, json!({"id": "x", "name": "n"}));
    assert!(serde_json::from_value::<Named>(json!({"id": "x"})).is_err(), "`name` is required by the second part");
    let _: Wrapped = serde_json::from_value(json!({"id": "x"})).unwrap();
}

#[test]
fn or_empty_sends_the_empty_string_to_unset() {
    use or_empty::runtime::OrEmpty;
    use or_empty::types::Update;
    let (update, back) = round_trip::<Update>(json!({"metadata": "", "tax_ids": ["t1"]}));
    assert_eq!(update.metadata, Some(OrEmpty::Empty));
    assert_eq!(update.tax_ids, Some(OrEmpty::Value(vec!["t1".to_owned()])));
    assert_eq!(back, json!({"metadata": "", "tax_ids": ["t1"]}));
    let (update, _) = round_trip::<Update>(json!({"metadata": {"k": "v"}}));
    assert!(matches!(update.metadata, Some(OrEmpty::Value(m)) if m["k"] == "v"));
}

#[test]
fn recursive_types_nest() {
    use recursive::types::{Node, Tree};
    let input = json!({"value": 1, "next": {"value": 2, "next": {"value": 3}}, "children": [{"value": 4}]});
    let (node, back) = round_trip::<Node>(input.clone());
    assert_eq!(node.next.as_ref().and_then(|n| n.next.as_ref()).map(|n| n.value), Some(3));
    assert_eq!(back, input);
    let (tree, _) = round_trip::<Tree>(json!([[], [[]]]));
    assert_eq!(tree.0.len(), 2);
}

#[test]
fn inline_objects_become_named_structs() {
    use inline_objects::types::{Order, OrderShipping, OrderShippingAddress, OrderShippingMethod};
    let order = Order {
        shipping: OrderShipping {
            address: OrderShippingAddress { line1: Some("1 Main St".into()) },
            method: Some(OrderShippingMethod::Air),
        },
        lines: None,
    };
    assert_eq!(serde_json::to_value(&order).unwrap(), json!({"shipping": {"address": {"line1": "1 Main St"}, "method": "air"}}));
}

#[test]
fn params_structs_have_defaults_and_setters() {
    use params::types::{CreateWidgetPartKind, CreateWidgetPartParams, ListWidgetPartsCreated, ListWidgetPartsParams};
    let list = ListWidgetPartsParams::default().limit(3).expand(vec!["data".into()]).x_trace("t-1");
    assert_eq!(list.limit, Some(3));
    assert_eq!(list.created, None);
    let list = list.created(ListWidgetPartsCreated::default().gte(5));
    assert_eq!(serde_json::to_value(&list).unwrap(), json!({"limit": 3, "created": {"gte": 5}, "expand": ["data"], "X-Trace": "t-1"}));
    let create = CreateWidgetPartParams::new("bolt-m4", CreateWidgetPartKind::Bolt).note("zinc");
    assert_eq!(serde_json::to_value(&create).unwrap(), json!({"name": "bolt-m4", "kind": "bolt", "note": "zinc"}));
}

#[test]
fn names_are_legal_and_wire_names_survive() {
    use naming::types::{CheckoutSession, CheckoutSession2, Option2, String2};
    let input = json!({"type": "a", "self": "b", "3d_secure": true, "fooBar": "c", "foo_bar": 1, "async": "d"});
    let (session, back) = round_trip::<CheckoutSession>(input.clone());
    assert_eq!(session.r#type.as_deref(), Some("a"));
    assert_eq!(session.self_.as_deref(), Some("b"));
    assert_eq!(session._3d_secure, Some(true));
    assert_eq!((session.foo_bar.as_deref(), session.foo_bar_2), (Some("c"), Some(1)));
    assert_eq!(back, input);
    let _: (CheckoutSession2, Option2, String2) = ("x".into(), 1, String2 { value: None });
}

#[test]
fn inline_names_never_take_a_component_name() {
    use inline_collision::types::{Order, OrderCustomer, OrderCustomer2, OrderStatus, OrderStatus2};
    // The components keep their names; the inline types get the suffix.
    let _component: OrderCustomer = OrderCustomer { id: "c".into() };
    let _alias: OrderStatus = 3;
    let order = Order { customer: Some(OrderCustomer2 { name: None }), status: Some(OrderStatus2::Done) };
    assert_eq!(serde_json::to_value(order).unwrap(), json!({"customer": {}, "status": "done"}));
}

#[test]
fn fallbacks_keep_the_value() {
    use fallbacks::types::Odd;
    let input = json!({"money": "12.00", "weird_int": 7, "negated": 3, "anything": {"x": [1]}, "nullable_items": ["a", null], "untyped_array": [1, "b"]});
    let (odd, back) = round_trip::<Odd>(input.clone());
    assert_eq!(odd.anything, Some(json!({"x": [1]})));
    assert_eq!(odd.nullable_items, Some(vec![Some("a".into()), None]));
    assert_eq!(back, input);
}

#[test]
fn patterns_are_checked_item_by_item_and_uncompilable_ones_are_not() {
    use unusual_shapes::runtime::Validate;
    // The server's matcher (the `regex` crate), as its router installs it.
    unusual_shapes::http_server::install_patterns();
    let params = |codes: &[&str], after_a: &str| {
        unusual_shapes::types::GetThingParams::default().codes(codes.iter().map(|c| c.to_string()).collect()).after_a(after_a)
    };
    assert_eq!(params(&["EU", "US"], "zzz").problems(), Vec::new());
    let problems = params(&["EU", "usa"], "zzz").problems();
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.param.as_str(), p.message.as_str())).collect();
    assert_eq!(found, [("codes[1]", "Invalid codes[1]: must match the pattern `^[A-Z]{2}$`")]);
}

#[test]
fn string_formats_are_checked_and_unknown_ones_are_not() {
    use unusual_shapes::runtime::Validate;
    let params = |since: &str| unusual_shapes::types::GetThingParams::default().since(since).contact("call me");
    assert_eq!(params("2024-06-20T12:30:00Z").problems(), Vec::new());
    let problems = params("2024-06-20 12:30").problems();
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.param.as_str(), p.message.as_str())).collect();
    assert_eq!(found, [("since", "Invalid since: must be a valid date-time")]);
}

#[test]
fn number_and_integer_enums_are_checked() {
    use unusual_shapes::runtime::Validate;
    let params = |tier: i64, ratios: &[f64]| unusual_shapes::types::GetThingParams::default().tier(tier).ratios(ratios.to_vec());
    assert_eq!(params(2, &[0.5, 1.5]).problems(), Vec::new());
    let problems = params(4, &[0.5, 1.0]).problems();
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.param.as_str(), p.message.as_str())).collect();
    assert_eq!(
        found,
        [("tier", "Invalid tier: must be one of `1`, `2`, `3`"), ("ratios[1]", "Invalid ratios[1]: must be one of `0.5`, `1.5`")]
    );
}

#[test]
fn each_alternative_of_a_union_keeps_its_bounds_in_a_request() {
    use union::runtime::Validate;
    use union::types::{ListChargesParams, ListChargesTag, ListChargesWhen, ListChargesWhenObject};
    let problems = |params: ListChargesParams| params.problems().into_iter().map(|p| format!("{}: {}", p.param, p.message)).collect::<Vec<_>>();
    let when = |w| ListChargesParams::default().when(w);
    assert_eq!(problems(when(ListChargesWhen::Integer(100))), Vec::<String>::new());
    assert_eq!(problems(when(ListChargesWhen::Integer(101))), ["when: Invalid when: must be at most 100"]);
    assert_eq!(problems(when(ListChargesWhen::Integer(-1))), ["when: Invalid when: must be at least 0"]);
    let object = ListChargesWhen::Object(Box::new(ListChargesWhenObject::default().gt(-1)));
    assert_eq!(problems(when(object)), ["when[gt]: Invalid when[gt]: must be at least 0"]);
    let tag = |t| ListChargesParams::default().tag(t);
    assert_eq!(problems(tag(ListChargesTag::String("abc".into()))), Vec::<String>::new());
    assert_eq!(problems(tag(ListChargesTag::String("abcd".into()))), ["tag: Invalid tag: must be at most 3 characters"]);
    let three = ListChargesTag::Array(vec!["a".into(), "b".into(), "c".into()]);
    assert_eq!(problems(tag(three)), ["tag: Invalid tag: must have at most 2 items"]);
}
