// Few-row products `y = x · W` against a weight in its stored type (contract in CKernels.h), four rows of x at
// a time, so W streams through once per four rows: transposed W as contiguous dot products, row-major W
// row by row across a tile of output columns.

/// Columns per block of a transposed product: 4 with 32 registers (AVX-512), else 4 for one or two rows and
/// 2 for more.
#define SL_GEMV_CB(M) (SL_W == 16 || (M) <= 2 ? 4 : 2)

/// `W` elements `at ..< at + SL_W` of a `dtype` buffer, as floats.
SL_INLINE V wload(const int dtype, const void *w, ptrdiff_t at) {
    if (dtype == SL_BF16) return vload_bf16((const uint16_t *)w + at);
    if (dtype == SL_F16) return vload_f16((const uint16_t *)w + at);
    return vload((const float *)w + at);
}

/// `W` elements `at ..< at + n` (`n < SL_W`) as floats, the other lanes 0.
SL_INLINE V wload_tail(const int dtype, const void *w, ptrdiff_t at, ptrdiff_t n) {
    if (dtype == SL_F32) return vload_tail((const float *)w + at, n, 0);
    uint16_t b[SL_W] = {0};
    for (ptrdiff_t t = 0; t < n; t++) b[t] = ((const uint16_t *)w)[at + t];
    return wload(dtype, b, 0);
}

/// Output columns per tile of a row-major product: each W row is read 4 KiB (bfloat16) at a time and
/// the partial sums of up to 4 rows (32 KiB) stay in L1 / L2.
#define SL_GEMV_TILE 2048

/// One vector of columns at `at` (`width` valid lanes) over `rows ≤ 4` W rows from row p:
/// `acc[i] = fma(x[i, p+q], W[p+q, c], acc[i])` in order of q, for the `M` rows of x.
SL_INLINE void rowmajor_step(const int dtype, const int M, float (*acc)[SL_GEMV_TILE], ptrdiff_t c,
                             float xs[4][4], const void *w, ptrdiff_t at, ptrdiff_t ldw, int rows, ptrdiff_t width) {
    V wv[4];
    for (int q = 0; q < rows; q++)
        wv[q] = width == SL_W ? wload(dtype, w, at + q * ldw) : wload_tail(dtype, w, at + q * ldw, width);
    for (int i = 0; i < M; i++) {
        V a = width == SL_W ? vload(acc[i] + c) : vload_tail(acc[i] + c, width, 0);
        for (int q = 0; q < rows; q++) a = vfma(vsplat(xs[i][q]), wv[q], a);
        if (width == SL_W) vstore(acc[i] + c, a);
        else vstore_tail(acc[i] + c, a, width);
    }
}

/// Row-major `W [k, n]`, columns `j ..< j + width` (`width ≤ SL_GEMV_TILE`) of `M` rows:
/// `y[i, j + c] = Σ_p x[i, p] · W[p, j + c]`, one FMA per term in order of p. W streams four rows at a time,
/// each read contiguously across the tile, while the partial sums stay in an L1 buffer.
SL_INLINE void gemv_rowmajor_tile(const int dtype, const int M, const float *x, ptrdiff_t ldx, const void *w,
                                  ptrdiff_t ldw, float *y, ptrdiff_t ldy, ptrdiff_t k, ptrdiff_t j,
                                  ptrdiff_t width, int accumulate) {
    float acc[4][SL_GEMV_TILE] __attribute__((aligned(64)));
    for (int i = 0; i < M; i++)
        for (ptrdiff_t c = 0; c < width; c++) acc[i][c] = 0;
    for (ptrdiff_t p = 0; p < k; p += 4) {
        int rows = k - p < 4 ? (int)(k - p) : 4;
        float xs[4][4];
        for (int i = 0; i < M; i++)
            for (int q = 0; q < rows; q++) xs[i][q] = x[i * ldx + p + q];
        ptrdiff_t c = 0;
        for (; c + SL_W <= width; c += SL_W) rowmajor_step(dtype, M, acc, c, xs, w, p * ldw + j + c, ldw, rows, SL_W);
        if (c < width) rowmajor_step(dtype, M, acc, c, xs, w, p * ldw + j + c, ldw, rows, width - c);
    }
    for (int i = 0; i < M; i++)
        for (ptrdiff_t c = 0; c < width; c++) {
            float *o = y + i * ldy + j + c;
            *o = accumulate ? *o + acc[i][c] : acc[i][c];
        }
}

/// Transposed `W` (`[n, k]` rows), columns `j ..< j + CB` of `M` rows: `y[i, j + c] = Σ_p x[i, p] · W[j + c, p]`,
/// summed in SL_W lanes (the tail padded with zeros), then across the lanes.
SL_INLINE void gemv_transposed_block(const int dtype, const int M, const int CB, const float *x, ptrdiff_t ldx,
                                     const void *w, ptrdiff_t ldw, float *y, ptrdiff_t ldy, ptrdiff_t k,
                                     ptrdiff_t j, int accumulate) {
    V acc[4][4];
    for (int i = 0; i < M; i++)
        for (int c = 0; c < CB; c++) acc[i][c] = vsplat(0);
    ptrdiff_t p = 0;
    for (; p + SL_W <= k; p += SL_W) {
        V wv[4];
        for (int c = 0; c < CB; c++) wv[c] = wload(dtype, w, (j + c) * ldw + p);
        for (int i = 0; i < M; i++) {
            V xv = vload(x + i * ldx + p);
            for (int c = 0; c < CB; c++) acc[i][c] = vfma(xv, wv[c], acc[i][c]);
        }
    }
    if (p < k) {
        V wv[4];
        for (int c = 0; c < CB; c++) wv[c] = wload_tail(dtype, w, (j + c) * ldw + p, k - p);
        for (int i = 0; i < M; i++) {
            V xv = vload_tail(x + i * ldx + p, k - p, 0);
            for (int c = 0; c < CB; c++) acc[i][c] = vfma(xv, wv[c], acc[i][c]);
        }
    }
    for (int i = 0; i < M; i++)
        for (int c = 0; c < CB; c++) {
            float *o = y + i * ldy + j + c;
            float s = vsum(acc[i][c]);
            *o = accumulate ? *o + s : s;
        }
}

/// `M` rows of x over columns `j0 ..< j1`, block by block.
SL_INLINE void gemv_rows(const int dtype, const int M, int transposed, const float *x, ptrdiff_t ldx,
                         const void *w, ptrdiff_t ldw, float *y, ptrdiff_t ldy, ptrdiff_t k,
                         ptrdiff_t j0, ptrdiff_t j1, int accumulate) {
    const int CB = SL_GEMV_CB(M);
    ptrdiff_t j = j0;
    if (transposed) {
        for (; j + CB <= j1; j += CB) gemv_transposed_block(dtype, M, CB, x, ldx, w, ldw, y, ldy, k, j, accumulate);
        for (; j < j1; j++) gemv_transposed_block(dtype, M, 1, x, ldx, w, ldw, y, ldy, k, j, accumulate);
        return;
    }
    for (; j < j1; j += SL_GEMV_TILE) {
        ptrdiff_t width = j1 - j < SL_GEMV_TILE ? j1 - j : SL_GEMV_TILE;
        gemv_rowmajor_tile(dtype, M, x, ldx, w, ldw, y, ldy, k, j, width, accumulate);
    }
}

/// All rows of x, four at a time, for one element type.
SL_INLINE void gemv_typed(const int dtype, int transposed, const float *x, ptrdiff_t ldx, const void *w,
                          ptrdiff_t ldw, float *y, ptrdiff_t ldy, ptrdiff_t m, ptrdiff_t k, ptrdiff_t j0,
                          ptrdiff_t j1, int accumulate) {
    for (ptrdiff_t i = 0; i < m; i += 4) {
        const float *xi = x + i * ldx;
        float *yi = y + i * ldy;
        switch (m - i < 4 ? m - i : 4) {
        case 1: gemv_rows(dtype, 1, transposed, xi, ldx, w, ldw, yi, ldy, k, j0, j1, accumulate); break;
        case 2: gemv_rows(dtype, 2, transposed, xi, ldx, w, ldw, yi, ldy, k, j0, j1, accumulate); break;
        case 3: gemv_rows(dtype, 3, transposed, xi, ldx, w, ldw, yi, ldy, k, j0, j1, accumulate); break;
        default: gemv_rows(dtype, 4, transposed, xi, ldx, w, ldw, yi, ldy, k, j0, j1, accumulate); break;
        }
    }
}

void SL_NAME(sl_gemv)(int dtype, int transposed, const float *x, ptrdiff_t ldx, const void *w, ptrdiff_t ldw,
                      float *y, ptrdiff_t ldy, ptrdiff_t m, ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1, int accumulate) {
    switch (dtype) {
    case SL_BF16: gemv_typed(SL_BF16, transposed, x, ldx, w, ldw, y, ldy, m, k, j0, j1, accumulate); break;
    case SL_F16: gemv_typed(SL_F16, transposed, x, ldx, w, ldw, y, ldy, m, k, j0, j1, accumulate); break;
    default: gemv_typed(SL_F32, transposed, x, ldx, w, ldw, y, ldy, m, k, j0, j1, accumulate); break;
    }
}
