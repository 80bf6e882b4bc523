using System.Net;
using MusicLocker.AspNetCore.Tests.Support;
using static MusicLocker.AspNetCore.Tests.Support.Http;

namespace MusicLocker.AspNetCore.Tests;

/// <summary>1,000 random ranges per backend, plain and encrypted, over Kestrel on loopback, byte for byte against the file.</summary>
public sealed class RandomRangeTests
{
    public static readonly TheoryData<Backend, bool> Backends = new()
    {
        { Backend.FileSystem, false }, { Backend.FileSystem, true },
        { Backend.InMemory, false }, { Backend.InMemory, true },
        { Backend.S3, false }, { Backend.S3, true },
        { Backend.Azure, false }, { Backend.Azure, true },
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_thousand_random_ranges_come_back_byte_for_byte(Backend backend, bool encrypt)
    {
        await using var host = await LockerHost.StartAsync(backend, encrypt);
        var (id, file) = await host.UploadAsync("mp3/big-cover.mp3");
        using var client = host.Client();
        var random = new Random(backend.GetHashCode() * 2 + (encrypt ? 1 : 0));
        int len = file.Length;
        var failures = new List<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, ct) =>
        {
            int seed;
            lock (random)
            {
                seed = random.Next();
            }

            var r = new Random(seed);
            (string header, long from, long to) = (i % 3) switch
            {
                0 => Between(r, len),
                1 => From(r, len),
                _ => Suffix(r, len),
            };
            using var response = await client.SendAsync(Get(Stream(id), header), ct);
            byte[] body = await response.Content.ReadAsByteArrayAsync(ct);
            string? error = Check(response, body, file, header, from, to);
            if (error is not null)
            {
                lock (failures)
                {
                    failures.Add(error);
                }
            }
        });

        Assert.True(failures.Count == 0, $"{failures.Count} of 1,000 ranges wrong, e.g.: {string.Join(" | ", failures.Take(5))}");
        Assert.Equal(0, host.Pool.Outstanding);
        Assert.Empty(host.Pool.Errors);
    }

    private static (string, long, long) Between(Random r, int len)
    {
        long a = r.Next(len);
        long b = a + r.Next(Math.Min(len - (int)a, 70_000)) ;
        return ($"bytes={a}-{b}", a, b);
    }

    private static (string, long, long) From(Random r, int len)
    {
        long a = r.Next(len);
        return ($"bytes={a}-", a, len - 1);
    }

    private static (string, long, long) Suffix(Random r, int len)
    {
        long n = 1 + r.Next(len + 100); // sometimes longer than the file: the whole file
        return ($"bytes=-{n}", Math.Max(0, len - n), len - 1);
    }

    private static string? Check(HttpResponseMessage response, byte[] body, byte[] file, string header, long from, long to)
    {
        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            return $"{header}: {(int)response.StatusCode}";
        }

        var range = response.Content.Headers.ContentRange;
        if (range is null || range.From != from || range.To != to || range.Length != file.Length)
        {
            return $"{header}: Content-Range {range}";
        }

        if (response.Content.Headers.ContentLength != to - from + 1 || body.Length != to - from + 1)
        {
            return $"{header}: Content-Length {response.Content.Headers.ContentLength}, body {body.Length}";
        }

        return body.AsSpan().SequenceEqual(file.AsSpan((int)from, (int)(to - from + 1))) ? null : $"{header}: bytes differ";
    }
}
