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

    [Theory]
    [InlineData(Backend.S3)]
    [InlineData(Backend.Azure)]
    public async Task A_redirect_made_for_a_signed_token_expires_no_later_than_the_token(Backend backend)
    {
        // Found by an outside test: a token expiring in 3 s was answered with a presigned URL good for 5 minutes.
        await using var host = await LockerHost.StartAsync(backend, encrypt: false, o => o.Streaming = new TrackResponderOptions { RedirectToStorage = true });
        var (id, _) = await host.UploadAsync("mp3/id3v23-full.mp3");
        var signer = new LockerUrlSigner([new UrlSigningKey { Id = "k1", Key = LockerHost.SigningKey }], host.Clock);
        using var anonymous = host.Client(user: null);
        string Token(TimeSpan left) => signer.Sign(new SignedGrant("ann", SignedResource.Track, id, SignedAccess.Stream, host.Clock.GetUtcNow() + left));

        using var response = await anonymous.SendAsync(Get(Stream(id) + "?token=" + Token(TimeSpan.FromSeconds(3))), Ct);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        if (backend == Backend.S3)
        {
            // The SDK counts X-Amz-Expires from its own clock, corrected by the server's Date (whole seconds): ±1 s.
            Assert.InRange(int.Parse(query["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture), 1, 4);
        }
        else
        {
            var lifetime = DateTimeOffset.Parse(query["se"]!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.Parse(query["st"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(lifetime, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(3)); // st is backdated 5 minutes
        }

        // Under a second left: no URL that may be dead on arrival; the app answers itself.
        host.Clock.Advance(TimeSpan.FromMilliseconds(200)); // tokens hold whole seconds: now + 0.9 s is then 0.8 s away
        using var served = await anonymous.SendAsync(Get(Stream(id) + "?token=" + Token(TimeSpan.FromMilliseconds(900))), Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        // A request with no token keeps the configured validity (5 minutes).
        using var client = host.Client();
        using var plain = await client.SendAsync(Get(Stream(id)), Ct);
        Assert.Equal(HttpStatusCode.Found, plain.StatusCode);
        if (backend == Backend.S3)
        {
            // 300, or 301 when the SDK's clock correction (the server's whole-second Date) rounds it up.
            Assert.InRange(int.Parse(System.Web.HttpUtility.ParseQueryString(plain.Headers.Location!.Query)["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture), 300, 301);
        }
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
