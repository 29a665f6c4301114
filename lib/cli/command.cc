#include "cli/command.h"

#include <utility>

namespace superbet::cli {

std::map<std::string, Command>& Commands() {
  static auto* commands = new std::map<std::string, Command>();
  return *commands;
}

CommandRegistrar::CommandRegistrar(Command command) {
  std::string name = command.name;
  Commands().emplace(std::move(name), std::move(command));
}

}  // namespace superbet::cli
