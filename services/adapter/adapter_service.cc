#include "adapter/adapter_service.h"

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "superbet/adapter/stream_request.h"
#include "superbet/providers/live_updates.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
using providers::CoverageResponse;
using providers::ListLiveStates;
using providers::LiveStreamOptions;
using providers::ReadLiveMatch;
using providers::StreamLiveUpdates;

constexpr char kService[] = "AdapterService";

}  // namespace

grpc::Status AdapterServiceImpl::GetLiveMatch(grpc::ServerContext* ctx,
                                              const v1::GetLiveMatchRequest* req,
                                              v1::LiveMatchUpdate* resp) {
  return rt_->Handle(ctx, kService, "GetLiveMatch", [&]() -> absl::Status {
    auto update = ReadLiveMatch(*provider_, req->match_id());
    if (!update.ok()) return update.status();
    *resp = *std::move(update);
    return absl::OkStatus();
  });
}

grpc::Status AdapterServiceImpl::ListLiveMatches(grpc::ServerContext* ctx,
                                                 const v1::ListLiveMatchesRequest*,
                                                 v1::ListLiveMatchesResponse* resp) {
  return rt_->Handle(ctx, kService, "ListLiveMatches", [&]() -> absl::Status {
    auto states = ListLiveStates(*provider_);
    if (!states.ok()) return states.status();
    for (auto& s : *states) *resp->add_matches() = std::move(s);
    return absl::OkStatus();
  });
}

grpc::Status AdapterServiceImpl::StreamLiveMatches(
    grpc::ServerContext* ctx, const v1::StreamLiveMatchesRequest* req,
    grpc::ServerWriter<v1::LiveMatchUpdate>* writer) {
  return rt_->Handle(ctx, kService, "StreamLiveMatches", [&]() -> absl::Status {
    auto checked = adapter::StreamOptionsFromRequest(*req, default_interval_s_);
    if (!checked.ok()) return checked.status();
    LiveStreamOptions options = *std::move(checked);
    options.stop = [&] { return ctx->IsCancelled() || rt_->draining(); };
    options.wait = [](absl::Duration d) { absl::SleepFor(d); };
    auto summary = StreamLiveUpdates(
        *provider_, options, [&](const v1::LiveMatchUpdate& u) { return writer->Write(u); });
    if (ctx->IsCancelled()) return absl::CancelledError("client cancelled the stream");
    return summary.status();
  });
}

grpc::Status AdapterServiceImpl::GetFixture(grpc::ServerContext* ctx,
                                            const v1::GetFixtureRequest* req, v1::Fixture* resp) {
  return rt_->Handle(ctx, kService, "GetFixture", [&]() -> absl::Status {
    if (req->fixture_id().empty()) return absl::InvalidArgumentError("fixture_id: empty");
    auto live = provider_->GetFixture(req->fixture_id());
    if (!live.ok()) return live.status();
    *resp = std::move(live->fixture);
    return absl::OkStatus();
  });
}

grpc::Status AdapterServiceImpl::GetOdds(grpc::ServerContext* ctx, const v1::GetOddsRequest* req,
                                         v1::GetOddsResponse* resp) {
  return rt_->Handle(ctx, kService, "GetOdds", [&]() -> absl::Status {
    if (req->fixture_id().empty()) return absl::InvalidArgumentError("fixture_id: empty");
    auto lines = req->live() ? provider_->LiveOdds(req->fixture_id())
                             : provider_->PrematchOdds(req->fixture_id());
    if (!lines.ok()) return lines.status();
    for (auto& l : *lines) *resp->add_lines() = std::move(l);
    return absl::OkStatus();
  });
}

grpc::Status AdapterServiceImpl::GetCoverage(grpc::ServerContext* ctx,
                                             const v1::GetCoverageRequest* req,
                                             v1::GetCoverageResponse* resp) {
  return rt_->Handle(ctx, kService, "GetCoverage", [&]() -> absl::Status {
    auto coverage = CoverageResponse(req->adapter());
    if (!coverage.ok()) return coverage.status();
    *resp = *std::move(coverage);
    return absl::OkStatus();
  });
}

}  // namespace superbet::services
