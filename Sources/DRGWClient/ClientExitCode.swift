/// Exit codes of the client commands.
public enum ClientExitCode {
    public static let success: Int32 = 0
    /// The operation ended `failed`.
    public static let operationFailed: Int32 = 1
    /// Bad command line.
    public static let usage: Int32 = 64
    /// The gateway rejected the request (400, 409, 422 and other 4xx without a code of their own).
    public static let dataError: Int32 = 65
    /// 404.
    public static let notFound: Int32 = 66
    /// Gateway unreachable, or it answered 5xx.
    public static let unavailable: Int32 = 69
    /// `--wait` timed out, or 429: try again later.
    public static let tempFail: Int32 = 75
    /// 401 or 403.
    public static let noPermission: Int32 = 77

    /// The exit code for an HTTP error status.
    public static func forStatus(_ status: Int) -> Int32 {
        switch status {
        case 401, 403: return noPermission
        case 404, 410: return notFound
        case 429: return tempFail
        case 400..<500: return dataError
        default: return unavailable
        }
    }
}
