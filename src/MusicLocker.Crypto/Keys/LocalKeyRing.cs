using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.Crypto.Diagnostics;
using MusicLocker.Crypto.Internal;
using MusicLocker.Crypto.Keys;

namespace MusicLocker.Crypto;

/// <summary>
/// A master-key provider backed by a key ring file: numbered 256-bit master keys, one of them current. User keys are
/// wrapped with AES-KWP (RFC 5649) under a key derived from the master key and the <see cref="KeyContext"/>.
/// The file is created readable and writable by its owner only, and refused when others can read it.
/// Format: docs/encryption-format.md §Key ring file.
/// </summary>
public sealed class LocalKeyRing : IMasterKeyProvider, IDisposable
{
    private const string FormatName = "musiclocker-keyring";
    private const int FormatVersion = 1;
    private const byte WrappedFormat = 1;
    private const int WrappedHeaderSize = 5;

    private static ReadOnlySpan<byte> WrapLabel => "musiclocker.org/keyring-wrap@v1"u8;

    private readonly string _path;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile KeyRingState _state;
    private volatile bool _disposed;

    private LocalKeyRing(Settings settings, KeyRingState state)
    {
        _path = settings.Path;
        _timeProvider = settings.Time;
        _logger = settings.Logger;
        _state = state;
    }

    /// <summary>The version of the master key new keys are wrapped under.</summary>
    public int CurrentVersion => State.Current;

    /// <summary>The versions the ring holds, ascending.</summary>
    public IReadOnlyList<int> Versions => State.Keys.Keys.Order().ToArray();

    private KeyRingState State
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state;
        }
    }

    /// <summary>Creates a key ring file at <paramref name="path"/> holding one new master key (version 1).</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyRingUnavailable"/>: the path is empty or not a valid path, the file exists, or it cannot be written.</exception>
    public static Task<LocalKeyRing> CreateAsync(string path, CancellationToken cancellationToken = default) =>
        CreateAsync(new LocalKeyRingOptions { Path = path }, cancellationToken);

    /// <summary>Creates the key ring file <see cref="LocalKeyRingOptions.Path"/> holding one new master key (version 1).</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyRingUnavailable"/>: the path is empty or not a valid path, the file exists, or it cannot be written.</exception>
    public static async Task<LocalKeyRing> CreateAsync(LocalKeyRingOptions options, CancellationToken cancellationToken = default)
    {
        var settings = Settings.From(options);
        var state = new KeyRingState(1, ImmutableDictionary<int, MasterKey>.Empty.Add(1, new MasterKey(RandomNumberGenerator.GetBytes(32), settings.Time.GetUtcNow())));
        try
        {
            await WriteFileAsync(settings.Path, state, createNew: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            state.Keys[1].Retire();
            throw;
        }

        CryptoLog.MasterKeyVersionAdded(settings.Logger, 1, settings.Path);
        return new LocalKeyRing(settings, state);
    }

    /// <summary>Opens the existing key ring file at <paramref name="path"/>; see <see cref="OpenAsync(LocalKeyRingOptions, CancellationToken)"/>.</summary>
    /// <exception cref="EncryptionException">
    /// <see cref="EncryptionErrorCode.KeyRingInvalid"/>: the file is malformed, a symlink, accessible to group or others,
    /// or in a folder they can write to; <see cref="EncryptionErrorCode.KeyRingUnavailable"/>: the path is empty or
    /// invalid, or the file is missing or unreadable.
    /// </exception>
    public static Task<LocalKeyRing> OpenAsync(string path, CancellationToken cancellationToken = default) =>
        OpenAsync(new LocalKeyRingOptions { Path = path }, cancellationToken);

    /// <summary>
    /// Opens an existing key ring file. The file is opened once and everything is checked on the open handle: it must
    /// be a regular file (not a symlink) that only its owner may access, in a folder group and others cannot write to.
    /// </summary>
    /// <exception cref="EncryptionException">
    /// <see cref="EncryptionErrorCode.KeyRingInvalid"/>: the file is malformed, a symlink, accessible to group or others,
    /// or in a folder they can write to; <see cref="EncryptionErrorCode.KeyRingUnavailable"/>: the path is empty or
    /// invalid, or the file is missing or unreadable.
    /// </exception>
    public static async Task<LocalKeyRing> OpenAsync(LocalKeyRingOptions options, CancellationToken cancellationToken = default)
    {
        var settings = Settings.From(options);
        byte[] json = await KeyRingFile.ReadAsync(settings.Path, cancellationToken).ConfigureAwait(false);
        try
        {
            return new LocalKeyRing(settings, Parse(json, settings.Path));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    /// <summary>Adds a new master key and makes it current; the file is rewritten atomically. Existing wrapped keys still unwrap.</summary>
    /// <returns>The new version.</returns>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyVersionExhausted"/> at version <see cref="int.MaxValue"/>; <see cref="EncryptionErrorCode.KeyRingUnavailable"/> when the file cannot be written.</exception>
    /// <exception cref="ObjectDisposedException">The ring was disposed.</exception>
    public async Task<int> RotateAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            int newest = state.Keys.Keys.Max();
            if (newest == int.MaxValue)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyVersionExhausted, $"Key ring '{_path}' is at master key version {int.MaxValue}, the last one; it cannot rotate again.");
            }

            int version = newest + 1;
            var added = new MasterKey(RandomNumberGenerator.GetBytes(32), _timeProvider.GetUtcNow());
            var next = new KeyRingState(version, state.Keys.Add(version, added));
            try
            {
                await WriteFileAsync(_path, next, createNew: false, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                added.Retire();
                throw;
            }

            _state = next;
            CryptoLog.MasterKeyVersionAdded(_logger, version, _path);
            return version;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Removes an old master key (after every user key was rewrapped). Keys still wrapped under it become unreadable.</summary>
    /// <exception cref="InvalidOperationException">The version is the current one.</exception>
    public async Task RemoveVersionAsync(int version, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (version == state.Current)
            {
                throw new InvalidOperationException($"Master key version {version} is current; rotate before removing it.");
            }

            if (!state.Keys.TryGetValue(version, out var removed))
            {
                return;
            }

            var next = new KeyRingState(state.Current, state.Keys.Remove(version));
            await WriteFileAsync(_path, next, createNew: false, cancellationToken).ConfigureAwait(false);
            _state = next;

            // Zeroed once the last operation that leased it (an unwrap in flight) lets go.
            removed.Retire();
            CryptoLog.MasterKeyVersionRemoved(_logger, version, _path);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public Task<GeneratedKey> GenerateKeyAsync(KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var state = State;
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            return Task.FromResult(new GeneratedKey(key, Wrap(state, key, context)));
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Unwrap(State, wrappedKey.Span, context));
    }

    /// <inheritdoc />
    public Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var state = State;
        var key = Unwrap(state, wrappedKey.Span, context);
        try
        {
            return Task.FromResult(Wrap(state, key, context));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Clears the master keys from memory (each as soon as no operation in flight uses it); every member throws
    /// <see cref="ObjectDisposedException"/> from then on.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var key in _state.Keys.Values)
        {
            key.Retire();
        }
    }

    private byte[] Wrap(KeyRingState state, ReadOnlySpan<byte> key, KeyContext context)
    {
        using var master = Lease(state, state.Current);
        var wrapped = KeyWrap.Wrap(master.Material, WrapLabel, context.ToBytes(), key);
        var result = new byte[WrappedHeaderSize + wrapped.Length];
        result[0] = WrappedFormat;
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(1), state.Current);
        wrapped.CopyTo(result, WrappedHeaderSize);
        return result;
    }

    private byte[] Unwrap(KeyRingState state, ReadOnlySpan<byte> wrapped, KeyContext context)
    {
        if (wrapped.Length <= WrappedHeaderSize || wrapped[0] != WrappedFormat)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The wrapped key ({wrapped.Length} bytes) is not in the key ring's format {WrappedFormat}.");
        }

        int version = BinaryPrimitives.ReadInt32BigEndian(wrapped[1..]);
        using var master = Lease(state, version);
        if (!KeyWrap.TryUnwrap(master.Material, WrapLabel, context.ToBytes(), wrapped[WrappedHeaderSize..], out var key))
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The key wrapped under master key version {version} does not unwrap for {context}: it was modified or belongs to another user or object.");
        }

        return key;
    }

    /// <summary>Holds master key <paramref name="version"/> for one operation: neither removal nor Dispose zeroes it before the lease ends.</summary>
    private MasterKey.LeaseScope Lease(KeyRingState state, int version)
    {
        if (state.Keys.TryGetValue(version, out var master) && master.TryAcquire())
        {
            return new MasterKey.LeaseScope(master);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"Master key version {version} is not in key ring '{_path}' (it holds {string.Join(", ", _state.Keys.Keys.Order())}).");
    }

    private static KeyRingState Parse(byte[] json, string path)
    {
        var parsed = new List<byte[]>();
        try
        {
            KeyRingDocument? document;
            using (SecretBytesConverter.Collect(parsed))
            {
                document = JsonSerializer.Deserialize(json, CryptoJsonContext.Default.KeyRingDocument);
            }

            if (document is null || document.Format != FormatName || document.FormatVersion != FormatVersion)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"'{path}' is not a version-{FormatVersion} {FormatName} file.");
            }

            var keys = ImmutableDictionary.CreateBuilder<int, MasterKey>();
            foreach (var item in document.Keys)
            {
                if (item.Key.Length != 32)
                {
                    throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}': key {item.Version} is {item.Key.Length} bytes, not 32.");
                }

                keys.Add(item.Version, new MasterKey(item.Key, item.Created));
            }

            if (!keys.ContainsKey(document.Current))
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}': the current version {document.Current} is not among its keys.");
            }

            var state = new KeyRingState(document.Current, keys.ToImmutable());
            parsed.Clear();
            return state;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}' is malformed: {ex.Message}", null, ex);
        }
        finally
        {
            // Keys parsed before an error (also those of a half-built document) must not stay behind in memory.
            foreach (var material in parsed)
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }
    }

    private static async Task WriteFileAsync(string path, KeyRingState state, bool createNew, CancellationToken cancellationToken)
    {
        // Serialized into one buffer sized up front, so no grown-and-abandoned copy of the keys is left for the GC; the
        // buffer is zeroed when written. The document only points at the leased key arrays; it copies none.
        var leases = new List<MasterKey.LeaseScope>(state.Keys.Count);
        try
        {
            var document = new KeyRingDocument { Format = FormatName, FormatVersion = FormatVersion, Current = state.Current, Keys = new List<KeyRingKeyDocument>(state.Keys.Count) };
            foreach (var (version, key) in state.Keys.OrderBy(k => k.Key))
            {
                var lease = key.TryAcquire() ? new MasterKey.LeaseScope(key) : throw new ObjectDisposedException(nameof(LocalKeyRing));
                leases.Add(lease);
                document.Keys.Add(new KeyRingKeyDocument { Version = version, Created = key.Created, Key = lease.Array });
            }

            using var buffer = new KeyRingFile.SecretBuffer(16 * 1024 + (256 * state.Keys.Count));
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                JsonSerializer.Serialize(writer, document, CryptoJsonContext.Default.KeyRingDocument);
            }

            await KeyRingFile.WriteAsync(path, buffer.Written, createNew, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>A master key, zeroed when it is retired (removed, or the ring disposed) and no operation holds it.</summary>
    private sealed class MasterKey(byte[] material, DateTimeOffset created)
    {
        private readonly Lock _lock = new();
        private int _holders;
        private bool _retired;

        public DateTimeOffset Created => created;

        public bool TryAcquire()
        {
            lock (_lock)
            {
                if (_retired)
                {
                    return false;
                }

                _holders++;
                return true;
            }
        }

        public void Retire()
        {
            lock (_lock)
            {
                _retired = true;
                if (_holders == 0)
                {
                    CryptographicOperations.ZeroMemory(material);
                }
            }
        }

        private void Release()
        {
            lock (_lock)
            {
                if (--_holders == 0 && _retired)
                {
                    CryptographicOperations.ZeroMemory(material);
                }
            }
        }

        /// <summary>One operation's hold on the key.</summary>
        public readonly struct LeaseScope(MasterKey key) : IDisposable
        {
            public ReadOnlySpan<byte> Material => key.MaterialUnsafe;

            /// <summary>The key's own array (for the serializer; never copied, never handed out).</summary>
            public byte[] Array => key.ArrayUnsafe;

            public void Dispose() => key.Release();
        }

        private ReadOnlySpan<byte> MaterialUnsafe => material;

        private byte[] ArrayUnsafe => material;
    }

    private sealed record KeyRingState(int Current, ImmutableDictionary<int, MasterKey> Keys);

    /// <summary>The options as copied and checked: a full path, a clock, a logger.</summary>
    private sealed record Settings(string Path, TimeProvider Time, ILogger Logger)
    {
        public static Settings From(LocalKeyRingOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            return new Settings(
                KeyRingFile.FullPath(options.Path),
                options.TimeProvider ?? TimeProvider.System,
                (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LocalKeyRing>());
        }
    }
}
