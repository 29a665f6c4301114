// 1X2 outcome order. Every array of three in the library that describes a 1X2 market (decimal
// odds, probabilities, a v1::OddsTriple read as home/draw/away) is in the order
//   0 home, 1 draw, 2 away,
// and these two functions map a v1::Selection to its index in that order and back, so that no
// module spells the mapping out again.

#ifndef SUPERBET_MODEL_SELECTION_H_
#define SUPERBET_MODEL_SELECTION_H_

#include "superbet/v1/model.pb.h"

namespace superbet::model {

// 0 for SELECTION_HOME, 1 for SELECTION_DRAW, 2 for SELECTION_AWAY; -1 for every other value
// (SELECTION_UNSPECIFIED, the over/under selections, an unknown enum value). Never fails;
// callers test `>= 0` before indexing.
constexpr int OneXTwoIndex(superbet::v1::Selection selection) {
  switch (selection) {
    case superbet::v1::SELECTION_HOME:
      return 0;
    case superbet::v1::SELECTION_DRAW:
      return 1;
    case superbet::v1::SELECTION_AWAY:
      return 2;
    default:
      return -1;
  }
}

// The inverse of OneXTwoIndex: SELECTION_HOME, SELECTION_DRAW, SELECTION_AWAY for 0, 1, 2;
// SELECTION_UNSPECIFIED for any other index. Never fails.
constexpr superbet::v1::Selection OneXTwoSelection(int index) {
  switch (index) {
    case 0:
      return superbet::v1::SELECTION_HOME;
    case 1:
      return superbet::v1::SELECTION_DRAW;
    case 2:
      return superbet::v1::SELECTION_AWAY;
    default:
      return superbet::v1::SELECTION_UNSPECIFIED;
  }
}

}  // namespace superbet::model

#endif  // SUPERBET_MODEL_SELECTION_H_
