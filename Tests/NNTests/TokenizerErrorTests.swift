import Foundation
import NN
import Testing

/// A small valid tokenizer.json; `model`, `added`, `pre` and `post` replace its parts.
private func tokenizerJSON(model: String? = nil, added: String = "[]", pre: String = "null", post: String = "null",
                           normalizer: String = "null", decoder: String = "null") -> [UInt8] {
    let defaultModel = #"{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "<s>": 3}, "merges": ["a b"]}"#
    let text = """
        {"version": "1.0", "added_tokens": \(added), "normalizer": \(normalizer), "pre_tokenizer": \(pre),
         "post_processor": \(post), "decoder": \(decoder), "model": \(model ?? defaultModel)}
        """
    return Array(text.utf8)
}

/// The error `body` throws, or nil.
private func thrown(_ body: () throws -> Void) -> TokenizerError? {
    do {
        try body()
        return nil
    } catch let error as TokenizerError {
        return error
    } catch {
        return nil
    }
}

@Suite("Tokenizer file errors")
struct TokenizerErrorTests {
    @Test("the minimal file loads and merges")
    func minimalFileWorks() throws {
        let tokenizer = try Tokenizer(json: tokenizerJSON())
        #expect(tokenizer.encode("abba") == [2, 1, 0])
        #expect(tokenizer.decode([2, 1]) == "ab b")
    }

    @Test("every truncation of a real file is a malformedJSON error")
    func truncatedFiles() throws {
        let url = TokenizerFixture.directory.appendingPathComponent("llama3.tokenizer.json")
        let bytes = Array(try Data(contentsOf: url))
        for length in stride(from: 0, to: bytes.count - 1, by: 997) {
            let error = thrown { _ = try Tokenizer(json: Array(bytes[..<length])) }
            guard case .malformedJSON = error else {
                Issue.record("prefix of \(length) bytes gave \(String(describing: error))")
                return
            }
        }
    }

    @Test("malformed JSON names the byte offset")
    func malformedJSON() {
        #expect(thrown { _ = try Tokenizer(json: Array(#"{"model": [1, 2,, 3]}"#.utf8)) }
            == .malformedJSON(offset: 16, reason: "unexpected character where a value should start"))
        #expect(thrown { _ = try Tokenizer(json: Array(#"{"a": "\ud800"}"#.utf8)) }
            == .malformedJSON(offset: 13, reason: "lone leading surrogate"))
        #expect(thrown { _ = try Tokenizer(json: [0x22, 0xFF, 0x22]) }
            == .malformedJSON(offset: 1, reason: "a string is not valid UTF-8"))
        let deep = String(repeating: "[", count: 100_000)
        guard case .malformedJSON = thrown({ _ = try Tokenizer(json: Array(deep.utf8)) }) else {
            Issue.record("deep nesting was not rejected")
            return
        }
        #expect(thrown { _ = try Tokenizer(json: Array("[1]".utf8)) }
            == .invalidField("top level", reason: "expected an object, found an array"))
    }

    @Test("missing and mistyped fields are named")
    func fields() {
        #expect(thrown { _ = try Tokenizer(json: Array(#"{"version": "1.0"}"#.utf8)) } == .missingField("model"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: #"{"type": "BPE", "merges": []}"#)) }
            == .missingField("model.vocab"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: #"{"vocab": {"a": "0"}, "merges": []}"#)) }
            == .invalidField("model.vocab.a", reason: "expected an integer, found a string"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: #"{"vocab": {"a": 0}, "merges": ["a b c"]}"#)) }
            == .invalidField("model.merges[0]", reason: "a merge must be two tokens separated by one space"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(added: #"[{"id": 3}]"#)) }
            == .missingField("added_tokens[0].content"))
    }

    @Test("a merge naming a token outside the vocabulary is an error naming the merge")
    func mergeTokens() {
        let missingPart = #"{"vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b", ["a", "zz"]]}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: missingPart)) }
            == .mergeTokenNotInVocab(field: "model.merges[1]", token: "zz"))
        let missingResult = #"{"vocab": {"a": 0, "b": 1}, "merges": ["a b"]}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: missingResult)) }
            == .mergeTokenNotInVocab(field: "model.merges[0]", token: "ab"))
    }

    @Test("ids outside the vocabulary are errors naming the field")
    func idsOutOfRange() {
        let large = #"{"vocab": {"a": 0, "b": 99999999999}, "merges": []}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: large)) }
            == .idOutOfRange(field: "model.vocab.b", id: 99_999_999_999, limit: 2))
        let negative = #"{"vocab": {"a": -1}, "merges": []}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: negative)) }
            == .idOutOfRange(field: "model.vocab.a", id: -1, limit: 1))
        let template = #"""
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
             {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [70], "tokens": ["<s>"]}}}
            """#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(post: template)) }
            == .idOutOfRange(field: "post_processor.special_tokens.<s>.ids[0]", id: 70, limit: 4))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(added: #"[{"id": 12, "content": "x"}]"#)) }
            == .idOutOfRange(field: "added_tokens[0].id", id: 12, limit: 5))
    }

    @Test("unsupported components are errors naming the component")
    func unsupported() {
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: #"{"type": "WordPiece", "vocab": {}}"#)) }
            == .unsupportedComponent(field: "model", type: "WordPiece"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: #"{"type": "Unigram", "vocab": [["a", -1.5]]}"#)) }
            == .unsupportedComponent(field: "model", type: "Unigram"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(pre: #"{"type": "Whitespace"}"#)) }
            == .unsupportedComponent(field: "pre_tokenizer", type: "Whitespace"))
        let regex = #"{"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": false}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(pre: regex)) }
            == .unsupportedComponent(field: "pre_tokenizer.pattern.Regex", type: #"Regex \d+"#))
        let nested = #"{"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "Punctuation"}]}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(pre: nested)) }
            == .unsupportedComponent(field: "pre_tokenizer.pretokenizers[1]", type: "Punctuation"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(normalizer: #"{"type": "Precompiled"}"#)) }
            == .unsupportedComponent(field: "normalizer", type: "Precompiled"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(decoder: #"{"type": "WordPiece", "prefix": "+"}"#)) }
            == .unsupportedComponent(field: "decoder", type: "WordPiece"))
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(post: #"{"type": "Fancy"}"#)) }
            == .unsupportedComponent(field: "post_processor", type: "Fancy"))
        let dropout = #"{"vocab": {"a": 0}, "merges": [], "dropout": 0.1}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(model: dropout)) }
            == .unsupportedComponent(field: "model.dropout", type: "BPE dropout 0.1"))
        let late = #"{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Digits"}]}"#
        #expect(thrown { _ = try Tokenizer(json: tokenizerJSON(pre: late)) }
            == .unsupportedComponent(field: "pre_tokenizer", type: "ByteLevel before other pre-tokenizers"))
    }

    @Test("an unreadable file is an error naming the path")
    func unreadable() {
        guard case let .unreadableFile(path, _) = thrown({ _ = try Tokenizer(contentsOfFile: "/nonexistent/tokenizer.json") }) else {
            Issue.record("no unreadableFile error")
            return
        }
        #expect(path == "/nonexistent/tokenizer.json")
    }
}
