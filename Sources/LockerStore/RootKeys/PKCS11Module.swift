import CPKCS11
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A PKCS#11 module (the token vendor's shared library, e.g. SoftHSM2's libsofthsm2.so), loaded
/// with dlopen at run time and initialised once per process with OS locking, so its functions
/// may be called from any thread. Never unloaded or finalised: it lives as long as the process.
final class PKCS11Module: Sendable {
    /// The shared library's path.
    let path: String
    /// The module's CK_FUNCTION_LIST, kept as an address (a plain integer, so the class is
    /// Sendable without exceptions): the list is the module's static data and the module is
    /// never unloaded, so the address stays valid for the process's life.
    private let address: UInt

    /// The functions the module exports (C_OpenSession, C_Encrypt …).
    var functions: CK_FUNCTION_LIST { UnsafePointer<CK_FUNCTION_LIST>(bitPattern: address)!.pointee }

    private static let loaded = Mutex<[String: PKCS11Module]>([:])

    /// The module at `path`, loaded and initialised on first use.
    static func load(path: String) throws -> PKCS11Module {
        try loaded.withLock { modules in
            if let module = modules[path] { return module }
            let module = try PKCS11Module(path: path)
            modules[path] = module
            return module
        }
    }

    private init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw PKCS11Error("PKCS#11 module \(path) does not exist") }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PKCS11Error("PKCS#11 module \(path) does not load: \(reason.replacingOccurrences(of: "\n", with: " "))")
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            dlclose(handle)
            throw PKCS11Error("\(path) is not a PKCS#11 module (it has no C_GetFunctionList)")
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CKR_OK, let list, let initialize = list.pointee.C_Initialize else {
            throw PKCS11Error("PKCS#11 module \(path): C_GetFunctionList failed (\(PKCS11Error.name(rv)))", rv: rv)
        }
        var arguments = CK_C_INITIALIZE_ARGS()
        arguments.flags = CKF_OS_LOCKING_OK
        let initialized = initialize(&arguments)
        guard initialized == CKR_OK || initialized == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            throw PKCS11Error("PKCS#11 module \(path): C_Initialize failed (\(PKCS11Error.name(initialized)))", rv: initialized)
        }
        self.path = path
        self.address = UInt(bitPattern: list)
    }

    /// C_Finalize then C_Initialize: a module that lost its token (a device gone and back, a
    /// software token's folder moved) may only see it again this way. Every session of the
    /// process on this module ends; their owners open new ones on next use.
    func reinitialize() throws {
        _ = functions.C_Finalize!(nil)
        var arguments = CK_C_INITIALIZE_ARGS()
        arguments.flags = CKF_OS_LOCKING_OK
        let rv = functions.C_Initialize!(&arguments)
        guard rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            throw PKCS11Error("PKCS#11 module \(path): C_Initialize failed (\(PKCS11Error.name(rv)))", rv: rv)
        }
    }
}
