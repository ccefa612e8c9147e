// Elementary functions on `V` lanes from + − × ÷, comparisons and bit operations (Cephes-style range
// reduction and polynomials). NaN and ±inf propagate as in libm. Accuracy against the correctly rounded
// result, measured over every float (Benchmarks/Tools/KernelAccuracy): exp, tanh, erf 1 ulp, sigmoid 2 ulp;
// see `UnaryOp` in Sources/Kernels/Unary.swift.

/// `p · 2^n` for integer-valued `n` in `-150...128` (`shifted` holds `n + 1.5·2^23`), rounded once: with
/// `vscalefps` on AVX-512, else as `p · 2^⌊n/2⌋ · 2^⌈n/2⌉`, whose first product is exact (both factors
/// assembled in the exponent field), so subnormal and infinite results round once there too.
SL_INLINE V vscale2(V p, V n, V shifted) {
#if SL_ISA == SL_BUILD_AVX512
    (void)shifted;
    return (V)_mm512_scalef_ps((__m512)p, (__m512)n);
#else
    (void)n;
    VI ni = (VI)shifted - 0x4B400000;
    VI half = ni >> 1;
    return p * (V)((VU)(half + 127) << 23) * (V)((VU)(ni - half + 127) << 23);
#endif
}

/// `e^x`. With `n = round(x·log2 e)` and `r = x − n·ln 2` (ln 2 in two parts, so `n·ln2_hi` is exact),
/// `e^x = 2^n · e^r` and `e^r ≈ 1 + r + r²·P(r)` (Cephes expf, |r| ≤ ln2/2). `x` is clamped to [-104, 89] and
/// `2^n` applied by `vscale2`, so subnormal and infinite results round once.
SL_INLINE V vexp(V x) {
    V xc = vsel(x < -104.0f, vsplat(-104.0f), x);
    xc = vsel(xc > 89.0f, vsplat(89.0f), xc);
    // Adding 1.5·2^23 rounds x·log2 e to an integer held in the low mantissa bits.
    V shifted = vfma(xc, vsplat(1.44269504088896341f), vsplat(12582912.0f));
    V n = shifted - 12582912.0f;
    V r = vfma(n, vsplat(-0.693359375f), xc);
    r = vfma(n, vsplat(2.12194440e-4f), r);
    V p = vsplat(1.9875691500e-4f);
    p = vfma(p, r, vsplat(1.3981999507e-3f));
    p = vfma(p, r, vsplat(8.3334519073e-3f));
    p = vfma(p, r, vsplat(4.1665795894e-2f));
    p = vfma(p, r, vsplat(1.6666665459e-1f));
    p = vfma(p, r, vsplat(5.0000001201e-1f));
    p = vfma(p, r * r, r) + 1.0f;
    return vscale2(p, n, shifted);
}

/// `tanh x = sign(x)·t(|x|)` with `t(a) = a + a³·P(a²)` for a < 0.625 (Cephes tanhf) and
/// `t(a) = 1 − 2/(e^{2a} + 1)` above.
SL_INLINE V vtanh(V x) {
    V a = vabs(x);
    V z = a * a;
    V p = vsplat(-5.70498872745e-3f);
    p = vfma(p, z, vsplat(2.06390887954e-2f));
    p = vfma(p, z, vsplat(-5.37397155531e-2f));
    p = vfma(p, z, vsplat(1.33314422036e-1f));
    p = vfma(p, z, vsplat(-3.33332819422e-1f));
    V small = vfma(p * z, a, a);
    V large = 1.0f - 2.0f / (vexp(a + a) + 1.0f);
    return vcopysign(vsel(a < 0.625f, small, large), x);
}

/// `erf x = x + x·P(x²)` for |x| < 1, else `sign(x)·(1 − e^{−x²}·Q(1/|x|))`. P and Q are near-minimax fits
/// of `erf(x)/x − 1` on [0, 1] and of `erfc(a)·e^{a²}` on [1, 4] (`Scripts/fixtures/erf_coefficients.py`);
/// past 4, `e^{−x²}·Q < 2e-8` and the result rounds to ±1.
SL_INLINE V verf(V x) {
    V z = x * x;
    V p = vsplat(7.854026626e-05f);
    p = vfma(p, z, vsplat(-8.010247839e-04f));
    p = vfma(p, z, vsplat(5.188334733e-03f));
    p = vfma(p, z, vsplat(-2.685381658e-02f));
    p = vfma(p, z, vsplat(1.128358543e-01f));
    p = vfma(p, z, vsplat(-3.761262596e-01f));
    p = vfma(p, z, vsplat(1.283791661e-01f));
    V small = vfma(x, p, x);
    V a = vabs(x);
    V t = 1.0f / a;
    V q = vsplat(-1.137478463e-02f);
    q = vfma(q, t, vsplat(3.799977526e-02f));
    q = vfma(q, t, vsplat(4.027100746e-03f));
    q = vfma(q, t, vsplat(-2.190696299e-01f));
    q = vfma(q, t, vsplat(4.809397161e-01f));
    q = vfma(q, t, vsplat(-4.646672308e-01f));
    q = vfma(q, t, vsplat(4.015972465e-02f));
    q = vfma(q, t, vsplat(5.593158007e-01f));
    q = vfma(q, t, vsplat(2.530946222e-04f));
    V large = vcopysign(vfma(-vexp(-(a * a)), q, vsplat(1.0f)), x);
    return vsel(a < 1.0f, small, large);
}

/// `sigmoid x = 1 / (1 + e^{−x})`.
SL_INLINE V vsigmoid(V x) { return 1.0f / (1.0f + vexp(-x)); }

/// `silu x = x / (1 + e^{−x})`.
SL_INLINE V vsilu(V x) { return x / (1.0f + vexp(-x)); }

/// Exact GELU `0.5·x·(1 + erf(x/√2))`.
SL_INLINE V vgelu(V x) { return 0.5f * x * (1.0f + verf(x * 0.70710678118654752f)); }

/// `gelu_new`: `0.5·x·(1 + tanh u)` with `u = √(2/π)·(x + 0.044715·x³)`, evaluated as `x / (1 + e^{−2u})`
/// (the same function, since `(1 + tanh u)/2 = 1/(1 + e^{−2u})`).
SL_INLINE V vgelu_new(V x) {
    V u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
    return x / (1.0f + vexp(-2.0f * u));
}

/// `gelu_fast`: `0.5·x·(1 + tanh u)` with `u = 0.7978845608·x·(1 + 0.044715·x²)`, as `x / (1 + e^{−2u})`.
SL_INLINE V vgelu_fast(V x) {
    V u = x * 0.7978845608f * (1.0f + 0.044715f * x * x);
    return x / (1.0f + vexp(-2.0f * u));
}
