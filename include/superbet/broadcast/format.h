// Platform texts of one prediction: the X post, the Telegram message (MarkdownV2) and the Android
// push (FCM title and body), from configurable templates with the seed design's default wording.
//
// Placeholders: {home} {away} (team names), {pick} ("home" | "draw" | "away"), {prob} and {odds}
// (the pick's probability as an integer percentage and its decimal odds with 2 decimals),
// {home_prob} {home_odds}, {conf} (confidence, integer percentage), {vsnr} (1 decimal), {cas}
// (2 decimals). An absent value renders as "-". Literal text of a Telegram template is written
// already in MarkdownV2 (e.g. "\\#SuperbetGenesis"); every interpolated value is escaped.
//
// Limits, each met by shortening the team names first ("Borussia M'gladbach" -> "Borussia M'g…"),
// never cutting inside a UTF-8 sequence or an emoji sequence:
//   * X: weighted length <= 280 by twitter-text configuration v3 (github.com/twitter/twitter-text,
//     config/v3.json): after NFC normalisation each code point in U+0000-U+10FF, U+2000-U+200D,
//     U+2010-U+201F or U+2032-U+2037 weighs 1, any other 2; an emoji sequence (a pictograph with
//     its variation selectors, skin-tone modifiers, keycap, tags and ZWJ-joined pictographs, or a
//     regional-indicator pair) weighs 2 as a whole; a URL (http:// or https:// up to white space)
//     weighs 23. The emoji rule approximates twitter-text's emoji regular expression by the
//     Unicode pictograph blocks U+2190-U+2BFF and U+1F000-U+1FAFF.
//   * Telegram: <= 4096 characters (UTF-16 code units) after entity parsing (Bot API sendMessage),
//     i.e. with the MarkdownV2 markup and escapes removed.
//   * FCM: title <= 65 and body <= 240 characters (code points).
// If shortening names to 3 characters is still not enough (an oversized template), the text is cut
// at a code point boundary before the limit (for X, before the trailing hashtag, which is kept).

#ifndef SUPERBET_BROADCAST_FORMAT_H_
#define SUPERBET_BROADCAST_FORMAT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast {

inline constexpr int kXMaxWeightedLength = 280;
inline constexpr int kTelegramMaxLength = 4096;
inline constexpr int kFcmMaxTitle = 65;
inline constexpr int kFcmMaxBody = 240;

struct AndroidPush {
  std::string title;
  std::string body;
};

struct FormattedTexts {
  std::string x;
  std::string telegram;  // MarkdownV2.
  AndroidPush android;
};

struct Templates {
  std::string x =
      "\u26bd\ufe0f {home} vs {away}: {pick} {prob}% @{odds} | G\u00fcven:{conf}% VSNR:{vsnr} "
      "#SuperbetGenesis";
  std::string telegram =
      "\U0001f3af *{home}* vs *{away}*\n\n\U0001f3e0 Ev Sahibi: {home_prob}% @{home_odds}\n"
      "\U0001f4ca G\u00fcven: {conf}%\n\U0001f4c8 VSNR: {vsnr}\n\U0001f3b2 CAS: {cas}\n\n"
      "\\#SuperbetGenesis";
  std::string android_title = "{home} vs {away}";
  std::string android_body = "{pick} {prob}% | G\u00fcven: {conf}%";
};

// X's weighted length of `utf8_text` (see above). Invalid UTF-8 bytes weigh 2 each.
int XWeightedLength(absl::string_view utf8_text);

// `value` with every MarkdownV2 reserved character (_*[]()~`>#+-=|{}.! and the backslash) preceded
// by a backslash (core.telegram.org/bots/api#markdownv2-style).
std::string EscapeMarkdownV2(absl::string_view value);

// Length in UTF-16 code units of a MarkdownV2 text after entity parsing: escapes count as the
// character they escape, unescaped markup characters (* _ ~ ` | [ ] ( ) and the URL of a link)
// count 0. Used to check the 4096 limit.
int TelegramParsedLength(absl::string_view markdown_v2);

// Number of Unicode code points of valid UTF-8 (an invalid byte counts as one).
int CodePointCount(absl::string_view utf8_text);

// The NFC form of `utf8_text` (ICU); the text itself when it is already NFC or not valid UTF-8.
std::string ToNfc(absl::string_view utf8_text);

// Renders the three texts from compiled templates. Thread-compatible (const use is thread-safe);
// owns its compiled templates.
class Formatter {
 public:
  // Errors: InvalidArgument naming the template and the placeholder for an unknown "{name}" or an
  // unclosed "{".
  [[nodiscard]] static absl::StatusOr<Formatter> Create(const Templates& templates);
  ~Formatter();
  Formatter(Formatter&&) noexcept;
  Formatter& operator=(Formatter&&) noexcept;

  // The three texts for `prediction` (its pick, prob, odds and metrics), each within its limit.
  FormattedTexts Format(const superbet::v1::Prediction& prediction) const;
  // As Format, into `texts` (its strings' buffers are reused: no allocation once they have grown
  // to a typical text's size). `texts` must not be null.
  void FormatInto(const superbet::v1::Prediction& prediction, FormattedTexts* texts) const;

 private:
  struct Compiled;
  explicit Formatter(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_FORMAT_H_
