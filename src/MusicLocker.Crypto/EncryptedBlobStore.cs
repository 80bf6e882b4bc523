using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MusicLocker.Crypto.Diagnostics;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Internal;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;
using MusicLocker.Storage.Providers;

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
/// must be <see cref="EncryptedBlobStoreOptions.PartSize"/> bytes, numbered from 1 without gaps; a part number takes one
/// body per upload (a retry with the same bytes works, other bytes are refused), so no nonce encrypts two plaintexts.
/// </remarks>
public sealed class EncryptedBlobStore : IBlobStore
{
    /// <summary>Keys under this prefix hold key records; they are hidden from listings and refused as blob keys.</summary>
    public const string ReservedPrefix = ".mlcrypto/";

    private const string DataKeyPrefix = ReservedPrefix + "data-keys/";

    // Data-key records of blobs whose key is too long to prefix, named by the SHA-256 of the blob key.
    private const string HashedDataKeyPrefix = ReservedPrefix + "data-keys-sha256/";

    // Part claims of multipart uploads: one small create-only blob per part number (see UploadPartAsync).
    private const string UploadPrefix = ReservedPrefix + "uploads/";

    /// <summary>
    /// How long past <see cref="EncryptedBlobStoreOptions.MaxUploadAge"/> a retired user key version is kept before a purge
    /// may drop it: room for a completion that passed its age check to finish.
    /// </summary>
    private static readonly TimeSpan PurgeGrace = TimeSpan.FromHours(1);

    private readonly IBlobStore _inner;
    private readonly UserKeyManager _keys;
    private readonly Func<BlobKey, KeyOwner> _ownerOf;
    private readonly int _partSize;
    private readonly TimeSpan _maxUploadAge;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the decorator; <paramref name="options"/> are copied and checked here (later changes to them have no effect).</summary>
    /// <exception cref="ArgumentException">Neither <see cref="EncryptedBlobStoreOptions.Owner"/> nor <see cref="EncryptedBlobStoreOptions.OwnerOf"/> is set, or the owner is <c>default(KeyOwner)</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The part size is not a positive multiple of 16 KiB, or the upload age is not positive.</exception>
    public EncryptedBlobStore(IBlobStore inner, UserKeyManager keys, EncryptedBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        int partSize = options.PartSize;
        if (partSize <= 0 || partSize % CiphertextLayout.ChunkSize != 0)
        {
            throw new ArgumentOutOfRangeException("options.PartSize", partSize, $"PartSize must be a positive multiple of {CiphertextLayout.ChunkSize}.");
        }

        var maxUploadAge = options.MaxUploadAge;
        if (maxUploadAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options.MaxUploadAge", maxUploadAge, "MaxUploadAge must be positive.");
        }

        _inner = inner;
        _keys = keys;
        _ownerOf = options.OwnerOf ?? (options.Owner is { } owner
            ? owner.IsDefault ? throw new ArgumentException("EncryptedBlobStoreOptions.Owner is default(KeyOwner), which names no user.", "options.Owner") : _ => owner
            : throw new ArgumentException("Set EncryptedBlobStoreOptions.Owner (one user per store) or OwnerOf (owner from the blob key).", "options.OwnerOf"));
        _partSize = partSize;
        _maxUploadAge = maxUploadAge;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = options.LoggerFactory is { } loggerFactory ? loggerFactory.CreateLogger<EncryptedBlobStore>() : keys.Logger;
    }

    /// <inheritdoc />
    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("get_properties", key, async op =>
        {
            CheckKey(key);
            cancellationToken.ThrowIfCancellationRequested();
            var stored = await _inner.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            return EncryptedObject.Parse(stored).Plain;
        });
    }

    /// <inheritdoc />
    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("read", key, async op =>
        {
            CheckKey(key);
            var download = await OpenReadCoreAsync(key, options, cancellationToken).ConfigureAwait(false);
            op.SetRange(download.Offset, download.Length);
            op.Activity?.SetTag("musiclocker.bytes", download.Length);
            return download;
        });
    }

    /// <inheritdoc />
    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("put", key, async op =>
        {
            CheckKey(key);
            ArgumentNullException.ThrowIfNull(content);
            CheckOptions(key, options);
            var stored = await PutCoreAsync(key, content, options, cancellationToken).ConfigureAwait(false);
            op.SetBytes(stored.Length, written: true);
            return stored;
        });
    }

    /// <inheritdoc />
    /// <remarks>Decrypts the source and encrypts it again for the destination (its own data key and context), streaming.</remarks>
    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("copy", destination, async op =>
        {
            op.Activity?.SetTag("musiclocker.blob.source_key", source.Value);
            CheckKey(source);
            CheckKey(destination);
            CheckConditions(destinationConditions);
            var download = await OpenReadCoreAsync(source, null, cancellationToken).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                var options = new PutBlobOptions { ContentType = download.Properties.ContentType, Metadata = download.Properties.Metadata, Conditions = destinationConditions };
                var stored = await PutCoreAsync(destination, download.Content, options, cancellationToken).ConfigureAwait(false);
                op.SetBytes(stored.Length, written: true);
                return stored;
            }
        });
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("delete", key, async op =>
        {
            CheckKey(key);
            CheckConditions(conditions);
            cancellationToken.ThrowIfCancellationRequested();
            bool deleted = await _inner.DeleteAsync(key, conditions, cancellationToken).ConfigureAwait(false);
            if (deleted)
            {
                await _inner.DeleteAsync(DataKeyRecordKey(key), null, cancellationToken).ConfigureAwait(false);
            }

            return deleted;
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// A blob of a length no ciphertext has was not written here (or was truncated): it is left out of the listing (and
    /// logged) rather than failing it for every other key under the prefix; reading it reports an integrity failure.
    /// </remarks>
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using var op = Start("list", null);
        op.Activity?.SetTag("musiclocker.blob.prefix", prefix);
        var items = _inner.ListAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (true)
            {
                BlobItem item;
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    item = items.Current;
                }
                catch (Exception ex)
                {
                    op.Fail(ex);
                    throw;
                }

                if (IsReserved(item.Key))
                {
                    continue;
                }

                if (!EncryptedObject.TryPlaintextLengthOf(item.Length, out long length))
                {
                    CryptoLog.ForeignBlobSkipped(_logger, item.Key.Value, item.Length);
                    continue;
                }

                yield return item with { Length = length };
            }
        }
    }

    /// <inheritdoc />
    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("multipart.start", key, async op =>
        {
            CheckKey(key);
            CheckOptions(key, options);
            cancellationToken.ThrowIfCancellationRequested();
            return await StartUploadCoreAsync(key, options, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Part <c>n</c> holds chunks from <c>(n - 1) × PartSize / 16 KiB</c>, so its nonces are fixed by its number. A part
    /// number takes one body for the life of the upload: the first send claims it (a create-only record of a MAC of the
    /// number, the length and the chunks' GCM tags), a retry with identical bytes re-sends identical ciphertext, and a
    /// different body is refused with <see cref="EncryptionErrorCode.PartConflict"/> before its ciphertext leaves memory —
    /// no nonce's keystream is ever stored under two plaintexts. The part is encrypted in memory (at most the part size),
    /// so the ciphertext claimed is the ciphertext stored.
    /// </remarks>
    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("multipart.upload_part", upload?.Key, async op =>
        {
            ValidatePart(upload!, partNumber, content, cancellationToken);
            using var encrypted = await EncryptPartCoreAsync(upload!, partNumber, content, cancellationToken).ConfigureAwait(false);
            var part = await SendPartCoreAsync(encrypted, cancellationToken).ConfigureAwait(false);
            op.SetBytes(part.Length, written: true);
            return part;
        });
    }

    /// <summary>
    /// The first half of <see cref="UploadPartAsync(MultipartUpload, int, Stream, CancellationToken)"/>: reads and
    /// encrypts the part into memory and stores nothing. Send the result with
    /// <see cref="UploadPartAsync(EncryptedPart, CancellationToken)"/> and dispose it. A caller that encrypts part n + 1
    /// while part n is sent keeps both cores busy and the parts stored in order.
    /// </summary>
    /// <exception cref="EncryptionException"><see cref="EncryptionErrorCode.UploadIdInvalid"/>: the upload id is forged, another blob's, or older than <see cref="EncryptedBlobStoreOptions.MaxUploadAge"/>.</exception>
    /// <exception cref="BlobStoreException"><see cref="BlobErrorCode.InvalidPart"/>: the body is longer than the upload's part size.</exception>
    public Task<EncryptedPart> EncryptPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("multipart.encrypt_part", upload?.Key, async _ =>
        {
            ValidatePart(upload!, partNumber, content, cancellationToken);
            return await EncryptPartCoreAsync(upload!, partNumber, content, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Claims the part's number for its body (a small create-only record, flushed) without storing the body: a later
    /// <see cref="UploadPartAsync(EncryptedPart, CancellationToken)"/> of it then only writes. A caller that claims each
    /// part as soon as it is encrypted lets the claims' flushes overlap the writes of earlier parts while it still writes
    /// in order. A part number taken by another body is refused with <see cref="EncryptionErrorCode.PartConflict"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="part"/> was encrypted by another store.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="part"/> was disposed.</exception>
    public Task ClaimPartAsync(EncryptedPart part, CancellationToken cancellationToken = default)
    {
        CheckOwnPart(part);
        return ObserveAsync("multipart.claim_part", part.Upload.Key, async _ =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckAge(part);
            part.ThrowIfDisposed();
            await ClaimPartNumberAsync(part.Upload, part.StartedAt, part.PartNumber, part.Claim, cancellationToken).ConfigureAwait(false);
            part.MarkClaimed();
            return true;
        });
    }

    private void CheckOwnPart(EncryptedPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (!ReferenceEquals(part.Store, this))
        {
            throw new ArgumentException($"Part {part.PartNumber} of the upload to '{part.Upload.Key}' was encrypted by another EncryptedBlobStore; send it through the store that encrypted it.", nameof(part));
        }
    }

    private static void ValidatePart(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken)
    {
        BlobStoreValidation.Upload(upload);
        ArgumentNullException.ThrowIfNull(content);
        BlobStoreValidation.PartNumber(partNumber);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The second half of <see cref="UploadPartAsync(MultipartUpload, int, Stream, CancellationToken)"/>: claims the part's
    /// number for its body and stores its ciphertext. Sending the same part again is a retry (same bytes); a part number
    /// taken by another body is refused with <see cref="EncryptionErrorCode.PartConflict"/> and nothing is stored.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="part"/> was encrypted by another store.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="part"/> was disposed.</exception>
    public Task<UploadedPart> UploadPartAsync(EncryptedPart part, CancellationToken cancellationToken = default)
    {
        CheckOwnPart(part);
        return ObserveAsync("multipart.upload_part", part.Upload.Key, async op =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stored = await SendPartCoreAsync(part, cancellationToken).ConfigureAwait(false);
            op.SetBytes(stored.Length, written: true);
            return stored;
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        return ObserveAsync<IReadOnlyList<UploadedPart>>("multipart.list_parts", upload?.Key, async op =>
        {
            BlobStoreValidation.Upload(upload!);
            IReadOnlyList<UploadedPart> parts;
            using (var opened = await OpenUploadAsync(upload!, requireLive: false, cancellationToken).ConfigureAwait(false))
            {
                parts = await _inner.ListPartsAsync(Inner(upload!, opened.State), cancellationToken).ConfigureAwait(false);
            }

            var result = new UploadedPart[parts.Count];
            for (int i = 0; i < parts.Count; i++)
            {
                result[i] = parts[i] with { Length = UploadState.PartPlaintext(upload!.Key, parts[i].PartNumber, parts[i].Length).Length };
            }

            return result;
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// When the last part is a whole number of chunks, an extra part holding the empty final chunk is stored first; its
    /// nonce belongs to the part number after the last, which it claims with an empty body (so that part number can no
    /// longer be sent with bytes, and completion is refused if it already was). An upload older than
    /// <see cref="EncryptedBlobStoreOptions.MaxUploadAge"/> is refused.
    /// </remarks>
    public Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("multipart.complete", upload?.Key, async op =>
        {
            BlobStoreValidation.Upload(upload!);
            ArgumentNullException.ThrowIfNull(parts);
            cancellationToken.ThrowIfCancellationRequested();
            var stored = await CompleteUploadCoreAsync(upload!, parts, cancellationToken).ConfigureAwait(false);
            op.Activity?.SetTag("musiclocker.bytes", stored.Length);
            return stored;
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// The part claims stay: a part sent with the aborted id later is still held to its first body. An id this store did
    /// not issue for this blob (forged, or another blob's) names no upload of it: like every store, that is
    /// <see cref="BlobErrorCode.UploadNotFound"/> (the <see cref="EncryptionErrorCode.UploadIdInvalid"/> error is the
    /// inner exception), and nothing is aborted.
    /// </remarks>
    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        return ObserveAsync("multipart.abort", upload?.Key, async op =>
        {
            BlobStoreValidation.Upload(upload!);
            OpenedUpload opened;
            try
            {
                opened = await OpenUploadAsync(upload!, requireLive: false, cancellationToken).ConfigureAwait(false);
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.UploadIdInvalid)
            {
                throw new BlobNotFoundException(upload!.Key.Value, $"Blob '{upload.Key}' has no upload with id '{EncryptionErrors.Quote(upload.UploadId)}': this store did not issue it for this blob.", BlobErrorCode.UploadNotFound, ex);
            }

            using (opened)
            {
                await _inner.AbortMultipartUploadAsync(Inner(upload!, opened.State), cancellationToken).ConfigureAwait(false);
            }
            return true;
        });
    }

    private async Task<BlobDownload> OpenReadCoreAsync(BlobKey key, ReadBlobOptions? options, CancellationToken cancellationToken)
    {
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
            ChunkReadStream content = new DecryptingReadStream(download.Content, cipher, window, key.Value);
            if (window.LastChunk == window.FinalChunk && window.LastChunk > window.FirstChunk && length <= VerifiedTailStream.MaxLength)
            {
                // A short range over the end spanning several chunks: release nothing until the final chunk verified.
                content = new VerifiedTailStream((DecryptingReadStream)content, (int)length);
            }

            // Plaintext bytes are counted as they reach the caller, not when the read is opened.
            content.Delivered = static n => StorageInstrumentation.RecordBytesRead(CryptoTelemetry.StoreName, n);
            return new BlobDownload(content, obj.Plain, offset, length);
        }
        catch
        {
            cipher.Dispose();
            throw;
        }
    }

    private async Task<BlobProperties> PutCoreAsync(BlobKey key, Stream content, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var created = await NewObjectAsync(key, cancellationToken).ConfigureAwait(false);
        var stream = new EncryptingReadStream(content, created.Cipher, created.Header, 0, EncryptMode.WholeMessage);
        await using (stream.ConfigureAwait(false))
        {
            var stored = await _inner.PutAsync(key, stream, WithKeyMetadata(options, created), cancellationToken).ConfigureAwait(false);
            return EncryptedObject.ToPlain(stored);
        }
    }

    private async Task<MultipartUpload> StartUploadCoreAsync(BlobKey key, PutBlobOptions? options, CancellationToken cancellationToken)
    {
        var uploadKey = new byte[UploadState.UploadKeySize];
        try
        {
            var created = await NewObjectAsync(key, cancellationToken, uploadKey).ConfigureAwait(false);
            created.Cipher.Dispose();
            var inner = await _inner.StartMultipartUploadAsync(key, WithKeyMetadata(options, created), cancellationToken).ConfigureAwait(false);
            string id = UploadState.Encode(key, inner.UploadId, _partSize, created.Header, created.KeyVersion, created.WrappedDataKey, _time.GetUtcNow(), uploadKey);
            return new MultipartUpload(key, id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(uploadKey);
        }
    }

    /// <summary>
    /// Encrypts the part into memory (a pooled buffer the returned part owns) and computes its claim, a MAC of the
    /// ciphertext's chunk tags (<see cref="UploadState.PartClaim"/>); nothing is stored. Each chunk's tag authenticates that
    /// chunk under its fixed nonce, so the tags bind the body without a hash pass over the bytes (a MAC of ~0.1% of them).
    /// </summary>
    private async Task<EncryptedPart> EncryptPartCoreAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken)
    {
        using var opened = await OpenUploadAsync(upload, requireLive: true, cancellationToken).ConfigureAwait(false);
        var state = opened.State;
        int headerLength = partNumber == 1 ? CiphertextLayout.HeaderSize : 0;
        int chunksPerPart = state.PartSize / CiphertextLayout.ChunkSize;
        byte[] ciphertext = ArrayPool<byte>.Shared.Rent(PartEncryptor.CiphertextCapacity(content, headerLength, state.PartSize));
        bool owned = false;
        try
        {
            long firstChunk = (long)(partNumber - 1) * chunksPerPart;
            int length;
            long plaintextLength;
            using (var cipher = opened.TakeCipher())
            {
                (length, plaintextLength) = await PartEncryptor.EncryptAsync(content, cipher, partNumber == 1 ? state.Header : [], firstChunk, state.PartSize, ciphertext, cancellationToken).ConfigureAwait(false);
            }

            if (plaintextLength > state.PartSize)
            {
                throw new BlobStoreException(BlobErrorCode.InvalidPart, $"Part {partNumber} of the upload to '{upload.Key}' is longer than the upload's part size of {state.PartSize} bytes; every part but the last must be exactly that size.", upload.Key.Value);
            }

            var claim = UploadState.PartClaim(opened.UploadKey, partNumber, plaintextLength, ciphertext.AsSpan(headerLength, length - headerLength));
            var part = new EncryptedPart(this, upload, Inner(upload, state), state.StartedAt, partNumber, plaintextLength, ciphertext, length, claim);
            owned = true;
            return part;
        }
        finally
        {
            if (!owned)
            {
                // Never claimed, so never stored: ciphertext that is not kept is cleared.
                ArrayPool<byte>.Shared.Return(ciphertext, clearArray: true);
            }
        }
    }

    /// <summary>
    /// Claims the part's number for its body and only then hands the ciphertext to the inner store: a body refused by the
    /// claim never leaves memory (and is cleared when its part is disposed).
    /// </summary>
    private async Task<UploadedPart> SendPartCoreAsync(EncryptedPart part, CancellationToken cancellationToken)
    {
        CheckAge(part);
        var ciphertext = part.BeginSend();
        bool claimed = false;
        try
        {
            if (!part.IsClaimed)
            {
                await ClaimPartNumberAsync(part.Upload, part.StartedAt, part.PartNumber, part.Claim, cancellationToken).ConfigureAwait(false);
            }

            claimed = true;
            using var body = new MemoryStream(ciphertext, 0, part.CiphertextLength, writable: false);
            var stored = await _inner.UploadPartAsync(part.Inner, part.PartNumber, body, cancellationToken).ConfigureAwait(false);
            return new UploadedPart(part.PartNumber, stored.ETag, part.Length);
        }
        finally
        {
            part.EndSend(claimed);
        }
    }

    private void CheckAge(EncryptedPart part)
    {
        if (_time.GetUtcNow() - part.StartedAt > _maxUploadAge)
        {
            throw new EncryptionException(EncryptionErrorCode.UploadIdInvalid, $"Upload '{EncryptionErrors.Quote(part.Upload.UploadId)}' to '{part.Upload.Key}' started at {part.StartedAt:O}, more than MaxUploadAge ({_maxUploadAge}) ago; start a new upload.", part.Upload.Key.Value);
        }
    }

    private async Task<BlobProperties> CompleteUploadCoreAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        using var opened = await OpenUploadAsync(upload, requireLive: true, cancellationToken).ConfigureAwait(false);
        var state = opened.State;
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
            innerParts.Add(await UploadFinalChunkAsync(upload, opened, inner, parts.Count + 1, plaintextLength, cancellationToken).ConfigureAwait(false));
        }

        var props = await _inner.CompleteMultipartUploadAsync(inner, innerParts, cancellationToken).ConfigureAwait(false);
        return EncryptedObject.ToPlain(props);
    }

    /// <summary>
    /// Deletes the part claims of uploads started longer ago than <see cref="EncryptedBlobStoreOptions.MaxUploadAge"/>
    /// plus one hour (their parts are refused by then anyway); run it now and then, like a lifecycle rule for abandoned
    /// uploads. Returns how many claims it deleted.
    /// </summary>
    public async Task<int> DeleteExpiredUploadClaimsAsync(CancellationToken cancellationToken = default)
    {
        long cutoff = (_time.GetUtcNow() - _maxUploadAge - PurgeGrace).ToUnixTimeSeconds();
        int deleted = 0;
        await foreach (var item in _inner.ListAsync(UploadPrefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key.Value.AsSpan(UploadPrefix.Length);
            int dash = name.IndexOf('-');
            if (dash > 0 && long.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out long started) && started < cutoff
                && await _inner.DeleteAsync(item.Key, null, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        CryptoLog.ExpiredUploadClaimsDeleted(_logger, deleted);
        return deleted;
    }

    /// <summary>
    /// Rotates <paramref name="owner"/>'s user key: adds a new version, rewraps the data key of each of the owner's blobs
    /// under <paramref name="prefix"/> into a small record (reading only properties, never object bytes), then marks the
    /// old versions retired. Retired versions are kept — puts in flight, multipart uploads in progress and blobs written
    /// meanwhile still read under them — until <see cref="PurgeRetiredUserKeysAsync"/> drops them. Run it over a prefix
    /// that holds all of the owner's blobs.
    /// </summary>
    public async Task<UserKeyRotationResult> RotateUserKeyAsync(KeyOwner owner, string prefix, CancellationToken cancellationToken = default)
    {
        UserKeyManager.CheckOwner(owner);
        ArgumentNullException.ThrowIfNull(prefix);
        using var activity = CryptoTelemetry.Start("user_key.rotate", owner);
        try
        {
            int version = await _keys.AddVersionAsync(owner, cancellationToken).ConfigureAwait(false);
            CryptoTelemetry.SetKeyVersion(activity, version);
            var (objects, bytes) = await RewrapAsync(owner, prefix, version, skipRewrapped: false, cancellationToken).ConfigureAwait(false);
            await _keys.RetireOldVersionsAsync(owner, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.crypto.objects_rewrapped", objects);
            CryptoLog.UserKeyRotated(_logger, owner, version, objects, bytes);
            return new UserKeyRotationResult(version, objects, bytes);
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// Drops <paramref name="owner"/>'s user key versions retired longer ago than
    /// <see cref="EncryptedBlobStoreOptions.MaxUploadAge"/> plus one hour — by then no upload started under them can
    /// complete — after rewrapping, under the current version, every blob under <paramref name="prefix"/> still under
    /// them (those written by puts and uploads that were in flight during the rotation). Run it over the same prefix as
    /// the rotation.
    /// </summary>
    public async Task<UserKeyPurgeResult> PurgeRetiredUserKeysAsync(KeyOwner owner, string prefix, CancellationToken cancellationToken = default)
    {
        UserKeyManager.CheckOwner(owner);
        ArgumentNullException.ThrowIfNull(prefix);
        using var activity = CryptoTelemetry.Start("user_key.purge", owner);
        try
        {
            var result = await PurgeCoreAsync(owner, prefix, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.crypto.versions_removed", result.VersionsRemoved);
            if (result.VersionsRemoved > 0)
            {
                CryptoLog.RetiredUserKeysPurged(_logger, owner, result.VersionsRemoved, result.ObjectsRewrapped);
            }

            return result;
        }
        catch (Exception ex)
        {
            CryptoTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task<UserKeyPurgeResult> PurgeCoreAsync(KeyOwner owner, string prefix, CancellationToken cancellationToken)
    {
        var record = await _keys.ReadRecordAsync(owner, cancellationToken).ConfigureAwait(false);
        var cutoff = _time.GetUtcNow() - _maxUploadAge - PurgeGrace;
        var due = new List<int>();
        foreach (var v in record.Versions)
        {
            if (v.RetiredAt is { } retired && retired <= cutoff && v.Version != record.CurrentVersion)
            {
                due.Add(v.Version);
            }
        }

        if (due.Count == 0)
        {
            return default;
        }

        var (objects, bytes) = await RewrapAsync(owner, prefix, record.CurrentVersion, skipRewrapped: true, cancellationToken).ConfigureAwait(false);
        int removed = await _keys.RemoveRetiredVersionsAsync(owner, due, cancellationToken).ConfigureAwait(false);
        return new UserKeyPurgeResult(removed, objects, bytes);
    }

    /// <summary>
    /// Rewraps the data key of each of the owner's blobs under <paramref name="prefix"/> not yet under
    /// <paramref name="version"/> into a record; with <paramref name="skipRewrapped"/>, blobs whose record already holds
    /// that version are left alone (a new version has no records yet, so a rotation does not look).
    /// </summary>
    private async Task<(int Objects, long Bytes)> RewrapAsync(KeyOwner owner, string prefix, int version, bool skipRewrapped, CancellationToken cancellationToken)
    {
        var userKey = await _keys.GetKeyVersionAsync(owner, version, cancellationToken).ConfigureAwait(false)
            ?? throw new EncryptionException(EncryptionErrorCode.ConcurrentUpdate, $"User key version {version} of '{owner}' vanished during rotation.");
        try
        {
            int objects = 0;
            long bytes = 0;
            await foreach (var item in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (IsReserved(item.Key) || !TryOwnerOf(item.Key, out var itemOwner) || itemOwner != owner)
                {
                    continue;
                }

                EncryptedObject obj;
                try
                {
                    obj = EncryptedObject.Parse(await _inner.GetPropertiesAsync(item.Key, cancellationToken).ConfigureAwait(false));
                }
                catch (BlobNotFoundException)
                {
                    continue; // Deleted since it was listed.
                }
                catch (EncryptionException ex) when (ex.ErrorCode is EncryptionErrorCode.UnsupportedFormat or EncryptionErrorCode.CiphertextInvalid)
                {
                    // Not an object of this store (no key of the owner can read it, before or after): nothing to rewrap,
                    // and no reason to leave the owner's other objects under the old version.
                    CryptoLog.ForeignBlobNotRewrapped(_logger, item.Key.Value, ex);
                    continue;
                }

                var recordKey = DataKeyRecordKey(item.Key);
                if (obj.KeyVersion == version || (skipRewrapped && await TryReadDataKeyRecordAsync(recordKey, cancellationToken).ConfigureAwait(false) is { } done && done.ETag == obj.Stored.ETag && done.Version == version))
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

            return (objects, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(userKey);
        }
    }

    private static StorageOperationScope Start(string operation, BlobKey? key) =>
        StorageInstrumentation.StartOperation(CryptoTelemetry.StoreName, operation, key);

    /// <summary>Runs one <see cref="IBlobStore"/> call inside its storage span (<c>storage.{operation}</c>, store <c>encrypted</c>), marking it failed when the call throws.</summary>
    private static Task<T> ObserveAsync<T>(string operation, BlobKey? key, Func<StorageOperationScope, Task<T>> call) =>
        TracedCall.RunAsync(CryptoTelemetry.StoreName, operation, key ?? default, call);

    /// <summary>
    /// The owner of <paramref name="key"/> by the configured mapping. Whatever the mapping throws for a key it cannot map
    /// (a key without the user segment, an invalid id) becomes <see cref="EncryptionErrorCode.KeyContextInvalid"/>.
    /// </summary>
    private KeyOwner OwnerOf(BlobKey key)
    {
        KeyOwner owner;
        try
        {
            owner = _ownerOf(key);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, $"Blob key '{EncryptionErrors.Quote(key.Value)}' maps to no valid owner: EncryptedBlobStoreOptions.OwnerOf failed with {ex.GetType().Name} ({EncryptionErrors.Quote(ex.Message)}). Use keys the mapping accepts.", key.Value, ex);
        }

        if (owner.IsDefault)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyContextInvalid, $"Blob key '{EncryptionErrors.Quote(key.Value)}' maps to no owner: EncryptedBlobStoreOptions.OwnerOf returned default(KeyOwner).", key.Value);
        }

        return owner;
    }

    /// <summary>The owner of a listed blob, or <see langword="false"/> (logged) when the mapping cannot map its key: a listing skips it.</summary>
    private bool TryOwnerOf(BlobKey key, out KeyOwner owner)
    {
        try
        {
            owner = OwnerOf(key);
            return true;
        }
        catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.KeyContextInvalid)
        {
            CryptoLog.UnmappedBlobSkipped(_logger, EncryptionErrors.Quote(key.Value), ex);
            owner = default;
            return false;
        }
    }

    private static BlobStoreException InvalidPart(MultipartUpload upload, string what) =>
        new(BlobErrorCode.InvalidPart, $"Cannot complete upload '{EncryptionErrors.Quote(upload.UploadId)}' to '{upload.Key}': {what}.", upload.Key.Value);

    private static MultipartUpload Inner(MultipartUpload upload, UploadState state) => new(upload.Key, state.InnerUploadId);

    private static bool IsReserved(BlobKey key) => key.Value.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    private static void CheckKey(BlobKey key)
    {
        BlobStoreValidation.Key(key);

        if (IsReserved(key))
        {
            throw new InvalidBlobKeyException(key.Value, BlobKeyRule.Reserved, $"keys under '{ReservedPrefix}' are reserved for key records of EncryptedBlobStore");
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

    /// <summary>Where a rotation keeps the rewrapped data key of <paramref name="key"/> (named by its hash when the key is too long to prefix).</summary>
    private static BlobKey DataKeyRecordKey(BlobKey key) =>
        BlobKey.TryParse(DataKeyPrefix + key.Value, out var recordKey, out _)
            ? recordKey
            : BlobKey.Parse(HashedDataKeyPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.Value))));

    private async Task<DataKeyRecord?> TryReadDataKeyRecordAsync(BlobKey recordKey, CancellationToken cancellationToken)
    {
        try
        {
            return DataKeyRecord.Parse(await _inner.ReadAllBytesAsync(recordKey, null, 64 * 1024, cancellationToken).ConfigureAwait(false), recordKey);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Decodes and authenticates an upload id: unwraps its data key (a forged key version, wrapped key or header, or an
    /// id moved to another blob, fails here), then checks the state's MAC under the upload key and, for parts and
    /// completion, its age.
    /// </summary>
    private async Task<OpenedUpload> OpenUploadAsync(MultipartUpload upload, bool requireLive, CancellationToken cancellationToken)
    {
        var state = UploadState.Decode(upload);
        var uploadKey = new byte[UploadState.UploadKeySize];
        ChunkCipher cipher;
        try
        {
            if (FormatPrefix.Validate(state.Header) is { } problem)
            {
                throw UploadState.Invalid(upload, problem);
            }

            cipher = await OpenCipherAsync(upload.Key, state.Header, state.KeyVersion, state.WrappedDataKey, null, cancellationToken, uploadKey).ConfigureAwait(false);
        }
        catch (EncryptionException ex) when (ex.ErrorCode is EncryptionErrorCode.KeyUnwrapFailed or EncryptionErrorCode.KeyCommitmentMismatch or EncryptionErrorCode.KeyNotFound)
        {
            CryptographicOperations.ZeroMemory(uploadKey);
            throw UploadState.Invalid(upload, "its data key does not unwrap for this blob", ex);
        }

        var opened = new OpenedUpload(state, cipher, uploadKey);
        if (!state.Verify(uploadKey, upload.Key))
        {
            opened.Dispose();
            throw UploadState.Invalid(upload, "its state does not authenticate");
        }

        if (requireLive && _time.GetUtcNow() - state.StartedAt > _maxUploadAge)
        {
            opened.Dispose();
            throw new EncryptionException(EncryptionErrorCode.UploadIdInvalid, $"Upload '{EncryptionErrors.Quote(upload.UploadId)}' to '{upload.Key}' started at {state.StartedAt:O}, more than MaxUploadAge ({_maxUploadAge}) ago; start a new upload.", upload.Key.Value);
        }

        return opened;
    }

    /// <summary>
    /// Claims <paramref name="partNumber"/> for one body: a create-only record of the part's MAC (<paramref name="claim"/>). A
    /// second send with the same bytes finds its own claim; with other bytes, someone else's, and is refused.
    /// </summary>
    private async Task ClaimPartNumberAsync(MultipartUpload upload, DateTimeOffset startedAt, int partNumber, byte[] claim, CancellationToken cancellationToken)
    {
        // Named by the upload's (authenticated) start time, so expired claims can be found and deleted.
        var claimKey = BlobKey.Parse(string.Create(CultureInfo.InvariantCulture, $"{UploadPrefix}{startedAt.ToUnixTimeSeconds():D12}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(upload.UploadId)))}/{partNumber}"));
        try
        {
            await _inner.PutBytesAsync(claimKey, claim, new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly }, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (BlobConditionFailedException)
        {
            // Claimed before: by this body (a retry), or by another one.
        }

        var existing = await _inner.ReadAllBytesAsync(claimKey, null, 1024, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(existing, claim))
        {
            CryptoLog.PartConflictRefused(_logger, upload.Key.Value, partNumber);
            throw new EncryptionException(EncryptionErrorCode.PartConflict, $"Part {partNumber} of upload '{EncryptionErrors.Quote(upload.UploadId)}' to '{upload.Key}' was already sent with other bytes (or completion stored the final chunk there); a part number takes one body per upload, so that no nonce encrypts two plaintexts. Send the same bytes again, or start a new upload.", upload.Key.Value);
        }
    }

    private async Task<NewObject> NewObjectAsync(BlobKey key, CancellationToken cancellationToken, byte[]? uploadKey = null)
    {
        var owner = OwnerOf(key);
        using var userKey = await _keys.GetCurrentKeyAsync(owner, cancellationToken).ConfigureAwait(false);
        var header = new byte[CiphertextLayout.HeaderSize];
        FormatPrefix.Write(header);
        RandomNumberGenerator.Fill(header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize));
        var context = FormatPrefix.ObjectContext(header, owner, key.Value);
        byte[] dataKey = new byte[CiphertextLayout.KeySize];
        RandomNumberGenerator.Fill(dataKey);
        try
        {
            var cipher = ChunkCipher.Create(dataKey, header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), context);
            cipher.Commitment.CopyTo(header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize));
            var wrapped = DataKeyWrap.Wrap(userKey.Material, context, dataKey);
            if (uploadKey is not null)
            {
                UploadState.DeriveUploadKey(dataKey, context, uploadKey);
            }

            return new NewObject(cipher, header, userKey.Version, wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private Task<ChunkCipher> OpenCipherAsync(BlobKey key, EncryptedObject obj, CancellationToken cancellationToken) =>
        OpenCipherAsync(key, obj.Header, obj.KeyVersion, obj.WrappedDataKey, obj.Stored.ETag, cancellationToken);

    private async Task<ChunkCipher> OpenCipherAsync(BlobKey key, byte[] header, int keyVersion, byte[] wrappedDataKey, ETag? storedETag, CancellationToken cancellationToken, byte[]? uploadKey = null)
    {
        var owner = OwnerOf(key);
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

            if (uploadKey is not null)
            {
                UploadState.DeriveUploadKey(dataKey, context, uploadKey);
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
        if (userKey is null && storedETag is { } etag && await TryReadDataKeyRecordAsync(DataKeyRecordKey(key), cancellationToken).ConfigureAwait(false) is { } record && record.ETag == etag)
        {
            // The version in the metadata was dropped after a rotation, which left the rewrapped key in a record.
            userKey = await _keys.GetKeyVersionAsync(owner, record.Version, cancellationToken).ConfigureAwait(false);
            wrapped = record.Wrapped;
        }

        if (userKey is null)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"The data key of blob '{key}' is wrapped under user key version {keyVersion} of '{owner}', which no longer exists.", key.Value);
        }

        try
        {
            bool unwrapped = DataKeyWrap.TryUnwrap(userKey, context, wrapped, out var dataKey);
            CryptoTelemetry.CountUnwrap("data_key", unwrapped);
            if (!unwrapped)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The wrapped data key of blob '{key}' does not unwrap: it was modified or belongs to another object or user.", key.Value);
            }

            return dataKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(userKey);
        }
    }

    private async Task<UploadedPart> UploadFinalChunkAsync(MultipartUpload upload, OpenedUpload opened, MultipartUpload inner, int partNumber, long plaintextLength, CancellationToken cancellationToken)
    {
        if (partNumber > BlobStoreLimits.MaxPartNumber)
        {
            throw InvalidPart(upload, $"the last part is a whole number of chunks and part {partNumber} for the final chunk is past the limit");
        }

        // The message must end with a short chunk; the parts ended on a chunk boundary, so store the empty one as a part.
        // Its nonce lies in the range of the part number after the last full part: claim that number with an empty body.
        long chunk = plaintextLength / CiphertextLayout.ChunkSize;
        int owningPart = checked((int)(chunk / (opened.State.PartSize / CiphertextLayout.ChunkSize)) + 1);
        if (owningPart >= partNumber)
        {
            try
            {
                await ClaimPartNumberAsync(upload, opened.State.StartedAt, owningPart, UploadState.PartClaim(opened.UploadKey, owningPart, 0, []), cancellationToken).ConfigureAwait(false);
            }
            catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.PartConflict)
            {
                throw new EncryptionException(EncryptionErrorCode.PartConflict, $"Cannot complete upload '{EncryptionErrors.Quote(upload.UploadId)}' to '{upload.Key}': part {owningPart} was sent with bytes but is not listed; list it, or start a new upload.", upload.Key.Value, ex);
            }
        }

        using var cipher = opened.TakeCipher();
        var finalChunk = new byte[CiphertextLayout.TagSize];
        cipher.Encrypt(chunk, [], finalChunk);
        using var content = new MemoryStream(finalChunk, writable: false);
        return await _inner.UploadPartAsync(inner, partNumber, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An authenticated upload: its state, its cipher (until taken) and its upload key, zeroed on dispose.</summary>
    private sealed class OpenedUpload(UploadState state, ChunkCipher cipher, byte[] uploadKey) : IDisposable
    {
        private ChunkCipher? _cipher = cipher;

        public UploadState State => state;

        public byte[] UploadKey => uploadKey;

        /// <summary>The cipher, now owned (and disposed) by the caller.</summary>
        public ChunkCipher TakeCipher() => Interlocked.Exchange(ref _cipher, null) ?? throw new InvalidOperationException("The upload's cipher was taken already.");

        public void Dispose()
        {
            Interlocked.Exchange(ref _cipher, null)?.Dispose();
            CryptographicOperations.ZeroMemory(uploadKey);
        }
    }

    private sealed record NewObject(ChunkCipher Cipher, byte[] Header, int KeyVersion, byte[] WrappedDataKey);

    /// <summary>A data key rewrapped by a user-key rotation, valid for one stored version of the blob.</summary>
    private sealed record DataKeyRecord(ETag ETag, int Version, byte[] Wrapped)
    {
        public static byte[] Serialize(ETag etag, int version, byte[] wrapped) =>
            JsonSerializer.SerializeToUtf8Bytes(new DataKeyRecordDocument { ETag = etag.Value, Version = version, Wrapped = wrapped }, CryptoJsonContext.Default.DataKeyRecordDocument);

        public static DataKeyRecord Parse(byte[] json, BlobKey key)
        {
            try
            {
                var document = JsonSerializer.Deserialize(json, CryptoJsonContext.Default.DataKeyRecordDocument) ?? throw new JsonException("the record is null");
                return new DataKeyRecord(new ETag(document.ETag), document.Version, document.Wrapped);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new EncryptionException(EncryptionErrorCode.KeyRecordInvalid, $"Data key record '{key}' is malformed: {EncryptionErrors.Quote(ex.Message)}", key.Value, ex);
            }
        }
    }
}
