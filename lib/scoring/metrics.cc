#include "superbet/scoring/metrics.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/internal/number_text.h"

namespace superbet::scoring {
namespace {

constexpr absl::string_view kPickNames[] = {"home", "draw", "away"};

using core::internal::ShortestText;
std::string Num(double v) { return ShortestText(v); }

absl::Status CheckProbability(absl::string_view name, double p) {
  if (!(std::isfinite(p) && p >= 0.0 && p <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be finite and in [0, 1], got ", Num(p)));
  }
  return absl::OkStatus();
}

absl::Status CheckOdds(absl::string_view name, double o) {
  if (!(std::isfinite(o) && o > 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be finite and > 1, got ", Num(o)));
  }
  return absl::OkStatus();
}

std::optional<double> Get(const v1::OneXTwo& x, int i) {
  switch (i) {
    case 0:
      return x.has_home() ? std::optional<double>(x.home()) : std::nullopt;
    case 1:
      return x.has_draw() ? std::optional<double>(x.draw()) : std::nullopt;
    case 2:
      return x.has_away() ? std::optional<double>(x.away()) : std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

int PickIndex(absl::string_view pick) {
  for (int i = 0; i < 3; ++i) {
    if (pick == kPickNames[i]) return i;
  }
  return -1;
}

absl::string_view PickName(int index) {
  return (index >= 0 && index < 3) ? kPickNames[index] : absl::string_view();
}

absl::StatusOr<double> ClampedKellyFraction(double probability, double decimal_odds) {
  if (absl::Status s = CheckProbability("probability", probability); !s.ok()) return s;
  if (absl::Status s = CheckOdds("decimal odds", decimal_odds); !s.ok()) return s;
  const double f = (probability * decimal_odds - 1.0) / (decimal_odds - 1.0);
  return std::clamp(f, 0.0, 1.0);
}

absl::StatusOr<std::optional<double>> Vsnr(absl::Span<const double> expected_values) {
  if (expected_values.size() > static_cast<size_t>(kVsnrMaxEvaluations)) {
    expected_values.remove_prefix(expected_values.size() - kVsnrMaxEvaluations);
  }
  for (size_t i = 0; i < expected_values.size(); ++i) {
    if (!std::isfinite(expected_values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected_values[", i, "] must be finite, got ", Num(expected_values[i])));
    }
  }
  const size_t n = expected_values.size();
  if (n < static_cast<size_t>(kVsnrMinEvaluations)) return std::optional<double>();
  double mean = 0.0;
  for (double ev : expected_values) mean += ev;
  mean /= static_cast<double>(n);
  double ss = 0.0;
  for (double ev : expected_values) ss += (ev - mean) * (ev - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  return std::optional<double>(mean / (sd + kVsnrEpsilon));
}

absl::StatusOr<double> Cas(double probability, int pick_index,
                           const std::array<std::optional<double>, 3>& decimal_odds) {
  if (pick_index < 0 || pick_index > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("pick index must be 0 (home), 1 (draw) or 2 (away), got ", pick_index));
  }
  if (absl::Status s = CheckProbability("probability", probability); !s.ok()) return s;
  bool all = true;
  double sum = 0.0;
  for (int i = 0; i < 3; ++i) {
    if (!decimal_odds[i].has_value()) {
      all = false;
      continue;
    }
    if (absl::Status s = CheckOdds(absl::StrCat("decimal_odds[", i, "]"), *decimal_odds[i]);
        !s.ok()) {
      return s;
    }
    sum += 1.0 / *decimal_odds[i];
  }
  if (!decimal_odds[pick_index].has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("decimal_odds[", pick_index, "] (the pick's price) is missing"));
  }
  const double implied = 1.0 / *decimal_odds[pick_index];
  const double q = all ? implied / sum : implied;
  return probability / q;
}

absl::StatusOr<double> Gamma(const std::array<double, 3>& implied_probabilities) {
  for (int i = 0; i < 3; ++i) {
    if (absl::Status s = CheckProbability(absl::StrCat("implied_probabilities[", i, "]"),
                                          implied_probabilities[i]);
        !s.ok()) {
      return s;
    }
  }
  return implied_probabilities[2] - 2.0 * implied_probabilities[1] + implied_probabilities[0];
}

absl::StatusOr<double> BoltzmannProbability(absl::Span<const double> values, int chosen,
                                            double temperature) {
  if (values.empty()) return absl::InvalidArgumentError("values must not be empty");
  if (chosen < 0 || static_cast<size_t>(chosen) >= values.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("chosen must be in [0, ", values.size(), "), got ", chosen));
  }
  if (!(std::isfinite(temperature) && temperature > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("temperature must be finite and > 0, got ", Num(temperature)));
  }
  double max = values[0];
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("values[", i, "] must be finite, got ", Num(values[i])));
    }
    max = std::max(max, values[i]);
  }
  double sum = 0.0;
  for (double v : values) sum += std::exp((v - max) / temperature);
  return std::exp((values[chosen] - max) / temperature) / sum;
}

absl::Status SetPickMetrics(v1::Prediction& prediction) {
  const int pick = PickIndex(prediction.pick());
  if (pick < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pick must be one of home|draw|away, got \"", prediction.pick(), "\""));
  }
  const std::string name(PickName(pick));
  const std::optional<double> p = Get(prediction.prob(), pick);
  const std::optional<double> o = Get(prediction.odds(), pick);
  if (!p.has_value()) return absl::InvalidArgumentError("prob." + name + " is missing");
  if (!o.has_value()) return absl::InvalidArgumentError("odds." + name + " is missing");
  if (absl::Status s = CheckProbability("prob." + name, *p); !s.ok()) return s;
  if (absl::Status s = CheckOdds("odds." + name, *o); !s.ok()) return s;
  const std::array<std::optional<double>, 3> odds = {
      Get(prediction.odds(), 0), Get(prediction.odds(), 1), Get(prediction.odds(), 2)};
  absl::StatusOr<double> kelly = ClampedKellyFraction(*p, *o);
  if (!kelly.ok()) return kelly.status();
  absl::StatusOr<double> cas = Cas(*p, pick, odds);
  if (!cas.ok()) return cas.status();
  prediction.set_kelly_fraction(*kelly);
  prediction.set_cas(*cas);
  return absl::OkStatus();
}

}  // namespace superbet::scoring
