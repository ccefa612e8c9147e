// The AVX-512 (F, BW, DQ, VL) + FMA + F16C build of every kernel, selected at run time by dispatch.c.
#if defined(__x86_64__)
#include <immintrin.h>
#define SL_ISA SL_BUILD_AVX512
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c"))), \
                             apply_to = function)
#include "kernels.h"
#pragma clang attribute pop
#endif
