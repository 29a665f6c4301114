#!/usr/bin/env python3
"""services/README.md documents exactly the flags the services have.

Usage: readme_flags_check.py README.md SERVICE_BINARY...

Oracle: each binary's own --help (every flag it parses is listed there, common/flags.h). Checks
  * every flag of every service's --help is named in the README as `--flag` (in a code span or a
    code block), so an operator finds each one documented;
  * every `--flag` the README names exists in at least one service's --help, except the flags of
    the `superbet` CLI quoted in spans that start with "superbet " (the training-job text).
Prints each problem; exits 1 if there is any.
"""
import re
import subprocess
import sys

FLAG = re.compile(r"--([a-z][a-z0-9_]*)")


def help_flags(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit(f"{binary} --help exited {out.returncode}")
    return set(re.findall(r"^  --([a-z][a-z0-9_]*)$", out.stdout, re.M))


def readme_flags(text):
    flags = set()
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        flags |= set(FLAG.findall(block))
    text = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`]+)`", text):
        if span.startswith("superbet "):
            continue
        flags |= set(FLAG.findall(span))
    return flags


def main():
    readme = open(sys.argv[1], encoding="utf-8").read()
    documented = readme_flags(readme)
    documented.discard("name")  # "`--name` else `$SUPERBET_NAME`": the rule, not a flag.
    problems = []
    every = set()
    for binary in sys.argv[2:]:
        flags = help_flags(binary)
        every |= flags
        name = binary.rsplit("/", 1)[-1]
        for f in sorted(flags - documented - {"help"}):
            problems.append(f"{name} has --{f}, which services/README.md does not document")
    for f in sorted(documented - every):
        problems.append(f"services/README.md documents --{f}, which no service has")
    for p in problems:
        print("error: " + p, file=sys.stderr)
    print(f"{len(every)} flags, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
