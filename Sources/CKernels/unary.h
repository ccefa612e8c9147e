// Elementwise functions: `out[i] = f(x[i])` and the gated product `out[i] = f(gate[i]) · up[i]`.

SL_INLINE V vneg(V x) { return -x; }
SL_INLINE V vsquare(V x) { return x * x; }
SL_INLINE V vreciprocal(V x) { return 1.0f / x; }
SL_INLINE V vsqrt(V x) { return __builtin_elementwise_sqrt(x); }
SL_INLINE V vrsqrt(V x) { return 1.0f / __builtin_elementwise_sqrt(x); }
/// `max(x, 0)`: 0 where x ≤ 0 (so −0 → +0); NaN fails the comparison and passes through.
SL_INLINE V vrelu(V x) { return vsel(x <= 0.0f, vsplat(0.0f), x); }

typedef V (*sl_lane_function)(V);

/// `out[i] = f(x[i])`, W lanes at a time; the tail goes through `f` on a zero-padded vector, so every
/// element sees the same arithmetic. Inlined once per `f`.
SL_INLINE void map(sl_lane_function f, const float *x, float *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(out + i, f(vload(x + i)));
    if (i < n) vstore_tail(out + i, f(vload_tail(x + i, n - i, 0)), n - i);
}

/// `out[i] = f(gate[i]) · up[i]`, with the same tail handling as `map`.
SL_INLINE void map_gated(sl_lane_function f, const float *gate, const float *up, float *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(out + i, f(vload(gate + i)) * vload(up + i));
    if (i < n) vstore_tail(out + i, f(vload_tail(gate + i, n - i, 0)) * vload_tail(up + i, n - i, 0), n - i);
}

// One specialised loop per function: the switch runs once per call, not per element.
#define SL_EACH_UNARY(CALL)                                                                                   \
    switch (op) {                                                                                             \
    case SL_NEG: CALL(vneg); break;                                                                           \
    case SL_ABS: CALL(vabs); break;                                                                           \
    case SL_SQUARE: CALL(vsquare); break;                                                                     \
    case SL_RECIPROCAL: CALL(vreciprocal); break;                                                             \
    case SL_SQRT: CALL(vsqrt); break;                                                                         \
    case SL_RSQRT: CALL(vrsqrt); break;                                                                       \
    case SL_RELU: CALL(vrelu); break;                                                                         \
    case SL_EXP: CALL(vexp); break;                                                                           \
    case SL_TANH: CALL(vtanh); break;                                                                         \
    case SL_ERF: CALL(verf); break;                                                                           \
    case SL_SIGMOID: CALL(vsigmoid); break;                                                                   \
    case SL_SILU: CALL(vsilu); break;                                                                         \
    case SL_GELU: CALL(vgelu); break;                                                                         \
    case SL_GELU_NEW: CALL(vgelu_new); break;                                                                 \
    default: CALL(vgelu_fast); break;                                                                         \
    }

void SL_NAME(sl_unary)(int op, const float *x, float *out, ptrdiff_t n) {
#define SL_MAP(f) map(f, x, out, n)
    SL_EACH_UNARY(SL_MAP)
#undef SL_MAP
}

void SL_NAME(sl_gated)(int op, const float *gate, const float *up, float *out, ptrdiff_t n) {
#define SL_MAP_GATED(f) map_gated(f, gate, up, out, n)
    SL_EACH_UNARY(SL_MAP_GATED)
#undef SL_MAP_GATED
}
