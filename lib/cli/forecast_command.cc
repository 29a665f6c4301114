// `superbet forecast`: walk-forward 1X2 forecasts of a team model for every match of the chosen
// seasons, scored against the margin-free closing market.

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/load_rejections.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/core/progress.h"
#include "superbet/model/fixture.h"
#include "superbet/model/selection.h"
#include "superbet/odds/margin.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/ratings/forecast_scores.h"
#include "superbet/ratings/implied_goals.h"
#include "superbet/ratings/promoted.h"
#include "superbet/ratings/team_model.h"
#include "superbet/ratings/walk_forward.h"

ABSL_FLAG(std::string, unseen_team, "weakest3",
          "forecast: a side without matches in the window: error (no forecast), average or "
          "weakest3.");
ABSL_FLAG(std::string, promoted, "",
          "forecast: promoted sides' prior: link (second-tier strength mapped walk-forward), "
          "mean (mean of earlier promoted sides) or off; empty = the kind's default (link; "
          "market with --market_fit kalman: off).");
ABSL_FLAG(double, xi, -1,
          "forecast: time decay per day of the goal models' fit window (-1: the kind's default).");
ABSL_FLAG(double, prior_sd, -1, "forecast: SD of the goal models' log-strength prior (0 = MLE).");
ABSL_FLAG(double, shots_weight, -1, "forecast: weight of the shots-on-target strengths (shots).");
ABSL_FLAG(double, market_weight, -1,
          "forecast: weight of the market-implied goals against the goals scored (market).");
ABSL_FLAG(double, market_xi, -1,
          "forecast: time decay per day of the market model's market-implied goals.");
ABSL_FLAG(std::string, market_fit, "",
          "forecast: the market model's strengths: static (time-decayed fit) or kalman "
          "(state-space filter); empty = the kind's default.");
ABSL_FLAG(double, filter_market_sd, -1, "forecast: kalman: SD of a market log-goals observation.");
ABSL_FLAG(double, filter_goals_scale, -1, "forecast: kalman: goals' variance multiplier (0 off).");
ABSL_FLAG(double, filter_drift_sd, -1, "forecast: kalman: strength random-walk SD per sqrt(day).");
ABSL_FLAG(double, filter_new_team_sd, -1, "forecast: kalman: a new side's strength SD.");
ABSL_FLAG(double, filter_break_sd, -1, "forecast: kalman: extra strength SD after the summer.");
ABSL_FLAG(double, elo_k, 20, "forecast: K of the Elo model.");
ABSL_FLAG(int, min_fit_matches, 190,
          "forecast: matches the fit window needs before the model forecasts at all.");

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;
namespace rt = superbet::ratings;

constexpr char kUsage[] =
    R"(superbet forecast: walk-forward 1X2 forecasts of a team model, scored against the market.

Usage: superbet forecast [--data DIR] [--league E0] [--seasons 1516,1617,...]
                         [--model-kind dixon-coles|poisson|bivariate|negbin|elo|pi|shots|
                                       market]
                         [--unseen_team error|average|weakest3] [--min_fit_matches 190]
                         [--promoted link|mean|off] [--market_fit kalman|static]
                         [--strict] [--json PATH]

For every match of the chosen seasons (default: every season found) the model is fitted once per
match date, as of 00:00 UTC of that date, on every earlier match of the league found under
--data (earlier seasons included; goal models use the last 3 years, decay 0.0019/day), and prices
the match. No model ever sees a match of that date or later.
Models (superbet/ratings/team_model.h): dixon-coles (default), poisson, bivariate (Karlis &
Ntzoufras), negbin (negative binomial), elo (World Football Elo + ordered logit), pi
(pi-ratings + ordered logit), shots (strengths on shots on target and goals), market (strengths
on past matches' market-implied expected goals and goals; superbet/ratings/implied_goals.h).
  --unseen_team P   a side with no match in the window (a promoted side on day 1): error = no
                    forecast, average = a league-average side, weakest3 = the mean of the three
                    weakest rated sides (default).
  --min_fit_matches N   no forecast before the window holds N matches (default 190).
  --xi X, --prior_sd S, --shots_weight W, --elo_k K, --market_weight B, --market_xi X
                    TeamModelOptions (team_model.h); out-of-range values exit 2. Default: the
                    values chosen per kind on 2002/03-2011/12 (DefaultTeamModelOptions, see
                    docs/ratings.md): xi 0.0019, prior_sd 0.35 (market: 0.006 and 5),
                    shots_weight 0.25, market_weight 0.9, market_xi 0.006, elo_k 20.
  market model: each past match's expected goals (lambda, mu) reproduce its margin-free 1X2
                    P(home) - P(away) and P(over 2.5), each from the first source with a complete
                    price: the close of Pinnacle, the market average, Bet365, Gamebookers,
                    then their pre-match prices in that order (football-data has closing prices
                    from 2012/13 and closing over/under from 2019/20). A match without both is
                    fitted on its goals alone; the count is printed. The forecast match's own
                    prices are never used.
  --promoted M      goal models: the strength prior of a side promoted this season (a team that
                    did not play the previous season) is centred on (superbet/ratings/promoted.h)
                    link = its second-tier strength (football-data/<E1>_*.csv, the next
                    division code) mapped onto the top division by a line fitted on earlier
                    promotions, else the mean of earlier promoted sides (default; market with
                    the Kalman filter: off); mean = that mean only; off = the league average
                    (then --unseen_team alone). Every fit uses matches before the season only.
                    The rating models ignore it.
  --market_fit F    market model: kalman (default) = log strengths tracked by a Kalman filter
                    on past matches' market-implied goals and goals (superbet/ratings/kalman.h;
                    --filter_market_sd 0.1, --filter_drift_sd 0.01, --filter_goals_scale 0.5,
                    --filter_break_sd 0.5, --filter_new_team_sd 0.08); static = the
                    time-decayed fit (--xi, --market_weight, --market_xi, --prior_sd).

Market: margin-free (multiplicative) 1X2 probabilities; pre-match = Pinnacle's pre-match prices,
else the market average; closing = Pinnacle's closing prices (football-data from 2012/13), else
absent. Absent prices are null, never 0.

Output:
  stdout            (stderr when --json=-) per season: matches, forecasts, the model's Brier
                    score, log loss and RPS, and on the matches with a Pinnacle close both the
                    close's scores and the differences model - close (negative = model better);
                    then the promoted sides' matches in the first 42 days of each season (same
                    scores), then the reliability table of all forecasts in probability deciles.
  --json PATH       one JSON object per line per match of the chosen seasons: kickoff (RFC 3339
                    UTC), season, home, away, model_kind, prob {home, draw, away} (null without a
                    forecast, with why_absent), over_2_5, imputed, prematch and closing {home, draw,
                    away, bookmaker} (null when absent), result {home_goals, away_goals, outcome
                    H|D|A}. '-' = stdout. The folder of PATH must exist.
  stderr            progress (match dates fitted) and the fit count.

Exit status: 0 done, 1 the job failed (data missing, unreadable), 2 bad flags (unknown flag,
unknown model kind, bad season list, missing --json folder), checked before any data is read.
)";

struct Scores {
  int n = 0;
  double brier = 0, log_loss = 0, rps = 0;
  void Add(const rt::OneXTwo& p, int outcome) {
    ++n;
    brier += rt::BrierScore(p, outcome);
    log_loss += rt::LogLoss(p, outcome);
    rps += rt::RankedProbabilityScore(p, outcome);
  }
};

struct SeasonSummary {
  int matches = 0;
  Scores model;        // All forecasts.
  Scores model_close;  // Forecasts of matches with a Pinnacle close.
  Scores close;        // The close on those matches.
};

std::optional<rt::OneXTwo> FairOneXTwo(const std::array<double, 3>& odds) {
  if (odds[0] <= 1 || odds[1] <= 1 || odds[2] <= 1) return std::nullopt;
  auto p = odds::RemoveMarginMultiplicative(odds);
  if (!p.ok()) return std::nullopt;
  return rt::OneXTwo{(*p)[0], (*p)[1], (*p)[2]};
}

absl::StatusOr<rt::UnseenTeamPolicy> ParseUnseen(const std::string& s) {
  if (s == "error") return rt::UnseenTeamPolicy::kError;
  if (s == "average") return rt::UnseenTeamPolicy::kLeagueAverage;
  if (s == "weakest3") return rt::UnseenTeamPolicy::kWeakestThreeAverage;
  return absl::InvalidArgumentError(
      absl::StrCat("--unseen_team must be error, average or weakest3, got '", s, "'"));
}

// Sources of a past match's market-implied goals, most informative first: the close before the
// pre-match price, Pinnacle before the market average before Bet365 before Gamebookers.
constexpr const char* kGoalSources[] = {"Pinnacle", "market_average", "Bet365", "Gamebookers"};
constexpr int kGoalSourceCount = 4;

int GoalSourceRank(const superbet::v1::BettingLine& l) {
  for (int i = 0; i < kGoalSourceCount; ++i) {
    if (l.bookmaker() == kGoalSources[i]) return (l.is_closing() ? 0 : kGoalSourceCount) + i;
  }
  return -1;
}

struct MarketGoalsCount {
  int matches = 0;     // Finished matches.
  int with_goals = 0;  // Got market-implied goals.
  int from_close = 0;  // Of those: both the 1X2 and the over/under from a closing price.
  int no_prices = 0;   // No complete 1X2 or over/under 2.5 price (absent, not an error).
  int rejected = 0;    // Prices that no pair of Poisson means reproduces (ImpliedPoissonMeans).
  std::string first_rejection;
};

// The matches of `data` as the walk-forward reads them, with their market probabilities and
// (market model) their market-implied goals.
std::vector<rt::WalkForwardMatch> ToMatches(const backtest::BacktestData& data,
                                            MarketGoalsCount& count) {
  struct Prices {
    std::array<double, 3> pinnacle{}, pinnacle_close{}, average{};
    // By GoalSourceRank: 1X2 triples and (over, under) pairs.
    std::array<std::array<double, 3>, 2 * kGoalSourceCount> one_x_two{};
    std::array<std::array<double, 2>, 2 * kGoalSourceCount> totals{};
  };
  absl::flat_hash_map<std::string, Prices> prices;
  for (const superbet::v1::BettingLine& l : data.lines) {
    if (l.is_live()) continue;
    if (l.market() == superbet::v1::MARKET_OVER_UNDER) {
      const int rank = GoalSourceRank(l);
      if (rank < 0 || !l.has_line() || l.line() != 2.5) continue;
      const int idx = l.selection() == superbet::v1::SELECTION_OVER    ? 0
                      : l.selection() == superbet::v1::SELECTION_UNDER ? 1
                                                                       : -1;
      if (idx >= 0) prices[l.fixture_id()].totals[rank][idx] = l.decimal_odds();
      continue;
    }
    if (l.market() != superbet::v1::MARKET_1X2) continue;
    if (const int rank = GoalSourceRank(l); rank >= 0) {
      const int idx = model::OneXTwoIndex(l.selection());
      if (idx >= 0) prices[l.fixture_id()].one_x_two[rank][idx] = l.decimal_odds();
    }
    const int idx = model::OneXTwoIndex(l.selection());
    if (idx < 0) continue;
    Prices& p = prices[l.fixture_id()];
    if (l.bookmaker() == "Pinnacle") {
      (l.is_closing() ? p.pinnacle_close : p.pinnacle)[idx] = l.decimal_odds();
    } else if (l.bookmaker() == "market_average" && !l.is_closing()) {
      p.average[idx] = l.decimal_odds();
    }
  }
  std::vector<rt::WalkForwardMatch> out;
  for (const superbet::v1::Fixture& f : data.fixtures) {
    const std::optional<absl::Time> kickoff = model::KickoffTime(f);
    if (!f.has_full_time() || !kickoff) continue;
    rt::WalkForwardMatch m;
    m.result = {model::TeamKey(f.home()), model::TeamKey(f.away()), f.full_time().home(),
                f.full_time().away(), *kickoff};
    auto hst = f.statistics().find("home.shots_on_target");
    auto ast = f.statistics().find("away.shots_on_target");
    if (hst != f.statistics().end() && ast != f.statistics().end() && hst->second >= 0 &&
        ast->second >= 0) {
      m.result.home_shots_on_target = static_cast<int>(hst->second);
      m.result.away_shots_on_target = static_cast<int>(ast->second);
    }
    m.season = f.season();
    auto it = prices.find(f.id());
    if (it != prices.end()) {
      m.prematch_market = FairOneXTwo(it->second.pinnacle);
      m.prematch_bookmaker = "Pinnacle";
      if (!m.prematch_market) {
        m.prematch_market = FairOneXTwo(it->second.average);
        m.prematch_bookmaker = m.prematch_market ? "market_average" : "";
      }
      m.closing_market = FairOneXTwo(it->second.pinnacle_close);
    }
    ++count.matches;
    std::optional<rt::OneXTwo> fair;
    std::optional<double> over;
    int fair_rank = -1, over_rank = -1;
    if (it != prices.end()) {
      for (int r = 0; r < 2 * kGoalSourceCount && !fair; ++r) {
        fair = FairOneXTwo(it->second.one_x_two[r]);
        fair_rank = r;
      }
      for (int r = 0; r < 2 * kGoalSourceCount && !over; ++r) {
        const auto& t = it->second.totals[r];
        if (t[0] > 1 && t[1] > 1) {
          auto p = odds::RemoveMarginMultiplicative(std::vector<double>{t[0], t[1]});
          if (p.ok()) over = (*p)[0];
          over_rank = r;
        }
      }
    }
    if (!fair || !over) {
      ++count.no_prices;
    } else if (auto g = rt::ImpliedPoissonMeans(fair->home - fair->away, *over); g.ok()) {
      m.result.market_home_goals = g->home;
      m.result.market_away_goals = g->away;
      ++count.with_goals;
      if (fair_rank < kGoalSourceCount && over_rank < kGoalSourceCount) ++count.from_close;
    } else {
      if (count.rejected++ == 0) {
        count.first_rejection = absl::StrCat(f.id(), ": ", g.status().message());
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

nlohmann::json ProbJson(const std::optional<rt::OneXTwo>& p) {
  if (!p) return nullptr;
  return {{"home", p->home}, {"draw", p->draw}, {"away", p->away}};
}

std::string RowJson(const rt::WalkForwardRow& r, absl::string_view kind) {
  const rt::MatchResult& m = r.match->result;
  nlohmann::json j;
  j["kickoff"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", m.kickoff, absl::UTCTimeZone());
  j["season"] = r.match->season;
  j["home"] = m.home;
  j["away"] = m.away;
  j["model_kind"] = std::string(kind);
  j["prob"] = ProbJson(r.probabilities);
  if (!r.probabilities) j["why_absent"] = r.why_absent;
  j["over_2_5"] = r.over_2_5 ? nlohmann::json(*r.over_2_5) : nlohmann::json(nullptr);
  j["imputed"] = r.imputed;
  j["prematch"] = ProbJson(r.match->prematch_market);
  if (r.match->prematch_market) {
    j["prematch"]["bookmaker"] = r.match->prematch_bookmaker;
  }
  j["closing"] = ProbJson(r.match->closing_market);
  if (r.match->closing_market) j["closing"]["bookmaker"] = "Pinnacle";
  j["result"] = {{"home_goals", m.home_goals},
                 {"away_goals", m.away_goals},
                 {"outcome", r.outcome == 0   ? "H"
                             : r.outcome == 1 ? "D"
                                              : "A"}};
  return j.dump();
}

std::string Cell(int n, double sum) {
  return n > 0 ? absl::StrFormat("%.4f", sum / n) : std::string("-");
}
std::string Diff(int n, double a, double b) {
  return n > 0 ? absl::StrFormat("%+.4f", (a - b) / n) : std::string("-");
}

void PrintTable(const std::map<std::string, SeasonSummary>& seasons, std::FILE* out) {
  std::fprintf(out, "%-8s %7s %5s %7s %7s %7s | %5s %7s %7s %7s | %8s %8s %8s\n", "season",
               "matches", "fcst", "brier", "logloss", "rps", "close", "brier", "logloss", "rps",
               "dBrier", "dLogLoss", "dRPS");
  SeasonSummary all;
  auto row = [&](const std::string& name, const SeasonSummary& s) {
    std::fprintf(out, "%-8s %7d %5d %7s %7s %7s | %5d %7s %7s %7s | %8s %8s %8s\n", name.c_str(),
                 s.matches, s.model.n, Cell(s.model.n, s.model.brier).c_str(),
                 Cell(s.model.n, s.model.log_loss).c_str(), Cell(s.model.n, s.model.rps).c_str(),
                 s.close.n, Cell(s.close.n, s.close.brier).c_str(),
                 Cell(s.close.n, s.close.log_loss).c_str(), Cell(s.close.n, s.close.rps).c_str(),
                 Diff(s.close.n, s.model_close.brier, s.close.brier).c_str(),
                 Diff(s.close.n, s.model_close.log_loss, s.close.log_loss).c_str(),
                 Diff(s.close.n, s.model_close.rps, s.close.rps).c_str());
  };
  for (const auto& [name, s] : seasons) {
    row(name, s);
    all.matches += s.matches;
    for (auto [dst, src] : {std::pair{&all.model, &s.model},
                            {&all.model_close, &s.model_close},
                            {&all.close, &s.close}}) {
      dst->n += src->n;
      dst->brier += src->brier;
      dst->log_loss += src->log_loss;
      dst->rps += src->rps;
    }
  }
  row("all", all);
}

// The second division of `league` ("E0" -> "E1"): the last digit plus one.
std::string SecondDivision(const std::string& league) {
  if (league.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(league.back()))) return "";
  return league.substr(0, league.size() - 1) + static_cast<char>(league.back() + 1);
}

// The seasons of `fixtures` (finished ones) as DivisionSeasons, in order of first appearance.
std::vector<rt::DivisionSeason> Divide(const std::vector<superbet::v1::Fixture>& fixtures) {
  std::vector<rt::DivisionSeason> out;
  for (const superbet::v1::Fixture& f : fixtures) {
    const std::optional<absl::Time> kickoff = model::KickoffTime(f);
    if (!f.has_full_time() || !kickoff) continue;
    if (out.empty() || out.back().season != f.season()) out.push_back({f.season(), {}});
    out.back().matches.push_back({model::TeamKey(f.home()), model::TeamKey(f.away()),
                                  f.full_time().home(), f.full_time().away(), *kickoff});
  }
  return out;
}

// A TeamModelOptions range error (superbet/ratings/team_model.h names the option's field) with
// the field replaced by the flag the user typed: "xi_per_day must be ..." -> "--xi must be ...".
std::string FlagNamedMessage(const absl::Status& status) {
  static constexpr std::pair<absl::string_view, absl::string_view> kFieldToFlag[] = {
      {"xi_per_day", "xi"},
      {"market_xi_per_day", "market_xi"},
      {"prior_sd", "prior_sd"},
      {"shots_weight", "shots_weight"},
      {"market_weight", "market_weight"},
      {"filter_market_sd", "filter_market_sd"},
      {"filter_goals_scale", "filter_goals_scale"},
      {"filter_drift_sd", "filter_drift_sd"},
      {"filter_new_team_sd", "filter_new_team_sd"},
      {"filter_break_sd", "filter_break_sd"},
      {"elo_k", "elo_k"},
      {"min_fit_matches", "min_fit_matches"},
  };
  const absl::string_view message = status.message();
  for (const auto& [field, flag] : kFieldToFlag) {
    if (absl::StartsWith(message, absl::StrCat(field, " must be "))) {
      return absl::StrCat("--", flag, message.substr(field.size()));
    }
  }
  return std::string(message);
}

int RunForecastCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet forecast: unexpected argument '%s' (see --help)\n",
                 args[0].c_str());
    return 2;
  }
  auto kind = rt::ParseModelKind(absl::GetFlag(FLAGS_model_kind));
  auto seasons = ParseSeasonList(absl::GetFlag(FLAGS_seasons));
  auto unseen = ParseUnseen(absl::GetFlag(FLAGS_unseen_team));
  const std::string promoted_flag = absl::GetFlag(FLAGS_promoted);
  if (unseen.ok() && !promoted_flag.empty() && promoted_flag != "link" && promoted_flag != "mean" &&
      promoted_flag != "off") {
    unseen = absl::InvalidArgumentError(
        absl::StrCat("--promoted must be link, mean or off, got '", promoted_flag, "'"));
  }
  absl::Status usage =
      kind.ok()
          ? seasons.ok() ? unseen.ok() ? CheckJsonDestination() : unseen.status() : seasons.status()
          : kind.status();
  const int min_fit = absl::GetFlag(FLAGS_min_fit_matches);
  if (usage.ok()) usage = CheckLeagueFlag();
  if (usage.ok() && min_fit < 1) {
    usage =
        absl::InvalidArgumentError(absl::StrCat("--min_fit_matches must be >= 1, got ", min_fit));
  }
  if (!usage.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", std::string(usage.message()).c_str());
    return 2;
  }
  // -1 (the flags' default): the value chosen for this kind on 2002/03-2011/12.
  rt::TeamModelOptions options = rt::DefaultTeamModelOptions(*kind);
  options.unseen_team = *unseen;
  options.min_fit_matches = min_fit;
  for (auto [flag, field] : {std::pair{&FLAGS_xi, &options.xi_per_day},
                             {&FLAGS_prior_sd, &options.prior_sd},
                             {&FLAGS_shots_weight, &options.shots_weight},
                             {&FLAGS_market_weight, &options.market_weight},
                             {&FLAGS_market_xi, &options.market_xi_per_day},
                             {&FLAGS_filter_market_sd, &options.filter_market_sd},
                             {&FLAGS_filter_goals_scale, &options.filter_goals_scale},
                             {&FLAGS_filter_drift_sd, &options.filter_drift_sd},
                             {&FLAGS_filter_new_team_sd, &options.filter_new_team_sd},
                             {&FLAGS_filter_break_sd, &options.filter_break_sd}}) {
    if (const double v = absl::GetFlag(*flag); v != -1) *field = v;
  }
  if (const std::string fit = absl::GetFlag(FLAGS_market_fit); !fit.empty()) {
    if (fit != "static" && fit != "kalman") {
      std::fprintf(stderr, "superbet forecast: --market_fit must be static or kalman, got '%s'\n",
                   fit.c_str());
      return 2;
    }
    options.market_filter = fit == "kalman";
  }
  options.elo_k = absl::GetFlag(FLAGS_elo_k);
  auto model = rt::MakeTeamModel(*kind, options);
  if (!model.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", FlagNamedMessage(model.status()).c_str());
    return 2;
  }
  auto root = ResolveDataRoot();
  if (!root.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", std::string(root.status().message()).c_str());
    return 1;
  }
  const std::string league = absl::GetFlag(FLAGS_league);
  auto found = fd::FindSeasons(*root, league);
  if (!found.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", std::string(found.status().message()).c_str());
    return 1;
  }
  // Every season found up to the latest chosen one is read (earlier ones are history).
  std::vector<std::string> codes;
  const std::vector<std::string> chosen = seasons->empty() ? *found : *seasons;
  auto start_year = [](const std::string& c) {
    const int yy = (c[0] - '0') * 10 + (c[1] - '0');
    return yy < 50 ? 2000 + yy : 1900 + yy;
  };
  int latest = 0;
  for (const std::string& c : chosen) latest = std::max(latest, start_year(c));
  for (const std::string& c : *found) {
    if (start_year(c) <= latest) codes.push_back(c);
  }
  for (const std::string& c : chosen) {
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  }
  std::stable_sort(codes.begin(), codes.end(), [&](const std::string& a, const std::string& b) {
    return start_year(a) < start_year(b);
  });
  backtest::RunLines needs;
  needs.odds_bookmaker = "Pinnacle";
  needs.closing_bookmaker = "Pinnacle";
  needs.pinnacle_1x2 = true;
  needs.average_1x2 = true;
  needs.market_goals = *kind == rt::ModelKind::kMarket;
  const fd::ParseMode mode =
      absl::GetFlag(FLAGS_strict) ? fd::ParseMode::kStrict : fd::ParseMode::kLenient;
  auto data = backtest::LoadBacktestData(*root, league, codes, chosen, mode, needs);
  if (!data.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", std::string(data.status().message()).c_str());
    return 1;
  }
  MarketGoalsCount goals_count;
  const std::vector<rt::WalkForwardMatch> matches = ToMatches(*data, goals_count);
  // Promoted sides and their priors (computed in every mode: the early-weeks rows need them).
  // Default: link, except the market model's Kalman filter, which starts a new side from the
  // three weakest (chosen on 2002/03-2011/12, docs/ratings.md).
  const std::string promoted_mode = !promoted_flag.empty() ? promoted_flag
                                    : *kind == rt::ModelKind::kMarket && options.market_filter
                                        ? "off"
                                        : "link";
  std::vector<rt::DivisionSeason> second;
  const std::string lower = SecondDivision(league);
  if (promoted_mode == "link" && !lower.empty()) {
    if (auto lower_found = fd::FindSeasons(*root, lower); lower_found.ok()) {
      std::vector<std::string> lower_codes;
      for (const std::string& c : *lower_found) {
        if (start_year(c) <= latest) lower_codes.push_back(c);
      }
      auto lower_data =
          backtest::LoadBacktestData(*root, lower, lower_codes, lower_codes, mode, {});
      if (!lower_data.ok()) {
        std::fprintf(stderr, "superbet forecast: %s\n",
                     std::string(lower_data.status().message()).c_str());
        return 1;
      }
      second = Divide(lower_data->fixtures);
    }
  }
  auto promoted = rt::PromotedPriors(Divide(data->fixtures), second);
  if (!promoted.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n",
                 std::string(promoted.status().message()).c_str());
    return 1;
  }
  std::map<std::string, absl::flat_hash_map<std::string, rt::StrengthPrior>> priors;
  std::map<std::string, std::set<std::string>> promoted_teams;
  int from_link = 0, from_mean = 0;
  for (const rt::PromotedSide& p : *promoted) {
    promoted_teams[p.season].insert(p.team);
    if (promoted_mode == "off" || p.source == rt::PriorSource::kNone) continue;
    priors[p.season][p.team] = p.prior;
    (p.source == rt::PriorSource::kLink ? from_link : from_mean) += 1;
  }
  std::string current_season;
  bool priors_ignored = false;
  auto before_fit = [&](const std::string& season, rt::TeamModel& m) {
    if (season == current_season) return;
    current_season = season;
    if (!m.SetStrengthPriors(priors[season]).ok()) priors_ignored = true;
  };
  std::unique_ptr<core::ProgressBar> bar;
  rt::WalkForwardStats stats;
  auto rows = rt::WalkForward(
      matches, data->bet_labels, **model, &stats,
      [&](int done, int total) {
        if (!bar) bar = std::make_unique<core::ProgressBar>(total, "fit");
        bar->Advance(1, "");
        (void)done;
      },
      before_fit);
  if (bar) bar->Done();
  if (!rows.ok()) {
    std::fprintf(stderr, "superbet forecast: %s\n", std::string(rows.status().message()).c_str());
    return 1;
  }
  std::map<std::string, SeasonSummary> summary, early;
  std::map<std::string, absl::Time> season_start;
  for (const rt::WalkForwardRow& r : *rows)
    season_start.try_emplace(r.match->season, r.match->result.kickoff);
  rt::CalibrationTable calibration;
  std::string lines;
  for (const rt::WalkForwardRow& r : *rows) {
    SeasonSummary& s = summary[r.match->season];
    ++s.matches;
    const std::set<std::string>& up = promoted_teams[r.match->season];
    const bool early_promoted =
        r.match->result.kickoff < season_start[r.match->season] + absl::Hours(24 * 42) &&
        (up.count(r.match->result.home) > 0 || up.count(r.match->result.away) > 0);
    if (early_promoted) {
      SeasonSummary& e = early[r.match->season];
      ++e.matches;
      if (r.probabilities) {
        e.model.Add(*r.probabilities, r.outcome);
        if (r.match->closing_market) {
          e.model_close.Add(*r.probabilities, r.outcome);
          e.close.Add(*r.match->closing_market, r.outcome);
        }
      }
    }
    if (r.probabilities) {
      s.model.Add(*r.probabilities, r.outcome);
      calibration.Add(*r.probabilities, r.outcome);
      if (r.match->closing_market) {
        s.model_close.Add(*r.probabilities, r.outcome);
        s.close.Add(*r.match->closing_market, r.outcome);
      }
    }
    if (!absl::GetFlag(FLAGS_json).empty()) {
      absl::StrAppend(&lines, RowJson(r, rt::ModelKindName(*kind)), "\n");
    }
  }
  std::FILE* out = HumanOutput();
  std::fprintf(
      out,
      "superbet forecast: league %s, model %s, %zu season(s) %s (history: %s); %d fits, "
      "%d failed, %ld Newton iterations\n",
      league.c_str(), std::string(rt::ModelKindName(*kind)).c_str(), data->seasons.size(),
      absl::StrJoin(data->seasons, ",").c_str(),
      data->history_seasons.empty() ? "none" : absl::StrJoin(data->history_seasons, ",").c_str(),
      stats.fits, stats.failed_fits, stats.iterations);
  PrintLoadRejections(*data, absl::GetFlag(FLAGS_strict), out, "forecast");
  std::fputs("\n", out);
  if (*kind == rt::ModelKind::kMarket) {
    std::fprintf(out,
                 "market-implied goals: %d of %d matches (%d from closing 1X2 and over/under "
                 "prices), %d without a complete 1X2 or over/under 2.5 price, %d rejected%s%s\n\n",
                 goals_count.with_goals, goals_count.matches, goals_count.from_close,
                 goals_count.no_prices, goals_count.rejected,
                 goals_count.rejected ? "; first: " : "", goals_count.first_rejection.c_str());
  }
  PrintTable(summary, out);
  std::fprintf(out,
               "\npromoted sides' matches, first 42 days of each season (--promoted %s: %d priors "
               "from the %s link, %d from the promoted mean%s)\n",
               promoted_mode.c_str(), from_link, lower.c_str(), from_mean,
               priors_ignored ? "; ignored by this rating model" : "");
  PrintTable(early, out);
  std::fprintf(out, "\nreliability (all forecasts, every outcome): decile, n, mean p, frequency\n");
  for (const rt::CalibrationBin& b : calibration.Bins()) {
    std::fprintf(out, "  [%.1f, %.1f) %6d %s %s\n", b.lower, b.lower + 0.1, b.count,
                 b.count ? absl::StrFormat("%.4f", b.mean_probability).c_str() : "     -",
                 b.count ? absl::StrFormat("%.4f", b.frequency).c_str() : "     -");
  }
  std::fflush(out);
  const std::string path = absl::GetFlag(FLAGS_json);
  if (path == "-") {
    std::fputs(lines.c_str(), stdout);
  } else if (!path.empty()) {
    std::ofstream f(path, std::ios::binary);
    f << lines;
    if (!f) {
      std::fprintf(stderr, "superbet forecast: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(forecast, "forecast",
                          "Walk-forward forecasts of a team model, scored against the market.",
                          superbet::cli::kUsage, &superbet::cli::RunForecastCommand,
                          {"data", "json", "league", "seasons", "strict", "model_kind"});
