// Private helper shared by the modules' argument checks: how a double is shown in an error
// message. Not installed; include as "core/internal/number_text.h" from lib/.

#ifndef SUPERBET_LIB_CORE_INTERNAL_NUMBER_TEXT_H_
#define SUPERBET_LIB_CORE_INTERNAL_NUMBER_TEXT_H_

#include <string>

namespace superbet::core::internal {

// The shortest decimal text that reads back as exactly `x` ("0.97", "1.0000001", "300", "nan",
// "inf", "-inf"), so that a message never shows a rounded value such as "1" for 1.0000001.
// Never fails; thread-safe (no shared state).
std::string ShortestText(double x);

}  // namespace superbet::core::internal

#endif  // SUPERBET_LIB_CORE_INTERNAL_NUMBER_TEXT_H_
