namespace MusicLocker.Storage.Providers;

/// <summary>One GET that <see cref="RangedRead"/> asks an <see cref="IRangedReadTarget"/> to send.</summary>
public sealed class RangedGetRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="key">The blob.</param>
    /// <param name="requested">The range the caller asked for (a suffix range included), for checks and error messages.</param>
    /// <param name="range">The range to send: <see cref="ByteRange.All"/> or an absolute range, never a suffix.</param>
    /// <param name="ifMatch">The version the bytes must come from, if any.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is default, <paramref name="range"/> is a suffix range, or <paramref name="ifMatch"/> is a default ETag.</exception>
    public RangedGetRequest(BlobKey key, ByteRange requested, ByteRange range, ETag? ifMatch)
    {
        BlobStoreValidation.Key(key);
        if (range.IsSuffix)
        {
            throw new ArgumentException("The range to send must be absolute: resolve a suffix range against the blob's length first.", nameof(range));
        }

        if (ifMatch is { IsDefault: true })
        {
            throw new ArgumentException("IfMatch must not be default(ETag).", nameof(ifMatch));
        }

        Key = key;
        Requested = requested;
        Range = range;
        IfMatch = ifMatch;
    }

    /// <summary>The blob.</summary>
    public BlobKey Key { get; }

    /// <summary>The range the caller asked for (may be a suffix range; use it in error messages).</summary>
    public ByteRange Requested { get; }

    /// <summary>The range to send (<see cref="ByteRange.All"/> or absolute).</summary>
    public ByteRange Range { get; }

    /// <summary>The <c>Range</c> header value to send (<c>bytes=first-last</c> or <c>bytes=first-</c>), or <see langword="null"/> for the whole blob.</summary>
    public string? RangeHeader => Range.ToHttpRangeHeader();

    /// <summary>Send as <c>If-Match</c>: the version the bytes must come from, or <see langword="null"/> for any.</summary>
    public ETag? IfMatch { get; }
}
