// Tests of superbet/core/json_string.h. Oracle: nlohmann::json's dump() (an independent JSON
// writer, Debian nlohmann-json3-dev), which escapes exactly the same characters in the same
// form (short escapes for \" \\ \n \r \t, \u00xx lower-case for the other control characters,
// every other byte copied), on every ASCII byte and on real team names in UTF-8.
#include "superbet/core/json_string.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace superbet::core {
namespace {

TEST_CASE("json string: every ASCII byte is escaped as nlohmann::json escapes it", "[json]") {
  for (int c = 0; c < 128; ++c) {
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    INFO("byte " << c);
    CHECK(JsonString(text) == nlohmann::json(text).dump());
  }
}

TEST_CASE("json string: UTF-8 names pass through, and the escaped form has no quotes", "[json]") {
  for (const std::string name : {"1. FC Köln", "Atlético Madrid", "Borussia M'gladbach",
                                 "Nott'm Forest", "北京国安", "Brighton & Hove \"Albion\"\\"}) {
    CHECK(JsonString(name) == nlohmann::json(name).dump());
    std::string escaped;
    AppendJsonEscaped(&escaped, name);
    CHECK("\"" + escaped + "\"" == JsonString(name));
  }
  std::string out = "x";
  AppendJsonString(&out, "");
  CHECK(out == "x\"\"");
}

// The 16-byte scan of WriteJsonEscaped / AppendJsonEscaped: every byte value 0-255 at every
// offset of a 40-byte ASCII text (so before, inside and after each 16-byte block, and in the
// scalar tail), in a string of UTF-8 names, and with every byte escaped: the same as nlohmann.
TEST_CASE("json string: the block scan finds an escape at every offset, as nlohmann escapes it",
          "[json]") {
  const std::string base = "Brighton & Hove Albion v Nott'm Forest!!";  // 40 ASCII bytes.
  REQUIRE(base.size() == 40);
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < base.size(); ++at) {
      std::string text = base;
      text[at] = static_cast<char>(c);
      INFO("byte " << c << " at offset " << at);
      std::string buf(kJsonEscapedMaxGrowth * text.size(), '\0');
      const std::string written(buf.data(), WriteJsonEscaped(buf.data(), text) - buf.data());
      std::string appended;
      AppendJsonEscaped(&appended, text);
      REQUIRE(written == appended);
      if (c < 0x80) REQUIRE("\"" + written + "\"" == nlohmann::json(text).dump());
    }
  }
  const std::string controls = "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x1f";
  std::string buf(kJsonEscapedMaxGrowth * controls.size(), '\0');
  const std::string written(buf.data(), WriteJsonEscaped(buf.data(), controls) - buf.data());
  CHECK("\"" + written + "\"" == nlohmann::json(controls).dump());
  const std::string names =
      "1. FC K\u00f6ln \"Atl\u00e9tico\" \u5317\u4eac\u56fd\u5b89 \U0001F3AF\\ end";
  std::string nbuf(kJsonEscapedMaxGrowth * names.size(), '\0');
  const std::string nwritten(nbuf.data(), WriteJsonEscaped(nbuf.data(), names) - nbuf.data());
  CHECK("\"" + nwritten + "\"" == nlohmann::json(names).dump());
}

}  // namespace
}  // namespace superbet::core
