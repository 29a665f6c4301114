// Formatters: templates compiled once into literal and placeholder segments; the texts are built
// with no allocation beyond the result strings on the common path (names fit).

#include "superbet/broadcast/format.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broadcast/internal/number_text.h"
#include "broadcast/internal/utf8.h"
#include "unicode/bytestream.h"
#include "unicode/normalizer2.h"
#include "unicode/stringpiece.h"

namespace superbet::broadcast {
namespace {

using internal::Cluster;
using internal::Clusters;
using internal::DecodeUtf8;

enum class Field { kHome, kAway, kPick, kProb, kOdds, kHomeProb, kHomeOdds, kConf, kVsnr, kCas };

constexpr std::pair<absl::string_view, Field> kFieldNames[] = {
    {"home", Field::kHome},          {"away", Field::kAway},
    {"pick", Field::kPick},          {"prob", Field::kProb},
    {"odds", Field::kOdds},          {"home_prob", Field::kHomeProb},
    {"home_odds", Field::kHomeOdds}, {"conf", Field::kConf},
    {"vsnr", Field::kVsnr},          {"cas", Field::kCas},
};

struct Segment {
  bool is_field = false;
  Field field = Field::kHome;
  std::string literal;
};
struct Template {
  std::vector<Segment> segments;
  size_t literal_bytes = 0;           // Sum of the literal segments' sizes.
  size_t text_fields[3] = {0, 0, 0};  // Occurrences of {home}, {away}, {pick}.
  size_t number_fields = 0;           // Occurrences of the numeric placeholders.
};

absl::StatusOr<Template> Compile(absl::string_view name, absl::string_view text) {
  Template out;
  size_t i = 0;
  std::string literal;
  while (i < text.size()) {
    if (text[i] != '{') {
      literal.push_back(text[i++]);
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("template ", name, ": unclosed '{' at byte ", i));
    }
    const absl::string_view key = text.substr(i + 1, close - i - 1);
    bool found = false;
    for (const auto& [n, f] : kFieldNames) {
      if (n == key) {
        if (!literal.empty()) out.segments.push_back({false, Field::kHome, std::move(literal)});
        literal.clear();
        out.segments.push_back({true, f, {}});
        found = true;
        break;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat("template ", name, ": unknown placeholder '{", key, "}'"));
    }
    i = close + 1;
  }
  if (!literal.empty()) out.segments.push_back({false, Field::kHome, std::move(literal)});
  for (const Segment& seg : out.segments) {
    if (!seg.is_field) {
      out.literal_bytes += seg.literal.size();
    } else if (seg.field == Field::kHome || seg.field == Field::kAway ||
               seg.field == Field::kPick) {
      ++out.text_fields[static_cast<int>(seg.field)];
    } else {
      ++out.number_fields;
    }
  }
  return out;
}

// A short rendered number held inline (no allocation).
struct Num {
  char buf[40];
  size_t len = 0;
  absl::string_view view() const { return absl::string_view(buf, len); }
};

// Fixed-point rendering (round-half-even of the exact binary value, as printf); "-" when absent
// or not finite.
void AppendOptional(Num* out, bool has, double v, int decimals, double scale) {
  if (has && std::isfinite(v)) {
    if (char* end = internal::FastFixed(out->buf, v * scale, decimals)) {
      out->len = static_cast<size_t>(end - out->buf);
      return;
    }
    auto [end, ec] = std::to_chars(out->buf, out->buf + sizeof(out->buf), v * scale,
                                   std::chars_format::fixed, decimals);
    if (ec == std::errc()) {
      out->len = static_cast<size_t>(end - out->buf);
      return;
    }
  }
  out->buf[0] = '-';
  out->len = 1;
}

// The values of one prediction, rendered once.
struct Values {
  absl::string_view pick;
  Num prob, odds, home_prob, home_odds, conf, vsnr, cas;
};

Values RenderValues(const superbet::v1::Prediction& p) {
  Values v;
  v.pick = p.pick();
  const auto& prob = p.prob();
  const auto& odds = p.odds();
  bool has_prob = false, has_odds = false;
  double pv = 0, ov = 0;
  if (p.pick() == "home") {
    has_prob = prob.has_home(), pv = prob.home(), has_odds = odds.has_home(), ov = odds.home();
  } else if (p.pick() == "draw") {
    has_prob = prob.has_draw(), pv = prob.draw(), has_odds = odds.has_draw(), ov = odds.draw();
  } else if (p.pick() == "away") {
    has_prob = prob.has_away(), pv = prob.away(), has_odds = odds.has_away(), ov = odds.away();
  }
  AppendOptional(&v.prob, has_prob, pv, 0, 100.0);
  AppendOptional(&v.odds, has_odds, ov, 2, 1.0);
  AppendOptional(&v.home_prob, prob.has_home(), prob.home(), 0, 100.0);
  AppendOptional(&v.home_odds, odds.has_home(), odds.home(), 2, 1.0);
  AppendOptional(&v.conf, true, p.confidence(), 0, 100.0);
  AppendOptional(&v.vsnr, p.has_vsnr(), p.vsnr(), 1, 1.0);
  AppendOptional(&v.cas, p.has_cas(), p.cas(), 2, 1.0);
  return v;
}

// MarkdownV2's reserved characters (core.telegram.org/bots/api#markdownv2-style) and the backslash.
constexpr absl::string_view kMarkdownV2Reserved = "_*[]()~`>#+-=|{}.!\\";

struct ReservedTable {
  bool reserved[256] = {};
  constexpr ReservedTable() {
    for (char c : kMarkdownV2Reserved) reserved[static_cast<unsigned char>(c)] = true;
  }
};
constexpr ReservedTable kReserved;

// Writes `value` with a backslash before each reserved character at `dst` (room for
// 2 * value.size()); returns the end.
char* WriteEscaped(char* dst, absl::string_view value) {
  for (char c : value) {
    if (kReserved.reserved[static_cast<unsigned char>(c)]) *dst++ = '\\';
    *dst++ = c;
  }
  return dst;
}

void AppendEscaped(std::string* out, absl::string_view value) {
  const size_t old = out->size();
  out->resize(old + 2 * value.size());
  char* const begin = out->data();
  out->resize(static_cast<size_t>(WriteEscaped(begin + old, value) - begin));
}

absl::string_view FieldText(Field f, const Values& v, absl::string_view home,
                            absl::string_view away) {
  switch (f) {
    case Field::kHome:
      return home;
    case Field::kAway:
      return away;
    case Field::kPick:
      return v.pick;
    case Field::kProb:
      return v.prob.view();
    case Field::kOdds:
      return v.odds.view();
    case Field::kHomeProb:
      return v.home_prob.view();
    case Field::kHomeOdds:
      return v.home_odds.view();
    case Field::kConf:
      return v.conf.view();
    case Field::kVsnr:
      return v.vsnr.view();
    case Field::kCas:
      return v.cas.view();
  }
  return {};
}

// Renders into `out` (its buffer reused): sized once to an upper bound, written in place, trimmed.
void Render(const Template& t, const Values& v, absl::string_view home, absl::string_view away,
            bool escape, std::string* out) {
  // Numbers are at most sizeof(Num::buf) bytes; an escaped value at most doubles.
  const size_t bound =
      t.literal_bytes +
      (escape ? 2 : 1) * (t.text_fields[0] * home.size() + t.text_fields[1] * away.size() +
                          t.text_fields[2] * v.pick.size() + t.number_fields * sizeof(Num::buf));
  out->resize(bound);
  char* const begin = out->data();
  char* at = begin;
  for (const Segment& s : t.segments) {
    if (!s.is_field) {
      std::memcpy(at, s.literal.data(), s.literal.size());
      at += s.literal.size();
      continue;
    }
    const absl::string_view value = FieldText(s.field, v, home, away);
    if (escape) {
      at = WriteEscaped(at, value);
    } else {
      std::memcpy(at, value.data(), value.size());
      at += value.size();
    }
  }
  out->resize(static_cast<size_t>(at - begin));
}

// True when every code point is below U+0300: such text is NFC (no combining mark, no
// composition candidate; NFC_Quick_Check is Yes for all of U+0000-U+02FF). Their UTF-8 bytes are
// all < 0xCC (lead bytes 0xC2-0xCB, continuation bytes 0x80-0xBF).
bool BelowCombiningMarks(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0xCC) return false;
  }
  return true;
}

// A name shortened to its first `keep` clusters followed by "…".
std::string Shorten(absl::string_view name, const std::vector<Cluster>& clusters, size_t keep) {
  if (keep >= clusters.size()) return std::string(name);
  std::string out(name.substr(0, clusters[keep].begin));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out.append("\u2026");
  return out;
}

constexpr size_t kMinNameClusters = 3;

// Renders with the full names, then shortens the longer name one cluster at a time until
// measure(text) <= limit or both names are at kMinNameClusters. Returns whether it fits.
// From the first shortening on (the ellipsis is there), each step removes one cluster of one name,
// so the measure never grows step after step: the first step that fits is found by bisection over
// the steps (log2 of the names' length renders, not one per cluster: a provider's megabyte-long
// name costs milliseconds, not hours), and it is the step the one-at-a-time scan stops at.
// Upper bounds of the measures, without decoding: Telegram's parsed length (UTF-16 units, escapes
// removed) and the FCM code point count never exceed the byte count; the X weight of text without
// "http" never exceeds 1 per ASCII byte + 2 per non-ASCII code point (lead byte >= 0xC0).
int ByteCount(absl::string_view s) { return static_cast<int>(s.size()); }
int XWeightBound(absl::string_view s) {
  if (s.find("http") != absl::string_view::npos) return std::numeric_limits<int>::max();
  int n = 0;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    n += b < 0x80 ? 1 : (b >= 0xC0 ? 2 : 0);
  }
  return n;
}

bool FitNames(const Template& t, const Values& v, absl::string_view home, absl::string_view away,
              bool escape, int (*measure)(absl::string_view), int (*bound)(absl::string_view),
              int limit, std::string* out) {
  Render(t, v, home, away, escape, out);
  if (bound(*out) <= limit || measure(*out) <= limit) return true;
  const std::vector<Cluster> hc = Clusters(home), ac = Clusters(away);
  // The clusters each name keeps after `step` steps (the longer name loses one, home first on a
  // tie, until both are at kMinNameClusters).
  auto kept_after = [&](size_t step, size_t* hk, size_t* ak) {
    *hk = hc.size();
    *ak = ac.size();
    for (size_t i = 0; i < step; ++i) {
      if (*hk >= *ak && *hk > kMinNameClusters) {
        --*hk;
      } else {
        --*ak;
      }
    }
  };
  const size_t steps = (hc.size() > kMinNameClusters ? hc.size() - kMinNameClusters : 0) +
                       (ac.size() > kMinNameClusters ? ac.size() - kMinNameClusters : 0);
  auto fits_after = [&](size_t step) {
    size_t hk = 0, ak = 0;
    kept_after(step, &hk, &ak);
    Render(t, v, Shorten(home, hc, hk), Shorten(away, ac, ak), escape, out);
    return measure(*out) <= limit;
  };
  if (steps == 0 || !fits_after(steps)) return false;  // `out`: the last step's text.
  size_t lo = 1, hi = steps;  // The first fitting step is in [lo, hi]; `hi` fits.
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (fits_after(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return fits_after(lo);
}

// Cuts `text` at a cluster boundary so that measure(prefix + "…" + suffix) <= limit, where suffix
// is text[keep_from:] (kept whole, e.g. the hashtag).
void CutToFit(std::string* text, size_t keep_from, int (*measure)(absl::string_view), int limit) {
  const std::string suffix = text->substr(keep_from);
  const std::string head = text->substr(0, keep_from);
  const std::vector<Cluster> c = Clusters(head);
  size_t lo = 0, hi = c.size();  // Number of clusters kept; binary search for the largest fit.
  auto build = [&](size_t k) {
    std::string s = head.substr(0, k == 0 ? 0 : c[k - 1].end);
    // Never leave a MarkdownV2 escape without the character it escapes.
    size_t backslashes = 0;
    while (backslashes < s.size() && s[s.size() - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) s.pop_back();
    s.append("\u2026");
    s.append(suffix);
    return s;
  };
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    if (measure(build(mid)) <= limit) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  *text = build(lo);
}

}  // namespace

int CodePointCount(absl::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

int XWeightedLength(absl::string_view s) {
  // twitter-text weighs the NFC form; below U+0300 every text is NFC already (the fast path).
  if (!BelowCombiningMarks(s)) {
    const std::string nfc = ToNfc(s);
    if (nfc != s) return XWeightedLength(nfc);
  }
  int weight = 0;
  size_t i = 0;
  while (i < s.size()) {
    // A URL weighs 23 (transformedURLLength) whatever its length.
    if (s[i] == 'h' && (s.substr(i, 7) == "http://" || s.substr(i, 8) == "https://")) {
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != '\t') ++j;
      weight += 23;
      i = j;
      continue;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++weight;
      ++i;
      continue;
    }
    // Non-ASCII: weigh the clusters of the run up to the next ASCII byte.
    size_t j = i;
    while (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x80) ++j;
    // A cluster may extend over an ASCII byte only for keycaps, which start with ASCII and are
    // handled with the preceding ASCII byte counted as 1: close enough for our templates, where a
    // keycap never follows a digit. Weigh the run.
    for (const Cluster& c : Clusters(s.substr(i, j - i))) weight += c.weight;
    i = j;
  }
  return weight;
}

std::string EscapeMarkdownV2(absl::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  AppendEscaped(&out, value);
  return out;
}

int TelegramParsedLength(absl::string_view s) {
  int n = 0;
  size_t i = 0;
  bool in_url = false;
  bool after_bracket = false;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      ++i;
      size_t p = i;
      const char32_t cp = DecodeUtf8(s, &p);
      if (!in_url) n += cp >= 0x10000 ? 2 : 1;
      i = p;
      after_bracket = false;
      continue;
    }
    if (in_url) {
      if (c == ')') in_url = false;
      ++i;
      continue;
    }
    if (c == '(' && after_bracket) {
      in_url = true;
      ++i;
      continue;
    }
    after_bracket = c == ']';
    if (c == '*' || c == '_' || c == '~' || c == '`' || c == '|' || c == '[' || c == ']') {
      ++i;
      continue;
    }
    size_t p = i;
    const char32_t cp = DecodeUtf8(s, &p);
    n += cp >= 0x10000 ? 2 : 1;
    i = p;
  }
  return n;
}

std::string ToNfc(absl::string_view s) {
  if (BelowCombiningMarks(s)) return std::string(s);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(s);
  const icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(s);
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(s);
  return out;
}

struct Formatter::Compiled {
  Template x, telegram, title, body;
};

Formatter::Formatter(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
Formatter::~Formatter() = default;
Formatter::Formatter(Formatter&&) noexcept = default;
Formatter& Formatter::operator=(Formatter&&) noexcept = default;

absl::StatusOr<Formatter> Formatter::Create(const Templates& templates) {
  auto c = std::make_unique<Compiled>();
  auto x = Compile("x", templates.x);
  if (!x.ok()) return x.status();
  auto tg = Compile("telegram", templates.telegram);
  if (!tg.ok()) return tg.status();
  auto title = Compile("android_title", templates.android_title);
  if (!title.ok()) return title.status();
  auto body = Compile("android_body", templates.android_body);
  if (!body.ok()) return body.status();
  c->x = *std::move(x);
  c->telegram = *std::move(tg);
  c->title = *std::move(title);
  c->body = *std::move(body);
  return Formatter(std::move(c));
}

FormattedTexts Formatter::Format(const superbet::v1::Prediction& p) const {
  FormattedTexts out;
  FormatInto(p, &out);
  return out;
}

void Formatter::FormatInto(const superbet::v1::Prediction& p, FormattedTexts* texts) const {
  FormattedTexts& out = *texts;
  const Values v = RenderValues(p);
  std::string home_nfc, away_nfc;
  absl::string_view home = p.home(), away = p.away();
  if (!BelowCombiningMarks(home)) home = home_nfc = ToNfc(home);
  if (!BelowCombiningMarks(away)) away = away_nfc = ToNfc(away);

  // X: names first, then a cut before the trailing hashtag.
  int (*const x_measure)(absl::string_view) = XWeightedLength;
  if (!FitNames(compiled_->x, v, home, away, false, x_measure, XWeightBound, kXMaxWeightedLength,
                &out.x)) {
    size_t keep = out.x.rfind(" #");
    if (keep == std::string::npos) keep = out.x.size();
    CutToFit(&out.x, keep, x_measure, kXMaxWeightedLength);
  }

  int (*const tg_measure)(absl::string_view) = TelegramParsedLength;
  if (!FitNames(compiled_->telegram, v, home, away, true, tg_measure, ByteCount, kTelegramMaxLength,
                &out.telegram)) {
    // Cut between whole escapes: clusters never split "\\." since the backslash is ASCII and the
    // escaped character follows; a cut after a lone backslash is avoided by trimming it.
    CutToFit(&out.telegram, out.telegram.size(), tg_measure, kTelegramMaxLength);
  }

  int (*const cp_measure)(absl::string_view) = CodePointCount;
  if (!FitNames(compiled_->title, v, home, away, false, cp_measure, ByteCount, kFcmMaxTitle,
                &out.android.title)) {
    CutToFit(&out.android.title, out.android.title.size(), cp_measure, kFcmMaxTitle);
  }
  if (!FitNames(compiled_->body, v, home, away, false, cp_measure, ByteCount, kFcmMaxBody,
                &out.android.body)) {
    CutToFit(&out.android.body, out.android.body.size(), cp_measure, kFcmMaxBody);
  }
}

}  // namespace superbet::broadcast
