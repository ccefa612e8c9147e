// The portable build of every kernel: plain C on 8-lane vectors of the baseline target, without FMA.
#define SL_ISA SL_BUILD_PORTABLE
#include "kernels.h"
