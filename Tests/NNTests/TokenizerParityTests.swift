import Foundation
import NN
import Testing

/// Fixtures written by Scripts/fixtures/tokenizers.py with the Hugging Face `tokenizers` library.
struct TokenizerFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let ids_plain: [Int]
        let decoded: String
        let decoded_skip: String
        let roundtrip: Bool
    }

    struct DecodeCase: Decodable {
        let ids: [Int]
        let decoded: String
        let decoded_skip: String
    }

    /// The family's pipeline with some top-level fields replaced (`head`: the JSON before `"model"`).
    struct Variant: Decodable {
        struct Item: Decodable {
            let text: String
            let ids: [Int]
            let tokens: [String]
            let ids_plain: [Int]
            let decoded: String
        }

        let name: String
        let head: String
        let cases: [Item]
        let batch: [[Int]]
    }

    let family: String
    let bos: String
    let eos: String
    let exact_roundtrip: Bool
    let str_tokens: [String]
    let cases: [Case]
    let decode_cases: [DecodeCase]
    let variants: [Variant]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/tokenizers").standardized

    static let families = ["gpt2", "roberta_prefix", "pythia", "opt", "llama3", "qwen2", "llama2_legacy",
                           "mistral_metaspace", "gemma", "sp_digits", "sp_cross_merges"]

    static func load(_ family: String) throws -> (Tokenizer, TokenizerFixture) {
        let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("\(family).tokenizer.json"))
        let data = try Data(contentsOf: directory.appendingPathComponent("\(family).cases.json"))
        return (tokenizer, try JSONDecoder().decode(TokenizerFixture.self, from: data))
    }
}

/// Strings are compared as UTF-8 bytes: Swift's `==` treats canonically equivalent text as equal.
func sameText(_ a: String, _ b: String) -> Bool { Array(a.utf8) == Array(b.utf8) }

/// `sameText` element by element.
func sameTexts(_ a: [String], _ b: [String]) -> Bool { a.count == b.count && zip(a, b).allSatisfy(sameText) }

@Suite("Tokenizer parity with Hugging Face tokenizers")
struct TokenizerParityTests {
    @Test("encode gives the reference ids, with and without special tokens", arguments: TokenizerFixture.families)
    func encodeIds(family: String) throws {
        let (tokenizer, fixture) = try TokenizerFixture.load(family)
        for item in fixture.cases {
            let ids = tokenizer.encode(item.text)
            #expect(ids == item.ids, "\(family): \(item.text.debugDescription)")
            #expect(tokenizer.encode(item.text, addSpecialTokens: false) == item.ids_plain,
                    "\(family) plain: \(item.text.debugDescription)")
            let (sameIds, tokens) = tokenizer.encodeWithTokens(item.text)
            #expect(sameIds == ids)
            #expect(sameTexts(tokens, item.tokens), "\(family) tokens: \(item.text.debugDescription)")
        }
    }

    @Test("decode gives the reference text, with and without special tokens", arguments: TokenizerFixture.families)
    func decodeText(family: String) throws {
        let (tokenizer, fixture) = try TokenizerFixture.load(family)
        for item in fixture.cases {
            #expect(sameText(tokenizer.decode(item.ids), item.decoded), "\(family): \(item.text.debugDescription)")
            #expect(sameText(tokenizer.decode(item.ids, skipSpecialTokens: true), item.decoded_skip),
                    "\(family) skip: \(item.text.debugDescription)")
        }
        for item in fixture.decode_cases {
            #expect(sameText(tokenizer.decode(item.ids), item.decoded), "\(family): \(item.ids)")
            #expect(sameText(tokenizer.decode(item.ids, skipSpecialTokens: true), item.decoded_skip),
                    "\(family) skip: \(item.ids)")
        }
        #expect(sameTexts(tokenizer.toStrTokens(fixture.cases[0].ids), fixture.str_tokens))
    }

    @Test("decode(encode(x)) == x wherever the reference round-trips", arguments: TokenizerFixture.families)
    func roundTrip(family: String) throws {
        let (tokenizer, fixture) = try TokenizerFixture.load(family)
        let roundTripping = fixture.cases.filter(\.roundtrip)
        if fixture.exact_roundtrip { #expect(roundTripping.count == fixture.cases.count) }
        #expect(!roundTripping.isEmpty)
        for item in roundTripping {
            let text = tokenizer.decode(tokenizer.encode(item.text, addSpecialTokens: false))
            #expect(sameText(text, item.text), "\(family): \(item.text.debugDescription)")
        }
    }

    @Test("pipeline variants (normalizers, splits, decoders, truncation, padding) match",
          arguments: ["gpt2", "llama2_legacy", "opt"])
    func variants(family: String) throws {
        let (_, fixture) = try TokenizerFixture.load(family)
        let url = TokenizerFixture.directory.appendingPathComponent("\(family).tokenizer.json")
        let json = try String(contentsOf: url, encoding: .utf8)
        let model = try #require(json.range(of: ",\"model\":"))
        #expect(fixture.variants.count >= 3)
        for variant in fixture.variants {
            let tokenizer = try Tokenizer(json: Array((variant.head + json[model.lowerBound...]).utf8))
            for item in variant.cases {
                let (ids, tokens) = tokenizer.encodeWithTokens(item.text)
                #expect(ids == item.ids, "\(variant.name): \(item.text.debugDescription)")
                #expect(sameTexts(tokens, item.tokens), "\(variant.name) tokens: \(item.text.debugDescription)")
                #expect(tokenizer.encode(item.text, addSpecialTokens: false) == item.ids_plain, "\(variant.name)")
                #expect(sameText(tokenizer.decode(item.ids), item.decoded), "\(variant.name) decode")
            }
            let texts = variant.cases.prefix(variant.batch.count).map(\.text)
            #expect(tokenizer.encodeBatch(texts) == variant.batch, "\(variant.name) batch")
        }
    }

    @Test("encodeBatch equals encode of each text", arguments: ["gpt2", "llama2_legacy"])
    func batch(family: String) throws {
        let (tokenizer, fixture) = try TokenizerFixture.load(family)
        let texts = fixture.cases.map(\.text)
        #expect(tokenizer.encodeBatch(texts) == fixture.cases.map(\.ids))
    }
}
