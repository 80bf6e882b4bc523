using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// A per-try pipeline policy (after the SDK's retry policy) that counts every try but the first of a request as a retry,
/// for <c>musiclocker.storage.retries</c> and the log. The operation is the store call in progress (<see cref="CurrentOperation"/>).
/// </summary>
internal sealed class RetryCountingPolicy(ILogger logger) : HttpPipelinePolicy
{
    private const string TriesProperty = "MusicLocker.Storage.Azure.Tries";

    /// <summary>The store operation (<c>put</c>, <c>read</c>, …) whose requests are being sent on this async flow.</summary>
    public static readonly AsyncLocal<string?> CurrentOperation = new();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        int tries = message.TryGetProperty(TriesProperty, out object? value) && value is int n ? n + 1 : 1;
        message.SetProperty(TriesProperty, tries);
        if (tries > 1)
        {
            string operation = CurrentOperation.Value ?? "unknown";
            StorageInstrumentation.RecordRetry(AzureBlobStore.StoreName, operation);
            AzureLog.Retrying(logger, operation, message.Request.Method.ToString(), tries);
        }
    }
}
