// The only file of NN that imports CBLAS: row-major sgemm and sgemv on raw pointers, the BLAS
// thread count and its description. Everything else in NN calls these, so the BLAS (OpenBLAS on Linux,
// Accelerate on macOS) can change in one place. No allocation, no checks beyond preconditions.
import CBLAS
import Foundation

/// Matrix products on row-major Float32 storage. `transA`/`transB` say whether the stored
/// matrix is used transposed; `lda`, `ldb`, `ldc` are the stored row lengths.
enum BLAS {
    /// C (M, N) = alpha * op(A) (M, K) @ op(B) (K, N) + beta * C.
    @inline(__always)
    static func gemm(
        _ c: UnsafeMutablePointer<Float>, ldc: Int,
        _ a: UnsafePointer<Float>, lda: Int, transA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float
    ) {
        cadenza_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                      beta, c, Int32(ldc))
    }

    /// y (M) = alpha * A (M, N) @ x (N) + beta * y, or with `transA`, y (N) = A^T @ x (M).
    @inline(__always)
    static func gemv(
        _ y: UnsafeMutablePointer<Float>,
        _ a: UnsafePointer<Float>, lda: Int, transA: Bool, m: Int, n: Int,
        _ x: UnsafePointer<Float>, alpha: Float = 1, beta: Float
    ) {
        cadenza_sgemv(transA ? 1 : 0, Int32(m), Int32(n), alpha, a, Int32(lda), x, beta, y)
    }
}

/// How many threads the engine uses. Trainers and inference objects made afterwards split their
/// work over this many threads (a ThreadTeam); the BLAS itself runs single-threaded inside each.
public enum ComputeThreads {
    public static func set(_ count: Int) {
        precondition(count >= 1, "thread count must be at least 1")
        current = count
    }

    /// The count last set, else min(cores, 2).
    public private(set) nonisolated(unsafe) static var current: Int = min(ProcessInfo.processInfo.activeProcessorCount, 2)

    /// Makes the BLAS single-threaded (the team parallelises); done once, before the first product.
    static let blasSingleThreaded: Void = cadenza_blas_set_threads(1)

    /// The BLAS library and kernel the large products run on (for benchmark reports).
    public static var blasDescription: String { String(cString: cadenza_blas_description()) }
}
