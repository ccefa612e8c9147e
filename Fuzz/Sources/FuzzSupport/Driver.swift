#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The harness body libFuzzer calls with each input.
nonisolated(unsafe) private var harness: (UnsafeRawBufferPointer) -> Void = { _ in }

/// libFuzzer's entry point for one input (its runtime links against this symbol; `runFuzzer` passes it too).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    harness(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// Runs libFuzzer over `body`, which must return normally for every input: a thrown error is a correct outcome
/// for malformed input, so harnesses catch it; a trap, a sanitizer report, a timeout or an out-of-memory stop is
/// a finding. SwiftPM gives the executable its own `main`, so the harness calls the driver from there.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    harness = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

/// A private scratch folder in `/dev/shm` (memory-backed) where harnesses write inputs as files, since the
/// readers under test take paths and memory-map them.
public struct Scratch {
    /// The folder, ending in `/`.
    public let folder: String

    /// Creates the folder for this process.
    public init(_ name: String) {
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        folder = "\(base)/swiftlens-fuzz-\(name)-\(getpid())/"
        mkdir(folder, 0o700)
    }

    /// Writes `bytes` to `name` in the folder (replacing it) and returns the path.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer, to name: String) -> String {
        let path = folder + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot write \(path)")
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
        close(fd)
        return path
    }

    /// Writes `bytes` to `name` in the folder and returns the path.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) -> String {
        bytes.withUnsafeBytes { write($0, to: name) }
    }
}
