#include "superbet/agent/ledger_restore.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;

absl::Time DecidedAt(const v1::Decision& d) {
  return absl::FromUnixNanos(
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(d.prediction().decided_at()));
}

// `s` with "<path>:<line>: " before its message, same code.
absl::Status At(const absl::Status& s, const std::string& path, int64_t line) {
  return absl::Status(s.code(), absl::StrCat(path, ":", line, ": ", s.message()));
}

// A ledger line as the decider and settler write it (scoring::DecisionToJsonLine). Not
// scoring::DecisionFromJsonLine: that reader wants a broadcastable prediction, and the decider
// also writes the denied decisions of states without prices (no odds).
absl::StatusOr<v1::Decision> ParseLine(const std::string& text) {
  v1::Decision d;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto s = google::protobuf::util::JsonStringToMessage(text, &d, options); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a Decision JSON line: ", std::string(s.message())));
  }
  if (d.verdict() == v1::VERDICT_UNSPECIFIED) {
    return absl::InvalidArgumentError("verdict must be VERDICT_ACCEPTED or VERDICT_DENIED");
  }
  if (!(std::isfinite(d.stake()) && d.stake() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake must be finite and >= 0, got ", d.stake()));
  }
  if (!(std::isfinite(d.bankroll_before()) && d.bankroll_before() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bankroll_before must be finite and >= 0, got ", d.bankroll_before()));
  }
  return d;
}

}  // namespace

absl::StatusOr<LedgerRestoreSummary> RestoreFromLedger(const std::string& path,
                                                       double initial_bankroll,
                                                       hrl::LiveDecider& decider,
                                                       hrl::BetSettler& settler) {
  // Only a regular file holds a history (a pipe or a device such as /dev/full has none to read).
  struct stat file {};
  if (::stat(path.c_str(), &file) == 0 && !S_ISREG(file.st_mode)) return LedgerRestoreSummary{};
  std::ifstream in(path);
  if (!in) {
    const int e = errno;
    return absl::Status(
        e == EACCES ? absl::StatusCode::kPermissionDenied : absl::StatusCode::kNotFound,
        absl::StrCat(path, ": cannot read: ", std::strerror(e)));
  }
  LedgerRestoreSummary out;
  // Settlement lines wait for the time of the next decision line (their settlement time).
  struct Pending {
    v1::Decision line;
    int64_t number;
  };
  std::vector<Pending> pending;
  absl::Time last_decided = absl::InfinitePast();
  auto flush_pending = [&](absl::Time at) -> absl::Status {
    for (const Pending& p : pending) {
      if (absl::Status s = decider.RestoreSettlement(p.line, at); !s.ok()) {
        return At(s, path, p.number);
      }
    }
    pending.clear();
    return absl::OkStatus();
  };
  int64_t n = 0;
  for (std::string text; std::getline(in, text);) {
    ++n;
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    absl::StatusOr<v1::Decision> d = ParseLine(text);
    if (!d.ok()) return At(d.status(), path, n);
    if (d->has_profit()) {
      if (absl::Status s = settler.RestoreSettlement(*d); !s.ok()) return At(s, path, n);
      ++out.settlement_lines;
      pending.push_back({*std::move(d), n});
      continue;
    }
    const absl::Time at = DecidedAt(*d);
    if (absl::Status s = flush_pending(at); !s.ok()) return s;
    if (out.decisions == 0 &&
        std::abs(d->bankroll_before() - initial_bankroll) > 1e-9 * initial_bankroll) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ":", n, ": bankroll_before ", d->bankroll_before(),
                       " of the first decision is not ", "the initial bankroll ", initial_bankroll,
                       " (the ledger was started with another bankroll: use a new ledger file)"));
    }
    if (absl::Status s = decider.RestoreDecision(*d); !s.ok()) return At(s, path, n);
    ++out.decisions;
    last_decided = std::max(last_decided, at);
    if (d->verdict() == v1::VERDICT_ACCEPTED) {
      ++out.accepted;
      // σ as the running agent opened the bet (SettlementSync::OnDecision): the line's pick_sigma;
      // lines written before pick_sigma existed: manager.market_volatility if set, else 1.
      const double sigma = d->has_pick_sigma() ? d->pick_sigma()
                           : d->has_manager()  ? d->manager().market_volatility()
                                               : 1.0;
      // The settler refuses what it refused when the line was written (e.g. a match already
      // settled): counted, as then.
      if (!settler.Open(*d, sigma).ok()) ++out.refused;
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error after line ", n));
  if (absl::Status s = flush_pending(last_decided); !s.ok()) return s;
  out.bankroll = decider.bankroll();
  const hrl::SettlerStats st = settler.stats();
  out.open_bets = st.open;
  out.open_matches = static_cast<int64_t>(settler.OpenMatchIds().size());
  return out;
}

}  // namespace superbet::agent
