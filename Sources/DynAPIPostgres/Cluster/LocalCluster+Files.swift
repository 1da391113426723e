import Foundation
import Glibc

extension LocalCluster {
    /// PostgreSQL's server programs: `DYNAPI_PG_BINDIR`, else `pg_config --bindir`'s
    /// answer, else the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
    static func findBinDirectory() throws -> String {
        let fileManager = FileManager.default
        func hasInitdb(_ directory: String) -> Bool { fileManager.isExecutableFile(atPath: directory + "/initdb") }
        if let configured = ProcessInfo.processInfo.environment["DYNAPI_PG_BINDIR"], hasInitdb(configured) {
            return configured
        }
        let debianRoot = "/usr/lib/postgresql"
        let versions = (try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? []
        let newest = versions.compactMap(Int.init).sorted().reversed().map { "\(debianRoot)/\($0)/bin" }
        for directory in newest where hasInitdb(directory) { return directory }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) where hasInitdb(directory) {
            return directory
        }
        throw Failure(
            description: "PostgreSQL's server programs (initdb, pg_ctl) were not found; install Debian's 'postgresql' package or set DYNAPI_PG_BINDIR")
    }

    /// A new folder under the temporary directory that only we (and postgres) use.
    static func makePrivateDirectory(prefix: String, ownedByPostgres: Bool) throws -> String {
        var template = Array((NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/").utf8CString.dropLast())
        template += Array((prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        if ownedByPostgres { try giveToPostgres(path) }
        return path
    }

    /// Hands a folder to the `postgres` OS user.
    static func giveToPostgres(_ path: String) throws {
        guard let user = getpwnam("postgres") else { throw Failure(description: "no 'postgres' OS user") }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw Failure(description: "cannot hand \(path) to the postgres user: \(String(cString: strerror(errno)))")
        }
    }
}

/// A TCP port nobody listens on right now.
public enum FreePort {
    /// Binds port 0 on 127.0.0.1 and reports the port the kernel chose.
    public static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalCluster.Failure(description: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw LocalCluster.Failure(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw LocalCluster.Failure(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
