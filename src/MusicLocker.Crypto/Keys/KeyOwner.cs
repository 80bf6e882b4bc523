namespace MusicLocker.Crypto;

/// <summary>
/// The owner of a user key: a tenant (an app may host several; empty when it hosts one) and a user id within it.
/// Both are bound into every ciphertext and wrapped key of the user.
/// </summary>
public readonly record struct KeyOwner
{
    /// <summary>The longest id, in characters.</summary>
    public const int MaxIdLength = 255;

    /// <summary>Creates an owner.</summary>
    /// <exception cref="ArgumentNullException">An id is <see langword="null"/>.</exception>
    /// <exception cref="EncryptionException">
    /// <see cref="EncryptionErrorCode.KeyContextInvalid"/>: the user id is empty, or an id is longer than
    /// <see cref="MaxIdLength"/> characters or contains '/', a control character or an unpaired surrogate.
    /// </exception>
    public KeyOwner(string tenantId, string userId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(userId);
        if (userId.Length == 0)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, "A key owner's user id must not be empty.");
        }

        Check(tenantId, "tenant");
        Check(userId, "user");
        TenantId = tenantId;
        UserId = userId;
    }

    /// <summary>The tenant id (may be empty).</summary>
    public string TenantId { get; }

    /// <summary>The user id.</summary>
    public string UserId { get; }

    /// <summary>Whether this is <c>default(KeyOwner)</c>, which names no user.</summary>
    internal bool IsDefault => UserId is null;

    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(TenantId) ? UserId ?? string.Empty : TenantId + "/" + UserId;

    /// <summary>Whether <paramref name="id"/> may be a tenant or user id (the empty string passes; the user id checks that apart).</summary>
    internal static string? Problem(string id)
    {
        if (id.Length > MaxIdLength)
        {
            return $"is {id.Length} characters; at most {MaxIdLength} are allowed";
        }

        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (char.IsControl(c) || c == '/')
            {
                return $"contains '/' or a control character (at index {i})";
            }

            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // Encoded to UTF-8 it would become U+FFFD, so two different ids would share one key context.
                return $"contains an unpaired surrogate (at index {i})";
            }
        }

        return null;
    }

    private static void Check(string id, string which)
    {
        if (Problem(id) is { } problem)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, $"A key owner's {which} id '{EncryptionErrors.Quote(id)}' {problem}.");
        }
    }
}
