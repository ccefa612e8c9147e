#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where tensor buffers come from: 64-byte-aligned memory, with large buffers (`minimumBytes` and up)
/// recycled. A freed large buffer waits in the pool (up to `capacity` bytes, oldest released first) for the
/// next allocation of exactly its size, so repeated runs of the same shapes (a cache per prompt, a patching
/// sweep) reuse memory the process already has instead of asking the kernel for fresh zeroed pages. A fresh
/// large buffer is populated with one `madvise(MADV_POPULATE_WRITE)` instead of a page fault per 4 KiB.
public final class BufferPool: Sendable {
    /// The pool every `TensorStorage` uses.
    public static let shared = BufferPool(capacity: defaultCapacity)

    /// Buffers of at least this many bytes are pooled and populated.
    public static let minimumBytes = 1 << 20

    /// Fresh buffers of at least this many bytes are checked against `MemoryBudget.current` first, so that an
    /// allocation the machine cannot hold stops with a message instead of being killed while it is populated.
    static let checkedBytes = 1 << 30

    /// An eighth of physical memory, at most 4 GiB.
    public static var defaultCapacity: Int {
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        return min(physical / 8, 4 << 30)
    }

    private struct State {
        var capacity: Int
        /// Free buffer addresses by size, most recently freed last.
        var free: [Int: [Int]] = [:]
        /// (size, address) of every free buffer, oldest first.
        var order: [(size: Int, address: Int)] = []
        var bytes = 0
    }

    private let state: Mutex<State>

    /// A pool that keeps at most `capacity` bytes of freed buffers.
    public init(capacity: Int) {
        state = Mutex(State(capacity: max(0, capacity)))
    }

    /// The most freed bytes kept for reuse; lowering it releases the oldest buffers at once (0 turns pooling off).
    public var capacity: Int {
        get { state.withLock { $0.capacity } }
        set {
            let released = state.withLock { s -> [Int] in
                s.capacity = max(0, newValue)
                return Self.trim(&s)
            }
            released.forEach { free(UnsafeMutableRawPointer(bitPattern: $0)) }
        }
    }

    /// Bytes of freed buffers the pool holds now.
    public var pooledBytes: Int { state.withLock { $0.bytes } }

    /// `bytes` of 64-byte-aligned memory (contents unspecified).
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= Self.minimumBytes, let reused = take(bytes: bytes) { return reused }
        if bytes >= Self.checkedBytes {
            let available = MemoryBudget.current.availableBytes
            ensure(bytes <= available, "BufferPool: cannot allocate \(bytes) bytes (\(MemoryBudget.format(bytes))): " +
                   "only \(available) bytes (\(MemoryBudget.format(available))) are available; readers of outside " +
                   "input check MemoryBudget before they allocate")
        }
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, 64, bytes) == 0, let pointer else {
            programmerError("BufferPool: cannot allocate \(bytes) bytes (\(MemoryBudget.format(bytes)))")
        }
        if bytes >= Self.minimumBytes { Self.populate(pointer, bytes: bytes) }
        return pointer
    }

    /// Returns memory from `allocate(bytes:)`: kept for reuse if large and room remains, else freed.
    func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.minimumBytes else { return free(pointer) }
        let address = Int(bitPattern: pointer)
        let released = state.withLock { s -> [Int] in
            guard bytes <= s.capacity else { return [address] }
            s.free[bytes, default: []].append(address)
            s.order.append((bytes, address))
            s.bytes += bytes
            return Self.trim(&s)
        }
        released.forEach { free(UnsafeMutableRawPointer(bitPattern: $0)) }
    }

    private func take(bytes: Int) -> UnsafeMutableRawPointer? {
        let address = state.withLock { s -> Int? in
            guard let address = s.free[bytes]?.popLast() else { return nil }
            if s.free[bytes]!.isEmpty { s.free[bytes] = nil }
            s.order.remove(at: s.order.firstIndex { $0.address == address }!)
            s.bytes -= bytes
            return address
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Drops the oldest buffers until the pool fits its capacity; returns their addresses to free.
    private static func trim(_ s: inout State) -> [Int] {
        var released: [Int] = []
        while s.bytes > s.capacity, let (size, address) = s.order.first {
            s.order.removeFirst()
            s.free[size]!.removeAll { $0 == address }
            if s.free[size]!.isEmpty { s.free[size] = nil }
            s.bytes -= size
            released.append(address)
        }
        return released
    }

    /// Maps every whole page of a fresh buffer in one call (Linux 5.14+; ignored where unsupported).
    private static func populate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let page = Int(getpagesize()), populateWrite: Int32 = 23
        let start = (Int(bitPattern: pointer) + page - 1) / page * page
        let end = (Int(bitPattern: pointer) + bytes) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, populateWrite) }
        #endif
    }
}
