// The version of libsuperbet this program was built from.
//
// Both values are fixed when the build is configured (CMakeLists.txt): the version is the CMake
// project version (project(superbet VERSION ...)), the revision is `git rev-parse --short=12 HEAD`
// of the source tree at configure time. `superbet --version` prints them.

#ifndef SUPERBET_CORE_VERSION_H_
#define SUPERBET_CORE_VERSION_H_

#include "absl/strings/string_view.h"

namespace superbet {

// The library version, "MAJOR.MINOR.PATCH" (e.g. "0.1.0").
absl::string_view Version();

// The git commit the build was configured from, 12 hex digits; "unknown" when the source tree was
// not a git checkout (or git was not installed). Not updated by commits made after configuring.
absl::string_view GitRevision();

}  // namespace superbet

#endif  // SUPERBET_CORE_VERSION_H_
