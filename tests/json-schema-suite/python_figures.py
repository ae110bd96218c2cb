"""Per-file figures of Python's jsonschema on the vendored suite, run the way
tests/tests/json_schema_suite.rs runs ours (remotes from a registry at
http://localhost:1234/, format an assertion only in optional/format/).

    python3 tests/json-schema-suite/python_figures.py
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

here = pathlib.Path(__file__).parent
tests = here / "tests" / "draft2020-12"
remotes = here / "remotes"

resources = []
for path in sorted(remotes.rglob("*.json")):
    contents = json.loads(path.read_text())
    uri = "http://localhost:1234/" + path.relative_to(remotes).as_posix()
    resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
registry = Registry().with_resources(resources)

required = [0, 0]
optional = [0, 0]
for path in sorted(tests.rglob("*.json")):
    name = path.relative_to(tests).as_posix()
    formats = name.startswith("optional/format/")
    passed = total = 0
    for group in json.loads(path.read_text()):
        for test in group["tests"]:
            total += 1
            try:
                cls = jsonschema.validators.validator_for(group["schema"], default=jsonschema.Draft202012Validator)
                checker = cls.FORMAT_CHECKER if formats else None
                validator = cls(group["schema"], registry=registry, format_checker=checker)
                ok = validator.is_valid(test["data"])
            except Exception:
                ok = None
            passed += ok == test["valid"]
    sums = optional if name.startswith("optional/") else required
    sums[0] += passed
    sums[1] += total
    print(f"{name:<44} {passed:>7} {total:>7}")
print(f"required: {required[0]} of {required[1]} passed; optional: {optional[0]} of {optional[1]}")
print(f"jsonschema {jsonschema.__version__ if hasattr(jsonschema, '__version__') else ''}", file=sys.stderr)
