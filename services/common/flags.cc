#include "common/flags.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace superbet::services {

std::string EnvName(const std::string& flag) {
  return absl::StrCat("SUPERBET_", absl::AsciiStrToUpper(flag));
}

FlagSet::FlagSet(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void FlagSet::String(const std::string& name, std::string* target, const std::string& help) {
  flags_.push_back({name, help, target, target->empty() ? "\"\"" : *target});
}
void FlagSet::Int(const std::string& name, int64_t* target, const std::string& help) {
  flags_.push_back({name, help, target, absl::StrCat(*target)});
}
void FlagSet::Double(const std::string& name, double* target, const std::string& help) {
  flags_.push_back({name, help, target, absl::StrCat(*target)});
}
void FlagSet::Bool(const std::string& name, bool* target, const std::string& help) {
  flags_.push_back({name, help, target, *target ? "true" : "false"});
}

FlagSet::Flag* FlagSet::Find(const std::string& name) {
  for (Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status FlagSet::Assign(Flag& flag, const std::string& value, const std::string& origin) {
  auto bad = [&](const char* what) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", what, ": \"", value, "\""));
  };
  if (auto* s = std::get_if<std::string*>(&flag.target)) {
    **s = value;
  } else if (auto* i = std::get_if<int64_t*>(&flag.target)) {
    if (!absl::SimpleAtoi(value, *i)) return bad("not an integer");
  } else if (auto* d = std::get_if<double*>(&flag.target)) {
    if (!absl::SimpleAtod(value, *d)) return bad("not a number");
  } else {
    if (!absl::SimpleAtob(value, std::get<bool*>(flag.target))) return bad("not a bool");
  }
  return absl::OkStatus();
}

absl::Status FlagSet::Parse(int argc, char** argv, const char* (*environ_lookup)(const char*)) {
  std::set<std::string> given;
  for (int i = 1; i < argc; ++i) {  // --help anywhere wins over any other argument.
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      help_ = true;
      return absl::OkStatus();
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
    }
    arg = arg.substr(2);
    std::string name = arg, value;
    const size_t eq = arg.find('=');
    const bool has_value = eq != std::string::npos;
    if (has_value) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    Flag* flag = Find(name);
    if (flag == nullptr && !has_value && name.rfind("no", 0) == 0) {
      Flag* negated = Find(name.substr(2));
      if (negated != nullptr && std::holds_alternative<bool*>(negated->target)) {
        *std::get<bool*>(negated->target) = false;
        given.insert(negated->name);
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!has_value) {
      if (std::holds_alternative<bool*>(flag->target)) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (absl::Status s = Assign(*flag, value, "--" + name); !s.ok()) return s;
    given.insert(name);
  }
  for (Flag& f : flags_) {
    if (given.count(f.name) > 0) continue;
    const std::string env = EnvName(f.name);
    const char* value = environ_lookup(env.c_str());
    if (value == nullptr) continue;
    if (absl::Status s = Assign(f, value, "$" + env); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("usage: ", program_, " [flags]\n", summary_, "\n\nflags:\n");
  for (const Flag& f : flags_) {
    absl::StrAppend(&out, "  --", f.name, "\n      ", f.help, " (default: ", f.default_text,
                    "; env ", EnvName(f.name), ")\n");
  }
  absl::StrAppend(&out, "  --help\n      print this text and exit 0\n",
                  "\nexit codes: 0 clean shutdown (SIGTERM drained), 1 failure, 2 usage error\n");
  return out;
}

void FlagSet::ParseOrExit(int argc, char** argv) {
  absl::Status s = Parse(argc, argv, [](const char* n) -> const char* { return std::getenv(n); });
  if (help_) {
    std::fputs(Usage().c_str(), stdout);
    std::exit(0);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\nrun %s --help for the flags\n", program_.c_str(),
                 std::string(s.message()).c_str(), program_.c_str());
    std::exit(2);
  }
}

}  // namespace superbet::services
