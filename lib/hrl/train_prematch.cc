// `superbet train --agent prematch`'s data loading and training (superbet/hrl/train_prematch.h).

#include "superbet/hrl/train_prematch.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl {
namespace {

namespace fd = superbet::providers::football_data;

int SeasonStartYear(const std::string& code) {
  const int yy = (code[0] - '0') * 10 + (code[1] - '0');
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

// Every season found up to the latest training season (earlier ones are history only).
std::vector<std::string> SeasonsToLoad(const std::vector<std::string>& found,
                                       const std::vector<std::string>& train) {
  int latest = 0;
  for (const std::string& c : train) latest = std::max(latest, SeasonStartYear(c));
  std::vector<std::string> out;
  for (const std::string& c : found) {
    if (SeasonStartYear(c) <= latest) out.push_back(c);
  }
  for (const std::string& c : train) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return SeasonStartYear(a) < SeasonStartYear(b);
  });
  return out;
}

}  // namespace

bool IsPreMatchSeasonCode(absl::string_view code) {
  if (code.size() != 4) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  const int a = (code[0] - '0') * 10 + (code[1] - '0');
  const int b = (code[2] - '0') * 10 + (code[3] - '0');
  return b == (a + 1) % 100;
}

absl::Status CheckPreMatchTrainArgs(const PreMatchTrainArgs& a) {
  if (a.data_root.empty()) return absl::InvalidArgumentError("data_root is empty");
  if (a.league.empty()) return absl::InvalidArgumentError("league is empty");
  if (a.episodes < 1 || a.episodes > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("episodes must be in [1, 100000], got ", a.episodes));
  }
  if (a.worker != "q" && a.worker != "dqn") {
    return absl::InvalidArgumentError(
        absl::StrCat("worker must be q or dqn, got \"", a.worker, "\""));
  }
  if (a.seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("seed must be <= 2^63-1, got ", a.seed));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < a.train_seasons.size(); ++i) {
    const std::string& c = a.train_seasons[i];
    if (!IsPreMatchSeasonCode(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("train_seasons[", i,
                       "] is not a season code (four digits, two consecutive years: "
                       "1516 = 2015/16), got \"",
                       c, "\""));
    }
    if (!seen.insert(c).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("train_seasons[", i, "]: season ", c, " is repeated"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PreMatchTrainingData> LoadPreMatchTraining(const PreMatchTrainArgs& args) {
  if (absl::Status s = CheckPreMatchTrainArgs(args); !s.ok()) return s;
  auto found = fd::FindSeasons(args.data_root, args.league);
  if (!found.ok()) return found.status();
  PreMatchTrainingData out;
  out.train_seasons = args.train_seasons;
  if (out.train_seasons.empty()) {
    if (found->size() < 4) {
      return absl::NotFoundError(absl::StrCat("fewer than 4 ", args.league, " seasons in ",
                                              args.data_root, ": name the training seasons"));
    }
    out.train_seasons.assign(found->begin(), found->end() - 3);
  }
  backtest::RunLines needs;
  needs.odds_bookmaker = "Bet365";
  needs.closing_bookmaker = "Bet365";
  auto data = backtest::LoadBacktestData(args.data_root, args.league,
                                         SeasonsToLoad(*found, out.train_seasons),
                                         out.train_seasons, args.mode, needs);
  if (!data.ok()) return data.status();
  out.data = *std::move(data);
  return out;
}

absl::StatusOr<PreMatchTrainResult> TrainPreMatchCheckpoint(const PreMatchTrainArgs& args,
                                                            const PreMatchTrainingData& data,
                                                            const PreMatchTrainHooks& hooks) {
  if (absl::Status s = CheckPreMatchTrainArgs(args); !s.ok()) return s;
  hrl::PreMatchEnvOptions eo;
  eo.step_seasons = data.data.bet_labels;
  eo.decide_at_closing = args.decide_at_closing;
  auto env = hrl::PreMatchEnv::Create(data.data.fixtures, data.data.lines, eo);
  if (!env.ok()) return env.status();
  if (env->size() == 0) {
    return absl::NotFoundError("no fixture with a result and Bet365 prices to train on");
  }
  if (hooks.on_env) hooks.on_env(env->size());
  // ε falls over the first half of all steps (CleanRL's exploration_fraction 0.5).
  const int64_t decay = std::max<int64_t>(1, env->size() * args.episodes / 2);
  absl::StatusOr<std::unique_ptr<hrl::PreMatchWorker>> worker;
  if (args.worker == "dqn") {
    hrl::DqnOptions o;
    o.seed = args.seed;
    o.epsilon_decay_steps = decay;
    worker = hrl::MakeDqnWorker(o);
  } else {
    hrl::TabularQOptions o;
    o.seed = args.seed;
    o.epsilon_decay_steps = decay;
    auto q = hrl::TabularQWorker::Create(o);
    if (q.ok()) {
      worker = std::unique_ptr<hrl::PreMatchWorker>(*std::move(q));
    } else {
      worker = q.status();
    }
  }
  if (!worker.ok()) return worker.status();
  hrl::PreMatchTrainOptions to;
  to.episodes = args.episodes;
  to.stop_requested = hooks.stop;
  auto logs = hrl::TrainPreMatch(*env, **worker, to, hooks.on_episode);
  if (!logs.ok()) return logs.status();

  PreMatchTrainResult r;
  superbet::v1::Checkpoint& c = r.checkpoint;
  c = (*worker)->ToCheckpoint();
  const std::vector<std::string>& train = data.train_seasons;
  for (const std::string& label : data.data.bet_labels) {
    c.add_train_seasons(args.league + ":" + label);
  }
  c.set_model_version(absl::StrCat(c.agent(), ":", args.league, ":", train.front(), "-",
                                   train.back(), ":seed", args.seed, ":ep", args.episodes));
  (*c.mutable_hyperparameters())["episodes"] = args.episodes;
  (*c.mutable_metadata())["league"] = args.league;
  (*c.mutable_metadata())["data"] = "football-data.co.uk";
  (*c.mutable_metadata())["bookmaker"] = eo.bookmaker;
  (*c.mutable_metadata())["decide_at"] = eo.decide_at_closing ? "closing" : "pre-match";
  r.logs = *std::move(logs);
  r.steps_per_episode = env->size();
  r.skipped_no_odds = env->skipped_no_odds();
  r.dixon_coles_fits = env->dixon_coles_fits();
  r.bookmaker = eo.bookmaker;
  return r;
}

}  // namespace superbet::hrl
