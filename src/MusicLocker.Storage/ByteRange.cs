using System.Globalization;

namespace MusicLocker.Storage;

/// <summary>
/// A byte range of a blob with RFC 9110 §14.1.2 semantics: the whole blob, <c>offset</c> to the end, <c>offset</c> plus a
/// length (clamped at the end of the blob), or the last <c>n</c> bytes (a suffix).
/// </summary>
public readonly struct ByteRange : IEquatable<ByteRange>
{
    private readonly long _offset;
    private readonly long _length; // 0 = open-ended (never a valid explicit length)
    private readonly Kind _kind;

    /// <summary>The whole blob (also <c>default(ByteRange)</c>). Unlike <c>new ByteRange(0)</c>, it is satisfiable for an empty blob.</summary>
    public static ByteRange All => default;

    /// <summary>A range from <paramref name="offset"/>, of <paramref name="length"/> bytes or to the end when <see langword="null"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative or the length is not positive.</exception>
    public ByteRange(long offset, long? length = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(l, nameof(length));
            if (l > long.MaxValue - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(length), l, "offset + length overflows a 64-bit position.");
            }
        }

        _offset = offset;
        _length = length ?? 0;
        _kind = Kind.Offset;
    }

    private ByteRange(long suffixLength, Kind kind)
    {
        _offset = 0;
        _length = suffixLength;
        _kind = kind;
    }

    private enum Kind : byte
    {
        All,
        Offset,
        Suffix,
    }

    /// <summary>The last <paramref name="length"/> bytes of the blob (the whole blob when it is shorter).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is not positive.</exception>
    public static ByteRange Suffix(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return new ByteRange(length, Kind.Suffix);
    }

    /// <summary>Whether this is the whole blob.</summary>
    public bool IsAll => _kind == Kind.All;

    /// <summary>Whether this is a suffix range (the last <see cref="Length"/> bytes).</summary>
    public bool IsSuffix => _kind == Kind.Suffix;

    /// <summary>The first byte, or <see langword="null"/> for a suffix range.</summary>
    public long? Offset => _kind == Kind.Suffix ? null : _offset;

    /// <summary>The number of bytes asked for, or <see langword="null"/> when open-ended.</summary>
    public long? Length => _length == 0 ? null : _length;

    /// <summary>
    /// Resolves the range against a blob of <paramref name="blobLength"/> bytes, clamping lengths at the end of the blob.
    /// </summary>
    /// <returns><see langword="false"/> when the range is not satisfiable (it starts at or past the end, or asks a suffix of an empty blob).</returns>
    public bool TryResolve(long blobLength, out long offset, out long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blobLength);
        if (IsAll)
        {
            offset = 0;
            length = blobLength;
            return true;
        }

        if (_kind == Kind.Suffix)
        {
            length = Math.Min(_length, blobLength);
            offset = blobLength - length;
            return length > 0;
        }

        if (_offset >= blobLength)
        {
            offset = length = 0;
            return false;
        }

        offset = _offset;
        length = _length == 0 ? blobLength - _offset : Math.Min(_length, blobLength - _offset);
        return true;
    }

    /// <summary>The range as an HTTP <c>Range</c> header value (<c>bytes=0-99</c>, <c>bytes=100-</c>, <c>bytes=-500</c>), or <see langword="null"/> for the whole blob.</summary>
    public string? ToHttpRangeHeader()
    {
        if (IsAll)
        {
            return null;
        }

        if (_kind == Kind.Suffix)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bytes=-{_length}");
        }

        return _length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"bytes={_offset}-")
            : string.Create(CultureInfo.InvariantCulture, $"bytes={_offset}-{_offset + _length - 1}");
    }

    /// <inheritdoc />
    public bool Equals(ByteRange other) => _offset == other._offset && _length == other._length && _kind == other._kind;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ByteRange other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_offset, _length, _kind);

    /// <inheritdoc />
    public override string ToString() => ToHttpRangeHeader() ?? "bytes=0-";

    /// <summary>Equality.</summary>
    public static bool operator ==(ByteRange left, ByteRange right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ByteRange left, ByteRange right) => !left.Equals(right);
}
