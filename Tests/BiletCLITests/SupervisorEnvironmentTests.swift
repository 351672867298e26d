@testable import Platform
import Testing

/// What `bilet serve`'s components inherit of the supervisor's environment: the allow-list, and a
/// preload only when it is libfaketime (ClockStepTests steps their clock through it).
@Suite struct SupervisorEnvironmentTests {
    @Test func onlyLibfaketimeIsPreloadedIntoTheComponents() {
        let faketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
        let passed = ServeSupervisor.childEnvironment([
            "PATH": "/bin", "BILET_CONFIG": "c", "FAKETIME_TIMESTAMP_FILE": "f", "LD_PRELOAD": faketime, "PGPASSWORD": "p",
        ])
        #expect(passed == ["PATH": "/bin", "BILET_CONFIG": "c", "FAKETIME_TIMESTAMP_FILE": "f", "LD_PRELOAD": faketime])
        for other in ["/tmp/libevil.so", "\(faketime):/tmp/libevil.so", "/tmp/libevil.so \(faketime)", "", "/tmp/libfaketime/evil.so", "/tmp/libfaketime_x.so"] {
            #expect(ServeSupervisor.childEnvironment(["PATH": "/bin", "LD_PRELOAD": other]) == ["PATH": "/bin"], "\(other)")
        }
    }
}
