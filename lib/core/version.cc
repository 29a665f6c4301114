#include "superbet/core/version.h"

// SUPERBET_GIT_REVISION: written at build time by lib/core/write_git_revision.cmake.
#include "superbet_git_revision.inc"

// Set on this file only by CMakeLists.txt (set_source_files_properties).
#ifndef SUPERBET_VERSION_STRING
#error "SUPERBET_VERSION_STRING must be defined by the build (CMakeLists.txt)"
#endif
#ifndef SUPERBET_GIT_REVISION
#error "SUPERBET_GIT_REVISION must be defined by gen/superbet_git_revision.inc"
#endif

namespace superbet {

absl::string_view Version() { return SUPERBET_VERSION_STRING; }

absl::string_view GitRevision() { return SUPERBET_GIT_REVISION; }

}  // namespace superbet
