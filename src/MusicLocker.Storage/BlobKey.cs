using System.Text;

namespace MusicLocker.Storage;

/// <summary>
/// The name of a blob: one or more <c>/</c>-separated segments of Unicode text, validated once so that every
/// provider can map it to a path, an S3 key or an Azure blob name without surprises.
/// </summary>
/// <remarks>
/// Rules (each broken rule is reported by <see cref="InvalidBlobKeyException"/> naming the key and the rule):
/// not empty; at most <see cref="MaxUtf8Length"/> UTF-8 bytes; no leading <c>/</c>; no empty segment (<c>a//b</c>,
/// trailing <c>/</c>); no <c>.</c> or <c>..</c> segment; no backslash; no control character (U+0000–U+001F, U+007F–U+009F);
/// no unpaired surrogate. Keys compare ordinally and are never normalised: <c>"é"</c> precomposed and decomposed are two keys.
/// </remarks>
public readonly struct BlobKey : IEquatable<BlobKey>, IComparable<BlobKey>
{
    /// <summary>The largest key, in UTF-8 bytes (the S3 and Azure limit).</summary>
    public const int MaxUtf8Length = 1024;

    private readonly string? _value;

    private BlobKey(string value) => _value = value;

    /// <summary>The key text. A default <see cref="BlobKey"/> has no value and is refused by every store.</summary>
    public string Value => _value ?? throw new InvalidOperationException("This BlobKey is default(BlobKey) and has no value; create keys with BlobKey.Parse.");

    /// <summary>Whether this is <c>default(BlobKey)</c>.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Validates <paramref name="value"/> and returns it as a key.</summary>
    /// <exception cref="InvalidBlobKeyException">The value breaks one of the key rules; the message names the rule.</exception>
    public static BlobKey Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var rule = Validate(value, out string? detail);
        if (rule != BlobKeyRule.Unknown)
        {
            ThrowHelper.ThrowInvalidKey(value, rule, detail!);
        }

        return new BlobKey(value);
    }

    /// <summary>Tries to validate <paramref name="value"/> as a key.</summary>
    /// <returns>
    /// <see langword="false"/> with <paramref name="rule"/> set to the broken rule when the value is not a valid key;
    /// <see langword="true"/> with <paramref name="rule"/> = <see cref="BlobKeyRule.Unknown"/> (no rule broken) when it is.
    /// </returns>
    public static bool TryParse(string? value, out BlobKey key, out BlobKeyRule rule)
    {
        rule = value is null ? BlobKeyRule.Empty : Validate(value, out _);
        key = rule == BlobKeyRule.Unknown ? new BlobKey(value!) : default;
        return rule == BlobKeyRule.Unknown;
    }

    /// <summary>Returns the key with <paramref name="child"/> appended as further segments (<c>this/child</c>).</summary>
    public BlobKey Append(string child) => Parse(Value + "/" + child);

    /// <summary>The last segment of the key.</summary>
    public string Name
    {
        get
        {
            var v = Value;
            return v[(v.LastIndexOf('/') + 1)..];
        }
    }

    /// <summary>Returns the rule <paramref name="value"/> breaks (with <paramref name="detail"/> in words), or <see cref="BlobKeyRule.Unknown"/> when it is a valid key.</summary>
    internal static BlobKeyRule Validate(string value, out string? detail)
    {
        detail = null;
        if (value.Length == 0)
        {
            detail = "a key must not be empty";
            return BlobKeyRule.Empty;
        }

        if (value[0] == '/')
        {
            detail = "a key must not start with '/'";
            return BlobKeyRule.LeadingSlash;
        }

        int segmentStart = 0;
        for (int i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == '/')
            {
                int length = i - segmentStart;
                if (length == 0)
                {
                    if (i == value.Length)
                    {
                        detail = "a key must not end with '/'";
                        return BlobKeyRule.TrailingSlash;
                    }

                    detail = $"a key must not contain an empty segment ('//' at index {i - 1})";
                    return BlobKeyRule.EmptySegment;
                }

                if ((length == 1 && value[segmentStart] == '.') || (length == 2 && value[segmentStart] == '.' && value[segmentStart + 1] == '.'))
                {
                    detail = $"a key must not contain a '.' or '..' segment (at index {segmentStart})";
                    return BlobKeyRule.DotSegment;
                }

                segmentStart = i + 1;
                continue;
            }

            char c = value[i];
            if (c == '\\')
            {
                detail = $"a key must not contain a backslash (at index {i})";
                return BlobKeyRule.Backslash;
            }

            if (char.IsControl(c))
            {
                detail = $"a key must not contain a control character (U+{(int)c:X4} at index {i})";
                return BlobKeyRule.ControlCharacter;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    detail = $"a key must not contain an unpaired surrogate (at index {i})";
                    return BlobKeyRule.UnpairedSurrogate;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                detail = $"a key must not contain an unpaired surrogate (at index {i})";
                return BlobKeyRule.UnpairedSurrogate;
            }
        }

        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxUtf8Length)
        {
            detail = $"a key must be at most {MaxUtf8Length} UTF-8 bytes (this one is {bytes})";
            return BlobKeyRule.TooLong;
        }

        return BlobKeyRule.Unknown;
    }

    /// <inheritdoc />
    public bool Equals(BlobKey other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BlobKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>Compares keys by their UTF-8 bytes, the order in which stores list them.</summary>
    public int CompareTo(BlobKey other) => Utf8Ordinal.Compare(_value, other._value);

    /// <inheritdoc />
    public override string ToString() => _value ?? string.Empty;

    /// <summary>Equality.</summary>
    public static bool operator ==(BlobKey left, BlobKey right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BlobKey left, BlobKey right) => !left.Equals(right);

    /// <summary>Ordering by UTF-8 bytes.</summary>
    public static bool operator <(BlobKey left, BlobKey right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by UTF-8 bytes.</summary>
    public static bool operator >(BlobKey left, BlobKey right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by UTF-8 bytes.</summary>
    public static bool operator <=(BlobKey left, BlobKey right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by UTF-8 bytes.</summary>
    public static bool operator >=(BlobKey left, BlobKey right) => left.CompareTo(right) >= 0;
}
