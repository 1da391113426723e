import DynAPICore
import Glibc
import Logging

/// Writes each log record as one line on standard error: a JSON object for
/// log collectors, or `key=value` text for people. One write(2) per line, so
/// lines from different threads never interleave.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let format: Config.LogFormat
    let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String, level: Logger.Level, format: Config.LogFormat) {
        self.init(label: label, level: level, format: format) { line in
            var line = line
            line.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
        }
    }

    /// A handler giving each line to `write` (tests capture them this way).
    public init(label: String, level: Logger.Level, format: Config.LogFormat, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // One line per request: no merges when only the event has fields.
        var fields = event.metadata ?? [:]
        if !metadata.isEmpty || metadataProvider != nil {
            fields = metadata
            if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
            if let extra = event.metadata { fields.merge(extra) { $1 } }
        }
        write(
            LogLine.render(
                time: LogLine.now(), level: event.level.rawValue, logger: label, message: event.message.description,
                fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.description) }, as: format
            ))
    }
}

/// One log record as text.
enum LogLine {
    /// Formats a record; `fields` keep their order.
    static func render(time: String, level: String, logger: String, message: String, fields: [(String, String)], as format: Config.LogFormat) -> String {
        switch format {
        case .json:
            var json = JSONText.object()
            json.add("time", time)
            json.add("level", level)
            json.add("logger", logger)
            json.add("message", message)
            for (key, value) in fields {
                switch key {
                case "time", "level", "logger", "message": continue
                default: json.add(key, value)
                }
            }
            return json.text + "\n"
        case .text:
            var line = "\(time) \(level) \(message)"
            for (key, value) in fields {
                let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0.value < 0x7F }
                line += " \(key)=" + (plain ? value : JSONText.quote(value))
            }
            return line + "\n"
        }
    }

    /// UTC now, to the millisecond, in RFC 3339; digits written in place, without
    /// Foundation's formatters or string interpolation, which cost microseconds per line.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var parts = tm()
        var seconds = spec.tv_sec
        gmtime_r(&seconds, &parts)
        let fields: [(value: Int, digits: Int, then: UInt8)] = [
            (Int(parts.tm_year) + 1900, 4, UInt8(ascii: "-")), (Int(parts.tm_mon) + 1, 2, UInt8(ascii: "-")),
            (Int(parts.tm_mday), 2, UInt8(ascii: "T")), (Int(parts.tm_hour), 2, UInt8(ascii: ":")),
            (Int(parts.tm_min), 2, UInt8(ascii: ":")), (Int(parts.tm_sec), 2, UInt8(ascii: ".")),
            (Int(spec.tv_nsec / 1_000_000), 3, UInt8(ascii: "Z")),
        ]
        return String(unsafeUninitializedCapacity: 24) { bytes in
            var end = 0
            for field in fields {
                var value = field.value
                for position in stride(from: end + field.digits - 1, through: end, by: -1) {
                    bytes[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                bytes[end + field.digits] = field.then
                end += field.digits + 1
            }
            return end
        }
    }
}
