using System.Net;
using MusicLocker.AspNetCore.Tests.Support;
using static MusicLocker.AspNetCore.Tests.Support.Http;

namespace MusicLocker.AspNetCore.Tests;

/// <summary>RedirectToStorage: plaintext tracks on S3/Azure answer 302 to a presigned URL after the same authorisation.</summary>
public sealed class RedirectTests
{
    [Theory]
    [InlineData(Backend.S3)]
    [InlineData(Backend.Azure)]
    public async Task Plain_tracks_redirect_to_a_presigned_URL_that_serves_the_range(Backend backend)
    {
        await using var host = await LockerHost.StartAsync(backend, encrypt: false, o => o.Streaming = new TrackResponderOptions { RedirectToStorage = true });
        var (id, file) = await host.UploadAsync("mp3/big-cover.mp3");
        using var client = host.Client();
        using var response = await client.SendAsync(Get(Stream(id), "bytes=10-20"), Ct);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        var location = response.Headers.Location!;
        Assert.Equal(host.BaseAddress.Host, location.Host); // the emulator is on loopback too; its port differs
        Assert.NotEqual(host.BaseAddress.Port, location.Port);

        using var storage = new HttpClient();
        var direct = new HttpRequestMessage(HttpMethod.Get, location);
        direct.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 20);
        using var bytes = await storage.SendAsync(direct, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, bytes.StatusCode);
        Assert.Equal(file[10..21], await bytes.Content.ReadAsByteArrayAsync(Ct));

        // the same authorisation first: other users and forged tokens get no URL
        using var bob = host.Client("bob");
        using var refused = await bob.SendAsync(Get(Stream(id)), Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using var anonymous = host.Client(user: null);
        using var forged = await anonymous.SendAsync(Get(Stream(id) + "?token=AAAA.BBBB"), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        // time seeks and downloads are served by the app
        using var seek = await client.SendAsync(Get(Stream(id) + "?t=1"), Ct);
        Assert.Equal(HttpStatusCode.OK, seek.StatusCode);
        using var download = await client.SendAsync(Get($"{LockerHost.Prefix}/tracks/{id:D}/download"), Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact]
    public async Task Encrypted_tracks_are_never_redirected()
    {
        await using var host = await LockerHost.StartAsync(Backend.S3, encrypt: true, o => o.Streaming = new TrackResponderOptions { RedirectToStorage = true });
        var (id, file) = await host.UploadAsync("mp3/id3v23-full.mp3");
        using var client = host.Client();
        using var response = await client.SendAsync(Get(Stream(id)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(file, await response.Content.ReadAsByteArrayAsync(Ct));
    }
}
