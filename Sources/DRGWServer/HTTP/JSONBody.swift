import DRGWCore
import Foundation
import Hummingbird

/// A request's JSON object body, read within limits and validated field by field so that a
/// 400 lists every bad field at once.
struct JSONBody {
    private(set) var object: [String: Any]
    private(set) var errors: [FieldError] = []
    private var seen: Set<String> = []

    /// Reads and parses the body: 413 over the limit, 415 when it is not JSON, 400 when malformed.
    static func read(_ request: Request, context: GatewayRequestContext, allowEmpty: Bool) async throws -> (JSONBody, [UInt8]) {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxBodyBytes)
        } catch {
            // A chunked body the HTTP parser refused is malformed, not large.
            throw ProtocolErrorHandler.problem(for: error)
                ?? Problem(.payloadTooLarge, detail: "The request body is larger than \(context.maxBodyBytes) bytes.")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if allowEmpty { return (JSONBody(object: [:]), []) }
            throw Problem.invalid([FieldError(field: "body", message: "a JSON object is required")])
        }
        if let type = request.headers[.contentType] {
            let media = type.split(separator: ";").first.map { ASCIIText.trimmed($0).lowercased() } ?? ""
            guard media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
                throw Problem(.unsupportedMediaType, detail: "The body must be application/json.")
            }
        } else {
            throw Problem(.unsupportedMediaType, detail: "The body must be application/json (Content-Type is missing).")
        }
        guard Self.depth(of: bytes) <= 16 else {
            throw Problem.invalid([FieldError(field: "body", message: "JSON nesting is deeper than 16 levels")])
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw Problem(.invalidRequest, detail: "The body is not valid JSON.", errors: [FieldError(field: "body", message: "malformed JSON")])
        }
        guard let object = parsed as? [String: Any] else {
            throw Problem.invalid([FieldError(field: "body", message: "must be a JSON object")])
        }
        // JSON parsers disagree on a repeated member (first wins, last wins, error): refused, so
        // that what the gateway acts on is never a guess. `null` means "not given".
        if let repeated = Self.repeatedMember(in: bytes) {
            throw Problem.invalid([FieldError(field: repeated, message: "appears more than once in one object")])
        }
        return (JSONBody(object: object), bytes)
    }

    /// The first member name that appears twice in one object (at any depth), or nil. `bytes`
    /// is valid JSON already.
    static func repeatedMember(in bytes: [UInt8]) -> String? {
        var objects: [Set<String>?] = []  // one entry per open container; nil for an array
        var expectingName = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                objects.append([])
                expectingName = true
            case UInt8(ascii: "["):
                objects.append(nil)
                expectingName = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !objects.isEmpty { objects.removeLast() }
                expectingName = false
            case UInt8(ascii: ","):
                expectingName = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = index + 1
                var escaped = false
                while end < bytes.count {
                    if escaped { escaped = false } else if bytes[end] == UInt8(ascii: "\\") { escaped = true } else if bytes[end] == UInt8(ascii: "\"") { break }
                    end += 1
                }
                if expectingName, let last = objects.indices.last, var names = objects[last] {
                    let raw = Array(bytes[index...min(end, bytes.count - 1)])
                    let name = raw.contains(UInt8(ascii: "\\"))
                        ? ((try? JSONSerialization.jsonObject(with: Data(raw), options: .fragmentsAllowed)) as? String ?? "")
                        : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    if names.contains(name) { return name }
                    names.insert(name)
                    objects[last] = names
                }
                expectingName = false
                index = end
            default:
                break
            }
            index += 1
        }
        return nil
    }

    init(object: [String: Any]) {
        self.object = object
    }

    /// Bracket depth outside strings.
    static func depth(of bytes: [UInt8]) -> Int {
        var depth = 0, maxDepth = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7B, 0x5B:
                depth += 1
                maxDepth = max(maxDepth, depth)
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        return maxDepth
    }

    mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// A string field; records an error when it is required and absent, or of the wrong type or size.
    mutating func string(_ field: String, required: Bool = false, maxBytes: Int = 255, allowLineBreaks: Bool = false) -> String? {
        seen.insert(field)
        guard let value = object[field], !(value is NSNull) else {
            if required { fail(field, "is required") }
            return nil
        }
        guard let text = value as? String else {
            fail(field, "must be a string")
            return nil
        }
        if text.utf8.count > maxBytes {
            fail(field, "must be at most \(maxBytes) bytes")
            return nil
        }
        let allowed: Set<Unicode.Scalar> = allowLineBreaks ? ["\n", "\r", "\t"] : []
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && !allowed.contains($0)) || $0.value == 0x7F }) {
            fail(field, "must not contain control characters")
            return nil
        }
        return text
    }

    /// An id field, checked with `Validation.idErrors`.
    mutating func id(_ field: String, required: Bool = false) -> String? {
        guard let text = string(field, required: required, maxBytes: 128) else { return nil }
        let problems = Validation.idErrors(text, field: field)
        errors += problems
        return problems.isEmpty ? text : nil
    }

    mutating func int(_ field: String, range: ClosedRange<Int>) -> Int? {
        seen.insert(field)
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
            abs(number.doubleValue) < 1e15, range.contains(number.intValue)
        else {
            fail(field, "must be an integer in \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return number.intValue
    }

    /// A JSON `true` or `false` (a number is refused).
    mutating func bool(_ field: String) -> Bool? {
        seen.insert(field)
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let flag = value as? Bool, Self.isBoolean(value) else {
            fail(field, "must be true or false")
            return nil
        }
        return flag
    }

    /// JSONSerialization gives numbers and booleans as NSNumber; only booleans print as true/false.
    private static func isBoolean(_ value: Any) -> Bool {
        if value is Bool, !(value is NSNumber) { return true }
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// A flat object of strings (`providerOptions`).
    mutating func stringMap(_ field: String) -> [String: String]? {
        seen.insert(field)
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let map = value as? [String: Any], map.count <= 32 else {
            fail(field, "must be an object of at most 32 string values")
            return nil
        }
        var out: [String: String] = [:]
        for (key, item) in map {
            guard let text = item as? String, text.utf8.count <= 255, key.utf8.count <= 64 else {
                fail("\(field).\(key)", "must be a string of at most 255 bytes")
                continue
            }
            out[key] = text
        }
        return out
    }

    /// Records an error for every field nobody asked for.
    mutating func rejectUnknownFields() {
        for key in object.keys.sorted() where !seen.contains(key) {
            fail(key, "is not a known field")
        }
    }

    /// Throws 400 listing every bad field, if any.
    func check() throws {
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    /// Canonical JSON (sorted keys) of the parsed body, for fingerprints. The bytes are those of
    /// `JSONSerialization` with `.sortedKeys` (stored fingerprints stay valid across versions);
    /// flat objects of strings, every create body the controllers accept, are written directly.
    func canonical() -> [UInt8] {
        if object.isEmpty { return [] }
        if let flat = Self.flatCanonical(object) { return flat }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return [] }
        return Array(data)
    }

    /// `JSONSerialization`'s sorted-keys bytes for an object whose keys are ASCII letters (distinct
    /// ignoring case, where its locale-aware key order is plain case-insensitive order) and whose
    /// values are all strings; nil for anything else.
    static func flatCanonical(_ object: [String: Any]) -> [UInt8]? {
        var pairs: [(key: String, folded: [UInt8], value: String)] = []
        pairs.reserveCapacity(object.count)
        for (key, value) in object {
            guard let text = value as? String, !key.isEmpty,
                key.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
            else { return nil }
            pairs.append((key, key.utf8.map { $0 | 0x20 }, text))
        }
        pairs.sort { $0.folded.lexicographicallyPrecedes($1.folded) }
        for index in pairs.indices.dropFirst() where pairs[index].folded == pairs[index - 1].folded { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendSerializationString(pair.key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendSerializationString(pair.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A string as `JSONSerialization` writes it: like `JSONWriter`, plus `/` escaped as `\/`.
    private static func appendSerializationString(_ text: String, to out: inout [UInt8]) {
        guard text.utf8.contains(UInt8(ascii: "/")) else {
            JSONWriter.appendString(text, to: &out)
            return
        }
        var escaped: [UInt8] = []
        JSONWriter.appendString(text, to: &escaped)
        for byte in escaped {
            if byte == UInt8(ascii: "/") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
    }
}
