using Amazon.S3;
using Amazon.S3.Model;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>
/// A server-side copy too long for one CopyObject (S3's limit is 5 GiB): a multipart upload to the destination whose parts
/// are UploadPartCopy ranges of the source, at most <see cref="S3StoreSettings.MaxConcurrency"/> at a time, each pinned to
/// the source's version with <c>x-amz-copy-source-if-match</c> (a source replaced mid-copy fails the copy instead of
/// mixing versions). Content type and metadata are the source's, as CopyObject's <c>COPY</c> directive keeps them; the
/// destination conditions are checked at completion. Any failure aborts the upload.
/// </summary>
internal static class MultipartCopy
{
    public static async Task<BlobProperties> RunAsync(IAmazonS3 client, S3StoreSettings settings, BlobProperties source, BlobKey destination, BlobRequestConditions? conditions, S3BlobStore store, CancellationToken cancellationToken)
    {
        long partSize = settings.CopyPartSize;
        long count = (source.Length + partSize - 1) / partSize;
        if (count > BlobStoreLimits.MaxPartNumber)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Copying '{source.Key}' ({source.Length} bytes) needs {count} parts of {partSize} bytes, more than {BlobStoreLimits.MaxPartNumber}; raise S3BlobStoreOptions.CopyPartSize.", destination.Value);
        }

        S3Log.MultipartCopy(settings.Logger, source.Key.Value, destination.Value, source.Length, (int)count);
        var initiate = new InitiateMultipartUploadRequest { BucketName = settings.BucketName, Key = destination.Value, ContentType = source.ContentType };
        S3BlobStore.AddMetadata(initiate.Metadata, source.Metadata);
        string uploadId;
        try
        {
            uploadId = (await client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            throw S3Errors.Map(ex, "Starting a multipart copy", destination);
        }

        try
        {
            var parts = await CopyPartsAsync(client, settings, source, destination, uploadId, (int)count, cancellationToken).ConfigureAwait(false);
            string etag;
            try
            {
                etag = await store.CompleteCoreAsync(destination, uploadId, parts, conditions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
            {
                throw S3BlobStore.WriteError(ex, "Completing a multipart copy", destination, conditions);
            }

            return await store.PropertiesAfterWriteAsync(destination, etag, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortAsync(client, settings.BucketName, destination, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<List<PartETag>> CopyPartsAsync(IAmazonS3 client, S3StoreSettings settings, BlobProperties source, BlobKey destination, string uploadId, int count, CancellationToken cancellationToken)
    {
        long partSize = settings.CopyPartSize;
        var parts = new PartETag[count];
        try
        {
            await Parallel.ForEachAsync(Numbers(count), new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrency, CancellationToken = cancellationToken }, async (index, token) =>
            {
                long first = index * partSize;
                var response = await client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = settings.BucketName,
                    SourceKey = source.Key.Value,
                    DestinationBucket = settings.BucketName,
                    DestinationKey = destination.Value,
                    UploadId = uploadId,
                    PartNumber = index + 1,
                    FirstByte = first,
                    LastByte = Math.Min(source.Length, first + partSize) - 1,
                    ETagToMatch = [source.ETag.Value],
                }, token).ConfigureAwait(false);
                parts[index] = new PartETag(index + 1, response.ETag);
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, cancellationToken))
        {
            if (S3Errors.Is(ex, System.Net.HttpStatusCode.PreconditionFailed))
            {
                throw new BlobConditionFailedException(destination.Value, $"The copy source '{source.Key}' changed from version {source.ETag} during the copy; nothing was written.", ex);
            }

            throw S3Errors.Map(ex, "Copying a part", destination);
        }

        return [.. parts];
    }

    private static IEnumerable<int> Numbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }
    }

    /// <summary>Best effort after a failure: the first failure is what the caller sees; S3 lifecycle rules sweep what stays.</summary>
    private static async Task AbortAsync(IAmazonS3 client, string bucket, BlobKey destination, string uploadId)
    {
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = destination.Value, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex, CancellationToken.None))
        {
            // The copy's own failure is reported; a stray upload is swept by the bucket's lifecycle rules.
        }
    }
}
