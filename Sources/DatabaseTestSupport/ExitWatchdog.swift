import Foundation
import Storage

/// Stops a throwaway cluster and deletes its directory once the test process has exited, however it
/// exits (normal end, crash, kill). A tiny shell loop outlives the test process, polls its PID, then
/// sends the postmaster SIGINT (PostgreSQL's fast shutdown), waits for it and removes the directory.
enum ExitWatchdog {
    static func watch(dataDirectory: String, removing root: String) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        let script = """
            while kill -0 \(pid) 2>/dev/null; do sleep 1; done
            pidfile='\(dataDirectory)/postmaster.pid'
            if [ -f "$pidfile" ]; then
                pm=$(head -n 1 "$pidfile")
                kill -INT "$pm" 2>/dev/null
                n=0
                while kill -0 "$pm" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
            fi
            rm -rf '\(root)'
            """
        try CommandRunner.startDetached("/bin/sh", ["-c", script])
    }
}
