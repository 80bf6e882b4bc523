using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using MusicLocker.AspNetCore.Diagnostics;
using MusicLocker.AspNetCore.Http;
using MusicLocker.Storage;
using MusicLocker.Streaming;

namespace MusicLocker.AspNetCore;

/// <summary>
/// Writes the whole RFC 9110 answer to a GET or HEAD of one track of one user: <c>Range</c> (<c>a-b</c>, <c>a-</c>,
/// <c>-n</c>; several ranges coalesced and the first served as one 206 part), <c>If-Range</c> (ETag or date), 206 with
/// <c>Content-Range</c>, 416 with <c>Content-Range: bytes */len</c>, <c>If-None-Match</c>/<c>If-Modified-Since</c> → 304,
/// <c>Accept-Ranges</c>, <c>ETag</c>, <c>Last-Modified</c>, <c>Content-Type</c>, <c>Content-Length</c> always, and a time
/// seek (<see cref="TrackResponseOptions.StartAt"/>). The body goes from storage into <c>HttpResponse.BodyWriter</c> through
/// a <see cref="BlobRangeReader"/> (decrypting only the covering chunks, bounded pooled read-ahead); the client going away
/// cancels the storage read. Errors before the headers are JSON (<c>{"error":"TrackNotFound",…}</c>); a storage failure
/// after them aborts the connection (the client sees a short body, never wrong bytes).
/// </summary>
/// <remarks>The caller authenticates and authorises first: the responder serves whatever track of <c>locker</c> it is given. Thread-safe.</remarks>
public sealed class TrackResponder
{
    private readonly BlobRangeReaderOptions? _readerOptions;
    private readonly bool _redirect;
    private readonly TimeSpan _redirectValidity;
    private readonly string _cacheControl;
    private readonly ILogger _logger;

    /// <summary>Creates a responder.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><c>options.RedirectValidity</c> is not positive or over <see cref="TrackResponderOptions.MaxRedirectValidity"/>.</exception>
    public TrackResponder(TrackResponderOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new TrackResponderOptions();
        if (options.RedirectValidity <= TimeSpan.Zero || options.RedirectValidity > TrackResponderOptions.MaxRedirectValidity)
        {
            throw new ArgumentOutOfRangeException("options.RedirectValidity", options.RedirectValidity, "RedirectValidity must be positive and at most 7 days.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.CacheControl, "options.CacheControl");
        _readerOptions = options.RangeReader;
        if (_readerOptions is { ChunkSize: < BlobRangeReaderOptions.MinChunkSize or > BlobRangeReaderOptions.MaxChunkSize })
        {
            throw new ArgumentOutOfRangeException("options.RangeReader.ChunkSize", _readerOptions.ChunkSize, "ChunkSize must be 4 KiB to 16 MiB.");
        }

        if (_readerOptions is { ReadAheadChunks: < 1 or > BlobRangeReaderOptions.MaxReadAheadChunks })
        {
            throw new ArgumentOutOfRangeException("options.RangeReader.ReadAheadChunks", _readerOptions.ReadAheadChunks, "ReadAheadChunks must be 1 to 64.");
        }

        _redirect = options.RedirectToStorage;
        _redirectValidity = options.RedirectValidity;
        _cacheControl = options.CacheControl;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TrackResponder>();
    }

    /// <summary>Answers <paramref name="context"/>'s GET or HEAD with track <paramref name="trackId"/> of <paramref name="locker"/>.</summary>
    /// <returns>Completes when the answer is written, or the client went away.</returns>
    public async Task RespondAsync(HttpContext context, IUserLocker locker, Guid trackId, TrackResponseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(locker);
        options ??= Defaults;
        var aborted = context.RequestAborted;
        using var activity = AspNetCoreTelemetry.StartTrack(trackId);
        try
        {
            var stream = await locker.Downloads.OpenStreamAsync(trackId, aborted).ConfigureAwait(false);
            if (await TryRedirectAsync(context, stream, options, aborted).ConfigureAwait(false))
            {
                AspNetCoreTelemetry.Answered(activity, StatusCodes.Status302Found);
                return;
            }

            int status = options.StartAt is { } time
                ? await WriteTimeSeekAnswerAsync(context, stream, time, options).ConfigureAwait(false)
                : await WriteAnswerAsync(context, stream, options).ConfigureAwait(false);
            AspNetCoreTelemetry.Answered(activity, status);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            AspNetCoreTelemetry.ClientGone(activity);
        }
        catch (LockerException ex) when (!context.Response.HasStarted)
        {
            AspNetCoreTelemetry.Failed(activity, ex.ErrorCode.ToString());
            await LockerProblem.WriteAsync(context, ex, _logger).ConfigureAwait(false);
        }
        catch (LockerException ex)
        {
            // Headers (with Content-Length) are out: the only honest signal left is a cut connection.
            AspNetCoreTelemetry.Failed(activity, ex.ErrorCode.ToString());
            AspNetCoreLog.StreamFailed(_logger, trackId, ex.ErrorCode, ex);
            context.Abort();
        }
    }

    private static readonly TrackResponseOptions Defaults = new();

    private async Task<bool> TryRedirectAsync(HttpContext context, StreamableTrack stream, TrackResponseOptions options, CancellationToken cancellationToken)
    {
        if (!_redirect || !options.AllowRedirect || options.StartAt is not null || options.Download || !stream.CanReadDirectly
            || !HttpMethods.IsGet(context.Request.Method))
        {
            return false;
        }

        var validity = options.MaxRedirectValidity is { } most && most < _redirectValidity ? most : _redirectValidity;
        if (validity < TimeSpan.FromSeconds(1))
        {
            return false; // a URL signed for less than a second may be dead on arrival: answer from here
        }

        var url = await stream.GetDirectReadUrlAsync(TimeSpan.FromSeconds(Math.Floor(validity.TotalSeconds)), cancellationToken).ConfigureAwait(false);
        if (url is null)
        {
            return false;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = url.AbsoluteUri;
        response.Headers.CacheControl = "no-store"; // the URL expires; never cache the redirect
        response.ContentLength = 0;
        return true;
    }

    private async Task<int> WriteAnswerAsync(HttpContext context, StreamableTrack stream, TrackResponseOptions options)
    {
        var (status, offset, length) = WriteHeaders(context, stream, new Representation(stream.Length, QuotedETag(stream.ETag, null)), options);
        if (length > 0)
        {
            long written = await stream.WriteRangeAsync(offset, length, context.Response.BodyWriter, _readerOptions, context.RequestAborted).ConfigureAwait(false);
            AbortIfShort(context, written, length);
        }

        return status;
    }

    /// <summary>
    /// A time seek: the representation is the track from the frame that holds the time to the end, with its own ETag. The
    /// frame is found in the head of the same storage read the body comes from (one read, two for an index interval of over 1 MiB, plus the seek index the first
    /// time), so the headers, which depend on the frame's offset, are written once it is known.
    /// </summary>
    private async Task<int> WriteTimeSeekAnswerAsync(HttpContext context, StreamableTrack stream, TimeSpan time, TrackResponseOptions options)
    {
        int status = 0;
        long length = 0;
        long written = await stream.WriteFromTimeAsync(time, PlannedLength(context.Request, stream), frame =>
        {
            long start = Math.Min(frame.ByteOffset, stream.Length);
            (status, long offset, length) = WriteHeaders(context, stream, new Representation(stream.Length - start, QuotedETag(stream.ETag, start)), options);
            return length > 0 ? new ByteRange(offset, length) : null;
        }, context.Response.BodyWriter, _readerOptions, context.RequestAborted).ConfigureAwait(false);
        AbortIfShort(context, written, length);
        return status;
    }

    /// <summary>
    /// The most bytes from the frame a time-seek answer may send, known before the frame is (the storage read opened at
    /// the index entry covers the interval plus this): a range evaluated against the whole track starts where it starts in
    /// the shorter representation and ends no later. No body (HEAD, a likely 304), a suffix or a range far past the frame:
    /// 0, and the body, if any, is a read of its own.
    /// </summary>
    private static long PlannedLength(HttpRequest request, StreamableTrack stream)
    {
        if (HttpMethods.IsHead(request.Method) || request.Headers.IfNoneMatch.Count > 0)
        {
            return 0;
        }

        if (request.Headers.Range.Count == 0)
        {
            return long.MaxValue;
        }

        var upper = HttpRangeRequest.Evaluate(request.Headers.Range, null, stream.Length, stream.ETag, stream.LastModified);
        return upper.Outcome switch
        {
            RangeOutcome.Full => long.MaxValue,
            RangeOutcome.Partial when upper.Offset <= TimeSeek.MaxTailWindow => upper.Offset + upper.Length,
            _ => 0,
        };
    }

    /// <summary>Writes the status and headers of <paramref name="representation"/>; returns the status and the body's bytes, counted from the representation's start (length 0: none).</summary>
    private (int Status, long Offset, long Length) WriteHeaders(HttpContext context, StreamableTrack stream, Representation representation, TrackResponseOptions options)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.AcceptRanges = "bytes";
        headers.ETag = representation.ETag;
        headers.LastModified = stream.LastModified.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
        headers.CacheControl = _cacheControl;
        if (ConditionalRequest.TryAnswer(context, representation.ETag, stream.LastModified) is > 0 and var answered)
        {
            return (answered, 0, 0);
        }

        // Range applies to GET only (RFC 9110 §14.2): ignored on HEAD. (An OpenSubsonic formPost POST stands for a GET.)
        bool get = !HttpMethods.IsHead(request.Method);
        var decision = HttpRangeRequest.Evaluate(get ? request.Headers.Range : default, get ? request.Headers.IfRange : default, representation.Length, new ETag(representation.ETag), stream.LastModified);
        response.StatusCode = decision.StatusCode;
        response.ContentLength = decision.Length;
        if (decision.ContentRange is not null)
        {
            headers.ContentRange = decision.ContentRange;
        }

        if (decision.Outcome == RangeOutcome.NotSatisfiable)
        {
            return (decision.StatusCode, 0, 0);
        }

        response.ContentType = stream.ContentType;
        if (options.Download || options.FileName is not null)
        {
            headers.ContentDisposition = ContentDispositionOf(options, stream.ContentType);
        }

        bool body = !HttpMethods.IsHead(request.Method) && decision.Length > 0;
        return (decision.StatusCode, decision.Offset, body ? decision.Length : 0);
    }

    private static void AbortIfShort(HttpContext context, long written, long length)
    {
        if (written < length && !context.RequestAborted.IsCancellationRequested)
        {
            context.Abort(); // the pipe's reader completed early: the connection is gone or broken
        }
    }

    private static string ContentDispositionOf(TrackResponseOptions options, string contentType)
    {
        var value = new ContentDispositionHeaderValue(options.Download ? "attachment" : "inline");
        if (options.FileName is { Length: > 0 } name)
        {
            string extension = contentType switch
            {
                "audio/mpeg" => ".mp3",
                "audio/aac" => ".aac",
                "audio/mp4" => ".m4a",
                _ => string.Empty,
            };
            name = SafeFileName(name);
            value.SetHttpFileName(name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) ? name : name + extension);
        }

        return value.ToString();
    }

    internal static string SafeFileName(string name)
    {
        Span<char> buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                buffer[i] = c;
                buffer[++i] = name[i];
                continue;
            }

            // Control characters would break the header; separators would name a folder; a lone surrogate cannot be encoded.
            buffer[i] = char.IsControl(c) || c is '/' or '\\' || char.IsSurrogate(c) ? '_' : c;
        }

        return new string(buffer);
    }

    /// <summary>The strong ETag header value of a representation: the stored version's tag, plus the start offset for a time seek.</summary>
    internal static string QuotedETag(ETag stored, long? start)
    {
        var text = stored.Value.AsSpan().Trim('"');
        var builder = new System.Text.StringBuilder(text.Length + 24).Append('"');
        foreach (char c in text)
        {
            // etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3); anything else from a provider is replaced.
            builder.Append(c is '!' or (>= '#' and <= '~') ? c : '_');
        }

        if (start is { } offset)
        {
            builder.Append(".t").Append(offset.ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append('"').ToString();
    }

    private readonly record struct Representation(long Length, string ETag);
}
