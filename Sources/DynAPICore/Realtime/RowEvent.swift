import Foundation

/// A row event as the bundle's trigger NOTIFYs it on `dynapi_events`:
/// `{"event": "created|updated|deleted", "table": "order", "pk": 1}`. The text
/// is sent to sockets as it came; only the table is read, to route it.
public enum RowEvent {
    private struct Routing: Decodable { let table: String }

    /// The table a payload concerns, or nil when the payload is not a row event.
    public static func table(of payload: String) -> String? {
        try? JSONDecoder().decode(Routing.self, from: Data(payload.utf8)).table
    }
}
