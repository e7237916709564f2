"""An API client that checks every answer against the OpenAPI schema (tests/test_openapi_schema.py).

jsonschema is not a dependency, so `_validate` reads the small subset of JSON Schema that ninja
and reviewtool/openapi.py write ($ref, anyOf, type, properties, required, items,
additionalProperties, enum).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ROOT = "/api/v1"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _problems(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str) -> Iterator[str]:
    schema = _resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [list(_problems(value, option, root, at)) for option in schema[key]]
            if all(options):
                yield f"{at}: {value!r} fits none of {key} ({options})"
            return
    expected = schema.get("type")
    if expected:
        kinds = expected if isinstance(expected, list) else [expected]
        # bool is an int in Python, not in JSON.
        fits = any(
            isinstance(value, _TYPES[k]) and not (isinstance(value, bool) and k != "boolean")
            for k in kinds
        )
        if not fits:
            yield f"{at}: {value!r} is not {expected}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                yield f"{at}: {name!r} missing"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                yield from _problems(item, properties[name], root, f"{at}.{name}")
            elif isinstance(extra, dict):
                yield from _problems(item, extra, root, f"{at}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _problems(item, schema["items"], root, f"{at}[{index}]")


def _validate(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    return list(_problems(value, schema, root, "body"))


def _template_for(schema: dict[str, Any], method: str, url: str) -> str:
    path = url.split("?", 1)[0]
    for template, operations in schema["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if method in operations and re.match(pattern, path):
            return template
    raise AssertionError(f"{method.upper()} {path} is no operation of the schema")


class Checked:
    """An API client whose every answer is checked against the schema and remembered."""

    def __init__(self, client: Any, schema: dict[str, Any], seen: dict) -> None:
        self.client, self.schema, self.seen = client, schema, seen

    def _check(self, method: str, path: str, response: Any) -> Any:
        template = _template_for(self.schema, method, ROOT + path)
        declared = self.schema["paths"][template][method]["responses"]
        status = response.status_code
        where = f"{method.upper()} {template} answered {status}"
        assert status in declared or str(status) in declared, (
            f"{where}, not declared ({sorted(declared)}): {response.content[:300]!r}"
        )
        content = (declared.get(status) or declared.get(str(status))).get("content", {})
        kind = response.get("Content-Type", "").split(";")[0].strip()
        if status == 204 or not content:
            assert not response.content, f"{where} with a body the schema does not declare"
        else:
            assert kind in content, f"{where} as {kind}, declared {sorted(content)}"
            if kind == "application/json":
                problems = _validate(response.json(), content[kind]["schema"], self.schema)
                assert not problems, f"{where}: {problems}"
        self.seen.setdefault((method, template), set()).add(status)
        return response

    def get(self, path: str, **params: object) -> Any:
        return self._check("get", path, self.client.get(path, **params))

    def post(self, path: str, data: object = None) -> Any:
        return self._check("post", path, self.client.post(path, data))

    def upload(self, path: str, data: dict[str, object]) -> Any:
        return self._check("post", path, self.client.upload(path, data))

    def put(self, path: str, data: object = None) -> Any:
        return self._check("put", path, self.client.put(path, data))

    def patch(self, path: str, data: object = None) -> Any:
        return self._check("patch", path, self.client.patch(path, data))

    def delete(self, path: str) -> Any:
        return self._check("delete", path, self.client.delete(path))
