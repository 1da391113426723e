/// A failure of one operation of a batch: the error, and which operation (0-based) it belongs to.
public struct OperationError: Error, Sendable {
    /// The operation's position in the batch.
    public var index: Int
    /// What refused or failed it.
    public var error: any Error & Sendable

    /// Wraps `error` as the failure of operation `index`.
    public init(index: Int, error: any Error & Sendable) {
        self.index = index
        self.error = error
    }
}
