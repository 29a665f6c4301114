#include "superbet/broadcast/prediction_input.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace superbet::broadcast {
namespace {

absl::Status Bad(int line, absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", field, ": ", problem));
}

absl::Status CheckOneXTwo(int line, absl::string_view name, const superbet::v1::OneXTwo& v,
                          bool odds) {
  const std::pair<absl::string_view, std::pair<bool, double>> parts[] = {
      {"home", {v.has_home(), v.home()}},
      {"draw", {v.has_draw(), v.draw()}},
      {"away", {v.has_away(), v.away()}}};
  for (const auto& [k, hv] : parts) {
    if (!hv.first) continue;
    const double x = hv.second;
    if (odds && !(std::isfinite(x) && x > 1.0)) {
      return Bad(line, absl::StrCat(name, ".", k), absl::StrCat("decimal odds must be > 1, got ", x));
    }
    if (!odds && !(x >= 0.0 && x <= 1.0)) {
      return Bad(line, absl::StrCat(name, ".", k),
                 absl::StrCat("probability must be in [0, 1], got ", x));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<superbet::v1::Prediction> ParsePredictionLine(absl::string_view line,
                                                             int line_number) {
  superbet::v1::Prediction p;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &p, options);
  if (!st.ok()) {
    return Bad(line_number, "json", std::string(st.message()));
  }
  const int n = line_number;
  if (p.match_id().empty()) return Bad(n, "match_id", "required, got \"\"");
  if (p.home().empty()) return Bad(n, "home", "required, got \"\"");
  if (p.away().empty()) return Bad(n, "away", "required, got \"\"");
  if (!p.has_kickoff()) return Bad(n, "kickoff", "required (RFC 3339), absent");
  if (!p.has_decided_at()) return Bad(n, "decided_at", "required (RFC 3339), absent");
  if (p.pick() != "home" && p.pick() != "draw" && p.pick() != "away") {
    return Bad(n, "pick", absl::StrCat("must be home, draw or away, got \"", p.pick(), "\""));
  }
  if (absl::Status s = CheckOneXTwo(n, "prob", p.prob(), false); !s.ok()) return s;
  if (absl::Status s = CheckOneXTwo(n, "odds", p.odds(), true); !s.ok()) return s;
  const bool has_prob = p.pick() == "home"   ? p.prob().has_home()
                        : p.pick() == "draw" ? p.prob().has_draw()
                                             : p.prob().has_away();
  const bool has_odds = p.pick() == "home"   ? p.odds().has_home()
                        : p.pick() == "draw" ? p.odds().has_draw()
                                             : p.odds().has_away();
  if (!has_prob) return Bad(n, absl::StrCat("prob.", p.pick()), "required for the pick, absent");
  if (!has_odds) return Bad(n, absl::StrCat("odds.", p.pick()), "required for the pick, absent");
  if (!(p.confidence() >= 0.0 && p.confidence() <= 1.0)) {
    return Bad(n, "confidence", absl::StrCat("must be in [0, 1], got ", p.confidence()));
  }
  if (!(p.kelly_fraction() >= 0.0 && p.kelly_fraction() <= 1.0)) {
    return Bad(n, "kelly_fraction", absl::StrCat("must be in [0, 1], got ", p.kelly_fraction()));
  }
  if (p.has_vsnr() && !std::isfinite(p.vsnr())) return Bad(n, "vsnr", "must be finite");
  if (p.has_cas() && !(std::isfinite(p.cas()) && p.cas() >= 0.0)) {
    return Bad(n, "cas", absl::StrCat("must be finite and >= 0, got ", p.cas()));
  }
  if (p.has_gamma() && !std::isfinite(p.gamma())) return Bad(n, "gamma", "must be finite");
  return p;
}

std::string RejectReason(const absl::Status& status) {
  const absl::string_view m = status.message();
  if (!absl::StartsWith(m, "line ")) return "other";
  const size_t a = m.find(": ");
  if (a == absl::string_view::npos) return "other";
  const size_t b = m.find(':', a + 2);
  if (b == absl::string_view::npos) return "other";
  return std::string(m.substr(a + 2, b - a - 2));
}

std::string PredictionToJson(const superbet::v1::Prediction& p) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(p, &out, options);
  return out;
}

}  // namespace superbet::broadcast
