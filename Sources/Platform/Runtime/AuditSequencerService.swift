import Audit
import PostgreSQL
import ServiceLifecycle

/// Hosts the audit sequencer in `bilet serve`: integrates committed events into the Merkle tree
/// and signs a checkpoint at least every second while events arrive, until graceful shutdown.
struct AuditSequencerService: Service {
    let sequencer: AuditSequencer
    let pool: PostgresConnectionPool

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await sequencer.run()
        }
        await pool.shutdown()
    }
}
