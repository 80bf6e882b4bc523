using System.Diagnostics.CodeAnalysis;

namespace MusicLocker.Media.Internal;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowUnsupported(string message, long? offset = null) =>
        throw new MediaFormatException(MediaErrorCode.UnsupportedFormat, message, offset);

    [DoesNotReturn]
    public static void ThrowDrm(string message, long? offset = null) =>
        throw new MediaFormatException(MediaErrorCode.DrmProtected, message, offset);

    [DoesNotReturn]
    public static void ThrowEmpty(string message) => throw new MediaFormatException(MediaErrorCode.Empty, message);

    [DoesNotReturn]
    public static void ThrowCorrupt(string message, long? offset = null) =>
        throw new MediaFormatException(MediaErrorCode.Corrupt, message, offset);

    [DoesNotReturn]
    public static void ThrowLimit(string what, long limit, string option, long? offset = null) =>
        throw new MediaFormatException(MediaErrorCode.LimitExceeded, $"{what} exceeds the limit of {limit} (raise MediaProbeOptions.{option} to accept it)", offset);

    [DoesNotReturn]
    public static T ThrowCorrupt<T>(string message, long? offset = null) =>
        throw new MediaFormatException(MediaErrorCode.Corrupt, message, offset);
}
