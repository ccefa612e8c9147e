// SwiftLens's SIMD kernels in C: each entry point takes the instruction set to run (`isa`, an `sl_isa`
// value) and dispatches to the portable, AVX2 or AVX-512 build of the same kernel. The AVX builds are
// compiled with function-level target attributes, so no compiler flag reaches the package's products;
// `sl_isa_default()` picks the best one this CPU supports. Every kernel runs on the calling thread over
// the rows or elements it is given (the Swift side splits work across cores). All matrices are row-major.
// A pointer marked "may alias" may equal the input; other buffers must not overlap.
#ifndef SWIFTLENS_CKERNELS_H
#define SWIFTLENS_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Instruction sets

/// The instruction sets a kernel can run on.
typedef enum sl_isa {
    /// Plain C on 8-lane vectors of the baseline target (SSE2 on x86-64), without FMA.
    SL_ISA_PORTABLE = 0,
    /// AVX2 with FMA and F16C, 8 lanes.
    SL_ISA_AVX2 = 1,
    /// AVX-512 (F, BW, DQ, VL) with FMA and F16C, 16 lanes.
    SL_ISA_AVX512 = 2,
} sl_isa;

/// Whether this CPU (and OS) can run `isa`.
int sl_isa_supported(int isa);

/// The best supported instruction set, lowered to the one named by the environment variable
/// `SWIFTLENS_ISA` (`portable`, `avx2` or `avx512`) when that is set. Computed once.
int sl_isa_default(void);

// MARK: Elementwise functions

/// Unary functions of `sl_unary` and `sl_gated`, each with the formula it computes.
typedef enum sl_unary_op {
    SL_NEG = 0,         ///< −x
    SL_ABS,             ///< |x|
    SL_SQUARE,          ///< x·x
    SL_RECIPROCAL,      ///< 1/x
    SL_SQRT,            ///< √x
    SL_RSQRT,           ///< 1/√x
    SL_RELU,            ///< max(x, 0), NaN passes through
    SL_EXP,             ///< e^x
    SL_TANH,            ///< tanh x
    SL_ERF,             ///< erf x
    SL_SIGMOID,         ///< 1 / (1 + e^−x)
    SL_SILU,            ///< x / (1 + e^−x)
    SL_GELU,            ///< 0.5·x·(1 + erf(x/√2))
    SL_GELU_NEW,        ///< 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    SL_GELU_FAST,       ///< 0.5·x·(1 + tanh(0.7978845608·x·(1 + 0.044715·x²)))
} sl_unary_op;

/// `out[i] = f(x[i])` for `i < n` with `f` the `sl_unary_op` `op`. `out` may alias `x`.
void sl_unary(int isa, int op, const float *x, float *out, ptrdiff_t n);

/// Gated product (SwiGLU, GeGLU): `out[i] = f(gate[i]) · up[i]` for `i < n`. `out` may alias either input.
void sl_gated(int isa, int op, const float *gate, const float *up, float *out, ptrdiff_t n);

// MARK: Reductions (Double accumulators, as the row kernels use them)

/// `Σ_i x[i]`, each element widened to double before it is added.
double sl_sum(int isa, const float *x, ptrdiff_t n);

/// `max_i x[i]`, skipping NaN; −inf for `n == 0`.
float sl_max(int isa, const float *x, ptrdiff_t n);

/// `Σ_i c_i²` in double with `c_i = (x[i] − high) − low` rounded in float.
double sl_sum_squares(int isa, const float *x, ptrdiff_t n, float high, float low);

/// `Σ_i e^{x[i] − m}` in double (each exponential rounded to float first).
double sl_sum_exp(int isa, const float *x, ptrdiff_t n, float m);

// MARK: Softmax rows

/// Row softmax of a `rows × cols` matrix: `out[r, j] = e^{x[r,j] − m_r} / Σ_k e^{x[r,k] − m_r}`,
/// `m_r = max_k x[r,k]`. A row that holds NaN or +inf, or only −inf, gives NaN (PyTorch), or zeros when
/// `zero_nan_rows` is set (TransformerLens's attention pattern of a fully masked row). `out` may alias `x`.
void sl_softmax_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols, int zero_nan_rows);

/// `out[r, j] = (x[r,j] − m_r) − log Σ_k e^{x[r,k] − m_r}`. `out` may alias `x`.
void sl_log_softmax_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols);

/// `out[r] = s_r + log Σ_k e^{x[r,k] − s_r}` with `s_r = max_k x[r,k]`, or 0 when that is ±inf
/// (an empty or all −inf row gives −inf, a row holding +inf gives +inf).
void sl_logsumexp_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols);

/// One row of attention scores, in place: `s[j] = softcap(s[j] / divisor)` for visible keys `j`, −inf for
/// the others. Key `j` is visible when `first ≤ j ≤ last` and (`key_mask == NULL` or `key_mask[j] != 0`);
/// `softcap(v) = cap·tanh(v / cap)` when `soft_cap > 0`, else `v`.
void sl_mask_scores_row(int isa, float *s, ptrdiff_t n, ptrdiff_t first, ptrdiff_t last,
                        const uint8_t *key_mask, float divisor, float soft_cap);

// MARK: Normalisation rows

/// LayerNorm of each row of a `rows × cols` matrix (TransformerLens's formulation): `c = x − mean(x)`,
/// `scale = √(mean(c²) + eps)`, `out = c / scale`, then `· weight[j] + bias[j]` for the factors given
/// (either may be NULL). Sums are accumulated in double and the mean is subtracted in two float parts,
/// so `c` rounds once. `scales[r]` receives row r's scale. `out` may alias `x`.
void sl_layer_norm_rows(int isa, const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                        float eps, const float *weight, const float *bias);

/// RMSNorm of each row: `scale = √(mean(x²) + eps)`, `out = x / scale`, then `· weight[j]` when given.
/// `scales[r]` receives row r's scale. `out` may alias `x`.
void sl_rms_norm_rows(int isa, const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                      float eps, const float *weight);

// MARK: Rotary embedding rows

/// Rotates the first `rotary_dim` features of each of `rows` rows of `d_head` features; the rest are copied.
/// Row r uses the table row `c = cos + offsets[r]`, `s = sin + offsets[r]` (`rotary_dim/2` entries). With
/// `h = rotary_dim/2`, for `i < h`: half-split pairs (GPT-NeoX, Llama) `out[i] = x[i]·c[i] − x[i+h]·s[i]`,
/// `out[i+h] = x[i+h]·c[i] + x[i]·s[i]`; adjacent pairs (GPT-J) `out[2i] = x[2i]·c[i] − x[2i+1]·s[i]`,
/// `out[2i+1] = x[2i+1]·c[i] + x[2i]·s[i]`. Products and sums round separately (no FMA), exactly as
/// PyTorch's `x·cos + rotate(x)·sin`. `out` may alias `x`.
void sl_rotary_rows(int isa, const float *x, float *out, ptrdiff_t rows, ptrdiff_t d_head, ptrdiff_t rotary_dim,
                    const float *cos, const float *sin, const ptrdiff_t *offsets, int adjacent_pairs);

// MARK: Conversion between float32 and the 16-bit float formats

/// `dst[i] = float(src[i])` for bfloat16 bits `src` (exact: the bits shifted up by 16).
void sl_bf16_to_f32(int isa, const uint16_t *src, float *dst, ptrdiff_t n);

/// `dst[i] = float(src[i])` for IEEE half bits `src` (exact, subnormals included).
void sl_f16_to_f32(int isa, const uint16_t *src, float *dst, ptrdiff_t n);

/// `dst[i] = bfloat16(src[i])`, rounded to nearest even; overflow gives ±inf; NaN gives 0x7FC0.
void sl_f32_to_bf16(int isa, const float *src, uint16_t *dst, ptrdiff_t n);

/// `dst[i] = half(src[i])`, rounded to nearest even (subnormal halves included); overflow gives ±inf;
/// NaN stays NaN (quiet, sign and top payload bits kept).
void sl_f32_to_f16(int isa, const float *src, uint16_t *dst, ptrdiff_t n);

// MARK: Products with weights in their stored type

/// Element types a weight matrix may be stored in.
typedef enum sl_dtype { SL_F32 = 0, SL_F16 = 1, SL_BF16 = 2 } sl_dtype;

/// Few-row product against a stored weight: `y[i, j] = Σ_{p<k} x[i, p] · W(p, j)` (plus `y[i, j]` when
/// `accumulate`) for `i < m` and `j0 ≤ j < j1`, in float with FMA accumulation. `x[i, p]` is at
/// `x + i·ldx + p` and `y[i, j]` at `y + i·ldy + j`. `W` holds `dtype` elements: `W(p, j)` is element
/// `p·ldw + j` (`transposed == 0`, row-major `[k, n]`) or `j·ldw + p` (`transposed != 0`: `[n, k]` rows,
/// as `nn.Linear` stores its weight). Any `m`; W is read once per four rows of x, so it suits few rows.
void sl_gemv(int isa, int dtype, int transposed, const float *x, ptrdiff_t ldx, const void *w, ptrdiff_t ldw,
             float *y, ptrdiff_t ldy, ptrdiff_t m, ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1, int accumulate);

#ifdef __cplusplus
}
#endif

#endif
