"""schemathesis hooks for the media fixture (tests/fixtures/media.yaml),
loaded by media.toml beside this file (run by `.ci/run`).

1. JSON lines (`application/x-ndjson`) have no writer in the tool: the
   value it generates for the schema of one record goes as one line.
2. Server-sent events (ST108). The tool reads the schema under
   `text/event-stream` as the schema of an event (`data`, `event`, `id`,
   `retry`), as JSON Schema 2020-12 and OpenAPI 3.2 do; the fixture, like
   most real specs, gives the schema of one event's data. The failure is
   dropped only when the answer is an event stream and every event's data
   is JSON that the schema allows: an event whose data breaks it keeps it.
3. Multipart parts are text (ST201). A value the tool meant as an object or
   `null` in a text part goes on the wire as text (`tags: {}` as `{}`),
   which is a string the schema allows, or not at all. The failure is
   dropped only when the body as it went on the wire, read the way the
   server reads it (text parts as text, JSON parts as JSON, file parts as
   files), is valid for the schema: the request the API accepted is not the
   one the tool meant to send.
"""

import email.parser
import email.policy
import json
import os

import jsonschema
import schemathesis
import yaml

ACCEPTED_NEGATIVE_DATA = "ST201"
RESPONSE_VIOLATES_SCHEMA = "ST108"
SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "media.yaml")
_spec = []


def spec():
    """The fixture, read once."""
    if not _spec:
        with open(SPEC_PATH, encoding="utf-8") as f:
            _spec.append(yaml.safe_load(f))
    return _spec[0]


def json_schema(node, depth=0):
    """An OpenAPI 3.0 schema as JSON Schema: `$ref`s inlined (the fixture
    has no cycles; the depth is bounded all the same), `nullable` as a
    `null` type, `format: binary` (a file, read as a placeholder) dropped."""
    if depth > 32:
        return {}
    if isinstance(node, list):
        return [json_schema(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        target = spec()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return json_schema(target, depth + 1)
    out = {}
    for key, value in node.items():
        if key in ("properties",):
            out[key] = {name: json_schema(v, depth + 1) for name, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = json_schema(value, depth + 1)
        elif key == "format" and value == "binary":
            continue
        elif key != "nullable":
            out[key] = value
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


def operation(label):
    method, path = label.split(" ", 1)
    return spec()["paths"][path][method.lower()]


@schemathesis.serializer("application/x-ndjson", "application/jsonl")
def json_lines(ctx, value):
    """Rule 1: one record, one line."""
    return (json.dumps(value) + "\n").encode("utf-8")


def events_allowed(schema, text):
    """Rule 2: whether every event of `text` (an event stream) carries data
    that is JSON the schema allows. Lines are joined per event as the
    stream format says; comments and fields other than `data` are skipped."""
    validator = jsonschema.Draft7Validator(json_schema(schema))
    data, events = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") + [""]:
        if line == "":
            if data:
                events.append("\n".join(data))
            data = []
        elif line.startswith("data"):
            value = line[len("data"):]
            if value.startswith(":"):
                value = value[1:]
                value = value[1:] if value.startswith(" ") else value
                data.append(value)
            elif value == "":
                data.append("")
    for event in events:
        if event == "[DONE]":
            continue
        try:
            if not validator.is_valid(json.loads(event)):
                return False
        except ValueError:
            return False
    return True


def wire_parts(content_type, body):
    """The parts of a multipart body as it went on the wire: (name, file
    name, content type, bytes) each."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts.append((name, part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b""))
    return parts


def read_as_the_server_does(schema, parts):
    """The object a multipart body stands for: text parts as text (a number
    or a boolean where the schema says so), JSON parts as JSON, file parts
    as a placeholder; repeated parts, and parts for an array, as a list."""
    properties = schema.get("properties", {})
    out = {}
    for name, filename, content_type, content in parts:
        field = properties.get(name, {})
        item = field.get("items", {}) if field.get("type") == "array" else field
        if filename is not None or item.get("format") == "binary":
            value = "(file)"
        elif content_type == "application/json" or content_type.endswith("+json"):
            value = json.loads(content)
        else:
            value = content.decode("utf-8")
            if item.get("type") == "integer" and value.lstrip("-").isdigit():
                value = int(value)
            elif item.get("type") == "boolean" and value in ("true", "false"):
                value = value == "true"
        if field.get("type") == "array":
            out.setdefault(name, []).append(value)
        elif name in out:
            out[name] = [out[name], value] if not isinstance(out[name], list) else out[name] + [value]
        else:
            out[name] = value
    return out


def sent_valid(schema, content_type, body):
    """Rule 3: whether the multipart body as sent is valid for `schema`."""
    try:
        wire = read_as_the_server_does(schema, wire_parts(content_type, body))
    except (ValueError, UnicodeDecodeError, TypeError):
        return False
    return jsonschema.Draft7Validator(json_schema(schema)).is_valid(wire)


def header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but the two the exchange itself shows are not."""
    try:
        if failure.code == RESPONSE_VIOLATES_SCHEMA:
            if not header(response.headers, "content-type").startswith("text/event-stream"):
                return True
            responses = operation(case.operation.label)["responses"]
            media = responses[str(response.status_code)]["content"]["text/event-stream"]
            return not events_allowed(media["schema"], response.content.decode("utf-8"))
        if failure.code == ACCEPTED_NEGATIVE_DATA and (case.media_type or "").startswith("multipart/"):
            request = response.request
            body = request.body if isinstance(request.body, bytes) else (request.body or "").encode("utf-8")
            schema = operation(case.operation.label)["requestBody"]["content"]["multipart/form-data"]["schema"]
            return not sent_valid(json_schema(schema), header(request.headers, "content-type"), body)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return True
    return True
