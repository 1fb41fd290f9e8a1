#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`). Every connection is a file descriptor, so
/// `lockerd` raises the soft limit towards the hard one at start-up: a default soft limit of
/// 1,024 would otherwise cap connections well below what the machine allows.
enum OpenFileLimit {
    #if os(Linux)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// Raises the soft limit to `min(hard, max(wanted, 65536))` if it is lower, and returns the
    /// soft limit in force afterwards (unchanged if raising fails).
    static func raise(wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        let target = min(limit.rlim_max, rlim_t(max(wanted, 65536)))
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
