"""The JSON Schema in docs/ agrees with the library: the bundled samples validate, its
code lists equal the taxonomies, and what the parser rejects the schema rejects too
where a schema can express it."""
import json

import pytest

import complaintkit as ck

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def schema(source_dir):
    with open(source_dir / "docs" / "complaint.schema.json", encoding="utf-8") as f:
        return json.load(f)


def _enums(node, out):
    if isinstance(node, dict):
        if "enum" in node and all(isinstance(x, str) for x in node["enum"]):
            out.append(set(node["enum"]))
        for v in node.values():
            _enums(v, out)
    elif isinstance(node, list):
        for v in node:
            _enums(v, out)
    return out


def test_samples_validate(schema, sample_path):
    validator = jsonschema.Draft202012Validator(schema)
    with open(sample_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            errors = list(validator.iter_errors(json.loads(line)))
            assert not errors, f"line {n}: {errors[0].message}"


def test_schema_code_lists_equal_taxonomies(schema):
    enums = _enums(schema, [])
    for name in ["category", "subcategory", "cause", "sub_cause", "attribution", "dimension", "severity",
                 "personality", "motive", "kind", "channel", "tier", "remedy_type", "event_type"]:
        codes = {m.code for m in ck.taxonomy(name)}
        assert codes in enums, f"schema has no enum equal to the {name} codes"


@pytest.mark.parametrize("doc", [
    {"id": "A"},
    {"id": "A", "received_at": "2024-01-01", "channel": "pigeon"},
    {"id": "A", "received_at": "2024-01-01", "amounts": {"paid": {"minor": -1, "currency": "CNY"}}},
    {"id": "A", "received_at": "2024-01-01", "colour": "red"},
    {"id": "A", "received_at": "yesterday"},
])
def test_schema_and_parser_both_reject(schema, doc):
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    with pytest.raises(ck.InputError):
        ck.Complaint.from_json(doc)
