#!/usr/bin/env python3
"""Flatten the JSON of `kunit.py parse --json=FILE` into one line per test
case: STATUS<TAB>suite.case[.param] (STATUS: PASS, FAIL, SKIP, ERROR)."""
import json
import sys


def walk(group, prefix):
    for case in group.get("test_cases", []):
        yield case["status"], prefix + case["name"]
    for sub in group.get("sub_groups", []):
        yield from walk(sub, prefix + sub["name"] + ".")


with open(sys.argv[1]) as f:
    top = json.load(f)
for status, name in walk(top, ""):
    print(f"{status}\t{name}")
