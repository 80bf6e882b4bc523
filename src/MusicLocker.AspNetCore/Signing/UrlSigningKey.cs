namespace MusicLocker.AspNetCore;

/// <summary>One HMAC-SHA256 key of signed URLs and share links, with the id that names it inside each token (key rotation).</summary>
public sealed class UrlSigningKey
{
    /// <summary>The fewest key bytes: 32 (the HMAC-SHA256 block security level).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The key's id: 1–32 characters of <c>A–Z a–z 0–9 - _</c>; carried in every token it signs.</summary>
    public required string Id { get; init; }

    /// <summary>The secret: at least <see cref="MinKeyBytes"/> random bytes (e.g. from <c>RandomNumberGenerator.GetBytes(32)</c>).</summary>
    public required ReadOnlyMemory<byte> Key { get; init; }
}
