"""Stable Diffusion on RestoreKit's engine against diffusers and transformers:
`python run.py RKBENCH FIXTURES [NAME …]` makes the small random pipelines
(fixtures.py) and runs every check_*.py here (or the named ones), each a
`check(bench, fixtures)` function that raises on a mismatch.
"""
import importlib
import os
import sys
import time

import fixtures
from sdtest import Bench


def main():
    rkbench, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    wanted = sys.argv[3:]
    fixtures.main(out)
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(f[:-3] for f in os.listdir(here) if f.startswith("check_") and f.endswith(".py"))
    failed = []
    for name in names:
        if wanted and name not in wanted and name[len("check_"):] not in wanted:
            continue
        start = time.monotonic()
        try:
            importlib.import_module(name).check(Bench(rkbench), out)
            print(f"{name}: passed ({time.monotonic() - start:.1f} s)", flush=True)
        except Exception as error:  # report every check, then fail
            failed.append(name)
            print(f"{name}: FAILED: {error}", flush=True)
    if failed:
        sys.exit(f"test-sd: {len(failed)} failed: {', '.join(failed)}")
    print("test-sd: all passed")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
