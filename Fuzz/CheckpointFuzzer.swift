// libFuzzer entry point for the checkpoint loader (built by scripts/fuzz.sh with the NN files
// it needs): a safetensors file read as an LSTM checkpoint. Any input must either load or
// throw a SafeTensorsError or CheckpointError; a loaded model holds finite weights of the
// shapes its configuration names.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile(data: Data(bytes: data, count: size))
    } catch is SafeTensorsError {
        return 0
    } catch {
        fatalError("reader threw something other than SafeTensorsError: \(error)")
    }
    do {
        let checkpoint = try Checkpoint.load(file, path: "fuzz.safetensors")
        let model = checkpoint.model
        precondition(model.layout.count >= model.configuration.vocabularySize * model.configuration.embeddingSize)
        model.withParameters { precondition($0.allSatisfy(\.isFinite), "a loaded weight is not finite") }
    } catch is CheckpointError {
        return 0
    } catch {
        fatalError("loader threw something other than CheckpointError: \(error)")
    }
    return 0
}
