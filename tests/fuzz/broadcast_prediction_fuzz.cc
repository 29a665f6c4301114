// libFuzzer target: the broadcast plant's simdjson Prediction reader and writer
// (lib/broadcast/internal/prediction_fast_json.h) against their oracle, protobuf's JSON mapping
// as superbet::scoring uses it, on arbitrary bytes. Seed corpus: the prediction_json_fuzz seeds
// (tests/fuzz/seeds/prediction_json_fuzz/: valid lines and lines that break each rule).
// Invariants (any violation aborts):
//   * the fast reader never accepts a line protobuf's reader rejects, and when it accepts, the
//     message bytes are protobuf's;
//   * the plant's ParsePredictionLine answers exactly as protobuf's reader: same message bytes, or
//     the same error status (code and message);
//   * on an accepted message the fast writer's bytes, when it answers, are protobuf printer's.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "broadcast/internal/prediction_fast_json.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/scoring/prediction_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  superbet::v1::Prediction fast;
  const bool accepted = superbet::broadcast::internal::FastParsePrediction(line, &fast);
  auto slow = superbet::scoring::PredictionFromJsonLine(line, 1);
  if (accepted && (!slow.ok() || fast.SerializeAsString() != slow->SerializeAsString())) {
    std::abort();
  }
  auto plant = superbet::broadcast::ParsePredictionLine(line, 1);
  if (plant.ok() != slow.ok()) std::abort();
  if (slow.ok() && plant->SerializeAsString() != slow->SerializeAsString()) std::abort();
  if (!slow.ok() && plant.status() != slow.status()) std::abort();
  if (slow.ok()) {
    std::string printed;
    if (superbet::broadcast::internal::FastPrintPrediction(*slow, &printed)) {
      auto reference = superbet::scoring::PredictionToJsonLine(*slow);
      if (!reference.ok() || *reference != printed) std::abort();
    }
  }
  return 0;
}
