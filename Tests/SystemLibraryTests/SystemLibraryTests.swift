// Each system library links and answers one real call.
import CALSA
import CBLAS
import CNcursesw
import Testing

@Suite struct SystemLibraryTests {
    @Test func ncursesReportsItsVersion() {
        let version = String(cString: curses_version())
        #expect(version.hasPrefix("ncurses"))
    }

    @Test func alsaReportsItsVersion() {
        let version = String(cString: snd_asoundlib_version())
        #expect(version.split(separator: ".").count >= 2)
    }

    @Test func sgemmMultipliesTwoByTwo() {
        let a: [Float] = [1, 2, 3, 4]
        let b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cadenza_sgemm(0, 0, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
    }

    /// OpenBLAS is opened at run time: the description names the library and its kernel.
    @Test func blasDescribesItsKernel() {
        let description = String(cString: cadenza_blas_description())
        #if os(Linux)
        #expect(description.contains("OpenBLAS") && description.contains("kernel"), "\(description)")
        #else
        #expect(description == "Accelerate")
        #endif
    }
}
