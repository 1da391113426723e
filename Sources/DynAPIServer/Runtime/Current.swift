import Synchronization

/// A value replaced whole and read whole: readers get the snapshot that was
/// current when they asked, and keep it however long they need it.
public final class Current<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    /// Creates a holder with a first value.
    public init(_ value: Value) { storage = Mutex(value) }

    /// The current snapshot.
    public var value: Value { storage.withLock { $0 } }

    /// Swaps in a new snapshot.
    public func replace(with value: Value) { storage.withLock { $0 = value } }
}
