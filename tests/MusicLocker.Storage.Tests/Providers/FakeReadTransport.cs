using System.Globalization;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Tests.Providers;

/// <summary>
/// An in-process object store behind <see cref="IRangedReadTarget"/> that records every request and can misbehave the
/// ways real servers and emulators do: ignore a range, stretch or shift it, ignore If-Match, cut a body short, change the
/// blob between a HEAD and a GET. It builds its answers the way a provider does (<see cref="RangeResponse"/>).
/// </summary>
internal sealed class FakeReadTransport : IRangedReadTarget
{
    private readonly Dictionary<BlobKey, (byte[] Bytes, ETag ETag)> _blobs = [];
    private int _version;

    /// <summary>Every request, as <c>HEAD key</c> or <c>GET key range if-match</c>.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Answer every GET with the whole blob, 200 and no Content-Range.</summary>
    public bool IgnoreRanges { get; set; }

    /// <summary>Send this many bytes more than asked (the Content-Range says so too).</summary>
    public int StretchBy { get; set; }

    /// <summary>Serve the range from this many bytes further on.</summary>
    public int ShiftBy { get; set; }

    /// <summary>Serve whatever version there is, whatever If-Match says.</summary>
    public bool IgnoreIfMatch { get; set; }

    /// <summary>End the body after this many bytes while Content-Length promises the whole range.</summary>
    public int? CutBodyAfter { get; set; }

    /// <summary>Replace the Content-Range header with this text.</summary>
    public string? ContentRangeOverride { get; set; }

    /// <summary>Runs before each GET is answered (a concurrent writer).</summary>
    public Action? BeforeGet { get; set; }

    /// <summary>Responses opened and not disposed yet.</summary>
    public int OpenResponses => _open;

    public string StoreName => "fake";

    private int _open;

    public ETag Put(BlobKey key, byte[] bytes)
    {
        var etag = new ETag(string.Create(CultureInfo.InvariantCulture, $"\"v{++_version}\""));
        _blobs[key] = (bytes, etag);
        return etag;
    }

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken)
    {
        Requests.Add($"HEAD {key}");
        var (bytes, etag) = Find(key);
        return Task.FromResult(new BlobProperties(key, bytes.Length, etag, DateTimeOffset.UnixEpoch));
    }

    public Task<BlobDownload> GetAsync(RangedGetRequest request, CancellationToken cancellationToken)
    {
        Requests.Add($"GET {request.Key} {request.RangeHeader ?? "all"} {request.IfMatch?.Value ?? "any"}");
        BeforeGet?.Invoke();
        var (bytes, etag) = Find(request.Key);
        if (request.IfMatch is { } wanted && wanted != etag && !IgnoreIfMatch)
        {
            throw new BlobConditionFailedException(request.Key.Value, $"412: not at {wanted}");
        }

        int offset = 0, length = bytes.Length;
        string? contentRange = null;
        if (!request.Range.IsAll && !IgnoreRanges)
        {
            if (!request.Range.TryResolve(bytes.Length, out long o, out long l))
            {
                throw new RangeNotSatisfiableException(request.Key.Value, request.Requested, bytes.Length);
            }

            offset = Math.Min((int)o + ShiftBy, bytes.Length);
            length = Math.Min((int)l + StretchBy, bytes.Length - offset);
            contentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + length - 1}/{bytes.Length}");
        }

        contentRange = ContentRangeOverride ?? contentRange;
        var body = new MemoryStream(bytes, offset, Math.Min(length, CutBodyAfter ?? length), writable: false);
        var response = new Response(this);
        try
        {
            var served = RangeResponse.Resolve(request, etag, contentRange, length);
            var properties = new BlobProperties(request.Key, served.BlobLength, etag, DateTimeOffset.UnixEpoch);
            return Task.FromResult(RangeResponse.CreateDownload(body, response, properties, served));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private (byte[] Bytes, ETag ETag) Find(BlobKey key) =>
        _blobs.TryGetValue(key, out var blob) ? blob : throw new BlobNotFoundException(key.Value);

    private sealed class Response : IDisposable
    {
        private FakeReadTransport? _owner;

        public Response(FakeReadTransport owner)
        {
            _owner = owner;
            Interlocked.Increment(ref owner._open);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner)
            {
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}
