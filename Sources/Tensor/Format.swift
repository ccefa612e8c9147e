/// Printing like NumPy's `repr`: `tensor([[0.5, 1. ], ...], shape=[2, 2], dtype=float32)`.
///
/// Layout follows `numpy.array_repr` with its defaults (line width 75, precision 8, threshold 1000,
/// 3 edge items): aligned columns, rows wrapped with a hanging indent, and tensors of more than
/// 1000 elements elided with `...` to their first and last 3 entries per axis. The shape and
/// dtype always follow. Float16 and BFloat16 values print through Float32; integers print as integers.
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The NumPy-style representation.
    public var description: String { TensorPrinter(self).repr() }

    /// The layout (shape, strides, offset, dtype, storage size) followed by `description`.
    public var debugDescription: String {
        "Tensor(shape: \(shape), strides: \(strides), offset: \(offset), dtype: \(dtype), "
            + "storage: \(storage.count) elements)\n" + description
    }
}

/// Renders one tensor (any strides) the way `numpy.array_repr` does.
struct TensorPrinter {
    static let lineWidth = 75, threshold = 1000, edgeItems = 3
    static let prefix = "tensor(", separator = ", "

    let tensor: Tensor
    let summarize: Bool
    let element: (Int) -> String

    init(_ tensor: Tensor) {
        self.tensor = tensor
        summarize = tensor.count > TensorPrinter.threshold
        var offsets: [Int] = []
        TensorPrinter.collect(tensor, summarize: summarize, axis: 0, at: tensor.offset, into: &offsets)
        let storage = tensor.storage
        if tensor.dtype.isInteger {
            let format = IntegerFormat(offsets.map { storage.int(at: $0) })
            element = { format(storage.int(at: $0)) }
        } else {
            let cutoff: Float = tensor.dtype == .float16 ? 1e3 : tensor.dtype == .bfloat16 ? 1e2 : 1e6
            let format = FloatFormat(offsets.map { storage.float(at: $0) }, cutoff: cutoff)
            element = { format(storage.float(at: $0)) }
        }
    }

    /// Positions printed along an axis of `extent`: all, or the edges around a `...` gap.
    static func shown(_ extent: Int, summarize: Bool) -> (lead: [Int], gap: Bool, trail: [Int]) {
        if summarize && 2 * edgeItems < extent {
            return (Array(0..<edgeItems), true, Array((extent - edgeItems)..<extent))
        }
        return ([], false, Array(0..<extent))
    }

    /// Storage offsets of the printed elements (they alone decide the column format).
    static func collect(_ t: Tensor, summarize: Bool, axis: Int, at offset: Int, into out: inout [Int]) {
        if axis == t.rank {
            out.append(offset)
            return
        }
        let (lead, _, trail) = shown(t.shape[axis], summarize: summarize)
        for i in lead + trail {
            collect(t, summarize: summarize, axis: axis + 1, at: offset + i * t.strides[axis], into: &out)
        }
    }

    /// `tensor(<array>, shape=[...], dtype=...)`, moving the extras to a new line when the last
    /// line would pass the line width.
    func repr() -> String {
        let body: String
        if tensor.count == 0 {
            body = "[]"
        } else {
            let indent = String(repeating: " ", count: TensorPrinter.prefix.count + 1)
            body = format(axis: 0, offset: tensor.offset, indent: indent, width: TensorPrinter.lineWidth - 1)
        }
        let array = TensorPrinter.prefix + body + ","
        let extras = "shape=\(tensor.shape), dtype=\(tensor.dtype))"
        let lastLine = array.split(separator: "\n", omittingEmptySubsequences: false).last!.count
        let spacer = lastLine + extras.count + 1 > TensorPrinter.lineWidth
            ? "\n" + String(repeating: " ", count: TensorPrinter.prefix.count) : " "
        return array + spacer + extras
    }

    /// NumPy's `_formatArray` recursion: the last axis is a wrapped row of words, outer axes
    /// stack their sub-arrays separated by `,` and one blank line per remaining axis beyond one.
    func format(axis: Int, offset: Int, indent: String, width: Int) -> String {
        if axis == tensor.rank { return element(offset) }
        let (lead, gap, trail) = TensorPrinter.shown(tensor.shape[axis], summarize: summarize)
        let stride = tensor.strides[axis]
        let nested = { (i: Int) in self.format(axis: axis + 1, offset: offset + i * stride,
                                               indent: indent + " ", width: width - 1) }
        var s = ""
        if axis == tensor.rank - 1 {
            var line = indent
            let words = lead.map(nested) + (gap ? ["..."] : []) + trail.map(nested)
            for (k, word) in words.enumerated() {
                TensorPrinter.extend(&s, &line, word, width: width - 1, indent: indent)
                if k < words.count - 1 { line += TensorPrinter.separator }
            }
            s += line
        } else {
            let lineSeparator = "," + String(repeating: "\n", count: tensor.rank - axis - 1)
            let blocks = lead.map(nested) + (gap ? ["..."] : []) + trail.map(nested)
            s = blocks.map { indent + $0 }.joined(separator: lineSeparator)
        }
        return "[" + s.dropFirst(indent.count) + "]"
    }

    /// Appends `word` to `line`, first wrapping onto a new indented line when it would pass `width`
    /// (never wrapping a line that holds only the indent).
    static func extend(_ s: inout String, _ line: inout String, _ word: String, width: Int, indent: String) {
        if line.count + word.count > width && line.count > indent.count {
            s += String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
            line = indent
        }
        line += word
    }
}
