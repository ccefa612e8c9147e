/// A pickle reader that executes nothing: the opcodes of protocols 0–5 that build data (numbers, strings, tuples,
/// lists, dicts, memo references) are interpreted; `GLOBAL` / `STACK_GLOBAL` resolve only the allow-list of
/// `PickleCallable` (anything else, such as `os.system`, `posix.system` or `builtins.eval`, is
/// `PickleError.forbiddenGlobal` naming it); `REDUCE` calls only those; `BINPERSID` turns PyTorch's storage
/// records into storage references; instance-building opcodes (`INST`, `OBJ`, `NEWOBJ`), extensions and
/// out-of-band buffers are refused. Every length is checked against the bytes left, the stack, the mark stack
/// and the memo are bounded, and values nest at most `maximumDepth` deep, so that neither a hostile size nor a
/// stack bomb can exhaust memory or the call stack.
struct PickleMachine {
    private let bytes: UnsafeRawBufferPointer
    private let path: String
    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Limits on the stack (values and marks) and the memo: far above what a state dict uses (a few per tensor).
    static let maximumStack = 1 << 20
    static let maximumMemo = 1 << 22
    /// The deepest nesting of tuples, lists and dicts accepted.
    static let maximumDepth = 100

    private init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Runs the pickle in `bytes` to its `STOP` and returns the value it leaves.
    static func load(_ bytes: UnsafeRawBufferPointer, path: String) throws -> PickleValue {
        var machine = PickleMachine(bytes: bytes, path: path)
        return try machine.run()
    }

    private func fail(_ reason: String, at offset: Int? = nil) -> PickleError {
        .malformed(path: path, offset: offset ?? position, reason: reason)
    }

    // MARK: Reading

    private mutating func take(_ n: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - position else {
            throw fail("\(what) of \(n) bytes runs past the end of the \(bytes.count)-byte pickle")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    private mutating func unsigned(_ n: Int, _ what: String) throws -> Int {
        let b = try take(n, what)
        var v: UInt64 = 0
        for i in (0..<n).reversed() { v = v << 8 | UInt64(b[i]) }
        guard v <= UInt64(Int.max) else { throw fail("\(what) \(v) is too large") }
        return Int(v)
    }

    private mutating func signed32() throws -> Int {
        Int(Int32(bitPattern: UInt32(try unsigned(4, "BININT"))))
    }

    /// A newline-terminated line (text opcodes of protocol 0).
    private mutating func line(_ what: String) throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("\(what) has no end of line") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func utf8(_ n: Int, _ what: String) throws -> String {
        let raw = try take(n, what)
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("\(what) is not valid UTF-8") }
        return s
    }

    // MARK: Stack

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < Self.maximumStack else { throw fail("stack exceeds \(Self.maximumStack) values") }
        guard value.depth <= Self.maximumDepth else { throw fail("values nest deeper than \(Self.maximumDepth) levels") }
        stack.append(value)
    }

    private mutating func pop(_ what: String) throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw fail("\(what) needs a value but the stack is empty")
        }
        return value
    }

    /// The values above the topmost mark, which is removed.
    private mutating func popToMark(_ what: String) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("\(what) needs a MARK") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top(_ what: String) throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw fail("\(what) needs a value but the stack is empty")
        }
        return value
    }

    private mutating func memoize(_ index: Int) throws {
        guard memo.count < Self.maximumMemo || memo[index] != nil else { throw fail("memo exceeds \(Self.maximumMemo) entries") }
        memo[index] = try top("PUT")
    }

    private mutating func recall(_ index: Int) throws {
        guard let value = memo[index] else { throw fail("memo entry \(index) is read before it is written") }
        try push(value)
    }

    // MARK: Opcodes

    private mutating func run() throws -> PickleValue {
        while true {
            let at = position
            let op = try take(1, "opcode")[0]
            switch op {
            case 0x80: _ = try take(1, "PROTO")
            case 0x95: _ = try take(8, "FRAME")
            case UInt8(ascii: "."):
                let value = try pop("STOP")
                guard stack.isEmpty, marks.isEmpty else { throw fail("STOP leaves \(stack.count) values and \(marks.count) marks", at: at) }
                return value
            case UInt8(ascii: "("):
                guard marks.count < Self.maximumStack else { throw fail("more than \(Self.maximumStack) marks") }
                marks.append(stack.count)
            case UInt8(ascii: "0"): _ = try pop("POP")
            case UInt8(ascii: "1"): _ = try popToMark("POP_MARK")
            case UInt8(ascii: "2"): try push(try top("DUP"))
            case UInt8(ascii: "N"): try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case UInt8(ascii: "J"): try push(.int(try signed32()))
            case UInt8(ascii: "K"): try push(.int(try unsigned(1, "BININT1")))
            case UInt8(ascii: "M"): try push(.int(try unsigned(2, "BININT2")))
            case UInt8(ascii: "I"): try push(try textInt(line("INT"), at))
            case UInt8(ascii: "L"):
                let text = try line("LONG")
                try push(try textInt(text.hasSuffix("L") ? String(text.dropLast()) : text, at))
            case 0x8A: try push(.int(try long(unsigned(1, "LONG1 length"), at)))
            case 0x8B: try push(.int(try long(unsigned(4, "LONG4 length"), at)))
            case UInt8(ascii: "G"): try push(.float(Double(bitPattern: UInt64(bigEndian: try take(8, "BINFLOAT").loadUnaligned(as: UInt64.self)))))
            case UInt8(ascii: "F"):
                guard let value = Double(try line("FLOAT")) else { throw fail("FLOAT is not a number", at: at) }
                try push(.float(value))
            case UInt8(ascii: "X"): try push(.string(try utf8(unsigned(4, "BINUNICODE length"), "BINUNICODE")))
            case 0x8C: try push(.string(try utf8(unsigned(1, "SHORT_BINUNICODE length"), "SHORT_BINUNICODE")))
            case 0x8D: try push(.string(try utf8(unsigned(8, "BINUNICODE8 length"), "BINUNICODE8")))
            case UInt8(ascii: "T"): try push(.string(try utf8(unsigned(4, "BINSTRING length"), "BINSTRING")))
            case UInt8(ascii: "U"): try push(.string(try utf8(unsigned(1, "SHORT_BINSTRING length"), "SHORT_BINSTRING")))
            case UInt8(ascii: "B"): try push(.bytes(Array(try take(unsigned(4, "BINBYTES length"), "BINBYTES"))))
            case UInt8(ascii: "C"): try push(.bytes(Array(try take(unsigned(1, "SHORT_BINBYTES length"), "SHORT_BINBYTES"))))
            case 0x8E, 0x96: try push(.bytes(Array(try take(unsigned(8, "BINBYTES8 length"), "BINBYTES8"))))
            case UInt8(ascii: ")"): try push(.tuple(PickleTuple([])))
            case UInt8(ascii: "t"): try push(.tuple(PickleTuple(try popToMark("TUPLE"))))
            case 0x85, 0x86, 0x87:
                let n = Int(op - 0x84)
                guard stack.count - n >= (marks.last ?? 0) else { throw fail("TUPLE\(n) needs \(n) values", at: at) }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                try push(.tuple(PickleTuple(items)))
            case UInt8(ascii: "]"): try push(.list(PickleList()))
            case UInt8(ascii: "l"):
                let list = PickleList()
                for item in try popToMark("LIST") { list.append(item) }
                try push(.list(list))
            case UInt8(ascii: "a"):
                let item = try pop("APPEND")
                try append([item], at)
            case UInt8(ascii: "e"): try append(try popToMark("APPENDS"), at)
            case UInt8(ascii: "}"): try push(.dict(PickleDict()))
            case UInt8(ascii: "d"):
                let dict = PickleDict()
                try setItems(try popToMark("DICT"), into: dict, at)
                try push(.dict(dict))
            case UInt8(ascii: "s"):
                let value = try pop("SETITEM"), key = try pop("SETITEM")
                try setItems([key, value], into: try dictOnTop("SETITEM", at), at)
            case UInt8(ascii: "u"):
                let items = try popToMark("SETITEMS")
                try setItems(items, into: try dictOnTop("SETITEMS", at), at)
            case UInt8(ascii: "c"):
                let module = try line("GLOBAL module"), name = try line("GLOBAL name")
                try push(.callable(try resolve(module, name, at)))
            case 0x93:
                guard case .string(let name) = try pop("STACK_GLOBAL"), case .string(let module) = try pop("STACK_GLOBAL") else {
                    throw fail("STACK_GLOBAL needs a module and a name", at: at)
                }
                try push(.callable(try resolve(module, name, at)))
            case UInt8(ascii: "R"):
                let arguments = try pop("REDUCE"), callable = try pop("REDUCE")
                try push(try reduce(callable, arguments, at))
            case UInt8(ascii: "b"):
                let state = try pop("BUILD")
                try build(try top("BUILD"), state, at)
            case UInt8(ascii: "Q"): try push(.storage(try persistentStorage(pop("BINPERSID"), at)))
            case UInt8(ascii: "p"):
                guard let index = Int(try line("PUT")) else { throw fail("PUT index is not a number", at: at) }
                try memoize(index)
            case UInt8(ascii: "q"): try memoize(try unsigned(1, "BINPUT"))
            case UInt8(ascii: "r"): try memoize(try unsigned(4, "LONG_BINPUT"))
            case 0x94: try memoize(memo.count)
            case UInt8(ascii: "g"):
                guard let index = Int(try line("GET")) else { throw fail("GET index is not a number", at: at) }
                try recall(index)
            case UInt8(ascii: "h"): try recall(try unsigned(1, "BINGET"))
            case UInt8(ascii: "j"): try recall(try unsigned(4, "LONG_BINGET"))
            case UInt8(ascii: "i"):
                let module = try line("INST module"), name = try line("INST name")
                throw PickleError.forbiddenGlobal("\(module).\(name)", path: path, offset: at)
            default:
                throw fail("opcode 0x\(String(op, radix: 16)) is not supported (only opcodes that build data are)", at: at)
            }
        }
    }

    private func textInt(_ text: String, _ at: Int) throws -> PickleValue {
        switch text {
        case "00": return .bool(false)
        case "01": return .bool(true)
        default:
            guard let value = Int(text) else { throw fail("integer '\(text.prefix(40))' is not an Int", at: at) }
            return .int(value)
        }
    }

    /// A little-endian two's-complement integer of `n` bytes (`LONG1` / `LONG4`) that must fit in `Int`.
    private mutating func long(_ n: Int, _ at: Int) throws -> Int {
        guard n <= 8 else {
            _ = try take(n, "LONG")
            throw fail("integer of \(n) bytes does not fit in 64 bits", at: at)
        }
        let b = try take(n, "LONG")
        guard n > 0 else { return 0 }
        var v: UInt64 = b[n - 1] & 0x80 != 0 ? ~0 : 0
        for i in (0..<n).reversed() { v = v << 8 | UInt64(b[i]) }
        return Int(bitPattern: UInt(v))
    }

    private mutating func append(_ items: [PickleValue], _ at: Int) throws {
        guard case .list(let list) = try top("APPEND") else { throw fail("APPEND to something that is not a list", at: at) }
        for item in items { list.append(item) }
        guard list.depth <= Self.maximumDepth else { throw fail("values nest deeper than \(Self.maximumDepth) levels", at: at) }
    }

    private mutating func dictOnTop(_ what: String, _ at: Int) throws -> PickleDict {
        guard case .dict(let dict) = try top(what) else { throw fail("\(what) on something that is not a dict", at: at) }
        return dict
    }

    private func setItems(_ items: [PickleValue], into dict: PickleDict, _ at: Int) throws {
        guard items.count % 2 == 0 else { throw fail("dict items come in key/value pairs, got \(items.count) values", at: at) }
        for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
        guard dict.depth <= Self.maximumDepth else { throw fail("values nest deeper than \(Self.maximumDepth) levels", at: at) }
    }

    private func resolve(_ module: String, _ name: String, _ at: Int) throws -> PickleCallable {
        guard let callable = PickleCallable.lookup(module: module, name: name) else {
            throw PickleError.forbiddenGlobal("\(module).\(name)", path: path, offset: at)
        }
        return callable
    }

    /// `callable(*arguments)` for the allow-listed callables.
    private func reduce(_ callable: PickleValue, _ arguments: PickleValue, _ at: Int) throws -> PickleValue {
        guard case .callable(let function) = callable else { throw fail("REDUCE calls \(callable.kind), which is not callable", at: at) }
        guard case .tuple(let tuple) = arguments else { throw fail("REDUCE arguments are \(arguments.kind), not a tuple", at: at) }
        let args = tuple.items
        switch function {
        case .orderedDict:
            guard args.isEmpty else { throw fail("collections.OrderedDict takes no arguments here", at: at) }
            return .dict(PickleDict())
        case .rebuildParameter:
            guard let data = args.first, case .tensor = data else { throw fail("_rebuild_parameter needs a tensor", at: at) }
            return data
        case .rebuildTensor:
            return .tensor(try rebuildTensor(args, at))
        case .storageType(let name, _):
            throw PickleError.forbiddenGlobal("torch.\(name) called directly", path: path, offset: at)
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)`, every index of the view checked to
    /// lie inside the storage.
    private func rebuildTensor(_ args: [PickleValue], _ at: Int) throws -> PickleTensor {
        guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1],
              case .tuple(let size) = args[2], case .tuple(let stride) = args[3] else {
            throw fail("_rebuild_tensor_v2 needs (storage, offset, size, stride, ...)", at: at)
        }
        func ints(_ t: PickleTuple) -> [Int]? {
            let values = t.items.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
            return values.count == t.items.count ? values : nil
        }
        guard let shape = ints(size), let strides = ints(stride), shape.count == strides.count, shape.count <= 64 else {
            throw fail("tensor size and stride must be tuples of ints of equal length", at: at)
        }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor offset \(offset), size \(shape) and stride \(strides) must not be negative", at: at)
        }
        guard CheckedSize.product(shape) != nil else { throw fail("tensor size \(shape) overflows", at: at) }
        if !shape.contains(0) {
            // The last element the view reads: offset + Σ (size_i - 1) · stride_i, which must be in the storage.
            let reach = CheckedSize.sum([offset] + zip(shape, strides).map { CheckedSize.product([$0 - 1, $1]) })
            guard let last = reach, last < storage.count else {
                throw fail("tensor of size \(shape), stride \(strides) at offset \(offset) reads past the " +
                           "\(storage.count) elements of storage '\(storage.key)'", at: at)
            }
        }
        return PickleTensor(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    /// `BUILD` sets an object's state: PyTorch uses it for a state dict's `_metadata` attribute and a parameter's
    /// state, neither of which holds weights; it is accepted on dicts and tensors and ignored.
    private func build(_ target: PickleValue, _ state: PickleValue, _ at: Int) throws {
        switch target {
        case .dict, .tensor: return
        default: throw fail("BUILD on \(target.kind) is not supported", at: at)
        }
    }

    /// PyTorch's persistent id of a storage: `('storage', storage_type, key, location, numel)`.
    private func persistentStorage(_ id: PickleValue, _ at: Int) throws -> PickleStorage {
        guard case .tuple(let t) = id, t.items.count == 5, case .string("storage") = t.items[0],
              case .callable(.storageType(_, let scalar)) = t.items[1], case .string(let key) = t.items[2],
              case .int(let count) = t.items[4], count >= 0 else {
            throw fail("persistent id is not ('storage', torch.<Type>Storage, key, location, numel)", at: at)
        }
        return PickleStorage(key: key, scalar: scalar, count: count)
    }
}

/// A pickle that cannot be read safely.
public enum PickleError: Error, Equatable, CustomStringConvertible {
    /// The pickle names a global outside the allow-list (`os.system`, `builtins.eval`, ...): loading it would
    /// run code. `global` is `module.name`; `offset` is the opcode's byte offset in the pickle.
    case forbiddenGlobal(String, path: String, offset: Int)
    /// The pickle is malformed, truncated, or uses an opcode or value this reader does not accept.
    case malformed(path: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .forbiddenGlobal(global, path, offset):
            return "\(path): pickle byte \(offset) names \(global), which is not allowed in a state dict " +
                "(loading it could run code); allowed: collections.OrderedDict, torch._utils._rebuild_tensor_v2, " +
                "torch._utils._rebuild_parameter, torch.<Type>Storage"
        case let .malformed(path, offset, reason):
            return "\(path): pickle byte \(offset): \(reason)"
        }
    }
}
