#if canImport(Glibc)
import Glibc
#endif

/// A whole regular file mapped read-only (`PROT_READ`, `MAP_PRIVATE`) into memory.
///
/// The mapping lives as long as this object; tensor storage that borrows it keeps it alive
/// through `TensorStorage(dtype:count:borrowing:owner:)`. Pages are never written.
final class MappedFile: @unchecked Sendable {
    /// Start of the mapping (nil for an empty file, which cannot be mapped).
    let base: UnsafeMutableRawPointer?
    /// File size in bytes.
    let size: Int

    /// Maps the file at `path`; throws `invalidFile` naming the path and the system error.
    /// `O_NONBLOCK` keeps a FIFO from blocking the open; it is then rejected as not a regular file.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw TensorError.invalidFile(path: path, reason: "cannot open: \(systemError())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw TensorError.invalidFile(path: path, reason: "cannot stat: \(systemError())")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw TensorError.invalidFile(path: path, reason: "not a regular file")
        }
        size = Int(info.st_size)
        if size == 0 {
            base = nil
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw TensorError.invalidFile(path: path, reason: "cannot memory-map \(size) bytes: \(systemError())")
        }
        base = p
    }

    deinit {
        if let base { munmap(base, size) }
    }

    /// The mapped bytes.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}

/// Writes a file through a temporary sibling that is renamed over `path` when complete,
/// so that a file still memory-mapped by a reader is never truncated under it.
final class AtomicFileWriter {
    private let path: String
    private let temporaryPath: String
    private var fd: Int32

    /// Creates the temporary file next to `path`.
    init(path: String) throws {
        self.path = path
        temporaryPath = "\(path).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TensorError.invalidFile(path: path, reason: "cannot create \(temporaryPath): \(systemError())")
        }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`, retrying short writes and interrupted calls.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TensorError.invalidFile(path: path, reason: "write failed: \(systemError())")
            }
            done += n
        }
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes, closes and renames the temporary file to `path`.
    func commit() throws {
        let status = close(fd)
        fd = -1
        guard status == 0 else {
            unlink(temporaryPath)
            throw TensorError.invalidFile(path: path, reason: "close failed: \(systemError())")
        }
        guard rename(temporaryPath, path) == 0 else {
            let message = systemError()
            unlink(temporaryPath)
            throw TensorError.invalidFile(path: path, reason: "cannot rename \(temporaryPath) into place: \(message)")
        }
    }
}

/// The current `errno` as text.
func systemError() -> String {
    String(cString: strerror(errno))
}
