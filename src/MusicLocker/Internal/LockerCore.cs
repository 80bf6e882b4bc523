using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Sql;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>The opened parts of a locker, shared by every user's view of it. Immutable after construction.</summary>
internal sealed class LockerCore
{
    public LockerCore(IBlobStore storage, ILockerMetadataStore metadata, IMasterKeyProvider? masterKeys, MusicLockerOptions options, IUserKeyStore? userKeys = null)
    {
        Options = options;
        Time = options.TimeProvider ?? TimeProvider.System;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Diagnostics.LockerTelemetry.Name);
        Activity = new UserActivityRecorder(this);
        Raw = storage;
        Metadata = metadata;
        if (options.Encrypt)
        {
            if (masterKeys is null)
            {
                throw new LockerException(LockerErrorCode.InvalidArgument, "MusicLocker:Encrypt is on but no master key provider is configured (UseLocalKeyRing, or turn Encrypt off).");
            }

            // User key records live in the metadata database (the SQL stores keep them), so a restored blob backup cannot
            // bring a destroyed key back. Only a metadata store without one falls back to records beside the blobs.
            KeyStore = userKeys ?? (metadata as SqlMetadataStore)?.UserKeys ?? new BlobUserKeyStore(storage);
            Keys = new UserKeyManager(masterKeys, KeyStore, new UserKeyManagerOptions { TimeProvider = Time });
            Objects = new EncryptedBlobStore(storage, Keys, new EncryptedBlobStoreOptions
            {
                OwnerOf = LockerKeys.OwnerMapping(options.TenantId),
                PartSize = options.PartSize,
                TimeProvider = Time,
            });
        }
        else
        {
            Objects = storage;
        }
    }

    public MusicLockerOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>Records that a user used the locker (at most one database write per user per day).</summary>
    public UserActivityRecorder Activity { get; }

    /// <summary>The object store as configured (ciphertext when encrypted): listing and deleting.</summary>
    public IBlobStore Raw { get; }

    /// <summary>The store every object is written and read through (the encrypting decorator, or <see cref="Raw"/>).</summary>
    public IBlobStore Objects { get; }

    public ILockerMetadataStore Metadata { get; }

    public UserKeyManager? Keys { get; }

    public IUserKeyStore? KeyStore { get; }

    /// <summary>
    /// The head check of an upload or a scan: a file without a frame count (MP3 without Xing/VBRI, ADTS) is walked for 1 MiB
    /// only, since the upload's single pass (<see cref="MediaProber.CreateStreamParser"/>) counts every frame anyway and
    /// a scan needs no duration; the stored duration is always the single pass's exact one.
    /// </summary>
    public MediaProber Prober { get; } = new(new MediaProbeOptions { FrameWalkLimit = HeadWalkLimit });

    private const long HeadWalkLimit = 1024 * 1024;

    /// <summary>Seek indexes of track versions seeked before (time seeks in two storage reads instead of three).</summary>
    public SeekIndexCache SeekIndexes { get; } = new();

    public KeyOwner OwnerOf(string userId) => new(Options.TenantId, userId);
}
