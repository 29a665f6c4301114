#!/usr/bin/env python3
"""Writes tests/ratings/fixtures/market_filter_e0.txt: an independent, pure-Python (no numpy)
implementation of the market model's Kalman filter (include/superbet/ratings/team_model.h,
"market"; include/superbet/ratings/kalman.h) run on E0 2014/15 + 2015/16 of
../shared/data/football-data, with the same stand-in market goals as
tests/ratings/market_filter_test.cc (AddMarketGoals: 0.6 + 0.45 x home goals + 0.1 (i mod 7),
0.5 + 0.4 x away goals + 0.05 (i mod 5), i = row index over both files in file order).

Written from the model's description, not from the C++: the state [c, h, a_team, d_team] with a
dense covariance (a dict of dicts here), Kalman (1960)'s update for the Gaussian log-goals
observations and Fahrmeir (1992)'s working observation for the Poisson goals, the random walk and
summer term, the three-weakest start, and Dixon-Coles's rho by a bisection on the derivative of
the decayed sum of log tau (the C++ uses golden-section search on the function).

    python3 tests/ratings/make_market_filter_reference.py ../shared/data tests/ratings/fixtures

Fixture lines (tab-separated): as_of (YYYY-MM-DD), home, away, lambda, mu, rho ('%.12g').
"""
import datetime
import math
import os
import sys

# DefaultTeamModelOptions(kMarket).
MARKET_SD, DRIFT_SD, GOALS_SCALE, BREAK_SD, NEW_SD = 0.1, 0.01, 0.5, 0.5, 0.08
XI, WINDOW_DAYS = 0.006, 1095
RESTART_DAYS, BREAK_DAYS, ACTIVE_DAYS = 200, 45, 365


def load(path):
    rows = []
    with open(path, encoding='utf-8-sig') as f:
        header = f.readline().strip().split(',')
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            v = line.strip().split(',')
            if len(v) < 6 or not v[col['HomeTeam']]:
                continue
            d, m, y = (int(x) for x in v[col['Date']].split('/'))
            y = 2000 + y if y < 100 else y
            rows.append((datetime.datetime(y, m, d), v[col['HomeTeam']], v[col['AwayTeam']],
                         int(v[col['FTHG']]), int(v[col['FTAG']])))
    return rows


class Filter:
    def __init__(self):
        self.keys = ['c', 'h']
        self.mean = {'c': math.log(1.1), 'h': math.log(1.3)}
        self.cov = {'c': {'c': 0.04, 'h': 0.0}, 'h': {'c': 0.0, 'h': 0.04}}
        self.started, self.last = {}, {}
        self.clock = None

    def add_key(self, k, mean, var):
        if k not in self.mean:
            for j in self.keys:
                self.cov[j][k] = 0.0
            self.keys.append(k)
            self.cov[k] = {j: 0.0 for j in self.keys}
        for j in self.keys:  # Independent of everything else.
            self.cov[j][k] = 0.0
            self.cov[k][j] = 0.0
        self.cov[k][k] = var
        self.mean[k] = mean

    def dot(self, h):
        return sum(c * self.mean[k] for k, c in h)

    def update(self, h, z, r):
        ph = {i: sum(self.cov[i][k] * c for k, c in h) for i in self.keys}
        s = r + sum(c * ph[k] for k, c in h)
        innov = z - self.dot(h)
        for i in self.keys:
            self.mean[i] += ph[i] / s * innov
        for i in self.keys:
            for j in self.keys:
                self.cov[i][j] -= ph[i] * ph[j] / s

    def active(self, t):
        return [n for n in self.started
                if self.last[n] is not None and self.last[n] < t
                and (t - self.last[n]).total_seconds() <= ACTIVE_DAYS * 86400]

    def weakest_three(self, t):
        act = self.active(t)
        if not act:
            return 0.0, 0.0
        act.sort(key=lambda n: self.mean['a' + n] - self.mean['d' + n])
        k = act[:3]
        return (sum(self.mean['a' + n] for n in k) / len(k),
                sum(self.mean['d' + n] for n in k) / len(k))

    def process(self, t, home, away, x, y, mh, ma):
        if self.clock is not None and t > self.clock:
            q = DRIFT_SD ** 2 * (t - self.clock).total_seconds() / 86400
            for k in self.keys:
                self.cov[k][k] += q
        self.clock = t if self.clock is None else max(self.clock, t)
        for n in (home, away):
            gap = None if n not in self.started else (t - self.last[n]).total_seconds() / 86400
            if gap is None or gap > RESTART_DAYS:
                a, d = self.weakest_three(t)
                self.add_key('a' + n, a, NEW_SD ** 2)
                self.add_key('d' + n, d, NEW_SD ** 2)
                self.started[n] = True
                self.last.setdefault(n, None)
            elif gap > BREAK_DAYS:
                self.cov['a' + n]['a' + n] += BREAK_SD ** 2
                self.cov['d' + n]['d' + n] += BREAK_SD ** 2
        hrow = [('c', 1.0), ('h', 1.0), ('a' + home, 1.0), ('d' + away, 1.0)]
        arow = [('c', 1.0), ('a' + away, 1.0), ('d' + home, 1.0)]
        pred = (math.exp(self.dot(hrow)), math.exp(self.dot(arow)))
        self.update(hrow, math.log(mh), MARKET_SD ** 2)
        self.update(arow, math.log(ma), MARKET_SD ** 2)
        for row, g in ((hrow, x), (arow, y)):
            eta = self.dot(row)
            lam = math.exp(eta)
            self.update(row, eta + (g - lam) / lam, GOALS_SCALE / lam)
        self.last[home] = t
        self.last[away] = t
        return pred


def fit_rho(low):
    """Maximiser of sum w log tau over [lo, hi] by bisection on the (decreasing) derivative."""
    lo, hi = -0.25, 0.25
    for lam, mu, w, x, y in low:
        if x == 0 and y == 0:
            hi = min(hi, 0.999 / (lam * mu))
        if x == 0 and y == 1:
            lo = max(lo, -0.999 / lam)
        if x == 1 and y == 0:
            lo = max(lo, -0.999 / mu)

    def deriv(rho):
        s = 0.0
        for lam, mu, w, x, y in low:
            if x == 0 and y == 0:
                s += w * (-lam * mu) / (1 - lam * mu * rho)
            elif x == 0 and y == 1:
                s += w * lam / (1 + lam * rho)
            elif x == 1 and y == 0:
                s += w * mu / (1 + mu * rho)
            else:
                s += w * -1 / (1 - rho)
        return s

    if deriv(lo) <= 0:
        return lo
    if deriv(hi) >= 0:
        return hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if deriv(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def main():
    data, out_dir = sys.argv[1], sys.argv[2]
    rows = load(os.path.join(data, 'football-data/E0_1415.csv')) + \
        load(os.path.join(data, 'football-data/E0_1516.csv'))
    matches = []
    for i, (t, h, a, x, y) in enumerate(rows):
        matches.append((t, i, h, a, x, y, 0.6 + 0.45 * x + 0.1 * (i % 7),
                        0.5 + 0.4 * y + 0.05 * (i % 5)))
    matches.sort(key=lambda m: (m[0], m[1]))  # Stable by kickoff.
    cases = [(datetime.datetime(2015, 10, 3), [('Leicester', 'Man City'), ('Arsenal', 'Chelsea')]),
             (datetime.datetime(2016, 2, 13), [('Leicester', 'Man City'), ('Tottenham', 'Watford')]),
             (datetime.datetime(2016, 5, 1), [('Man United', 'Bournemouth'),
                                              ('Norwich', 'Liverpool')])]
    lines = []
    for as_of, pairs in cases:
        f = Filter()
        preds = []
        for m in matches:
            if m[0] >= as_of:
                break
            preds.append((m, f.process(m[0], m[2], m[3], m[4], m[5], m[6], m[7])))
        low = []
        for m, (lam, mu) in preds:
            days = (as_of - m[0]).total_seconds() / 86400
            if days > WINDOW_DAYS or m[4] > 1 or m[5] > 1:
                continue
            low.append((lam, mu, math.exp(-XI * math.floor(days)), m[4], m[5]))
        rho = fit_rho(low)
        for home, away in pairs:
            lam = math.exp(f.mean['c'] + f.mean['h'] + f.mean['a' + home] + f.mean['d' + away])
            mu = math.exp(f.mean['c'] + f.mean['a' + away] + f.mean['d' + home])
            lines.append('\t'.join([as_of.strftime('%Y-%m-%d'), home, away,
                                    '%.12g' % lam, '%.12g' % mu, '%.12g' % rho]))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'market_filter_e0.txt'), 'w') as out:
        out.write('# Written by tests/ratings/make_market_filter_reference.py (see its docstring).\n')
        out.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
