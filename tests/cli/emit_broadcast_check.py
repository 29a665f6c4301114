#!/usr/bin/env python3
"""End to end: a real season's model output through the broadcast plant (issue 15).

Usage: emit_broadcast_check.py SUPERBET_EXE DATA_DIR

1. `superbet backtest --seasons 2324 --strategy model --model_pool_weight 1 --emit-predictions F`
   (the Dixon-Coles model, raw forecast, learning from every earlier E0 season; then the favourite
   and home baselines) exits 0; some lines carry a vsnr (E0 2023/24 has six bookmakers' closing
   prices), every vsnr is a finite number (absent otherwise, never 0 standing for "none"), and
   the model's own lines are there.
2. `superbet broadcast --input F --sink dir:OUT --json R` (embedded mode, replay clock) exits 0
   and publishes some events.
3. The invariant, against an oracle written here from the design's rules, not the plant's code:
   the filter (confidence >= 0.65, then vsnr present and >= 2.2, then cas present and >= 1.0;
   the first failing reason) gives the report's dropped counts and passed_filter; every
   distinct passing event id ("pred-{match_id}-{decided_at in Unix ms}") is published exactly
   once on each platform: the files OUT/{platform}/*.json are exactly those ids; per platform
   published + DLQ + duplicates suppressed == passed_filter; a passing line whose id was already
   published (the three strategies bet the same match at the same kickoff) is suppressed by the
   plant, however much later it comes, never posted twice: the DLQ stays empty and the
   suppressed count is the number of repeated ids.
"""
import calendar
import json
import math
import os
import subprocess
import sys
import tempfile
import time


def run(args):
    return subprocess.run(args, capture_output=True, timeout=600, text=True)


def unix_ms(rfc3339):
    # "2023-08-11T19:00:00Z" (the emitter writes whole seconds).
    t = time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")
    return calendar.timegm(t) * 1000


def first_failing(p):
    if not p.get("confidence", 0) >= 0.65:
        return "low_confidence"
    if "vsnr" not in p:
        return "missing_vsnr"
    if not p["vsnr"] >= 2.2:
        return "low_vsnr"
    if "cas" not in p:
        return "missing_cas"
    if not p["cas"] >= 1.0:
        return "low_cas"
    return None


def main():
    exe, data = sys.argv[1], sys.argv[2]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="superbet-emit-broadcast-") as tmp:
        emitted = os.path.join(tmp, "predictions.jsonl")
        r = run([exe, "backtest", "--data", data, "--seasons", "2324", "--strategy", "model",
                 "--model_pool_weight", "1", "--emit-predictions", emitted])
        if r.returncode != 0:
            print(r.stderr)
            sys.exit("backtest exited %d" % r.returncode)
        lines = [json.loads(l) for l in open(emitted, encoding="utf-8")]
        with_vsnr = [p for p in lines if "vsnr" in p]
        check(len(lines) > 760, "more lines than the two baselines' 760: %d" % len(lines))
        check(any(p["agent"] == "model" for p in with_vsnr), "model lines with a vsnr")
        check(len(with_vsnr) > len(lines) // 2, "most lines carry a vsnr: %d of %d"
              % (len(with_vsnr), len(lines)))
        check(all(isinstance(p["vsnr"], (int, float)) and math.isfinite(p["vsnr"])
                  for p in with_vsnr), "every vsnr is a finite number")

        out = os.path.join(tmp, "out")
        os.mkdir(out)
        report_path = os.path.join(tmp, "report.json")
        r = run([exe, "broadcast", "--input", emitted, "--sink", "dir:" + out,
                 "--json", report_path])
        if r.returncode != 0:
            print(r.stderr)
            sys.exit("broadcast exited %d" % r.returncode)
        report = json.load(open(report_path, encoding="utf-8"))

        dropped = {}
        passing_ids = set()
        passed = 0
        for p in lines:
            reason = first_failing(p)
            if reason:
                dropped[reason] = dropped.get(reason, 0) + 1
            else:
                passed += 1
                passing_ids.add("pred-%s-%d" % (p["match_id"], unix_ms(p["decided_at"])))
        check(report["input_lines"] == len(lines), "input_lines %s" % report["input_lines"])
        check(report["accepted"] == len(lines), "accepted %s" % report["accepted"])
        check(report["dropped"] == dropped, "dropped %s, oracle %s" % (report["dropped"], dropped))
        check(report["passed_filter"] == passed,
              "passed_filter %s, oracle %d" % (report["passed_filter"], passed))
        check(passed > 0, "some lines pass the filter")
        for platform in ("twitter", "telegram"):
            files = {f[:-len(".json")] for f in os.listdir(os.path.join(out, platform))}
            check(files == passing_ids, "%s: files == passing ids (%d files, %d ids)"
                  % (platform, len(files), len(passing_ids)))
            published = sum(report["published"].get(platform, {}).values())
            dlq = sum(report["dlq"].get(platform, {}).values())
            suppressed = report["platforms"][platform]["duplicates_suppressed"]
            check(published == len(files), "%s: published %d == files %d"
                  % (platform, published, len(files)))
            check(published + dlq + suppressed == passed,
                  "%s: published %d + dlq %d + suppressed %d == passed %d"
                  % (platform, published, dlq, suppressed, passed))
            # A repeated id is suppressed by the plant's idempotency check before any publish,
            # however long after the first (the three strategies' lines come one season after
            # another): none reaches the sink (whose refusal to overwrite would show as a DLQ
            # "duplicate" - a second post on a live platform).
            check(dlq == 0, "%s: nothing in the DLQ: %s" % (platform, report["dlq"].get(platform)))
            check(suppressed == passed - len(passing_ids),
                  "%s: suppressed %d == repeated ids %d"
                  % (platform, suppressed, passed - len(passing_ids)))
        print("lines %d, with vsnr %d, passed %d, distinct events %d, published %s"
              % (len(lines), len(with_vsnr), passed, len(passing_ids), report["published"]))
    if failures:
        for f in failures:
            print("FAILED:", f)
        sys.exit(1)


if __name__ == "__main__":
    main()
