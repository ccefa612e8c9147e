/// Open-addressing hash table from byte strings to `Int` values (vocabularies, word caches).
/// Keys live in one arena; a slot holds the key's hash tag, arena range and value. Inserting an
/// existing key replaces its value (the last writer wins, as for a JSON object read into a map).
struct ByteTable: Sendable {
    private struct Slot: Sendable {
        /// `hash | 1`, so 0 marks an empty slot.
        var tag: UInt64 = 0
        var keyStart = 0
        var keyLength: Int32 = 0
        var value: Int = 0
    }

    private var arena: [UInt8] = []
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
    }

    /// 64-bit hash of a byte string: 8-byte words folded with multiply-xorshift mixing.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(key.count &+ 1)
        guard let base = key.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= key.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i &+= 8
        }
        if i < key.count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while i < key.count {
                word |= UInt64(base[i]) << shift
                shift &+= 8
                i &+= 1
            }
            h = (h ^ word) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 32)
    }

    /// The value stored for `key`, or nil.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let tag = Self.hash(key) | 1
        var index = Int(truncatingIfNeeded: tag >> 7) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                while true {
                    let slot = slots[index]
                    if slot.tag == 0 { return nil }
                    if slot.tag == tag, Int(slot.keyLength) == key.count,
                       Self.equal(arena, slot.keyStart, key) {
                        return slot.value
                    }
                    index = (index &+ 1) & mask
                }
            }
        }
    }

    func find(_ key: [UInt8]) -> Int? { key.withUnsafeBufferPointer { find($0) } }

    func find(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { find($0) }
    }

    @inline(__always)
    private static func equal(_ arena: UnsafeBufferPointer<UInt8>, _ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < key.count {
            if arena[start &+ i] != key[i] { return false }
            i &+= 1
        }
        return true
    }

    /// Stores `value` for `key`, replacing the value of an existing equal key.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        let tag = Self.hash(key) | 1
        var index = Int(truncatingIfNeeded: tag >> 7) & mask
        while slots[index].tag != 0 {
            let slot = slots[index]
            if slot.tag == tag, Int(slot.keyLength) == key.count,
               arena.withUnsafeBufferPointer({ Self.equal($0, slot.keyStart, key) }) {
                slots[index].value = value
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(tag: tag, keyStart: arena.count, keyLength: Int32(key.count), value: value)
        arena.append(contentsOf: key)
        count += 1
    }

    mutating func insert(_ key: String, value: Int) {
        var key = key
        key.withUTF8 { insert($0, value: value) }
    }

    /// Doubles the slot array and re-inserts every key (arena offsets stay valid).
    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.tag != 0 {
            var index = Int(truncatingIfNeeded: slot.tag >> 7) & mask
            while slots[index].tag != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
