import Kernels

extension ActivationFunction {
    /// The activation at `x` from its formula (the same function the forward kernels compute), in any
    /// `GradientScalar`; the reference the finite-difference tests differentiate.
    func value<T: GradientScalar>(_ x: T) -> T {
        switch self {
        case .geluNew, .geluPytorchTanh, .geluFast:
            // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            let u = T(0.7978845608028654) * (x + T(0.044715) * x * x * x)
            return T(0.5) * x * (1 + T.tanhOf(u))
        case .gelu:
            // 0.5 x (1 + erf(x / √2))
            return T(0.5) * x * (1 + T.erfOf(x * T(0.7071067811865476)))
        case .silu:
            // x σ(x)
            return x / (1 + T.expOf(-x))
        case .relu:
            return x > 0 ? x : 0
        }
    }

    /// `d act / dx` at `x`:
    /// - tanh GELUs: `0.5 (1 + t) + 0.5 x (1 − t²) √(2/π) (1 + 3·0.044715 x²)` with `t = tanh(√(2/π)(x + 0.044715 x³))`;
    /// - exact GELU: `Φ(x) + x φ(x) = 0.5 (1 + erf(x/√2)) + x e^{−x²/2} / √(2π)`;
    /// - SiLU: `σ(x) (1 + x (1 − σ(x)))`;
    /// - ReLU: `1` for `x > 0`, else `0`.
    func derivative<T: GradientScalar>(_ x: T) -> T {
        switch self {
        case .geluNew, .geluPytorchTanh, .geluFast:
            let c = T(0.7978845608028654), a = T(0.044715)
            let t = T.tanhOf(c * (x + a * x * x * x))
            return T(0.5) * (1 + t) + T(0.5) * x * (1 - t * t) * c * (1 + 3 * a * x * x)
        case .gelu:
            return T(0.5) * (1 + T.erfOf(x * T(0.7071067811865476)))
                + x * T.expOf(-x * x / 2) * T(0.3989422804014327)
        case .silu:
            let s = 1 / (1 + T.expOf(-x))
            return s * (1 + x * (1 - s))
        case .relu:
            return x > 0 ? 1 : 0
        }
    }

    /// `gPre = gPost · act'(pre)` for an MLP's `hook_pre` (`pre` and `gPost` of one shape).
    func backward(pre: Tensor, gradient gPost: Tensor) -> Tensor {
        let p = pre.contiguousFloat32(), g = gPost.contiguousFloat32()
        let out = Tensor(uninitialized: p.shape)
        let (x, dy, dx) = (p.elementPointer, g.elementPointer, out.elementPointer)
        Parallel.forChunks(p.count, costPerElement: 16) { start, end in
            for i in start..<end { dx[i] = dy[i] * derivative(x[i]) }
        }
        return withExtendedLifetime((p, g)) { out }
    }

    /// The gated MLP's backward through `post = act(pre) · preLinear + b_in`:
    /// `gPre = gPost · preLinear · act'(pre)`, `gPreLinear = gPost · act(pre)`.
    func gatedBackward(pre: Tensor, preLinear: Tensor, gradient gPost: Tensor) -> (pre: Tensor, preLinear: Tensor) {
        let p = pre.contiguousFloat32(), l = preLinear.contiguousFloat32(), g = gPost.contiguousFloat32()
        let outPre = Tensor(uninitialized: p.shape), outLinear = Tensor(uninitialized: p.shape)
        let (x, lin, dy) = (p.elementPointer, l.elementPointer, g.elementPointer)
        let (dPre, dLin) = (outPre.elementPointer, outLinear.elementPointer)
        Parallel.forChunks(p.count, costPerElement: 24) { start, end in
            for i in start..<end {
                dPre[i] = dy[i] * lin[i] * derivative(x[i])
                dLin[i] = dy[i] * value(x[i])
            }
        }
        return withExtendedLifetime((p, l, g)) { (outPre, outLinear) }
    }
}
