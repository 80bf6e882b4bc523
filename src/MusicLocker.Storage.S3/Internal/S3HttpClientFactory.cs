using Amazon.Runtime;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>Gives the AWS SDK HttpClients over the store's handler chain (retry counting, then the caller's handler or a pooled one).</summary>
internal sealed class S3HttpClientFactory(RetryCountingHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(handler, disposeHandler: false) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
