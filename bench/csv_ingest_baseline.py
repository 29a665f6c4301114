#!/usr/bin/env python3
"""Baseline for bench/csv_ingest_bench.cc: the same football-data.co.uk mapping in plain Python.

Debian python3 + the stdlib csv module only. Reads every <data>/football-data/*.csv into memory
once, then times parsing all of them from memory into dicts (one fixture dict per row, one line dict
per non-empty price) the way lib/providers/football_data_parse.cc maps them (same columns, same
validation of prices > 1, zero = not quoted, Europe/London kickoff via zoneinfo).

Usage: python3 bench/csv_ingest_baseline.py [DATA_ROOT] [--repeat N] [--counts]
Prints MB/s and rows/s of the best of N repeats (or, with --counts, per-file fixture/line counts,
used as an independent oracle by tests/providers/football_data_test.cc).
"""
import csv
import datetime
import glob
import io
import os
import re
import sys
import time
import zoneinfo

BOOKMAKERS = {
    "B365": "Bet365", "PS": "Pinnacle", "P": "Pinnacle", "BW": "BetWin", "IW": "Interwetten",
    "LB": "Ladbrokes", "WH": "WilliamHill", "VC": "VCBet", "GB": "Gamebookers",
    "SB": "Sportingbet", "SJ": "StanJames", "SO": "SportingOdds", "SY": "Stanleybet",
    "BS": "BlueSquare", "1XB": "1xBet", "BF": "Betfair", "BFE": "BetfairExchange",
    "Max": "market_max", "BbMx": "market_max", "Avg": "market_average", "BbAv": "market_average",
}
SUFFIXES = {
    "H": ("1X2", "HOME", False), "D": ("1X2", "DRAW", False), "A": ("1X2", "AWAY", False),
    "CH": ("1X2", "HOME", True), "CD": ("1X2", "DRAW", True), "CA": ("1X2", "AWAY", True),
    ">2.5": ("OU", "OVER", False), "O2DOT5": ("OU", "OVER", False),
    "<2.5": ("OU", "UNDER", False), "C>2.5": ("OU", "OVER", True),
    "C<2.5": ("OU", "UNDER", True), "AHH": ("AH", "HOME", False), "AHA": ("AH", "AWAY", False),
    "CAHH": ("AH", "HOME", True), "CAHA": ("AH", "AWAY", True),
}
STATS = {
    "HS": "home.shots", "AS": "away.shots", "HST": "home.shots_on_target",
    "AST": "away.shots_on_target", "HF": "home.fouls", "AF": "away.fouls",
    "HC": "home.corners", "AC": "away.corners", "HY": "home.yellow_cards",
    "AY": "away.yellow_cards", "HR": "home.red_cards", "AR": "away.red_cards",
    "HO": "home.offsides", "AO": "away.offsides", "HHW": "home.hit_woodwork",
    "AHW": "away.hit_woodwork", "HBP": "home.booking_points", "ABP": "away.booking_points",
    "Attendance": "attendance",
}
FIXED = {"Div", "Date", "Time", "HomeTeam", "AwayTeam", "FTHG", "FTAG", "FTR", "HTHG", "HTAG",
         "HTR", "Referee"}
LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.timezone.utc


def price_columns(header):
    idx = {name: i for i, name in reversed(list(enumerate(header)))}
    out = []
    for i, name in enumerate(header):
        if name in FIXED or name in STATS:
            continue
        best = None
        for prefix, book in BOOKMAKERS.items():
            if name.startswith(prefix) and name[len(prefix):] in SUFFIXES:
                if best is None or len(prefix) > len(best[0]):
                    best = (prefix, book, SUFFIXES[name[len(prefix):]])
        if best is None:
            continue
        prefix, book, (market, sel, closing) = best
        line_col = None
        if market == "AH":
            if closing:
                line_col = idx.get("AHCh")
            elif prefix + "AH" in idx:
                line_col = idx[prefix + "AH"]
            elif prefix.startswith("Bb") and "BbAHh" in idx:
                line_col = idx["BbAHh"]
            else:
                line_col = idx.get("AHh")
        out.append((i, book, market, sel, closing, line_col))
    return out


def parse_date(s):
    d, m, y = s.strip().split("/")
    y = int(y)
    if len(s.strip().split("/")[2]) == 2:
        y += 2000 if y < 50 else 1900
    return datetime.date(y, int(m), int(d))


def parse_season(text, league):
    rows = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(rows)]
    col = {name: i for i, name in reversed(list(enumerate(header)))}
    prices = price_columns(header)
    stats = [(col[c], k) for c, k in STATS.items() if c in col]
    fixtures, lines = [], []

    def cell(row, name):
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for row in rows:
        if all(not c.strip() for c in row):
            continue
        day = parse_date(cell(row, "Date"))
        home, away = cell(row, "HomeTeam"), cell(row, "AwayTeam")
        t = cell(row, "Time")
        if t:
            hh, mm = t.split(":")
            local = datetime.datetime(day.year, day.month, day.day, int(hh), int(mm), tzinfo=LONDON)
            kickoff = local.astimezone(UTC)
        else:
            kickoff = datetime.datetime(day.year, day.month, day.day, tzinfo=UTC)
        fid = "football-data:%s:%s:%s:%s" % (league, day.isoformat(), home, away)
        fx = {"id": fid, "home": home, "away": away, "kickoff": kickoff,
              "ft": (int(cell(row, "FTHG")), int(cell(row, "FTAG"))) if cell(row, "FTHG") else None,
              "referee": cell(row, "Referee") or None,
              "statistics": {k: int(row[i]) for i, k in stats if i < len(row) and row[i].strip()}}
        fixtures.append(fx)
        for i, book, market, sel, closing, line_col in prices:
            v = row[i].strip() if i < len(row) else ""
            if not v:
                continue
            odds = float(v)
            if odds == 0.0:
                continue
            if not odds > 1.0:
                raise ValueError("decimal odds must be > 1, got %r" % v)
            line = 2.5 if market == "OU" else None
            if market == "AH":
                lv = row[line_col].strip() if line_col is not None and line_col < len(row) else ""
                if not lv:
                    continue  # No handicap line: price cannot be placed (E0_0304 rows 103-111).
                line = float(lv)
            lines.append({"fixture_id": fid, "bookmaker": book, "market": market, "line": line,
                          "selection": sel, "decimal_odds": odds, "timestamp": kickoff,
                          "is_closing": closing})
    return fixtures, lines


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    # The 25 Premier League seasons, as the C++ benchmark (FindSeasons("E0")); the folder also
    # holds Championship (E1) files since c6ef16a, one of them not UTF-8.
    files = sorted(glob.glob(os.path.join(root, "football-data", "E0_*.csv")))
    texts = []
    for f in files:
        with open(f, "rb") as fh:
            raw = fh.read()
        texts.append((os.path.basename(f), raw))
    if "--counts" in sys.argv:
        for name, raw in texts:
            fx, ln = parse_season(raw.decode("utf-8-sig"), name.split("_")[0])
            print(name, len(fx), len(ln))
        return
    total_bytes = sum(len(raw) for _, raw in texts)
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        rows = 0
        for name, raw in texts:
            fx, _ = parse_season(raw.decode("utf-8-sig"), name.split("_")[0])
            rows += len(fx)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print("files=%d bytes=%d rows=%d best_of=%d seconds=%.4f MB/s=%.2f rows/s=%.0f" % (
        len(texts), total_bytes, rows, repeat, best, total_bytes / best / 1e6, rows / best))


if __name__ == "__main__":
    main()
