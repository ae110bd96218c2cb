"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from
the project's own material: the spec's examples and schemas, the fixture
specs, and the wire forms the tests pin. Run from the repository root:
`python3 fuzz/seeds/make.py` (the corpora are committed; rerun after the
spec changes)."""

import base64, hashlib, hmac, json, os, pathlib, struct
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "fuzz" / "corpus"
spec = yaml.safe_load((ROOT / "spec" / "checkout_sessions.yaml").read_text())
schemas = spec["components"]["schemas"]


def write(target, name, data):
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / name).write_bytes(data)


GOOD = ("mode=payment&success_url=https%3A%2F%2Fe.x&line_items[0][price]=price_1MotwRLkdIwHu7ixYcPLm5uZ"
        "&line_items[0][quantity]=1")
AD_HOC = ("mode=payment&success_url=x&line_items[0][price_data][currency]=usd&line_items[0][price_data]"
          "[product_data][name]=T&line_items[0][price_data][unit_amount]=1099&line_items[0][quantity]=2"
          "&metadata[order]=6735&expand[]=line_items&custom_text[submit][message]=Thanks")
QUERIES = ["limit=3&status=open&created[gte]=1679600215&expand[]=data.line_items",
           "customer_details[email]=a@b.c&starting_after=cs_test_1", "expand[0]=line_items&expand[1]=customer"]

# 1. form_decode: operation byte, query, newline, form body.
for i, (op, query, body) in enumerate([(0, QUERIES[0], ""), (0, QUERIES[1], ""), (1, "", GOOD), (1, "", AD_HOC),
                                       (2, QUERIES[2], ""), (3, "", "expand[]=line_items"), (4, "limit=2", "")]):
    write("form_decode", f"seed{i}", bytes([op]) + query.encode() + b"\n" + body.encode())

# 2. router: raw HTTP/1.1 requests.
AUTH = "authorization: Bearer sk_test_reference\r\n"
def post(path, body, extra=""):
    return (f"POST {path} HTTP/1.1\r\nhost: x\r\n{AUTH}content-type: application/x-www-form-urlencoded\r\n"
            f"{extra}content-length: {len(body)}\r\n\r\n{body}")
chunked = (f"POST /v1/checkout/sessions HTTP/1.1\r\nhost: x\r\n{AUTH}content-type: application/x-www-form-urlencoded"
           f"\r\ntransfer-encoding: chunked\r\n\r\n{len(GOOD):x}\r\n{GOOD}\r\n0\r\n\r\n")
routers = [post("/v1/checkout/sessions", GOOD), post("/v1/checkout/sessions", AD_HOC), chunked,
           f"GET /v1/checkout/sessions?{QUERIES[0]} HTTP/1.1\r\nhost: x\r\n{AUTH}\r\n",
           f"GET /v1/checkout/sessions/cs_test_1?expand[]=line_items HTTP/1.1\r\nhost: x\r\n{AUTH}\r\n",
           post("/v1/checkout/sessions/cs_test_1/expire", ""),
           f"GET /v1/checkout/sessions/cs_test_1/line_items?limit=2 HTTP/1.1\r\nhost: x\r\n{AUTH}\r\n",
           post("/v1/checkout/sessions", GOOD) + f"GET /v1/checkout/sessions HTTP/1.1\r\nhost: x\r\n{AUTH}\r\n",
           f"DELETE /v1/checkout/sessions HTTP/1.1\r\nhost: x\r\n{AUTH}\r\n",
           post("/v1/checkout/sessions", GOOD, "expect: 100-continue\r\n"),
           # The key as the Basic user (`curl -u sk_test_reference:`), then
           # Basic credentials that are not base64, and cookies.
           "GET /v1/checkout/sessions HTTP/1.1\r\nhost: x\r\nauthorization: Basic "
           + base64.b64encode(b"sk_test_reference:").decode() + "\r\n\r\n",
           "GET /v1/checkout/sessions HTTP/1.1\r\nhost: x\r\nauthorization: basic %%%=\r\ncookie: a=1; b; c=%zz\r\n\r\n"]
for i, request in enumerate(routers):
    write("router", f"seed{i}", request)

# 3. webhook_signature: mode byte; even: the body alone (signed by the
# target); odd: header, newline, body.
SECRET, NOW = b"whsec_fuzz", 1700000000
def example_values(content):
    """The example values of a media type, through `#/components/examples`."""
    out = [content["example"]] if "example" in content else []
    for example in content.get("examples", {}).values():
        if "$ref" in example:
            example = spec["components"]["examples"][example["$ref"].rsplit("/", 1)[-1]]
        if "value" in example:
            out.append(example["value"])
    return out
events = []
for name, item in spec.get("x-webhooks", {}).items():
    for example in example_values(item["post"]["requestBody"]["content"]["application/json"]):
        events.append(json.dumps(example, separators=(",", ":")).encode())
for i, body in enumerate(events):
    write("webhook_signature", f"signed{i}", b"\x00" + body)
    mac = hmac.new(SECRET, f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    write("webhook_signature", f"header{i}", b"\x01" + f"t={NOW},v1={mac},v0=old".encode() + b"\n" + body)

# 4. generator: the fixture specs and the broken ones, and the OAI's small
# OpenAPI 3.1 and 3.2 test documents (3.2: those to accept and to reject).
for folder in ["tests/fixtures", "tests/bad_specs", "tests/openapi31/oai-tests-pass"]:
    for path in sorted((ROOT / folder).glob("*.yaml")):
        write("generator", f"{path.parent.name}_{path.stem}", path.read_bytes())
for folder in ["tests/openapi32/oai-tests-pass", "tests/openapi32/oai-tests-fail"]:
    for path in sorted((ROOT / folder).glob("*.yaml")):
        write("generator", f"oas32_{path.parent.name}_{path.stem}", path.read_bytes())

# 5. validator: a schema on the first line, an instance after it.
examples = []
def collect(node):
    if isinstance(node, dict):
        if "example" in node and isinstance(node.get("properties"), dict):
            examples.append((node, node["example"]))
        for value in node.values():
            collect(value)
    elif isinstance(node, list):
        for value in node:
            collect(value)
collect(spec)
def inline(node, depth=0):
    """The schema with its references replaced, a few levels deep."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = schemas.get(node["$ref"].rsplit("/", 1)[-1], {})
            return inline(target, depth + 1) if depth < 3 else {}
        return {k: inline(v, depth) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, depth) for v in node]
    return node
pairs = [(inline(s), e) for s, e in examples[:12]]
for item in spec["paths"].values():
    for operation in item.values():
        for response in operation.get("responses", {}).values():
            content = response.get("content", {}).get("application/json")
            if content and "schema" in content:
                pairs += [(inline(content["schema"]), value) for value in example_values(content)[:2]]
pairs += [({"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"}, "abcd"),
          ({"type": "integer", "minimum": 0, "maximum": 99999999, "multipleOf": 2}, 7),
          ({"anyOf": [{"type": "string"}, {"type": "object", "required": ["a"], "properties": {"a": {"type": "boolean"}}}]}, {"a": 1}),
          ({"type": "array", "maxItems": 2, "items": {"type": "number", "nullable": True}}, [1, None, 3]),
          ({"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string", "readOnly": True}}, {"a": "b"})]
for i, (schema, instance) in enumerate(pairs):
    write("validator", f"seed{i}", json.dumps(schema) + "\n" + json.dumps(instance))

# $ref cycles through every applicator, consuming the value or not (`s` is
# the schema itself, `other` an object whose property `s` refers to it).
S, O = {"$ref": "#/components/schemas/s"}, {"$ref": "#/components/schemas/other"}
cycles = [
    {"allOf": [S, {"type": "object"}]}, {"allOf": [S]}, {"anyOf": [S]}, {"oneOf": [S]},
    {"anyOf": [S, {"type": "string"}]}, {"oneOf": [S, {"type": "string"}]}, {"not": S},
    {"allOf": [O]}, {"anyOf": [O, S]}, {"if": S, "then": S, "else": S}, {"if": True, "then": S},
    {"dependentSchemas": {"a": S}}, {"$ref": "#/components/schemas/s", "type": "object"},
    {"items": S}, {"prefixItems": [S, S]}, {"contains": S}, {"properties": {"a": S}, "additionalProperties": S},
    {"patternProperties": {"^a": S}}, {"propertyNames": S}, {"unevaluatedProperties": S, "allOf": [S]},
    {"unevaluatedItems": S, "anyOf": [S]}, {"$dynamicAnchor": "n", "items": {"$dynamicRef": "#n"}},
    {"$id": "https://e.x/s", "allOf": [{"$ref": "https://e.x/s"}, {"$ref": "#"}]},
    {"$anchor": "me", "anyOf": [{"$ref": "#me"}]},
]
for i, schema in enumerate(cycles):
    write("validator", f"cycle{i}", json.dumps(schema) + "\n" + json.dumps({"a": [{"a": 1}], "s": "x"}))
    spec31 = {"openapi": "3.1.0", "info": {"title": "Cycle", "version": "1"}, "paths": {"/s": {"post": {
        "requestBody": {"content": {"application/json": {"schema": S}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": O}}}}}}},
        "components": {"schemas": {"s": schema, "other": {"type": "object", "properties": {"s": S}}}}}
    write("generator", f"cycle{i}", json.dumps(spec31, indent=1))

# 6. client_decode: status (2 bytes, little-endian, from 100), request-id byte, body.
def status(code):
    return struct.pack("<H", code - 100)
session = next((v for v, in ([x] for c in [spec["components"]["examples"]] for x in (e.get("value") for e in c.values()))
                if isinstance(v, dict) and v.get("object") == "checkout.session"), {"id": "cs_1"})
listing = {"object": "list", "data": [session], "has_more": False, "url": "/v1/checkout/sessions"}
error = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such session"}}
for i, (code, body) in enumerate([(200, session), (200, listing), (404, error), (400, error), (500, "oops"), (200, {"id": 1})]):
    write("client_decode", f"seed{i}", status(code) + b"\x00" + json.dumps(body).encode())
# 7. media: mode byte (0 multipart, 1 events, 2 JSON lines), chunk size byte, then
# for multipart the Content-Type, a newline and the body.
B = "XyZ"
def part(name, value, filename=None, kind=None):
    head = f'Content-Disposition: form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{B}\r\n{head}\r\n" + (f"Content-Type: {kind}\r\n" if kind else "") + f"\r\n{value}\r\n"
upload = part("file", "%PDF-1.4 x", "a.pdf", "application/pdf") + part("purpose", "invoice") + part("tags", "a") + \
    part("tags", "b") + part("meta", '{"source": "s"}', kind="application/json") + f"--{B}--\r\n"
media = [
    (0, 1, f"multipart/form-data; boundary={B}\n" + upload),
    (0, 7, f"multipart/form-data; boundary={B}\n" + upload[: len(upload) // 2]),
    (0, 3, "multipart/form-data\n" + upload),
    (0, 5, f"multipart/form-data; boundary={B}\n--{B}\r\nContent-Disposition: form-data; name=\"" + "h" * 80),
    (1, 2, 'id: 0\ndata: {"delta":"a"}\n\n: keep-alive\n\nevent: tick\r\ndata: one\r\ndata: two\r\n\r\ndata: [DONE]\n\n'),
    (1, 1, "\ufeffretry: 3000\rid: a\x00b\rdata\r\rdata:x" + "y" * 300 + "\n\n"),
    (2, 4, '{"id": 1, "name": "a"}\n\n{"id": 2}\r\n  \n{"id": 3}'),
    (2, 9, '{"id": 1}\n' + "z" * 100 + "\n"),
]
for i, (mode, size, text) in enumerate(media):
    write("media", f"seed{i}", bytes([mode, size]) + text.encode())
print("seeds written under", OUT)

# bundle: a spec split across files, the files separated by NUL bytes and
# written as openapi.yaml, f1.yaml, sub/f2.yaml, f3.yaml... (see the target).
HEAD = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
TREES = [
    # References into each file, a loop across files, a sub-folder and back.
    [HEAD + "paths:\n  /pets:\n    $ref: 'sub/f2.yaml#/item'\ncomponents:\n  schemas:\n    Pet:\n      $ref: f1.yaml\n",
     "type: object\nproperties:\n  owner:\n    $ref: 'sub/f2.yaml#/Owner'\n",
     "item:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema:\n              $ref: ../f1.yaml\nOwner:\n  type: object\n  properties:\n    pets:\n      type: array\n      items:\n        $ref: '../f1.yaml'\n"],
    # Outside the folder, a URL, a missing file and pointer.
    [HEAD + "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '../outside.yaml'}\n    B: {$ref: 'https://example.com/x.yaml#/B'}\n    C: {$ref: 'f9.yaml'}\n    D: {$ref: 'f1.yaml#/nothing'}\n", "{}"],
    # OpenAPI 3.2 and 3.1 parts in files.
    ["openapi: 3.2.0\ninfo: {title: T, version: '1'}\npaths:\n  /items:\n    query:\n      responses:\n        '200':\n          content:\n            application/jsonl:\n              $ref: 'f1.yaml#/Lines'\n",
     "Lines:\n  itemSchema:\n    $ref: 'sub/f2.yaml'\n", "type: [string, 'null']\n"],
    # A file that refers to itself and to the root.
    [HEAD + "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'f1.yaml#/A'}\n", "A: {$ref: '#/B'}\nB: {$ref: 'openapi.yaml#/components/schemas/A'}\n"],
    # Parts put inside themselves (found by this target: a stack overflow):
    # by the file's name, by a pointer of the file, through another file.
    [HEAD + "paths:\n  /a:\n    $ref: 'f1.yaml#/Lines'\n", "Lines:\n  $ref: 'f1.yaml#/Lines'\n"],
    [HEAD + "paths:\n  /a:\n    $ref: 'f1.yaml#/Item'\n", "Item:\n  $ref: '#/Item'\n"],
    [HEAD + "paths:\n  /a:\n    $ref: 'f1.yaml#/A'\n", "A:\n  $ref: 'sub/f2.yaml#/B'\n", "B:\n  $ref: '../f1.yaml#/A'\n"],
]
for i, files in enumerate(TREES):
    write("bundle", f"tree{i}", "\0".join(files))
