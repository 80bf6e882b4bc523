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
        // Storage that looks slow (5 ms a read): the reader reads ahead while the client lags, as it does over a cloud store.
        await using var host = await LockerHost.StartAsync(Backend.FileSystem, encrypt, o => o.Streaming = new TrackResponderOptions
        {
            RangeReader = new BlobRangeReaderOptions { ChunkSize = 4096, ReadAheadChunks = 2, BufferPool = o.Streaming.RangeReader!.BufferPool, TimeProvider = SlowStorageClock.Slow },
        });
        using var folder = new TempFolder();
        string path = Mp3Synth.Write(folder.Path, 16 * 1024 * 1024);
        var upload = await host.Locker.ForUser("ann").Uploads.UploadFileAsync(path, cancellationToken: Ct);
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
        Assert.Equal(0, host.Storage.OpenStreams);
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

        // A time seek to the middle: the seek index (the track's sidecar), one small read to find the frame, then the stream.
        host.Storage.ResetCounts();
        var request = Get(Stream(upload.Track.Id) + "?t=" + (upload.Track.Duration.TotalSeconds / 2).ToString("0.###", CultureInfo.InvariantCulture), "bytes=0-65535");
        using var seek = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, seek.StatusCode);
        Assert.Equal(65536, (await seek.Content.ReadAsByteArrayAsync(Ct)).Length);
        Assert.True(host.Storage.Reads <= 3, $"{host.Storage.Reads} storage reads for a time seek");
        Assert.True(host.Storage.BytesRead < 2 * 1024 * 1024, $"{host.Storage.BytesRead:N0} bytes read from storage for a time seek");

        // The player seeks again (another time, a new request): the index of this track version is cached, so the seek
        // is the frame window and the stream — two storage reads, however long the track.
        host.Storage.ResetCounts();
        var again = Get(Stream(upload.Track.Id) + "?t=" + (upload.Track.Duration.TotalSeconds / 3).ToString("0.###", CultureInfo.InvariantCulture), "bytes=0-65535");
        using var second = await client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, second.StatusCode);
        Assert.Equal(65536, (await second.Content.ReadAsByteArrayAsync(Ct)).Length);
        Assert.Equal(2, host.Storage.Reads);
        Assert.True(host.Storage.BytesRead < 2 * 1024 * 1024, $"{host.Storage.BytesRead:N0} bytes read from storage for a second time seek");
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
