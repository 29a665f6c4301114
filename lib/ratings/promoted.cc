#include "superbet/ratings/promoted.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "superbet/core/status_macros.h"
#include "superbet/ratings/dixon_coles.h"

namespace superbet::ratings {
namespace {

using Strengths = absl::flat_hash_map<std::string, StrengthPrior>;

// Centred log strengths of every team of a fit on `table` rows before `as_of` (window).
Strengths FitStrengths(const MatchTable& table, absl::Time as_of,
                       const PromotedPriorOptions& options) {
  Strengths out;
  const size_t end = table.LowerBound(as_of);
  const size_t first = table.LowerBound(as_of - absl::Hours(24) * options.window_days);
  if (end - first < 100) return out;  // Too little to rate a division.
  DixonColesOptions o;
  o.xi_per_day = options.xi_per_day;
  auto m = DixonColesModel::Fit(table, first, end, as_of, o, nullptr);
  if (!m.ok()) return out;
  const std::vector<std::string> teams = m->teams();
  double mean_d = 0;
  for (const std::string& t : teams) mean_d += std::log(m->defence(t));
  mean_d /= static_cast<double>(teams.size());
  for (const std::string& t : teams) {
    out[t] = {std::log(m->attack(t)), std::log(m->defence(t)) - mean_d};
  }
  return out;
}

// Least squares y = alpha + beta x.
std::pair<double, double> Line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const double beta = sxx > 0 ? sxy / sxx : 0.0;
  return {my - beta * mx, beta};
}

absl::StatusOr<MatchTable> TableOf(absl::Span<const DivisionSeason> seasons) {
  std::vector<MatchResult> all;
  for (const DivisionSeason& s : seasons) all.insert(all.end(), s.matches.begin(), s.matches.end());
  return MatchTable::FromResults(all);
}

}  // namespace

absl::StatusOr<std::vector<PromotedSide>> PromotedPriors(absl::Span<const DivisionSeason> top,
                                                         absl::Span<const DivisionSeason> second,
                                                         const PromotedPriorOptions& options) {
  SUPERBET_ASSIGN_OR_RETURN(MatchTable top_table, TableOf(top));
  SUPERBET_ASSIGN_OR_RETURN(MatchTable second_table, TableOf(second));
  const absl::TimeZone utc = absl::UTCTimeZone();
  std::vector<absl::Time> start(top.size(), absl::InfiniteFuture());
  std::vector<std::set<std::string>> teams(top.size());
  for (size_t s = 0; s < top.size(); ++s) {
    for (const MatchResult& m : top[s].matches) {
      start[s] = std::min(start[s], absl::FromCivil(absl::ToCivilDay(m.kickoff, utc), utc));
      teams[s].insert(m.home);
      teams[s].insert(m.away);
    }
  }
  // Per season s >= 1: promoted sides, their x (second tier before t_s) and, when season s + 1
  // exists, their y (top division before t_{s+1}).
  struct Promotion {
    size_t season;
    std::string team;
    std::optional<StrengthPrior> x, y;
  };
  std::vector<Promotion> promotions;
  for (size_t s = 1; s < top.size(); ++s) {
    if (top[s].matches.empty()) continue;
    const Strengths second_fit = FitStrengths(second_table, start[s], options);
    const Strengths top_next = s + 1 < top.size() && !top[s + 1].matches.empty()
                                   ? FitStrengths(top_table, start[s + 1], options)
                                   : Strengths{};
    for (const std::string& t : teams[s]) {
      if (teams[s - 1].count(t) > 0) continue;
      Promotion p{s, t, std::nullopt, std::nullopt};
      if (auto it = second_fit.find(t); it != second_fit.end()) p.x = it->second;
      if (auto it = top_next.find(t); it != top_next.end()) p.y = it->second;
      promotions.push_back(std::move(p));
    }
  }
  std::vector<PromotedSide> out;
  for (const Promotion& p : promotions) {
    // Earlier promotions whose first season ended before this season starts: s' + 1 <= s.
    std::vector<double> xa, ya, xd, yd, all_ya, all_yd;
    for (const Promotion& q : promotions) {
      if (q.season + 1 > p.season || !q.y) continue;
      all_ya.push_back(q.y->log_attack);
      all_yd.push_back(q.y->log_defence);
      if (!q.x) continue;
      xa.push_back(q.x->log_attack);
      ya.push_back(q.y->log_attack);
      xd.push_back(q.x->log_defence);
      yd.push_back(q.y->log_defence);
    }
    PromotedSide side;
    side.season = top[p.season].season;
    side.team = p.team;
    side.second_tier = p.x;
    side.link_pairs = static_cast<int>(xa.size());
    if (p.x && static_cast<int>(xa.size()) >= options.min_link_pairs) {
      const auto [aa, ba] = Line(xa, ya);
      const auto [ad, bd] = Line(xd, yd);
      side.prior = {aa + ba * p.x->log_attack, ad + bd * p.x->log_defence};
      side.source = PriorSource::kLink;
    } else if (!all_ya.empty()) {
      double a = 0, d = 0;
      for (size_t i = 0; i < all_ya.size(); ++i) {
        a += all_ya[i];
        d += all_yd[i];
      }
      side.prior = {a / all_ya.size(), d / all_yd.size()};
      side.source = PriorSource::kPromotedMean;
    }
    out.push_back(std::move(side));
  }
  return out;
}

}  // namespace superbet::ratings
