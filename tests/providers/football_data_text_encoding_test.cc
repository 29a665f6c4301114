// Tests of UTF-8 validation and Windows-1252 decoding
// (include/superbet/providers/football_data/text_encoding.h).
// Oracles: Python's bytes.decode("cp1252") for the defined bytes (b"\x80\x92\xa0\xe9\xff" →
// "€’\u00a0éÿ"), the WHATWG index-windows-1252 for the undefined ones (0x81 → U+0081), and the
// ill-formed sequences listed in the Unicode Standard §3.9 (table 3-7) for validation.

#include <catch2/catch.hpp>
#include <string>

#include "superbet/providers/football_data/text_encoding.h"
#include "support/test_data.h"

namespace fd = superbet::providers::football_data;

TEST_CASE("text encoding: Windows-1252 bytes decode to their Unicode code points",
          "[football_data][issue12]") {
  CHECK(fd::DecodeWindows1252("plain ASCII,1.5\r\n") == "plain ASCII,1.5\r\n");
  CHECK(fd::DecodeWindows1252("\x80\x92\xa0\xe9\xff") ==
        "\xE2\x82\xAC\xE2\x80\x99\xC2\xA0\xC3\xA9\xC3\xBF");  // € ’ NBSP é ÿ
  CHECK(fd::DecodeWindows1252("\x81") == "\xC2\x81");
  CHECK(fd::DecodeWindows1252("\xa0"
                              "A Penn") ==
        "\xC2\xA0"
        "A Penn");
  CHECK(fd::IsValidUtf8(fd::DecodeWindows1252(std::string("\x80\x81\x9f\xa0\xff\x00", 6))));
}

TEST_CASE("text encoding: UTF-8 validation rejects ill-formed sequences",
          "[football_data][issue12]") {
  size_t bad = 0;
  CHECK(fd::IsValidUtf8("", &bad));
  CHECK(bad == 0);
  CHECK(
      fd::IsValidUtf8("\xEF\xBB\xBF"
                      "Div,\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80",
                      &bad));
  CHECK(bad == 18);  // 3 + 4 + 2 + 1 + 3 + 1 + 4 bytes.
  CHECK_FALSE(
      fd::IsValidUtf8("E1,\xa0"
                      "A Penn",
                      &bad));  // E1_0405.csv line 517.
  CHECK(bad == 3);
  CHECK_FALSE(fd::IsValidUtf8("\xC0\xAF"));          // Overlong '/'.
  CHECK_FALSE(fd::IsValidUtf8("\xE0\x80\xAF"));      // Overlong, 3 bytes.
  CHECK_FALSE(fd::IsValidUtf8("\xED\xA0\x80"));      // Surrogate U+D800.
  CHECK_FALSE(fd::IsValidUtf8("\xF4\x90\x80\x80"));  // Above U+10FFFF.
  CHECK_FALSE(fd::IsValidUtf8("\xC3"));              // Truncated.
  CHECK_FALSE(fd::IsValidUtf8("\xE2\x82"));
  CHECK_FALSE(fd::IsValidUtf8("\xE2\x28\xA1"));  // Bad continuation.
  // Every real file but E1_0405.csv is valid UTF-8 (checked with Python: bytes.decode("utf-8")).
  CHECK(fd::IsValidUtf8(superbet::testing::ReadFileOrEmpty(
      superbet::testing::DataPath("football-data/E0_2425.csv"))));
  CHECK_FALSE(fd::IsValidUtf8(
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E1_0405.csv")),
      &bad));
  CHECK(bad == 115781);
}
