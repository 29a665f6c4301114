#include "broadcast/internal/prediction_fast_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "broadcast/internal/json_writer.h"
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

// "YYYY-MM-DDTHH:MM:SS[.f to .fffffffff]" then "Z" or "+00:00", year 1900..2999.
bool Timestamp(dom::element el, google::protobuf::Timestamp* out) {
  std::string_view s;
  if (el.get_string().get(s) != simdjson::SUCCESS) return false;
  if (s.size() >= 6 && s.substr(s.size() - 6) == "+00:00") {
    s.remove_suffix(6);
  } else if (!s.empty() && s.back() == 'Z') {
    s.remove_suffix(1);
  } else {
    return false;
  }
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
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
  const size_t frac = s.size() - 19;  // Characters between the seconds and the zone.
  if (frac != 0) {
    if (s[19] != '.' || frac < 2 || frac > 10) return false;
    nanos = Digits(s, 20, frac - 1, &ok);
    if (!ok) return false;
    for (size_t k = frac - 1; k < 9; ++k) nanos *= 10;
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

// ---- writer -----------------------------------------------------------------------------------

// A string protobuf's JsonEscaping writes unescaped: printable ASCII other than " \\ < >, and the
// two-byte UTF-8 characters U+00A0..U+07FF other than U+00AD, U+0600..U+0603, U+06DD and U+070F
// (the ones it escapes as \uXXXX: found by printing every code point below U+0800 through
// protobuf, prediction_fast_json_test.cc). Anything else (control characters, three- and
// four-byte characters, invalid UTF-8) is left to protobuf's printer.
bool PlainString(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '"' || c == '\\' || c == '<' || c == '>') return false;
      continue;
    }
    if (c < 0xc2 || c > 0xdf || i + 1 >= s.size()) return false;
    const unsigned char d = static_cast<unsigned char>(s[i + 1]);
    if ((d & 0xc0) != 0x80) return false;
    const unsigned cp = (c & 0x1fu) << 6 | (d & 0x3fu);
    if (cp < 0xa0 || cp == 0xad || (cp >= 0x600 && cp <= 0x603) || cp == 0x6dd || cp == 0x70f) {
      return false;
    }
    ++i;
  }
  return true;
}

void Quoted(absl::string_view s, std::string* out) {
  out->push_back('"');
  out->append(s.data(), s.size());
  out->push_back('"');
}

// protobuf's SimpleDtoa (strutil.cc, used by its JSON printer): "%.15g" when that reads back to
// `v`, else "%.17g". "%.15g" reads back exactly when the shortest round-trip form has at most 15
// significant digits (if a 15-digit form reads back, the shortest has at most 15; conversely the
// 15-digit rounding of `v` is then the shortest form padded with zeros). std::to_chars with a
// precision is printf's %g by the standard (libstdc++: exact, Ryu printf), so neither snprintf nor
// strtod is needed; when the shortest form is fixed notation of at most 15 digits and %g would
// also use fixed notation (decimal exponent in [-4, 15)), it is already "%.15g"'s text.
void Double(double v, std::string* out) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  const std::string_view t(buf, static_cast<size_t>(r.ptr - buf));
  const bool scientific = t.find('e') != std::string_view::npos;
  // Significant digits of the shortest form: leading zeros and the exponent excluded.
  const std::string_view mantissa = scientific ? t.substr(0, t.find('e')) : t;
  int digits = 0;
  bool leading = true;
  for (char c : mantissa) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
  }
  if (!scientific && mantissa.find('.') == std::string_view::npos) {
    // An integer in fixed notation: libstdc++ writes its exact value ("94631746867505692672"),
    // not the shortest digits; those are the scientific form's.
    char sci[64];
    const auto e = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
    digits = 0;
    for (const char* c = sci; c < e.ptr && *c != 'e'; ++c) digits += (*c >= '0' && *c <= '9');
  }
  const double a = std::fabs(v);
  if (digits <= 15 && !scientific && a >= 1e-4 && a < 1e15) {
    out->append(t.data(), t.size());
    return;
  }
  const auto g =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, digits <= 15 ? 15 : 17);
  out->append(buf, static_cast<size_t>(g.ptr - buf));
}

void Key(const char* name, std::string* out) {
  out->push_back('"');
  out->append(name);
  out->append("\":");
}

void OneXTwoText(const superbet::v1::OneXTwo& m, std::string* out) {
  out->push_back('{');
  bool first = true;
  auto field = [&](const char* name, bool has, double v) {
    if (!has) return;
    if (!first) out->push_back(',');
    first = false;
    Key(name, out);
    Double(v, out);
  };
  field("home", m.has_home(), m.home());
  field("draw", m.has_draw(), m.draw());
  field("away", m.has_away(), m.away());
  out->push_back('}');
}

bool TimestampOk(const google::protobuf::Timestamp& t) {
  // 1970-01-01 .. 9999-12-31 (WriteRfc3339's integer path), nanos in range.
  return t.seconds() >= 0 && t.seconds() <= 253402300799 && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

void TimestampText(const google::protobuf::Timestamp& t, std::string* out) {
  char buf[kRfc3339MaxBytes];
  out->push_back('"');
  out->append(buf, WriteRfc3339(buf, t.seconds(), t.nanos()));
  out->push_back('"');
}

bool NegativeZero(double v) { return v == 0.0 && std::signbit(v); }

}  // namespace

bool FastPrintPrediction(const Prediction& p, std::string* out) {
  if (!p.has_prob() || !p.has_odds() || !p.has_kickoff() || !p.has_decided_at() ||
      !TimestampOk(p.kickoff()) || !TimestampOk(p.decided_at()) ||
      !superbet::v1::Action_IsValid(p.action())) {
    return false;
  }
  for (const std::string* s :
       {&p.match_id(), &p.home(), &p.away(), &p.pick(), &p.agent(), &p.model_version()}) {
    if (!PlainString(*s)) return false;
  }
  const superbet::v1::OneXTwo& q = p.prob();
  const superbet::v1::OneXTwo& o = p.odds();
  for (double v : {q.home(), q.draw(), q.away(), o.home(), o.draw(), o.away(), p.confidence(),
                   p.kelly_fraction(), p.vsnr(), p.cas(), p.gamma(), p.data_staleness_s()}) {
    if (NegativeZero(v) || !std::isfinite(v)) return false;
  }
  // Field order of the printer: the fields it always prints, by number, then the timestamps and
  // the set proto3 `optional` scalars, by number.
  out->append("{\"match_id\":");
  Quoted(p.match_id(), out);
  out->append(",\"home\":");
  Quoted(p.home(), out);
  out->append(",\"away\":");
  Quoted(p.away(), out);
  out->append(",\"pick\":");
  Quoted(p.pick(), out);
  out->append(",\"prob\":");
  OneXTwoText(q, out);
  out->append(",\"odds\":");
  OneXTwoText(o, out);
  out->append(",\"confidence\":");
  Double(p.confidence(), out);
  out->append(",\"kelly_fraction\":");
  Double(p.kelly_fraction(), out);
  out->append(",\"agent\":");
  Quoted(p.agent(), out);
  out->append(",\"model_version\":");
  Quoted(p.model_version(), out);
  out->append(",\"action\":\"");
  out->append(superbet::v1::Action_Name(p.action()));
  out->append("\",\"kickoff\":");
  TimestampText(p.kickoff(), out);
  auto optional = [&](const char* name, bool has, double v) {
    if (!has) return;
    out->append(",\"");
    out->append(name);
    out->append("\":");
    Double(v, out);
  };
  optional("vsnr", p.has_vsnr(), p.vsnr());
  optional("cas", p.has_cas(), p.cas());
  optional("gamma", p.has_gamma(), p.gamma());
  out->append(",\"decided_at\":");
  TimestampText(p.decided_at(), out);
  optional("data_staleness_s", p.has_data_staleness_s(), p.data_staleness_s());
  out->push_back('}');
  return true;
}

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
