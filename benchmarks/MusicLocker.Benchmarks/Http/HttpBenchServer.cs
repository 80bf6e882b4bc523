using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.AspNetCore;

namespace MusicLocker.Benchmarks.Http;

/// <summary>
/// One Kestrel server on 127.0.0.1 serving the same synthetic MP3 two ways: <c>/api/tracks/{id}/stream</c> (an
/// encrypted embedded locker through <c>MapMusicLocker</c>) and <c>/file</c> (<c>Results.File(…, enableRangeProcessing: true)</c>
/// over the plaintext file), plus one <see cref="HttpClient"/> for both.
/// </summary>
public sealed class HttpBenchServer : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "musiclocker-bench-http-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private ILocker? _locker;

    public string FilePath { get; private set; } = string.Empty;

    public long Length { get; private set; }

    public Guid TrackId { get; private set; }

    public HttpClient Client { get; private set; } = null!;

    public string StreamPath => $"/api/tracks/{TrackId:D}/stream";

    public static async Task<HttpBenchServer> StartAsync(long bytes, bool encrypt = true)
    {
        var server = new HttpBenchServer();
        await server.OpenAsync(bytes, encrypt);
        return server;
    }

    private async Task OpenAsync(long bytes, bool encrypt)
    {
        Directory.CreateDirectory(_folder);
        FilePath = Path.Combine(_folder, "track.mp3");
        WriteCbrMp3(FilePath, bytes);
        Length = new FileInfo(FilePath).Length;
        _locker = await global::MusicLocker.Locker.OpenEmbeddedAsync(Path.Combine(_folder, "locker"), new MusicLockerOptions { Encrypt = encrypt });
        var upload = await _locker.ForUser("bench").Uploads.UploadFileAsync(FilePath);
        TrackId = upload.Track.Id;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapMusicLocker("/api", o =>
        {
            o.Locker = _locker;
            o.UserIdResolver = static _ => "bench"; // the app's authentication, reduced to one user
        });
        string path = FilePath;
        _app.MapGet("/file", () => Results.File(path, "audio/mpeg", enableRangeProcessing: true));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    /// <summary>CBR MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes): a valid MP3 of any size, with a seek index.</summary>
    private static void WriteCbrMp3(string path, long bytes)
    {
        byte[] frame = new byte[417];
        frame[0] = 0xFF;
        frame[1] = 0xFB;
        frame[2] = 0x90;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long i = 0; i < bytes / frame.Length; i++)
        {
            frame[4] = (byte)i;
            frame[5] = (byte)(i >> 8);
            file.Write(frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_locker is not null)
        {
            await _locker.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
