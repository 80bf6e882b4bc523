namespace MusicLocker.Storage;

/// <summary>
/// An opaque version tag of a stored blob. Two reads that return the same ETag read the same bytes. Compared ordinally,
/// exactly as the provider returned it (quotes included).
/// </summary>
public readonly struct ETag : IEquatable<ETag>
{
    private readonly string? _value;

    /// <summary>Wraps a provider's ETag value.</summary>
    public ETag(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary>The ETag text, or an empty string for <c>default(ETag)</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is <c>default(ETag)</c> (no version).</summary>
    public bool IsDefault => _value is null;

    /// <inheritdoc />
    public bool Equals(ETag other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ETag other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Equality.</summary>
    public static bool operator ==(ETag left, ETag right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ETag left, ETag right) => !left.Equals(right);
}
