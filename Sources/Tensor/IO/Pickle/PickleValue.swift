/// A value built by the pickle reader. There are no objects of arbitrary classes: the only callables are the
/// allow-listed ones of `PickleCallable`, and what they build (an ordered dict, a tensor) is data.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    /// An allow-listed global (`GLOBAL` / `STACK_GLOBAL`).
    case callable(PickleCallable)
    /// A storage named by a persistent id (`BINPERSID`).
    case storage(PickleStorage)
    /// A tensor view of a storage (`torch._utils._rebuild_tensor_v2`).
    case tensor(PickleTensor)

    /// Nesting depth (1 for a leaf), kept in containers so that it is known without recursion.
    var depth: Int {
        switch self {
        case .tuple(let t): return t.depth
        case .list(let l): return l.depth
        case .dict(let d): return d.depth
        default: return 1
        }
    }

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int: return "an int"
        case .float: return "a float"
        case .string: return "a str"
        case .bytes: return "bytes"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dict: return "a dict"
        case .callable(let c): return c.name
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }
}

/// An immutable tuple.
final class PickleTuple {
    let items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.map(\.depth).max() ?? 0)
    }
}

/// A list, filled by `APPEND` / `APPENDS` after it is memoised (reference semantics, as in Python).
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
    func append(_ value: PickleValue) {
        items.append(value)
        depth = max(depth, value.depth + 1)
    }
}

/// A dict (or `collections.OrderedDict`), keys in insertion order, filled by `SETITEM` / `SETITEMS`.
final class PickleDict {
    private(set) var pairs: [(key: PickleValue, value: PickleValue)] = []
    private var index: [String: Int] = [:]
    var depth = 1
    /// Sets `key` (a later value for the same string key replaces the earlier one, keeping its position).
    func set(_ key: PickleValue, _ value: PickleValue) {
        depth = max(depth, key.depth + 1, value.depth + 1)
        if case .string(let s) = key, let i = index[s] {
            pairs[i].value = value
            return
        }
        if case .string(let s) = key { index[s] = pairs.count }
        pairs.append((key, value))
    }
}

/// The globals a PyTorch state dict needs; any other global is refused when the pickle names it.
enum PickleCallable: Equatable {
    /// `collections.OrderedDict`.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2` and the older `_rebuild_tensor`.
    case rebuildTensor
    /// `torch._utils._rebuild_parameter` and `_rebuild_parameter_with_state` (a parameter is its data).
    case rebuildParameter
    /// `torch.FloatStorage` and the other typed storages, naming the element type of a persistent id.
    case storageType(name: String, scalar: FileScalar)

    var name: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .storageType(let name, _): return "torch.\(name)"
        }
    }

    /// The storage types PyTorch writes, by class name.
    static let storageTypes: [String: FileScalar] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    /// The allow-listed callable `module.name`, or nil.
    static func lookup(module: String, name: String) -> PickleCallable? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameter
        case ("torch", _): return storageTypes[name].map { .storageType(name: name, scalar: $0) }
        default: return nil
        }
    }
}

/// A storage record: `('storage', torch.FloatStorage, KEY, LOCATION, NUMEL)`; its bytes are the archive member
/// `data/KEY`.
final class PickleStorage: Sendable {
    let key: String
    let scalar: FileScalar
    let count: Int
    init(key: String, scalar: FileScalar, count: Int) {
        self.key = key
        self.scalar = scalar
        self.count = count
    }
}

/// A strided view of a storage, every index checked to lie inside it when it was built.
struct PickleTensor: Sendable {
    let storage: PickleStorage
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
