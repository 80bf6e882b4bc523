using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
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
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile KeyRingState _state;

    private LocalKeyRing(string path, TimeProvider timeProvider, KeyRingState state)
    {
        _path = path;
        _timeProvider = timeProvider;
        _state = state;
    }

    /// <summary>The version of the master key new keys are wrapped under.</summary>
    public int CurrentVersion => _state.Current;

    /// <summary>The versions the ring holds, ascending.</summary>
    public IReadOnlyList<int> Versions => _state.Keys.Keys.Order().ToArray();

    /// <summary>Creates a key ring file holding one new master key (version 1).</summary>
    /// <exception cref="IOException">The file exists.</exception>
    public static async Task<LocalKeyRing> CreateAsync(string path, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        timeProvider ??= TimeProvider.System;
        var state = new KeyRingState(1, ImmutableDictionary<int, MasterKey>.Empty.Add(1, new MasterKey(RandomNumberGenerator.GetBytes(32), timeProvider.GetUtcNow())));
        var full = Path.GetFullPath(path);
        await WriteFileAsync(full, state, createNew: true, cancellationToken).ConfigureAwait(false);
        return new LocalKeyRing(full, timeProvider, state);
    }

    /// <summary>Opens an existing key ring file.</summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.KeyRingInvalid"/>: the file is malformed, or group or others may access it.</exception>
    public static async Task<LocalKeyRing> OpenAsync(string path, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{full}' is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600' on it.");
            }
        }

        byte[] json = await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        try
        {
            return new LocalKeyRing(full, timeProvider ?? TimeProvider.System, Parse(json, full));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    /// <summary>Adds a new master key and makes it current; the file is rewritten atomically. Existing wrapped keys still unwrap.</summary>
    /// <returns>The new version.</returns>
    public async Task<int> RotateAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = _state;
            int version = state.Keys.Keys.Max() + 1;
            var next = new KeyRingState(version, state.Keys.Add(version, new MasterKey(RandomNumberGenerator.GetBytes(32), _timeProvider.GetUtcNow())));
            await WriteFileAsync(_path, next, createNew: false, cancellationToken).ConfigureAwait(false);
            _state = next;
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
            var state = _state;
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
            CryptographicOperations.ZeroMemory(removed.Material);
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
        var key = RandomNumberGenerator.GetBytes(32);
        return Task.FromResult(new GeneratedKey(key, Wrap(_state, key, context)));
    }

    /// <inheritdoc />
    public Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Unwrap(_state, wrappedKey.Span, context));
    }

    /// <inheritdoc />
    public Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var state = _state;
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

    /// <summary>Clears the master keys from memory.</summary>
    public void Dispose()
    {
        foreach (var key in _state.Keys.Values)
        {
            CryptographicOperations.ZeroMemory(key.Material);
        }

        _writeLock.Dispose();
    }

    private static byte[] Wrap(KeyRingState state, ReadOnlySpan<byte> key, KeyContext context)
    {
        var wrapped = KeyWrap.Wrap(state.Keys[state.Current].Material, WrapLabel, context.ToBytes(), key);
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
        if (!state.Keys.TryGetValue(version, out var master))
        {
            throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"Master key version {version} is not in key ring '{_path}' (it holds {string.Join(", ", Versions)}).");
        }

        if (!KeyWrap.TryUnwrap(master.Material, WrapLabel, context.ToBytes(), wrapped[WrappedHeaderSize..], out var key))
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The key wrapped under master key version {version} does not unwrap for {context}: it was modified or belongs to another user or object.");
        }

        return key;
    }

    private static KeyRingState Parse(byte[] json, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != FormatName || root.GetProperty("formatVersion").GetInt32() != FormatVersion)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"'{path}' is not a version-{FormatVersion} {FormatName} file.");
            }

            var keys = ImmutableDictionary.CreateBuilder<int, MasterKey>();
            foreach (var item in root.GetProperty("keys").EnumerateArray())
            {
                var material = item.GetProperty("key").GetBytesFromBase64();
                if (material.Length != 32)
                {
                    throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}': key {item.GetProperty("version").GetInt32()} is {material.Length} bytes, not 32.");
                }

                keys.Add(item.GetProperty("version").GetInt32(), new MasterKey(material, item.GetProperty("created").GetDateTimeOffset()));
            }

            int current = root.GetProperty("current").GetInt32();
            if (!keys.ContainsKey(current))
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}': the current version {current} is not among its keys.");
            }

            return new KeyRingState(current, keys.ToImmutable());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyRingInvalid, $"Key ring '{path}' is malformed: {ex.Message}", null, ex);
        }
    }

    private static async Task WriteFileAsync(string path, KeyRingState state, bool createNew, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("formatVersion", FormatVersion);
            writer.WriteNumber("current", state.Current);
            writer.WriteStartArray("keys");
            foreach (var (version, key) in state.Keys.OrderBy(k => k.Key))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", version);
                writer.WriteString("created", key.Created.ToString("O", CultureInfo.InvariantCulture));
                writer.WriteBase64String("key", key.Material);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        // Written to a temp file created owner-only, flushed, then renamed over the ring: a crash never leaves a half
        // ring, and the keys are never in a file others can read, even for a moment.
        string target = createNew ? path : path + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            var file = new FileStream(target, options);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            if (!createNew)
            {
                File.Move(target, path, overwrite: true);
            }
        }
        catch when (!createNew)
        {
            File.Delete(target);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    private sealed record MasterKey(byte[] Material, DateTimeOffset Created);

    private sealed record KeyRingState(int Current, ImmutableDictionary<int, MasterKey> Keys);
}
