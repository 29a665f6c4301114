// Tests of superbet/model/selection.h. Oracle: the 1X2 order stated in the header (home 0, draw 1,
// away 2) and the enum values of proto/superbet/v1/model.proto.
#include "superbet/model/selection.h"

#include <catch2/catch.hpp>

namespace superbet::model {
namespace {

TEST_CASE("OneXTwoIndex maps home, draw, away to 0, 1, 2 and back", "[model][selection]") {
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_HOME) == 0);
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_DRAW) == 1);
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_AWAY) == 2);
  for (int i = 0; i < 3; ++i) CHECK(OneXTwoIndex(OneXTwoSelection(i)) == i);
}

TEST_CASE("OneXTwoIndex rejects selections outside 1X2 with -1", "[model][selection]") {
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_UNSPECIFIED) == -1);
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_OVER) == -1);
  CHECK(OneXTwoIndex(superbet::v1::SELECTION_UNDER) == -1);
  CHECK(OneXTwoIndex(static_cast<superbet::v1::Selection>(99)) == -1);
  CHECK(OneXTwoSelection(-1) == superbet::v1::SELECTION_UNSPECIFIED);
  CHECK(OneXTwoSelection(3) == superbet::v1::SELECTION_UNSPECIFIED);
}

}  // namespace
}  // namespace superbet::model
