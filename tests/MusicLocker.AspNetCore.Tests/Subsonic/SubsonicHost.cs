using System.Net;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.AspNetCore.Subsonic;
using MusicLocker.Crypto;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>
/// An encrypted locker (file-system objects, SQLite, local key ring) behind <c>MapSubsonic()</c> on Kestrel at a free
/// port, with two users: ann (three tagged MP3s with covers, of distinct audio: the locker folds same-audio uploads into one track) and bob (two), each with an API key and an app password.
/// </summary>
internal sealed class SubsonicHost : IAsyncDisposable
{
    public const string AnnPassword = "ann-app-password";
    public const string BobPassword = "bob-app-password";

    private static readonly Lazy<XmlSchemaSet> Schema = new(() =>
    {
        var set = new XmlSchemaSet();
        set.Add("http://subsonic.org/restapi", Path.Combine(AppContext.BaseDirectory, "Subsonic", "subsonic-rest-api-1.16.1.xsd"));
        set.Compile();
        return set;
    });

    private readonly TempFolder _folder = new();
    private readonly List<object> _owned = [];
    private WebApplication? _app;

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public ILocker Locker { get; private set; } = null!;

    public MusicLocker.Metadata.Sql.SqlMetadataStore Metadata { get; private set; } = null!;

    public string DatabasePath => Path.Combine(_folder.Path, "locker.db");

    public Uri BaseAddress { get; private set; } = null!;

    public string AnnKey { get; private set; } = null!;

    public string BobKey { get; private set; } = null!;

    /// <summary>ann's uploads: fixture path → track id.</summary>
    public Dictionary<string, Guid> Ann { get; } = [];

    public Dictionary<string, Guid> Bob { get; } = [];

    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });

    public static async Task<SubsonicHost> StartAsync(Action<SubsonicOptions>? configure = null, bool upload = true)
    {
        var host = new SubsonicHost();
        try
        {
            await host.OpenAsync(configure, upload);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task OpenAsync(Action<SubsonicOptions>? configure, bool upload)
    {
        var ct = TestContext.Current.CancellationToken;
        var storage = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(_folder.Path, "blobs"), FlushToDisk = false });
        Metadata = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = DatabasePath, TimeProvider = Clock }, ct);
        _owned.Add(Metadata);
        var ring = await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = Path.Combine(_folder.Path, "keyring.json"), TimeProvider = Clock }, ct);
        _owned.Add(ring);
        Locker = global::MusicLocker.Locker.Create(storage, Metadata, ring, new MusicLockerOptions { Encrypt = true, PartSize = 16 * 1024, TimeProvider = Clock });
        if (upload)
        {
            foreach (var fixture in new[] { "mp3/id3v23-full.mp3", "mp3/big-cover.mp3", "mp3/id3v24-frame-unsync-footer.mp3" })
            {
                Ann[fixture] = await UploadAsync("ann", fixture);
            }

            foreach (var fixture in new[] { "mp3/id3v24-multi.mp3", "mp3/ape-lyrics-id3v1.mp3" })
            {
                Bob[fixture] = await UploadAsync("bob", fixture);
            }
        }

        AnnKey = (await Locker.ForUser("ann").Access.IssueApiKeyAsync("tests", ct)).Secret;
        BobKey = (await Locker.ForUser("bob").Access.IssueApiKeyAsync("tests", ct)).Secret;
        await Locker.ForUser("ann").Access.SetAppPasswordAsync(AnnPassword, ct);
        await Locker.ForUser("bob").Access.SetAppPasswordAsync(BobPassword, ct);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        var options = new SubsonicOptions { TimeProvider = Clock };
        configure?.Invoke(options);
        _app.MapSubsonic(options, Locker);
        await _app.StartAsync(ct);
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public static string FixturePath(string fixture) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", fixture);

    private async Task<Guid> UploadAsync(string user, string fixture) =>
        (await Locker.ForUser(user).Uploads.UploadFileAsync(FixturePath(fixture), cancellationToken: TestContext.Current.CancellationToken)).Track.Id;

    /// <summary>The URL of a method with ann's API key (or <paramref name="key"/>), client and version, and extra parameters.</summary>
    public Uri Url(string method, string query = "", string? key = null, string version = "1.16.1") =>
        new(BaseAddress, $"rest/{method}?c=tests&v={version}&apiKey={Uri.EscapeDataString(key ?? AnnKey)}{(query.Length == 0 ? string.Empty : "&" + query)}");

    public Uri RawUrl(string method, string query) => new(BaseAddress, $"rest/{method}?{query}");

    /// <summary>GETs an XML answer, validates it against the 1.16.1 schema, and returns its root.</summary>
    public async Task<XElement> XmlAsync(Uri url)
    {
        using var response = await Http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.StartsWith("text/xml", response.Content.Headers.ContentType?.ToString());
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return Validate(text);
    }

    public static XElement Validate(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schema.Value };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber}, {e.Exception?.LinePosition})");
        using (var reader = XmlReader.Create(new StringReader(xml), settings))
        {
            while (reader.Read())
            {
            }
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + xml[..Math.Min(xml.Length, 2000)]);
        return XElement.Parse(xml);
    }

    public static readonly XNamespace Ns = "http://subsonic.org/restapi";

    /// <summary>The error code of a failed XML answer (asserting that it failed).</summary>
    public async Task<int> ErrorAsync(Uri url, HttpContent? post = null)
    {
        using var response = post is null ? await Http.GetAsync(url, TestContext.Current.CancellationToken) : await Http.PostAsync(url, post, TestContext.Current.CancellationToken);
        var root = Validate(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("failed", (string?)root.Attribute("status"));
        return (int)root.Element(Ns + "error")!.Attribute("code")!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (Locker is not null)
        {
            await Locker.DisposeAsync();
        }

        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable d:
                    await d.DisposeAsync();
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }

        _folder.Dispose();
    }
}
