/// A malformed or truncated deflate stream, or (with `memory`) output that would not fit in memory.
struct InflateError: Error {
    let reason: String
    /// Set when the output was refused by the memory budget rather than for corrupt data.
    var memory: TensorError? = nil
}

/// Decoding table of one canonical Huffman code (RFC 1951 §3.2.2). It is indexed by the next
/// `maxLength` input bits (first bit lowest); an entry is `symbol << 4 | codeLength`, or 0 for a bit
/// pattern no code starts with.
struct HuffmanTable {
    let entries: [UInt32]
    let maxLength: Int

    /// Builds the code from per-symbol lengths (0 = unused). An over-subscribed set is an error;
    /// an incomplete one is accepted only as a single 1-bit code or as no code at all
    /// (`allowIncomplete`, for literal/length and distance codes, as zlib does).
    init(lengths: ArraySlice<UInt8>, kind: String, allowIncomplete: Bool) throws(InflateError) {
        var countOf = [Int](repeating: 0, count: 16)
        for l in lengths { countOf[Int(l)] += 1 }
        countOf[0] = 0
        let used = countOf.reduce(0, +)
        maxLength = (1...15).last { countOf[$0] > 0 } ?? 0
        var left = 1
        for len in 1...15 {
            left = left * 2 - countOf[len]
            guard left >= 0 else { throw InflateError(reason: "over-subscribed \(kind) code") }
        }
        let acceptable = left == 0 || (allowIncomplete && (used == 0 || (used == 1 && maxLength == 1)))
        guard acceptable else { throw InflateError(reason: "incomplete \(kind) code") }
        // First canonical code of each length, then codes in symbol order (bit-reversed for lookup).
        var next = [Int](repeating: 0, count: 16)
        for len in 2...15 { next[len] = (next[len - 1] + countOf[len - 1]) << 1 }
        var table = [UInt32](repeating: 0, count: 1 << maxLength)
        for (symbol, l) in lengths.enumerated() where l > 0 {
            let len = Int(l)
            var reversed = 0
            for bit in 0..<len where next[len] >> bit & 1 == 1 { reversed |= 1 << (len - 1 - bit) }
            next[len] += 1
            for index in stride(from: reversed, to: table.count, by: 1 << len) {
                table[index] = UInt32(symbol << 4 | len)
            }
        }
        entries = table
    }

    /// The fixed literal/length code of block type 1.
    static let fixedLiteral = try! HuffmanTable(
        lengths: ArraySlice([UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
                            + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8)),
        kind: "fixed literal/length", allowIncomplete: false)
    /// The fixed distance code of block type 1 (symbols 30 and 31 are invalid when decoded).
    static let fixedDistance = try! HuffmanTable(
        lengths: ArraySlice([UInt8](repeating: 5, count: 32)), kind: "fixed distance", allowIncomplete: false)
}

/// A raw deflate (RFC 1951) decoder producing a known number of bytes. The output buffer grows with what the
/// stream actually decodes (doubling, never past `expectedSize`), and each growth of 16 MiB or more is checked
/// against a `MemoryBudget`, so a stream that declares gigabytes allocates only what it really produces and a
/// real bomb is refused before it outgrows memory. Every length, distance and code is checked; input running
/// out, output overflowing, or a stream ending short of the expected size are errors. Each step consumes input,
/// so it always terminates.
struct Inflater {
    private let input: UnsafeRawBufferPointer
    private let limit: Int
    private let budget: MemoryBudget
    private let what: String
    private var output: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var written = 0

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                       513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                        8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Decompresses `input`, which must produce exactly `expectedSize` bytes; `what` names the stream when the
    /// budget refuses the output (`InflateError.memory`).
    static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int, budget: MemoryBudget = .current,
                        what: String = "deflate stream") throws(InflateError) -> [UInt8] {
        var inflater = Inflater(input: input, limit: expectedSize, budget: budget, what: what)
        defer { inflater.output.deallocate() }
        var final = 0
        while final == 0 {
            final = try inflater.bits(1)
            switch try inflater.bits(2) {
            case 0: try inflater.storedBlock()
            case 1: try inflater.codes(HuffmanTable.fixedLiteral, HuffmanTable.fixedDistance)
            case 2:
                let (literal, distance) = try inflater.dynamicTables()
                try inflater.codes(literal, distance)
            default: throw InflateError(reason: "invalid block type 3 at input byte \(inflater.pos)")
            }
        }
        guard inflater.written == expectedSize else {
            throw InflateError(reason: "stream ends after \(inflater.written) bytes, expected \(expectedSize)")
        }
        return Array(UnsafeBufferPointer(start: inflater.output, count: inflater.written))
    }

    private init(input: UnsafeRawBufferPointer, limit: Int, budget: MemoryBudget, what: String) {
        self.input = input
        self.limit = max(0, limit)
        self.budget = budget
        self.what = what
        capacity = min(self.limit, 1 << 16)
        output = .allocate(capacity: max(capacity, 1))
    }

    /// Makes room for `n` more bytes: an error past the declared size, a doubled buffer (checked against the
    /// budget when large) past the current capacity.
    private mutating func reserve(_ n: Int) throws(InflateError) {
        guard n <= limit - written else { throw overflow(n) }
        guard written + n > capacity else { return }
        let grown = min(limit, max(written + n, capacity * 2))
        if grown >= MemoryBudget.smallBytes {
            do { try budget.check(needed: grown, what: "inflating \(what) (\(limit) bytes declared)") } catch let e as TensorError {
                throw InflateError(reason: "\(e)", memory: e)
            } catch {
                throw InflateError(reason: "\(error)")
            }
        }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: output, count: written)
        output.deallocate()
        output = bigger
        capacity = grown
    }

    private var truncated: InflateError { InflateError(reason: "input ends inside the stream (\(input.count) bytes)") }

    private mutating func refill() {
        while bitCount <= 56 && pos < input.count {
            bitBuffer |= UInt64(input[pos]) << UInt64(bitCount)
            pos += 1
            bitCount += 8
        }
    }

    /// The next `n` (at most 16) bits, first bit lowest.
    private mutating func bits(_ n: Int) throws(InflateError) -> Int {
        refill()
        guard bitCount >= n else { throw truncated }
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return v
    }

    /// The next symbol of `table`.
    private mutating func decode(_ table: HuffmanTable, _ kind: String) throws(InflateError) -> Int {
        refill()
        guard table.maxLength > 0 else { throw InflateError(reason: "\(kind) symbol needed but the block defines no \(kind) code") }
        let entry = table.entries[Int(bitBuffer & ((1 << UInt64(table.maxLength)) - 1))]
        let length = Int(entry & 15)
        guard length > 0, length <= bitCount else {
            throw bitCount < table.maxLength ? truncated : InflateError(reason: "invalid \(kind) code at input byte \(pos)")
        }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return Int(entry >> 4)
    }

    /// Block type 0: byte-aligned LEN, NLEN (its one's complement), then LEN literal bytes.
    private mutating func storedBlock() throws(InflateError) {
        bitBuffer >>= UInt64(bitCount & 7)
        bitCount -= bitCount & 7
        pos -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard input.count - pos >= 4 else { throw truncated }
        let len = Int(input[pos]) | Int(input[pos + 1]) << 8
        let nlen = Int(input[pos + 2]) | Int(input[pos + 3]) << 8
        pos += 4
        guard len == nlen ^ 0xFFFF else {
            throw InflateError(reason: "stored block length \(len) does not match its complement \(nlen)")
        }
        guard len <= input.count - pos else { throw truncated }
        try reserve(len)
        if len > 0 {
            UnsafeMutableRawPointer(output + written).copyMemory(from: input.baseAddress! + pos, byteCount: len)
        }
        pos += len
        written += len
    }

    private func overflow(_ n: Int) -> InflateError {
        InflateError(reason: "output exceeds the declared \(limit) bytes (\(written) written, \(n) more)")
    }

    /// Block type 2 header: HLIT, HDIST, HCLEN, the code-length code, then run-length coded lengths.
    private mutating func dynamicTables() throws(InflateError) -> (HuffmanTable, HuffmanTable) {
        let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw InflateError(reason: "block declares \(literalCount) literal/length and \(distanceCount) distance codes")
        }
        var codeLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengths[Inflater.codeLengthOrder[i]] = UInt8(try bits(3)) }
        let lengthCode = try HuffmanTable(lengths: codeLengths[...], kind: "code-length", allowIncomplete: false)
        let total = literalCount + distanceCount
        var lengths: [UInt8] = []
        lengths.reserveCapacity(total)
        while lengths.count < total {
            let symbol = try decode(lengthCode, "code-length")
            var value: UInt8 = 0, repeats = 1
            switch symbol {
            case 16:
                guard let previous = lengths.last else { throw InflateError(reason: "length repeat with no previous length") }
                value = previous
                repeats = 3 + (try bits(2))
            case 17: repeats = 3 + (try bits(3))
            case 18: repeats = 11 + (try bits(7))
            default: value = UInt8(symbol)
            }
            guard repeats <= total - lengths.count else { throw InflateError(reason: "code lengths overrun \(total) symbols") }
            lengths += repeatElement(value, count: repeats)
        }
        guard lengths[256] != 0 else { throw InflateError(reason: "block has no end-of-block code") }
        return (try HuffmanTable(lengths: lengths[..<literalCount], kind: "literal/length", allowIncomplete: true),
                try HuffmanTable(lengths: lengths[literalCount...], kind: "distance", allowIncomplete: true))
    }

    /// Literals and (length, distance) back-references until end-of-block:
    /// out[w..<w+length] = out[w-distance..<w-distance+length], byte by byte (the ranges may overlap).
    private mutating func codes(_ literal: HuffmanTable, _ distance: HuffmanTable) throws(InflateError) {
        while true {
            let symbol = try decode(literal, "literal/length")
            if symbol < 256 {
                try reserve(1)
                output[written] = UInt8(symbol)
                written += 1
                continue
            }
            if symbol == 256 { return }
            guard symbol <= 285 else { throw InflateError(reason: "invalid length symbol \(symbol)") }
            let length = Inflater.lengthBase[symbol - 257] + (try bits(Inflater.lengthExtra[symbol - 257]))
            let d = try decode(distance, "distance")
            guard d < 30 else { throw InflateError(reason: "invalid distance symbol \(d)") }
            let back = Inflater.distanceBase[d] + (try bits(Inflater.distanceExtra[d]))
            guard back <= written else {
                throw InflateError(reason: "distance \(back) reaches before the start of the output (\(written) bytes)")
            }
            try reserve(length)
            for i in 0..<length { output[written + i] = output[written - back + i] }
            written += length
        }
    }
}
