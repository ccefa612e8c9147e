/// A PyTorch checkpoint written by `torch.save` (the zip format of PyTorch 1.6 and later): a zip archive holding
/// `ARCHIVE/data.pkl`, the pickled object, and `ARCHIVE/data/KEY`, the raw bytes of each storage, in the byte
/// order of `ARCHIVE/byteorder` (little-endian when absent).
///
/// The pickle is read by `PickleMachine`, which runs no code: only the globals a state dict needs are allowed
/// (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`, the typed
/// storages `torch.FloatStorage` ... `torch.BoolStorage`); anything else is `PickleError.forbiddenGlobal`
/// naming it. This is the reason to use this reader rather than `torch.load`, whose `weights_only` restrictions
/// have been bypassed more than once.
///
/// The object must be a dict of tensors (a state dict); nested dicts are flattened with dotted names
/// (`{"model": {"w": ...}}` gives `model.w`) and values that are not tensors (version numbers, configs) are
/// skipped. Every tensor is checked to lie inside its storage and every storage to match its member's size.
/// Stored members are memory-mapped: F32, F16, BF16, I32 and I64 storages aligned to their element size are
/// zero-copy views (as with safetensors); other element types (F64 -> F32, BOOL -> F32, I8/I16/U8 -> I32)
/// and deflated members are converted copies. The legacy (pre-1.6, non-zip) format is recognised and refused.
public final class PyTorchCheckpoint: TensorFileReading {
    /// The file's path.
    public let path: String
    /// Tensor names in the order of the pickled dict.
    public let names: [String]
    /// Always empty: `.pth` files carry no string metadata.
    public let metadata: [String: String] = [:]
    private let file: MappedFile
    private let tensors: [String: PickleTensor]
    private let storages: [String: TensorStorage]

    /// Opens and validates the checkpoint at `path`: the archive, the pickle, every storage's size and every
    /// tensor's extent. Throws `TensorError.invalidFile` or `PickleError`, naming the file, member or global.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let bytes = file.bytes
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 {
            throw TensorError.invalidFile(path: path, reason: "this is a legacy (pre-1.6, non-zip) PyTorch checkpoint, which " +
                                          "is not supported: re-save it with torch.save in PyTorch 1.6 or later")
        }
        let directory = try ZipDirectory(bytes, path: path)
        let pickles = directory.entries.filter { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw TensorError.invalidFile(path: path, reason: "a PyTorch zip checkpoint holds one ARCHIVE/data.pkl, found \(pickles.count)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        let members = Dictionary(directory.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let bigEndian = try members[prefix + "byteorder"].map { entry in
            try directory.withContents(of: entry, in: bytes, path: path) { text -> Bool in
                switch String(decoding: text, as: UTF8.self) {
                case "little": return false
                case "big": return true
                default: throw TensorError.invalidFile(path: path, reason: "\(entry.name) is neither 'little' nor 'big'")
                }
            }
        } ?? false
        let root = try directory.withContents(of: pickle, in: bytes, path: path) {
            try PickleMachine.load($0, path: "\(path)[\(pickle.name)]")
        }
        var found: [(String, PickleTensor)] = []
        try PyTorchCheckpoint.collect(root, prefix: "", into: &found, path: path)
        var tensors: [String: PickleTensor] = [:]
        for (name, tensor) in found where tensors.updateValue(tensor, forKey: name) != nil {
            throw TensorError.invalidFile(path: path, reason: "tensor name '\(name)' appears twice")
        }
        var storages: [String: TensorStorage] = [:]
        for (_, tensor) in found where storages[tensor.storage.key] == nil {
            let s = tensor.storage
            guard let entry = members[prefix + "data/" + s.key] else {
                throw TensorError.invalidFile(path: path, reason: "storage '\(s.key)' has no member \(prefix)data/\(s.key)")
            }
            storages[s.key] = try PyTorchCheckpoint.storage(s, entry, directory, file, bigEndian: bigEndian, path: path)
        }
        names = found.map(\.0)
        self.tensors = tensors
        self.storages = storages
    }

    /// Tensors of `value` (a dict, possibly nested) with dotted names; other values are skipped.
    private static func collect(_ value: PickleValue, prefix: String, into found: inout [(String, PickleTensor)],
                                path: String) throws {
        guard case .dict(let dict) = value else {
            throw TensorError.invalidFile(path: path, reason: "the pickled object is \(value.kind), not a dict of tensors")
        }
        for (key, item) in dict.pairs {
            guard case .string(let name) = key else {
                throw TensorError.invalidFile(path: path, reason: "a state dict key is \(key.kind), not a str")
            }
            switch item {
            case .tensor(let t): found.append((prefix + name, t))
            case .dict: try collect(item, prefix: prefix + name + ".", into: &found, path: path)
            default: continue
            }
        }
    }

    /// The storage of record `s` from its member: a view of the mapping when possible, else a decoded copy.
    private static func storage(_ s: PickleStorage, _ entry: ZipEntry, _ directory: ZipDirectory, _ file: MappedFile,
                                bigEndian: Bool, path: String) throws -> TensorStorage {
        let what = "storage '\(s.key)' (\(entry.name))"
        guard let needed = CheckedSize.product([s.count, s.scalar.byteCount]), needed == entry.uncompressedSize else {
            throw TensorError.invalidFile(path: path, reason: "\(what) holds \(entry.uncompressedSize) bytes but its record " +
                                          "says \(s.count) elements of \(s.scalar.byteCount) bytes")
        }
        let target = s.scalar.target
        if entry.method == 0, !bigEndian, FileScalar(target) == s.scalar, s.count > 0, let base = file.base {
            let start = try directory.dataOffset(of: entry, in: file.bytes, path: path)
            if start % s.scalar.byteCount == 0 {
                // A storage over the member only, so that a view can never reach the bytes of another member.
                return TensorStorage(dtype: target, count: s.count, borrowing: base + start, owner: file)
            }
        }
        return try directory.withContents(of: entry, in: file.bytes, path: path) {
            try s.scalar.decode($0, count: s.count, bigEndian: bigEndian, path: path, name: what)
        }
    }

    private func record(_ name: String) throws -> PickleTensor {
        guard let t = tensors[name] else {
            throw TensorError.invalidFile(path: path, reason: "no tensor named '\(name)' (the file holds \(names.count))")
        }
        return t
    }

    /// The shape of tensor `name`.
    public func shape(of name: String) throws -> [Int] { try record(name).shape }

    /// The dtype `tensor(name)` returns.
    public func dtype(of name: String) throws -> DType { try record(name).storage.scalar.target }

    /// Tensor `name`: a strided view of its storage (shared with the other tensors of that storage).
    public func tensor(_ name: String) throws -> Tensor {
        let t = try record(name)
        guard let storage = storages[t.storage.key] else {
            throw TensorError.invalidFile(path: path, reason: "tensor '\(name)' has no storage")
        }
        return Tensor(storage: storage, shape: t.shape, strides: t.strides, offset: t.offset)
    }
}
