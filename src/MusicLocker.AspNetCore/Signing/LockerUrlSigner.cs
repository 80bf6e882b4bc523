using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MusicLocker.AspNetCore;

/// <summary>
/// Signs and checks the tokens of signed stream URLs and share links: HMAC-SHA256 over user, resource, permission and
/// expiry, with a key id for rotation (the first key signs, every key verifies), compared in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>). The format is in <c>docs/streaming-http.md</c>. Thread-safe.
/// </summary>
public sealed class LockerUrlSigner
{
    /// <summary>The longest token accepted (longer text is refused before any decoding).</summary>
    public const int MaxTokenLength = 1024;

    private const string Version = "1";
    private const int MacBytes = 32;
    private const int MaxUserIdLength = 256;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly string _signingKeyId;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer over <paramref name="keys"/> (the first signs; all verify).</summary>
    /// <exception cref="ArgumentException">No key, a key shorter than <see cref="UrlSigningKey.MinKeyBytes"/>, a bad or repeated id.</exception>
    public LockerUrlSigner(IReadOnlyList<UrlSigningKey> keys, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one signing key is needed.", nameof(keys));
        }

        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (!IsValidKeyId(key.Id))
            {
                throw new ArgumentException($"Signing key id '{key.Id}' must be 1-32 characters of A-Z a-z 0-9 - _.", nameof(keys));
            }

            if (key.Key.Length < UrlSigningKey.MinKeyBytes)
            {
                throw new ArgumentException($"Signing key '{key.Id}' has {key.Key.Length} bytes; at least {UrlSigningKey.MinKeyBytes} are needed.", nameof(keys));
            }

            if (!_keys.TryAdd(key.Id, key.Key.ToArray())) // copied: a caller changing its buffer changes nothing
            {
                throw new ArgumentException($"Signing key id '{key.Id}' appears twice.", nameof(keys));
            }
        }

        _signingKeyId = keys[0].Id;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The signer's clock.</summary>
    public TimeProvider TimeProvider => _time;

    private static readonly SearchValues<char> TokenChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>A token for <paramref name="grant"/>, URL-safe (base64url and one dot).</summary>
    /// <exception cref="ArgumentException">The grant has an empty or over-long user id, an unknown resource or permission.</exception>
    public string Sign(SignedGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (string.IsNullOrEmpty(grant.UserId) || grant.UserId.Length > MaxUserIdLength || grant.UserId.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("The user id must be 1-256 characters without a line break.", nameof(grant));
        }

        if (grant.Resource is not (SignedResource.Track or SignedResource.Playlist) || grant.Access is not (SignedAccess.Stream or SignedAccess.Download))
        {
            throw new ArgumentException("The grant needs a resource (Track, Playlist) and a permission (Stream, Download).", nameof(grant));
        }

        byte[] bytes = Encoding.UTF8.GetBytes(Payload(_signingKeyId, grant));
        byte[] mac = HMACSHA256.HashData(_keys[_signingKeyId], bytes);
        return Base64Url.EncodeToString(bytes) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Checks a token's shape, key, signature and expiry (not what it is used for: see <see cref="Authorize"/>).</summary>
    /// <returns><see cref="TokenRejection.None"/> and the grant, or why it was refused. Never throws for any text.</returns>
    public TokenRejection Validate(string? token, out SignedGrant? grant)
    {
        grant = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return TokenRejection.Malformed;
        }

        // Only the characters Sign writes: the base64url decoder skips white space, which would let one grant be written many ways.
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != token.LastIndexOf('.') || token.AsSpan().ContainsAnyExcept(TokenChars))
        {
            return TokenRejection.Malformed;
        }

        Span<byte> payload = stackalloc byte[MaxTokenLength];
        Span<byte> mac = stackalloc byte[MaxTokenLength];
        if (Base64Url.DecodeFromChars(token.AsSpan(0, dot), payload, out _, out int payloadLength) != System.Buffers.OperationStatus.Done
            || Base64Url.DecodeFromChars(token.AsSpan(dot + 1), mac, out _, out int macLength) != System.Buffers.OperationStatus.Done
            || macLength != MacBytes)
        {
            return TokenRejection.Malformed;
        }

        payload = payload[..payloadLength];
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return TokenRejection.Malformed;
        }

        string[] fields = text.Split('\n');
        if (fields.Length != 7 || fields[0] != Version)
        {
            return TokenRejection.Malformed;
        }

        if (!_keys.TryGetValue(fields[1], out byte[]? key))
        {
            return TokenRejection.UnknownKey;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        HMACSHA256.HashData(key, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac[..MacBytes]))
        {
            return TokenRejection.BadSignature;
        }

        // Signed by us: the fields were written by Sign, but parse them defensively all the same.
        if (!int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out int resource)
            || !Guid.TryParseExact(fields[4], "N", out var id)
            || !int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out int permission)
            || !long.TryParse(fields[6], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long expires)
            || expires is < -62_135_596_800 or > 253_402_300_799
            || fields[2].Length is 0 or > MaxUserIdLength)
        {
            return TokenRejection.Malformed;
        }

        var parsed = new SignedGrant(fields[2], (SignedResource)resource, id, (SignedAccess)permission, DateTimeOffset.FromUnixTimeSeconds(expires));

        // One grant, one spelling: only what Sign writes (no "02", "+17…", "017…", upper-case hex, access 3 read as download).
        if (parsed.Resource is not (SignedResource.Track or SignedResource.Playlist) || parsed.Access is not (SignedAccess.Stream or SignedAccess.Download)
            || !string.Equals(text, Payload(fields[1], parsed), StringComparison.Ordinal))
        {
            return TokenRejection.Malformed;
        }

        if (_time.GetUtcNow() >= parsed.ExpiresAt)
        {
            return TokenRejection.Expired;
        }

        grant = parsed;
        return TokenRejection.None;
    }

    /// <summary>The signed text of <paramref name="grant"/> under key <paramref name="keyId"/> (the format in docs/streaming-http.md).</summary>
    private static string Payload(string keyId, SignedGrant grant) => string.Join('\n',
        Version,
        keyId,
        grant.UserId,
        ((int)grant.Resource).ToString(CultureInfo.InvariantCulture),
        grant.ResourceId.ToString("N"),
        ((int)grant.Access).ToString(CultureInfo.InvariantCulture),
        grant.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Checks a token and that it allows <paramref name="permission"/> on <paramref name="resource"/> <paramref name="resourceId"/>
    /// (a download token also allows streaming).
    /// </summary>
    public TokenRejection Authorize(string? token, SignedResource resource, Guid resourceId, SignedAccess permission, out SignedGrant? grant)
    {
        var rejection = Validate(token, out grant);
        if (rejection != TokenRejection.None)
        {
            return rejection;
        }

        if (grant!.Resource != resource || grant.ResourceId != resourceId)
        {
            grant = null;
            return TokenRejection.WrongResource;
        }

        if (grant.Access < permission)
        {
            grant = null;
            return TokenRejection.WrongPermission;
        }

        return TokenRejection.None;
    }

    private static bool IsValidKeyId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 32)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
