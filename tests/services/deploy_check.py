#!/usr/bin/env python3
"""Validates deploy/ without Docker: the compose file, the Dockerfiles, Prometheus's scrape
targets and the Grafana dashboard. Oracle: the deployment rules of the design (three services
with non-root users, read-only root filesystems and /tmp as the only tmpfs; redis with AOF and a
`redis-cli ping` health check; db with pg_isready; prometheus on 9090, grafana on 3000; no
password in an environment value; metrics ports 9101-9103) and the metric names the design fixes
(HRL monitoring and broadcast tables) or the code exports.

usage: deploy_check.py <repo root>"""
import json
import pathlib
import re
import sys

import yaml

root = pathlib.Path(sys.argv[1])
deploy = root / "deploy"
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


compose = yaml.safe_load((deploy / "docker-compose.yml").read_text())
svcs = compose["services"]
METRICS_PORT = {"adapter-svc": 9101, "agent-svc": 9102, "broadcast-svc": 9103}
for name in ["adapter-svc", "agent-svc", "broadcast-svc", "redis", "db", "prometheus", "grafana"]:
    check(name in svcs, f"compose: service {name} missing")
for name, port in METRICS_PORT.items():
    s = svcs[name]
    check(str(s.get("user", "0")).split(":")[0] not in ("0", "root"), f"{name}: runs as root")
    check(s.get("read_only") is True, f"{name}: root filesystem not read-only")
    check(s.get("tmpfs") == ["/tmp"], f"{name}: tmpfs must be exactly /tmp, got {s.get('tmpfs')}")
    check(s.get("restart") == "always", f"{name}: restart must be always")
    check(s.get("depends_on", {}).get("redis", {}).get("condition") == "service_healthy",
          f"{name}: must wait for a healthy redis")
    env = s.get("environment", {})
    check(env.get("SUPERBET_METRICS_ADDRESS") == f"0.0.0.0:{port}",
          f"{name}: metrics port must be {port}")
    check(s["build"]["dockerfile"] == f"deploy/{name}/Dockerfile", f"{name}: dockerfile path")
redis = svcs["redis"]
cmd = " ".join(redis["command"])
check("--appendonly yes" in cmd, f"redis: AOF not enabled: {cmd}")
check(redis["healthcheck"]["test"][-2:] == ["redis-cli", "ping"], "redis: health check")
check("pg_isready" in " ".join(svcs["db"]["healthcheck"]["test"]), "db: pg_isready check")
check(svcs["db"]["environment"]["POSTGRES_DB"] == "betting", "db: database betting")
check("9090:9090" in svcs["prometheus"]["ports"], "prometheus: port 9090")
check("3000:3000" in svcs["grafana"]["ports"], "grafana: port 3000")
for name, s in svcs.items():
    for key, value in (s.get("environment") or {}).items():
        secret_like = re.search(r"PASSWORD|TOKEN|SECRET|KEY", key) and not key.endswith("_FILE")
        check(not secret_like, f"{name}: secret in environment variable {key}")
        check(not re.search(r"://[^/@\s]+:[^/@\s]+@", str(value)), f"{name}: password in URL {key}")
for secret in compose["secrets"].values():
    check(secret["file"].startswith("./secrets/"), f"secret outside deploy/secrets: {secret}")

# Each service's command and SUPERBET_* environment name only flags the service registers (a
# typo would exit 2 in a restart loop), and the files it reads from /run/secrets are secrets it
# mounts; every secret it mounts is read. broadcast-svc posts to Telegram by default
# (--platforms telegram): without a bot token file and a chat id it exits 1 at start-up.
FLAG_RE = re.compile(r'flags\.(?:String|Int|Double|Bool)\(\s*"(\w+)"')
for name in METRICS_PORT:
    s = svcs[name]
    short = name.removesuffix("-svc")
    known_flags = set()
    for folder in ("common", short):
        for src in (root / "services" / folder).glob("*.cc"):
            known_flags |= set(FLAG_RE.findall(src.read_text()))
    args = list(s.get("command", []))
    env = s.get("environment", {}) or {}
    for arg in args:
        flag = arg[2:].split("=", 1)[0] if arg.startswith("--") else None
        check(flag in known_flags, f"{name}: command argument {arg!r} is not a flag of {name}")
    given = {a[2:].split("=", 1)[0] for a in args if a.startswith("--")}
    for key in env:
        if key.startswith("SUPERBET_"):
            flag = key.removeprefix("SUPERBET_").lower()
            check(flag in known_flags, f"{name}: environment {key} names no flag of {name}")
            given.add(flag)
    text = " ".join(args) + " " + " ".join(str(v) for v in env.values())
    mounted = set(s.get("secrets", []))
    read = set(re.findall(r"/run/secrets/(\w+)", text))
    for secret in sorted(read - mounted):
        check(False, f"{name}: reads /run/secrets/{secret} but does not mount that secret")
    for secret in sorted(mounted - read):
        check(False, f"{name}: mounts secret {secret} but no flag or variable reads it")
    for secret in mounted:
        check(secret in compose["secrets"], f"{name}: secret {secret} is not declared")
    if name == "broadcast-svc":
        platforms = next((a.split("=", 1)[1] for a in args if a.startswith("--platforms=")),
                         env.get("SUPERBET_PLATFORMS", "telegram"))
        if "telegram" in platforms.split(","):
            check("telegram_token_file" in given, f"{name}: telegram needs --telegram_token_file")
            check("telegram_chat_id" in given, f"{name}: telegram needs --telegram_chat_id")

# Dockerfiles: multi-stage bookworm, non-root, the same recipe apart from SERVICE and ports.
normalised = set()
for name, port in METRICS_PORT.items():
    text = (deploy / name / "Dockerfile").read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    check(len(froms) == 2 and all("bookworm" in f for f in froms), f"{name}: FROM lines {froms}")
    users = re.findall(r"^USER (\S+)", text, re.M)
    check(users and users[-1].split(":")[0] not in ("0", "root"), f"{name}: USER {users}")
    short = name.removesuffix("-svc")
    grpc = {"adapter": 50051, "agent": 50052, "broadcast": 50053}[short]
    normalised.add(text.replace(name, "X").replace(f"SERVICE={short}", "SERVICE=X")
                   .replace(str(port), "P").replace(str(grpc), "G"))
check(len(normalised) == 1, "Dockerfiles differ beyond SERVICE and ports")

# Prometheus scrapes exactly the three metrics endpoints.
prom = yaml.safe_load((deploy / "prometheus" / "prometheus.yml").read_text())
targets = sorted(t for job in prom["scrape_configs"] for sc in job["static_configs"]
                 for t in sc["targets"])
check(targets == sorted(f"{n}:{p}" for n, p in METRICS_PORT.items()), f"targets {targets}")
check(prom["global"]["scrape_interval"] == "15s", "scrape interval must be 15s")

# Dashboard: parses, has the required panels, names only known metrics.
dash = json.loads((deploy / "grafana" / "dashboards" / "superbet.json").read_text())
titles = [p["title"] for p in dash["panels"]]
for needle in ["Budget remaining", "Bets rate by agent", "staleness", "Sharpe",
               "published / dropped", "Breaker states"]:
    check(any(needle.lower() in t.lower() for t in titles), f"dashboard: no panel '{needle}'")
stale = next(p for p in dash["panels"] if "staleness" in p["title"].lower())
steps = stale["fieldConfig"]["defaults"]["thresholds"]["steps"]
check(any(s["value"] == 30 for s in steps), "dashboard: staleness panel needs the 30 s threshold")
ids = [p["id"] for p in dash["panels"]]
check(len(ids) == len(set(ids)), "dashboard: duplicate panel ids")

DESIGN = {"hrl_bets_total", "hrl_reward", "hrl_budget_remaining", "hrl_data_staleness_seconds",
          "hrl_reward_sharpe", "hrl_ucb_score", "hrl_win_rate_last10",
          "hrl_risk_gate_rejected_total", "broadcast_published_total", "broadcast_dropped_total",
          "broadcast_circuit_breaker_state", "broadcast_digest_buffer_size",
          "broadcast_digest_staleness_seconds", "broadcast_latency_seconds",
          "broadcast_publish_attempts_total", "broadcast_publish_errors_total",
          "broadcast_error_rate", "up"}
source = "\n".join(p.read_text(errors="replace") for d in ("lib", "services")
                   for p in (root / d).rglob("*.cc"))
exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
for rule_file in sorted((deploy / "prometheus" / "rules").glob("*.yml")):
    rules = yaml.safe_load(rule_file.read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
FUNCS = {"sum", "by", "rate", "max", "histogram_quantile", "le", "job", "agent", "platform",
         "priority", "reason", "provider", "grpc_method", "grpc_code"}
for expr in exprs:
    for name in re.findall(r"[a-z_][a-z0-9_:]*", re.sub(r'"[^"]*"|\[[^\]]*\]', "", expr)):
        if name in FUNCS:
            continue
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        exported = f'"{name}"' in source or f'"{base}"' in source
        known = name in DESIGN or base in DESIGN or exported
        check(known, f"metric {name} (in '{expr.strip()}') is neither in the design nor exported")
        # The library's hrl_* metrics must be exported by a service, not only named in the design
        # (a panel on a metric nothing exports stays empty: the reward Sharpe panel did).
        check(not name.startswith("hrl_") or exported,
              f"metric {name} (in '{expr.strip()}') is in the design but nothing exports it")

for e in errors:
    print("deploy_check:", e)
print(f"deploy_check: {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
