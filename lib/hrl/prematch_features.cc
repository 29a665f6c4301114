// Pre-match features (include/superbet/hrl/prematch_features.h).

#include "superbet/hrl/prematch_features.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "superbet/model/fixture.h"
#include "superbet/odds/margin.h"

namespace superbet::hrl {
namespace {

using superbet::v1::Fixture;

// Margin-free probabilities by the multiplicative method (odds/margin.h).
absl::StatusOr<std::array<double, 3>> MarginFree(const std::array<double, 3>& o) {
  auto p = odds::RemoveMarginMultiplicative(o);
  if (!p.ok()) return p.status();
  return std::array<double, 3>{(*p)[0], (*p)[1], (*p)[2]};
}

std::optional<double> Stat(const Fixture& f, const char* key) {
  auto it = f.statistics().find(key);
  if (it == f.statistics().end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

}  // namespace

superbet::v1::FeatureSpec PreMatchFeatureSpec() {
  superbet::v1::FeatureSpec spec;
  spec.set_name("prematch-v1");
  spec.set_version(1);
  for (const char* n : kPreMatchSlotNames) spec.add_slots(n);
  for (const char* n : kPreMatchSlotNames) spec.add_slots(absl::StrCat("mask.", n));
  return spec;
}

std::array<float, kPreMatchFlatWidth> PreMatchObservation::Flat() const {
  std::array<float, kPreMatchFlatWidth> out{};
  for (int i = 0; i < kPreMatchSlots; ++i) {
    out[i] = value[i];
    out[kPreMatchSlots + i] = mask[i];
  }
  return out;
}

absl::Time MatchEnd(const Fixture& f) {
  const absl::Time kickoff = model::KickoffTime(f).value_or(absl::InfinitePast());
  if (f.kickoff_time_known()) return kickoff + absl::Minutes(135);
  const absl::CivilDay day = absl::ToCivilDay(kickoff, absl::UTCTimeZone());
  return absl::FromCivil(day + 1, absl::UTCTimeZone());
}

PreMatchFeatureState::PreMatchFeatureState(const PreMatchFeatureOptions& options)
    : options_(options) {}

void PreMatchFeatureState::AddFinished(const Fixture& f) {
  if (!f.has_full_time()) return;
  const int hg = f.full_time().home(), ag = f.full_time().away();
  const std::string& home = model::TeamKey(f.home());
  const std::string& away = model::TeamKey(f.away());
  auto points = [](int gf, int ga) { return gf > ga ? 3.0 : gf == ga ? 1.0 : 0.0; };
  const auto hs = Stat(f, "home.shots"), as = Stat(f, "away.shots");
  auto push = [&](const std::string& team, TeamMatch m) {
    auto& q = teams_[team];
    q.push_back(m);
    while (static_cast<int>(q.size()) > options_.form_window) q.pop_front();
  };
  push(home, {points(hg, ag), double(hg), double(ag), hs, as});
  push(away, {points(ag, hg), double(ag), double(hg), as, hs});
  ratings::MatchResult r;
  r.home = home;
  r.away = away;
  r.home_goals = hg;
  r.away_goals = ag;
  r.kickoff = model::KickoffTime(f).value_or(absl::UnixEpoch());
  results_.push_back(std::move(r));
}

absl::Status PreMatchFeatureState::MaybeRefit(absl::Time at) {
  if (results_.size() == results_at_fit_) return absl::OkStatus();
  if (last_fit_.has_value() && at - *last_fit_ < absl::Hours(24) * options_.refit_days) {
    return absl::OkStatus();
  }
  const absl::Time from = at - absl::Hours(24) * options_.dixon_coles_window_days;
  size_t first = 0;
  while (first < results_.size() && results_[first].kickoff < from) ++first;
  const size_t n = results_.size() - first;
  if (static_cast<int>(n) < options_.dixon_coles_min_fit_matches) return absl::OkStatus();
  absl::Span<const ratings::MatchResult> window(results_.data() + first, n);
  absl::StatusOr<ratings::DixonColesModel> fit =
      model_.has_value() ? ratings::DixonColesModel::Fit(window, at, options_.dixon_coles, *model_)
                         : ratings::DixonColesModel::Fit(window, at, options_.dixon_coles);
  if (!fit.ok()) {
    return absl::Status(fit.status().code(),
                        absl::StrCat("Dixon-Coles fit at ", absl::FormatTime(at), " on ", n,
                                     " matches: ", fit.status().message()));
  }
  ++fits_;
  if (!fit->converged()) ++unconverged_;
  model_ = *std::move(fit);
  last_fit_ = at;
  results_at_fit_ = results_.size();
  return absl::OkStatus();
}

absl::StatusOr<PreMatchObservation> PreMatchFeatureState::Observe(
    const Fixture& f, const std::array<double, 3>& decision_odds,
    const std::optional<std::array<double, 3>>& opening_odds) {
  for (int i = 0; i < 3; ++i) {
    const double o = decision_odds[i];
    const double open = opening_odds.has_value() ? (*opening_odds)[i] : 2.0;
    if (!(std::isfinite(o) && o > 1.0) || !(std::isfinite(open) && open > 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(f.id(),
                                                     ": decimal odds must be finite and > 1, got ",
                                                     !(std::isfinite(o) && o > 1.0) ? o : open));
    }
  }
  PreMatchObservation obs;
  obs.match_id = f.id();
  obs.home = f.home().name();
  obs.away = f.away().name();
  obs.season = f.season();
  obs.kickoff = model::KickoffTime(f).value_or(absl::UnixEpoch());
  obs.decimal_odds = decision_odds;
  auto set = [&](int slot, double v) {
    obs.value[slot] = static_cast<float>(v);
    obs.mask[slot] = 1.0f;
  };
  auto market = MarginFree(decision_odds);
  if (!market.ok()) {
    return absl::Status(market.status().code(),
                        absl::StrCat(f.id(), ": ", market.status().message()));
  }
  for (int i = 0; i < 3; ++i) set(kMarketHome + i, (*market)[i]);

  const std::string& home = model::TeamKey(f.home());
  const std::string& away = model::TeamKey(f.away());
  auto team_slots = [&](const std::string& team, int form, int gf, int ga, int sf, int sa) {
    auto it = teams_.find(team);
    if (it == teams_.end() || static_cast<int>(it->second.size()) < options_.min_matches) return;
    double pts = 0, g_for = 0, g_against = 0, s_for = 0, s_against = 0;
    int shots_n = 0;
    for (const TeamMatch& m : it->second) {
      pts += m.points;
      g_for += m.goals_for;
      g_against += m.goals_against;
      if (m.shots_for.has_value() && m.shots_against.has_value()) {
        s_for += *m.shots_for;
        s_against += *m.shots_against;
        ++shots_n;
      }
    }
    const double n = static_cast<double>(it->second.size());
    set(form, pts / n / 3.0);
    set(gf, g_for / n / 3.0);
    set(ga, g_against / n / 3.0);
    if (shots_n >= options_.min_matches) {
      set(sf, s_for / shots_n / 20.0);
      set(sa, s_against / shots_n / 20.0);
    }
  };
  team_slots(home, kFormHome, kGoalsForHome, kGoalsAgainstHome, kShotsForHome, kShotsAgainstHome);
  team_slots(away, kFormAway, kGoalsForAway, kGoalsAgainstAway, kShotsForAway, kShotsAgainstAway);

  if (absl::Status s = MaybeRefit(obs.kickoff); !s.ok()) return s;
  if (model_.has_value() && model_->HasTeam(home) && model_->HasTeam(away)) {
    auto p = model_->Predict(home, away);
    if (p.ok()) {
      set(kDcHome, p->home_win);
      set(kDcDraw, p->draw);
      set(kDcAway, p->away_win);
    }
  }
  if (opening_odds.has_value()) {
    auto opening = MarginFree(*opening_odds);
    if (!opening.ok()) {
      return absl::Status(opening.status().code(),
                          absl::StrCat(f.id(), ": opening prices: ", opening.status().message()));
    }
    set(kLineMoveHome, (*market)[0] - (*opening)[0]);
  }
  return obs;  // injuries.*: absent (no injury data in football-data.co.uk).
}

}  // namespace superbet::hrl
