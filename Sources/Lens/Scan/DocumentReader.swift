import Foundation

/// Splits text corpus files into documents, streaming: memory holds one read chunk and the current document.
struct DocumentReader {
    /// Documents longer than this many bytes are handed on in pieces of at most this size (cut at a character
    /// boundary), so one huge line cannot exhaust memory.
    static let maxDocumentBytes = 8 << 20

    let format: Corpus.Format
    let textField: String

    /// Calls `body` with each document of `url` in order and `bytesRead` with each document's size; counts skipped
    /// documents in `report`. A NUL byte in the first chunk means the file is not text (`ScanError.notText`, with
    /// the byte offset).
    func read(_ url: URL, report: inout CorpusReport, bytesRead: (Int) -> Void = { _ in },
              _ body: (String) throws -> Void) throws {
        var pending: [UInt8] = []
        var firstChunk = true
        var splitting = false
        var offset = 0
        func emit(_ bytes: ArraySlice<UInt8>, report: inout CorpusReport) throws {
            bytesRead(bytes.count + 1)
            try handle(bytes, report: &report, body)
        }
        try ChunkedFile.read(url) { chunk in
            if firstChunk, let nul = chunk.firstIndex(of: 0) {
                throw ScanError.notText(url.path, reason: "NUL byte at offset \(offset + nul)")
            }
            firstChunk = false
            offset += chunk.count
            guard format != .files else {
                pending += chunk
                while pending.count > Self.maxDocumentBytes {
                    if !splitting { report.splitDocuments += 1; splitting = true }
                    let cut = Self.characterBoundary(pending, before: Self.maxDocumentBytes)
                    try emit(pending[..<cut], report: &report)
                    pending.removeFirst(cut)
                }
                return
            }
            var start = 0
            for (k, byte) in chunk.enumerated() where byte == UInt8(ascii: "\n") {
                pending += chunk[start..<k]
                try emit(pending[...], report: &report)
                pending.removeAll(keepingCapacity: true)
                splitting = false
                start = k + 1
            }
            pending += chunk[start...]
            while pending.count > Self.maxDocumentBytes {
                if !splitting { report.splitDocuments += 1; splitting = true }
                let cut = Self.characterBoundary(pending, before: Self.maxDocumentBytes)
                try emit(pending[..<cut], report: &report)
                pending.removeFirst(cut)
            }
        }
        if !pending.isEmpty || format == .files { try emit(pending[...], report: &report) }
        report.files += 1
    }

    /// One document's bytes: JSONL records are parsed; empty and invalid documents are counted and skipped.
    private func handle(_ bytes: ArraySlice<UInt8>, report: inout CorpusReport, _ body: (String) throws -> Void) throws {
        var slice = bytes
        if format != .files, slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
        guard let text = String(validating: slice, as: UTF8.self) else {
            report.invalidUTF8 += 1
            return
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            report.emptyDocuments += 1
            return
        }
        var document = text
        if format == .jsonl {
            guard let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any],
                  let value = object[textField] as? String else {
                report.invalidRecords += 1
                return
            }
            document = value
        }
        guard !document.allSatisfy(\.isWhitespace) else {
            report.emptyDocuments += 1
            return
        }
        try body(document)
    }

    /// The largest index ≤ `limit` that does not split a UTF-8 character of `bytes`.
    static func characterBoundary(_ bytes: [UInt8], before limit: Int) -> Int {
        var cut = limit
        while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut == 0 ? limit : cut
    }
}
