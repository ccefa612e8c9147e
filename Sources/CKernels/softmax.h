// Row softmax, log-softmax, logsumexp and the attention-score mask. Every exponent is of `x − max(row)`.

/// `x[i] *= s` in place.
SL_INLINE void scale_row(float *x, ptrdiff_t n, float s) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(x + i, vload(x + i) * s);
    for (; i < n; i++) x[i] *= s;
}

/// `x[i] = v` for `i < n`.
SL_INLINE void fill_row(float *x, ptrdiff_t n, float v) {
    for (ptrdiff_t i = 0; i < n; i++) x[i] = v;
}

/// One row: `out = e^{x − m}`, summed in double on the way, then scaled by `1/Σ`. A NaN sum (a row with
/// NaN or +inf, or only −inf) makes the row NaN, or zeros with `zero_nan`.
SL_INLINE void softmax_row(const float *x, float *out, ptrdiff_t n, int zero_nan) {
    float m = row_max(x, n);
    VD acc = {0};
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) {
        V e = vexp(vload(x + i) - m);
        vstore(out + i, e);
        acc += vwiden(e);
    }
    if (i < n) {
        V e = vexp(vload_tail(x + i, n - i, -INFINITY) - m);
        vstore_tail(out + i, e, n - i);
        acc += vwiden(e);
    }
    double total = vsum_d(acc);
    if (zero_nan && total != total) fill_row(out, n, 0);
    else scale_row(out, n, (float)(1 / total));
}

/// One row: `out = (x − m) − log Σ e^{x − m}`.
SL_INLINE void log_softmax_row(const float *x, float *out, ptrdiff_t n) {
    float m = row_max(x, n);
    float log_sum = (float)log(row_sum_exp(x, n, m));
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(out + i, (vload(x + i) - m) - log_sum);
    for (; i < n; i++) out[i] = (x[i] - m) - log_sum;
}

void SL_NAME(sl_softmax_rows)(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols, int zero_nan_rows) {
    for (ptrdiff_t r = 0; r < rows; r++) softmax_row(x + r * cols, out + r * cols, cols, zero_nan_rows);
}

void SL_NAME(sl_log_softmax_rows)(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols) {
    for (ptrdiff_t r = 0; r < rows; r++) log_softmax_row(x + r * cols, out + r * cols, cols);
}

void SL_NAME(sl_logsumexp_rows)(const float *x, float *out, ptrdiff_t rows, ptrdiff_t cols) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float m = row_max(x + r * cols, cols);
        float shift = isinf(m) ? 0 : m;
        out[r] = (float)(shift + log(row_sum_exp(x + r * cols, cols, shift)));
    }
}

/// `softcap(v / divisor)` on visible lanes, −inf on hidden ones (`hidden` lanes all ones).
SL_INLINE V masked_score(V s, VI hidden, float divisor, float cap) {
    V v = s / divisor;
    if (cap > 0) v = cap * vtanh(v / cap);
    return vsel(hidden, vsplat(-INFINITY), v);
}

/// Lanes where `key_mask[j] == 0` (none without a mask).
SL_INLINE VI hidden_keys(const uint8_t *key_mask, ptrdiff_t j) {
    if (!key_mask) return (VI){0};
    return __builtin_convertvector(*(const VB_u *)(key_mask + j), VI) == 0;
}

/// Keys outside `[first, last]` (clamped to the row) become −inf; the visible ones go through `masked_score`.
void SL_NAME(sl_mask_scores_row)(float *s, ptrdiff_t n, ptrdiff_t first, ptrdiff_t last, const uint8_t *key_mask,
                                 float divisor, float soft_cap) {
    ptrdiff_t lo = first < 0 ? 0 : first > n ? n : first;
    ptrdiff_t hi = last + 1 < lo ? lo : last + 1 > n ? n : last + 1;
    fill_row(s, lo, -INFINITY);
    fill_row(s + hi, n - hi, -INFINITY);
    ptrdiff_t j = lo;
    for (; j + SL_W <= hi; j += SL_W)
        vstore(s + j, masked_score(vload(s + j), hidden_keys(key_mask, j), divisor, soft_cap));
    if (j < hi) {
        uint8_t tail_mask[SL_W] = {0};
        for (ptrdiff_t t = 0; t < hi - j; t++) tail_mask[t] = key_mask ? key_mask[j + t] : 1;
        V v = masked_score(vload_tail(s + j, hi - j, 0), hidden_keys(tail_mask, 0), divisor, soft_cap);
        vstore_tail(s + j, v, hi - j);
    }
}
