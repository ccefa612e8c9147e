// LayerNorm and RMSNorm rows, in TransformerLens's formulation, accurate to about 1 ulp of the exact result.

/// `out[i] = ((x[i] − high) − low) / s`, then `· w[i]` and `+ b[i]` for the factors given.
SL_INLINE void normalize_row(const float *x, float *out, ptrdiff_t n, float high, float low, float s,
                             const float *w, const float *b) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) {
        V v = ((vload(x + i) - high) - low) / s;
        if (w) v *= vload(w + i);
        if (b) v += vload(b + i);
        vstore(out + i, v);
    }
    for (; i < n; i++) {
        float v = ((x[i] - high) - low) / s;
        if (w) v *= w[i];
        if (b) v += b[i];
        out[i] = v;
    }
}

void SL_NAME(sl_layer_norm_rows)(const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                                 float eps, const float *weight, const float *bias) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double mean = row_sum(row, cols) / (double)cols;
        // c = (x − high) − low with high + low = mean, so c rounds once.
        float high = (float)mean, low = (float)(mean - high);
        double mean_square = row_sum_squares(row, cols, high, low) / (double)cols;
        float scale = (float)sqrt(mean_square + eps);
        scales[r] = scale;
        normalize_row(row, out + r * cols, cols, high, low, scale, weight, bias);
    }
}

void SL_NAME(sl_rms_norm_rows)(const float *x, float *out, float *scales, ptrdiff_t rows, ptrdiff_t cols,
                               float eps, const float *weight) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double mean_square = row_sum_squares(row, cols, 0, 0) / (double)cols;
        float scale = (float)sqrt(mean_square + eps);
        scales[r] = scale;
        normalize_row(row, out + r * cols, cols, 0, 0, scale, weight, NULL);
    }
}
