namespace MusicLocker.Crypto;

/// <summary>One version of a user key, wrapped by the master key.</summary>
/// <param name="Version">The version (1, 2, …).</param>
/// <param name="WrappedKey">The wrapped key, as the master-key provider returned it.</param>
/// <param name="CreatedAt">When the version was created.</param>
public sealed record WrappedUserKey(int Version, ReadOnlyMemory<byte> WrappedKey, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// When a user-key rotation retired this version (no new data key is wrapped under it), or <see langword="null"/>
    /// while it may still be current. A retired version is kept, so that everything started under it still reads, until
    /// <see cref="EncryptedBlobStore.PurgeRetiredUserKeysAsync"/> removes it.
    /// </summary>
    public DateTimeOffset? RetiredAt { get; init; }
}
