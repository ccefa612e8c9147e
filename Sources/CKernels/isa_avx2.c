// The AVX2 + FMA + F16C build of every kernel, selected at run time by dispatch.c.
#if defined(__x86_64__)
#include <immintrin.h>
#define SL_ISA SL_BUILD_AVX2
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include "kernels.h"
#pragma clang attribute pop
#endif
