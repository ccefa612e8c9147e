/// BPE merge rules: (left id, right id) -> (rank, merged id), in an open-addressing hash table.
/// A rule is packed as `rank << 32 | mergedId`, so comparing packed values orders rules by rank.
struct MergeTable: Sendable {
    /// Packed value meaning "no rule for this pair".
    static let none = UInt64.max
    /// The rank half of a packed rule.
    private static let rankBits: UInt64 = 0xFFFF_FFFF_0000_0000

    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private static let emptyKey = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: Self.emptyKey, count: size)
        values = Array(repeating: Self.none, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// Records a rule; a later rule for the same pair replaces an earlier one.
    mutating func insert(left: Int32, right: Int32, rank: Int, merged: Int32) {
        let k = Self.key(left, right)
        var i = slot(k)
        while keys[i] != Self.emptyKey, keys[i] != k { i = (i + 1) & mask }
        keys[i] = k
        values[i] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// The packed rule for a pair, or `MergeTable.none`.
    @inline(__always)
    func rule(_ left: Int32, _ right: Int32) -> UInt64 {
        let k = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var i = slot(k)
            while true {
                let stored = keys[i]
                if stored == k { return values.withUnsafeBufferPointer { $0[i] } }
                if stored == Self.emptyKey { return Self.none }
                i = (i &+ 1) & mask
            }
        }
    }

    /// Applies the rules to `symbols` in BPE order: repeatedly merge the lowest-ranked adjacent pair,
    /// the leftmost one on ties, until no pair has a rule.
    func merge(_ symbols: inout [Int32]) {
        if symbols.count < 2 { return }
        if symbols.count <= 48 { mergeShort(&symbols) } else { mergeLong(&symbols) }
    }

    /// O(n²) form for short words: a packed rule per adjacent pair, rescanned for the minimum.
    private func mergeShort(_ symbols: inout [Int32]) {
        var rules = (0..<(symbols.count - 1)).map { rule(symbols[$0], symbols[$0 + 1]) }
        while true {
            var best = 0
            var bestRule = Self.none
            for k in 0..<rules.count where rules[k] < bestRule {
                bestRule = rules[k]
                best = k
            }
            if bestRule == Self.none { return }
            symbols[best] = Int32(truncatingIfNeeded: bestRule & 0xFFFF_FFFF)
            symbols.remove(at: best + 1)
            rules.remove(at: best)
            if best > 0 { rules[best - 1] = rule(symbols[best - 1], symbols[best]) }
            if best < rules.count { rules[best] = rule(symbols[best], symbols[best + 1]) }
        }
    }

    /// O(n log n) form for long words: a min-heap of (rank, position) over a linked list of symbols;
    /// stale heap entries are skipped when the pair at their position no longer has their rank.
    private func mergeLong(_ symbols: inout [Int32]) {
        let n = symbols.count
        var next = Array(1...n)
        var previous = Array(-1..<(n - 1))
        var alive = Array(repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            let r = rule(symbols[i], symbols[i + 1])
            if r != Self.none { heap.push(r & Self.rankBits | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = top >> 32
            let position = Int(top & 0xFFFF_FFFF)
            guard alive[position], next[position] < n else { continue }
            let right = next[position]
            let r = rule(symbols[position], symbols[right])
            guard r != Self.none, r >> 32 == rank else { continue }
            symbols[position] = Int32(truncatingIfNeeded: r & 0xFFFF_FFFF)
            alive[right] = false
            next[position] = next[right]
            if next[right] < n { previous[next[right]] = position }
            let before = previous[position]
            if before >= 0 {
                let left = rule(symbols[before], symbols[position])
                if left != Self.none { heap.push(left & Self.rankBits | UInt64(before)) }
            }
            if next[position] < n {
                let after = rule(symbols[position], symbols[next[position]])
                if after != Self.none { heap.push(after & Self.rankBits | UInt64(position)) }
            }
        }
        var k = 0
        for i in 0..<n where alive[i] {
            symbols[k] = symbols[i]
            k += 1
        }
        symbols.removeLast(n - k)
    }
}

/// Binary min-heap of packed `rank << 32 | position` keys.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < items.count, items[l] < items[smallest] { smallest = l }
            if r < items.count, items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return first
    }
}
