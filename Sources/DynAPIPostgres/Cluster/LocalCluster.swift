import Foundation
import Glibc

/// A PostgreSQL cluster of our own in a folder: initdb, start, stop. It
/// backs `dynapi dev` and the test suite. It listens on a unix socket in a
/// private folder and, when asked, on 127.0.0.1.
public final class LocalCluster: Sendable {
    /// The data folder.
    public let dataDirectory: String
    /// Folder of the unix socket.
    public let socketDirectory: String
    /// Port number (of the socket file, and of TCP when enabled).
    public let port: Int
    /// Whether it also listens on 127.0.0.1.
    public let listensOnTCP: Bool
    /// PostgreSQL's `max_connections`.
    public let maxConnections: Int
    /// Settings given to the server at every start (`name=value`), beyond the defaults.
    public let extraSettings: [String]
    private let binDirectory: String
    private let asPostgresUser: Bool

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the cluster in `dataDirectory`, running initdb first when the folder
    /// holds none — or, with `primary`, copying that running cluster with
    /// `pg_basebackup -R`: a hot standby that streams from it once started.
    public init(
        dataDirectory: String, port: Int? = nil, tcp: Bool = false, maxConnections: Int = 200, standbyOf primary: LocalCluster? = nil,
        settings: [String] = []
    ) throws {
        self.maxConnections = maxConnections
        self.extraSettings = settings
        self.binDirectory = try LocalCluster.findBinDirectory()
        self.asPostgresUser = geteuid() == 0
        if asPostgresUser, getpwnam("postgres") == nil {
            throw Failure(description: "running as root needs a 'postgres' OS user to run PostgreSQL (Debian's postgresql package creates it)")
        }
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.port = try port ?? FreePort.find()
        self.listensOnTCP = tcp
        self.socketDirectory = try LocalCluster.makePrivateDirectory(prefix: "dynapi-sock-", ownedByPostgres: asPostgresUser)
        if !FileManager.default.fileExists(atPath: self.dataDirectory + "/PG_VERSION") {
            if let primary { try copy(primary) } else { try initialize() }
        }
    }

    /// A base backup of `primary` that starts as its streaming standby.
    private func copy(_ primary: LocalCluster) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if asPostgresUser { try LocalCluster.giveToPostgres(dataDirectory) }
        try command("pg_basebackup", ["-d", primary.conninfo(), "-D", dataDirectory, "-R", "-X", "stream", "-c", "fast", "--no-sync"]).run()
    }

    /// Whether the server is a standby (in recovery); asks it.
    public var isStandby: Bool {
        FileManager.default.fileExists(atPath: dataDirectory + "/standby.signal")
    }

    /// Promotes a standby to a primary and waits until it accepts writes.
    public func promote() throws {
        try command("pg_ctl", ["-D", dataDirectory, "-w", "-t", "60", "promote"]).run()
    }

    /// A libpq connection string for `database`, as the superuser `postgres`.
    public func conninfo(database: String = "postgres") -> String {
        "host=\(socketDirectory) port=\(port) user=postgres dbname=\(database)"
    }

    /// A URI for `database` over TCP (only when ``listensOnTCP``).
    public func url(database: String) -> String {
        "postgresql://postgres@127.0.0.1:\(port)/\(database)"
    }

    private func initialize() throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if asPostgresUser {
            try LocalCluster.giveToPostgres(dataDirectory)
            let reachable = try ChildProcess("/usr/bin/test", ["-w", dataDirectory], asPostgresUser: true).spawn()
            guard reachable.status == 0 else {
                throw Failure(description: "the postgres OS user cannot reach \(dataDirectory); make the folders above it traversable (chmod o+x)")
            }
        }
        try command("initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]).run()
    }

    /// Starts the server and waits until it accepts connections.
    public func start() throws {
        let listen = listensOnTCP ? "127.0.0.1" : ""
        let options =
            [
                "-p \(port)", "-k \(socketDirectory)", "-c listen_addresses='\(listen)'",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                "-c max_connections=\(maxConnections)", "-c shared_buffers=64MB",
            ] + extraSettings.map { "-c \($0)" }
        let optionText = options.joined(separator: " ")
        try command("pg_ctl", ["-D", dataDirectory, "-l", dataDirectory + "/server.log", "-o", optionText, "-w", "-t", "60", "start"]).run()
    }

    /// Stops the server (fast shutdown: open sessions are ended).
    public func stop() {
        _ = try? command("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"]).run()
    }

    /// Stops, then starts again: what a database restart looks like to clients.
    public func restart() throws {
        stop()
        try start()
    }

    /// Removes the socket folder and, when asked, the data folder. Call after ``stop()``.
    public func remove(data: Bool) {
        try? FileManager.default.removeItem(atPath: socketDirectory)
        if data { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }

    private func command(_ program: String, _ arguments: [String]) -> ChildProcess {
        ChildProcess(binDirectory + "/" + program, arguments, asPostgresUser: asPostgresUser)
    }
}
