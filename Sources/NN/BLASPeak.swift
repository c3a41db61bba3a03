// The machine's sgemm peak as the engine can reach it: a square product of 1024, its rows
// split over a thread team the way the engine splits its products (one single-threaded BLAS
// call per member), the best of as many runs as fit in a quarter of a second (at least five).
// `cadenza bench` reports the engine's GFLOP/s against it. Five back-to-back runs (30 ms)
// read half the peak in about one invocation of two on a 2-core VM: a new team's worker can
// share its first milliseconds' core with member 0.
public enum BLASPeak {
    /// GFLOP/s of C (1024, 1024) = A @ B on `threads` threads. `nanoseconds` is a monotonic clock.
    public static func measure(threads: Int, size n: Int = 1024, repeats: Int = 5, minimumSeconds: Double = 0.25,
                               nanoseconds: () -> UInt64) -> Double {
        ComputeThreads.blasSingleThreaded
        let team = ThreadTeam(size: max(1, threads))
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        var rng = SplitMix64(seed: 1)
        for i in 0..<(n * n) { a[i].pointee = rng.nextUnitFloat() - 0.5; b[i].pointee = rng.nextUnitFloat() - 0.5 }
        var best = 0.0
        let begin = nanoseconds()
        var run = 0
        // The first run warms the caches and the team, and is not counted.
        while run <= repeats || Double(nanoseconds() - begin) * 1e-9 < minimumSeconds {
            let start = nanoseconds()
            team.run { p in
                let rows = team.share(n, p)
                guard !rows.isEmpty else { return }
                BLAS.gemm(c[rows.lowerBound * n], ldc: n, a[rows.lowerBound * n], lda: n, transA: false, b.pointer, ldb: n,
                          transB: false, m: rows.count, n: n, k: n, beta: 0)
            }
            let seconds = Double(nanoseconds() - start) * 1e-9
            if run > 0 { best = max(best, 2 * Double(n * n * n) / seconds * 1e-9) }
            run += 1
        }
        return best
    }
}
