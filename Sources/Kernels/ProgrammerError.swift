/// Traps on purpose when code breaks a documented contract (unbroadcastable shapes in `a + b`, an index out
/// of range, a negative count), with a message naming the operation and its operands.
///
/// Swift drops the message of `precondition` in optimised builds, so a user of a release build would see
/// only "precondition failure" and a backtrace; `fatalError` prints its message in every build mode, and
/// these helpers go through it. Input read from outside the program never reaches them: readers throw.
@inline(__always)
public func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                   file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { programmerError(message(), file: file, line: line) }
}

/// Stops the program with `message` on standard error (in release builds too): a broken contract.
public func programmerError(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message, file: file, line: line)
}
