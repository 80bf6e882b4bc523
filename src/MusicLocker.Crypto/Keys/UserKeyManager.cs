using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.Crypto.Diagnostics;

namespace MusicLocker.Crypto;

/// <summary>
/// The middle of the key hierarchy: one key per user, wrapped by the master key and kept in an <see cref="IUserKeyStore"/>.
/// Creates a user's key on first use, caches unwrapped keys for <see cref="UserKeyManagerOptions.CacheDuration"/>,
/// rotates the master key (rewrapping user keys only) and destroys user keys (crypto-shredding). Thread-safe; share one.
/// </summary>
public sealed class UserKeyManager
{
    private const int MaxAttempts = 8;

    private readonly IMasterKeyProvider _master;
    private readonly IUserKeyStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<KeyOwner, CachedUser> _cache = new();

    /// <summary>Creates the manager; <paramref name="options"/> are copied (later changes to them have no effect).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="UserKeyManagerOptions.CacheDuration"/> is negative.</exception>
    public UserKeyManager(IMasterKeyProvider masterKeys, IUserKeyStore store, UserKeyManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(masterKeys);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new UserKeyManagerOptions();
        var cacheDuration = options.CacheDuration;
        if (cacheDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.CacheDuration", cacheDuration, "The cache duration must not be negative (zero disables the cache).");
        }

        _master = masterKeys;
        _store = store;
        _time = options.TimeProvider ?? TimeProvider.System;
        _cacheDuration = cacheDuration;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<UserKeyManager>();
    }

    /// <summary>The manager's logger (the encrypted store logs its key operations beside the manager's when it has none of its own).</summary>
    internal ILogger Logger => _logger;

    /// <summary>
    /// Destroys <paramref name="owner"/>'s key: the record becomes a tombstone (create-only or If-Match, so no racing writer
    /// can restore or recreate a key), and this manager's cache of it is cleared. Every object of the user — and every
    /// copy of those blobs — is unreadable from then on, with <see cref="KeyDestroyedException"/>. Other managers over the
    /// same store notice within their cache duration.
    /// </summary>
    public async Task DestroyUserKeyAsync(KeyOwner owner, CancellationToken cancellationToken = default)
    {
        CheckOwner(owner);
        using var activity = CryptoTelemetry.Start("user_key.destroy", owner);
        try
        {
            await DestroyCoreAsync(owner, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }

        CryptoLog.UserKeyDestroyed(_logger, owner);
    }

    private async Task DestroyCoreAsync(KeyOwner owner, CancellationToken cancellationToken)
    {
        Purge(owner);
        var tombstone = UserKeyRecord.Tombstone(_time.GetUtcNow());
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                StoredUserKeyRecord current;
                try
                {
                    current = await _store.ReadAsync(owner, cancellationToken).ConfigureAwait(false);
                }
                catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.KeyNotFound)
                {
                    await _store.CreateAsync(owner, tombstone, cancellationToken).ConfigureAwait(false);
                    break;
                }

                if (current.Record.IsDestroyed)
                {
                    break;
                }

                await _store.ReplaceAsync(owner, tombstone, current.ETag, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.ConcurrentUpdate && attempt < MaxAttempts)
            {
                // A writer changed the record between our read and write; read again and destroy what is there now.
            }
        }

        Purge(owner);
    }

    /// <summary>
    /// Rewraps every user's key versions under the master-key provider's current key (rotate the provider first), each
    /// record replaced If-Match. No data key and no stored object is read or written.
    /// </summary>
    public async Task<MasterKeyRotationResult> RotateMasterKeyAsync(CancellationToken cancellationToken = default)
    {
        using var activity = CryptoTelemetry.Start("master_key.rotate");
        try
        {
            var result = await RotateMasterCoreAsync(cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.crypto.users", result.Users);
            activity?.SetTag("musiclocker.crypto.keys_rewrapped", result.KeysRewrapped);
            CryptoLog.MasterKeyRotated(_logger, result.Users, result.KeysRewrapped);
            return result;
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task<MasterKeyRotationResult> RotateMasterCoreAsync(CancellationToken cancellationToken)
    {
        int users = 0;
        int keys = 0;
        await foreach (var owner in _store.ListOwnersAsync(cancellationToken).ConfigureAwait(false))
        {
            keys += await UpdateAsync(owner, async (record, ct) =>
            {
                if (record.IsDestroyed)
                {
                    return (null, 0);
                }

                var rewrapped = new List<WrappedUserKey>(record.Versions.Count);
                foreach (var v in record.Versions)
                {
                    var wrapped = await _master.RewrapKeyAsync(v.WrappedKey, KeyContext.ForUserKey(owner, v.Version), ct).ConfigureAwait(false);
                    rewrapped.Add(v with { WrappedKey = wrapped });
                }

                return (new UserKeyRecord(record.CurrentVersion, rewrapped), rewrapped.Count);
            }, cancellationToken).ConfigureAwait(false);
            users++;
        }

        return new MasterKeyRotationResult(users, keys);
    }

    /// <summary>Forgets every cached unwrapped key (they are read and unwrapped again on next use).</summary>
    public void PurgeCache()
    {
        foreach (var owner in _cache.Keys)
        {
            Purge(owner);
        }
    }

    /// <summary>
    /// Seals a small secret of <paramref name="owner"/> (e.g. an app password a player's token authentication needs back)
    /// under the current version of the user's key, bound to the owner and <paramref name="purpose"/>. The result is safe
    /// to store in a database; it opens only through this user's key (a destroyed key shreds it).
    /// </summary>
    public async Task<byte[]> SealAsync(KeyOwner owner, string purpose, ReadOnlyMemory<byte> secret, CancellationToken cancellationToken = default)
    {
        CheckOwner(owner);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        using var key = await GetCurrentKeyAsync(owner, cancellationToken).ConfigureAwait(false);
        return SecretSeal.Seal(key, owner, purpose, secret.Span);
    }

    /// <summary>Opens what <see cref="SealAsync"/> sealed (the caller zeroes the returned secret when done).</summary>
    /// <exception cref="EncryptionException">
    /// <see cref="EncryptionErrorCode.CiphertextInvalid"/>: the value was modified, or sealed for another owner or purpose;
    /// <see cref="EncryptionErrorCode.KeyNotFound"/>: its key version was removed after a rotation;
    /// <see cref="KeyDestroyedException"/>: the user's key was destroyed.
    /// </exception>
    public async Task<byte[]> UnsealAsync(KeyOwner owner, string purpose, ReadOnlyMemory<byte> sealedValue, CancellationToken cancellationToken = default)
    {
        CheckOwner(owner);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        if (!SecretSeal.TryReadVersion(sealedValue.Span, out int version))
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The sealed {purpose} of {owner} is not a sealed value (too short or no key version).");
        }

        var material = await GetKeyVersionAsync(owner, version, cancellationToken).ConfigureAwait(false)
            ?? throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"The sealed {purpose} of {owner} needs key version {version}, which was removed after a rotation; set it again.");
        try
        {
            return SecretSeal.TryOpen(material, owner, purpose, sealedValue.Span, out var secret)
                ? secret
                : throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"The sealed {purpose} of {owner} failed authentication: modified, or sealed for another user or purpose.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>
    /// The current version of the user's key, creating the key on first use. The material is the caller's own copy:
    /// nothing else zeroes it, and the caller zeroes it (<see cref="UserKey.Dispose"/>) when the operation ends.
    /// </summary>
    internal async Task<UserKey> GetCurrentKeyAsync(KeyOwner owner, CancellationToken cancellationToken)
    {
        using var activity = CryptoTelemetry.Start("user_key.get", owner);
        try
        {
            var user = await GetUserAsync(owner, create: true, cancellationToken).ConfigureAwait(false);
            var material = await user.UnwrapAsync(this, owner, user.Record.CurrentVersion, cancellationToken).ConfigureAwait(false);
            CryptoTelemetry.SetKeyVersion(activity, user.Record.CurrentVersion);
            return new UserKey(user.Record.CurrentVersion, material!);
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// A version of the user's key (the caller's own copy, which it zeroes), or <see langword="null"/> when that version
    /// was removed after a rotation.
    /// </summary>
    internal async Task<byte[]?> GetKeyVersionAsync(KeyOwner owner, int version, CancellationToken cancellationToken)
    {
        using var activity = CryptoTelemetry.Start("user_key.get", owner);
        CryptoTelemetry.SetKeyVersion(activity, version);
        try
        {
            return await GetKeyVersionCoreAsync(owner, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task<byte[]?> GetKeyVersionCoreAsync(KeyOwner owner, int version, CancellationToken cancellationToken)
    {
        var user = await GetUserAsync(owner, create: false, cancellationToken).ConfigureAwait(false);
        var material = await user.UnwrapAsync(this, owner, version, cancellationToken).ConfigureAwait(false);
        if (material is null && version > user.Record.CurrentVersion)
        {
            // A version newer than the cached record knows: another instance rotated; read the record again.
            Purge(owner);
            user = await GetUserAsync(owner, create: false, cancellationToken).ConfigureAwait(false);
            material = await user.UnwrapAsync(this, owner, version, cancellationToken).ConfigureAwait(false);
        }

        return material;
    }

    /// <summary>The user's record as stored now (not from the cache).</summary>
    internal async Task<UserKeyRecord> ReadRecordAsync(KeyOwner owner, CancellationToken cancellationToken)
    {
        var record = (await _store.ReadAsync(owner, cancellationToken).ConfigureAwait(false)).Record;
        ThrowIfDestroyed(record, owner);
        return record;
    }

    /// <summary>Adds a new user key version and makes it current.</summary>
    internal async Task<int> AddVersionAsync(KeyOwner owner, CancellationToken cancellationToken)
    {
        int added = 0;
        await UpdateAsync(owner, async (record, ct) =>
        {
            ThrowIfDestroyed(record, owner);
            int newest = record.Versions.Max(v => v.Version);
            if (newest == int.MaxValue)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyVersionExhausted, $"The key of user '{owner}' is at version {int.MaxValue}, the last one; it cannot rotate again.");
            }

            int version = newest + 1;
            using var generated = await _master.GenerateKeyAsync(KeyContext.ForUserKey(owner, version), ct).ConfigureAwait(false);
            added = version;
            return (new UserKeyRecord(version, [.. record.Versions, new WrappedUserKey(version, generated.WrappedKey, _time.GetUtcNow())]), 1);
        }, cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>
    /// Marks every version but the current one retired at <paramref name="now"/> (the clock of the store that judges
    /// upload ages), keeping it: objects, uploads and puts that started under it still read until
    /// <see cref="RemoveRetiredVersionsAsync"/> drops it.
    /// </summary>
    internal Task RetireOldVersionsAsync(KeyOwner owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateAsync(owner, (record, _) =>
        {
            ThrowIfDestroyed(record, owner);
            bool changed = false;
            var next = new WrappedUserKey[record.Versions.Count];
            for (int i = 0; i < next.Length; i++)
            {
                var v = record.Versions[i];
                changed |= v.Version != record.CurrentVersion && v.RetiredAt is null;
                next[i] = v.Version != record.CurrentVersion && v.RetiredAt is null ? v with { RetiredAt = now } : v;
            }

            return Task.FromResult<(UserKeyRecord?, int)>((changed ? new UserKeyRecord(record.CurrentVersion, next) : null, 0));
        }, cancellationToken);

    /// <summary>Drops the retired versions among <paramref name="versions"/>; returns how many it dropped.</summary>
    internal Task<int> RemoveRetiredVersionsAsync(KeyOwner owner, IReadOnlyCollection<int> versions, CancellationToken cancellationToken) =>
        UpdateAsync(owner, (record, _) =>
        {
            ThrowIfDestroyed(record, owner);
            var kept = record.Versions.Where(v => v.Version == record.CurrentVersion || v.RetiredAt is null || !versions.Contains(v.Version)).ToArray();
            int removed = record.Versions.Count - kept.Length;
            return Task.FromResult<(UserKeyRecord?, int)>((removed == 0 ? null : new UserKeyRecord(record.CurrentVersion, kept), removed));
        }, cancellationToken);

    private static void ThrowIfDestroyed(UserKeyRecord record, KeyOwner owner)
    {
        if (record.IsDestroyed)
        {
            throw new KeyDestroyedException(owner);
        }
    }

    /// <summary>Refuses <c>default(KeyOwner)</c>, which names no user.</summary>
    internal static void CheckOwner(KeyOwner owner)
    {
        if (owner.IsDefault)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, "The owner is default(KeyOwner), which names no user; create owners with new KeyOwner(tenantId, userId).");
        }
    }

    private async Task<int> UpdateAsync(KeyOwner owner, Func<UserKeyRecord, CancellationToken, Task<(UserKeyRecord? Next, int Count)>> change, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var current = await _store.ReadAsync(owner, cancellationToken).ConfigureAwait(false);
            var (next, count) = await change(current.Record, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return count;
            }

            try
            {
                await _store.ReplaceAsync(owner, next, current.ETag, cancellationToken).ConfigureAwait(false);
                Purge(owner);
                return count;
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.ConcurrentUpdate && attempt < MaxAttempts)
            {
                // Lost a race with another writer: apply the change again to what it wrote.
            }
        }
    }

    private async Task<CachedUser> GetUserAsync(KeyOwner owner, bool create, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(owner, out var cached) && now - cached.CachedAt < _cacheDuration)
        {
            return cached.Record.IsDestroyed ? throw DestroyedKey(owner) : cached;
        }

        for (int attempt = 0; ; attempt++)
        {
            StoredUserKeyRecord stored;
            try
            {
                stored = await _store.ReadAsync(owner, cancellationToken).ConfigureAwait(false);
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.KeyNotFound && create && attempt < MaxAttempts)
            {
                using var generated = await _master.GenerateKeyAsync(KeyContext.ForUserKey(owner, 1), cancellationToken).ConfigureAwait(false);
                try
                {
                    await _store.CreateAsync(owner, new UserKeyRecord(1, [new WrappedUserKey(1, generated.WrappedKey, now)]), cancellationToken).ConfigureAwait(false);
                }
                catch (EncryptionException race) when (race.ErrorCode == EncryptionErrorCode.ConcurrentUpdate)
                {
                    // Another writer created the user's key first (or destroyed it); use theirs.
                }

                continue;
            }

            var user = new CachedUser(stored.Record, now, keepKeys: _cacheDuration > TimeSpan.Zero);
            if (user.Record.IsDestroyed)
            {
                Cache(owner, user);
                throw DestroyedKey(owner);
            }

            if (_cacheDuration > TimeSpan.Zero)
            {
                Cache(owner, user);
            }

            return user;
        }
    }

    private KeyDestroyedException DestroyedKey(KeyOwner owner)
    {
        CryptoLog.DestroyedKeyRequested(_logger, owner);
        return new KeyDestroyedException(owner);
    }

    private void Cache(KeyOwner owner, CachedUser user)
    {
        CachedUser? replaced = null;
        _cache.AddOrUpdate(owner, user, (_, old) =>
        {
            replaced = old;
            return user;
        });

        // Safe while others still use the replaced entry: they hold their own copies (see CachedUser).
        if (replaced is not null && !ReferenceEquals(replaced, user))
        {
            replaced.Clear();
        }
    }

    private void Purge(KeyOwner owner)
    {
        if (_cache.TryRemove(owner, out var removed))
        {
            removed.Clear();
        }
    }

    /// <summary>
    /// A user's record and the versions unwrapped so far. The cached arrays never leave this class: every caller gets its
    /// own copy, taken under the lock <see cref="Clear"/> zeroes under, so zeroing the cache never touches a key an
    /// operation is using, and an operation never copies a zeroed key.
    /// </summary>
    private sealed class CachedUser(UserKeyRecord record, DateTimeOffset cachedAt, bool keepKeys)
    {
        private readonly Dictionary<int, byte[]> _unwrapped = [];
        private readonly Lock _lock = new();
        private bool _cleared;

        public UserKeyRecord Record { get; } = record;

        public DateTimeOffset CachedAt { get; } = cachedAt;

        /// <summary>A copy of version <paramref name="version"/> the caller owns (and zeroes), or <see langword="null"/> when the record lacks it.</summary>
        public async Task<byte[]?> UnwrapAsync(UserKeyManager manager, KeyOwner owner, int version, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (!_cleared && _unwrapped.TryGetValue(version, out var cached))
                {
                    return (byte[])cached.Clone();
                }
            }

            if (Record.Find(version) is not { } wrapped)
            {
                return null;
            }

            // Unwrapped afresh (also after a Clear: the record is immutable, so this copy is as good as the cached one was).
            byte[] key;
            try
            {
                key = await manager._master.UnwrapKeyAsync(wrapped.WrappedKey, KeyContext.ForUserKey(owner, version), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                CryptoTelemetry.CountUnwrap("user_key", ok: false);
                throw;
            }

            CryptoTelemetry.CountUnwrap("user_key", ok: true);
            if (keepKeys)
            {
                lock (_lock)
                {
                    // Losing a race to another unwrap keeps theirs; ours goes to the caller, who zeroes it.
                    if (!_cleared && !_unwrapped.ContainsKey(version))
                    {
                        _unwrapped[version] = (byte[])key.Clone();
                    }
                }
            }

            return key;
        }

        public void Clear()
        {
            lock (_lock)
            {
                _cleared = true;
                foreach (var key in _unwrapped.Values)
                {
                    CryptographicOperations.ZeroMemory(key);
                }

                _unwrapped.Clear();
            }
        }
    }
}
