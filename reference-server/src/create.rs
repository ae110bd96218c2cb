//! Creating a session: the business rules the spec cannot express, and the
//! session and line items a valid request makes.

use std::collections::BTreeMap;

use checkout_sessions::runtime::shown;
use checkout_sessions::server::Failure;
use checkout_sessions::types::*;
use checkout_sessions::{Expandable, Nullable, OrEmpty};

use crate::{CATALOG, Config, ids};

/// The largest amount the API takes, in minor units: eight digits
/// ($999,999.99 in USD), for a line and for a session's total.
pub const MAX_AMOUNT: i64 = 99_999_999;

/// The longest metadata key.
pub const MAX_METADATA_KEY: usize = 40;

/// Metadata keys are at most [`MAX_METADATA_KEY`] characters long, in every
/// `metadata` object of a request (OpenAPI 3.0 cannot say so: the number of
/// keys and the length of values are in the spec, and the router checks them).
fn metadata_keys(value: &serde_json::Value, at: String) -> Result<(), Failure> {
    let child = |key: &str| if at.is_empty() { key.to_owned() } else { format!("{at}[{key}]") };
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "metadata"
                    && let Some(keys) = value.as_object()
                    && let Some(long) = keys.keys().find(|k| k.chars().count() > MAX_METADATA_KEY)
                {
                    return Err(invalid(
                        "parameter_invalid",
                        Some(&child(key)),
                        format!("Metadata keys must be at most {MAX_METADATA_KEY} characters: `{}` is longer.", shown(long)),
                    ));
                }
                metadata_keys(value, child(key))?;
            }
        }
        serde_json::Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                metadata_keys(value, child(&i.to_string()))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// An `invalid_request_error` with status 400.
pub fn invalid(code: &str, param: Option<&str>, message: impl Into<String>) -> Failure {
    error(400, ApiErrorType::InvalidRequestError, code, param, message)
}

/// An error body with its status.
pub fn error(status: u16, kind: ApiErrorType, code: &str, param: Option<&str>, message: impl Into<String>) -> Failure {
    Failure::new(
        status,
        Error {
            error: ApiError {
                r#type: kind,
                code: Some(code.to_owned()),
                decline_code: None,
                doc_url: None,
                message: Some(message.into()),
                param: param.map(str::to_owned),
                request_log_url: None,
            },
        },
    )
}

/// `No such checkout.session: 'cs_…'` with 404.
pub fn no_such(object: &str, id: &str, param: &str) -> Failure {
    error(404, ApiErrorType::InvalidRequestError, "resource_missing", Some(param), format!("No such {object}: `{}`", shown(id)))
}

fn missing(param: &str) -> Failure {
    invalid("parameter_missing", Some(param), format!("Missing required param: {param}."))
}

/// Converts between the request's and the response's copies of an enum.
fn same<A: AsStr, B: for<'a> From<&'a str>>(value: &A) -> B {
    B::from(value.as_str())
}

/// Enums that have `as_str` (every generated string enum).
pub trait AsStr {
    fn as_str(&self) -> &str;
}

macro_rules! as_str {
    ($($t:ty),*) => {
        $(impl AsStr for $t {
            fn as_str(&self) -> &str {
                <$t>::as_str(self)
            }
        })*
    };
}

as_str!(
    CreateCheckoutSessionBillingAddressCollection,
    CreateCheckoutSessionCustomerCreation,
    CreateCheckoutSessionPaymentMethodCollection,
    CreateCheckoutSessionPaymentMethodTypes,
    CreateCheckoutSessionRedirectOnCompletion,
    CreateCheckoutSessionSubmitType,
    CreateCheckoutSessionUiMode,
    CreateCheckoutSessionConsentCollectionPromotions,
    CreateCheckoutSessionConsentCollectionTermsOfService,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionLineItemsPriceDataTaxBehavior
);

/// One priced line: what an item costs and is called.
struct Line {
    price: Price,
    description: String,
    quantity: i64,
}

fn line_items(params: &CreateCheckoutSessionParams, now: i64) -> Result<Vec<Line>, Failure> {
    let given = params.line_items.as_deref().unwrap_or_default();
    if given.is_empty() {
        if params.mode == CheckoutSessionMode::Setup {
            return Ok(Vec::new());
        }
        return Err(missing("line_items"));
    }
    if params.mode == CheckoutSessionMode::Setup {
        return Err(invalid("parameter_invalid", Some("line_items"), "`line_items` are not allowed in `setup` mode."));
    }
    if given.len() > 100 {
        return Err(invalid("parameter_invalid", Some("line_items"), "At most 100 line items are allowed."));
    }
    let mut lines = Vec::with_capacity(given.len());
    for (i, item) in given.iter().enumerate() {
        let at = |field: &str| format!("line_items[{i}][{field}]");
        let quantity = item.quantity.ok_or_else(|| missing(&at("quantity")))?;
        if quantity < 1 {
            return Err(invalid("parameter_invalid", Some(&at("quantity")), "Quantity must be at least 1."));
        }
        let (price, description) = match (&item.price, &item.price_data) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "parameter_invalid",
                    Some(&at("price_data")),
                    "Give either `price` or `price_data`, not both.",
                ));
            }
            (None, None) => return Err(missing(&at("price"))),
            (Some(id), None) => {
                let known = CATALOG.iter().find(|p| p.id == id).ok_or_else(|| {
                    invalid("resource_missing", Some(&at("price")), format!("No such price: `{}`", shown(id)))
                })?;
                (catalog_price(known, now), known.name.to_owned())
            }
            (None, Some(data)) => ad_hoc_price(data, now, &at)?,
        };
        lines.push(Line { price, description, quantity });
    }
    let currency = &lines[0].price.currency;
    if let Some(other) = lines.iter().position(|l| &l.price.currency != currency) {
        return Err(invalid(
            "parameter_invalid",
            Some(&format!("line_items[{other}]")),
            "All line items must be in the same currency.",
        ));
    }
    let recurring = lines.iter().any(|l| l.price.recurring.is_some());
    match params.mode {
        CheckoutSessionMode::Payment if recurring => {
            return Err(invalid(
                "parameter_invalid",
                Some("line_items"),
                "Recurring prices need `mode=subscription`.",
            ));
        }
        CheckoutSessionMode::Subscription if !recurring => {
            return Err(invalid(
                "parameter_invalid",
                Some("line_items"),
                "`subscription` mode needs at least one recurring price.",
            ));
        }
        _ => {}
    }
    Ok(lines)
}

fn catalog_price(known: &crate::CatalogPrice, now: i64) -> Price {
    Price {
        id: known.id.to_owned(),
        object: PriceObject::Price,
        active: true,
        billing_scheme: PriceBillingScheme::PerUnit,
        created: now,
        currency: known.currency.to_owned(),
        custom_unit_amount: None,
        livemode: false,
        lookup_key: None,
        metadata: BTreeMap::new(),
        nickname: None,
        product: Expandable::Id(known.product.to_owned()),
        recurring: known.recurring.map(|interval| Recurring { interval: interval.into(), interval_count: 1 }),
        tax_behavior: Some(PriceTaxBehavior::Unspecified),
        tiers_mode: None,
        transform_quantity: None,
        r#type: if known.recurring.is_some() { PriceType::Recurring } else { PriceType::OneTime },
        unit_amount: Some(known.unit_amount),
        unit_amount_decimal: Some(known.unit_amount.to_string()),
    }
}

fn ad_hoc_price(
    data: &CreateCheckoutSessionLineItemsPriceData,
    now: i64,
    at: &dyn Fn(&str) -> String,
) -> Result<(Price, String), Failure> {
    let unit_amount = match (data.unit_amount, &data.unit_amount_decimal) {
        (Some(amount), _) => amount,
        (None, Some(decimal)) => {
            let param = at("price_data][unit_amount_decimal");
            let value = decimal.parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..=MAX_AMOUNT as f64).contains(v));
            let value = value.ok_or_else(|| {
                invalid("parameter_invalid", Some(&param), format!("Must be a decimal number from 0 to {MAX_AMOUNT}."))
            })?;
            // In range, so the conversion is exact up to the rounding.
            value.round() as i64
        }
        (None, None) => return Err(missing(&at("price_data][unit_amount"))),
    };
    let (product, name) = match (&data.product, &data.product_data) {
        (Some(product), _) => (product.clone(), product.clone()),
        (None, Some(product_data)) => (ids::new_id("prod_", 14), product_data.name.clone()),
        (None, None) => return Err(missing(&at("price_data][product_data"))),
    };
    let recurring = data.recurring.as_ref().map(|r| Recurring {
        interval: same(&r.interval),
        interval_count: r.interval_count.unwrap_or(1),
    });
    let price = Price {
        id: ids::new_id("price_", 24),
        object: PriceObject::Price,
        active: false,
        billing_scheme: PriceBillingScheme::PerUnit,
        created: now,
        currency: data.currency.clone(),
        custom_unit_amount: None,
        livemode: false,
        lookup_key: None,
        metadata: BTreeMap::new(),
        nickname: None,
        product: Expandable::Id(product),
        r#type: if recurring.is_some() { PriceType::Recurring } else { PriceType::OneTime },
        recurring,
        tax_behavior: Some(data.tax_behavior.as_ref().map_or(PriceTaxBehavior::Unspecified, same)),
        tiers_mode: None,
        transform_quantity: None,
        unit_amount: Some(unit_amount),
        unit_amount_decimal: Some(data.unit_amount_decimal.clone().unwrap_or_else(|| unit_amount.to_string())),
    };
    Ok((price, name))
}

/// The session and line items a create request makes, or why it is refused.
pub fn build(params: &CreateCheckoutSessionParams, config: &Config) -> Result<(CheckoutSession, Vec<Item>), Failure> {
    let now = config.clock.now();
    let embedded = params.ui_mode.as_ref().is_some_and(|m| m.as_str() == "embedded");
    if embedded {
        if params.success_url.is_some() {
            return Err(invalid("parameter_invalid", Some("success_url"), "`success_url` is not allowed in embedded mode."));
        }
        if params.cancel_url.is_some() {
            return Err(invalid("parameter_invalid", Some("cancel_url"), "`cancel_url` is not allowed in embedded mode."));
        }
        if params.return_url.is_none() {
            return Err(missing("return_url"));
        }
    } else if params.success_url.is_none() {
        return Err(missing("success_url"));
    }
    let expires_at = match params.expires_at {
        Some(at) if at < now + 30 * 60 || at > now + 24 * 3600 => {
            return Err(invalid(
                "parameter_invalid",
                Some("expires_at"),
                "`expires_at` must be between 30 minutes and 24 hours from now.",
            ));
        }
        Some(at) => at,
        None => now + 24 * 3600,
    };
    let lines = line_items(params, now)?;
    metadata_keys(&serde_json::to_value(params).unwrap_or_default(), String::new())?;
    let id = ids::new_id("cs_test_", 58);
    let currency = lines.first().map(|l| l.price.currency.clone()).or_else(|| params.currency.clone());
    let too_large = |param: &str| {
        invalid("amount_too_large", Some(param), format!("The amount must be at most {MAX_AMOUNT} (in minor units)."))
    };
    let mut subtotals = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let subtotal = line.price.unit_amount.unwrap_or(0).checked_mul(line.quantity);
        subtotals.push(subtotal.filter(|s| *s <= MAX_AMOUNT).ok_or_else(|| too_large(&format!("line_items[{i}]")))?);
    }
    let amount = subtotals.iter().try_fold(0i64, |sum, s| sum.checked_add(*s)).filter(|a| *a <= MAX_AMOUNT);
    let amount = amount.ok_or_else(|| too_large("line_items"))?;
    let items: Vec<Item> = lines
        .into_iter()
        .zip(subtotals)
        .map(|(line, subtotal)| {
            Item {
                id: ids::new_id("li_", 24),
                object: ItemObject::Item,
                amount_discount: 0,
                amount_subtotal: subtotal,
                amount_tax: 0,
                amount_total: subtotal,
                currency: line.price.currency.clone(),
                description: Some(line.description),
                price: Some(line.price),
                quantity: Some(line.quantity),
            }
        })
        .collect();
    let payment = params.mode == CheckoutSessionMode::Payment;
    let session = CheckoutSession {
        id: id.clone(),
        object: CheckoutSessionObject::CheckoutSession,
        adaptive_pricing: Nullable::Absent,
        after_expiration: params.after_expiration.as_ref().and_then(|a| a.recovery.as_ref()).map(|r| {
            CheckoutSessionAfterExpiration {
                recovery: Some(CheckoutSessionRecovery {
                    allow_promotion_codes: r.allow_promotion_codes.unwrap_or(false),
                    enabled: r.enabled,
                    expires_at: None,
                    url: None,
                }),
            }
        }),
        allow_promotion_codes: params.allow_promotion_codes,
        amount_subtotal: Some(amount),
        amount_total: Some(amount),
        automatic_tax: CheckoutSessionAutomaticTax {
            enabled: params.automatic_tax.as_ref().is_some_and(|t| t.enabled),
            liability: None,
            status: None,
        },
        billing_address_collection: params.billing_address_collection.as_ref().map(same),
        cancel_url: params.cancel_url.clone(),
        client_reference_id: params.client_reference_id.clone(),
        client_secret: if embedded { Nullable::Value(format!("{id}_secret_{}", ids::new_id("", 24))) } else { Nullable::Absent },
        consent: None,
        consent_collection: params.consent_collection.as_ref().map(|c| CheckoutSessionConsentCollection {
            promotions: c.promotions.as_ref().map(same),
            terms_of_service: c.terms_of_service.as_ref().map(same),
        }),
        created: now,
        currency,
        currency_conversion: Nullable::Absent,
        custom_fields: Vec::new(),
        custom_text: CheckoutSessionCustomText {
            after_submit: Nullable::Absent,
            shipping_address: params.custom_text.as_ref().and_then(|t| text(&t.shipping_address)),
            submit: params.custom_text.as_ref().and_then(|t| text(&t.submit)),
            terms_of_service_acceptance: Nullable::Absent,
        },
        customer: params.customer.clone().map(Expandable::Id),
        customer_creation: match &params.customer_creation {
            Some(c) => Some(same(c)),
            None if payment => Some(CheckoutSessionCustomerCreation::IfRequired),
            None => None,
        },
        customer_details: None,
        customer_email: params.customer_email.clone(),
        expires_at,
        invoice: None,
        invoice_creation: payment.then(|| CheckoutSessionInvoiceCreation {
            enabled: params.invoice_creation.as_ref().is_some_and(|i| i.enabled),
            invoice_data: CheckoutSessionInvoiceData {
                account_tax_ids: None,
                custom_fields: None,
                description: None,
                footer: None,
                issuer: None,
                metadata: Some(BTreeMap::new()),
                rendering_options: None,
            },
        }),
        line_items: Nullable::Absent,
        livemode: false,
        locale: params.locale.clone(),
        metadata: Some(params.metadata.clone().unwrap_or_default()),
        mode: params.mode.clone(),
        payment_intent: None,
        payment_link: None,
        payment_method_collection: Some(
            params.payment_method_collection.as_ref().map_or(CheckoutSessionPaymentMethodCollection::Always, same),
        ),
        payment_method_configuration_details: Nullable::Absent,
        payment_method_options: Some(CheckoutSessionPaymentMethodOptions::default()),
        payment_method_types: match &params.payment_method_types {
            Some(types) if !types.is_empty() => types.iter().map(|t| t.as_str().to_owned()).collect(),
            _ => vec!["card".to_owned()],
        },
        payment_status: if payment || amount > 0 {
            CheckoutSessionPaymentStatus::Unpaid
        } else {
            CheckoutSessionPaymentStatus::NoPaymentRequired
        },
        phone_number_collection: Some(CheckoutSessionPhoneNumberCollection {
            enabled: params.phone_number_collection.as_ref().is_some_and(|p| p.enabled),
        }),
        recovered_from: None,
        redirect_on_completion: params.redirect_on_completion.as_ref().map_or(Nullable::Absent, |r| Nullable::Value(same(r))),
        return_url: params.return_url.clone().map_or(Nullable::Absent, Nullable::Value),
        saved_payment_method_options: Nullable::Absent,
        setup_intent: None,
        shipping_address_collection: params.shipping_address_collection.as_ref().map(|s| {
            CheckoutSessionShippingAddressCollection { allowed_countries: s.allowed_countries.clone() }
        }),
        shipping_cost: None,
        shipping_details: None,
        shipping_options: Vec::new(),
        status: Some(CheckoutSessionStatus::Open),
        submit_type: params.submit_type.as_ref().map(same),
        subscription: None,
        success_url: params.success_url.clone(),
        tax_id_collection: params
            .tax_id_collection
            .as_ref()
            .map_or(Nullable::Absent, |t| Nullable::Value(CheckoutSessionTaxIdCollection { enabled: t.enabled, required: None })),
        total_details: Some(CheckoutSessionTotalDetails { amount_discount: 0, amount_shipping: Some(0), amount_tax: 0 }),
        ui_mode: params.ui_mode.as_ref().map_or(Nullable::Absent, |m| Nullable::Value(same(m))),
        url: (!embedded).then(|| format!("{}/{id}", config.checkout_url)),
    };
    Ok((session, items))
}

fn text(position: &Option<OrEmpty<CustomTextPositionParams>>) -> Option<CustomTextPosition> {
    match position {
        Some(OrEmpty::Value(p)) => Some(CustomTextPosition { message: p.message.clone() }),
        _ => None,
    }
}
