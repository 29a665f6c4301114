// Status propagation macros. Abseil's public headers (20220623) do not export RETURN_IF_ERROR /
// ASSIGN_OR_RETURN, so the library defines its own, with the same meaning as Abseil's internal
// ones.
//
//   SUPERBET_RETURN_IF_ERROR(expr);          // expr is an absl::Status; returns it if not ok.
//   SUPERBET_ASSIGN_OR_RETURN(lhs, expr);    // expr is an absl::StatusOr<T>; returns its status
//                                            // if not ok, else moves the value into lhs.

#ifndef SUPERBET_CORE_STATUS_MACROS_H_
#define SUPERBET_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SUPERBET_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status superbet_status_ = (expr);            \
    if (!superbet_status_.ok()) return superbet_status_; \
  } while (false)

#define SUPERBET_STATUS_CONCAT_INNER_(a, b) a##b
#define SUPERBET_STATUS_CONCAT_(a, b) SUPERBET_STATUS_CONCAT_INNER_(a, b)

#define SUPERBET_ASSIGN_OR_RETURN(lhs, expr) \
  SUPERBET_ASSIGN_OR_RETURN_IMPL_(SUPERBET_STATUS_CONCAT_(superbet_statusor_, __LINE__), lhs, expr)

#define SUPERBET_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // SUPERBET_CORE_STATUS_MACROS_H_
