using System.Text.Json;
using MusicLocker.Crypto.Internal;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>The source-generated JSON of the key records: key material of a half-parsed ring is still reachable for zeroing, per thread.</summary>
public sealed class RecordJsonTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Ring(int keys, string tail) => System.Text.Encoding.UTF8.GetBytes(
        "{\"format\":\"musiclocker-keyring\",\"formatVersion\":1,\"keys\":["
        + string.Join(",", Enumerable.Range(1, keys).Select(v => $"{{\"version\":{v},\"created\":\"2026-01-01T00:00:00+00:00\",\"key\":\"{Convert.ToBase64String(Enumerable.Repeat((byte)v, 32).ToArray())}\"}}"))
        + "]," + tail + "}");

    [Fact]
    public void Keys_decoded_before_a_parse_error_are_collected_for_zeroing()
    {
        var decoded = new List<byte[]>();
        using (SecretBytesConverter.Collect(decoded))
        {
            // Two keys parse, then "current" is not a number: the half-built document is thrown away by the serializer.
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(Ring(2, "\"current\":\"x\""), CryptoJsonContext.Default.KeyRingDocument));
        }

        Assert.Equal(2, decoded.Count);
        Assert.Equal(Enumerable.Repeat((byte)2, 32), decoded[1]);

        // Outside a scope nothing is collected.
        JsonSerializer.Deserialize(Ring(1, "\"current\":1"), CryptoJsonContext.Default.KeyRingDocument);
        Assert.Equal(2, decoded.Count);
    }

    [Fact]
    public async Task Rings_parsed_on_many_threads_at_once_each_collect_only_their_own_keys()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 16).Select(n => Task.Run(
            () =>
            {
                int found = 0;
                for (int i = 0; i < 200; i++)
                {
                    var decoded = new List<byte[]>();
                    using (SecretBytesConverter.Collect(decoded))
                    {
                        JsonSerializer.Deserialize(Ring(n, "\"current\":1"), CryptoJsonContext.Default.KeyRingDocument);
                    }

                    found += decoded.Count == n ? 1 : 0;
                }

                return found;
            },
            Ct)));
        Assert.All(results, r => Assert.Equal(200, r));
    }

    [Fact]
    public async Task A_ring_file_reopens_after_a_rewrite_with_the_same_keys()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "ring.json");
        byte[] wrapped;
        var context = new KeyContext("t", "u", "o");
        using (var ring = await LocalKeyRing.CreateAsync(path, Ct))
        {
            await ring.RotateAsync(Ct);
            using var key = await ring.GenerateKeyAsync(context, Ct);
            wrapped = key.WrappedKey;
        }

        using var reopened = await LocalKeyRing.OpenAsync(path, Ct);
        Assert.Equal([1, 2], reopened.Versions);
        Assert.Equal(32, (await reopened.UnwrapKeyAsync(wrapped, context, Ct)).Length);
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal("musiclocker-keyring", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("current").GetInt32());
    }
}
