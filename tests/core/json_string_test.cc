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

}  // namespace
}  // namespace superbet::core
