#!/usr/bin/env python3
"""Compare two JSON documents: same keys and structure, numbers equal to 1e-12 relative.

Usage: compare_json.py OURS.json REFERENCE.json  (exit 0 when equal, 1 with the differences)
"""
import json
import math
import sys


def diff(a, b, path, out):
    if isinstance(b, dict):
        if not isinstance(a, dict):
            out.append(f"{path}: {a!r} is not an object")
            return
        if list(a) != list(b):
            out.append(f"{path}: keys {list(a)} != {list(b)}")
        for k in b:
            if k in a:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(b, (int, float)) and not isinstance(b, bool):
        if not isinstance(a, (int, float)) or not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300):
            out.append(f"{path}: {a!r} != {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")


def main():
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        ref = json.load(f)
    out = []
    diff(ours, ref, "$", out)
    for line in out:
        print(line)
    sys.exit(1 if out else 0)


if __name__ == "__main__":
    main()
