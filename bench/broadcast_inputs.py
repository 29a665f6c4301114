#!/usr/bin/env python3
"""Writes the original design's benchmark predictions (../shared/anchors/original_design.py
generate_predictions(events, seed)) as Prediction JSON lines (decision.proto field names), so that
bench/broadcast_bench.cc measures the C++ plant on exactly the anchor's input.

Usage: broadcast_inputs.py ANCHOR_DIR EVENTS SEED OUT.jsonl
"""
import json
import sys

anchor_dir, events, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, anchor_dir)
import original_design  # noqa: E402

with open(out, "w", encoding="utf-8") as f:
    for p in original_design.generate_predictions(events, seed):
        m, pr = p["metrics"], p["prediction"]
        f.write(json.dumps({
            "match_id": p["match_id"], "home": p["teams"]["home"], "away": p["teams"]["away"],
            "kickoff": "2024-05-19T15:00:00Z", "pick": pr["pick"],
            "prob": {"home": pr["home_win"], "draw": pr["draw"], "away": pr["away_win"]},
            "odds": p["odds"], "confidence": m["confidence"], "vsnr": m["vsnr"], "cas": m["cas"],
            "kelly_fraction": m["kelly_fraction"], "gamma": m["gamma"],
            "decided_at": "2024-05-19T11:00:00Z", "agent": "model", "model_version": "anchor",
        }, ensure_ascii=False) + "\n")
