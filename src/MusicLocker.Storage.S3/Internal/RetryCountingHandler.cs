using System.Globalization;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>
/// Counts the retries the AWS SDK sends (its <c>amz-sdk-request: attempt=N</c> header, N ≥ 2) for
/// <c>musiclocker.storage.retries</c> and the log, then passes every request on to the caller's handler or a pooled
/// <see cref="SocketsHttpHandler"/> of its own. The operation is the store call in progress (<see cref="CurrentOperation"/>).
/// </summary>
internal sealed class RetryCountingHandler : DelegatingHandler
{
    private readonly ILogger _logger;

    public RetryCountingHandler(HttpMessageHandler? inner, ILogger logger)
        : base(inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        _logger = logger;
        OwnsInner = inner is null;
    }

    /// <summary>Whether the inner handler is this one's own (dispose this handler then) or the caller's (leave both alone).</summary>
    public bool OwnsInner { get; }

    /// <summary>The store operation (<c>put</c>, <c>read</c>, …) whose requests are being sent on this async flow.</summary>
    public static readonly AsyncLocal<string?> CurrentOperation = new();

    /// <summary>The attempt number in an <c>amz-sdk-request</c> header value (<c>attempt=2; max=4</c>), or 0.</summary>
    public static int Attempt(string? header)
    {
        const string Prefix = "attempt=";
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        int end = header.IndexOf(';', StringComparison.Ordinal);
        var digits = header.AsSpan(Prefix.Length, (end < 0 ? header.Length : end) - Prefix.Length);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int attempt) ? attempt : 0;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("amz-sdk-request", out var values) && Attempt(values.FirstOrDefault()) is > 1 and int attempt)
        {
            string operation = CurrentOperation.Value ?? "unknown";
            StorageInstrumentation.RecordRetry(S3BlobStore.StoreName, operation);
            S3Log.Retrying(_logger, operation, request.Method.Method, attempt);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
