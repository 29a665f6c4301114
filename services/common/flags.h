// Command-line flags of a service, with environment fallbacks and --help.
//
// A flag --name is read from the command line (--name=value or --name value; a bool flag also as
// --name / --noname); when the command line does not give it, from the environment variable
// SUPERBET_<NAME> (upper case), e.g. --redis <- $SUPERBET_REDIS; else it keeps its default.
// Secrets are never flags: flags name the FILES that hold them (--token_file, --tls_key).
//
// Not thread-safe; used once, in main, before any thread starts. The targets are not owned.
#ifndef SUPERBET_SERVICES_COMMON_FLAGS_H_
#define SUPERBET_SERVICES_COMMON_FLAGS_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"

namespace superbet::services {

class FlagSet {
 public:
  FlagSet(std::string program, std::string summary);
  void String(const std::string& name, std::string* target, const std::string& help);
  void Int(const std::string& name, int64_t* target, const std::string& help);
  void Double(const std::string& name, double* target, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);

  // Parses argv[1..argc). `environ_lookup` reads an environment variable (nullptr = absent);
  // services pass std::getenv. Sets help_requested() on --help (and parses nothing more).
  // Errors: InvalidArgument naming the flag or variable and the value: unknown flag, positional
  // argument, missing value, a value of the wrong type ("--rate_limit_qps: not a number: abc").
  [[nodiscard]] absl::Status Parse(int argc, char** argv,
                                   const char* (*environ_lookup)(const char*));
  bool help_requested() const { return help_; }
  // "usage: <program> [flags]\n<summary>\n  --name  help (default: value; env SUPERBET_NAME)".
  std::string Usage() const;

  // Parses with std::getenv; prints Usage() and exits 0 on --help; prints the error and a hint
  // to stderr and exits 2 on a usage error.
  void ParseOrExit(int argc, char** argv);

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::variant<std::string*, int64_t*, double*, bool*> target;
    std::string default_text;
  };
  Flag* Find(const std::string& name);
  [[nodiscard]] static absl::Status Assign(Flag& flag, const std::string& value,
                                           const std::string& origin);

  std::string program_;
  std::string summary_;
  std::vector<Flag> flags_;
  bool help_ = false;
};

// The environment variable of a flag: "redis" -> "SUPERBET_REDIS".
std::string EnvName(const std::string& flag);

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_FLAGS_H_
