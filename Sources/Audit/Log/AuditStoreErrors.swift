import PostgreSQL

extension AuditError {
    /// Maps a database failure onto the audit codes: anything that means "the store cannot
    /// answer now" (lock or statement timeout, connection refused or lost, pool exhausted or
    /// closed, server shutting down or full) is ``Code/unavailable``; missing privilege is
    /// ``Code/refused``; the rest is ``Code/storage``. The description keeps only the SQLSTATE,
    /// never the server's message.
    static func from(_ error: any Error, while step: String) -> AuditError {
        if let error = error as? AuditError { return error }
        if error is CancellationError { return AuditError(.unavailable, "\(step): cancelled") }
        guard let error = error as? PostgresError else { return AuditError(.storage, "\(step) failed") }
        switch error.code {
        case .connectionFailed, .connectionLost, .poolExhausted, .poolClosed, .cancelled:
            return AuditError(.unavailable, "\(step): audit store unreachable")
        case .server(let state):
            switch state {
            case .lockNotAvailable, .queryCanceled:
                return AuditError(.unavailable, "\(step): audit store did not answer in time (\(state.rawValue))")
            case .adminShutdown, .crashShutdown, .cannotConnectNow, .tooManyConnections, .connectionFailure, .connectionException:
                return AuditError(.unavailable, "\(step): audit store unavailable (\(state.rawValue))")
            case SQLState(rawValue: "54000"):
                return AuditError(.tooLarge, "\(step): record too large (54000)")
            case .insufficientPrivilege:
                return AuditError(.refused, "\(step): permission denied (42501)")
            default:
                let constraint = error.constraint.map { ", constraint \($0)" } ?? ""
                return AuditError(.storage, "\(step) failed (\(state.rawValue)\(constraint))")
            }
        default:
            return AuditError(.storage, "\(step) failed")
        }
    }
}
