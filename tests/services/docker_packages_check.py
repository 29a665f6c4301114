#!/usr/bin/env python3
"""Checks, without Docker, that each service's Dockerfile installs what its binary needs.

Oracles: the dynamic section of the service binary built here (readelf -d: its NEEDED
libraries), the Debian package that ships each library on this bookworm host (dpkg -S), apt's
own dependency closure of the runtime stage's packages (apt-cache depends --recurse), and
scripts/install-deps (the packages the build needs).

  * Runtime stage: every NEEDED library's package is installed by the stage's apt-get line or
    pulled in by it (bookworm-slim's essential packages libc6, libgcc-s1, libstdc++6 aside).
  * Build stage: every -dev / compiler package of scripts/install-deps that the library or the
    services need is installed (the ones for tests, benchmarks and sanitizers aside), so CMake's
    REQUIRED find_package calls succeed.

usage: docker_packages_check.py <repo root> <adapter-svc> <agent-svc> <broadcast-svc>"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
binaries = dict(zip(["adapter-svc", "agent-svc", "broadcast-svc"], sys.argv[2:5]))
errors = []
ESSENTIAL = {"libc6", "libgcc-s1", "libstdc++6"}
NOT_FOR_IMAGES = {"libbenchmark-dev", "libclang-rt-14-dev", "catch2", "ccache", "git", "clang",
                  "postgresql", "redis-server", "prometheus", "python3", "python3-yaml"}


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def stage_packages(stage_text):
    """The packages of the stage's `apt-get install` line(s)."""
    out = set()
    for m in re.finditer(r"apt-get install(.*?)(?:&&|$)", stage_text.replace("\\\n", " "), re.S):
        out |= {w for w in m.group(1).split() if not w.startswith("-")}
    return out


LDCONFIG = {}
for line in run("ldconfig", "-p").splitlines()[1:]:
    fields = line.split()
    if fields:
        LDCONFIG.setdefault(fields[0], fields[-1])


def packages_of(libraries):
    """library -> Debian package (None when no package ships it), with one dpkg -S call."""
    paths = {}
    for lib in libraries:
        if lib in LDCONFIG:
            paths[lib] = [LDCONFIG[lib], str(pathlib.Path(LDCONFIG[lib]).resolve())]
    r = subprocess.run(["dpkg", "-S", *sorted({p for ps in paths.values() for p in ps})],
                       capture_output=True, text=True)
    owner = {}
    for line in r.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        owner[path.strip()] = pkg.split(":")[0].strip()
    return {lib: next((owner[p] for p in paths.get(lib, []) if p in owner), None)
            for lib in libraries}


CLOSURES = {}


def closure_of(packages):
    key = frozenset(packages)
    if key not in CLOSURES:
        CLOSURES[key] = set(run("apt-cache", "depends", "--recurse", "--no-recommends",
                                "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
                                "--no-enhances", "--no-pre-depends", *sorted(packages)).split())
    return CLOSURES[key]


install_deps = (root / "scripts" / "install-deps").read_text()
block = re.search(r"PACKAGES=\((.*?)\)", install_deps, re.S).group(1)
build_needed = {w for w in block.split() if not w.startswith("#")} - NOT_FOR_IMAGES
build_needed = {p for p in build_needed if p.endswith("-dev") or p.startswith("protobuf-compiler")}

for name, binary in binaries.items():
    text = (root / "deploy" / name / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    if len(stages) != 2:
        errors.append(f"{name}: expected 2 stages, got {len(stages)}")
        continue
    build, runtime = stage_packages(stages[0]), stage_packages(stages[1])
    for p in sorted(build_needed - build):
        errors.append(f"{name}: build stage does not install {p} (scripts/install-deps has it)")
    closure = closure_of(runtime)
    needed = re.findall(r"\(NEEDED\).*\[(.+?)\]", run("readelf", "-d", binary))
    if not needed:
        errors.append(f"{name}: no NEEDED entry in {binary}")
    owners = packages_of(needed)
    for library in needed:
        pkg = owners[library]
        if pkg is None:
            errors.append(f"{name}: {library} belongs to no Debian package here")
        elif pkg not in ESSENTIAL and pkg not in closure:
            errors.append(f"{name}: runtime stage lacks {pkg} (for {library})")

for e in errors:
    print("docker_packages_check:", e)
print(f"docker_packages_check: {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
