// Run-time choice of instruction set and the public entry points, which forward to the build of each
// kernel for the requested `isa` (lowered to what the CPU supports, so a wrong request cannot fault).
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "CKernels.h"

#define SL_DECLARE_BUILD(isa)                                                                                   \
    void sl_unary_##isa(int op, const float *x, float *out, ptrdiff_t n);                                      \
    void sl_gated_##isa(int op, const float *gate, const float *up, float *out, ptrdiff_t n);                  \
    double sl_sum_##isa(const float *x, ptrdiff_t n);                                                          \
    float sl_max_##isa(const float *x, ptrdiff_t n);                                                           \
    double sl_sum_squares_##isa(const float *x, ptrdiff_t n, float high, float low);                           \
    double sl_sum_exp_##isa(const float *x, ptrdiff_t n, float m);                                             \
    void sl_softmax_rows_##isa(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols, int zero_nan_rows); \
    void sl_log_softmax_rows_##isa(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols);                \
    void sl_logsumexp_rows_##isa(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols);                  \
    void sl_mask_scores_row_##isa(float *s, ptrdiff_t n, ptrdiff_t first, ptrdiff_t last,                      \
                                  const uint8_t *key_mask, float divisor, float soft_cap);                     \
    void sl_layer_norm_rows_##isa(const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,   \
                                  float eps, const float *weight, const float *bias);                          \
    void sl_rms_norm_rows_##isa(const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,     \
                                float eps, const float *weight);                                               \
    void sl_rotary_rows_##isa(const float *x, float *out, ptrdiff_t rows, ptrdiff_t d_head,                    \
                              ptrdiff_t rotary_dim, const float *cos, const float *sin,                        \
                              const ptrdiff_t *offsets, int adjacent_pairs);                                   \
    void sl_bf16_to_f32_##isa(const uint16_t *src, float *dst, ptrdiff_t n);                                   \
    void sl_f16_to_f32_##isa(const uint16_t *src, float *dst, ptrdiff_t n);                                    \
    void sl_f32_to_bf16_##isa(const float *src, uint16_t *dst, ptrdiff_t n);                                   \
    void sl_f32_to_f16_##isa(const float *src, uint16_t *dst, ptrdiff_t n);                                    \
    void sl_gemv_##isa(int dtype, int transposed, const float *x, ptrdiff_t ldx, const void *w, ptrdiff_t ldw, \
                       float *y, ptrdiff_t ldy, ptrdiff_t m, ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1,          \
                       int accumulate);

SL_DECLARE_BUILD(portable)
#if defined(__x86_64__)
SL_DECLARE_BUILD(avx2)
SL_DECLARE_BUILD(avx512)
#endif

/// The best instruction set of this CPU and OS.
static int best_supported(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return SL_ISA_AVX512;
    if (avx2) return SL_ISA_AVX2;
#endif
    return SL_ISA_PORTABLE;
}

static atomic_int best_isa = -1, default_isa = -1;

static int best(void) {
    int isa = atomic_load_explicit(&best_isa, memory_order_relaxed);
    if (isa < 0) {
        isa = best_supported();
        atomic_store_explicit(&best_isa, isa, memory_order_relaxed);
    }
    return isa;
}

int sl_isa_supported(int isa) { return isa >= SL_ISA_PORTABLE && isa <= best(); }

int sl_isa_default(void) {
    int isa = atomic_load_explicit(&default_isa, memory_order_relaxed);
    if (isa >= 0) return isa;
    isa = best();
    const char *cap = getenv("SWIFTLENS_ISA");
    if (cap && strcmp(cap, "portable") == 0) isa = SL_ISA_PORTABLE;
    else if (cap && strcmp(cap, "avx2") == 0 && isa > SL_ISA_AVX2) isa = SL_ISA_AVX2;
    atomic_store_explicit(&default_isa, isa, memory_order_relaxed);
    return isa;
}

// The build of kernel `name` for `isa`, lowered to the best supported one.
#if defined(__x86_64__)
#define SL_PICK(name)                                                                                          \
    (sl_isa_supported(isa) ? isa : best()) == SL_ISA_AVX512 ? name##_avx512                                   \
        : (sl_isa_supported(isa) ? isa : best()) == SL_ISA_AVX2 ? name##_avx2 : name##_portable
#else
#define SL_PICK(name) name##_portable
#endif

void sl_unary(int isa, int op, const float *x, float *out, ptrdiff_t n) { (SL_PICK(sl_unary))(op, x, out, n); }

void sl_gated(int isa, int op, const float *gate, const float *up, float *out, ptrdiff_t n) {
    (SL_PICK(sl_gated))(op, gate, up, out, n);
}

double sl_sum(int isa, const float *x, ptrdiff_t n) { return (SL_PICK(sl_sum))(x, n); }

float sl_max(int isa, const float *x, ptrdiff_t n) { return (SL_PICK(sl_max))(x, n); }

double sl_sum_squares(int isa, const float *x, ptrdiff_t n, float high, float low) {
    return (SL_PICK(sl_sum_squares))(x, n, high, low);
}

double sl_sum_exp(int isa, const float *x, ptrdiff_t n, float m) { return (SL_PICK(sl_sum_exp))(x, n, m); }

void sl_softmax_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols, int zero_nan_rows) {
    (SL_PICK(sl_softmax_rows))(x, out, rows, cols, zero_nan_rows);
}

void sl_log_softmax_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols) {
    (SL_PICK(sl_log_softmax_rows))(x, out, rows, cols);
}

void sl_logsumexp_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols) {
    (SL_PICK(sl_logsumexp_rows))(x, out, rows, cols);
}

void sl_mask_scores_row(int isa, float *s, ptrdiff_t n, ptrdiff_t first, ptrdiff_t last, const uint8_t *key_mask,
                        float divisor, float soft_cap) {
    (SL_PICK(sl_mask_scores_row))(s, n, first, last, key_mask, divisor, soft_cap);
}

void sl_layer_norm_rows(int isa, const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                        float eps, const float *weight, const float *bias) {
    (SL_PICK(sl_layer_norm_rows))(x, out, scales, rows, cols, eps, weight, bias);
}

void sl_rms_norm_rows(int isa, const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                      float eps, const float *weight) {
    (SL_PICK(sl_rms_norm_rows))(x, out, scales, rows, cols, eps, weight);
}

void sl_rotary_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t d_head, ptrdiff_t rotary_dim,
                    const float *cos, const float *sin, const ptrdiff_t *offsets, int adjacent_pairs) {
    (SL_PICK(sl_rotary_rows))(x, out, rows, d_head, rotary_dim, cos, sin, offsets, adjacent_pairs);
}

void sl_bf16_to_f32(int isa, const uint16_t *src, float *dst, ptrdiff_t n) { (SL_PICK(sl_bf16_to_f32))(src, dst, n); }

void sl_f16_to_f32(int isa, const uint16_t *src, float *dst, ptrdiff_t n) { (SL_PICK(sl_f16_to_f32))(src, dst, n); }

void sl_f32_to_bf16(int isa, const float *src, uint16_t *dst, ptrdiff_t n) { (SL_PICK(sl_f32_to_bf16))(src, dst, n); }

void sl_f32_to_f16(int isa, const float *src, uint16_t *dst, ptrdiff_t n) { (SL_PICK(sl_f32_to_f16))(src, dst, n); }

void sl_gemv(int isa, int dtype, int transposed, const float *x, ptrdiff_t ldx, const void *w, ptrdiff_t ldw,
             float *y, ptrdiff_t ldy, ptrdiff_t m, ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1, int accumulate) {
    (SL_PICK(sl_gemv))(dtype, transposed, x, ldx, w, ldw, y, ldy, m, k, j0, j1, accumulate);
}
