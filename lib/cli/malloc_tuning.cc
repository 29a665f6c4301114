#include "cli/malloc_tuning.h"

#include <cstdlib>  // Defines __GLIBC__ (through <features.h>) on glibc.

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace superbet::cli {

void TuneMallocForBatchJob() {
#if defined(__GLIBC__)
  // Each mallopt returns 0 when glibc rejects the value; the default then stays, which is only
  // slower. See the header for why each value.
  mallopt(M_MXFAST, 0);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace superbet::cli
