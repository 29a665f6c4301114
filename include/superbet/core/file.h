// Whole-file reading and writing with absl::Status errors that name the path.

#ifndef SUPERBET_CORE_FILE_H_
#define SUPERBET_CORE_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::core {

// Reads the whole file at `path` as bytes.
// Errors: NotFound when it does not exist; PermissionDenied; Internal on a read error. The message
// names the path and the errno text.
[[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `contents` to `path` atomically (temp file in the same folder, then rename).
// Errors: Internal naming the path and errno text.
[[nodiscard]] absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// True when `path` names an existing regular file / directory.
bool FileExists(const std::string& path);
bool DirectoryExists(const std::string& path);

// The names (not paths) of the regular files in `dir`, sorted. Errors: NotFound.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& dir);

}  // namespace superbet::core

#endif  // SUPERBET_CORE_FILE_H_
