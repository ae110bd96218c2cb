"""schemathesis hooks, loaded by spec/schemathesis.toml (run by `.ci/run`).

The `positive_data_acceptance` check (ST202) fails a run when the API refuses
a request its schema allows. A few refusals are right, and this hook drops
exactly those, one failure at a time: each rule needs both the request and
the API's error object to show its reason, so every other refusal by the same
operation still fails the run. The README lists the rules; the test
`contract::schemathesis_hook_drops_only_the_refusals_it_names` holds them.

1. Both cursors. `starting_after` and `ending_before` exclude each other (a
   page cannot follow one object and precede another). OpenAPI cannot say
   that of two query parameters, so the tool sends both, and the API answers
   400 `parameter_invalid` naming one of them.
2. Only an `open` session can be expired: a rule of state, not of the
   request. The API answers 400 `checkout_session_not_open`, as Stripe does.
3. Rules of a create request between its fields, and of time, which its
   fields' descriptions state and no schema of OpenAPI 3.0 can: `line_items`
   are required outside `setup` mode; `success_url` is required unless
   `ui_mode` is `embedded`, where `success_url` and `cancel_url` are not
   allowed and `return_url` is required; `expires_at` lies 30 minutes to 24
   hours from now. Each is dropped only when the request breaks that rule.
4. Values the tool cannot write in a form. It hands a body or query to
   `requests` as a plain mapping, which writes an object as its keys, an
   array of objects as their keys, `True` where the wire says `true`, and
   `None`, `{}` and `[]` as nothing. The API then refuses the field it
   cannot read, and names it in `param`.

And one failure of `negative_data_rejection` (ST201): 5. a negative case
whose every broken value in a form body is one the tool cannot write (an
object missing a required field, sent as `{}`, is sent as nothing at all):
what the API accepted is not what the tool meant to send.
"""

import json
import re
import time

import schemathesis

ACCEPTED_NEGATIVE_DATA = "ST201"
REJECTED_POSITIVE_DATA = "ST202"


def written_as_is(value):
    """Whether `requests` writes `value` in a form as the spec's wire form
    does. It writes `None`, `{}` and `[]` as nothing at all."""
    def scalar(v):
        return isinstance(v, (str, int, float)) and not isinstance(v, bool)

    if isinstance(value, list):
        return bool(value) and all(scalar(v) for v in value)
    return scalar(value)


def declared_properties(case):
    """The properties the operation's body schema names, or None if unknown."""
    try:
        schema = case.operation.get_body_for_media_type(case.media_type).optimized_schema
        properties = schema.get("properties")
        return set(properties) if isinstance(properties, dict) else None
    except Exception:
        return None


def lost_in_the_form(message, case):
    """Whether every value a negative case broke in a form body is one the
    tool cannot write (rule 5): the request that reached the API is not the
    one it meant to send. A key added beside the declared ones is lost when
    every key that reaches the wire is declared."""
    body = case.body
    if "in body" not in message or not isinstance(body, dict):
        return False
    broken = re.findall(r"at /properties/([^/\s]+)", message)
    if broken:
        return all(field in body and not written_as_is(body[field]) for field in broken)
    if "`additionalProperties`" in message and not re.search(r" at /", message):
        declared = declared_properties(case)
        sent = [field for field, value in body.items() if value not in (None, {}, [])]
        return declared is not None and all(field in declared for field in sent)
    return False


def names_field(param, field):
    """Whether the error's `param` is `field` or a part of it (`field[0][price]`)."""
    return param == field or param.startswith(field + "[")


def outside_the_expiry_window(expires_at, now=None):
    """Whether `expires_at` is not 30 minutes to 24 hours from now (a minute
    either way is given to the clocks of the tool and of the API)."""
    if not isinstance(expires_at, int) or isinstance(expires_at, bool):
        return False
    now = time.time() if now is None else now
    return expires_at < now + 30 * 60 + 60 or expires_at > now + 24 * 3600 - 60


def breaks_a_create_rule(body, code, param):
    """Whether a create request breaks the rule its refusal names (rule 3)."""
    def given(field):
        return body.get(field) is not None

    embedded = body.get("ui_mode") == "embedded"
    if code == "parameter_missing":
        return (
            (param == "line_items" and body.get("mode") in ("payment", "subscription") and not body.get("line_items"))
            or (param == "success_url" and not embedded and not given("success_url"))
            or (param == "return_url" and embedded and not given("return_url"))
        )
    if code == "parameter_invalid":
        return (
            (param in ("success_url", "cancel_url") and embedded and given(param))
            or (param == "expires_at" and outside_the_expiry_window(body.get("expires_at")))
        )
    return False


def excuse(label, query, body, status, error):
    """Why this refusal of schema-valid data is right, or None if it is not."""
    if status != 400 or not isinstance(error, dict):
        return None
    code = error.get("code")
    param = error.get("param") or ""
    query = query if isinstance(query, dict) else {}
    cursors = ("starting_after", "ending_before")
    if code == "parameter_invalid" and param in cursors and all(query.get(c) is not None for c in cursors):
        return "both cursors"
    if label.endswith("/expire") and code == "checkout_session_not_open":
        return "session not open"
    body = body if isinstance(body, dict) else {}
    if label == "POST /v1/checkout/sessions" and breaks_a_create_rule(body, code, param):
        return "a rule between fields"
    for sent in (query, body):
        if any(names_field(param, field) for field, value in sent.items() if not written_as_is(value)):
            return "not writable in a form"
    return None


def error_object(response):
    try:
        return json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but a refusal of schema-valid data that `excuse`
    explains, and an acceptance of invalid data the tool never sent."""
    if failure.code == ACCEPTED_NEGATIVE_DATA:
        return not lost_in_the_form(failure.message, case)
    if failure.code != REJECTED_POSITIVE_DATA:
        return True
    reason = excuse(case.operation.label, case.query, case.body, response.status_code, error_object(response))
    return reason is None
