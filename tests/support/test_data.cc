#include "support/test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace superbet::testing {

std::string DataDir() {
  if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

std::string DataPath(const std::string& relative) { return DataDir() + "/" + relative; }

std::string SourceDir() { return SUPERBET_SOURCE_DIR; }

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace superbet::testing
