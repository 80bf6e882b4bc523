using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.AspNetCore.Subsonic;
using MusicLocker.Benchmarks.Metadata;
using MusicLocker.Storage.InMemory;

namespace MusicLocker.Benchmarks.Subsonic;

/// <summary>
/// The 100,000-track catalog of <see cref="CatalogSeed"/> (SQLite) behind the Subsonic server, called in process with a
/// <see cref="DefaultHttpContext"/> (no socket): what is measured is the server side — parameters, authentication by API
/// key, the facade, the SQL and the XML writer.
/// </summary>
internal sealed class SubsonicHarness : IAsyncDisposable
{
    private BenchmarkDatabase _database = null!;
    private ILocker _locker = null!;
    private SubsonicServer _server = null!;
    private string _apiKey = string.Empty;
    private readonly MemoryStream _body = new();

    public BenchmarkDatabase Database => _database;

    public static async Task<SubsonicHarness> StartAsync()
    {
        var harness = new SubsonicHarness();
        harness._database = await BenchmarkDatabase.StartAsync(MetadataProvider.Sqlite, "catalog-100k-v2.db");
        await CatalogSeed.SeedAsync(harness._database);
        harness._locker = global::MusicLocker.Locker.Create(new InMemoryBlobStore(), harness._database.Store, null, new MusicLockerOptions { Encrypt = false });
        harness._apiKey = (await harness._locker.ForUser(CatalogSeed.User).Access.IssueApiKeyAsync("benchmark")).Secret;
        harness._server = new SubsonicServer(harness._locker, new SubsonicSettings(new SubsonicOptions(), NullLoggerFactory.Instance));
        return harness;
    }

    /// <summary>Answers one request; returns the bytes written (so the work cannot be optimised away).</summary>
    public async Task<long> CallAsync(string method, string query)
    {
        _body.SetLength(0);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString($"?c=bench&v=1.16.1&apiKey={_apiKey}&{query}");
        context.Response.Body = _body;
        await _server.HandleAsync(context, method);
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"{method} answered {context.Response.StatusCode}");
        }

        return _body.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await _locker.DisposeAsync();
        await _database.DisposeAsync();
    }
}
