using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Internal;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// An <see cref="IBlobStore"/> that encrypts every blob of another store: puts encrypt while streaming, reads decrypt
/// (a range reads only the chunks covering it, in one ranged request), properties and listings report plaintext lengths.
/// Each object has its own data key, wrapped by its owner's user key and kept outside the ciphertext (in the blob's
/// metadata, and after a user-key rotation in a small record under <see cref="ReservedPrefix"/>), so rotation never
/// rewrites audio. Format: docs/encryption-format.md.
/// </summary>
/// <remarks>
/// Copy decrypts and re-encrypts (the object's key is part of its ciphertext's context). Multipart parts but the last
/// must be <see cref="EncryptedBlobStoreOptions.PartSize"/> bytes, numbered from 1 without gaps.
/// </remarks>
public sealed class EncryptedBlobStore : IBlobStore
{
    /// <summary>Keys under this prefix hold key records; they are hidden from listings and refused as blob keys.</summary>
    public const string ReservedPrefix = ".mlcrypto/";

    private const string DataKeyPrefix = ReservedPrefix + "data-keys/";

    private readonly IBlobStore _inner;
    private readonly UserKeyManager _keys;
    private readonly Func<BlobKey, KeyOwner> _ownerOf;
    private readonly int _partSize;

    /// <summary>Creates the decorator.</summary>
    /// <exception cref="ArgumentException">Neither an owner nor an owner resolver is set, or the part size is not a positive multiple of 16 KiB.</exception>
    public EncryptedBlobStore(IBlobStore inner, UserKeyManager keys, EncryptedBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PartSize <= 0 || options.PartSize % CiphertextLayout.ChunkSize != 0)
        {
            throw new ArgumentException($"PartSize must be a positive multiple of {CiphertextLayout.ChunkSize}; it is {options.PartSize}.", nameof(options));
        }

        _inner = inner;
        _keys = keys;
        _ownerOf = options.ResolveOwner();
        _partSize = options.PartSize;
    }

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = await _inner.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
        return EncryptedObject.Parse(stored).Plain;
    }

    /// <inheritdoc />
    public async Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = await _inner.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
        if (options?.IfMatch is { } ifMatch && ifMatch != stored.ETag)
        {
            throw new BlobConditionFailedException(key.Value, $"Blob '{key}' is at version {stored.ETag}, not {ifMatch}.");
        }

        var obj = EncryptedObject.Parse(stored);
        var range = options?.Range ?? ByteRange.All;
        if (!range.TryResolve(obj.PlaintextLength, out long offset, out long length))
        {
            throw new RangeNotSatisfiableException(key.Value, range, obj.PlaintextLength);
        }

        // Key and commitment are checked before any chunk is requested: a wrong key, a swapped wrapped key or a moved
        // ciphertext fails here.
        var cipher = await OpenCipherAsync(key, obj, cancellationToken).ConfigureAwait(false);
        try
        {
            var window = DecryptWindow.ForRange(obj.PlaintextLength, offset, length);
            var (cipherOffset, cipherLength) = window.CiphertextRange();
            if (window.FirstChunk == 0)
            {
                // Reading from the start anyway: take the stored header too and check it against the recorded one.
                window = window with { ExpectedHeader = obj.Header };
                cipherLength += cipherOffset;
                cipherOffset = 0;
            }

            var download = await _inner.OpenReadAsync(key, new ReadBlobOptions { Range = new ByteRange(cipherOffset, cipherLength), IfMatch = stored.ETag }, cancellationToken).ConfigureAwait(false);
            Stream content = new DecryptingReadStream(download.Content, cipher, window, key.Value);
            if (window.LastChunk == window.FinalChunk && window.LastChunk > window.FirstChunk && length <= VerifiedTailStream.MaxLength)
            {
                // A short range over the end spanning several chunks: release nothing until the final chunk verified.
                content = new VerifiedTailStream((DecryptingReadStream)content, (int)length);
            }

            return new BlobDownload(content, obj.Plain, offset, length);
        }
        catch
        {
            cipher.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(content);
        CheckOptions(key, options);
        cancellationToken.ThrowIfCancellationRequested();
        var created = await NewObjectAsync(key, cancellationToken).ConfigureAwait(false);
        var stream = new EncryptingReadStream(content, created.Cipher, created.Header, 0, EncryptMode.WholeMessage);
        await using (stream.ConfigureAwait(false))
        {
            var stored = await _inner.PutAsync(key, stream, WithKeyMetadata(options, created), cancellationToken).ConfigureAwait(false);
            return EncryptedObject.ToPlain(stored);
        }
    }

    /// <inheritdoc />
    /// <remarks>Decrypts the source and encrypts it again for the destination (its own data key and context), streaming.</remarks>
    public async Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        CheckKey(source);
        CheckKey(destination);
        CheckConditions(destinationConditions);
        var download = await OpenReadAsync(source, null, cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            var options = new PutBlobOptions { ContentType = download.Properties.ContentType, Metadata = download.Properties.Metadata, Conditions = destinationConditions };
            return await PutAsync(destination, download.Content, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckConditions(conditions);
        cancellationToken.ThrowIfCancellationRequested();
        bool deleted = await _inner.DeleteAsync(key, conditions, cancellationToken).ConfigureAwait(false);
        if (deleted && TryDataKeyRecordKey(key, out var record))
        {
            await _inner.DeleteAsync(record, null, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await foreach (var item in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (IsReserved(item.Key))
            {
                continue;
            }

            yield return item with { Length = EncryptedObject.PlaintextLengthOf(item.Key, item.Length) };
        }
    }

    /// <inheritdoc />
    public async Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckOptions(key, options);
        cancellationToken.ThrowIfCancellationRequested();
        var created = await NewObjectAsync(key, cancellationToken).ConfigureAwait(false);
        created.Cipher.Dispose();
        var inner = await _inner.StartMultipartUploadAsync(key, WithKeyMetadata(options, created), cancellationToken).ConfigureAwait(false);
        var state = new UploadState(inner.UploadId, _partSize, created.Header, created.KeyVersion, created.WrappedDataKey);
        return new MultipartUpload(key, state.Encode());
    }

    /// <inheritdoc />
    /// <remarks>
    /// Part <c>n</c> holds chunks from <c>(n - 1) × PartSize / 16 KiB</c>: its ciphertext depends only on its number and
    /// bytes, so a retried part re-sends identical bytes. A part shorter than the part size ends the object.
    /// </remarks>
    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, BlobStoreLimits.MaxPartNumber);
        cancellationToken.ThrowIfCancellationRequested();
        var state = UploadState.Decode(upload);
        var cipher = await OpenCipherAsync(upload.Key, state.Header, state.KeyVersion, state.WrappedDataKey, storedETag: null, cancellationToken).ConfigureAwait(false);
        long firstChunk = (long)(partNumber - 1) * (state.PartSize / CiphertextLayout.ChunkSize);
        var stream = new EncryptingReadStream(content, cipher, partNumber == 1 ? state.Header : [], firstChunk, EncryptMode.Part, state.PartSize);
        await using (stream.ConfigureAwait(false))
        {
            var part = await _inner.UploadPartAsync(Inner(upload, state), partNumber, stream, cancellationToken).ConfigureAwait(false);
            return new UploadedPart(partNumber, part.ETag, stream.PlaintextLength);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var state = UploadState.Decode(upload);
        var parts = await _inner.ListPartsAsync(Inner(upload, state), cancellationToken).ConfigureAwait(false);
        var result = new UploadedPart[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            result[i] = parts[i] with { Length = UploadState.PartPlaintext(upload.Key, parts[i].PartNumber, parts[i].Length).Length };
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>When the last part is a whole number of chunks, an extra part holding the empty final chunk is stored first.</remarks>
    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(parts);
        cancellationToken.ThrowIfCancellationRequested();
        var state = UploadState.Decode(upload);
        var inner = Inner(upload, state);
        if (parts.Count == 0)
        {
            throw InvalidPart(upload, "completing an upload needs at least one part");
        }

        var stored = new Dictionary<int, UploadedPart>();
        foreach (var part in await _inner.ListPartsAsync(inner, cancellationToken).ConfigureAwait(false))
        {
            stored[part.PartNumber] = part;
        }

        var innerParts = new List<UploadedPart>(parts.Count + 1);
        long plaintextLength = 0;
        bool final = false;
        for (int i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.PartNumber != i + 1)
            {
                throw InvalidPart(upload, $"part {part.PartNumber} is listed at position {i + 1}; an encrypted upload's parts are numbered 1, 2, 3… in order, without gaps");
            }

            if (!stored.TryGetValue(part.PartNumber, out var innerPart) || innerPart.ETag != part.ETag)
            {
                throw InvalidPart(upload, $"part {part.PartNumber} with ETag {part.ETag} is not stored");
            }

            (long length, final) = UploadState.PartPlaintext(upload.Key, part.PartNumber, innerPart.Length);
            if (i < parts.Count - 1 && (final || length != state.PartSize))
            {
                throw InvalidPart(upload, $"part {part.PartNumber} has {length} bytes; every part but the last must have the upload's part size, {state.PartSize}");
            }

            plaintextLength += length;
            innerParts.Add(innerPart);
        }

        if (!final)
        {
            innerParts.Add(await UploadFinalChunkAsync(upload, state, inner, parts.Count + 1, plaintextLength, cancellationToken).ConfigureAwait(false));
        }

        var props = await _inner.CompleteMultipartUploadAsync(inner, innerParts, cancellationToken).ConfigureAwait(false);
        return EncryptedObject.ToPlain(props);
    }

    /// <inheritdoc />
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var state = UploadState.Decode(upload);
        return _inner.AbortMultipartUploadAsync(Inner(upload, state), cancellationToken);
    }

    /// <summary>
    /// Rotates <paramref name="owner"/>'s user key: adds a new version, rewraps the data key of each of the owner's blobs
    /// under <paramref name="prefix"/> into a small record (reading only properties, never object bytes), then retires
    /// the old versions. Run it over a prefix that holds all of the owner's blobs.
    /// </summary>
    public async Task<UserKeyRotationResult> RotateUserKeyAsync(KeyOwner owner, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int version = await _keys.AddVersionAsync(owner, cancellationToken).ConfigureAwait(false);
        var userKey = await _keys.GetKeyVersionAsync(owner, version, cancellationToken).ConfigureAwait(false)
            ?? throw new EncryptionException(EncryptionErrorCode.ConcurrentUpdate, $"User key version {version} of '{owner}' vanished during rotation.");
        int objects = 0;
        long bytes = 0;
        await foreach (var item in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (IsReserved(item.Key) || _ownerOf(item.Key) != owner)
            {
                continue;
            }

            var obj = EncryptedObject.Parse(await _inner.GetPropertiesAsync(item.Key, cancellationToken).ConfigureAwait(false));
            if (obj.KeyVersion == version || !TryDataKeyRecordKey(item.Key, out var recordKey))
            {
                continue;
            }

            var context = FormatPrefix.ObjectContext(obj.Header, owner, item.Key.Value);
            var dataKey = await UnwrapDataKeyAsync(item.Key, owner, obj.KeyVersion, obj.WrappedDataKey, obj.Stored.ETag, context, cancellationToken).ConfigureAwait(false);
            try
            {
                var record = DataKeyRecord.Serialize(obj.Stored.ETag, version, DataKeyWrap.Wrap(userKey, context, dataKey));
                await _inner.PutBytesAsync(recordKey, record, new PutBlobOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
                bytes += record.Length;
                objects++;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }

        await _keys.RetireOldVersionsAsync(owner, cancellationToken).ConfigureAwait(false);
        return new UserKeyRotationResult(version, objects, bytes);
    }

    private static BlobStoreException InvalidPart(MultipartUpload upload, string what) =>
        new(BlobErrorCode.InvalidPart, $"Cannot complete upload '{upload.UploadId}' to '{upload.Key}': {what}.", upload.Key.Value);

    private static MultipartUpload Inner(MultipartUpload upload, UploadState state) => new(upload.Key, state.InnerUploadId);

    private static bool IsReserved(BlobKey key) => key.Value.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    private static void CheckKey(BlobKey key)
    {
        if (key.IsDefault)
        {
            throw new ArgumentException("The key is default(BlobKey); create keys with BlobKey.Parse.", nameof(key));
        }

        if (IsReserved(key))
        {
            throw new InvalidBlobKeyException(key.Value, $"keys under '{ReservedPrefix}' are reserved for key records of EncryptedBlobStore");
        }
    }

    private static void CheckConditions(BlobRequestConditions? conditions) => BlobStoreValidation.RequestConditions(conditions);

    private static void CheckOptions(BlobKey key, PutBlobOptions? options)
    {
        CheckConditions(options?.Conditions);
        if (options?.Metadata is { } metadata)
        {
            foreach (var name in metadata.Keys)
            {
                if (name is not null && EncryptedObject.IsReservedMetadata(name))
                {
                    throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Metadata name '{name}' of blob '{key}' is reserved: names starting with 'mlc-' hold the blob's encryption header and wrapped key.", key.Value);
                }
            }
        }
    }

    private static PutBlobOptions WithKeyMetadata(PutBlobOptions? options, NewObject created)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options?.Metadata is { } given)
        {
            foreach (var (name, value) in given)
            {
                metadata[name] = value;
            }
        }

        metadata[EncryptedObject.HeaderMetadata] = Convert.ToBase64String(created.Header);
        metadata[EncryptedObject.KeyMetadata] = EncryptedObject.FormatKey(created.KeyVersion, created.WrappedDataKey);
        return new PutBlobOptions { ContentType = options?.ContentType, Conditions = options?.Conditions, Metadata = metadata };
    }

    private static bool TryDataKeyRecordKey(BlobKey key, out BlobKey recordKey) =>
        BlobKey.TryParse(DataKeyPrefix + key.Value, out recordKey, out _);

    private async Task<NewObject> NewObjectAsync(BlobKey key, CancellationToken cancellationToken)
    {
        var owner = _ownerOf(key);
        var userKey = await _keys.GetCurrentKeyAsync(owner, cancellationToken).ConfigureAwait(false);
        var header = new byte[CiphertextLayout.HeaderSize];
        FormatPrefix.Write(header);
        RandomNumberGenerator.Fill(header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize));
        var context = FormatPrefix.ObjectContext(header, owner, key.Value);
        Span<byte> dataKey = stackalloc byte[CiphertextLayout.KeySize];
        RandomNumberGenerator.Fill(dataKey);
        try
        {
            var cipher = ChunkCipher.Create(dataKey, header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), context);
            cipher.Commitment.CopyTo(header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize));
            var wrapped = DataKeyWrap.Wrap(userKey.Material, context, dataKey);
            return new NewObject(cipher, header, userKey.Version, wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private Task<ChunkCipher> OpenCipherAsync(BlobKey key, EncryptedObject obj, CancellationToken cancellationToken) =>
        OpenCipherAsync(key, obj.Header, obj.KeyVersion, obj.WrappedDataKey, obj.Stored.ETag, cancellationToken);

    private async Task<ChunkCipher> OpenCipherAsync(BlobKey key, byte[] header, int keyVersion, byte[] wrappedDataKey, ETag? storedETag, CancellationToken cancellationToken)
    {
        var owner = _ownerOf(key);
        var context = FormatPrefix.ObjectContext(header, owner, key.Value);
        var dataKey = await UnwrapDataKeyAsync(key, owner, keyVersion, wrappedDataKey, storedETag, context, cancellationToken).ConfigureAwait(false);
        try
        {
            var cipher = ChunkCipher.Create(dataKey, header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), context);
            if (!cipher.CommitmentMatches(header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize)))
            {
                cipher.Dispose();
                throw new EncryptionException(EncryptionErrorCode.KeyCommitmentMismatch, $"The key commitment of blob '{key}' does not match: its header was modified, or the ciphertext belongs to another object or user.", key.Value);
            }

            return cipher;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private async Task<byte[]> UnwrapDataKeyAsync(BlobKey key, KeyOwner owner, int keyVersion, byte[] wrapped, ETag? storedETag, byte[] context, CancellationToken cancellationToken)
    {
        var userKey = await _keys.GetKeyVersionAsync(owner, keyVersion, cancellationToken).ConfigureAwait(false);
        if (userKey is null && storedETag is { } etag && TryDataKeyRecordKey(key, out var recordKey))
        {
            // The version in the metadata was retired by a rotation, which left the rewrapped key in a record.
            try
            {
                var record = DataKeyRecord.Parse(await _inner.ReadAllBytesAsync(recordKey, null, 64 * 1024, cancellationToken).ConfigureAwait(false), recordKey);
                if (record.ETag == etag)
                {
                    userKey = await _keys.GetKeyVersionAsync(owner, record.Version, cancellationToken).ConfigureAwait(false);
                    wrapped = record.Wrapped;
                }
            }
            catch (BlobNotFoundException)
            {
                // No record: the key is missing, reported below.
            }
        }

        if (userKey is null)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"The data key of blob '{key}' is wrapped under user key version {keyVersion} of '{owner}', which no longer exists.", key.Value);
        }

        if (!DataKeyWrap.TryUnwrap(userKey, context, wrapped, out var dataKey))
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The wrapped data key of blob '{key}' does not unwrap: it was modified or belongs to another object or user.", key.Value);
        }

        return dataKey;
    }

    private async Task<UploadedPart> UploadFinalChunkAsync(MultipartUpload upload, UploadState state, MultipartUpload inner, int partNumber, long plaintextLength, CancellationToken cancellationToken)
    {
        if (partNumber > BlobStoreLimits.MaxPartNumber)
        {
            throw InvalidPart(upload, $"the last part is a whole number of chunks and part {partNumber} for the final chunk is past the limit");
        }

        // The message must end with a short chunk; the parts ended on a chunk boundary, so store the empty one as a part.
        using var cipher = await OpenCipherAsync(upload.Key, state.Header, state.KeyVersion, state.WrappedDataKey, null, cancellationToken).ConfigureAwait(false);
        var finalChunk = new byte[CiphertextLayout.TagSize];
        cipher.Encrypt(plaintextLength / CiphertextLayout.ChunkSize, [], finalChunk);
        using var content = new MemoryStream(finalChunk, writable: false);
        return await _inner.UploadPartAsync(inner, partNumber, content, cancellationToken).ConfigureAwait(false);
    }

    private sealed record NewObject(ChunkCipher Cipher, byte[] Header, int KeyVersion, byte[] WrappedDataKey);

    /// <summary>A data key rewrapped by a user-key rotation, valid for one stored version of the blob.</summary>
    private sealed record DataKeyRecord(ETag ETag, int Version, byte[] Wrapped)
    {
        public static byte[] Serialize(ETag etag, int version, byte[] wrapped)
        {
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("etag", etag.Value);
                writer.WriteNumber("version", version);
                writer.WriteBase64String("wrapped", wrapped);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        public static DataKeyRecord Parse(byte[] json, BlobKey key)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var root = doc.RootElement;
                return new DataKeyRecord(new ETag(root.GetProperty("etag").GetString()!), root.GetProperty("version").GetInt32(), root.GetProperty("wrapped").GetBytesFromBase64());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"Data key record '{key}' is malformed: {ex.Message}", key.Value, ex);
            }
        }
    }
}
