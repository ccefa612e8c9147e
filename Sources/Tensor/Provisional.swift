import Foundation

// Temporary stand-ins for contract APIs owned by other helpers (reductions, kernels, io).
// Deleted once those branches are merged.

extension Tensor {
    /// Provisional: sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { reduce(axis: axis, keepDims: keepDims, mean: false) }
    /// Provisional: mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { reduce(axis: axis, keepDims: keepDims, mean: true) }
    /// Provisional: sum over all elements or axes.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let all = axes ?? Array(0..<rank)
        var t = self
        for a in all.map({ $0 < 0 ? $0 + rank : $0 }).sorted(by: >) { t = t.reduce(axis: a, keepDims: true, mean: false) }
        return keepDims ? t : t.reshaped(shape.enumerated().filter { !all.map({ $0 < 0 ? $0 + rank : $0 }).contains($0.offset) }.map(\.element))
    }
    /// Provisional: mean over all elements or axes.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let all = (axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
        let n = all.reduce(1) { $0 * shape[$1] }
        return sum(axes: all, keepDims: keepDims) / Float(n)
    }

    private func reduce(axis: Int, keepDims: Bool, mean: Bool) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        let x = contiguous().scalars
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var out = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer { for j in 0..<n { for i in 0..<inner { out[o * inner + i] += x[(o * n + j) * inner + i] } } }
        if mean { out = out.map { $0 / Float(n) } }
        var s = shape
        if keepDims { s[a] = 1 } else { s.remove(at: a) }
        return Tensor(out, shape: s)
    }

    /// Provisional: softmax over the last axis.
    public func softmax(axis: Int = -1) -> Tensor {
        let x = contiguous().scalars, n = shape[rank - 1]
        var out = x
        for r in 0..<(x.count / max(n, 1)) {
            let row = x[(r * n)..<(r * n + n)]
            let m = row.max() ?? 0
            let e = row.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            for j in 0..<n { out[r * n + j] = e[j] / s }
        }
        return Tensor(out, shape: shape)
    }

    /// Provisional: log-softmax over the last axis.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let x = contiguous().scalars, n = shape[rank - 1]
        var out = x
        for r in 0..<(x.count / max(n, 1)) {
            let row = x[(r * n)..<(r * n + n)]
            let m = row.max() ?? 0
            let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
            for j in 0..<n { out[r * n + j] = x[r * n + j] - lse }
        }
        return Tensor(out, shape: shape)
    }

    /// Provisional: TransformerLens LayerNormPre over the last axis.
    public func layerNormalized(eps: Float) -> (normalized: Tensor, scale: Tensor) {
        let centred = self - mean(axis: -1, keepDims: true)
        let scale = ((centred * centred).mean(axis: -1, keepDims: true) + eps).sqrt()
        return (centred / scale, scale)
    }

    /// Provisional: RMS normalisation over the last axis.
    public func rmsNormalized(eps: Float) -> (normalized: Tensor, scale: Tensor) {
        let scale = ((self * self).mean(axis: -1, keepDims: true) + eps).sqrt()
        return (self / scale, scale)
    }

    /// Provisional: reads a float32 / int64 / int32 little-endian `.npy` file.
    public init(npy path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let body = data.subdata(in: (10 + headerLength)..<data.count)
        if header.contains("<f4") {
            let values = body.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            self.init(Array(values.prefix(shape.reduce(1, *))), shape: shape)
        } else if header.contains("<i8") {
            let values = body.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }.map { Int($0) }
            self.init(ints: values, shape: shape)
        } else {
            let values = body.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }.map { Int($0) }
            self.init(ints: values, shape: shape, dtype: .int32)
        }
    }

    /// Provisional: writes a float32 `.npy` file.
    public func writeNpy(to path: String) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", "))\(rank == 1 ? "," : "")), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 255), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        scalars.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// Provisional safetensors reader (loads the whole file).
public struct SafetensorsFile: @unchecked Sendable {
    private let entries: [String: (dtype: DType, shape: [Int], start: Int, end: Int)]
    private let data: Data
    /// Metadata strings.
    public let metadata: [String: String]
    /// Tensor names in file order.
    public let names: [String]

    /// Opens `path`.
    public init(path: String) throws {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(n)))) as! [String: Any]
        var e: [String: (DType, [Int], Int, Int)] = [:]
        var meta: [String: String] = [:]
        for (k, v) in json {
            let d = v as! [String: Any]
            if k == "__metadata__" { meta = d as? [String: String] ?? [:]; continue }
            let dt: DType = ["F32": .float32, "F16": .float16, "BF16": .bfloat16, "I64": .int64, "I32": .int32][d["dtype"] as! String]!
            let offs = d["data_offsets"] as! [Int]
            e[k] = (dt, d["shape"] as! [Int], 8 + Int(n) + offs[0], 8 + Int(n) + offs[1])
        }
        entries = e.mapValues { (dtype: $0.0, shape: $0.1, start: $0.2, end: $0.3) }
        metadata = meta
        names = e.keys.sorted()
    }

    /// Shape of a stored tensor.
    public func shape(of name: String) -> [Int]? { entries[name]?.shape }
    /// Stored dtype of a tensor.
    public func dtype(of name: String) -> DType? { entries[name]?.dtype }

    /// The tensor `name`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw TensorError.invalidFile(path: name, reason: "missing") }
        let t = Tensor(zeros: e.shape, dtype: e.dtype)
        data.withUnsafeBytes { raw in
            t.storage.base.copyMemory(from: raw.baseAddress! + e.start, byteCount: e.end - e.start)
        }
        return t
    }
}

import CLinearAlgebra

extension Tensor {
    /// Provisional: thin or full SVD of a matrix, `self = U diag(S) Vh`.
    public func svd(fullMatrices: Bool = true) throws -> (U: Tensor, S: Tensor, Vh: Tensor) {
        let m = shape[0], n = shape[1], k = Swift.min(m, n)
        var a = contiguous().scalars
        var s = [Float](repeating: 0, count: k)
        let ucols = fullMatrices ? m : k, vrows = fullMatrices ? n : k
        var u = [Float](repeating: 0, count: m * ucols), vt = [Float](repeating: 0, count: vrows * n)
        let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, fullMatrices ? 65 : 83, Int32(m), Int32(n), &a, Int32(n),
                                  &s, &u, Int32(ucols), &vt, Int32(n))
        if info != 0 { throw TensorError.numerical(op: "svd", reason: "info \(info)") }
        return (Tensor(u, shape: [m, ucols]), Tensor(s, shape: [k]), Tensor(vt, shape: [vrows, n]))
    }
}
