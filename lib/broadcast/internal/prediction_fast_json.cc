#include "broadcast/internal/prediction_fast_json.h"

#include <cmath>
#include <cstdint>
#include <string_view>

#include "simdjson.h"

namespace superbet::broadcast::internal {
namespace {

namespace dom = simdjson::dom;
using superbet::v1::Prediction;

// Key bits: each top-level key at most once.
enum Key : uint32_t {
  kMatchId = 1u << 0,
  kHome = 1u << 1,
  kAway = 1u << 2,
  kKickoff = 1u << 3,
  kPick = 1u << 4,
  kProb = 1u << 5,
  kOdds = 1u << 6,
  kConfidence = 1u << 7,
  kVsnr = 1u << 8,
  kCas = 1u << 9,
  kKelly = 1u << 10,
  kGamma = 1u << 11,
  kDecidedAt = 1u << 12,
  kAgent = 1u << 13,
  kModelVersion = 1u << 14,
  kStaleness = 1u << 15,
  kAction = 1u << 16,
};
constexpr uint32_t kRequired = kMatchId | kHome | kAway | kKickoff | kPick | kProb | kOdds |
                               kConfidence | kKelly | kDecidedAt | kAgent | kModelVersion;

// A JSON number as protobuf's parser reads it into a double (the number's text through strtod,
// correctly rounded, as simdjson's is; an integer token converted the same way), -0 as +0.
bool Number(dom::element el, double* out) {
  double v = 0;
  switch (el.type()) {
    case dom::element_type::DOUBLE:
      v = el.get_double().value_unsafe();
      break;
    case dom::element_type::INT64:
      v = static_cast<double>(el.get_int64().value_unsafe());
      break;
    case dom::element_type::UINT64:
      v = static_cast<double>(el.get_uint64().value_unsafe());
      break;
    default:
      return false;
  }
  if (!std::isfinite(v)) return false;
  *out = v == 0.0 ? 0.0 : v;
  return true;
}

bool String(dom::element el, std::string* out) {
  std::string_view v;
  if (el.get_string().get(v) != simdjson::SUCCESS) return false;
  out->assign(v.data(), v.size());
  return true;
}

int Digits(std::string_view s, size_t at, size_t n, bool* ok) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') {
      *ok = false;
      return 0;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z", year 1900..2999.
bool Timestamp(dom::element el, google::protobuf::Timestamp* out) {
  std::string_view s;
  if (el.get_string().get(s) != simdjson::SUCCESS) return false;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s.back() != 'Z') {
    return false;
  }
  bool ok = true;
  const int year = Digits(s, 0, 4, &ok), month = Digits(s, 5, 2, &ok), day = Digits(s, 8, 2, &ok);
  const int hour = Digits(s, 11, 2, &ok), minute = Digits(s, 14, 2, &ok);
  const int second = Digits(s, 17, 2, &ok);
  if (!ok || year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  int32_t nanos = 0;
  const size_t frac = s.size() - 20;  // Characters between the seconds and the 'Z'.
  if (frac != 0) {
    if (s[19] != '.' || (frac != 4 && frac != 7 && frac != 10)) return false;
    const int v = Digits(s, 20, frac - 1, &ok);
    if (!ok) return false;
    nanos = frac == 4 ? v * 1000000 : frac == 7 ? v * 1000 : v;
  }
  out->set_seconds(DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second);
  out->set_nanos(nanos);
  return true;
}

bool OneXTwo(dom::element el, superbet::v1::OneXTwo* out) {
  dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) return false;
  int seen = 0;
  for (dom::key_value_pair kv : obj) {
    double v = 0;
    if (!Number(kv.value, &v)) return false;
    int bit = 0;
    if (kv.key == "home") {
      bit = 1;
      out->set_home(v);
    } else if (kv.key == "draw") {
      bit = 2;
      out->set_draw(v);
    } else if (kv.key == "away") {
      bit = 4;
      out->set_away(v);
    } else {
      return false;
    }
    if (seen & bit) return false;
    seen |= bit;
  }
  return true;
}

bool Optional(dom::element el, double* v) { return Number(el, v); }

// superbet::scoring's Validate (prediction_json.cc) for a line whose keys are `keys`: true when
// every rule holds.
bool Valid(const Prediction& p, uint32_t keys) {
  if ((keys & kRequired) != kRequired) return false;
  if (p.match_id().empty() || p.home().empty() || p.away().empty() || p.agent().empty() ||
      p.model_version().empty()) {
    return false;
  }
  superbet::v1::Action pick_action;
  bool has_price = false, has_prob = false;
  const superbet::v1::OneXTwo& o = p.odds();
  const superbet::v1::OneXTwo& q = p.prob();
  if (p.pick() == "home") {
    pick_action = superbet::v1::ACTION_BET_HOME;
    has_price = o.has_home();
    has_prob = q.has_home();
  } else if (p.pick() == "draw") {
    pick_action = superbet::v1::ACTION_BET_DRAW;
    has_price = o.has_draw();
    has_prob = q.has_draw();
  } else if (p.pick() == "away") {
    pick_action = superbet::v1::ACTION_BET_AWAY;
    has_price = o.has_away();
    has_prob = q.has_away();
  } else {
    return false;
  }
  if (!has_price || !has_prob) return false;
  auto odds_ok = [](bool has, double v) { return !has || v > 1.0; };
  auto prob_ok = [](bool has, double v) { return !has || (v >= 0.0 && v <= 1.0); };
  if (!odds_ok(o.has_home(), o.home()) || !odds_ok(o.has_draw(), o.draw()) ||
      !odds_ok(o.has_away(), o.away()) || !prob_ok(q.has_home(), q.home()) ||
      !prob_ok(q.has_draw(), q.draw()) || !prob_ok(q.has_away(), q.away()) ||
      !prob_ok(true, p.confidence()) || !prob_ok(true, p.kelly_fraction())) {
    return false;
  }
  if (p.has_cas() && p.cas() < 0.0) return false;
  if (p.has_data_staleness_s() && p.data_staleness_s() < 0.0) return false;
  return p.action() == superbet::v1::ACTION_UNSPECIFIED || p.action() == pick_action;
}

}  // namespace

bool FastParsePrediction(absl::string_view line, Prediction* out) {
  // The protobuf reader rejects lines over its 1 MiB default unparsed.
  if (line.size() > (1u << 20)) return false;
  thread_local dom::parser parser;
  dom::element doc;
  if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) return false;
  dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
  out->Clear();
  uint32_t keys = 0;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    uint32_t bit = 0;
    bool ok = false;
    double v = 0;
    switch (k.size()) {
      case 3:
        if (k == "cas") {
          bit = kCas;
          ok = Optional(kv.value, &v);
          out->set_cas(v);
        }
        break;
      case 4:
        if (k == "home") {
          bit = kHome;
          ok = String(kv.value, out->mutable_home());
        } else if (k == "away") {
          bit = kAway;
          ok = String(kv.value, out->mutable_away());
        } else if (k == "pick") {
          bit = kPick;
          ok = String(kv.value, out->mutable_pick());
        } else if (k == "prob") {
          bit = kProb;
          ok = OneXTwo(kv.value, out->mutable_prob());
        } else if (k == "odds") {
          bit = kOdds;
          ok = OneXTwo(kv.value, out->mutable_odds());
        } else if (k == "vsnr") {
          bit = kVsnr;
          ok = Optional(kv.value, &v);
          out->set_vsnr(v);
        }
        break;
      case 5:
        if (k == "gamma") {
          bit = kGamma;
          ok = Optional(kv.value, &v);
          out->set_gamma(v);
        } else if (k == "agent") {
          bit = kAgent;
          ok = String(kv.value, out->mutable_agent());
        }
        break;
      case 6:
        if (k == "action") {
          bit = kAction;
          std::string_view name;
          superbet::v1::Action a;
          ok = kv.value.get_string().get(name) == simdjson::SUCCESS &&
               superbet::v1::Action_Parse(std::string(name), &a);
          if (ok) out->set_action(a);
        }
        break;
      case 7:
        if (k == "kickoff") {
          bit = kKickoff;
          ok = Timestamp(kv.value, out->mutable_kickoff());
        }
        break;
      case 8:
        if (k == "match_id") {
          bit = kMatchId;
          ok = String(kv.value, out->mutable_match_id());
        }
        break;
      case 10:
        if (k == "confidence") {
          bit = kConfidence;
          ok = Number(kv.value, &v);
          out->set_confidence(v);
        } else if (k == "decided_at") {
          bit = kDecidedAt;
          ok = Timestamp(kv.value, out->mutable_decided_at());
        }
        break;
      case 13:
        if (k == "model_version") {
          bit = kModelVersion;
          ok = String(kv.value, out->mutable_model_version());
        }
        break;
      case 14:
        if (k == "kelly_fraction") {
          bit = kKelly;
          ok = Number(kv.value, &v);
          out->set_kelly_fraction(v);
        }
        break;
      case 16:
        if (k == "data_staleness_s") {
          bit = kStaleness;
          ok = Optional(kv.value, &v);
          out->set_data_staleness_s(v);
        }
        break;
      default:
        break;
    }
    if (!ok || (keys & bit) != 0) return false;
    keys |= bit;
  }
  return Valid(*out, keys);
}

}  // namespace superbet::broadcast::internal
