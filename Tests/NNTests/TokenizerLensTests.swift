import Foundation
import NN
import Testing

/// TransformerLens helper semantics (HookedTransformer.to_tokens & co.) on the parity fixtures.
@Suite("Tokenizer TransformerLens helpers")
struct TokenizerLensTests {
    let gpt2: Tokenizer
    let llama2: Tokenizer

    init() throws {
        gpt2 = try TokenizerFixture.load("gpt2").0
        llama2 = try TokenizerFixture.load("llama2_legacy").0
    }

    @Test("special tokens are found from the template and the usual names")
    func specialTokens() throws {
        let endOfText = try #require(gpt2.tokenToId("<|endoftext|>"))
        #expect(!gpt2.prependsBOS)
        #expect(gpt2.bosTokenId == endOfText && gpt2.eosTokenId == endOfText && gpt2.padTokenId == nil)
        #expect(llama2.prependsBOS)
        #expect(llama2.bosTokenId == 1 && llama2.eosTokenId == 2 && llama2.padTokenId == nil)
        let pythia = try TokenizerFixture.load("pythia").0
        #expect(pythia.padTokenId == pythia.tokenToId("<|padding|>"))
        let digits = try TokenizerFixture.load("sp_digits").0
        #expect(digits.bosTokenId == 1 && digits.eosTokenId == 2)
    }

    @Test("prependBOS adds BOS when the template does not and removes the template's when false")
    func prependBOS() throws {
        let text = "Hello world, it's me"
        let bos = try #require(gpt2.bosTokenId)
        #expect(gpt2.toTokens(text) == [bos] + gpt2.encode(text))
        #expect(gpt2.toTokens(text, prependBOS: false) == gpt2.encode(text))
        #expect(llama2.toTokens(text) == llama2.encode(text))
        #expect(llama2.toTokens(text, prependBOS: false) == Array(llama2.encode(text).dropFirst()))
        #expect(gpt2.toTokens(text, maxLength: 5) == Array(([bos] + gpt2.encode(text)).prefix(5)))
        #expect(llama2.toTokens(text, prependBOS: false, maxLength: 5) == Array(llama2.encode(text).dropFirst().prefix(4)))
    }

    @Test("batches pad with the pad (else EOS) id and mask as get_attention_mask does")
    func batches() throws {
        let bos = try #require(gpt2.bosTokenId)
        let long = gpt2.toTokens("Hello world")
        let short = gpt2.toTokens("a")
        let gap = long.count - short.count
        #expect(gap > 0)
        let right = gpt2.toTokens(["Hello world", "a"])
        #expect(right.ids == [long, short + Array(repeating: bos, count: gap)])
        #expect(right.attentionMask == [Array(repeating: 1, count: long.count),
                                        Array(repeating: 1, count: short.count) + Array(repeating: 0, count: gap)])
        let left = gpt2.toTokens(["Hello world", "a"], paddingSide: .left)
        #expect(left.ids[1] == Array(repeating: bos, count: gap) + short)
        // The BOS shares the pad id: it is a "leading pad" that get_attention_mask unmasks again.
        #expect(left.attentionMask[1] == Array(repeating: 0, count: gap) + Array(repeating: 1, count: short.count))
        #expect(left.tokens.shape == [2, long.count] && left.mask.shape == [2, long.count])
        #expect(left.tokens.intScalars == left.ids.flatMap { $0 })
        let noBOS = gpt2.toTokens(["Hello world", "a"], prependBOS: false, paddingSide: .left)
        #expect(noBOS.attentionMask[1] == Array(repeating: 0, count: gap) + Array(repeating: 1, count: short.count - 1))
    }

    @Test("single tokens, string tokens and positions")
    func singleTokens() throws {
        let world = try #require(gpt2.tokenToId("Ġworld"))
        #expect(try gpt2.toSingleToken(" world") == world)
        #expect(throws: TokenizerError.notSingleToken(text: "Hello world", count: gpt2.encode("Hello world").count)) {
            try gpt2.toSingleToken("Hello world")
        }
        #expect(try llama2.toSingleToken("world") == llama2.tokenToId("▁world"))
        let text = "world world world"
        #expect(try gpt2.getTokenPosition(" world", in: text) == 2)
        #expect(try gpt2.getTokenPosition(" world", in: text, mode: .last) == 3)
        #expect(try gpt2.getTokenPosition(world, in: text, mode: .last, prependBOS: false) == 2)
        #expect(try gpt2.getTokenPosition(world, in: [5, world, 7, world]) == 1)
        #expect(throws: TokenizerError.tokenNotFound(id: world)) { try gpt2.getTokenPosition(world, in: [1, 2]) }
        let ids = gpt2.toTokens(text)
        #expect(sameTexts(gpt2.toStrTokens(text), ids.map { gpt2.decode([$0]) }))
        #expect(sameText(gpt2.toString(ids), "<|endoftext|>world world world"))
        #expect(gpt2.toString([ids, ids]).count == 2)
    }

    @Test("tokenizer_config.json beside the file names the special tokens")
    func configFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-config-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TokenizerFixture.directory.appendingPathComponent("gpt2.tokenizer.json")
        let target = directory.appendingPathComponent("tokenizer.json")
        try FileManager.default.copyItem(at: source, to: target)
        let config = #"{"bos_token": {"content": "Ġworld", "lstrip": false}, "eos_token": null, "pad_token": "a"}"#
        try Data(config.utf8).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try Tokenizer(contentsOf: target)
        #expect(tokenizer.bosTokenId == tokenizer.tokenToId("Ġworld"))
        #expect(tokenizer.eosTokenId == nil)
        #expect(tokenizer.padTokenId == tokenizer.tokenToId("a"))
    }
}
