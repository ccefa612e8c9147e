import Kernels

/// Elementwise arithmetic with NumPy broadcasting. Results are contiguous Float32.
extension Tensor {
    /// `a ∘ b` broadcast to a common shape; traps naming the op and both shapes when they do not broadcast.
    public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let outShape = Shape.broadcast(a.shape, b.shape) else {
            programmerError("\(op.rawValue): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let x = a.dtype == .float32 ? a : a.converted(to: .float32)
        let y = b.dtype == .float32 ? b : b.converted(to: .float32)
        let out = Tensor(uninitialized: outShape)
        let xe = x.expanded(to: outShape), ye = y.expanded(to: outShape)
        let px = x.storage.floats, py = y.storage.floats, po = out.storage.floats
        StridedRows.forEach(shape: outShape, strides: [out.strides, xe.strides, ye.strides],
                            offsets: [0, xe.offset, ye.offset]) { o, n, s in
            Elementwise.binaryStrided(op, px + o[1], s[1], py + o[2], s[2], po + o[0], s[0], count: n)
        }
        return out
    }

    /// `f(x)` elementwise.
    public func map(_ op: UnaryOp) -> Tensor {
        let x = dtype == .float32 ? self : converted(to: .float32)
        let out = Tensor(uninitialized: shape)
        let px = x.storage.floats, po = out.storage.floats
        StridedRows.forEach(shape: shape, strides: [out.strides, x.strides], offsets: [0, x.offset]) { o, n, s in
            Elementwise.unary(op, px + o[1], s[1], po + o[0], s[0], count: n)
        }
        return out
    }

    /// `f(self) · up` elementwise in one pass, for tensors of one shape: SwiGLU's `silu(gate) · up`, GeGLU's
    /// `gelu(gate) · up`. Rounds exactly as `map(op) * up`. `op` must not be log, sin or cos.
    public func gated(_ op: UnaryOp, _ up: Tensor) -> Tensor {
        ensure(shape == up.shape, "gated(\(op.rawValue)): shapes \(shape) and \(up.shape) differ")
        let gate = float32Contiguous(), u = up.float32Contiguous()
        let out = Tensor(uninitialized: shape)
        Elementwise.gated(op, gate: gate.floatPointer, up: u.floatPointer, out.floatPointer, count: count)
        return out
    }

    /// Applies an arbitrary scalar function elementwise (slow path for custom maps).
    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(scalars.map(f), shape: shape)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }
    public static func + (a: Tensor, b: Float) -> Tensor { binary(.add, a, Tensor(scalar: b)) }
    public static func - (a: Tensor, b: Float) -> Tensor { binary(.sub, a, Tensor(scalar: b)) }
    public static func * (a: Tensor, b: Float) -> Tensor { binary(.mul, a, Tensor(scalar: b)) }
    public static func / (a: Tensor, b: Float) -> Tensor { binary(.div, a, Tensor(scalar: b)) }
    public static func + (a: Float, b: Tensor) -> Tensor { binary(.add, Tensor(scalar: a), b) }
    public static func - (a: Float, b: Tensor) -> Tensor { binary(.sub, Tensor(scalar: a), b) }
    public static func * (a: Float, b: Tensor) -> Tensor { binary(.mul, Tensor(scalar: a), b) }
    public static func / (a: Float, b: Tensor) -> Tensor { binary(.div, Tensor(scalar: a), b) }
    public static prefix func - (a: Tensor) -> Tensor { a.map(.neg) }
    /// `self = self ∘ b`, `b` broadcast to `self`'s shape. When `self` is contiguous Float32 and alone owns
    /// memory it allocated, the result is written over its elements (no new buffer: processing a model's weights
    /// in place); otherwise it is `Tensor.binary(op, self, b)`. Either way the values are the same.
    public mutating func formBinary(_ op: BinaryOp, _ b: Tensor) {
        guard dtype == .float32, isContiguous, Shape.broadcast(shape, b.shape) == shape,
              isKnownUniquelyReferenced(&storage), !storage.isBorrowed else {
            self = Tensor.binary(op, self, b)
            return
        }
        let y = b.dtype == .float32 ? b : b.converted(to: .float32)
        let ye = y.expanded(to: shape)
        let px = storage.floats + offset, py = y.storage.floats
        StridedRows.forEach(shape: shape, strides: [strides, ye.strides], offsets: [0, ye.offset]) { o, n, s in
            Elementwise.binaryStrided(op, px + o[0], s[0], py + o[1], s[1], px + o[0], s[0], count: n)
        }
    }

    public static func += (a: inout Tensor, b: Tensor) { a.formBinary(.add, b) }
    public static func -= (a: inout Tensor, b: Tensor) { a.formBinary(.sub, b) }
    public static func *= (a: inout Tensor, b: Tensor) { a.formBinary(.mul, b) }
    public static func /= (a: inout Tensor, b: Tensor) { a.formBinary(.div, b) }

    /// Elementwise maximum (NaN-propagating).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.maximum, a, b) }
    /// Elementwise minimum (NaN-propagating).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.minimum, a, b) }
    /// `a ** b` elementwise.
    public func pow(_ exponent: Float) -> Tensor { Tensor.binary(.pow, self, Tensor(scalar: exponent)) }

    public func exp() -> Tensor { map(.exp) }
    public func log() -> Tensor { map(.log) }
    public func sqrt() -> Tensor { map(.sqrt) }
    public func rsqrt() -> Tensor { map(.rsqrt) }
    public func tanh() -> Tensor { map(.tanh) }
    public func erf() -> Tensor { map(.erf) }
    public func abs() -> Tensor { map(.abs) }
    public func square() -> Tensor { map(.square) }
    public func sin() -> Tensor { map(.sin) }
    public func cos() -> Tensor { map(.cos) }
    public func relu() -> Tensor { map(.relu) }
    public func sigmoid() -> Tensor { map(.sigmoid) }
    public func silu() -> Tensor { map(.silu) }
    /// Exact GELU: `0.5 x (1 + erf(x/√2))`.
    public func gelu() -> Tensor { map(.gelu) }
    /// Tanh-approximated GELU (`gelu_new`, `gelu_pytorch_tanh`).
    public func geluNew() -> Tensor { map(.geluNew) }
    /// `gelu_fast`.
    public func geluFast() -> Tensor { map(.geluFast) }

    /// Elementwise comparison, 1 where true and 0 where false.
    public static func compare(_ a: Tensor, _ b: Tensor, _ predicate: (Float, Float) -> Bool) -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            programmerError("compare: shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let x = a.expanded(to: shape).scalars, y = b.expanded(to: shape).scalars
        return Tensor(zip(x, y).map { predicate($0, $1) ? 1 : 0 }, shape: shape)
    }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ==) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, !=) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, <) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, <=) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, >) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, >=) }
    public static func .== (a: Tensor, b: Float) -> Tensor { compare(a, Tensor(scalar: b), ==) }
    public static func .< (a: Tensor, b: Float) -> Tensor { compare(a, Tensor(scalar: b), <) }
    public static func .> (a: Tensor, b: Float) -> Tensor { compare(a, Tensor(scalar: b), >) }

    /// `condition ? a : b` elementwise with broadcasting (nonzero condition is true).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = Shape.broadcast(a.shape, b.shape), let shape = Shape.broadcast(condition.shape, ab) else {
            programmerError("where: shapes \(condition.shape), \(a.shape), \(b.shape) do not broadcast")
        }
        let c = condition.expanded(to: shape).scalars
        let x = a.expanded(to: shape).scalars, y = b.expanded(to: shape).scalars
        return Tensor((0..<c.count).map { c[$0] != 0 ? x[$0] : y[$0] }, shape: shape)
    }

    /// The tensor with `value` wherever `mask` (broadcast to this shape) is nonzero.
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        Tensor.where(mask.expanded(to: shape), Tensor(scalar: value), self)
    }
}
