#include "superbet/providers/coverage.h"

namespace superbet::providers {

absl::string_view CoverageName(Coverage c) {
  switch (c) {
    case Coverage::kParsed:
      return "parsed";
    case Coverage::kInferred:
      return "inferred";
    case Coverage::kNotSupported:
      return "not_supported";
  }
  return "not_supported";
}

}  // namespace superbet::providers
