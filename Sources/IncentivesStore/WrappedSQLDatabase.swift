import Logging
import NIOCore
import SQLKit

/// An `SQLDatabase` that runs its statements its own way through `base` and is `base` in every other respect.
protocol WrappedSQLDatabase: SQLDatabase {
    var base: any SQLDatabase { get }
}

extension WrappedSQLDatabase {
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
}
