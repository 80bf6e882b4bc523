namespace MusicLocker.Storage.Providers;

/// <summary>
/// What a provider does with the bodies <see cref="ChunkedUpload"/> cuts from a stream: one request for content that
/// fits in a part, or a session of numbered parts joined at the end. Calls for different parts run in parallel.
/// </summary>
/// <typeparam name="TSession">The provider's upload session (an S3 upload id, an Azure block-id prefix, …).</typeparam>
/// <typeparam name="TPart">What the provider keeps of a stored part to join it (an ETag, a block id).</typeparam>
/// <typeparam name="TResult">What the upload returns (usually <see cref="BlobProperties"/>).</typeparam>
public interface IChunkedUploadTarget<TSession, TPart, TResult>
{
    /// <summary>The whole content fits in one part: write it in one request.</summary>
    Task<TResult> PutSingleAsync(PartBody content, CancellationToken cancellationToken);

    /// <summary>The content needs parts: start a session.</summary>
    Task<TSession> BeginAsync(CancellationToken cancellationToken);

    /// <summary>Stores one part (numbered from 1). Open <paramref name="content"/> once per try.</summary>
    Task<TPart> PutPartAsync(TSession session, int partNumber, PartBody content, CancellationToken cancellationToken);

    /// <summary>Joins the parts; <paramref name="parts"/> is in part-number order.</summary>
    Task<TResult> CompleteAsync(TSession session, IReadOnlyList<TPart> parts, CancellationToken cancellationToken);

    /// <summary>
    /// Discards the session after a failure. Best effort: the first failure is what the caller sees, so this should not
    /// throw. It gets a token of its own, not the upload's (which may be the one that was cancelled).
    /// </summary>
    Task AbortAsync(TSession session, CancellationToken cancellationToken);
}
