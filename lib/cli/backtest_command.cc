// `superbet backtest`: the main job. Replays football-data.co.uk seasons through a strategy and
// the two baselines (favourite, home; flat stakes, same matches) and prints the report.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/backtest_store_data.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/hrl_strategy.h"
#include "cli/load_rejections.h"
#include "cli/prediction_emitter.h"
#include "cli/store_flag.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/core/clock.h"
#include "superbet/core/file.h"
#include "superbet/core/progress.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/store/store.h"

ABSL_FLAG(std::string, strategy, "model", "Strategy: favourite, home, model or hrl.");
ABSL_FLAG(std::string, model, "", "hrl: folder of the checkpoint `superbet train` wrote.");
ABSL_FLAG(std::string, odds, "b365", "Odds source: b365, pinnacle, avg or max.");
ABSL_FLAG(
    std::string, clv_close, "pinnacle",
    "Closing prices CLV is measured against: pinnacle, source (the bookmaker bet at) or avg.");
ABSL_FLAG(std::string, stake, "",
          "Staking of the strategy: flat or kelly (default: kelly for model, flat otherwise).");
ABSL_FLAG(double, bankroll, 1000.0, "Initial bankroll (currency units).");
ABSL_FLAG(double, stake_unit, 1.0, "Flat stake per bet (currency units).");
ABSL_FLAG(double, edge, 0.03, "model: minimum p_model - p_market to bet.");
ABSL_FLAG(double, kelly_multiplier, 0.25, "Fraction of full Kelly, in (0, 1].");
ABSL_FLAG(double, kelly_cap, 0.05, "Maximum stake as a fraction of the bankroll, in (0, 1].");
ABSL_FLAG(double, decay, 0.0019, "model: Dixon-Coles time decay xi per day.");
ABSL_FLAG(std::string, model_market, "source",
          "model: market forecast pooled with the model: source, pinnacle or sharp.");
ABSL_FLAG(double, model_pool_weight, -1,
          "model: log-pool weight w of the model in [0, 1]; < 0 = fitted walk-forward.");
ABSL_FLAG(int, model_pool_window_days, 1825,
          "model: days of earlier scored forecasts the pool weight is fitted on.");
ABSL_FLAG(int, model_pool_min_forecasts, 380,
          "model: fewer scored forecasts in the window: w = 0 (bet the market only).");
ABSL_FLAG(int, threads, 0,
          "Threads: 0 = the hardware concurrency, 1 = serial; the report is the same for any N.");
ABSL_FLAG(std::string, emit_predictions, "",
          "Write one Prediction JSON line per bet of every strategy to this path.");

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;
using backtest::BacktestReport;

constexpr char kUsage[] =
    R"(superbet backtest: replay football-data.co.uk seasons through a betting strategy.

Usage: superbet backtest [--data DIR] [--league E0] [--seasons 1516,1617,...]
                         [--strategy favourite|home|model|hrl] [--odds b365|pinnacle|avg|max]
                         [--clv_close pinnacle|source|avg] [--stake flat|kelly]
                         [--bankroll 1000] [--json PATH] [--emit-predictions PATH]
                         [--model DIR --ledger PATH]   (with --strategy hrl) [--threads N]

Every match is replayed in kickoff order; a strategy sees only what was known before kickoff
(pre-match prices of the odds source, results of matches over by its kickoff: kickoff + 2 h 15
min, or the end of the date when the data has no time). Bets settle at the odds taken.
The favourite and home baselines (flat stakes, same matches) are always reported beside the
strategy, per season and overall.

Data:
  --data DIR        data root laid out like ../shared/data (football-data/<league>_<code>.csv).
                    Default: $SUPERBET_DATA, else ../shared/data, else ../../shared/data; when
                    none exists the seasons are downloaded from football-data.co.uk into
                    $XDG_CACHE_HOME/superbet (else ~/.cache/superbet) and read from there.
  --league CODE     football-data division code (default E0 = Premier League).
  --seasons LIST    comma-separated season codes (1516 = 2015/16) to bet and report. Default:
                    every season found (download: 0001 ... 2425). The strategy still learns from
                    every earlier season found (they are replayed through it, never bet or
                    reported), so a season's figures do not depend on --seasons (with kelly
                    stakes, only through the bankroll the season starts with).
  --strict          fail on the first malformed row (default: skip it and print the count).
  --store URL       read the seasons from the store `superbet ingest` filled (sqlite:PATH or
                    postgres://...) instead of --data; the report is the same as from the files.

Strategy:
  --strategy NAME   favourite: 1 unit on the lowest-priced 1X2 outcome (ties: home, draw, away);
                    home: 1 unit on the home side;
                    model (default): Dixon-Coles model refitted each match day on the matches of
                    earlier days (last 3 years, decay --decay per day, both teams >= 5 matches),
                    pooled with the market: p ∝ m^(1-w) d^w (d model, m margin-free market of
                    --model_market, default the prices bet at); w is fitted each match day by
                    maximum likelihood (w in [0, 1]) on the strategy's own earlier out-of-sample
                    forecasts of the last --model_pool_window_days (walk-forward). Backs the
                    outcome with the largest edge p - p_source (margin-free prices bet at) when
                    it exceeds --edge. The raw model of old: --model_pool_weight 1.
                    hrl: the hierarchical agent trained by `superbet train --agent prematch
                    --out DIR`, loaded from --model DIR: the UCB1 manager stakes 5 % of its
                    remaining budget (B0 = --bankroll) on the pre-match worker's pick (greedy;
                    Q values frozen, outcome model updated on finished matches only); every
                    decision, accepted or denied, passes the risk gate (not no_bet, stake <= 5 %
                    of the bankroll, staleness <= 300 s, Kelly > 0) and is written to --ledger
                    PATH as JSON lines (superbet.v1.Decision). --seasons is required and must
                    not overlap the checkpoint's training seasons (refused, exit 2). The JSON
                    adds risk.denied_by_reason and workers.{prematch,live}.{bets,roi,clv}.
  --odds SOURCE     prices bet at: b365 (Bet365), pinnacle, avg (market average), max (market
                    maximum). Matches without the source's three 1X2 prices are skipped and
                    counted. Default b365.
  --clv_close SRC   closing prices the closing-line value (CLV) is measured against: pinnacle
                    (Pinnacle close, from 2012/13), source (the bookmaker bet at: Bet365's close
                    from 2019/20) or avg (market-average close). Named under every table and in
                    the JSON (clv_closing_bookmaker). Default pinnacle.
  --stake MODE      flat (--stake_unit per bet) or kelly (--kelly_multiplier x full Kelly,
                    capped at --kelly_cap of the bankroll at the start of the day). Default: kelly
                    for model, flat for favourite/home. A stake larger than the bankroll left is
                    skipped.
  --bankroll X      initial bankroll (finite, > 0), default 1000.
  --stake_unit X    flat stake (finite, > 0), default 1.
  --edge X          model edge threshold, in [0, 1), default 0.03.
  --kelly_multiplier X   in (0, 1], default 0.25.
  --kelly_cap X     in (0, 1], default 0.05 (5 % of bankroll).
  --decay X         model time decay per day (finite, >= 0), default 0.0019.
  --model-kind K    the strategy's team model: dixon-coles (default), poisson, bivariate,
                    negbin, elo, pi, shots, market (superbet forecast --help;
                    ratings/team_model.h; market reads past matches' pre-match 1X2 and
                    over/under 2.5 prices, Pinnacle, else market average, else Bet365, with
                    the decay and prior chosen for it, not --decay);
                    pooled with the market as above for every kind.
  --model_market M  the pool's market forecast: source (the prices bet at), pinnacle (Pinnacle
                    pre-match, else source), sharp (Pinnacle, else market average, else source).
                    Default source. Only pre-match prices are read, never closing ones.
  --model_pool_weight W   model weight in [0, 1] (0 = market, 1 = raw model); default -1 =
                    fitted walk-forward each match day (maximum likelihood, w in [0, 1]).
  --model_pool_window_days N   days of scored forecasts per pool fit, default 1825.
  --model_pool_min_forecasts N fewer scored forecasts in that window: w = 0; default 380.

Speed:
  --threads N       threads of the run, default 0 = the hardware concurrency; 1 runs everything
                    on one thread. With N >= 2 the season files are parsed N at a time (merged in
                    season order), the favourite and home baselines run beside the strategy, and
                    the model strategy fits each day's pool weight beside the day's model refit.
                    The tables, the JSON and --emit-predictions are byte for byte the same for
                    every N (tests/cli/main_job_golden.cmake).

Output:
  stdout            (stderr when --json=-) a table per strategy: per season and overall
                    matches, skipped, bets, hit rate, turnover, P&L, ROI (yield = P&L /
                    turnover), final bankroll, max drawdown (fraction of peak), Sharpe and
                    Sortino per bet, CLV vs the Pinnacle close (and how many bets had one), Brier
                    score and log loss of the strategy's probabilities (baselines: margin-free
                    market probabilities).
  --json PATH       also write JSON ('-' = stdout, which then carries only the JSON; the folder
                    of PATH must exist): {strategy, odds, staking, league, seasons,
                    rejected_rows, rejected_prices, overall, per_season, baselines: {favourite,
                    home}}; every metrics object has matches, skipped_no_odds, bets, wins,
                    hit_rate, turnover, pnl, roi, start_bankroll, final_bankroll, max_drawdown,
                    sharpe, sortino, clv, clv_bets, brier, log_loss, forecasts. A metric with no
                    sample is null beside its count (hit_rate, roi, sortino: bets = 0; sharpe:
                    bets < 2; clv: clv_bets = 0; brier, log_loss: forecasts = 0) and `-` in the
                    table, never 0. No report ever holds inf or NaN (the run fails instead).
  --emit-predictions PATH   (or --emit_predictions) also write one Prediction JSON line per bet
                    of every strategy (the strategy, then favourite, then home; each in bet
                    order): the broadcast plant's input (protobuf JSON mapping, snake_case;
                    agent = strategy, model_version the --model-kind | market-margin-free, the
                    prediction metrics kelly_fraction and cas; vsnr from the pick evaluated
                    at every individual bookmaker's CLOSING price of the match (last before
                    kickoff, inside the 24 h window; 2019/20 on for E0), absent with fewer
                    than 3 such prices (E0 before 2019/20); the pre-closing prices are not
                    evaluated: the CSVs do not say when they were taken; gamma absent: no
                    intraday prices; confidence 1: a deterministic strategy;
                    data_staleness_s absent: football-data prices carry no collection time).
                    The folder of PATH must exist; '-' = stdout (the tables then go to
                    stderr; not with --json -).

Exit status: 0 done, 1 the job failed (data missing, download failed), 2 bad flags: an unknown
flag or one of another command, a value that does not parse or is out of range, a season
repeated in --seasons; all are checked before any data is loaded or downloaded. A flag given
twice takes the later value.
)";

std::string CacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/superbet");
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.cache/superbet");
  }
  return ".superbet-cache";
}

std::vector<std::string> AllSeasonCodes() {  // 2000/01 ... 2024/25
  std::vector<std::string> codes;
  for (int y = 0; y < 25; ++y) codes.push_back(absl::StrFormat("%02d%02d", y, y + 1));
  return codes;
}

// The start year of a season code ("1516" -> 2015, "9900" -> 1999), as football-data.h orders them.
int SeasonStartYear(const std::string& code) {
  const int yy = code.size() >= 2 ? (code[0] - '0') * 10 + (code[1] - '0') : 0;
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

// The seasons to load for the `selected` ones: every season of `found` (chronological) up to the
// latest selected, plus the selected ones (so a missing one still fails to load). Empty `selected`:
// all of `found`.
std::vector<std::string> WithEarlierSeasons(const std::vector<std::string>& found,
                                            const std::vector<std::string>& selected) {
  if (selected.empty()) return found;
  int latest = SeasonStartYear(selected[0]);
  for (const std::string& code : selected) latest = std::max(latest, SeasonStartYear(code));
  std::vector<std::string> out;
  for (const std::string& code : found) {
    if (SeasonStartYear(code) <= latest) out.push_back(code);
  }
  for (const std::string& code : selected) {
    if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return SeasonStartYear(a) < SeasonStartYear(b);
  });
  return out;
}

// Downloads the seasons missing from the cache; returns the cache as data root.
absl::StatusOr<std::string> DownloadToCache(const std::string& league,
                                            std::vector<std::string> seasons,
                                            const absl::Status& why) {
  const std::string cache = CacheDir();
  seasons = WithEarlierSeasons(AllSeasonCodes(), seasons);
  std::fprintf(stderr, "superbet: %s\nsuperbet: using the download cache %s\n",
               std::string(why.message()).c_str(), cache.c_str());
  core::ProgressBar bar(static_cast<int64_t>(seasons.size()), "download");
  for (const std::string& code : seasons) {
    const std::string path = absl::StrCat(cache, "/football-data/", league, "_", code, ".csv");
    if (!core::FileExists(path)) {
      absl::Status s = fd::DownloadSeason(league, code, cache);
      if (!s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("downloading ", league, " ", code, " from ",
                                         fd::SeasonUrl(league, code), " failed: ", s.message()));
      }
    }
    bar.Advance(1, absl::StrCat(league, "_", code, ".csv"));
  }
  bar.Done();
  return cache;
}

struct Config {
  std::string strategy;
  int threads = 1;  // --threads resolved: >= 1.
  backtest::EngineOptions strategy_options;
  backtest::EngineOptions baseline_options;
  backtest::ModelStrategyOptions model;
};

// The lines the run reads; --emit-predictions also reads every closing 1X2 line (VSNR).
backtest::RunLines NeedsOf(const Config& config) {
  backtest::RunLines needs =
      backtest::LinesOfRun(config.strategy_options, config.strategy, config.model);
  needs.all_closing_1x2 = !absl::GetFlag(FLAGS_emit_predictions).empty();
  return needs;
}

// The selected seasons (every one found when `selected` is empty) and every earlier season found,
// which the strategy learns from without betting (see --seasons); only the lines the run reads
// (LinesOfRun) are kept.
absl::StatusOr<backtest::BacktestData> LoadData(const std::string& root, const std::string& league,
                                                const std::vector<std::string>& selected,
                                                fd::ParseMode mode, const Config& config) {
  auto found = fd::FindSeasons(root, league);
  if (!found.ok() && selected.empty()) return found.status();
  const std::vector<std::string> codes =
      WithEarlierSeasons(found.ok() ? *found : std::vector<std::string>{}, selected);
  return backtest::LoadBacktestData(root, league, codes, selected, mode, NeedsOf(config),
                                    config.threads);
}

// --store: the same data read from the store (cli/backtest_store_data.h).
absl::StatusOr<backtest::BacktestData> LoadStoreData(const std::string& url,
                                                     const std::string& league,
                                                     const std::vector<std::string>& selected,
                                                     fd::ParseMode mode, const Config& config) {
  SUPERBET_RETURN_IF_ERROR(CheckStoreToRead(url));
  SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db,
                            store::Store::Open(url, core::SystemClock::Instance()));
  auto found = StoreSeasons(*db, league);
  if (!found.ok() && selected.empty()) return found.status();
  const std::vector<std::string> codes =
      WithEarlierSeasons(found.ok() ? *found : std::vector<std::string>{}, selected);
  return LoadBacktestDataFromStore(*db, league, codes, selected, mode, NeedsOf(config));
}

// One run's JSON object, written by the library (absent metrics null, never inf or NaN).
absl::StatusOr<nlohmann::json> RunJson(const BacktestReport& r) {
  SUPERBET_ASSIGN_OR_RETURN(std::string text, backtest::FormatRunJson(r));
  return nlohmann::json::parse(text);
}

absl::StatusOr<std::string> ReportJson(const BacktestReport& main, const BacktestReport& fav,
                                       const BacktestReport& home,
                                       const backtest::BacktestData& data,
                                       const std::string& league) {
  SUPERBET_ASSIGN_OR_RETURN(nlohmann::json j, RunJson(main));
  SUPERBET_ASSIGN_OR_RETURN(nlohmann::json fav_json, RunJson(fav));
  SUPERBET_ASSIGN_OR_RETURN(nlohmann::json home_json, RunJson(home));
  try {
    j["odds"] = std::string(backtest::OddsSourceName(main.options.odds_source));
    j["league"] = league;
    j["seasons"] = data.seasons;
    j["bankroll"] = main.options.initial_bankroll;
    j["rejected_rows"] = data.rows_rejected;
    j["rejected_prices"] = data.prices_rejected;
    j["rejected_duplicates"] = data.duplicates_rejected;
    j["rejected_cells"] = data.cells_rejected;
    j["history_seasons"] = data.history_seasons;
    j["baselines"] = {{"favourite", std::move(fav_json)}, {"home", std::move(home_json)}};
    return j.dump(2);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("writing the JSON report: ", e.what()));
  }
}

// InvalidArgument "--flag must be <want>, got <value>" unless `ok`.
absl::Status RequireFlag(bool ok, absl::string_view flag, double value, absl::string_view want) {
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be ", want, ", got ", value));
}

// Range checks of the numeric flags, run before any data is loaded (NaN fails every check).
absl::Status CheckNumericFlags() {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto fraction = [](double v) { return v > 0 && v <= 1; };
  const double bankroll = absl::GetFlag(FLAGS_bankroll);
  SUPERBET_RETURN_IF_ERROR(RequireFlag(positive(bankroll), "bankroll", bankroll, "finite and > 0"));
  const double unit = absl::GetFlag(FLAGS_stake_unit);
  SUPERBET_RETURN_IF_ERROR(RequireFlag(positive(unit), "stake_unit", unit, "finite and > 0"));
  const double edge = absl::GetFlag(FLAGS_edge);
  SUPERBET_RETURN_IF_ERROR(RequireFlag(edge >= 0 && edge < 1, "edge", edge, "in [0, 1)"));
  const double multiplier = absl::GetFlag(FLAGS_kelly_multiplier);
  SUPERBET_RETURN_IF_ERROR(
      RequireFlag(fraction(multiplier), "kelly_multiplier", multiplier, "in (0, 1]"));
  const double cap = absl::GetFlag(FLAGS_kelly_cap);
  SUPERBET_RETURN_IF_ERROR(RequireFlag(fraction(cap), "kelly_cap", cap, "in (0, 1]"));
  const double decay = absl::GetFlag(FLAGS_decay);
  SUPERBET_RETURN_IF_ERROR(
      RequireFlag(std::isfinite(decay) && decay >= 0, "decay", decay, "finite and >= 0"));
  const int threads = absl::GetFlag(FLAGS_threads);
  SUPERBET_RETURN_IF_ERROR(
      RequireFlag(threads >= 0, "threads", threads, ">= 0 (0 = the hardware concurrency)"));
  const double weight = absl::GetFlag(FLAGS_model_pool_weight);
  return RequireFlag(std::isfinite(weight) && weight <= 1, "model_pool_weight", weight,
                     "finite and <= 1 (< 0 = fitted)");
}

absl::StatusOr<Config> ReadFlags() {
  SUPERBET_RETURN_IF_ERROR(CheckNumericFlags());
  SUPERBET_RETURN_IF_ERROR(CheckLeagueFlag());
  SUPERBET_RETURN_IF_ERROR(ParseSeasonList(absl::GetFlag(FLAGS_seasons)).status());
  SUPERBET_RETURN_IF_ERROR(CheckJsonDestination());
  Config c;
  c.strategy = absl::GetFlag(FLAGS_strategy);
  c.threads = absl::GetFlag(FLAGS_threads);
  if (c.threads == 0)
    c.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  SUPERBET_ASSIGN_OR_RETURN(backtest::OddsSource source,
                            backtest::ParseOddsSource(absl::GetFlag(FLAGS_odds)));
  SUPERBET_ASSIGN_OR_RETURN(backtest::ClosingSource close,
                            backtest::ParseClosingSource(absl::GetFlag(FLAGS_clv_close)));
  backtest::EngineOptions o;
  o.odds_source = source;
  o.clv_closing_source = close;
  o.initial_bankroll = absl::GetFlag(FLAGS_bankroll);
  o.flat_stake = absl::GetFlag(FLAGS_stake_unit);
  o.kelly_multiplier = absl::GetFlag(FLAGS_kelly_multiplier);
  o.kelly_cap = absl::GetFlag(FLAGS_kelly_cap);
  c.baseline_options = o;
  const std::string stake = absl::GetFlag(FLAGS_stake);
  if (stake.empty()) {
    o.staking = absl::AsciiStrToLower(c.strategy) == "model" ? backtest::Staking::kKelly
                                                             : backtest::Staking::kFlat;
  } else {
    SUPERBET_ASSIGN_OR_RETURN(o.staking, backtest::ParseStaking(stake));
  }
  c.strategy_options = o;
  SUPERBET_ASSIGN_OR_RETURN(c.model.model_kind,
                            ratings::ParseModelKind(absl::GetFlag(FLAGS_model_kind)));
  c.model.edge_threshold = absl::GetFlag(FLAGS_edge);
  c.model.dixon_coles.xi_per_day = absl::GetFlag(FLAGS_decay);
  SUPERBET_ASSIGN_OR_RETURN(c.model.market_input,
                            backtest::ParseMarketInput(absl::GetFlag(FLAGS_model_market)));
  c.model.pool_weight = absl::GetFlag(FLAGS_model_pool_weight);
  c.model.pool_window_days = absl::GetFlag(FLAGS_model_pool_window_days);
  c.model.pool_min_forecasts = absl::GetFlag(FLAGS_model_pool_min_forecasts);
  c.model.threads = c.threads;
  if (c.model.pool_window_days < 1 || c.model.pool_min_forecasts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model_pool_window_days and --model_pool_min_forecasts must be >= 1, got ",
                     c.model.pool_window_days, " and ", c.model.pool_min_forecasts));
  }
  return c;
}

// The three tables (strategy, favourite, home), or the writer's error (a non-finite number).
absl::StatusOr<std::string> ReportTables(const BacktestReport& main, const BacktestReport& fav,
                                         const BacktestReport& home) {
  const std::string title =
      absl::StrCat("strategy ", main.strategy, " (",
                   main.strategy == "hrl" ? "manager: 5 % of the remaining budget"
                                          : backtest::StakingLabel(main),
                   ")");
  SUPERBET_ASSIGN_OR_RETURN(std::string out, backtest::FormatReportTable(main, title));
  SUPERBET_ASSIGN_OR_RETURN(
      std::string fav_table,
      backtest::FormatReportTable(fav, "baseline favourite (" + backtest::StakingLabel(fav) + ")"));
  SUPERBET_ASSIGN_OR_RETURN(
      std::string home_table,
      backtest::FormatReportTable(home, "baseline home (" + backtest::StakingLabel(home) + ")"));
  return absl::StrCat(out, "\n", fav_table, "\n", home_table);
}

// Bets and reports only the selected seasons; the strategy still sees the earlier ones.
void SelectBetSeasons(const backtest::BacktestData& data, Config& config) {
  config.strategy_options.bet_seasons = data.bet_labels;
  config.baseline_options.bet_seasons = data.bet_labels;
}

// The --seasons codes (already checked by ReadFlags: a bad list never reaches here).
std::vector<std::string> SeasonsFlag() {
  return ParseSeasonList(absl::GetFlag(FLAGS_seasons)).value_or(std::vector<std::string>{});
}

// --strategy hrl: the checkpoint of --model, checked against --seasons before any data is loaded.
// Errors: InvalidArgument (exit 2) for a missing --model or --seasons; FailedPrecondition (exit 2)
// for a season the checkpoint was trained on or another feature spec; NotFound / DataLoss (exit 1)
// for a missing or unreadable checkpoint.
absl::StatusOr<superbet::v1::Checkpoint> PrepareHrl(const std::string& league,
                                                    const std::vector<std::string>& seasons) {
  const std::string dir = absl::GetFlag(FLAGS_model);
  if (dir.empty()) {
    return absl::InvalidArgumentError(
        "--strategy hrl needs --model DIR (a `superbet train` --out)");
  }
  if (seasons.empty()) {
    return absl::InvalidArgumentError(
        "--strategy hrl needs --seasons: seasons the checkpoint was not trained on");
  }
  if (absl::GetFlag(FLAGS_ledger).empty()) {
    return absl::InvalidArgumentError(
        "--strategy hrl needs --ledger PATH (every decision is written to the paper ledger)");
  }
  SUPERBET_RETURN_IF_ERROR(CheckOutputFile("ledger", absl::GetFlag(FLAGS_ledger)));
  SUPERBET_ASSIGN_OR_RETURN(superbet::v1::Checkpoint c, LoadPreMatchCheckpoint(dir));
  std::vector<std::string> labels;
  for (const std::string& code : seasons) {
    const int y = SeasonStartYear(code);
    labels.push_back(absl::StrFormat("%d/%02d", y, (y + 1) % 100));
  }
  SUPERBET_RETURN_IF_ERROR(CheckNoTrainingOverlap(c, dir + "/checkpoint.pb", league, labels));
  if (auto it = c.metadata().find("decide_at");
      it != c.metadata().end() && it->second != "pre-match") {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, "/checkpoint.pb was trained deciding at the ", it->second,
        " prices (superbet train --decide_at_closing); the backtest shows strategies the "
        "pre-match prices only, so its observations would differ from training"));
  }
  return c;
}

// The hrl run's additions to the JSON report: the gate's denials by reason, per-worker figures
// (every bet is the pre-match worker's; the live worker has none before kickoff) and the manager.
absl::StatusOr<std::string> AddHrlJson(const std::string& text, const HrlStrategy& s,
                                       const BacktestReport& main) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    const risk::GateCounts counts = s.gate_counts();
    nlohmann::json denied = nlohmann::json::object();
    for (const auto& [reason, n] : counts.denied_by_reason) denied[reason] = n;
    j["risk"] = {{"decisions", s.decisions()},
                 {"accepted", counts.accepted},
                 {"denied", counts.denied},
                 {"denied_by_reason", std::move(denied)}};
    const nlohmann::json& overall = j["overall"];
    j["workers"] = {{"prematch",
                     {{"bets", overall["bets"]},
                      {"roi", overall["roi"]},
                      {"clv", overall["clv"]},
                      {"clv_bets", overall["clv_bets"]}}},
                    {"live", {{"bets", 0}, {"roi", nullptr}, {"clv", nullptr}, {"clv_bets", 0}}}};
    j["staking"] = "manager";  // 5 % of the manager's remaining budget, not --stake.
    const hrl::Manager& m = s.manager();
    j["manager"] = {{"initial_budget", m.initial_budget()},
                    {"final_budget", m.budget()},
                    {"ucb_prematch", m.Score(hrl::Worker::kPreMatch)},
                    {"ucb_live", m.Score(hrl::Worker::kLive)},
                    {"prematch_win_rate_last10", m.WinRate(hrl::Worker::kPreMatch)}};
    (void)main;
    return j.dump(2);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("writing the hrl JSON report: ", e.what()));
  }
}

int RunBacktestCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet backtest: unexpected argument '%s' (see --help)\n",
                 args[0].c_str());
    return 2;
  }
  auto config = ReadFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  const bool hrl = absl::AsciiStrToLower(config->strategy) == "hrl";
  const std::string emit_path = absl::GetFlag(FLAGS_emit_predictions);
  const bool emit_to_stdout = emit_path == "-";  // As for --json: the tables go to stderr.
  if (emit_to_stdout && absl::GetFlag(FLAGS_json) == "-") {
    std::fprintf(stderr,
                 "superbet backtest: --json - and --emit-predictions - would both write to stdout; "
                 "give one of them a file\n");
    return 2;
  }
  if (!emit_path.empty() && !emit_to_stdout) {
    const size_t slash = emit_path.rfind('/');
    const std::string folder =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : emit_path.substr(0, slash));
    if (!core::DirectoryExists(folder) || core::DirectoryExists(emit_path)) {
      std::fprintf(stderr, "superbet backtest: --emit-predictions %s: %s\n", emit_path.c_str(),
                   core::DirectoryExists(emit_path)
                       ? "is a directory"
                       : absl::StrCat("folder ", folder, " does not exist").c_str());
      return 2;
    }
  }
  if (auto probe = backtest::MakeStrategy(config->strategy, config->model); !hrl && !probe.ok()) {
    // The library knows favourite, home and model; hrl is this tool's (cli/hrl_strategy.h).
    const std::string name = absl::AsciiStrToLower(config->strategy);
    const bool known = name == "favourite" || name == "home" || name == "model";
    std::fprintf(stderr, "superbet backtest: %s\n",
                 known ? std::string(probe.status().message()).c_str()
                       : absl::StrCat("unknown strategy '", config->strategy,
                                      "' (expected favourite, home, model or hrl)")
                             .c_str());
    return 2;
  }
  const std::string league = absl::GetFlag(FLAGS_league);
  const std::vector<std::string> seasons = SeasonsFlag();
  const std::string store_url = absl::GetFlag(FLAGS_store);
  if (auto b = store_url.empty() ? absl::OkStatus() : store::ParseStoreUrl(store_url).status();
      !b.ok()) {
    std::fprintf(stderr, "superbet backtest: --store: %s\n", std::string(b.message()).c_str());
    return 2;
  }
  std::optional<superbet::v1::Checkpoint> checkpoint;
  if (hrl) {
    auto loaded = PrepareHrl(league, seasons);
    if (!loaded.ok()) {
      std::fprintf(stderr, "superbet backtest: %s\n",
                   std::string(loaded.status().message()).c_str());
      return loaded.status().code() == absl::StatusCode::kInvalidArgument ||
                     loaded.status().code() == absl::StatusCode::kFailedPrecondition
                 ? 2
                 : 1;
    }
    checkpoint = *std::move(loaded);
  }
  auto root = store_url.empty() ? ResolveDataRoot() : absl::StatusOr<std::string>("");
  if (!root.ok() && absl::GetFlag(FLAGS_data).empty()) {
    root = DownloadToCache(league, seasons, root.status());
  }
  if (!root.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n", std::string(root.status().message()).c_str());
    return 1;
  }
  const fd::ParseMode mode =
      absl::GetFlag(FLAGS_strict) ? fd::ParseMode::kStrict : fd::ParseMode::kLenient;
  auto data = store_url.empty() ? LoadData(*root, league, seasons, mode, *config)
                                : LoadStoreData(store_url, league, seasons, mode, *config);
  if (!data.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n", std::string(data.status().message()).c_str());
    return 1;
  }
  SelectBetSeasons(*data, *config);
  std::ofstream ledger_file;  // Declared before the strategy that writes to it.
  std::unique_ptr<HrlStrategy> hrl_strategy;
  if (hrl) {
    ledger_file.open(absl::GetFlag(FLAGS_ledger),
                     std::ios::out | std::ios::trunc | std::ios::binary);
    if (!ledger_file) {
      std::fprintf(stderr, "superbet backtest: --ledger %s: cannot open for writing\n",
                   absl::GetFlag(FLAGS_ledger).c_str());
      return 1;
    }
    auto made = MakeHrlStrategy(*checkpoint, data->bet_labels,
                                config->strategy_options.initial_bankroll, &ledger_file);
    if (!made.ok()) {
      std::fprintf(stderr, "superbet backtest: %s\n", std::string(made.status().message()).c_str());
      return 1;
    }
    hrl_strategy = *std::move(made);
  }
  auto strategy = hrl ? absl::StatusOr<std::unique_ptr<backtest::Strategy>>(nullptr)
                      : backtest::MakeStrategy(config->strategy, config->model, data->lines);
  if (!strategy.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n",
                 std::string(strategy.status().message()).c_str());
    return 1;
  }
  backtest::FavouriteStrategy favourite;
  backtest::HomeStrategy home;
  backtest::Strategy& chosen = hrl ? *hrl_strategy : **strategy;
  backtest::EngineOptions fav_options = config->baseline_options;
  backtest::EngineOptions home_options = config->baseline_options;
  std::ofstream emit_file;
  PredictionEmitter emitter(emit_to_stdout ? &std::cout : &emit_file, data->lines);
  if (!emit_path.empty()) {
    if (!emit_to_stdout)
      emit_file.open(emit_path, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!emit_to_stdout && !emit_file) {
      std::fprintf(stderr, "superbet backtest: --emit-predictions %s: cannot open for writing\n",
                   emit_path.c_str());
      return 1;
    }
    const absl::string_view kind = ratings::ModelKindName(config->model.model_kind);
    config->strategy_options.on_bet = emitter.ObserverFor(chosen.name(), kind);
    fav_options.on_bet = emitter.ObserverFor(favourite.name(), kind);
    home_options.on_bet = emitter.ObserverFor(home.name(), kind);
  }
  // The two baselines share nothing mutable with the chosen strategy (the data is read only), so
  // with --threads >= 2 they run on a second thread while the chosen one runs here; each report is
  // the same as run alone. With --emit-predictions the three share the emitter and run one after
  // the other, so that the file's line order stays fixed.
  // The replay order and the price index are built once for the three runs (same odds and
  // closing source) and only read by them.
  auto input = backtest::ReplayInput::Build(data->fixtures, data->lines,
                                            config->baseline_options.odds_source,
                                            config->baseline_options.clv_closing_source);
  if (!input.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n", std::string(input.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<backtest::BacktestReport> fav_report = absl::UnknownError("not run");
  absl::StatusOr<backtest::BacktestReport> home_report = absl::UnknownError("not run");
  auto run_baselines = [&] {
    fav_report = backtest::RunBacktest(*input, favourite, fav_options);
    home_report = backtest::RunBacktest(*input, home, home_options);
  };
  std::thread baselines;
  if (emit_path.empty() && config->threads >= 2) baselines = std::thread(run_baselines);
  auto main_report = backtest::RunBacktest(*input, chosen, config->strategy_options);
  if (baselines.joinable()) {
    baselines.join();
  } else {
    run_baselines();
  }
  for (const auto* r : {&main_report, &fav_report, &home_report}) {
    if (!r->ok()) {
      std::fprintf(stderr, "superbet backtest: %s\n", std::string(r->status().message()).c_str());
      return 1;
    }
  }
  if (hrl) {
    if (absl::Status s = hrl_strategy->SettleRemaining(data->fixtures); !s.ok()) {
      std::fprintf(stderr, "superbet backtest: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  if (!emit_path.empty()) {
    if (emit_to_stdout) {
      std::cout.flush();
    } else {
      emit_file.close();
    }
    if (emit_to_stdout ? !std::cout : !emit_file) {
      std::fprintf(stderr, "superbet backtest: --emit-predictions %s: write failed\n",
                   emit_path.c_str());
      return 1;
    }
    std::fprintf(stderr,
                 "superbet backtest: %lld prediction lines written to %s (%lld with a vsnr, %lld "
                 "closing quotes rejected)\n",
                 static_cast<long long>(emitter.lines()),
                 emit_to_stdout ? "stdout" : emit_path.c_str(),
                 static_cast<long long>(emitter.lines_with_vsnr()),
                 static_cast<long long>(emitter.rejected_quotes()));
  }
  // stderr when --json=- or --emit-predictions - (stdout is theirs).
  std::FILE* const out = emit_to_stdout ? stderr : HumanOutput();
  std::fprintf(out, "superbet backtest: league %s, %zu season(s) %s, odds %s, bankroll %g\n",
               league.c_str(), data->seasons.size(), absl::StrJoin(data->seasons, ",").c_str(),
               std::string(backtest::OddsSourceName(config->strategy_options.odds_source)).c_str(),
               config->strategy_options.initial_bankroll);
  PrintLoadRejections(*data, absl::GetFlag(FLAGS_strict), out, "backtest");
  if (!data->history_seasons.empty()) {
    std::fprintf(out, "history only (replayed through the strategy, not bet or reported): %s\n",
                 absl::StrJoin(data->history_seasons, ",").c_str());
  }
  std::fputs("\n", out);
  auto tables = ReportTables(*main_report, *fav_report, *home_report);
  if (!tables.ok()) {
    std::fprintf(stderr, "superbet backtest: %s\n", std::string(tables.status().message()).c_str());
    return 1;
  }
  std::fputs(tables->c_str(), out);
  std::fflush(out);
  if (!absl::GetFlag(FLAGS_json).empty()) {
    auto json = ReportJson(*main_report, *fav_report, *home_report, *data, league);
    if (json.ok() && hrl) json = AddHrlJson(*json, *hrl_strategy, *main_report);
    if (!json.ok()) {
      std::fprintf(stderr, "superbet backtest: %s\n", std::string(json.status().message()).c_str());
      return 1;
    }
    if (!WriteJsonOutput(*json)) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(backtest, "backtest",
                          "Backtest a strategy and the favourite/home baselines on real seasons.",
                          superbet::cli::kUsage, &superbet::cli::RunBacktestCommand,
                          {"data", "json", "league", "ledger", "seasons", "strict", "store",
                           "model_kind"});
