import DRGWStore
import DRGWTesting
import Foundation
import Logging

/// A store back-end the contract tests run against: SQLite always, PostgreSQL when the test
/// script started a cluster (`DRGW_TEST_POSTGRES_URL`).
enum StoreBackend: String, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    static var all: [StoreBackend] { PostgresTestDatabase.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    var description: String { rawValue }

    /// A new, empty place to keep data: a temp SQLite file or a fresh PostgreSQL database.
    func makeLocation() async throws -> String {
        switch self {
        case .sqlite:
            return "sqlite://" + FileManager.default.temporaryDirectory.appendingPathComponent("drgw-contract-\(UUID().uuidString).sqlite").path
        case .postgres:
            return try await PostgresTestDatabase.create()
        }
    }

    /// Opens a store on `location` (a second call on the same location is a second replica or a restart).
    func open(_ location: String) async throws -> any GatewayStore {
        let logger = Logger(label: "store-contract")
        switch try StoreLocation.parse(location) {
        case .sqlite(let path): return try await SQLiteStore.open(path: path, logger: logger)
        case .postgres(let settings): return try await PostgresStore.open(settings, logger: logger, startupSeconds: 5)
        }
    }

    func remove(_ location: String) async {
        switch self {
        case .sqlite:
            let path = String(location.dropFirst("sqlite://".count))
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case .postgres:
            await PostgresTestDatabase.drop(location)
        }
    }

    /// Runs `body` with a fresh store, closed and removed afterwards.
    func withStore(_ body: (any GatewayStore, String) async throws -> Void) async throws {
        let location = try await makeLocation()
        let store = try await open(location)
        do {
            try await body(store, location)
        } catch {
            await store.close()
            await remove(location)
            throw error
        }
        await store.close()
        await remove(location)
    }
}
