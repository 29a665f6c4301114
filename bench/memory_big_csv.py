#!/usr/bin/env python3
"""Builds the large football-data file of bench/README.md, "Memory (superbet backtest)".

Usage: bench/memory_big_csv.py SRC OUT_ROOT COPIES [--duplicate]

Writes OUT_ROOT/football-data/<name of SRC>: the header of SRC, then its rows COPIES times. Each
copy k gets its own team names ("<name> r<k>"), so no row repeats an earlier fixture; with
--duplicate the rows are copied unchanged (every copy after the first is a duplicate the loader
rejects). E0_2425.csv x 264 = 52,769,907 bytes, 100,320 fixtures. The output is data for a
measurement: write it under /tmp, never into the repository.
"""
import csv
import io
import os
import sys


def main():
    src, root, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    duplicate = "--duplicate" in sys.argv[4:]
    rows = list(csv.reader(io.StringIO(open(src, encoding="utf-8-sig").read())))
    header, body = rows[0], [r for r in rows[1:] if any(r)]
    home, away = header.index("HomeTeam"), header.index("AwayTeam")
    os.makedirs(os.path.join(root, "football-data"), exist_ok=True)
    out = os.path.join(root, "football-data", os.path.basename(src))
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        for k in range(copies):
            for r in body:
                if not duplicate:
                    r = list(r)
                    r[home], r[away] = f"{r[home]} r{k}", f"{r[away]} r{k}"
                w.writerow(r)


if __name__ == "__main__":
    main()
