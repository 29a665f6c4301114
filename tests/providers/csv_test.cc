// Tests of the RFC 4180 CSV reader (include/superbet/providers/football_data/csv.h).
// Oracle: RFC 4180 §2 rules applied by hand to each small input; the expected records are
// what Python's csv.reader returns for the same bytes (checked by hand when writing the test).

#include "superbet/providers/football_data/csv.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/test_data.h"

namespace csv = superbet::providers::csv;
using Records = std::vector<std::vector<std::string>>;

namespace {

Records MustParse(const std::string& bytes) {
  auto r = csv::ParseAll(bytes);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("csv: plain fields, LF and CRLF line ends, missing final newline", "[csv]") {
  const Records expected = {{"a", "b", "c"}, {"1", "", "3"}};
  CHECK(MustParse("a,b,c\n1,,3\n") == expected);
  CHECK(MustParse("a,b,c\r\n1,,3\r\n") == expected);
  CHECK(MustParse("a,b,c\r\n1,,3") == expected);
  CHECK(MustParse("a,b,c\r1,,3\r") == expected);  // Lone CR (old Mac exports).
}

TEST_CASE("csv: quoted fields with commas, doubled quotes and line breaks", "[csv]") {
  CHECK(MustParse("x,\"Wiley, A. G.\",y\n") == Records{{"x", "Wiley, A. G.", "y"}});
  CHECK(MustParse("\"say \"\"hi\"\"\",\"\"\n") == Records{{"say \"hi\"", ""}});
  CHECK(MustParse("\"two\r\nlines\",z\r\nnext,row\r\n") ==
        Records{{"two\r\nlines", "z"}, {"next", "row"}});
  CHECK(MustParse("\"a\"\"b\",\"c\"\"d\"") == Records{{"a\"b", "c\"d"}});  // Two unescapes.
  CHECK(MustParse("ab\"c,d\n") == Records{{"ab\"c", "d"}});  // Bare quote kept literally.
}

TEST_CASE("csv: record_line counts physical lines across quoted line breaks", "[csv]") {
  csv::Reader reader("h1,h2\n\"a\nb\",c\nd,e\n");
  std::vector<absl::string_view> fields;
  REQUIRE(*reader.Next(&fields));
  CHECK(reader.record_line() == 1);
  REQUIRE(*reader.Next(&fields));
  CHECK(reader.record_line() == 2);
  CHECK(fields[0] == "a\nb");
  REQUIRE(*reader.Next(&fields));
  CHECK(reader.record_line() == 4);
  CHECK_FALSE(*reader.Next(&fields));
}

TEST_CASE("csv: UTF-8 BOM is skipped, empty lines and trailing empty fields kept", "[csv]") {
  CHECK(MustParse("\xEF\xBB\xBF"
                  "Div,Date\r\nE0,x\r\n") == Records{{"Div", "Date"}, {"E0", "x"}});
  CHECK(MustParse("a\n\nb\n") == Records{{"a"}, {""}, {"b"}});
  CHECK(MustParse("a,b,\n,,\n") == Records{{"a", "b", ""}, {"", "", ""}});
  CHECK(MustParse("").empty());
  CHECK(MustParse("\xEF\xBB\xBF").empty());
}

TEST_CASE("csv: syntax errors name the line, the reader resumes after them", "[csv]") {
  auto unterminated = csv::ParseAll("a,b\n\"open,c\nd\n");
  REQUIRE_FALSE(unterminated.ok());
  CHECK(unterminated.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(unterminated.status().message() == "line 2: unterminated quoted field");

  csv::Reader reader("\"a\"x,b\nc,d\n");
  std::vector<absl::string_view> fields;
  auto bad = reader.Next(&fields);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "line 1: unexpected character 'x' after closing quote");
  CHECK(reader.error_line() == 1);
  auto next = reader.Next(&fields);  // Resumes on line 2.
  REQUIRE(next.ok());
  REQUIRE(*next);
  CHECK(fields == std::vector<absl::string_view>{"c", "d"});
}

TEST_CASE("csv: every real football-data file reads with a constant field count", "[csv]") {
  // Oracle: Python csv.reader on the same files (records = 381, or 382 for E0_1415 with its
  // trailing ",,,,," row); the header of E0_1516 has 65 columns.
  auto r = csv::ParseAll(
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E0_1516.csv")));
  REQUIRE(r.ok());
  CHECK(r->size() == 381);
  CHECK((*r)[0].size() == 65);
  CHECK((*r)[0][0] == "Div");
  auto bom = csv::ParseAll(
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E0_2425.csv")));
  REQUIRE(bom.ok());
  CHECK((*bom)[0][0] == "Div");  // BOM stripped.
  CHECK((*bom)[0].size() == 120);
}

TEST_CASE("csv: LineBreaks::kEndRecord rejects an open quote at the end of its line only",
          "[csv][issue12]") {
  // football-data.co.uk's rule (records never span lines): the open quote on line 2 costs line 2;
  // lines 3 and 4 are read. Python's csv.reader (RFC 4180) returns 2 records for these bytes, the
  // second being the whole rest of the file; that is the failure this mode avoids.
  const std::string bytes = "h1,h2\n\"open,c\nd,e\r\nf,\"g\"\n";
  csv::Reader reader(bytes, csv::LineBreaks::kEndRecord);
  std::vector<absl::string_view> fields;
  REQUIRE(*reader.Next(&fields));
  auto bad = reader.Next(&fields);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "line 2: unterminated quoted field");
  CHECK(reader.error_line() == 2);
  REQUIRE(*reader.Next(&fields));
  CHECK(reader.record_line() == 3);
  CHECK(fields == std::vector<absl::string_view>{"d", "e"});
  REQUIRE(*reader.Next(&fields));
  CHECK(reader.record_line() == 4);
  CHECK(fields == std::vector<absl::string_view>{"f", "g"});
  CHECK_FALSE(*reader.Next(&fields));
  // The default stays RFC 4180: the quoted field runs to the end of the buffer.
  CHECK_FALSE(csv::ParseAll(bytes).ok());
  CHECK(MustParse("\"a\nb\",c\n") == Records{{"a\nb", "c"}});
}
