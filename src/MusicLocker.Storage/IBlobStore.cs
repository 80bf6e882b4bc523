namespace MusicLocker.Storage;

/// <summary>
/// An object store: blobs named by <see cref="BlobKey"/>, read whole or by range, written whole from a stream or in parts,
/// with ETag conditions that make concurrent writers safe. Implementations are thread-safe. Every failure is a
/// <see cref="BlobStoreException"/> (or <see cref="OperationCanceledException"/>); a missing blob is
/// <see cref="BlobNotFoundException"/>, never <see langword="null"/>.
/// </summary>
/// <remarks>Conveniences (exists, bytes, files) are extension methods in <see cref="BlobStoreExtensions"/>.</remarks>
public interface IBlobStore
{
    /// <summary>Reads the properties of the current version of a blob.</summary>
    /// <exception cref="BlobNotFoundException">No blob has the key.</exception>
    Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default);

    /// <summary>Opens a read of a blob or of a range of it.</summary>
    /// <exception cref="BlobNotFoundException">No blob has the key.</exception>
    /// <exception cref="RangeNotSatisfiableException">The range starts at or past the end of the blob.</exception>
    /// <exception cref="BlobConditionFailedException"><see cref="ReadBlobOptions.IfMatch"/> names another version.</exception>
    Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a blob from a stream, read once to its end and never buffered whole. The new version becomes visible at once
    /// and whole, or (on any failure or cancellation) not at all.
    /// </summary>
    /// <exception cref="BlobConditionFailedException">A condition in <see cref="PutBlobOptions.Conditions"/> did not hold; nothing was written.</exception>
    Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Copies a blob inside the store (server-side where the provider can).</summary>
    /// <exception cref="BlobNotFoundException">No blob has the source key.</exception>
    /// <exception cref="BlobConditionFailedException">A condition on the destination did not hold.</exception>
    Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob.</summary>
    /// <returns><see langword="true"/> when a blob was deleted, <see langword="false"/> when none had the key.</returns>
    /// <exception cref="BlobConditionFailedException"><see cref="BlobRequestConditions.IfMatch"/> names another version; nothing was deleted.</exception>
    Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the blobs whose keys start with <paramref name="prefix"/> (plain text, not only whole segments), in UTF-8 byte order of their keys, paging internally.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>Starts a multipart upload to <paramref name="key"/>. Nothing is visible under the key until it completes.</summary>
    Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Stores part <paramref name="partNumber"/> (1 to <see cref="BlobStoreLimits.MaxPartNumber"/>) of an upload, replacing a part stored before under that number.</summary>
    /// <exception cref="BlobNotFoundException">The upload does not exist (completed, aborted, or swept).</exception>
    Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Lists the parts stored so far, in part-number order (to resume an upload after a restart).</summary>
    /// <exception cref="BlobNotFoundException">The upload does not exist.</exception>
    Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default);

    /// <summary>Joins the given parts, in ascending part-number order, into the blob; it becomes visible at once and whole.</summary>
    /// <exception cref="BlobNotFoundException">The upload does not exist.</exception>
    /// <exception cref="BlobStoreException">With <see cref="BlobErrorCode.InvalidPart"/>: a part is missing, out of order, or has another ETag.</exception>
    /// <exception cref="BlobConditionFailedException">The upload's conditions did not hold; the upload stays open.</exception>
    Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default);

    /// <summary>Aborts an upload and deletes its parts. Aborting an upload that no longer exists does nothing.</summary>
    Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default);
}
