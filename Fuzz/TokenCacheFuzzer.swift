// libFuzzer entry point for the token cache reader (built by scripts/fuzz.sh with
// TokenCacheFormat.swift alone). Any bytes must either decode or give nil, never trap;
// what decodes must encode and decode again to the same entries.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenCache(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (hash, entries) = TokenCacheFormat.decode(Data(bytes: data, count: size), vocabularySize: 400) else { return 0 }
    guard let again = try? TokenCacheFormat.encode(entries, vocabularyHash: hash),
          let decoded = TokenCacheFormat.decode(again, vocabularySize: 400),
          decoded.vocabularyHash == hash, decoded.entries == entries else {
        fatalError("a decoded token cache did not survive encode and decode")
    }
    return 0
}
