// libFuzzer entry point for the safetensors reader (built by scripts/fuzz.sh with the NN
// files it needs). Any input must either parse or throw a SafeTensorsError; a parsed
// file's tensors must all be readable as Float without trapping.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile(data: Data(bytes: data, count: size))
    } catch is SafeTensorsError {
        return 0
    } catch {
        fatalError("reader threw something other than SafeTensorsError: \(error)")
    }
    for name in file.tensorNames {
        do { _ = try file.floats(name) } catch is SafeTensorsError { continue } catch {
            fatalError("floats(\(name)) threw something other than SafeTensorsError: \(error)")
        }
    }
    return 0
}
