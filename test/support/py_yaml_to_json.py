"""Reads a YAML file with PyYAML's safe loaders and prints it as JSON, for the export cross-check test.

Usage: py_yaml_to_json.py FILE
Prints {"pure": <value>, "libyaml": <value or null when PyYAML was built without libyaml>}.
Values JSON cannot hold (a date, bytes, a set) are written as {"$python": "<type>", "repr": "..."} so the
test fails with a readable difference instead of this script guessing a conversion.
"""
import json
import sys

import yaml


def python_only(value):
    return {"$python": type(value).__name__, "repr": repr(value)}


def load(path, loader):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=loader)


def main():
    path = sys.argv[1]
    c_loader = getattr(yaml, "CSafeLoader", None)
    result = {
        "pure": load(path, yaml.SafeLoader),
        "libyaml": load(path, c_loader) if c_loader is not None else None,
    }
    # ensure_ascii keeps lone surrogates and odd characters intact through the pipe.
    sys.stdout.write(json.dumps(result, ensure_ascii=True, default=python_only, allow_nan=False))


if __name__ == "__main__":
    main()
