// The binary form of a scored and formatted event in the plant's internal streams
// (broadcast.queue.priority and the outboxes, field `event_pb`): superbet.v1.broadcast.PlantEvent
// (proto/superbet/v1/plant_event.proto), so that the priority and platform stages neither parse
// the CloudEvent JSON back nor format the texts again. Private to broadcast/. Thread-safe.

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_PLANT_EVENT_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_PLANT_EVENT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "superbet/broadcast/cloud_event.h"

namespace superbet::broadcast::internal {

// The stream field holding the encoded event.
inline constexpr absl::string_view kEventPbField = "event_pb";

// Appends the PlantEvent wire bytes of `event` (prediction, S, tier, texts) to `*out`.
void EncodePlantEvent(const BroadcastEvent& event, std::string* out);

// Decodes what EncodePlantEvent wrote into `*event` (id and decided_at_ms derived from the
// prediction, as FillEvent does). Returns false when `bytes` is not a PlantEvent with a known tier.
bool DecodePlantEvent(absl::string_view bytes, BroadcastEvent* event);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_PLANT_EVENT_H_
