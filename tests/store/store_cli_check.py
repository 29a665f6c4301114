#!/usr/bin/env python3
"""End-to-end check of the store through the `superbet` tool (issue 14).

Usage: store_cli_check.py SUPERBET_EXE DATA_DIR [STORE_URL]

1. `superbet ingest --data DATA_DIR --store URL` exits 0 (a temporary SQLite file unless
   STORE_URL is given); a second ingest writes 0 rows in every table.
2. `superbet backtest` over every E0 season gives the same stdout and the same --json report,
   byte for byte, from --data and from --store.
3. `superbet replay --match 3754097` from --store prints, minute for minute, exactly the state
   that the replay from the files prints, with the 1/5/15-minute momentum attached; the 1-minute
   bucket of each minute holds that one row, and the final minute's maxima are the final score
   (1-0).
Oracle: the file-based commands (their outputs are compared, not re-derived).
"""
import json
import os
import subprocess
import sys
import tempfile


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=900, **kw)


def main():
    exe, data = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="superbet-store-cli-") as tmp:
        url = sys.argv[3] if len(sys.argv) > 3 else "sqlite:" + os.path.join(tmp, "store.db")
        first = run([exe, "ingest", "--data", data, "--store", url, "--json",
                     os.path.join(tmp, "ingest1.json")])
        assert first.returncode == 0, first.stderr.decode()[-2000:]
        second = run([exe, "ingest", "--data", data, "--store", url, "--json",
                      os.path.join(tmp, "ingest2.json")])
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        summary = json.load(open(os.path.join(tmp, "ingest2.json")))
        for table, counts in summary["tables"].items():
            assert counts["written"] == 0, (table, counts)
        assert summary["unexpected"] == 0

        outputs = []
        for source in (["--data", data], ["--store", url]):
            report = os.path.join(tmp, "report_%d.json" % len(outputs))
            r = run([exe, "backtest", *source, "--json", report])
            assert r.returncode == 0, r.stderr.decode()[-2000:]
            outputs.append((r.stdout, open(report, "rb").read()))
        assert outputs[0][0] == outputs[1][0], "backtest stdout differs between --data and --store"
        assert outputs[0][1] == outputs[1][1], "backtest JSON differs between --data and --store"
        seasons = json.loads(outputs[1][1])["seasons"]
        assert len(seasons) == 25, seasons  # Every E0 season, 2000/01 .. 2024/25.

        files = run([exe, "replay", "--data", data, "--match", "3754097"])
        store = run([exe, "replay", "--store", url, "--match", "3754097"])
        assert files.returncode == 0 and store.returncode == 0, store.stderr.decode()
        a = files.stdout.decode().splitlines()
        b = store.stdout.decode().splitlines()
        assert len(a) == len(b) == 96, (len(a), len(b))
        for k, (x, y) in enumerate(zip(a, b)):
            assert y.startswith('{"state":' + x + ',"momentum":'), "minute %d differs" % k
            m = json.loads(y)["momentum"]
            assert m["1m"]["rows"] == 1, (k, m)
        last = json.loads(b[-1])["momentum"]["15m"]
        assert (last["max_sh"], last["max_sa"]) == (1, 0), last
    print("store CLI check passed: ingest idempotent, backtest and replay equal from the store")


if __name__ == "__main__":
    main()
