/// Where an event sits in the change log, as every sidecar sees it: the
/// tick (a snapshot the bundle recorded) whose batch holds it, the log entry,
/// and the row's place in that entry (one entry covers up to 1,000 rows of a
/// statement). Batches are the same on every sidecar, so a client may resume
/// from an event id on any of them.
///
/// The id clients see is `"{tick}-{entry}-{row}"`; they need not read it, only
/// send it back (`?since=`, `Last-Event-ID`).
public struct EventPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The tick whose batch holds the event.
    public var tick: Int64
    /// The change log entry.
    public var entry: Int64
    /// The row's place in the entry, from 0.
    public var row: Int32

    /// A position.
    public init(tick: Int64, entry: Int64, row: Int32) {
        self.tick = tick
        self.entry = entry
        self.row = row
    }

    /// Just after every event of `tick`'s batch and of the batches before it.
    public static func end(ofTick tick: Int64) -> EventPosition {
        EventPosition(tick: tick, entry: .max, row: .max)
    }

    /// Reads an id a client sent back; nil when it is not one.
    public init?(id: some StringProtocol) {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let tick = Int64(parts[0]), let entry = Int64(parts[1]), let row = Int32(parts[2]),
            tick >= 0, entry >= 0, row >= 0
        else { return nil }
        self.init(tick: tick, entry: entry, row: row)
    }

    /// The id clients see.
    public var description: String { "\(tick)-\(entry)-\(row)" }

    public static func < (lhs: EventPosition, rhs: EventPosition) -> Bool {
        (lhs.tick, lhs.entry, lhs.row) < (rhs.tick, rhs.entry, rhs.row)
    }
}
