using System.Net;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>
/// An HTTP handler in front of the real Azurite connection that can answer a request itself (an error status, a delay, a
/// dropped connection) instead of forwarding it, and records every request that reaches it.
/// </summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage?>> _fault;
    private int _count;

    /// <param name="fault">Given the request, its 0-based index and the try's cancellation, a response to answer with, or null to forward it.</param>
    public FaultInjectingHandler(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage?>> fault)
        : base(new SocketsHttpHandler())
    {
        _fault = fault;
    }

    public List<(HttpMethod Method, string PathAndQuery, string? Authorization, bool Injected)> Requests { get; } = [];

    public int Count => Volatile.Read(ref _count);

    public static HttpResponseMessage Status(HttpStatusCode status, Action<HttpResponseMessage>? configure = null)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        configure?.Invoke(response);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int index = Interlocked.Increment(ref _count) - 1;
        var injected = await _fault(request, index, cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString(), injected is not null));
        }

        return injected ?? await base.SendAsync(request, cancellationToken);
    }
}
