#include "superbet/agent/model_info.h"

#include "absl/strings/str_cat.h"
#include "superbet/hrl/manager.h"

namespace superbet::agent {

namespace v1 = superbet::v1;

absl::Status AllocateBankroll(const v1::AllocateRequest& request, v1::AllocateResponse* response) {
  hrl::ManagerOptions o;
  o.initial_budget = request.bankroll();
  auto m = hrl::Manager::Create(o);
  if (!m.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bankroll must be finite and > 0, got ", request.bankroll()));
  }
  // Only the live worker is loaded: it gets the manager's stake fraction of the bankroll, and its
  // UCB score is absent until a bet has settled.
  auto a = m->Allocate({true, false}, 0.0, 0.0, 0.0);
  if (!a.ok()) return a.status();
  auto* live = response->add_allocations();
  live->set_agent("live");
  live->set_fraction_of_bankroll(a->skipped ? 0.0 : a->stake / request.bankroll());
  live->set_settled_bets(m->settled_total());
  return absl::OkStatus();
}

void DescribeModel(const hrl::LiveDecider& decider, v1::GetModelInfoResponse* response) {
  const v1::Checkpoint& c = decider.checkpoint();
  auto* m = response->add_models();
  m->set_agent(c.agent());
  m->set_model_version(c.model_version());
  m->set_format_version(c.format_version());
  m->set_feature_spec(absl::StrCat(c.feature_spec().name(), " v", c.feature_spec().version()));
  m->set_library_version(c.library_version());
  m->set_seed(c.seed());
  m->set_path(decider.path());
}

}  // namespace superbet::agent
