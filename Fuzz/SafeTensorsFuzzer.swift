// libFuzzer entry point for the safetensors reader and the checkpoint loader on top of it
// (built by scripts/fuzz.sh with the NN files they need). Any input must either parse or
// throw a SafeTensorsError; a parsed file's tensors must all be readable as Float without
// trapping; read as an LSTM checkpoint it must load with finite weights or throw a
// CheckpointError.
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
    do {
        let model = try Checkpoint.load(file, path: "fuzz.safetensors").model
        model.withParameters { precondition($0.allSatisfy(\.isFinite), "a loaded weight is not finite") }
    } catch is CheckpointError {
        return 0
    } catch {
        fatalError("loader threw something other than CheckpointError: \(error)")
    }
    return 0
}
