using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// Keeps each user's wrapped keys as one small JSON blob, <c>{prefix}t-{tenant}/u-{user}.json</c> (ids percent-escaped),
/// written create-only or If-Match. The default prefix sits under <see cref="EncryptedBlobStore.ReservedPrefix"/>, so the
/// records can share a store with encrypted blobs and stay out of their listings.
/// </summary>
public sealed class BlobUserKeyStore : IUserKeyStore
{
    /// <summary>The default prefix of the records.</summary>
    public const string DefaultPrefix = EncryptedBlobStore.ReservedPrefix + "user-keys/";

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
                if (download.Length > 64 * 1024)
                {
                    throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"User key record '{key}' is {download.Length} bytes; a record is a few hundred.", key.Value);
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
            var rest = item.Key.Value.AsSpan(_prefix.Length);
            int slash = rest.IndexOf('/');
            if (slash < 2 || !rest.StartsWith("t-") || !rest[(slash + 1)..].StartsWith("u-") || !rest.EndsWith(".json"))
            {
                continue;
            }

            yield return new KeyOwner(
                Uri.UnescapeDataString(rest[2..slash].ToString()),
                Uri.UnescapeDataString(rest[(slash + 3)..^5].ToString()));
        }
    }

    /// <summary>The bytes a record takes when stored (what rotation writes per user).</summary>
    internal static byte[] Serialize(UserKeyRecord record)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", 1);
            if (record.DestroyedAt is { } destroyed)
            {
                writer.WriteString("destroyedAt", destroyed.ToString("O", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNumber("current", record.CurrentVersion);
                writer.WriteStartArray("versions");
                foreach (var v in record.Versions)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("version", v.Version);
                    writer.WriteString("created", v.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
                    writer.WriteBase64String("wrapped", v.WrappedKey.Span);
                    if (v.RetiredAt is { } retired)
                    {
                        writer.WriteString("retired", retired.ToString("O", CultureInfo.InvariantCulture));
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private async Task<ETag> WriteAsync(KeyOwner owner, UserKeyRecord record, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = KeyOf(owner);
        try
        {
            var props = await _store.PutBytesAsync(key, Serialize(record), new PutBlobOptions { ContentType = "application/json", Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return props.ETag;
        }
        catch (BlobConditionFailedException ex)
        {
            throw new EncryptionException(EncryptionErrorCode.ConcurrentUpdate, $"The key record of user '{owner}' changed under a concurrent writer.", key.Value, ex);
        }
    }

    private BlobKey KeyOf(KeyOwner owner) =>
        BlobKey.Parse($"{_prefix}t-{Uri.EscapeDataString(owner.TenantId)}/u-{Uri.EscapeDataString(owner.UserId)}.json");

    private static UserKeyRecord Parse(byte[] json, BlobKey key)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.TryGetProperty("destroyedAt", out var destroyed))
            {
                return UserKeyRecord.Tombstone(destroyed.GetDateTimeOffset());
            }

            var versions = new List<WrappedUserKey>();
            foreach (var v in root.GetProperty("versions").EnumerateArray())
            {
                versions.Add(new WrappedUserKey(v.GetProperty("version").GetInt32(), v.GetProperty("wrapped").GetBytesFromBase64(), v.GetProperty("created").GetDateTimeOffset())
                {
                    RetiredAt = v.TryGetProperty("retired", out var retired) ? retired.GetDateTimeOffset() : null,
                });
            }

            return new UserKeyRecord(root.GetProperty("current").GetInt32(), versions);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"User key record '{key}' is malformed: {ex.Message}", key.Value, ex);
        }
    }
}
