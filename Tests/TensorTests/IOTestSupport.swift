import Foundation
@testable import Tensor

/// Files shared by the I/O tests: fixtures made by `Scripts/fixtures/tensor_io.py` and scratch folders.
enum IOFixtures {
    /// Absolute path of `Tests/Fixtures/tensor/io/<relative>`.
    static func path(_ relative: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/io/\(relative)").path
    }

    /// The bytes of fixture `relative`.
    static func bytes(_ relative: String) throws -> [UInt8] {
        try IOFixtures.read(path(relative))
    }

    /// The bytes of the file at `path`.
    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// A fresh folder under the system temporary directory, removed with its contents on deinit.
final class ScratchFolder {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftlens-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Path of `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

extension TensorError {
    /// The reason text of an `invalidFile` error (empty for other cases).
    var fileReason: String {
        if case .invalidFile(_, let reason) = self { return reason }
        return ""
    }
}

/// Runs `body`, expecting a `TensorError.invalidFile`; returns its full message, or nil when
/// `body` did not throw that error.
func invalidFileMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as TensorError {
        guard case .invalidFile = error else { return nil }
        return error.description
    } catch {
        return nil
    }
}
