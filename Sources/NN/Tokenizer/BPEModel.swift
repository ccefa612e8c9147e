/// The BPE `model` of `tokenizer.json`: vocabulary, ranked merges, byte fallback, unknown token.
/// A word is split into characters (or, after a ByteLevel pre-tokenizer, bytes), each looked up in
/// the vocabulary, and merged by rank; see `tokenize(_:byteLevel:into:cache:)`.
struct BPEModel: Sendable {
    /// Token UTF-8 -> id.
    let vocab: ByteTable
    let merges: MergeTable
    let unkId: Int32?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    /// Prefix for every character but the first of a word, suffix for the last (empty when unset).
    let continuingPrefix: [UInt8]
    let endSuffix: [UInt8]
    /// Id of `<0xXX>` for each byte, -1 when absent.
    let byteTokenIds: [Int32]
    /// Id of each one-byte (ASCII) character token, -1 when absent or when a prefix/suffix applies.
    let asciiIds: [Int32]
    /// Id of the byte-level character (GPT-2 byte-to-unicode map) of each byte, -1 when absent.
    let byteLevelIds: [Int32]
    /// Characters found right before a "▁" inside some vocabulary token, or nil when words are never
    /// cut. A word is cut in front of a "▁" whose preceding character is a token and not one of these:
    /// a merged symbol spanning the cut would contain that character then "▁", so none exists and
    /// the pieces merge exactly as the whole word would (and can be cached).
    let metaspaceCutBlockers: Set<UInt32>?

    /// Words longer than this (in bytes) are not cached.
    static let maximumCachedLength = 256
    static let metaspace: [UInt8] = Array("\u{2581}".utf8)

    init(vocab: ByteTable, merges: MergeTable, unkId: Int32?, fuseUnk: Bool, byteFallback: Bool,
         ignoreMerges: Bool, continuingPrefix: [UInt8], endSuffix: [UInt8], tokens: [String]) {
        self.vocab = vocab
        self.merges = merges
        self.unkId = unkId
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        self.continuingPrefix = continuingPrefix
        self.endSuffix = endSuffix
        byteTokenIds = (0..<256).map { b in Int32(vocab.find(ByteLevelAlphabet.byteTokenName(UInt8(b))) ?? -1) }
        let plain = continuingPrefix.isEmpty && endSuffix.isEmpty
        asciiIds = (0..<128).map { b in plain ? Int32(vocab.find([UInt8(b)]) ?? -1) : -1 }
        byteLevelIds = (0..<256).map { b in
            plain ? Int32(vocab.find(Array(ByteLevelAlphabet.characters[b].utf8)) ?? -1) : -1
        }
        if plain, !ignoreMerges, vocab.find(Self.metaspace) != nil {
            var blockers = Set<UInt32>()
            for token in tokens {
                var previous: UInt32?
                for scalar in token.unicodeScalars {
                    if scalar.value == 0x2581, let previous { blockers.insert(previous) }
                    previous = scalar.value
                }
            }
            metaspaceCutBlockers = blockers
        } else {
            metaspaceCutBlockers = nil
        }
    }

    /// Appends the ids of one word (its UTF-8 bytes, or raw bytes when `byteLevel`) to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, byteLevel: Bool, into out: inout [Int32],
                  cache: inout WordCache) {
        if word.isEmpty { return }
        if !byteLevel, let blockers = metaspaceCutBlockers, word.count > 3 {
            tokenizeCutting(word, blockers, into: &out, cache: &cache)
            return
        }
        tokenizeWhole(word, byteLevel: byteLevel, into: &out, cache: &cache)
    }

    /// Cuts in front of every "▁" whose preceding character allows it and tokenizes the pieces.
    private func tokenizeCutting(_ word: UnsafeBufferPointer<UInt8>, _ blockers: Set<UInt32>,
                                 into out: inout [Int32], cache: inout WordCache) {
        guard let p = word.baseAddress else { return }
        var start = 0
        var previous = 0
        var i = 0
        while i < word.count {
            let length = UTF8Scan.length(p[i])
            let isMetaspace = length == 3 && i + 2 < word.count && p[i] == 0xE2 && p[i + 1] == 0x96 && p[i + 2] == 0x81
            if isMetaspace, i > start, canCut(after: UnsafeBufferPointer(rebasing: word[previous..<i]), blockers) {
                tokenizeWhole(UnsafeBufferPointer(rebasing: word[start..<i]), byteLevel: false, into: &out,
                              cache: &cache)
                start = i
            }
            previous = i
            i += length
        }
        tokenizeWhole(UnsafeBufferPointer(rebasing: word[start...]), byteLevel: false, into: &out, cache: &cache)
    }

    /// Whether a cut may follow this character: it is a token of its own and never precedes "▁" in one.
    private func canCut(after character: UnsafeBufferPointer<UInt8>, _ blockers: Set<UInt32>) -> Bool {
        guard let p = character.baseAddress else { return false }
        if character.count == 1 { return asciiIds[Int(p[0])] >= 0 && !blockers.contains(UInt32(p[0])) }
        return !blockers.contains(UTF8Scan.decode(p, 0).scalar) && vocab.find(character) != nil
    }

    private func tokenizeWhole(_ word: UnsafeBufferPointer<UInt8>, byteLevel: Bool, into out: inout [Int32],
                               cache: inout WordCache) {
        let cacheable = word.count <= Self.maximumCachedLength
        if cacheable, cache.append(word, to: &out) { return }
        var symbols: [Int32] = []
        if byteLevel {
            if !wordSymbolsFromBytes(word, into: &symbols) {
                let mapped = ByteLevelAlphabet.encode(word)
                mapped.withUnsafeBufferPointer { wordSymbols($0, into: &symbols) }
            }
        } else {
            wordSymbols(word, into: &symbols)
        }
        merges.merge(&symbols)
        out.append(contentsOf: symbols)
        if cacheable { cache.insert(word, symbols) }
    }

    /// With `ignore_merges`, a word that is itself a vocabulary token is that token.
    private func wholeWordId(_ word: UnsafeBufferPointer<UInt8>) -> Int32? {
        vocab.find(word).map { Int32($0) }
    }

    /// Byte-level fast path: one symbol per byte; false when a byte's character is not a token.
    private func wordSymbolsFromBytes(_ word: UnsafeBufferPointer<UInt8>, into symbols: inout [Int32]) -> Bool {
        if ignoreMerges {
            let mapped = ByteLevelAlphabet.encode(word)
            if let id = mapped.withUnsafeBufferPointer(wholeWordId) {
                symbols = [id]
                return true
            }
        }
        symbols.reserveCapacity(word.count)
        for b in word {
            let id = byteLevelIds[Int(b)]
            if id < 0 { symbols.removeAll(); return false }
            symbols.append(id)
        }
        return true
    }

    /// Initial symbols of a UTF-8 word: each character's token, else its `<0xXX>` byte tokens, else the
    /// unknown token (consecutive unknowns fused when `fuse_unk`), else nothing.
    private func wordSymbols(_ word: UnsafeBufferPointer<UInt8>, into symbols: inout [Int32]) {
        if ignoreMerges, let id = wholeWordId(word) {
            symbols = [id]
            return
        }
        guard let p = word.baseAddress else { return }
        symbols.reserveCapacity(word.count)
        var pendingUnk = false
        var key: [UInt8] = []
        var i = 0
        while i < word.count {
            let length = UTF8Scan.length(p[i])
            let end = min(i + length, word.count)
            var id: Int32 = -1
            if length == 1, asciiIds[Int(p[i])] >= 0 {
                id = asciiIds[Int(p[i])]
            } else {
                key.removeAll(keepingCapacity: true)
                if i > 0 { key.append(contentsOf: continuingPrefix) }
                key.append(contentsOf: word[i..<end])
                if end == word.count { key.append(contentsOf: endSuffix) }
                id = Int32(vocab.find(key) ?? -1)
                if id < 0 {
                    if byteFallback, key.allSatisfy({ byteTokenIds[Int($0)] >= 0 }) {
                        for b in key { symbols.append(byteTokenIds[Int(b)]) }
                        i = end
                        continue
                    }
                    if let unkId {
                        if pendingUnk, !fuseUnk { symbols.append(unkId) }
                        pendingUnk = true
                    }
                    i = end
                    continue
                }
            }
            if pendingUnk, let unkId {
                symbols.append(unkId)
                pendingUnk = false
            }
            symbols.append(id)
            i = end
        }
        if pendingUnk, let unkId { symbols.append(unkId) }
    }
}

/// Per-call cache of tokenized words: word bytes -> ids, kept in one arena.
struct WordCache {
    private var table = ByteTable(minimumCapacity: 256)
    private var ids: [Int32] = []

    /// Appends the cached ids of `word` to `out`; false when the word is not cached.
    @inline(__always)
    mutating func append(_ word: UnsafeBufferPointer<UInt8>, to out: inout [Int32]) -> Bool {
        guard let packed = table.find(word) else { return false }
        let start = packed >> 16
        let count = packed & 0xFFFF
        if count == 1 {
            out.append(ids[start])
        } else {
            out.append(contentsOf: ids[start..<(start + count)])
        }
        return true
    }

    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, _ symbols: [Int32]) {
        guard symbols.count <= 0xFFFF else { return }
        table.insert(word, value: ids.count << 16 | symbols.count)
        ids.append(contentsOf: symbols)
    }
}
