"""Runs inside the sandbox (never imported by the grader): the unittest suite of many trees of a project we
generated ourselves, one after the other in this process (a fresh import of the project for each).

stdin: {"blobs": {key: text}, "trees": [{"id": str, "files": {path: key}}]}. stdout ends with one line
``CR-SUITES <json>``: per tree {"id", "ran", "failed": [test ids that failed or errored]}.
"""

import importlib
import json
import os
import sys
import unittest

MARK = "CR-SUITES "


def run_tree(root):
    sys.path.insert(0, root)
    before = set(sys.modules)
    try:
        loader = unittest.TestLoader()
        suite = loader.discover(start_dir=os.path.join(root, "tests"), top_level_dir=root)
        result = unittest.TestResult()
        suite.run(result)
        failed = sorted({test.id() for test, _ in result.failures + result.errors})
        failed += [f"load: {error.splitlines()[-1][:200]}" for error in loader.errors]
        return {"ran": result.testsRun, "failed": failed}
    finally:
        sys.path.remove(root)
        for name in set(sys.modules) - before:
            del sys.modules[name]
        importlib.invalidate_caches()


def main():
    data = json.loads(sys.stdin.read())
    blobs = data["blobs"]
    out = []
    for number, tree in enumerate(data["trees"]):
        root = f"/tmp/suites/{number}"
        for path, key in tree["files"].items():
            target = os.path.join(root, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(blobs[key])
        record = run_tree(root)
        record["id"] = tree["id"]
        out.append(record)
    sys.stdout.write("\n" + MARK + json.dumps(out) + "\n")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
