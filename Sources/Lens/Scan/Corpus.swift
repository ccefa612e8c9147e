import Foundation

/// A corpus to scan: files read in a fixed order, in one format.
///
/// Text formats are split into documents (`lines`: one per line; `files`: one per file; `jsonl`: the
/// `textField` string of each JSON line), tokenized and packed into contexts by `ContextPacker`. `tokens` files
/// (`.npy` or `.safetensors`, integer `[N, ctx]`) are contexts already: each row is scanned as it is.
public struct Corpus: Sendable, Equatable {
    /// How the files are read.
    public enum Format: String, Sendable, CaseIterable, Codable {
        /// Plain text, one document per line.
        case lines
        /// Plain text, one document per file.
        case files
        /// JSON lines, the document in a string field.
        case jsonl
        /// Pre-tokenized `[N, ctx]` integer arrays (`.npy`, or the first tensor of a `.safetensors`).
        case tokens
    }

    /// The files, in scan order (directories expanded to their files sorted by name).
    public let files: [URL]
    /// The format.
    public let format: Format
    /// The JSONL field holding the text.
    public let textField: String

    /// A corpus of `paths` (files or directories, taken in the order given; a directory contributes its regular
    /// files, recursively, sorted by path, hidden files skipped). Without `format` it is inferred from the first
    /// file's extension: `.jsonl` → `jsonl`, `.npy` / `.safetensors` → `tokens`, anything else → `lines`.
    /// Throws `ScanError.missingCorpusFile` naming a path that does not exist and `.emptyCorpus` when no file is found.
    public init(paths: [String], format: Format? = nil, textField: String = "text") throws {
        var files: [URL] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ScanError.missingCorpusFile(path) }
            let url = URL(fileURLWithPath: path).standardizedFileURL
            guard isDirectory.boolValue else { files.append(url); continue }
            let found = manager.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey],
                                           options: [.skipsHiddenFiles])?.compactMap { $0 as? URL } ?? []
            files += found.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
                .map(\.standardizedFileURL).sorted { $0.path < $1.path }
        }
        guard let first = files.first else { throw ScanError.emptyCorpus("no files in \(paths.joined(separator: ", "))") }
        self.files = files
        self.format = format ?? Self.inferredFormat(first)
        self.textField = textField
    }

    /// The format a file's extension suggests.
    static func inferredFormat(_ url: URL) -> Format {
        switch url.pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "npy", "safetensors": return .tokens
        default: return .lines
        }
    }

    /// Total size of the files in bytes (the progress bar's measure of how far a text scan has got).
    public var byteCount: Int {
        files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
    }

    /// A 64-bit FNV-1a hash of every file's name and bytes, in order, as 16 hex digits: a scan database refuses
    /// to resume on a corpus that changed. Reads the files once, in 1 MiB chunks.
    public func fingerprint() throws -> String {
        var hash = FNV1a()
        for file in files {
            hash.add(Array(file.lastPathComponent.utf8))
            try ChunkedFile.read(file) { hash.add($0) }
        }
        return hash.hex
    }
}

/// 64-bit FNV-1a.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    mutating func add(_ buffer: UnsafeRawBufferPointer) {
        var v = value
        for byte in buffer { v = (v ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        value = v
    }

    /// 16 lower-case hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Reads a file front to back in fixed-size chunks, so memory does not grow with the file.
enum ChunkedFile {
    static let chunkSize = 1 << 20

    /// Calls `body` with each chunk of `url`'s bytes (the buffer is valid only during the call).
    static func read(_ url: URL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileManager.default.fileExists(atPath: url.path)
                ? ScanError.notText(url.path, reason: "it cannot be opened for reading") : ScanError.missingCorpusFile(url.path)
        }
        defer { try? handle.close() }
        while true {
            let data: Data
            do { data = try handle.read(upToCount: chunkSize) ?? Data() } catch {
                throw ScanError.notText(url.path, reason: "read failed (\(error.localizedDescription))")
            }
            if data.isEmpty { return }
            try data.withUnsafeBytes { try body($0) }
        }
    }
}
