using System.Globalization;

namespace MusicLocker.Streaming;

/// <summary>What to answer a GET for a representation of known length: 200 whole, 206 one range, or 416.</summary>
public enum RangeOutcome
{
    /// <summary>Not decided (<c>default(RangeDecision)</c>).</summary>
    Unknown = 0,

    /// <summary>200: send the whole representation (no Range, an ignored Range, or a failed If-Range).</summary>
    Full = 200,

    /// <summary>206: send <see cref="RangeDecision.Length"/> bytes from <see cref="RangeDecision.Offset"/> with <see cref="RangeDecision.ContentRange"/>.</summary>
    Partial = 206,

    /// <summary>416: no requested range is satisfiable; send <see cref="RangeDecision.ContentRange"/> (<c>bytes */len</c>) and no body.</summary>
    NotSatisfiable = 416,
}

/// <summary>The answer <see cref="HttpRangeRequest.Evaluate"/> decided: status, the bytes to send, and the <c>Content-Range</c> value.</summary>
public readonly record struct RangeDecision
{
    private RangeDecision(RangeOutcome outcome, long offset, long length, string? contentRange)
    {
        Outcome = outcome;
        Offset = offset;
        Length = length;
        ContentRange = contentRange;
    }

    /// <summary>The outcome; its numeric value is the HTTP status code.</summary>
    public RangeOutcome Outcome { get; }

    /// <summary>The HTTP status code (200, 206 or 416).</summary>
    public int StatusCode => (int)Outcome;

    /// <summary>The first byte to send (0 for 200 and 416).</summary>
    public long Offset { get; }

    /// <summary>The number of bytes to send, i.e. <c>Content-Length</c> (the whole length for 200, 0 for 416).</summary>
    public long Length { get; }

    /// <summary>The <c>Content-Range</c> value (<c>bytes a-b/len</c> for 206, <c>bytes */len</c> for 416), or <see langword="null"/> for 200.</summary>
    public string? ContentRange { get; }

    internal static RangeDecision Full(long length) => new(RangeOutcome.Full, 0, length, null);

    internal static RangeDecision Partial(long offset, long length, long total) =>
        new(RangeOutcome.Partial, offset, length, string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + length - 1}/{total}"));

    internal static RangeDecision NotSatisfiable(long total) =>
        new(RangeOutcome.NotSatisfiable, 0, 0, string.Create(CultureInfo.InvariantCulture, $"bytes */{total}"));
}
