// The plant's CloudEvent (CloudEvents v1.0, github.com/cloudevents/spec, cloudevents/spec.md) in
// its two formats: structured-mode JSON (formats/json-format.md) for the streams and sinks, and the
// protobuf format (formats/protobuf-format.md, io.cloudevents.v1.CloudEvent) for gRPC.
//
// Attributes: specversion "1.0"; type "com.superbet.prediction.published"; source
// "/plant/broadcast"; id "pred-{match_id}-{decided_at in Unix ms}" (a redelivery keeps its id);
// time = decided_at, RFC 3339 with "Z"; datacontenttype "application/json"; extension attributes
// `priority` (the tier name, e.g. "high") and `priorityscore` (S as a decimal string: CloudEvents
// has no floating-point type). `data` is the BroadcastData of superbet/v1/broadcast_data.proto.

#ifndef SUPERBET_BROADCAST_CLOUD_EVENT_H_
#define SUPERBET_BROADCAST_CLOUD_EVENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/format.h"
#include "superbet/broadcast/priority.h"
#include "superbet/v1/broadcast_data.pb.h"
#include "superbet/v1/cloudevents.pb.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast {

inline constexpr absl::string_view kEventType = "com.superbet.prediction.published";
inline constexpr absl::string_view kEventSource = "/plant/broadcast";

// One prediction that passed the filter, scored and formatted.
struct BroadcastEvent {
  superbet::v1::Prediction prediction;
  std::string id;               // CloudEvent id.
  int64_t decided_at_ms = 0;    // Unix milliseconds.
  double priority_score = 0.0;  // S.
  PriorityTier tier = PriorityTier::kLow;
  FormattedTexts texts;
};

// "pred-{match_id}-{unix_ms}".
std::string EventId(const superbet::v1::Prediction& prediction);

// Scores and formats a prediction that passed the filter (vsnr and cas present).
BroadcastEvent BuildEvent(const superbet::v1::Prediction& prediction, const Formatter& formatter);
// As above, moving `prediction` into the event (no copy).
BroadcastEvent BuildEvent(superbet::v1::Prediction&& prediction, const Formatter& formatter);
// As BuildEvent, into `*event`, reusing its buffers (a stream of events built into one
// BroadcastEvent allocates nothing once the buffers have grown). `event` must not be null.
void BuildEventInto(const superbet::v1::Prediction& prediction, const Formatter& formatter,
                    BroadcastEvent* event);
// As above, moving `prediction` into `*event` (as the plant does with each parsed line: no copy of
// the message). `prediction` is left valid but unspecified.
void BuildEventInto(superbet::v1::Prediction&& prediction, const Formatter& formatter,
                    BroadcastEvent* event);
// Fills id, decided_at_ms, priority_score, tier and texts from `event->prediction`.
void FillEvent(const Formatter& formatter, BroadcastEvent* event);

// Appends the structured-mode JSON of the event's CloudEvent to `out` (one line, no newline).
// Absent values are null. Numbers use the shortest round-trip form.
void AppendCloudEventJson(const BroadcastEvent& event, std::string* out);
std::string CloudEventJson(const BroadcastEvent& event);

// The BroadcastData message of the event.
superbet::v1::broadcast::BroadcastData ToBroadcastData(const BroadcastEvent& event);

// The protobuf-format CloudEvent: required attributes as fields, time as ce_timestamp,
// datacontenttype "application/protobuf" as ce_string, priority and priorityscore as ce_string,
// and the BroadcastData in proto_data.
io::cloudevents::v1::CloudEvent ToCloudEventProto(const BroadcastEvent& event);

// Checks a structured-mode JSON CloudEvent against the CloudEvents v1.0 rules: the REQUIRED
// attributes id, source, specversion ("1.0") and type are non-empty strings; time, when present,
// is an RFC 3339 timestamp; datacontenttype, dataschema and subject are strings; every attribute
// name (other than data and data_base64) consists of lower-case letters a-z and digits 0-9 only;
// data and data_base64 are not both present.
// Errors: InvalidArgument naming the attribute and the value ("attribute 'specversion' must be
// \"1.0\", got \"0.3\"").
[[nodiscard]] absl::Status ValidateCloudEventJson(absl::string_view json);

// Parses a structured-mode JSON CloudEvent written by AppendCloudEventJson back into the fields the
// plant's stages need (id, priority score, tier, decision time, texts, match). Validates first.
// Errors: as ValidateCloudEventJson, and InvalidArgument naming the JSON path of a missing field.
[[nodiscard]] absl::StatusOr<BroadcastEvent> ParseCloudEventJson(absl::string_view json);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_CLOUD_EVENT_H_
