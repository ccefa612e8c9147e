// The vector type `V` of SL_W float lanes and the few operations the kernel templates are written with.
// isa_portable.c, isa_avx2.c and isa_avx512.c each set SL_ISA and include kernels.h, which includes this
// file: every kernel is compiled once per instruction set from the same source, and `SL_NAME(f)` gives
// each build its own symbol (`f_portable`, `f_avx2`, `f_avx512`).
#ifndef SL_ISA
#error "simd.h is included by isa_*.c, which set SL_ISA"
#endif

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "CKernels.h"

// `a * b + c` rounds twice; only `vfma` / `sfma` fuse (on the FMA builds).
#pragma clang fp contract(off)
// Vectors pass between always-inline functions only, so the calling-convention note about wide vectors
// on targets without AVX does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

// Values of SL_ISA (numbers, for #if; they equal the sl_isa constants).
#define SL_BUILD_PORTABLE 0
#define SL_BUILD_AVX2 1
#define SL_BUILD_AVX512 2

#if SL_ISA == SL_BUILD_AVX512
#define SL_W 16
#define SL_NAME(f) f##_avx512
#define SL_HAS_FMA 1
#elif SL_ISA == SL_BUILD_AVX2
#define SL_W 8
#define SL_NAME(f) f##_avx2
#define SL_HAS_FMA 1
#else
#define SL_W 8
#define SL_NAME(f) f##_portable
#define SL_HAS_FMA 0
#endif

#define SL_INLINE static inline __attribute__((always_inline))

typedef float V __attribute__((vector_size(4 * SL_W)));
typedef int32_t VI __attribute__((vector_size(4 * SL_W)));
typedef uint32_t VU __attribute__((vector_size(4 * SL_W)));
typedef uint16_t VH __attribute__((vector_size(2 * SL_W)));
typedef uint8_t VB __attribute__((vector_size(SL_W)));
typedef double VD __attribute__((vector_size(8 * SL_W)));
typedef float VHalf __attribute__((vector_size(2 * SL_W)));
// Unaligned views of memory, for loads and stores.
typedef float V_u __attribute__((vector_size(4 * SL_W), aligned(4), may_alias));
typedef float VHalf_u __attribute__((vector_size(2 * SL_W), aligned(4), may_alias));
typedef uint16_t VH_u __attribute__((vector_size(2 * SL_W), aligned(2), may_alias));
typedef uint8_t VB_u __attribute__((vector_size(SL_W), aligned(1), may_alias));

SL_INLINE V vload(const float *p) { return *(const V_u *)p; }
SL_INLINE void vstore(float *p, V v) { *(V_u *)p = v; }
/// `x` in every lane (`x − (+0)` keeps −0, which `0 + x` would not).
SL_INLINE V vsplat(float x) { return x - (V){0}; }
SL_INLINE VU usplat(uint32_t x) { return (VU){0} + x; }

/// `a·b + c`, rounded once on the FMA builds and twice on the portable one.
SL_INLINE V vfma(V a, V b, V c) {
#if SL_HAS_FMA
    return __builtin_elementwise_fma(a, b, c);
#else
    return a * b + c;
#endif
}

/// Scalar `a·b + c`, rounded as `vfma` rounds.
SL_INLINE float sfma(float a, float b, float c) {
#if SL_HAS_FMA
    return __builtin_fmaf(a, b, c);
#else
    return a * b + c;
#endif
}

/// `mask ? a : b` lane by lane (`mask` lanes are all ones or all zeros, as comparisons give).
SL_INLINE V vsel(VI mask, V a, V b) { return (V)(((VI)a & mask) | ((VI)b & ~mask)); }
SL_INLINE VU usel(VI mask, VU a, VU b) { return (a & (VU)mask) | (b & ~(VU)mask); }

SL_INLINE V vabs(V x) { return (V)((VU)x & 0x7FFFFFFFu); }
/// `|magnitude|` with the sign of `sign`.
SL_INLINE V vcopysign(V magnitude, V sign) {
    return (V)(((VU)magnitude & 0x7FFFFFFFu) | ((VU)sign & 0x80000000u));
}

/// Lanes widened to double (exact).
SL_INLINE VD vwiden(V x) { return __builtin_convertvector(x, VD); }

/// The sum of the lanes of a double vector, lane 0 first.
SL_INLINE double vsum_d(VD v) {
    double s = 0;
    for (int i = 0; i < SL_W; i++) s += v[i];
    return s;
}

/// The sum of the float lanes, as a pairwise tree.
SL_INLINE float vsum(V v) {
    float t[SL_W];
    for (int i = 0; i < SL_W; i++) t[i] = v[i];
    for (int w = SL_W / 2; w > 0; w /= 2)
        for (int i = 0; i < w; i++) t[i] += t[i + w];
    return t[0];
}

/// The `n < SL_W` floats at `p` in lanes `0..<n`, the other lanes `pad`.
SL_INLINE V vload_tail(const float *p, ptrdiff_t n, float pad) {
    float b[SL_W];
    for (int i = 0; i < SL_W; i++) b[i] = i < n ? p[i] : pad;
    return vload(b);
}

/// Stores lanes `0..<n` of `v` at `p`.
SL_INLINE void vstore_tail(float *p, V v, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) p[i] = v[i];
}

// MARK: 16-bit floats

/// bfloat16 bits widened to float: the bits shifted up by 16.
SL_INLINE V bf16_to_float(VH h) { return (V)(__builtin_convertvector(h, VU) << 16); }

/// float to bfloat16 bits, rounded to nearest even (`bits + 0x7FFF + lsb`, then the top half); NaN → 0x7FC0.
SL_INLINE VH float_to_bf16(V x) {
    VU b = (VU)x;
    VU rounded = (b + 0x7FFFu + ((b >> 16) & 1u)) >> 16;
    return __builtin_convertvector(usel(x != x, usplat(0x7FC0u), rounded), VH);
}

/// IEEE half bits to float, exactly: the exponent is rebiased; infinities and NaN get exponent 255;
/// zeros and subnormals are renormalised by one float subtraction.
SL_INLINE V half_bits_to_float(VH bits) {
    VU h = __builtin_convertvector(bits, VU);
    VU o = (h & 0x7FFFu) << 13;
    VU e = o & 0x0F800000u;
    o += (uint32_t)(127 - 15) << 23;
    o = usel(e == 0x0F800000u, o + ((uint32_t)(128 - 16) << 23), o);
    V renormalised = (V)(o + (1u << 23)) - (V)usplat(113u << 23);
    o = usel(e == 0, (VU)renormalised, o);
    return (V)(o | ((h & 0x8000u) << 16));
}

/// float to IEEE half bits, rounded to nearest even. Below the smallest normal half one float addition of
/// 0.5 rounds the mantissa into place; normal values are rebiased with `0xFFF + lsb` for the rounding;
/// from 65536 up the result is inf, and NaN keeps its quiet bit, sign and top payload bits.
SL_INLINE VH float_to_half_bits(V x) {
    VU u = (VU)x;
    VU sign = u & 0x80000000u;
    VU f = u ^ sign;
    VU special = usel(f > 0x7F800000u, 0x7E00u | ((f >> 13) & 0x3FFu), usplat(0x7C00u));
    VU subnormal = (VU)((V)f + 0.5f) - 0x3F000000u;
    VU normal = (f + (((uint32_t)(15 - 127) << 23) + 0xFFFu) + ((f >> 13) & 1u)) >> 13;
    VU o = usel(f >= (143u << 23), special, usel(f < (113u << 23), subnormal, normal));
    return __builtin_convertvector(o | (sign >> 16), VH);
}

SL_INLINE V vload_bf16(const uint16_t *p) { return bf16_to_float(*(const VH_u *)p); }
SL_INLINE void vstore_bf16(uint16_t *p, V v) { *(VH_u *)p = float_to_bf16(v); }

#if SL_ISA == SL_BUILD_AVX512
SL_INLINE V vload_f16(const uint16_t *p) { return (V)_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
SL_INLINE void vstore_f16(uint16_t *p, V v) {
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph((__m512)v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
#elif SL_ISA == SL_BUILD_AVX2
SL_INLINE V vload_f16(const uint16_t *p) { return (V)_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
SL_INLINE void vstore_f16(uint16_t *p, V v) {
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph((__m256)v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
#else
SL_INLINE V vload_f16(const uint16_t *p) { return half_bits_to_float(*(const VH_u *)p); }
SL_INLINE void vstore_f16(uint16_t *p, V v) { *(VH_u *)p = float_to_half_bits(v); }
#endif
