#if canImport(Glibc)
import Glibc
#endif

/// How many more bytes this process can allocate, and the check that refuses a model, tensor or cache
/// before it is allocated when it would not fit.
///
/// `current` takes the smallest of what the system says is left:
/// - `MemAvailable` in `/proc/meminfo` (free memory plus what the kernel can reclaim),
/// - the cgroup limit minus the cgroup's usage (v2 `memory.max` / `memory.current`, or v1
///   `memory.limit_in_bytes` / `memory.usage_in_bytes`), as in a container,
/// - the address-space limit (`ulimit -v`, `RLIMIT_AS`) minus the process's virtual size,
/// - the environment variable `SWIFTLENS_MEMORY_LIMIT` (bytes, or with a `K`, `M`, `G` suffix for KiB, MiB,
///   GiB), read once, to keep a process to part of a shared machine (the fuzzers run with it, since the address
///   sanitizer cannot run under `ulimit -v`).
///
/// Readers of outside input (configs, checkpoints, archives, prompt files) call `check(needed:what:)`
/// with a byte count computed with overflow checks (`CheckedSize`) before allocating, so that a hostile
/// size (`n_embd` 10^7, a zip bomb, a batch of 10^12) is a thrown `TensorError.insufficientMemory` naming
/// what was asked for, how many bytes it needs and how many are available, rather than an allocation the
/// machine cannot hold. A memory plan (weights kept in their stored type, several tensors together) sums its
/// parts with `CheckedSize.sum` and checks the total once.
public struct MemoryBudget: Sendable, Equatable {
    /// Bytes that can still be allocated.
    public var availableBytes: Int

    /// A budget of `availableBytes` (for tests and for callers that reserve part of the machine).
    public init(availableBytes: Int) {
        self.availableBytes = max(0, availableBytes)
    }

    /// What the system says is left now (see the type's documentation); `Int.max` where nothing can be read.
    public static var current: MemoryBudget {
        MemoryBudget(availableBytes: [meminfoAvailable(), cgroupAvailable(), addressSpaceAvailable(), environmentLimit]
            .compactMap { $0 }.min() ?? Int.max)
    }

    /// Throws `TensorError.insufficientMemory` when `needed` bytes (nil: the size overflowed) exceed the budget.
    public func check(needed: Int?, what: @autoclosure () -> String) throws {
        guard let needed, needed >= 0 else {
            throw TensorError.insufficientMemory(what: what(), needed: nil, available: availableBytes)
        }
        guard needed <= availableBytes else {
            throw TensorError.insufficientMemory(what: what(), needed: needed, available: availableBytes)
        }
    }

    /// Sizes below this are not checked by `checkCurrent` (reading the system's figures costs more than they do).
    public static let smallBytes = 16 << 20

    /// `current.check(needed:what:)`, skipped for sizes below `smallBytes`.
    public static func checkCurrent(needed: Int?, what: @autoclosure () -> String) throws {
        if let needed, needed >= 0, needed < smallBytes { return }
        try current.check(needed: needed, what: what())
    }

    /// `bytes` in the largest binary unit that keeps it at or above 1 (`3.5 GiB`).
    public static func format(_ bytes: Int) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] {
            if value < 1024 || unit == "PiB" { return unit == "B" ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(unit)" }
            value /= 1024
        }
        return "\(bytes) B"
    }

    /// `SWIFTLENS_MEMORY_LIMIT` in bytes (`512M`, `2G`, `1073741824`), or nil when unset or unreadable.
    static let environmentLimit: Int? = getenv("SWIFTLENS_MEMORY_LIMIT").flatMap { parseSize(String(cString: $0)) }

    /// `text` as a byte count with an optional binary suffix `K`, `M`, `G` or `T`.
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        let trimmed = text.filter { !$0.isWhitespace }
        guard let last = trimmed.last else { return nil }
        let scale = units[Character(last.uppercased())]
        guard let number = Int(scale == nil ? trimmed : String(trimmed.dropLast())), number >= 0 else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: scale ?? 1)
        return overflow ? Int.max : bytes
    }

    /// `MemAvailable` from `/proc/meminfo`.
    static func meminfoAvailable() -> Int? {
        guard let text = readSmallFile("/proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kib * 1024
        }
        return nil
    }

    /// The cgroup (v2, else v1) limit minus its usage, or nil without a limit.
    static func cgroupAvailable() -> Int? {
        let pairs = [("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                     ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")]
        for (limitFile, usageFile) in pairs {
            guard let limitText = readSmallFile(limitFile) else { continue }
            guard let limit = Int(limitText.filter { !$0.isWhitespace }), let usage = readSmallFile(usageFile).flatMap({ Int($0.filter { !$0.isWhitespace }) }) else {
                return nil
            }
            return max(0, limit - usage)
        }
        return nil
    }

    /// `RLIMIT_AS` minus the virtual size in `/proc/self/statm`, or nil without a limit.
    static func addressSpaceAvailable() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
              limit.rlim_cur < UInt(Int.max) else { return nil }
        let pages = readSmallFile("/proc/self/statm")?.split(separator: " ").first.flatMap { Int($0) } ?? 0
        return max(0, Int(limit.rlim_cur) - pages * Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The contents of a small text file (at most 64 KiB), or nil when it cannot be read.
    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while total < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
        return String(decoding: bytes[..<total], as: UTF8.self)
    }
}

/// Sizes computed from outside input with every multiplication and addition checked: nil when a factor is
/// negative or the result overflows `Int`, so that a hostile extent can never wrap around to a small size.
public enum CheckedSize {
    /// `factors[0] * factors[1] * ...` (1 for none). A zero factor does not hide an overflow of the others:
    /// `[0, Int.max, 2]` is nil, since strides and offsets are computed from the non-zero extents.
    public static func product(_ factors: [Int]) -> Int? {
        var n = 1
        var nonZero = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (p, overflow) = nonZero.multipliedReportingOverflow(by: Swift.max(f, 1))
            if overflow { return nil }
            nonZero = p
            n = f == 0 ? 0 : n
        }
        return n == 0 ? 0 : nonZero
    }

    /// `terms[0] + terms[1] + ...` of non-negative terms, nil for a negative term or an overflow.
    public static func sum(_ terms: [Int?]) -> Int? {
        var s = 0
        for t in terms {
            guard let t, t >= 0 else { return nil }
            let (r, overflow) = s.addingReportingOverflow(t)
            if overflow { return nil }
            s = r
        }
        return s
    }

    /// The byte size of `shape` with `elementSize`-byte elements.
    public static func bytes(_ shape: [Int], elementSize: Int) -> Int? {
        product(shape + [elementSize])
    }
}
