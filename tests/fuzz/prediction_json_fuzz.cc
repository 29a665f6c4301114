// libFuzzer target: the Prediction JSON line reader (superbet/scoring/prediction_json.h) on
// arbitrary bytes, one line at a time and as a whole stream. It must never crash, hang or read
// out of bounds; rejections are fine. Seed corpus: tests/fuzz/seeds/prediction_json_fuzz/ (valid
// lines and lines that break each validation rule).
// Invariants checked: an accepted line satisfies the contract (pick in home|draw|away, its price
// > 1 and finite, probabilities in [0, 1]) and prints back to a line that reads back to the same
// message; the stream reader's counts add up (accepted + rejected + blank = lines read).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "superbet/scoring/prediction_json.h"

namespace scoring = superbet::scoring;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto p = scoring::PredictionFromJsonLine(bytes, 1);
  if (p.ok()) {
    const auto& o = p->odds();
    const double price = p->pick() == "home"   ? o.home()
                         : p->pick() == "draw" ? o.draw()
                         : p->pick() == "away" ? o.away()
                                               : std::nan("");
    if (!(std::isfinite(price) && price > 1.0)) std::abort();
    if (!(p->confidence() >= 0.0 && p->confidence() <= 1.0)) std::abort();
    auto line = scoring::PredictionToJsonLine(*p);
    if (!line.ok()) std::abort();
    auto again = scoring::PredictionFromJsonLine(*line, 1);
    if (!again.ok() || again->SerializeAsString() != p->SerializeAsString()) std::abort();
  }
  (void)scoring::DecisionFromJsonLine(bytes, 1);
  std::istringstream in{std::string(bytes)};
  scoring::PredictionStreamReader reader(in, {}, 16);
  while (reader.Next().has_value()) {
  }
  if (reader.accepted() + reader.rejected() + reader.blank() != reader.lines_read()) std::abort();
  return 0;
}
