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
whose every break never reached the wire, read from the request as it was
sent: a field the tool meant to send that is not on the wire (it writes
`None`, `{}` and `[]` as nothing), a body field it cannot write, or a key
it added beside the declared ones, in the body or in a query object, when
every key on the wire is declared (`created[zz]` with `None` sends only
`created[gt]`). The request the API accepted is not the one the tool meant
to send. The rule reads the schema at the tool's pointer from
`checkout_sessions.yaml` beside this file.
"""

import json
import os
import re
import time
from urllib.parse import parse_qsl, urlsplit

import schemathesis
import yaml

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


SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkout_sessions.yaml")
_spec = []


def spec():
    """The API's spec, read once."""
    if not _spec:
        with open(SPEC_PATH, encoding="utf-8") as f:
            _spec.append(yaml.safe_load(f))
    return _spec[0]


def pointer_parts(pointer):
    """The segments of a JSON pointer (`/a/b~1c` is `a`, `b/c`)."""
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def resolved(node):
    """`node`, its `$ref`s (`#/...`) followed within the spec."""
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        target = spec()
        for part in pointer_parts(node["$ref"].lstrip("#")):
            target = target[int(part)] if isinstance(target, list) else target[part]
        node = target
    return node


def location_schema(label, location, param):
    """The schema of a query parameter, or of the form body, of an operation."""
    method, path = label.split(" ", 1)
    operation = spec()["paths"][path][method.lower()]
    if location == "body":
        return resolved(operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"])
    for parameter in operation.get("parameters", []):
        parameter = resolved(parameter)
        if parameter.get("name") == param and parameter.get("in") == "query":
            return resolved(parameter.get("schema"))
    return None


def sent_keys(request, location):
    """The keys of the query or form body as they went on the wire."""
    if location == "query":
        text = urlsplit(request.url).query
    else:
        text = request.body or ""
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return [key for key, _ in parse_qsl(text, keep_blank_values=True)]


VIOLATION = re.compile(r"violates ((?:`[^`]+`(?:, )?)+)(?: at (/\S*))?")


def lost_in_the_form(message, case, response):
    """Whether every value a negative case broke never reached the wire as
    broken (rule 5), read from the request as it was sent: the request the
    API accepted is not the one the tool meant to send."""
    in_body, in_query = " in body" in message, " in query" in message
    violations = VIOLATION.findall(message)
    if in_body == in_query or not violations:
        return False
    location = "body" if in_body else "query"
    try:
        keys = sent_keys(response.request, location)
        return all(lost(case, location, keys, keywords, pointer) for keywords, pointer in violations)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return False


def lost(case, location, keys, keywords, pointer):
    """Whether the value `pointer` names (in the schema of `location`) went
    on the wire other than broken: not at all, garbled (a body field the tool
    cannot write), or, where the break is a key added beside the declared
    ones, with only declared keys."""
    parts = pointer_parts(pointer)
    label = case.operation.label
    if location == "body" and not parts:
        schema, sent = location_schema(label, "body", None), [key.split("[")[0] for key in keys]
    elif len(parts) >= 2 and parts[0] == "properties":
        field, rest = parts[1], parts[2:]
        meant = case.body if location == "body" else case.query
        meant = meant if isinstance(meant, dict) else {}
        if not any(names_field(key, field) for key in keys):
            # Lost if the tool meant to send it; left out on purpose, the
            # break (a missing field) reached the wire.
            return field in meant
        if location == "body" and field in meant and not written_as_is(meant[field]):
            return True
        if location == "body" or any(key == field for key in keys):
            return False
        schema = location_schema(label, "query", field)
        while rest:
            if rest[0] not in ("anyOf", "oneOf", "allOf") or len(rest) < 2:
                return False
            schema, rest = resolved(schema[rest[0]][int(rest[1])]), rest[2:]
        sent = [key[len(field) + 1 :].split("]")[0] for key in keys if key.startswith(field + "[")]
    else:
        return False
    if keywords != "`additionalProperties`" or not isinstance(schema, dict):
        return False
    declared = schema.get("properties", {})
    return all(key in declared for key in sent)


def names_field(param, field):
    """Whether `param` (an error's, or a key on the wire) is `field` or a
    part of it (`field[0][price]`)."""
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
        return not lost_in_the_form(failure.message, case, response)
    if failure.code != REJECTED_POSITIVE_DATA:
        return True
    reason = excuse(case.operation.label, case.query, case.body, response.status_code, error_object(response))
    return reason is None
