// Conversion between float32 and the 16-bit float formats (rounding rules in CKernels.h and simd.h).
// Tails go through a zero-padded vector, so every element takes the vector path's arithmetic.

void SL_NAME(sl_bf16_to_f32)(const uint16_t *src, float *dst, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(dst + i, vload_bf16(src + i));
    for (; i < n; i++) dst[i] = bf16_to_float((VH){src[i]})[0];
}

void SL_NAME(sl_f16_to_f32)(const uint16_t *src, float *dst, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore(dst + i, vload_f16(src + i));
    if (i < n) {
        uint16_t b[SL_W] = {0};
        for (ptrdiff_t t = 0; t < n - i; t++) b[t] = src[i + t];
        vstore_tail(dst + i, vload_f16(b), n - i);
    }
}

void SL_NAME(sl_f32_to_bf16)(const float *src, uint16_t *dst, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore_bf16(dst + i, vload(src + i));
    for (; i < n; i++) dst[i] = float_to_bf16(vsplat(src[i]))[0];
}

void SL_NAME(sl_f32_to_f16)(const float *src, uint16_t *dst, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= n; i += SL_W) vstore_f16(dst + i, vload(src + i));
    if (i < n) {
        uint16_t b[SL_W];
        vstore_f16(b, vload_tail(src + i, n - i, 0));
        for (ptrdiff_t t = 0; t < n - i; t++) dst[i + t] = b[t];
    }
}
