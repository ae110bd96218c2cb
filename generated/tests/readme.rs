//! Hand-written test of the generated crate: the README's example, compiled and run.

use checkout_sessions::types::{
    CheckoutSession, CheckoutSessionMode, CheckoutSessionStatus, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionParams,
};
use checkout_sessions::Expandable;

#[test]
fn readme_example() -> Result<(), serde_json::Error> {
    let body = include_str!("data/session.json").replace("\"status\": \"open\"", "\"status\": \"complete\"")
        .replace("\"customer\": null", "\"customer\": \"cus_123\"");
    let session: CheckoutSession = serde_json::from_str(&body)?;
    let mut seen = None;
    if session.status == Some(CheckoutSessionStatus::Complete) {
        match &session.customer {
            Some(Expandable::Id(id)) => seen = Some(id.clone()),
            Some(Expandable::Object(customer)) => println!("customer {customer:?}"),
            None => {}
        }
    }
    assert_eq!(seen.as_deref(), Some("cus_123"));

    let params = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
        .success_url("https://example.com/success")
        .line_items(vec![CreateCheckoutSessionLineItems::default().price("price_123").quantity(2)]);
    assert_eq!(
        serde_json::to_value(&params)?,
        serde_json::json!({
            "mode": "payment",
            "success_url": "https://example.com/success",
            "line_items": [{"price": "price_123", "quantity": 2}],
        })
    );
    Ok(())
}
