using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MusicLocker.AspNetCore.Diagnostics;

namespace MusicLocker.AspNetCore.Http;

/// <summary>
/// The one translation from a <see cref="LockerErrorCode"/> to an HTTP status, and the JSON error body every endpoint
/// sends: <c>{"error":"TrackNotFound","message":"…"}</c> (<c>error</c> is the <see cref="LockerErrorCode"/> name, or an
/// HTTP-level code such as <c>Forbidden</c>).
/// </summary>
internal static class LockerProblem
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public static int StatusOf(LockerErrorCode code) => code switch
    {
        LockerErrorCode.TrackNotFound or LockerErrorCode.CoverArtNotFound or LockerErrorCode.PlaylistNotFound or LockerErrorCode.UploadNotFound => StatusCodes.Status404NotFound,
        LockerErrorCode.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        LockerErrorCode.DrmProtected or LockerErrorCode.EmptyFile or LockerErrorCode.CorruptFile or LockerErrorCode.FileTooComplex => StatusCodes.Status422UnprocessableEntity,
        LockerErrorCode.InvalidArgument or LockerErrorCode.InvalidCursor or LockerErrorCode.FileNotFound or LockerErrorCode.FileUnreadable => StatusCodes.Status400BadRequest,
        LockerErrorCode.QuotaExceeded => StatusCodes.Status413PayloadTooLarge,
        LockerErrorCode.Conflict or LockerErrorCode.SourceChanged => StatusCodes.Status409Conflict,
        LockerErrorCode.KeyDestroyed => StatusCodes.Status410Gone,
        LockerErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// Answers <paramref name="exception"/> (the response must not have started). A server-side failure (500: unknown,
    /// integrity, inconsistent) is logged with the exception (event 7002) and answered without the layer's message.
    /// </summary>
    public static Task WriteAsync(HttpContext context, LockerException exception, ILogger logger)
    {
        bool serverSide = exception.ErrorCode is LockerErrorCode.Unknown or LockerErrorCode.IntegrityCheckFailed or LockerErrorCode.Inconsistent;
        if (serverSide)
        {
            AspNetCoreLog.RequestFailed(logger, context.Request.Path.Value ?? string.Empty, exception.ErrorCode, exception);
        }

        return WriteAsync(context, StatusOf(exception.ErrorCode), exception.ErrorCode.ToString(), serverSide
            ? "The locker failed to serve this request." // never echo a layer's internal message (paths, keys)
            : exception.Message);
    }

    /// <summary>Answers an HTTP-level error (the response must not have started).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string error, string message)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("error", error);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
