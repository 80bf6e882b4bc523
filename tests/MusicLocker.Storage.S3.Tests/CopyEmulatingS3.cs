using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>
/// An <see cref="IAmazonS3"/> that forwards every call to a real client on s3rver, except the two s3rver lacks
/// (UploadPartCopy: 501; AbortMultipartUpload: 501). UploadPartCopy is done as S3 does it: the source range, if the
/// source is still at <c>x-amz-copy-source-if-match</c> (else 412), stored as the part. Aborts are recorded.
/// </summary>
public class CopyEmulatingS3 : DispatchProxy
{
    private IAmazonS3 _inner = null!;

    /// <summary>The UploadPartCopy requests seen, in arrival order.</summary>
    public ConcurrentQueue<CopyPartRequest> CopyParts { get; } = new();

    /// <summary>The upload ids aborted.</summary>
    public ConcurrentQueue<string> Aborted { get; } = new();

    /// <summary>Runs before each emulated part copy (given its part number), e.g. to change the source mid-copy.</summary>
    public Func<int, Task>? BeforePart { get; set; }

    public static (IAmazonS3 Client, CopyEmulatingS3 Proxy) Over(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, CopyEmulatingS3>();
        var proxy = (CopyEmulatingS3)(object)client;
        proxy._inner = inner;
        return (client, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IAmazonS3.CopyPartAsync) when args is [CopyPartRequest request, CancellationToken token]:
                return CopyPartAsync(request, token);
            case nameof(IAmazonS3.AbortMultipartUploadAsync) when args is [AbortMultipartUploadRequest abort, CancellationToken]:
                Aborted.Enqueue(abort.UploadId);
                return Task.FromResult(new AbortMultipartUploadResponse());
            default:
                try
                {
                    return targetMethod.Invoke(_inner, args);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    ExceptionDispatchInfo.Throw(ex.InnerException);
                    throw;
                }
        }
    }

    private async Task<CopyPartResponse> CopyPartAsync(CopyPartRequest request, CancellationToken cancellationToken)
    {
        CopyParts.Enqueue(request);
        if (BeforePart is { } hook)
        {
            await hook(request.PartNumber ?? 0);
        }

        using var source = await _inner.GetObjectAsync(new GetObjectRequest
        {
            BucketName = request.SourceBucket,
            Key = request.SourceKey,
            ByteRange = new Amazon.S3.Model.ByteRange(request.FirstByte ?? 0, request.LastByte ?? 0),
        }, cancellationToken);

        // s3rver ignores If-Match on reads; S3 checks x-amz-copy-source-if-match before copying.
        if (request.ETagToMatch is [var expected, ..] && expected != source.ETag)
        {
            throw new AmazonS3Exception("At least one of the pre-conditions you specified did not hold (emulated)", Amazon.Runtime.ErrorType.Sender, "PreconditionFailed", "emulated", HttpStatusCode.PreconditionFailed);
        }

        using var buffer = new MemoryStream();
        await source.ResponseStream.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        var part = await _inner.UploadPartAsync(new UploadPartRequest
        {
            BucketName = request.DestinationBucket,
            Key = request.DestinationKey,
            UploadId = request.UploadId,
            PartNumber = request.PartNumber,
            InputStream = buffer,
            PartSize = buffer.Length,
            UseChunkEncoding = false,
        }, cancellationToken);
        return new CopyPartResponse { ETag = part.ETag, PartNumber = request.PartNumber };
    }
}
