using System.Diagnostics;
using System.Globalization;
using System.Net;
using MusicLocker.AspNetCore.Tests.Support;
using MusicLocker.Streaming;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;
using static MusicLocker.AspNetCore.Tests.Support.Http;

namespace MusicLocker.AspNetCore.Tests;

/// <summary>A client going away mid-stream; seeks by byte and by time, counted and checked against ffprobe.</summary>
public sealed class DisconnectAndSeekTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_disconnects_mid_stream_frees_every_buffer_and_stops_reading_storage(bool encrypt)
    {
        using var folder = new TempFolder();
        var (host, upload, path) = await SlowHostWithTrackAsync(encrypt, folder);
        await using var _ = host;
        long length = new FileInfo(path).Length;
        host.Storage.ResetCounts();

        var client = host.Client();
        var response = await client.SendAsync(Get(Stream(upload.Track.Id)), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        byte[] some = new byte[64 * 1024];
        await body.ReadExactlyAsync(some, Ct);
        Assert.Equal(File.ReadAllBytes(path).AsSpan(0, some.Length).ToArray(), some);
        Assert.True(host.Pool.Outstanding > 0, "the range reader holds its read-ahead while the client is slow");

        // The client goes away: the socket closes, Kestrel cancels RequestAborted, the reader stops and returns its buffers.
        response.Dispose();
        client.Dispose();
        await host.Storage.AllClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await WaitUntil(() => host.Pool.Outstanding == 0, "every pooled buffer back");
        Assert.Empty(host.Pool.Errors);
        long read = host.Storage.BytesRead;
        Assert.True(read < length / 2, $"storage read {read:N0} of {length:N0} bytes for a client that took 64 KiB");
        await WaitUntil(() => host.Storage.OpenStreams == 0, "every storage stream closed (the server disposes it after the client has the last byte)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_range_seek_into_the_middle_of_a_100_MB_track_costs_at_most_two_storage_reads(bool encrypt)
    {
        await using var host = await LockerHost.StartAsync(Backend.FileSystem, encrypt, o => o.Streaming = new TrackResponderOptions());
        using var folder = new TempFolder();
        string path = Mp3Synth.Write(folder.Path, 100L * 1024 * 1024);
        var upload = await host.Locker.ForUser("ann").Uploads.UploadFileAsync(path, cancellationToken: Ct);
        long middle = new FileInfo(path).Length / 2;
        using var client = host.Client();
        host.Storage.ResetCounts();
        using var response = await client.SendAsync(Get(Stream(upload.Track.Id), $"bytes={middle}-{middle + 65535}"), Ct);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
        await using (var file = File.OpenRead(path))
        {
            byte[] expected = new byte[65536];
            file.Position = middle;
            await file.ReadExactlyAsync(expected, Ct);
            Assert.Equal(expected, body);
        }

        Assert.True(host.Storage.Reads <= 2, $"{host.Storage.Reads} storage reads");
        Assert.True(host.Storage.BytesRead < 1024 * 1024, $"{host.Storage.BytesRead:N0} bytes read from storage for a 64 KiB range");

        // A time seek to the middle: the seek index (the track's sidecar), then ONE read that starts at the index entry
        // before the time, finds the frame in its head and streams on from it.
        await AssertTimeSeekAsync(upload.Track.Duration.TotalSeconds / 2, reads: 2);

        // The player seeks again (another time, a new request): the index of this track version is cached, so the seek
        // is one storage read, however long the track.
        await AssertTimeSeekAsync(upload.Track.Duration.TotalSeconds / 3, reads: 1);

        async Task AssertTimeSeekAsync(double seconds, int reads)
        {
            host.Storage.ResetCounts();
            var request = Get(Stream(upload.Track.Id) + "?t=" + seconds.ToString("0.###", CultureInfo.InvariantCulture), "bytes=0-65535");
            using var seek = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.PartialContent, seek.StatusCode);
            byte[] got = await seek.Content.ReadAsByteArrayAsync(Ct);
            Assert.Equal(reads, host.Storage.Reads);
            Assert.True(host.Storage.BytesRead < 2 * 1024 * 1024, $"{host.Storage.BytesRead:N0} bytes read from storage for a time seek");

            // The answer starts at the frame TimeSeek.FindFrameAsync names, and is the file's bytes from there.
            var track = await host.Locker.ForUser("ann").Downloads.OpenStreamAsync(upload.Track.Id, Ct);
            var frame = await track.FindFrameAsync(Seconds(seconds.ToString("0.###", CultureInfo.InvariantCulture)), Ct);
            Assert.Equal($"bytes 0-65535/{track.Length - frame.ByteOffset}", Header(seek, "Content-Range"));
            await using var file = File.OpenRead(path);
            byte[] expected = new byte[65536];
            file.Position = frame.ByteOffset;
            await file.ReadExactlyAsync(expected, Ct);
            Assert.Equal(expected, got);
        }
    }

    public static readonly TheoryData<Backend, bool> LocalBackends = new()
    {
        { Backend.FileSystem, false },
        { Backend.FileSystem, true },
        { Backend.InMemory, false },
        { Backend.InMemory, true },
    };

    [Theory]
    [MemberData(nameof(LocalBackends))]
    public async Task Time_seek_edges_and_ranges_on_top_of_them_are_answered_from_one_storage_read(Backend backend, bool encrypt)
    {
        await using var host = await LockerHost.StartAsync(backend, encrypt);
        using var folder = new TempFolder();
        string path = Mp3Synth.Write(folder.Path, 2 * 1024 * 1024); // ~64 s: index entries ~1 s (~16 KB) apart
        var upload = await host.Locker.ForUser("ann").Uploads.UploadFileAsync(path, cancellationToken: Ct);
        byte[] file = await File.ReadAllBytesAsync(path, Ct);
        var id = upload.Track.Id;
        var track = await host.Locker.ForUser("ann").Downloads.OpenStreamAsync(id, Ct);
        double duration = upload.Track.Duration.TotalSeconds;
        using var client = host.Client();

        // The first seek of this version in the process also reads the index (the sidecar); every later one is one read.
        await SeekAsync("0", null, reads: 2);
        foreach (string t in new[] { "0", "31.4159", (duration - 0.2).ToString("0.###", CultureInfo.InvariantCulture), "86400" })
        {
            // t=0 (the first frame), the middle, the last interval (the tail window), past the end (the last frame).
            long frame = await SeekAsync(t, null, reads: 1);
            if (t == "86400")
            {
                Assert.Equal(file.Length - Mp3Synth.FrameLength, frame);
            }

            // Ranges inside the time seek's representation: a-b, a-, a suffix, past the end (416).
            // A suffix is the end of the track: the same read when the window reaches it (the last interval), else one more.
            long rest = file.Length - frame;
            bool tail = t is not ("0" or "31.4159");
            await SeekAsync(t, "bytes=10-1009", reads: 1, expect: (10, Math.Min(1000, rest - 10)));
            await SeekAsync(t, "bytes=0-0", reads: 1, expect: (0, 1));
            await SeekAsync(t, "bytes=100-", reads: 1, expect: (100, rest - 100));
            await SeekAsync(t, "bytes=-300", reads: tail ? 1 : 2, expect: (rest - Math.Min(rest, 300), Math.Min(rest, 300)));
            await SeekAsync(t, $"bytes={rest}-", reads: 1, status: HttpStatusCode.RequestedRangeNotSatisfiable);
        }

        // HEAD: the headers of the GET, one read of the window to find the frame, no body.
        host.Storage.ResetCounts();
        using var get = await client.SendAsync(Get(Stream(id) + "?t=20"), Ct);
        using var head = await client.SendAsync(Get(Stream(id) + "?t=20", method: HttpMethod.Head), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(2, host.Storage.Reads);
        Assert.True(host.Storage.BytesRead <= get.Content.Headers.ContentLength!.Value + (2 * 64 * 1024), "the GET reads the window and the rest, the HEAD the window only");

        // Revalidation: 304 from the window alone.
        host.Storage.ResetCounts();
        var revalidate = Get(Stream(id) + "?t=20");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", get.Headers.ETag!.ToString());
        using var notModified = await client.SendAsync(revalidate, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(1, host.Storage.Reads);
        Assert.True(host.Storage.BytesRead <= 64 * 1024, $"{host.Storage.BytesRead:N0} bytes read for a 304");

        // Players seeking at once: each answer starts at its own frame, every window goes back to the pool.
        await Parallel.ForAsync(0, 24, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            string t = (i * 2.7).ToString("0.###", CultureInfo.InvariantCulture);
            using var response = await client.SendAsync(Get(Stream(id) + "?t=" + t, "bytes=0-4095"), ct);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            long frame = file.Length - ContentRange(response)!.Length!.Value;
            Assert.Equal(file[(int)frame..(int)(frame + 4096)], await response.Content.ReadAsByteArrayAsync(ct));
            Assert.Equal((await track.FindFrameAsync(Seconds(t), ct)).ByteOffset, frame);
        });

        await WaitUntil(() => host.Pool.Outstanding == 0, "every pooled buffer back");
        Assert.Empty(host.Pool.Errors);
        await WaitUntil(() => host.Storage.OpenStreams == 0, "every storage stream closed (the server disposes it after the client has the last byte)");

        async Task<long> SeekAsync(string t, string? range, int reads, (long Offset, long Length)? expect = null, HttpStatusCode? status = null)
        {
            host.Storage.ResetCounts();
            using var response = await client.SendAsync(Get(Stream(id) + "?t=" + t, range), Ct);
            byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
            string what = $"t={t} {range}";
            Assert.True(reads == host.Storage.Reads, $"{what}: {host.Storage.Reads} storage reads, expected {reads}");

            // Counted first: the facade's FindFrameAsync (TimeSeek.FindFrameAsync) loads and caches the index too.
            var frame = await track.FindFrameAsync(Seconds(t), Ct);
            long rest = file.Length - frame.ByteOffset;
            Assert.Equal($"\"{track.ETag.Value.Trim('"')}.t{frame.ByteOffset}\"", response.Headers.ETag?.ToString());
            if (status is { } refused)
            {
                Assert.Equal(refused, response.StatusCode);
                Assert.Equal($"bytes */{rest}", Header(response, "Content-Range"));
                return frame.ByteOffset;
            }

            var (offset, length) = expect ?? (0, rest);
            Assert.Equal(range is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent, response.StatusCode);
            if (range is not null)
            {
                Assert.Equal($"bytes {offset}-{offset + length - 1}/{rest}", Header(response, "Content-Range"));
            }

            Assert.True(file.AsSpan((int)(frame.ByteOffset + offset), (int)length).SequenceEqual(body), $"{what}: the body is not the file from the frame");
            return frame.ByteOffset;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_disconnects_during_a_time_seek_answer_frees_the_window_and_stops_reading_storage(bool encrypt)
    {
        using var folder = new TempFolder();
        var (host, upload, path) = await SlowHostWithTrackAsync(encrypt, folder);
        await using var _ = host;
        long length = new FileInfo(path).Length;
        var track = await host.Locker.ForUser("ann").Downloads.OpenStreamAsync(upload.Track.Id, Ct);
        var frame = await track.FindFrameAsync(TimeSpan.FromSeconds(100), Ct);
        host.Storage.ResetCounts();

        var client = host.Client();
        var response = await client.SendAsync(Get(Stream(upload.Track.Id) + "?t=100"), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        byte[] some = new byte[64 * 1024];
        await body.ReadExactlyAsync(some, Ct);
        Assert.Equal(File.ReadAllBytes(path).AsSpan((int)frame.ByteOffset, some.Length).ToArray(), some);
        Assert.True(host.Pool.Outstanding > 0, "the range reader holds its read-ahead while the client is slow");

        response.Dispose();
        client.Dispose();
        await host.Storage.AllClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await WaitUntil(() => host.Pool.Outstanding == 0, "every pooled buffer back, the window's too");
        Assert.Empty(host.Pool.Errors);
        Assert.Equal(1, host.Storage.Reads);
        Assert.True(host.Storage.BytesRead < length / 2, $"storage read {host.Storage.BytesRead:N0} of {length:N0} bytes for a client that took 64 KiB");
        await WaitUntil(() => host.Storage.OpenStreams == 0, "every storage stream closed (the server disposes it after the client has the last byte)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_time_seek_into_a_version_that_changed_or_an_index_of_another_version_is_a_typed_error(bool encrypt)
    {
        await using var host = await LockerHost.StartAsync(Backend.FileSystem, encrypt);
        using var folder = new TempFolder();
        var before = await KeysAsync(host);
        string path = Mp3Synth.Write(folder.Path, 1024 * 1024);
        var upload = await host.Locker.ForUser("ann").Uploads.UploadFileAsync(path, cancellationToken: Ct);
        using var client = host.Client();
        using (var warm = await client.SendAsync(Get(Stream(upload.Track.Id) + "?t=3"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode); // the index of this version is cached now
        }

        // The audio object: the largest one the upload stored (the sidecar and documents are small).
        var audio = (await KeysAsync(host)).Except(before).MaxBy(k => k.Length).Key;
        var track = await host.Locker.ForUser("ann").Downloads.OpenStreamAsync(upload.Track.Id, Ct);
        var props = await host.Storage.GetPropertiesAsync(audio, Ct);
        await host.Storage.PutAsync(audio, new MemoryStream(TestData.Bytes((int)new FileInfo(path).Length, seed: 9)), new MusicLocker.Storage.PutBlobOptions { ContentType = props.ContentType, Metadata = props.Metadata }, Ct);

        // The version the answer was opened on is gone: Conflict before the callback, nothing written, everything released.
        var pipe = new System.IO.Pipelines.Pipe();
        bool called = false;
        var ex = await Assert.ThrowsAsync<LockerException>(() => track.WriteFromTimeAsync(TimeSpan.FromSeconds(3), long.MaxValue, f => { called = true; return MusicLocker.Storage.ByteRange.All; }, pipe.Writer, cancellationToken: Ct));
        Assert.Equal(LockerErrorCode.Conflict, ex.ErrorCode);
        Assert.False(called);

        if (!encrypt)
        {
            // Over HTTP the new version is opened, and the index (of the old bytes, from the sidecar) does not match it.
            using var stale = await client.SendAsync(Get(Stream(upload.Track.Id) + "?t=3"), Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
            Assert.Equal("CorruptFile", await ErrorOf(stale));
        }

        await WaitUntil(() => host.Storage.OpenStreams == 0, "every storage stream closed (the server disposes it after the client has the last byte)");
        await WaitUntil(() => host.Pool.Outstanding == 0, "every pooled buffer back");
        Assert.Empty(host.Pool.Errors);
    }

    /// <summary>
    /// A host on storage that looks slow (5 ms a read: the reader reads ahead while the client lags, as it does over a
    /// cloud store) holding a 16 MB track of ann's.
    /// </summary>
    private static async Task<(LockerHost Host, UploadResult Upload, string Path)> SlowHostWithTrackAsync(bool encrypt, TempFolder folder)
    {
        var host = await LockerHost.StartAsync(Backend.FileSystem, encrypt, o => o.Streaming = new TrackResponderOptions
        {
            RangeReader = new BlobRangeReaderOptions { ChunkSize = 4096, ReadAheadChunks = 2, BufferPool = o.Streaming.RangeReader!.BufferPool, TimeProvider = SlowStorageClock.Slow },
        });
        try
        {
            string path = Mp3Synth.Write(folder.Path, 16 * 1024 * 1024);
            var upload = await host.Locker.ForUser("ann").Uploads.UploadFileAsync(path, cancellationToken: Ct);
            return (host, upload, path);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static TimeSpan Seconds(string t) => TimeSeek.TryParseSeconds(t, out var time) ? time : throw new ArgumentException(t);

    private static async Task<List<(MusicLocker.Storage.BlobKey Key, long Length)>> KeysAsync(LockerHost host)
    {
        var keys = new List<(MusicLocker.Storage.BlobKey, long)>();
        await foreach (var item in host.Storage.ListAsync(cancellationToken: Ct))
        {
            keys.Add((item.Key, item.Length));
        }

        return keys;
    }

    public static readonly TheoryData<string> SeekFixtures = new("mp3/cbr-info-lame.mp3", "mp3/vbr-xing-lame.mp3", "aac/lc-44k-stereo.aac");

    [Theory]
    [MemberData(nameof(SeekFixtures))]
    public async Task Time_seeks_start_on_a_frame_boundary_within_one_frame_of_the_time_per_ffprobe(string fixture)
    {
        await using var host = await LockerHost.StartAsync(Backend.InMemory, encrypt: true);
        var (id, file) = await host.UploadAsync(fixture);
        var track = await host.Locker.ForUser("ann").Tracks.GetAsync(id, Ct);
        var packets = FfprobePackets(Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", fixture));
        Assert.SkipWhen(packets is null, "ffprobe is not installed");
        using var client = host.Client();
        double total = track.Duration.TotalSeconds;
        for (double t = 0; t < total; t += total / 9)
        {
            using var response = await client.SendAsync(Get(Stream(id) + "?t=" + t.ToString("0.###", CultureInfo.InvariantCulture)), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
            long offset = file.Length - body.Length;
            Assert.Equal(file[(int)offset..], body);
            int p = packets!.FindIndex(x => x.Pos == offset);
            Assert.True(p >= 0, $"{fixture} t={t:F3}: the stream starts at {offset}, not a packet boundary of ffprobe -show_packets");
            double frame = packets[p].Duration > 0 ? packets[p].Duration : 0.03;
            Assert.True(Math.Abs(packets[p].Time - t) <= frame + 1e-6, $"{fixture} t={t:F3}: the first frame starts at {packets[p].Time:F4}s");
        }
    }

    [Fact]
    public async Task Curl_as_an_outside_client_gets_the_range()
    {
        Assert.SkipUnless(TestEnvironment.HasExecutable("curl"), "curl is not installed");
        await using var host = await LockerHost.StartAsync(Backend.FileSystem, encrypt: true);
        var (id, file) = await host.UploadAsync("mp3/big-cover.mp3");
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "part.bin");
        string url = new Uri(host.BaseAddress, Stream(id)).AbsoluteUri;
        var (code, stdout, stderr) = await RunAsync("curl", "-sS", "--range", "1000-50999", "-H", $"{LockerHost.UserHeader}: ann", "-o", output, "-D", "-", "-w", "%{http_code} %{size_download}", url);
        Assert.True(code == 0, stderr);
        Assert.EndsWith("206 50000", stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains($"content-range: bytes 1000-50999/{file.Length}", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(file[1000..51000], await File.ReadAllBytesAsync(output, Ct));

        (code, stdout, stderr) = await RunAsync("curl", "-sS", "-I", "-H", $"{LockerHost.UserHeader}: ann", url);
        Assert.True(code == 0, stderr);
        Assert.Contains("accept-ranges: bytes", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"content-length: {file.Length}", stdout, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static List<(double Time, double Duration, long Pos)>? FfprobePackets(string path)
    {
        if (!TestEnvironment.HasExecutable("ffprobe"))
        {
            return null;
        }

        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=pts_time,duration_time,pos", "-of", "csv=p=0", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var packets = new List<(double, double, long)>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',');
            if (f.Length >= 3 && double.TryParse(f[0], CultureInfo.InvariantCulture, out double t) && long.TryParse(f[2], CultureInfo.InvariantCulture, out long pos))
            {
                packets.Add((t, double.TryParse(f[1], CultureInfo.InvariantCulture, out double d) ? d : 0, pos));
            }
        }

        return packets;
    }
}
