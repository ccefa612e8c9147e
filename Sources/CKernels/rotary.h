// Rotary position embedding rows (formulas in CKernels.h). Products and sums round separately, as in PyTorch.

/// Half-split pairs `(i, i+h)`: `out[i] = a·c − b·s`, `out[i+h] = b·c + a·s` with `a = x[i]`, `b = x[i+h]`.
SL_INLINE void rotate_halves(const float *x, float *out, ptrdiff_t h, const float *cos, const float *sin) {
    ptrdiff_t i = 0;
    for (; i + SL_W <= h; i += SL_W) {
        V a = vload(x + i), b = vload(x + h + i), c = vload(cos + i), s = vload(sin + i);
        vstore(out + i, a * c - b * s);
        vstore(out + h + i, b * c + a * s);
    }
    for (; i < h; i++) {
        float a = x[i], b = x[h + i];
        out[i] = a * cos[i] - b * sin[i];
        out[h + i] = b * cos[i] + a * sin[i];
    }
}

#if SL_W == 16
#define SL_PAIR_SWAP 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14
#define SL_PAIR_DUP 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7
#else
#define SL_PAIR_SWAP 1, 0, 3, 2, 5, 4, 7, 6
#define SL_PAIR_DUP 0, 0, 1, 1, 2, 2, 3, 3
#endif

/// Adjacent pairs `(2i, 2i+1)`, W/2 pairs per vector: `out = v·[c, c] + swap(v)·[−s, s]`, which rounds as
/// `x[2i]·c − x[2i+1]·s` and `x[2i+1]·c + x[2i]·s` (negation is exact).
SL_INLINE void rotate_adjacent(const float *x, float *out, ptrdiff_t h, const float *cos, const float *sin) {
    VU even_lanes_sign;
    for (int l = 0; l < SL_W; l++) even_lanes_sign[l] = l % 2 == 0 ? 0x80000000u : 0;
    ptrdiff_t i = 0;
    for (; i + SL_W / 2 <= h; i += SL_W / 2) {
        V v = vload(x + 2 * i);
        VHalf c = *(const VHalf_u *)(cos + i), s = *(const VHalf_u *)(sin + i);
        V cc = __builtin_shufflevector(c, c, SL_PAIR_DUP);
        V ss = (V)((VU)__builtin_shufflevector(s, s, SL_PAIR_DUP) ^ even_lanes_sign);
        V swapped = __builtin_shufflevector(v, v, SL_PAIR_SWAP);
        vstore(out + 2 * i, v * cc + swapped * ss);
    }
    for (; i < h; i++) {
        float a = x[2 * i], b = x[2 * i + 1];
        out[2 * i] = a * cos[i] - b * sin[i];
        out[2 * i + 1] = b * cos[i] + a * sin[i];
    }
}

void SL_NAME(sl_rotary_rows)(const float *x, float *out, ptrdiff_t rows, ptrdiff_t d_head, ptrdiff_t rotary_dim,
                             const float *cos, const float *sin, const ptrdiff_t *offsets, int adjacent_pairs) {
    ptrdiff_t h = rotary_dim / 2;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *xr = x + r * d_head;
        float *o = out + r * d_head;
        if (adjacent_pairs) rotate_adjacent(xr, o, h, cos + offsets[r], sin + offsets[r]);
        else rotate_halves(xr, o, h, cos + offsets[r], sin + offsets[r]);
        if (o != xr)
            for (ptrdiff_t j = rotary_dim; j < d_head; j++) o[j] = xr[j];
    }
}
