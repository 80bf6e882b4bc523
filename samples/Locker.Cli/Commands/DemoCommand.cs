using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using MusicLocker.Storage;

namespace Locker.Cli.Commands;

/// <summary>
/// <c>demo</c>: the smallest end-to-end run on the embedded default — store a file, read it back whole and by range,
/// and check every byte. Uses FILE when given, otherwise writes a 3 MiB sample first.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var root = CliOptions.Root();
        var file = new Argument<FileInfo?>("file") { Description = "A file to store (default: a generated 3 MiB sample).", DefaultValueFactory = _ => null };
        var command = new Command("demo", "Store a file in the local locker and read it back, checking every byte.") { root, file };
        command.SetAction((parse, ct) => StoreCommands.Run(async () =>
        {
            var rootDir = parse.GetValue(root)!;
            using var store = CliOptions.OpenStore(rootDir);
            var source = parse.GetValue(file) ?? await WriteSampleAsync(rootDir, ct);
            var key = BlobKey.Parse("demo/" + source.Name);
            Console.WriteLine($"locker folder : {store.RootPath}");

            var clock = Stopwatch.StartNew();
            var stored = await store.PutFileAsync(key, source.FullName, new PutBlobOptions { ContentType = "application/octet-stream" }, ct);
            Console.WriteLine($"stored        : {stored.Key} ({stored.Length:N0} bytes, etag {stored.ETag}) in {clock.ElapsedMilliseconds} ms");

            byte[] expected;
            await using (var original = source.OpenRead())
            {
                expected = await SHA256.HashDataAsync(original, ct);
            }

            clock.Restart();
            await using (var download = await store.OpenReadAsync(key, null, ct))
            {
                var actual = await SHA256.HashDataAsync(download.Content, ct);
                Check(actual.AsSpan().SequenceEqual(expected), "the bytes read back differ from the file");
            }

            Console.WriteLine($"read back     : SHA-256 {Convert.ToHexStringLower(expected)} matches ({clock.ElapsedMilliseconds} ms)");

            if (stored.Length > 0)
            {
                long offset = stored.Length / 2;
                int length = (int)Math.Min(64 * 1024, stored.Length - offset);
                var slice = new byte[length];
                int n = await store.ReadAtAsync(key, offset, slice, stored.ETag, ct);
                var fromFile = new byte[length];
                await using (var original = source.OpenRead())
                {
                    original.Seek(offset, SeekOrigin.Begin);
                    await original.ReadExactlyAsync(fromFile, ct);
                }

                Check(n == length && slice.AsSpan().SequenceEqual(fromFile), "the ranged read differs from the file");
                Console.WriteLine($"ranged read   : bytes {offset:N0}-{offset + length - 1:N0} match");
            }

            int count = 0;
            await foreach (var _ in store.ListAsync("demo/", ct))
            {
                count++;
            }

            Console.WriteLine($"listed        : {count} blob(s) under demo/");
            Console.WriteLine("ok");
        }));
        return command;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new IOException("demo failed: " + what);
        }
    }

    private static async Task<FileInfo> WriteSampleAsync(DirectoryInfo root, CancellationToken cancellationToken)
    {
        root.Create();
        var path = Path.Combine(root.FullName, "sample.bin");
        var bytes = new byte[3 * 1024 * 1024];
        new Random(2026).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        return new FileInfo(path);
    }
}
