// Formatter tests on real team names from ../shared/data (football-data.co.uk spellings: "Nott'm
// Forest" E0_2324.csv, "Sheffield Weds" E1; StatsBomb / API-Football spellings for the others),
// non-Latin names and emoji.
// Oracles: twitter-text config v3 (github.com/twitter/twitter-text config/v3.json: ranges
// 0-4351, 8192-8205, 8208-8223, 8242-8247 weigh 1, anything else 2; emoji sequences 2; URLs 23)
// counted by hand; the Bot API's list of MarkdownV2 reserved characters; the limits
// 280/4096/65/240.

#include "superbet/broadcast/format.h"

#include <catch2/catch.hpp>

namespace sb = superbet::broadcast;

namespace {

superbet::v1::Prediction Pred(const std::string& home, const std::string& away) {
  superbet::v1::Prediction p;
  p.set_match_id("football-data:E0_2324:1");
  p.set_home(home);
  p.set_away(away);
  p.set_pick("home");
  p.mutable_prob()->set_home(0.5349);
  p.mutable_prob()->set_draw(0.25);
  p.mutable_prob()->set_away(0.2151);
  p.mutable_odds()->set_home(2.1);
  p.mutable_odds()->set_draw(3.4);
  p.mutable_odds()->set_away(3.75);
  p.set_confidence(0.7234);
  p.set_vsnr(2.96);
  p.set_cas(1.125);
  p.set_kelly_fraction(0.06);
  return p;
}

// A MarkdownV2 text is well formed when every reserved character outside the template's own
// markup ('*' pairs) is preceded by a backslash.
bool AllReservedEscaped(const std::string& text) {
  const std::string reserved = "_[]()~`>#+-=|{}.!";
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (reserved.find(text[i]) != std::string::npos) return false;
  }
  return true;
}

// Well-formed UTF-8 (RFC 3629: lead byte, then its continuation bytes 10xxxxxx).
bool ValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("X weighted length follows twitter-text v3", "[format]") {
  CHECK(sb::XWeightedLength("abc") == 3);
  CHECK(sb::XWeightedLength("K\u00f6ln") == 4);                 // U+00F6 < 4352: weight 1.
  CHECK(sb::XWeightedLength("\u2014") == 1);                    // U+2014 = 8212: weight 1.
  CHECK(sb::XWeightedLength("\u6d66\u548c") == 4);              // CJK: 2 each.
  CHECK(sb::XWeightedLength("\u0426\u0421\u041a\u0410") == 4);  // Cyrillic < 4352: 1 each.
  CHECK(sb::XWeightedLength("\u26bd\ufe0f") == 2);              // One emoji sequence.
  CHECK(sb::XWeightedLength("\U0001F1F9\U0001F1F7") == 2);      // Flag: regional-indicator pair.
  CHECK(sb::XWeightedLength("\U0001F468\u200D\U0001F469\u200D\U0001F467") == 2);  // ZWJ family.
  CHECK(sb::XWeightedLength("\U0001F44D\U0001F3FD") == 2);  // Skin tone modifier.
  CHECK(sb::XWeightedLength("see https://example.com/a/very/long/path?q=1 now") == 4 + 23 + 4);
}

TEST_CASE("X weighted length of U+2026 is 2 (outside the v3 ranges)", "[format]") {
  // U+2026 HORIZONTAL ELLIPSIS = 8230: not in 8208-8223 nor 8242-8247, so it weighs 2.
  CHECK(sb::XWeightedLength("\u2026") == 2);
}

TEST_CASE("NFC before weighing: a decomposed o-umlaut counts once", "[format]") {
  CHECK(sb::ToNfc("1. FC Ko\u0308ln") == "1. FC K\u00f6ln");
  sb::Formatter f = *sb::Formatter::Create({});
  const sb::FormattedTexts t = f.Format(Pred("1. FC Ko\u0308ln", "Atl\u00e9tico Madrid"));
  CHECK(t.x.find("1. FC K\u00f6ln") != std::string::npos);
}

TEST_CASE("formatters render the real names within every limit", "[format]") {
  sb::Formatter f = *sb::Formatter::Create({});
  const std::pair<std::string, std::string> matches[] = {
      {"Brighton & Hove Albion", "Nott'm Forest"},
      {"1. FC K\u00f6ln", "Borussia M'gladbach"},
      {"Paris Saint-Germain", "Atl\u00e9tico Madrid"},
      {"Sheffield Weds", "Nott'm Forest"},
      {"\u6d66\u548c\u30ec\u30c3\u30ba",
       "\u0426\u0421\u041a\u0410 \u041c\u043e\u0441\u043a\u0432\u0430"},
      {"\U0001F1F9\U0001F1F7 Galatasaray \u26bd\ufe0f",
       "Fenerbah\u00e7e \U0001F468\u200D\U0001F469\u200D\U0001F467"},
  };
  for (const auto& [home, away] : matches) {
    INFO(home << " v " << away);
    const sb::FormattedTexts t = f.Format(Pred(home, away));
    CHECK(sb::XWeightedLength(t.x) <= sb::kXMaxWeightedLength);
    CHECK(t.x.find(home) != std::string::npos);  // Short enough: names kept whole.
    CHECK(t.x.find("53% @2.10") != std::string::npos);
    CHECK(t.x.find("VSNR:3.0") != std::string::npos);
    CHECK(t.x.find("#SuperbetGenesis") != std::string::npos);
    CHECK(sb::TelegramParsedLength(t.telegram) <= sb::kTelegramMaxLength);
    CHECK(AllReservedEscaped(t.telegram));
    CHECK(t.telegram.find("\\#SuperbetGenesis") != std::string::npos);
    CHECK(sb::CodePointCount(t.android.title) <= sb::kFcmMaxTitle);
    CHECK(sb::CodePointCount(t.android.body) <= sb::kFcmMaxBody);
  }
  const sb::FormattedTexts t = f.Format(Pred("Brighton & Hove Albion", "Nott'm Forest"));
  CHECK(t.telegram.find("*Brighton & Hove Albion* vs *Nott'm Forest*") != std::string::npos);
  CHECK(t.telegram.find("53% @2\\.10") != std::string::npos);
  CHECK(t.telegram.find("CAS: 1\\.12") != std::string::npos);  // 1.125 -> 1.12 (half-even binary).
  const sb::FormattedTexts psg = f.Format(Pred("Paris Saint-Germain", "1. FC K\u00f6ln"));
  CHECK(psg.telegram.find("*Paris Saint\\-Germain* vs *1\\. FC K\u00f6ln*") != std::string::npos);
  CHECK(psg.android.title == "Paris Saint-Germain vs 1. FC K\u00f6ln");
  CHECK(psg.android.body == "home 53% | G\u00fcven: 72%");
}

TEST_CASE("MarkdownV2 escaping covers every reserved character and the backslash", "[format]") {
  CHECK(sb::EscapeMarkdownV2("_*[]()~`>#+-=|{}.!\\") ==
        "\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\");
  CHECK(sb::EscapeMarkdownV2("Nott'm Forest & K\u00f6ln") == "Nott'm Forest & K\u00f6ln");
  CHECK(sb::TelegramParsedLength("*a\\.b*") == 3);
  CHECK(sb::TelegramParsedLength("[x](http://a.b)") == 1);
  CHECK(sb::TelegramParsedLength("\U0001F3AF") == 2);  // Outside the BMP: 2 UTF-16 units.
}

TEST_CASE("long names are shortened first, never cut inside a UTF-8 or emoji sequence",
          "[format]") {
  sb::Formatter f = *sb::Formatter::Create({});
  std::string home;
  for (int i = 0; i < 90; ++i) home += "\u6d66";  // 90 CJK = weight 180.
  std::string away;
  for (int i = 0; i < 40; ++i) away += "\U0001F468\u200D\U0001F469\u200D\U0001F467";  // 40 x 2.
  away += " Atl\u00e9tico";
  const sb::FormattedTexts t = f.Format(Pred(home, away));
  CHECK(sb::XWeightedLength(t.x) <= 280);
  CHECK(t.x.find("\u2026") != std::string::npos);            // A name was shortened...
  CHECK(t.x.find("#SuperbetGenesis") != std::string::npos);  // ...and the hashtag kept.
  CHECK(t.x.find("53% @2.10") != std::string::npos);
  // Valid UTF-8 and no dangling ZWJ: every ZWJ is followed by a pictograph (U+1F4xx).
  for (size_t i = 0; (i = t.x.find("\u200D", i)) != std::string::npos; i += 3) {
    REQUIRE(i + 3 < t.x.size());
    CHECK(static_cast<unsigned char>(t.x[i + 3]) == 0xF0);
  }
  CHECK(sb::CodePointCount(t.android.title) <= 65);
  CHECK(t.android.title.find("\u2026") != std::string::npos);
}

TEST_CASE("a template with an unknown placeholder is rejected naming it", "[format]") {
  sb::Templates bad;
  bad.x = "{home} {oops}";
  auto f = sb::Formatter::Create(bad);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message() == "template x: unknown placeholder '{oops}'");
}

TEST_CASE("FormatInto on reused texts equals Format, after a shortened text and back", "[format]") {
  // Oracle: Format on a fresh FormattedTexts. The reused buffers must carry nothing over from the
  // previous event (a long, shortened one with emoji, then short names, then a URL-like name
  // that defeats the X weight's quick bound).
  sb::Formatter f = *sb::Formatter::Create({});
  std::string cjk;
  for (int i = 0; i < 90; ++i) cjk += "\u6d66";
  const std::vector<superbet::v1::Prediction> preds = {
      Pred(cjk, "1. FC K\u00f6ln"), Pred("Brighton & Hove Albion", "Nott'm Forest"),
      Pred("https://example.com/a-very-long-club-name-that-counts-as-23", "Sheffield Weds"),
      Pred("Atl\u00e9tico Madrid", "Borussia M'gladbach")};
  sb::FormattedTexts reused;
  for (const auto& p : preds) {
    f.FormatInto(p, &reused);
    const sb::FormattedTexts fresh = f.Format(p);
    CHECK(reused.x == fresh.x);
    CHECK(reused.telegram == fresh.telegram);
    CHECK(reused.android.title == fresh.android.title);
    CHECK(reused.android.body == fresh.android.body);
    CHECK(sb::XWeightedLength(reused.x) <= 280);
  }
}

// The formatter's fast path skips ICU when every code point is below U+0300 (NFC_Quick_Check Yes
// for all of U+0000-U+02FF). Oracle: the general path, i.e. the texts of the name ICU normalised
// beforehand (ToNfc), and twitter-text's weights counted by hand. Names on both sides of the
// ASCII boundary (U+007E, U+0080), of the fast path's boundary (U+02FF weighs 1 and is NFC;
// U+0300 is a combining grave accent that NFC composes with the letter before it), and
// decomposed sequences that NFC changes ("Ko\u0308ln" -> "K\u00f6ln", "Atle\u0301tico").
TEST_CASE("names on the fast path's boundaries format as their NFC form does", "[format]") {
  sb::Formatter f = *sb::Formatter::Create({});
  const std::vector<std::pair<std::string, std::string>> names = {
      {"Nott'm Forest~", "Nott'm Forest~"},               // ASCII only
      {"Sheffield Weds\u0080", "Sheffield Weds\u0080"},   // first non-ASCII code point
      {"1. FC K\u00f6ln", "1. FC K\u00f6ln"},             // composed, already NFC
      {"Club \u02ff", "Club \u02ff"},                     // last code point of the fast path
      {"a\u0300 Club", "\u00e0 Club"},                    // first combining mark: NFC composes
      {"1. FC Ko\u0308ln", "1. FC K\u00f6ln"},            // decomposed o-umlaut
      {"Atle\u0301tico Madrid", "Atl\u00e9tico Madrid"},  // decomposed e-acute
  };
  for (const auto& [raw, nfc] : names) {
    INFO(raw);
    CHECK(sb::ToNfc(raw) == nfc);
    const sb::FormattedTexts a = f.Format(Pred(raw, "Brighton & Hove Albion"));
    const sb::FormattedTexts b = f.Format(Pred(sb::ToNfc(raw), "Brighton & Hove Albion"));
    CHECK(a.x == b.x);
    CHECK(a.telegram == b.telegram);
    CHECK(a.android.title == b.android.title);
    CHECK(a.android.body == b.android.body);
    CHECK(a.x.find(nfc) != std::string::npos);
  }
  // Hand count (twitter-text v3): "Club \u02ff" weighs 6 (U+02FF <= 4351), "\u00e0 Club" 6.
  CHECK(sb::XWeightedLength("Club \u02ff") == 6);
  CHECK(sb::XWeightedLength("a\u0300 Club") == 6);  // NFC first: one code point for a + grave
}

// The table-driven MarkdownV2 escaper, on every byte value. Oracle: the Bot API's list of
// reserved characters (core.telegram.org/bots/api#markdownv2-style) plus the backslash.
TEST_CASE("MarkdownV2 escaping of every byte value follows the Bot API's list", "[format]") {
  const std::string reserved = "_*[]()~`>#+-=|{}.!\\";
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    INFO("byte " << c);
    CHECK(sb::EscapeMarkdownV2("a" + one + "b") ==
          (reserved.find(one) != std::string::npos ? "a\\" + one + "b" : "a" + one + "b"));
  }
}

// The one-pass renderer sizes its buffer from the template's counts: repeated placeholders, a
// long pick of reserved characters (escaped: twice its size) and absent numbers. Oracle: the
// expected text written out by hand.
TEST_CASE("templates with repeated placeholders and long escaped values render whole", "[format]") {
  sb::Templates t;
  t.x = "{pick}|{pick}|{home}{home}{away}|{prob}{odds}{conf}{vsnr}{cas}{home_prob}{home_odds}";
  t.telegram = "{pick}{home}{vsnr}";
  t.android_title = "{away}";
  t.android_body = "{cas}";
  sb::Formatter f = *sb::Formatter::Create(t);
  superbet::v1::Prediction p = Pred("A.B", "C");
  const std::string pick(100, '.');
  p.set_pick(pick);  // Not home/draw/away: the pick's prob and odds are absent ("-").
  p.clear_vsnr();
  const sb::FormattedTexts out = f.Format(p);
  // conf 0.7234 -> 72, vsnr absent -> "-", cas 1.125 (an exact binary tie) -> 1.12 (half to
  // even, as printf), home_prob 53, home_odds 2.10.
  CHECK(out.x == pick + "|" + pick + "|A.BA.BC|--72-1.12532.10");
  std::string escaped_pick;
  for (int i = 0; i < 100; ++i) escaped_pick += "\\.";
  CHECK(out.telegram == escaped_pick + "A\\.B\\-");  // the absent "-" is a value: escaped
  CHECK(out.android.title == "C");
  CHECK(out.android.body == "1.12");
}

TEST_CASE("Telegram: names thousands of characters long are shortened to 4096 parsed characters",
          "[format]") {
  // Every name character is a MarkdownV2 reserved one or outside the BMP, so escapes and UTF-16
  // pairs both matter. Oracles: the Bot API's limit (4096 UTF-16 code units after entity parsing,
  // counted by TelegramParsedLength, checked by hand on small texts above), every reserved
  // character escaped, no escape left dangling, the template's markup and hashtag kept.
  sb::Formatter f = *sb::Formatter::Create({});
  std::string home, away;
  for (int i = 0; i < 1500; ++i) home += "1.FC-";               // 3 reserved of 5.
  for (int i = 0; i < 1500; ++i) away += "\U0001F3C6(Nott'm)";  // 2 UTF-16 units + 2.
  const sb::FormattedTexts t = f.Format(Pred(home, away));
  CHECK(sb::TelegramParsedLength(t.telegram) <= sb::kTelegramMaxLength);
  CHECK(sb::TelegramParsedLength(t.telegram) > 4000);  // Shortened, not emptied.
  CHECK(AllReservedEscaped(t.telegram));
  CHECK(t.telegram.find("\\#SuperbetGenesis") != std::string::npos);
  CHECK(t.telegram.find("* vs *") != std::string::npos);  // Both bold spans still closed.
  CHECK(t.telegram.find("\u2026") != std::string::npos);
  // Valid UTF-8 throughout: no trophy cut inside its 4 bytes.
  CHECK(ValidUtf8(t.telegram));
  CHECK(ValidUtf8(t.x));
  CHECK(ValidUtf8(t.android.title));
  CHECK_FALSE(ValidUtf8("\xF0\x9F\x8F"));  // The checker itself: a trophy cut after 3 bytes.
  CHECK(sb::XWeightedLength(t.x) <= sb::kXMaxWeightedLength);
  CHECK(sb::CodePointCount(t.android.title) <= sb::kFcmMaxTitle);
  CHECK(sb::CodePointCount(t.android.body) <= sb::kFcmMaxBody);
}

TEST_CASE("names as long as an input line allows (1 MiB) format in one pass per limit",
          "[format]") {
  // Provider data is untrusted: a name of 100 000 clusters (700 KB) must not cost one render per
  // cluster (the plant would stall for hours on one line). Oracle: the limits, and this test's
  // own run time under ctest's timeout.
  sb::Formatter f = *sb::Formatter::Create({});
  std::string home, away;
  for (int i = 0; i < 100000; ++i) home += "Nott'm-";
  for (int i = 0; i < 50000; ++i) away += "\u6d66\U0001F3C6";
  const sb::FormattedTexts t = f.Format(Pred(home, away));
  CHECK(sb::XWeightedLength(t.x) <= sb::kXMaxWeightedLength);
  CHECK(sb::XWeightedLength(t.x) >= sb::kXMaxWeightedLength - 4);  // Shortened no further.
  CHECK(sb::TelegramParsedLength(t.telegram) <= sb::kTelegramMaxLength);
  CHECK(sb::TelegramParsedLength(t.telegram) >= sb::kTelegramMaxLength - 4);
  CHECK(sb::CodePointCount(t.android.title) <= sb::kFcmMaxTitle);
  CHECK(ValidUtf8(t.x));
  CHECK(ValidUtf8(t.telegram));
  CHECK(t.x.find("#SuperbetGenesis") != std::string::npos);
}
