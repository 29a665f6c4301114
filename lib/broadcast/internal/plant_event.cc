#include "broadcast/internal/plant_event.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/base/casts.h"
#include "google/protobuf/io/coded_stream.h"
#include "superbet/v1/plant_event.pb.h"

namespace superbet::broadcast::internal {
namespace {

using google::protobuf::io::CodedOutputStream;
using WireFormat = superbet::v1::broadcast::PlantEvent;

void Varint(uint64_t v, std::string* out) {
  uint8_t buf[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(end - buf));
}

// Field `number` with wire type 2 (length-delimited).
void Bytes(int number, absl::string_view v, std::string* out) {
  if (v.empty()) return;  // proto3: the default is not written.
  Varint(static_cast<uint64_t>(number) << 3 | 2, out);
  Varint(v.size(), out);
  out->append(v.data(), v.size());
}

}  // namespace

void EncodePlantEvent(const BroadcastEvent& e, std::string* out) {
  // The PlantEvent wire format written field by field (what PlantEvent::SerializeToString writes
  // for the same values), without copying the prediction and texts into a PlantEvent first.
  const size_t n = e.prediction.ByteSizeLong();
  Varint(1 << 3 | 2, out);
  Varint(n, out);
  const size_t at = out->size();
  out->resize(at + n);
  e.prediction.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&(*out)[at]));
  if (e.priority_score != 0.0 || std::signbit(e.priority_score)) {
    Varint(2 << 3 | 1, out);
    char b[8];
    const uint64_t bits = absl::bit_cast<uint64_t>(e.priority_score);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(bits >> (8 * i));
    out->append(b, 8);
  }
  if (e.tier != PriorityTier::kLow) {
    Varint(3 << 3 | 0, out);
    Varint(static_cast<uint64_t>(e.tier), out);
  }
  Bytes(4, e.texts.x, out);
  Bytes(5, e.texts.telegram, out);
  Bytes(6, e.texts.android.title, out);
  Bytes(7, e.texts.android.body, out);
}

bool DecodePlantEvent(absl::string_view bytes, BroadcastEvent* e) {
  // One message per thread, swapped with the event: its strings keep the previous event's
  // buffers, so a stream of decodes stops allocating once they have grown.
  thread_local WireFormat w;
  if (!w.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  if (w.tier() < 0 || w.tier() >= kTierCount) return false;
  e->prediction.Swap(w.mutable_prediction());
  e->priority_score = w.priority_score();
  e->tier = static_cast<PriorityTier>(w.tier());
  e->texts.x.swap(*w.mutable_x());
  e->texts.telegram.swap(*w.mutable_telegram());
  e->texts.android.title.swap(*w.mutable_android_title());
  e->texts.android.body.swap(*w.mutable_android_body());
  const auto& t = e->prediction.decided_at();
  e->decided_at_ms = t.seconds() * 1000 + t.nanos() / 1000000;
  e->id = EventId(e->prediction);
  return true;
}

}  // namespace superbet::broadcast::internal
