#if canImport(Glibc)
import Glibc
#endif

/// Thin, checked wrappers over the POSIX calls that durability depends on. Foundation's file
/// APIs do not expose fsync of a directory, and every step here must either happen or throw.
enum POSIXFile {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError("cannot open \(path): \(errnoText())") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError("cannot write \(path): \(errnoText())")
            }
            offset += n
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, count: Int, offset: Int, path: String) throws -> Int {
        var done = 0
        while done < count {
            let n = Glibc.pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError("cannot read \(path): \(errnoText())")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func fsync(_ fd: Int32, path: String) throws {
        guard Glibc.fsync(fd) == 0 else { throw StoreError("cannot fsync \(path): \(errnoText())") }
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw StoreError("cannot rename \(from) to \(to): \(errnoText())") }
    }

    static func fileSize(_ fd: Int32, path: String) throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError("cannot stat \(path): \(errnoText())") }
        return Int(st.st_size)
    }

    /// Writes `bytes` to `path` so that after return the file is either wholly old or wholly
    /// new, even across power loss: temp file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let directory = parentDirectory(of: path)
        let temp = "\(path).tmp-\(getpid())"
        let fd = try open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do {
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: temp) }
            try fsync(fd, path: temp)
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        try rename(temp, path)
        try fsyncDirectory(directory)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
