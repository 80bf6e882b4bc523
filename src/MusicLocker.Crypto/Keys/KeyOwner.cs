namespace MusicLocker.Crypto;

/// <summary>
/// The owner of a user key: a tenant (an app may host several; empty when it hosts one) and a user id within it.
/// Both are bound into every ciphertext and wrapped key of the user.
/// </summary>
public readonly record struct KeyOwner
{
    /// <summary>Creates an owner.</summary>
    /// <exception cref="ArgumentException">An id is longer than 255 characters, contains a control character or '/', or the user id is empty.</exception>
    public KeyOwner(string tenantId, string userId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        Check(tenantId, nameof(tenantId));
        Check(userId, nameof(userId));
        TenantId = tenantId;
        UserId = userId;
    }

    /// <summary>The tenant id (may be empty).</summary>
    public string TenantId { get; }

    /// <summary>The user id.</summary>
    public string UserId { get; }

    /// <inheritdoc />
    public override string ToString() => TenantId.Length == 0 ? UserId : TenantId + "/" + UserId;

    private static void Check(string id, string paramName)
    {
        if (id.Length > 255)
        {
            throw new ArgumentException($"An id is at most 255 characters; this one has {id.Length}.", paramName);
        }

        foreach (char c in id)
        {
            if (char.IsControl(c) || c == '/')
            {
                throw new ArgumentException($"An id must not contain '/' or control characters: '{id}'.", paramName);
            }
        }
    }
}
