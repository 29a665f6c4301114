// API-Football /odds (pre-match) and /odds/live mapping.

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "providers/api_football/internal/json.h"
#include "superbet/model/decimal_odds.h"
#include "superbet/providers/api_football/api_football.h"

namespace superbet::providers::api_football {

using internal::Ctx;
using internal::ForEachElement;
using internal::ForEachField;
using internal::GetBool;
using internal::GetIdText;
using internal::GetInt;
using internal::GetNumberOrText;
using internal::GetString;
using internal::ParseEnvelope;
using internal::Path;
namespace od = simdjson::ondemand;
namespace v1 = ::superbet::v1;
namespace model = ::superbet::model;

namespace {

using internal::AsAbsl;

// One bet value as both endpoints give it.
struct RawValue {
  std::string value;          // "Home", "Over 2.5", "Home -1", "Over".
  std::optional<double> odd;  // Parsed from "1.38".
  bool odd_text_bad = false;
  std::optional<double> handicap;  // /odds/live only.
  std::optional<bool> main;        // /odds/live only.
  std::optional<bool> suspended;   // /odds/live only.
};

absl::Status ReadValue(od::value& v, const Path& path, Ctx& ctx, RawValue* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "value") {
      // Usually a string; some bets use numbers ("value": 1).
      od::json_type t;
      if (auto e = f.type().get(t)) return ctx.Error(e, path.Key("value"));
      if (t == od::json_type::string) {
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("value"), ctx, &s));
        if (s) out->value = std::string(*s);
      } else {
        std::optional<std::string> s;
        SUPERBET_RETURN_IF_ERROR(GetIdText(f, path.Key("value"), ctx, &s));
        if (s) out->value = *s;
      }
    } else if (key == "odd") {
      bool percent = false;
      const int64_t before = ctx.counters.rejected_values;
      SUPERBET_RETURN_IF_ERROR(GetNumberOrText(f, path.Key("odd"), ctx, &out->odd, &percent));
      if (ctx.counters.rejected_values != before) {  // Unparsable text: an odds rejection.
        ctx.counters.rejected_values = before;
        out->odd_text_bad = true;
      }
    } else if (key == "handicap") {
      bool percent = false;
      SUPERBET_RETURN_IF_ERROR(
          GetNumberOrText(f, path.Key("handicap"), ctx, &out->handicap, &percent));
    } else if (key == "main") {
      SUPERBET_RETURN_IF_ERROR(GetBool(f, path.Key("main"), ctx, &out->main));
    } else if (key == "suspended") {
      SUPERBET_RETURN_IF_ERROR(GetBool(f, path.Key("suspended"), ctx, &out->suspended));
    }
    return absl::OkStatus();
  });
}

// The library's one rule for a price (model::ValidateDecimalOdds: finite, > 1.0, <= 1000).
bool ValidOdds(const RawValue& v, Ctx& ctx) {
  if (v.odd_text_bad || !v.odd || !model::ValidateDecimalOdds(*v.odd).ok()) {
    ++ctx.counters.rejected_odds;
    return false;
  }
  return true;
}

// A goals line or handicap: finite (a text such as "inf" or "nan" parses to a non-finite double).
bool ValidLine(double line, Ctx& ctx) {
  if (!std::isfinite(line)) {
    ++ctx.counters.rejected_odds;
    return false;
  }
  return true;
}

std::optional<v1::Selection> Side3(std::string_view s) {
  if (s == "Home" || s == "1") return v1::SELECTION_HOME;
  if (s == "Draw" || s == "X") return v1::SELECTION_DRAW;
  if (s == "Away" || s == "2") return v1::SELECTION_AWAY;
  return std::nullopt;
}

// "Over 2.5" -> ("Over", "2.5"); "Home -1" -> ("Home", "-1"). False without a space.
bool SplitValue(std::string_view text, std::string_view* word, std::string_view* number) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return false;
  *word = text.substr(0, space);
  *number = text.substr(space + 1);
  return true;
}

// The number of a value's text ("2.5", "+0.5", "-1"): nullopt, counted, unless finite.
std::optional<double> ParseLine(std::string_view text, Ctx& ctx) {
  absl::string_view rest = absl::StripAsciiWhitespace(internal::AV(text));
  absl::ConsumePrefix(&rest, "+");
  double number = 0;
  if (!absl::SimpleAtod(rest, &number)) {
    ++ctx.counters.rejected_odds;
    return std::nullopt;
  }
  if (!ValidLine(number, ctx)) return std::nullopt;
  return number;
}

struct LineContext {
  std::string fixture_id;
  std::string bookmaker;
  google::protobuf::Timestamp timestamp;
  bool live = false;
};

// Pre-match bet -> lines. Returns false for bets that are not mapped.
void MapPrematchValue(std::string_view bet, const RawValue& v, const LineContext& lc, Ctx& ctx,
                      std::vector<v1::BettingLine>* out) {
  v1::BettingLine line;
  if (bet == "Match Winner") {
    auto side = Side3(v.value);
    if (!side) return;
    line.set_market(v1::MARKET_1X2);
    line.set_selection(*side);
  } else if (bet == "Goals Over/Under") {
    std::string_view word, number;
    if (!SplitValue(v.value, &word, &number)) return;
    if (word != "Over" && word != "Under") return;
    const std::optional<double> goals = ParseLine(number, ctx);
    if (!goals) return;
    line.set_market(v1::MARKET_OVER_UNDER);
    line.set_selection(word == "Over" ? v1::SELECTION_OVER : v1::SELECTION_UNDER);
    line.set_line(*goals);
  } else if (bet == "Asian Handicap") {
    std::string_view word, number;
    if (!SplitValue(v.value, &word, &number)) return;
    if (word != "Home" && word != "Away") return;
    const std::optional<double> h = ParseLine(number, ctx);
    if (!h) return;
    line.set_market(v1::MARKET_ASIAN_HANDICAP);
    line.set_selection(word == "Home" ? v1::SELECTION_HOME : v1::SELECTION_AWAY);
    line.set_line(word == "Home" ? *h : -*h);  // The home side's handicap.
  } else {
    return;
  }
  if (!ValidOdds(v, ctx)) return;
  line.set_decimal_odds(*v.odd);
  line.set_bookmaker(lc.bookmaker);
  line.set_is_live(lc.live);
  out->push_back(std::move(line));
}

void MapLiveValue(std::string_view bet, const RawValue& v, const LineContext& lc, bool blocked,
                  Ctx& ctx, std::vector<v1::BettingLine>* out) {
  v1::BettingLine line;
  if (bet == "Fulltime Result") {
    auto side = Side3(v.value);
    if (!side) return;
    line.set_market(v1::MARKET_1X2);
    line.set_selection(*side);
  } else if (bet == "Over/Under Line" || bet == "Match Goals") {
    if (v.value != "Over" && v.value != "Under") return;
    if (!v.handicap) return;
    line.set_market(v1::MARKET_OVER_UNDER);
    line.set_selection(v.value == "Over" ? v1::SELECTION_OVER : v1::SELECTION_UNDER);
    line.set_line(*v.handicap);
  } else if (bet == "Asian Handicap") {
    if (v.value != "Home" && v.value != "Away") return;
    if (!v.handicap) return;
    line.set_market(v1::MARKET_ASIAN_HANDICAP);
    const bool home = v.value == "Home";
    line.set_selection(home ? v1::SELECTION_HOME : v1::SELECTION_AWAY);
    line.set_line(home ? *v.handicap : -*v.handicap);
  } else {
    return;
  }
  if (v.main.has_value() && !*v.main) return;  // An alternative line; `main` marks the one.
  // The handicap is text ("2", "-1"): "inf" or "nan" would parse to a non-finite line.
  if (line.has_line() && !ValidLine(line.line(), ctx)) return;
  if (blocked || v.suspended.value_or(false)) {
    ++ctx.counters.suspended_odds;
    return;
  }
  if (!ValidOdds(v, ctx)) return;
  line.set_decimal_odds(*v.odd);
  line.set_bookmaker(lc.bookmaker);
  line.set_is_live(true);
  out->push_back(std::move(line));
}

// bets: [{id, name, values: [...]}]; fn(bet name, RawValue).
template <typename Fn>
absl::Status ReadBets(od::value& v, const Path& path, Ctx& ctx, Fn&& fn) {
  return ForEachElement(v, path, ctx, [&](int64_t i, od::value& bet) -> absl::Status {
    const Path bp = path.Index(i);
    std::string name;
    return ForEachField(bet, bp, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
      if (key == "name") {
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(f, bp.Key("name"), ctx, &s));
        if (s) name = std::string(*s);
        return absl::OkStatus();
      }
      if (key != "values") return absl::OkStatus();
      const Path vp = bp.Key("values");
      return ForEachElement(f, vp, ctx, [&](int64_t j, od::value& val) -> absl::Status {
        RawValue raw;
        SUPERBET_RETURN_IF_ERROR(ReadValue(val, vp.Index(j), ctx, &raw));
        fn(name, raw);
        return absl::OkStatus();
      });
    });
  });
}

absl::Status ReadFixtureId(od::value& v, const Path& path, Ctx& ctx, std::string* id) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key != "id") return absl::OkStatus();
    std::optional<std::string> s;
    SUPERBET_RETURN_IF_ERROR(GetIdText(f, path.Key("id"), ctx, &s));
    if (s) *id = CanonicalId(AsAbsl(*s));
    return absl::OkStatus();
  });
}

absl::Status ReadUpdate(od::value& v, const Path& path, Ctx& ctx, google::protobuf::Timestamp* ts) {
  std::optional<std::string_view> s;
  SUPERBET_RETURN_IF_ERROR(GetString(v, path, ctx, &s));
  if (s && !internal::ParseIsoTimestamp(*s, ts)) ++ctx.counters.rejected_values;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<v1::BettingLine>> MapPrematchOdds(absl::string_view json_in,
                                                             MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::BettingLine> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& item) {
          const Path ip = path.Index(i);
          LineContext lc;
          // fixture id and `update` are set on the item's lines once the item is read (in
          // case `bookmakers` comes before them).
          const size_t first = out.size();
          SUPERBET_RETURN_IF_ERROR(
              ForEachField(item, ip, ctx, [&](std::string_view key, od::value& f) {
                if (key == "fixture")
                  return ReadFixtureId(f, ip.Key("fixture"), ctx, &lc.fixture_id);
                if (key == "update") return ReadUpdate(f, ip.Key("update"), ctx, &lc.timestamp);
                if (key != "bookmakers") return absl::OkStatus();
                const Path kp = ip.Key("bookmakers");
                return ForEachElement(f, kp, ctx, [&](int64_t j, od::value& bm) {
                  const Path bp = kp.Index(j);
                  return ForEachField(bm, bp, ctx, [&](std::string_view k, od::value& x) {
                    if (k == "name") {
                      std::optional<std::string_view> s;
                      SUPERBET_RETURN_IF_ERROR(GetString(x, bp.Key("name"), ctx, &s));
                      lc.bookmaker = s ? std::string(*s) : "";
                      return absl::OkStatus();
                    }
                    if (k != "bets") return absl::OkStatus();
                    return ReadBets(x, bp.Key("bets"), ctx,
                                    [&](const std::string& bet, const RawValue& raw) {
                                      MapPrematchValue(bet, raw, lc, ctx, &out);
                                    });
                  });
                });
              }));
          for (size_t n = first; n < out.size(); ++n) {
            out[n].set_fixture_id(lc.fixture_id);
            *out[n].mutable_timestamp() = lc.timestamp;
          }
          return absl::OkStatus();
        });
      }));
  return out;
}

absl::StatusOr<std::vector<v1::BettingLine>> MapLiveOdds(absl::string_view json_in,
                                                         MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::BettingLine> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& item) {
          const Path ip = path.Index(i);
          LineContext lc;
          lc.bookmaker = "api-football-live";
          lc.live = true;
          bool blocked = false;
          const size_t first = out.size();
          SUPERBET_RETURN_IF_ERROR(
              ForEachField(item, ip, ctx, [&](std::string_view key, od::value& f) {
                if (key == "fixture")
                  return ReadFixtureId(f, ip.Key("fixture"), ctx, &lc.fixture_id);
                if (key == "update") return ReadUpdate(f, ip.Key("update"), ctx, &lc.timestamp);
                if (key == "status") {
                  const Path sp = ip.Key("status");
                  return ForEachField(f, sp, ctx, [&](std::string_view k, od::value& x) {
                    if (k != "blocked" && k != "stopped") return absl::OkStatus();
                    std::optional<bool> b;
                    SUPERBET_RETURN_IF_ERROR(GetBool(x, sp.Key(k), ctx, &b));
                    if (b.value_or(false)) blocked = true;
                    return absl::OkStatus();
                  });
                }
                if (key != "odds") return absl::OkStatus();
                return ReadBets(f, ip.Key("odds"), ctx,
                                [&](const std::string& bet, const RawValue& raw) {
                                  MapLiveValue(bet, raw, lc, blocked, ctx, &out);
                                });
              }));
          for (size_t n = first; n < out.size(); ++n) {
            out[n].set_fixture_id(lc.fixture_id);
            *out[n].mutable_timestamp() = lc.timestamp;
          }
          return absl::OkStatus();
        });
      }));
  return out;
}

}  // namespace superbet::providers::api_football
