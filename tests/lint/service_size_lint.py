#!/usr/bin/env python3
"""Services are thin: flags -> library -> gRPC, each folder under a line budget.

Checks, from the repository root given as argv[1]:
  * every services/<name>/ folder except common/ (the shared gRPC runtime) holds at most
    BUDGET lines in all its files, comments included (`wc -l services/<name>/*`);
  * no file under include/ or lib/ includes a gRPC header: the library links without gRPC, so the
    logic a service runs can be reused (and unit-tested) by a program that does not serve gRPC.
Prints each service's count; exits 1 naming every violation.
"""
import pathlib
import re
import sys

BUDGET = 300
GRPC_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](grpcpp/|grpc/|grpc\+\+/)', re.M)


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    problems = []
    for folder in sorted(p for p in (root / "services").iterdir() if p.is_dir()):
        if folder.name == "common":
            continue
        lines = sum(len(f.read_bytes().splitlines()) for f in folder.rglob("*") if f.is_file())
        print(f"services/{folder.name}: {lines} lines (budget {BUDGET})")
        if lines > BUDGET:
            problems.append(f"services/{folder.name} has {lines} lines, over the {BUDGET}-line "
                            "budget: move its logic into the library")
    for tree in ("include", "lib"):
        for f in sorted((root / tree).rglob("*")):
            if f.suffix in (".h", ".cc") and GRPC_INCLUDE.search(f.read_text(errors="replace")):
                problems.append(f"{f.relative_to(root)} includes a gRPC header: the library must "
                                "not depend on gRPC (services/ only)")
    for p in problems:
        print("error: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
