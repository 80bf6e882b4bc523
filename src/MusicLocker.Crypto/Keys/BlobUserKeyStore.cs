using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MusicLocker.Crypto.Internal;
using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// Keeps each user's wrapped keys as one small JSON blob, <c>{prefix}t-{tenant}/u-{user}.json</c> (ids percent-escaped;
/// when that name would pass the blob key limit, <c>{prefix}h-{hex SHA-256 of the ids}.json</c>, the ids then read from
/// the record), written create-only or If-Match. The default prefix sits under <see cref="EncryptedBlobStore.ReservedPrefix"/>, so the
/// records can share a store with encrypted blobs and stay out of their listings.
/// </summary>
public sealed class BlobUserKeyStore : IUserKeyStore
{
    /// <summary>The default prefix of the records.</summary>
    public const string DefaultPrefix = EncryptedBlobStore.ReservedPrefix + "user-keys/";

    private const string HashedPrefix = "h-";

    /// <summary>A record holds a few versions: a few hundred bytes.</summary>
    private const int MaxRecordLength = 64 * 1024;

    private readonly IBlobStore _store;
    private readonly string _prefix;

    /// <summary>Creates the store over <paramref name="store"/>.</summary>
    public BlobUserKeyStore(IBlobStore store, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        _store = store;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public async Task<StoredUserKeyRecord> ReadAsync(KeyOwner owner, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(owner);
        try
        {
            var download = await _store.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                if (download.Length > MaxRecordLength)
                {
                    throw new EncryptionException(EncryptionErrorCode.KeyRecordInvalid, $"User key record '{key}' is {download.Length} bytes; a record is a few hundred.", key.Value);
                }

                var bytes = new byte[download.Length];
                await download.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return new StoredUserKeyRecord(Parse(bytes, key), download.Properties.ETag);
            }
        }
        catch (BlobNotFoundException ex)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"User '{owner}' has no key record ('{key}').", key.Value, ex);
        }
    }

    /// <inheritdoc />
    public Task<ETag> CreateAsync(KeyOwner owner, UserKeyRecord record, CancellationToken cancellationToken = default) =>
        WriteAsync(owner, record, BlobRequestConditions.CreateOnly, cancellationToken);

    /// <inheritdoc />
    public Task<ETag> ReplaceAsync(KeyOwner owner, UserKeyRecord record, ETag ifMatch, CancellationToken cancellationToken = default) =>
        WriteAsync(owner, record, BlobRequestConditions.Matching(ifMatch), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyOwner> ListOwnersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in _store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false))
        {
            KeyOwner? owner = TryParseOwner(item.Key.Value.AsSpan(_prefix.Length), out var named) ? named
                : IsHashed(item.Key) ? await TryReadHashedOwnerAsync(item.Key, cancellationToken).ConfigureAwait(false)
                : null;
            if (owner is { } found)
            {
                yield return found;
            }
        }
    }

    /// <summary>The bytes a record takes when stored (what rotation writes per user).</summary>
    internal static byte[] Serialize(UserKeyRecord record, KeyOwner? owner = null)
    {
        var document = new UserKeyRecordDocument { Tenant = owner?.TenantId, User = owner?.UserId };
        if (record.DestroyedAt is { } destroyed)
        {
            document.DestroyedAt = destroyed;
        }
        else
        {
            document.Current = record.CurrentVersion;
            document.Versions = new List<UserKeyVersionDocument>(record.Versions.Count);
            foreach (var v in record.Versions)
            {
                document.Versions.Add(new UserKeyVersionDocument { Version = v.Version, Created = v.CreatedAt, Wrapped = v.WrappedKey.ToArray(), Retired = v.RetiredAt });
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(document, CryptoJsonContext.Default.UserKeyRecordDocument);
    }

    private async Task<ETag> WriteAsync(KeyOwner owner, UserKeyRecord record, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = KeyOf(owner);
        try
        {
            var props = await _store.PutBytesAsync(key, Serialize(record, IsHashed(key) ? owner : null), new PutBlobOptions { ContentType = "application/json", Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return props.ETag;
        }
        catch (BlobConditionFailedException ex)
        {
            throw new EncryptionException(EncryptionErrorCode.ConcurrentUpdate, $"The key record of user '{owner}' changed under a concurrent writer.", key.Value, ex);
        }
    }

    /// <summary>The owner a record name stands for; a name that is not a record's (a foreign blob under the prefix) is skipped, not an error.</summary>
    private static bool TryParseOwner(ReadOnlySpan<char> rest, out KeyOwner owner)
    {
        owner = default;
        int slash = rest.IndexOf('/');
        if (slash < 2 || !rest.StartsWith("t-") || rest.Length < slash + 8 || !rest[(slash + 1)..].StartsWith("u-") || !rest.EndsWith(".json"))
        {
            return false;
        }

        string tenant = Uri.UnescapeDataString(rest[2..slash].ToString());
        string user = Uri.UnescapeDataString(rest[(slash + 3)..^5].ToString());
        if (user.Length == 0 || KeyOwner.Problem(tenant) is not null || KeyOwner.Problem(user) is not null)
        {
            return false;
        }

        owner = new KeyOwner(tenant, user);
        return true;
    }

    /// <summary>
    /// The record's key: readable names while they fit the blob key limit; for long ids (a 255-character id of 3-byte
    /// characters escapes to 2 295), a name from their hash, so every valid owner has a record.
    /// </summary>
    private BlobKey KeyOf(KeyOwner owner)
    {
        UserKeyManager.CheckOwner(owner);
        if (BlobKey.TryParse($"{_prefix}t-{Uri.EscapeDataString(owner.TenantId)}/u-{Uri.EscapeDataString(owner.UserId)}.json", out var key, out _))
        {
            return key;
        }

        var ids = Encoding.UTF8.GetBytes(owner.TenantId + "\0" + owner.UserId);
        return BlobKey.Parse($"{_prefix}{HashedPrefix}{Convert.ToHexStringLower(SHA256.HashData(ids))}.json");
    }

    private bool IsHashed(BlobKey key) => key.Value.AsSpan(_prefix.Length).StartsWith(HashedPrefix, StringComparison.Ordinal);

    /// <summary>The owner a hashed record names (from its own fields, checked against its name), or <see langword="null"/> for anything else.</summary>
    private async Task<KeyOwner?> TryReadHashedOwnerAsync(BlobKey key, CancellationToken cancellationToken)
    {
        UserKeyRecordDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(await _store.ReadAllBytesAsync(key, null, MaxRecordLength, cancellationToken).ConfigureAwait(false), CryptoJsonContext.Default.UserKeyRecordDocument);
        }
        catch (Exception ex) when (ex is JsonException or BlobStoreException)
        {
            return null;
        }

        if (document is not { Tenant: { } tenant, User: { Length: > 0 } user } || KeyOwner.Problem(tenant) is not null || KeyOwner.Problem(user) is not null)
        {
            return null;
        }

        var owner = new KeyOwner(tenant, user);
        return KeyOf(owner) == key ? owner : null;
    }

    private static UserKeyRecord Parse(byte[] json, BlobKey key)
    {
        try
        {
            var document = JsonSerializer.Deserialize(json, CryptoJsonContext.Default.UserKeyRecordDocument) ?? throw new JsonException("the record is null");
            if (document.DestroyedAt is { } destroyed)
            {
                return UserKeyRecord.Tombstone(destroyed);
            }

            if (document.Current is not { } current || document.Versions is not { } stored)
            {
                throw new JsonException("'current' and 'versions' are required in a record that is not a tombstone");
            }

            var versions = new List<WrappedUserKey>(stored.Count);
            foreach (var v in stored)
            {
                versions.Add(new WrappedUserKey(v.Version, v.Wrapped, v.Created) { RetiredAt = v.Retired });
            }

            return new UserKeyRecord(current, versions);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRecordInvalid, $"User key record '{key}' is malformed: {EncryptionErrors.Quote(ex.Message)}", key.Value, ex);
        }
    }
}
