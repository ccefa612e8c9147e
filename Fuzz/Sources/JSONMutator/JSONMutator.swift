import Tensor

@_silgen_name("LLVMFuzzerMutate")
private func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int) -> Int

/// Structure-aware mutation of JSON inputs: half of the mutations are libFuzzer's byte-level ones, the other
/// half parse the input and change one field as a whole (a number set to an extreme such as 0, -1, 2^31, 2^63-1,
/// 1e300; a value replaced by another kind; a member removed, repeated, or added under one of the format's
/// field names), so that the few combinations of several fields that break a reader are reached in minutes
/// rather than never. Harnesses set `fieldNames` to the keys of their format.
public enum JSONMutator {
    /// Keys the mutator adds or overwrites (a format's field names).
    nonisolated(unsafe) public static var fieldNames: [String] = []

    static let extremes: [JSONValue] = [
        .integer(0), .integer(-1), .integer(1), .integer(2), .integer(3), .integer(7), .integer(64), .integer(1 << 31 - 1),
        .integer(1 << 31), .integer(1 << 32), .integer(1 << 53), .integer(1 << 62), .integer(Int.max), .integer(Int.min),
        .integer(10_000_000), .integer(1_000_000_000_000), .number(1e300), .number(-1e300), .number(1e-300), .number(0.5),
        .number(-0.5), .number(1e-12), .string(""), .string("gelu"), .string("llama3"), .string("linear"), .null,
        .bool(true), .bool(false), .array([]), .object([]), .array([.integer(0), .integer(Int.max)]),
    ]

    /// One structural mutation of `value` chosen by `random`.
    static func mutate(_ value: JSONValue, _ random: inout SplitMix) -> JSONValue {
        switch value {
        case .object(var members):
            let choice = random.next(8)
            if members.isEmpty || choice == 0, !fieldNames.isEmpty {
                let key = fieldNames[random.next(fieldNames.count)]
                members.append((key, extremes[random.next(extremes.count)]))
                return .object(members)
            }
            guard !members.isEmpty else { return extremes[random.next(extremes.count)] }
            let i = random.next(members.count)
            switch choice {
            case 1: members.remove(at: i)
            case 2: members.append(members[i])
            case 3: members[i].value = extremes[random.next(extremes.count)]
            default: members[i].value = mutate(members[i].value, &random)
            }
            return .object(members)
        case .array(var items):
            guard !items.isEmpty else { return .array([extremes[random.next(extremes.count)]]) }
            let i = random.next(items.count)
            switch random.next(6) {
            case 0: items.remove(at: i)
            case 1: items.append(items[i])
            case 2: items = Array(repeating: items[i], count: 1 + random.next(64))
            default: items[i] = mutate(items[i], &random)
            }
            return .array(items)
        case .integer(let n):
            return random.next(3) == 0 ? .integer(n &* (random.next(2) == 0 ? -1 : 1_000_003)) : extremes[random.next(extremes.count)]
        default:
            return extremes[random.next(extremes.count)]
        }
    }
}

/// A SplitMix64 generator for the mutator's choices.
struct SplitMix {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(max(bound, 1)))
    }
}

@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var random = SplitMix(state: UInt64(seed))
    guard random.next(2) == 0, let data,
          let value = try? JSONValue.parse(UnsafeRawBufferPointer(start: data, count: size)) else {
        return LLVMFuzzerMutate(data, size, maxSize)
    }
    var mutated = value
    for _ in 0...random.next(3) { mutated = JSONMutator.mutate(mutated, &random) }
    let text = Array(mutated.serialized.utf8)
    guard text.count <= maxSize else { return LLVMFuzzerMutate(data, size, maxSize) }
    text.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: text.count) }
    return text.count
}
