// Test support: where the shared real data lives.
//
// Tests read real data from $SUPERBET_DATA when it is set, else from ../shared/data beside the
// source tree. Tests that need a file which is absent FAIL (they do not skip): CI always has it.

#ifndef SUPERBET_TESTS_SUPPORT_TEST_DATA_H_
#define SUPERBET_TESTS_SUPPORT_TEST_DATA_H_

#include <string>

namespace superbet::testing {

// The data root (laid out like ../shared/data), without a trailing slash.
std::string DataDir();

// DataDir() + "/" + relative.
std::string DataPath(const std::string& relative);

// The source tree's root (for files kept under tests/).
std::string SourceDir();

// Reads a whole file; an empty string when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SUPPORT_TEST_DATA_H_
