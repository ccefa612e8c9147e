/// A strided N-d array with value semantics.
///
/// Views (slices, transposes, broadcasts, reshapes where strides allow) share storage;
/// any mutation copies the storage first unless this value holds the only reference.
/// Shapes follow NumPy / PyTorch: row-major, `shape[0]` outermost, strides in elements.
public struct Tensor: @unchecked Sendable {
    /// The shared buffer.
    public internal(set) var storage: TensorStorage
    /// Extent of each axis.
    public internal(set) var shape: [Int]
    /// Step in elements along each axis (0 for a broadcast axis; may be negative).
    public internal(set) var strides: [Int]
    /// Index of element `[0, 0, ...]` in `storage`.
    public internal(set) var offset: Int

    /// Wraps `storage` with an explicit layout (no checks: internal building block).
    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A contiguous tensor of zeros with the given shape and element type.
    public init(zeros shape: [Int], dtype: DType = .float32) {
        let count = Tensor.elementCount(shape, "Tensor(zeros:)")
        self.init(storage: TensorStorage(dtype: dtype, count: count), shape: shape,
                  strides: Shape.contiguousStrides(shape), offset: 0)
    }

    /// A contiguous tensor whose elements are not initialised (`torch.empty`): every element must be written
    /// before it is read (outputs of kernels that overwrite all of them).
    public init(uninitialized shape: [Int], dtype: DType = .float32) {
        let count = Tensor.elementCount(shape, "Tensor(uninitialized:)")
        self.init(storage: TensorStorage(dtype: dtype, count: count, zeroed: false), shape: shape,
                  strides: Shape.contiguousStrides(shape), offset: 0)
    }

    /// The element count of `shape`; traps, naming `op`, for a negative extent or a count that overflows.
    static func elementCount(_ shape: [Int], _ op: @autoclosure () -> String) -> Int {
        guard let count = CheckedSize.product(shape) else {
            programmerError("\(op()): shape \(shape) has a negative extent or more elements than an Int can count")
        }
        return count
    }

    /// A Float32 tensor holding `values` in row-major order. Traps if the count does not match.
    public init(_ values: [Float], shape: [Int]) {
        let count = Tensor.elementCount(shape, "Tensor(_:shape:)")
        ensure(values.count == count,
                     "Tensor(_:shape:): \(values.count) values do not fill shape \(shape) (\(count) elements)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { src in
            storage.floats.update(from: src.baseAddress!, count: count)
        }
    }

    /// A 1-d Float32 tensor.
    public init(_ values: [Float]) {
        self.init(values, shape: [values.count])
    }

    /// A rank-0 Float32 tensor.
    public init(scalar: Float) {
        self.init([scalar], shape: [])
    }

    /// An integer tensor (for token ids) of `dtype` `.int32` or `.int64`.
    public init(ints values: [Int], shape: [Int], dtype: DType = .int64) {
        ensure(dtype.isInteger, "Tensor(ints:): dtype \(dtype) is not an integer type")
        let count = Tensor.elementCount(shape, "Tensor(ints:shape:)")
        ensure(values.count == count,
                     "Tensor(ints:shape:): \(values.count) values do not fill shape \(shape)")
        self.init(zeros: shape, dtype: dtype)
        for (i, v) in values.enumerated() { storage.setInt(v, at: i) }
    }

    /// A throwing variant of `init(_:shape:)` for shapes and data computed at run time.
    public static func validated(_ values: [Float], shape: [Int]) throws -> Tensor {
        guard values.count == CheckedSize.product(shape) else {
            throw TensorError.shapeMismatch(op: "Tensor(_:shape:)", shapes: [[values.count], shape])
        }
        return Tensor(values, shape: shape)
    }

    /// Element type of the storage.
    public var dtype: DType { storage.dtype }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Whether the elements are laid out row-major without gaps.
    public var isContiguous: Bool { strides == Shape.contiguousStrides(shape) || count <= 1 }

    /// All elements in row-major order, converted to Float32.
    public var scalars: [Float] {
        let c = float32Contiguous()
        return Array(UnsafeBufferPointer(start: c.storage.floats + c.offset, count: c.count))
    }

    /// All elements in row-major order as integers (floats truncated toward zero).
    public var intScalars: [Int] {
        let c = contiguous()
        return (0..<c.count).map { c.storage.int(at: c.offset + $0) }
    }

    /// The value of a one-element tensor.
    public func item() -> Float {
        ensure(count == 1, "item(): tensor of shape \(shape) has \(count) elements, not 1")
        return storage.float(at: offset)
    }

    /// The element at a full multi-index (negative indices count from the end).
    public func value(at index: [Int]) -> Float {
        ensure(index.count == rank, "value(at:): index \(index) for tensor of shape \(shape)")
        var o = offset
        for (axis, i) in index.enumerated() {
            let j = i < 0 ? i + shape[axis] : i
            ensure(j >= 0 && j < shape[axis], "value(at:): index \(index) out of range for shape \(shape)")
            o += j * strides[axis]
        }
        return storage.float(at: o)
    }

    /// Makes the storage uniquely owned before a write, copying it if it is shared
    /// or if this view does not cover it contiguously.
    mutating func makeUniqueContiguous() {
        if !isKnownUniquelyReferenced(&storage) || storage.isBorrowed || !isContiguous || offset != 0 || storage.count != count {
            self = copied(as: dtype)
        }
    }

    /// A fresh contiguous copy with element type `dtype`.
    func copied(as dtype: DType) -> Tensor {
        var out = Tensor(uninitialized: shape, dtype: dtype)
        out.copyElements(from: self)
        return out
    }

    /// Pointer to element `[0, ...]` of a Float32 tensor.
    @inline(__always) var floatPointer: UnsafeMutablePointer<Float> {
        ensure(dtype == .float32, "floatPointer: tensor has dtype \(dtype)")
        return storage.floats + offset
    }

    /// Calls `body` with a pointer to this tensor's elements as contiguous Float32.
    public func withContiguousFloats<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        let c = float32Contiguous()
        return try body(UnsafePointer(c.floatPointer))
    }

    /// `self` when already contiguous Float32, else a converted contiguous copy.
    func float32Contiguous() -> Tensor {
        dtype == .float32 && isContiguous ? self : copied(as: .float32)
    }

    /// The tensor converted to `dtype` (a no-op when it already has it).
    public func converted(to dtype: DType) -> Tensor {
        self.dtype == dtype ? self : copied(as: dtype)
    }

    /// A contiguous version of the tensor (itself if already contiguous).
    public func contiguous() -> Tensor {
        isContiguous ? self : copied(as: dtype)
    }
}
