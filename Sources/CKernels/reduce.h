// Row reductions, with double accumulators where the row kernels need sums exact to about 1 ulp.

/// `max_i x[i]` skipping NaN (a lane is replaced only when the new value is greater); −inf when empty.
SL_INLINE float row_max(const float *x, ptrdiff_t n) {
    V acc = vsplat(-INFINITY);
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) {
        V v = vload(x + i);
        acc = vsel(v > acc, v, acc);
    }
    float m = -INFINITY;
    for (int l = 0; l < SL_W; l++) m = acc[l] > m ? acc[l] : m;
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

/// `Σ_i x[i]`, each element widened to double before it is added.
SL_INLINE double row_sum(const float *x, ptrdiff_t n) {
    VD acc = {0};
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) acc += vwiden(vload(x + i));
    double total = vsum_d(acc);
    for (; i < n; i++) total += x[i];
    return total;
}

/// `Σ_i c_i²` with `c_i = (x[i] − high) − low` rounded in float, squared and summed in double
/// (the square of a float is exact in double).
SL_INLINE double row_sum_squares(const float *x, ptrdiff_t n, float high, float low) {
    VD acc = {0};
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) {
        VD c = vwiden((vload(x + i) - high) - low);
        acc += c * c;
    }
    double total = vsum_d(acc);
    for (; i < n; i++) {
        double c = (x[i] - high) - low;
        total += c * c;
    }
    return total;
}

/// `Σ_i e^{x[i] − m}` in double; the tail is padded with −inf, whose exponential is 0.
SL_INLINE double row_sum_exp(const float *x, ptrdiff_t n, float m) {
    VD acc = {0};
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) acc += vwiden(vexp(vload(x + i) - m));
    if (i < n) acc += vwiden(vexp(vload_tail(x + i, n - i, -INFINITY) - m));
    return vsum_d(acc);
}

double SL_NAME(sl_sum)(const float *x, ptrdiff_t n) { return row_sum(x, n); }
float SL_NAME(sl_max)(const float *x, ptrdiff_t n) { return row_max(x, n); }
double SL_NAME(sl_sum_squares)(const float *x, ptrdiff_t n, float high, float low) {
    return row_sum_squares(x, n, high, low);
}
double SL_NAME(sl_sum_exp)(const float *x, ptrdiff_t n, float m) { return row_sum_exp(x, n, m); }
