using Amazon.Runtime;

namespace MusicLocker.Storage.S3.Internal;

/// <summary>Gives the AWS SDK HttpClients over the caller's handler (a proxy, a pinned certificate), never disposing it.</summary>
internal sealed class FixedHandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
